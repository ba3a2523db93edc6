// Building the page from data: text always goes in as text (never as HTML), so a memory or a
// request body cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "value") element.value = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

// "2025-01-01T10:00:00.123456Z" -> "2025-01-01 10:00:00" (UTC, as the mock dates everything).
export function when(iso, { millis = false } = {}) {
  if (!iso) return "";
  const [date, time = ""] = iso.replace(/Z$/, "").split("T");
  const [clock, fraction = ""] = time.split(".");
  return `${date} ${clock}${millis && fraction ? "." + fraction.slice(0, 3) : ""}`;
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

// A body as it was sent: indented when it is JSON, as is otherwise.
export function prettyText(text) {
  if (text === null || text === undefined) return "";
  try {
    return json(JSON.parse(text));
  } catch {
    return text;
  }
}

export function table(columns, rows, { caption, empty = "Nothing here yet." } = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label))));
  const body = h("tbody", {}, rows);
  if (!rows.length) body.append(h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, empty)));
  // A narrow window scrolls a wide table inside its box, which the keyboard must reach too.
  const box = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || "Table" });
  return append(box, [h("table", {}, caption ? h("caption", { class: "visually-hidden" }, caption) : null, head, body)]);
}

export function notice(text, kind = "") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : null }, text);
}

export function methodTag(method) {
  return h("span", { class: `method method-${method}` }, method);
}

export function statusTag(status) {
  if (status === null || status === undefined) return h("span", { class: "status-dropped" }, "dropped");
  return h("span", { class: `status-${String(status)[0]}` }, String(status));
}

export function eventTag(event) {
  return h("span", { class: `event event-${event}` }, event);
}

// A labelled control; by id when it has one, so a select's name is its label alone.
export function field(label, control, { grow = false } = {}) {
  const kind = grow ? "field grow" : "field";
  if (control.id) return h("div", { class: kind }, h("label", { for: control.id }, label), control);
  return h("label", { class: kind }, h("span", {}, label), control);
}

// A two-step delete: the first press asks, the second does it (no browser dialog).
export function confirmButton(label, action) {
  const button = h("button", { type: "button", class: "danger" }, label);
  let armed = false;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = `${label}: press again to confirm`;
      return;
    }
    button.disabled = true;
    await action();
  });
  button.addEventListener("blur", () => {
    armed = false;
    button.textContent = label;
  });
  return button;
}
