// Requests: the journal as a table, newest first, updated live (the shared poller), with
// filters; a row opens to its body, query, key and spec violations.

import { harness, HarnessError, live } from "../api.js";
import { field, h, methodTag, notice, prettyText, replace, statusTag, table, when } from "../dom.js";
import { header } from "./common.js";

const SHOWN = 300; // rows drawn at most; the filters narrow the rest
const KEPT = 2000;
// Filters outlive a visit to another page; the key follows the dashboard's key unless the
// user asked for every key ("") or for requests without one ("-").
const saved = { key: null, method: "", status: "", text: "", violations: false, faults: false };

export async function render(view, ctx) {
  const entries = new Map();
  const names = new Map(ctx.tenants.map((t) => [t.tenant, t.key]));
  let open = Number(ctx.params.get("seq")) || null;
  let paused = false;
  let waiting = 0;
  const filters = { ...saved, key: ["", "-"].includes(saved.key) ? saved.key : ctx.tenant?.tenant ?? "" };
  if (open) Object.assign(filters, { key: "", method: "", status: "", text: "", violations: false, faults: false });

  const status = h("p", { class: "live", role: "status" });
  const results = h("div");
  const unsubscribe = live.subscribe((arrived) => {
    const fresh = arrived.filter((entry) => !entries.has(entry.seq)); // the first read may have had some
    for (const entry of fresh) entries.set(entry.seq, entry);
    trim(entries);
    if (!fresh.length) return;
    if (paused) {
      waiting += fresh.length;
      drawStatus();
    } else draw(new Set(fresh.map((e) => e.seq)));
  });

  const initial = await harness("/requests", { params: { last: 1000 } });
  for (const entry of initial.requests) entries.set(entry.seq, entry);
  let missing = null;
  if (open && !entries.has(open)) {
    try {
      const entry = await harness(`/requests/${open}`);
      entries.set(entry.seq, entry);
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      missing = open;
    }
  }

  function matches(entry) {
    if (filters.key === "-" ? entry.key !== null : filters.key && entry.key !== filters.key) return false;
    if (filters.method && entry.method !== filters.method) return false;
    if (filters.status === "dropped" ? entry.status !== null : filters.status && String(entry.status)[0] !== filters.status)
      return false;
    const text = filters.text.toLowerCase();
    if (text && !`${entry.path} ${entry.operation_id || ""}`.toLowerCase().includes(text)) return false;
    if (filters.violations && !entry.violations.length) return false;
    return !(filters.faults && !entry.fault);
  }

  function drawStatus() {
    status.className = paused ? "live paused" : "live";
    replace(
      status,
      paused ? `Paused${waiting ? `: ${waiting} new request${waiting === 1 ? "" : "s"} waiting` : ""}` : "Live",
      " · ",
      h("button", { type: "button", class: "link", onclick: togglePause }, paused ? "Resume" : "Pause"),
    );
  }

  function togglePause() {
    paused = !paused;
    waiting = 0;
    drawStatus();
    if (!paused) draw();
  }

  function draw(fresh = new Set()) {
    const all = [...entries.values()].sort((a, b) => b.seq - a.seq);
    const shown = all.filter(matches);
    const focused = document.activeElement?.dataset?.seq;
    const rows = [];
    for (const entry of shown.slice(0, SHOWN)) {
      rows.push(row(entry, fresh.has(entry.seq)));
      if (entry.seq === open) rows.push(detail(entry));
    }
    const hidden = all.length - shown.length;
    replace(
      results,
      missing ? notice(`Request #${missing} is no longer in the journal (it keeps the newest requests only).`, "error") : null,
      h(
        "p",
        { class: "muted" },
        `${shown.length} request${shown.length === 1 ? "" : "s"}`,
        shown.length > SHOWN ? ` (the newest ${SHOWN} shown)` : "",
        hidden ? ` · ${hidden} hidden by the filters` : "",
        hidden && filters.key ? " · " : "",
        hidden && filters.key ? h("button", { type: "button", class: "link", onclick: showAllKeys }, "show every key") : "",
      ),
      table(
        [
          { label: "#" }, { label: "Time (UTC)" }, { label: "Method" }, { label: "Path" }, { label: "Status" },
          { label: "ms", class: "num" }, { label: "Operation" }, { label: "Spec" }, { label: "Fault" },
        ],
        rows,
        { caption: "Requests the mock received", empty: "No request yet. Requests appear here as they arrive." },
      ),
    );
    if (focused) results.querySelector(`button[data-seq="${focused}"]`)?.focus();
  }

  function row(entry, fresh) {
    const isOpen = entry.seq === open;
    const toggle = h(
      "button",
      { type: "button", class: "link", "aria-expanded": String(isOpen), "aria-controls": `request-${entry.seq}`, dataset: { seq: entry.seq } },
      `#${entry.seq}`,
    );
    return h(
      "tr",
      { class: `clickable${isOpen ? " open" : ""}${fresh ? " fresh" : ""}`, onclick: () => toggleRow(entry.seq) },
      h("td", { class: "nowrap" }, toggle),
      h("td", { class: "nowrap", title: `${when(entry.time, { millis: true })} UTC` }, when(entry.time, { millis: true }).split(" ")[1]),
      h("td", {}, methodTag(entry.method)),
      h("td", { class: "path" }, entry.path, entry.query ? `?${entry.query}` : ""),
      h("td", {}, statusTag(entry.status)),
      h("td", { class: "num" }, entry.duration_ms.toFixed(1)),
      h("td", {}, entry.operation_id || h("span", { class: "muted" }, "none")),
      h("td", {}, entry.violations.length ? h("span", { class: "flag violation" }, "violation") : ""),
      h("td", {}, entry.fault ? h("span", { class: "flag fault" }, entry.fault) : ""),
    );
  }

  function detail(entry) {
    const key = entry.key ? `${names.get(entry.key) || "a key"} · ${entry.key}` : "none (no Authorization: Token header)";
    return h(
      "tr",
      { class: "detail", id: `request-${entry.seq}` },
      h(
        "td",
        { colspan: 9 },
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Request"), h("dd", {}, `#${entry.seq} at ${when(entry.time, { millis: true })} UTC`),
          h("dt", {}, "Key"), h("dd", {}, key),
          h("dt", {}, "Query"), h("dd", { class: "mono" }, entry.query || "none"),
          h("dt", {}, "Fault"), h("dd", {}, entry.fault ? `rule ${entry.fault}` : "none"),
          h("dt", {}, "Spec violations"),
          h("dd", {}, entry.violations.length ? h("ul", {}, entry.violations.map((v) => h("li", { class: "mono" }, v))) : "none"),
        ),
        h("h3", {}, "Body", entry.body_truncated ? h("span", { class: "muted" }, " (first 4 KiB)") : ""),
        entry.body ? h("pre", { class: "request-body" }, prettyText(entry.body)) : h("p", { class: "muted" }, "No body."),
      ),
    );
  }

  function toggleRow(seq) {
    open = open === seq ? null : seq;
    missing = null;
    const url = new URL(location.href);
    if (open) url.searchParams.set("seq", open);
    else url.searchParams.delete("seq");
    history.replaceState(null, "", url);
    draw();
    if (open) results.querySelector(`#request-${open}`)?.scrollIntoView({ block: "nearest" });
  }

  function showAllKeys() {
    filters.key = saved.key = "";
    keySelect.value = "";
    draw();
  }

  function control(name, element) {
    const read = () => {
      filters[name] = saved[name] = element.type === "checkbox" ? element.checked : element.value;
      draw();
    };
    element.addEventListener(element.type === "text" ? "input" : "change", read);
    return element;
  }

  const keySelect = control(
    "key",
    h(
      "select",
      { id: "filter-key" },
      h("option", { value: "" }, "All keys"),
      ctx.tenants.map((t) => h("option", { value: t.tenant }, `${t.key} · ${t.tenant}`)),
      h("option", { value: "-" }, "No key"),
    ),
  );
  keySelect.value = filters.key;
  const options = (values) => values.map(([value, label]) => h("option", { value }, label));
  const method = control("method", h("select", { id: "filter-method" }, options([["", "Any"], ["GET", "GET"], ["POST", "POST"], ["PUT", "PUT"], ["PATCH", "PATCH"], ["DELETE", "DELETE"]])));
  const statusClass = control("status", h("select", { id: "filter-status" }, options([["", "Any"], ["2", "2xx"], ["4", "4xx"], ["5", "5xx"], ["dropped", "dropped"]])));
  const text = control("text", h("input", { type: "text", id: "filter-text", placeholder: "/v1/memories/ or addMemories" }));
  const violations = control("violations", h("input", { type: "checkbox", id: "filter-violations" }));
  const faults = control("faults", h("input", { type: "checkbox", id: "filter-faults" }));
  method.value = filters.method;
  statusClass.value = filters.status;
  text.value = filters.text;
  violations.checked = filters.violations;
  faults.checked = filters.faults;

  view.append(
    ...header("Requests", "Every request the mock received, newest first, with the spec's verdict. A row opens to its body."),
    h(
      "form",
      { class: "toolbar", role: "search", onsubmit: (event) => event.preventDefault() },
      field("Key", keySelect),
      field("Method", method),
      field("Status", statusClass),
      field("Path or operation", text, { grow: true }),
      h("label", { class: "check" }, violations, "Spec violations"),
      h("label", { class: "check" }, faults, "Faults"),
    ),
    status,
    results,
  );
  drawStatus();
  draw();
  if (open) requestAnimationFrame(() => results.querySelector(`#request-${open}`)?.scrollIntoView({ block: "center" }));
  return unsubscribe;
}

function trim(entries) {
  while (entries.size > KEPT) entries.delete(entries.keys().next().value);
}
