// Faults: the fault rules in place (the harness's /_mock/faults), with add and remove. A rule
// for one key names it by fingerprint; the mock looks the key up.

import { harness, HarnessError, loadSpec } from "../api.js";
import { field, h, json, replace, table } from "../dom.js";
import { header } from "./common.js";

function answerOf(rule) {
  const parts = [];
  if (rule.drop) parts.push("drop the connection");
  else if (rule.status) parts.push(`answer ${rule.status}${rule.body !== null ? ` ${JSON.stringify(rule.body)}` : ""}`);
  if (rule.delay_ms) parts.push(`after ${rule.delay_ms} ms`);
  return parts.join(", ") || "nothing";
}

export async function render(view, ctx) {
  const list = h("div");
  const errors = h("div", { class: "errors", role: "alert" });
  const keyNames = new Map(ctx.tenants.map((t) => [t.tenant, t.key]));

  async function load() {
    const { faults } = await harness("/faults");
    const rows = faults.map((rule) =>
      h(
        "tr",
        {},
        h("td", { class: "mono" }, rule.id),
        h("td", {}, rule.method || "any"),
        h("td", { class: "path" }, rule.path),
        h("td", {}, rule.key ? `${keyNames.get(rule.key) || "a key"} · ${rule.key}` : "any"),
        h("td", {}, answerOf(rule)),
        h("td", { class: "num" }, rule.probability === 1 ? "always" : rule.probability),
        h("td", { class: "num" }, rule.hits),
        h("td", { class: "num" }, rule.remaining ?? "∞"),
        h("td", {}, h("button", { type: "button", class: "danger", "aria-label": `Remove rule ${rule.id}`, onclick: () => remove(rule.id) }, "Remove")),
      ),
    );
    replace(
      list,
      table(
        [{ label: "Rule" }, { label: "Method" }, { label: "Path" }, { label: "Key" }, { label: "Then" }, { label: "Chance", class: "num" },
          { label: "Hits", class: "num" }, { label: "Left", class: "num" }, { label: "Actions" }],
        rows,
        { caption: "Fault rules", empty: "No fault rule: every request reaches the service." },
      ),
      faults.length ? h("p", {}, h("button", { type: "button", class: "danger", onclick: clear }, "Remove every rule")) : null,
    );
  }

  async function remove(id) {
    await harness(`/faults/${encodeURIComponent(id)}`, { method: "DELETE" });
    await load();
  }

  async function clear() {
    await harness("/faults", { method: "DELETE" });
    await load();
  }

  const spec = await loadSpec();
  const operations = Object.values(spec.paths).flatMap((item) => Object.values(item).map((op) => op.operationId).filter(Boolean));
  const input = (name, attrs = {}) => h("input", { type: "text", name, id: `fault-${name}`, ...attrs });
  const form = h(
    "form",
    { id: "fault-form", onsubmit: add },
    h(
      "div",
      { class: "form-grid" },
      field("Path or operation (required)", input("path", { list: "fault-operations", required: true, placeholder: "searchMemoriesV2 or /v1/memories/" })),
      field("Method", h("select", { name: "method", id: "fault-method" }, ["", "GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => h("option", { value: m }, m || "any")))),
      field("Key", h("select", { name: "tenant", id: "fault-tenant" }, h("option", { value: "" }, "any key"), ctx.tenants.map((t) => h("option", { value: t.tenant }, `${t.key} · ${t.tenant}`)))),
      field("Status to answer", input("status", { type: "number", min: 200, max: 599, placeholder: "503" })),
      field("Delay (ms)", input("delay_ms", { type: "number", min: 0, placeholder: "0" })),
      field("Times (empty: every request)", input("times", { type: "number", min: 1 })),
      field("Probability (0 to 1)", input("probability", { type: "number", min: 0, max: 1, step: "any", placeholder: "1" })),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "drop", id: "fault-drop" }), "Drop the connection"),
      h("div", { class: "wide" }, field("Body to answer (JSON)", h("textarea", { name: "body", id: "fault-body", rows: 3, placeholder: '{"detail": "Service unavailable."}' }))),
    ),
    errors,
    h("p", {}, h("button", { type: "submit", class: "primary" }, "Add rule")),
  );

  async function add(event) {
    event.preventDefault();
    replace(errors);
    const data = new FormData(form);
    const rule = { path: String(data.get("path")).trim() };
    for (const name of ["method", "tenant"]) if (data.get(name)) rule[name] = data.get(name);
    for (const name of ["status", "delay_ms", "times", "probability"]) if (data.get(name) !== "") rule[name] = Number(data.get(name));
    if (data.get("drop")) rule.drop = true;
    const body = String(data.get("body") || "").trim();
    if (body) {
      try {
        rule.body = JSON.parse(body);
      } catch {
        rule.body = body; // a text body, sent as is
      }
    }
    try {
      await harness("/faults", { method: "POST", body: rule });
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      replace(errors, error.body ? h("pre", {}, json(error.body)) : error.message);
      return;
    }
    form.reset();
    await load();
  }

  view.append(
    ...header("Faults", "Rules that make the mock fail on purpose: answer an error, wait, or drop the connection. The first matching rule applies."),
    list,
    h("h2", {}, "Add a rule"),
    h("datalist", { id: "fault-operations" }, operations.map((id) => h("option", { value: id }))),
    form,
  );
  await load();
}
