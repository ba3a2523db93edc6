// Playground: any operation of the spec, its body prefilled from the spec's example, sent as
// the selected key (the mock looks the key up; the page never has it) or as a key typed
// here (sent, never shown back). The answer shows with a link to the request in the journal.

import { harness, loadSpec } from "../api.js";
import { field, h, json, methodTag, notice, replace, statusTag } from "../dom.js";
import { header } from "./common.js";

const METHODS = ["get", "post", "put", "patch", "delete"];

function resolve(spec, node) {
  while (node && node.$ref) {
    node = node.$ref.slice(2).split("/").reduce((at, part) => at?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  return node;
}

function operations(spec) {
  const found = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters = [...(item.parameters || []), ...(op.parameters || [])].map((p) => resolve(spec, p));
      const content = resolve(spec, op.requestBody)?.content?.["application/json"];
      const examples = Object.entries(content?.examples || {}).map(([name, ex]) => [name, resolve(spec, ex)?.value]);
      if (content && "example" in content) examples.unshift(["example", content.example]);
      found.push({ id: op.operationId, method: method.toUpperCase(), path, summary: op.summary || "", tag: (op.tags || ["other"])[0], parameters, hasBody: Boolean(content), examples });
    }
  }
  return found;
}

export async function render(view, ctx) {
  const spec = await loadSpec();
  const ops = operations(spec);
  let op = ops.find((o) => o.id === ctx.params.get("op")) || ops.find((o) => o.id === "addMemoriesV3") || ops[0];
  let newestMemory = null;
  if (ctx.tenant) {
    const { memories } = await harness("/memories", { params: { ...ctx.scope(), limit: 1 } });
    newestMemory = memories[0]?.id || null;
  }

  const picker = h(
    "select",
    { id: "playground-operation", onchange: (event) => choose(event.target.value) },
    [...new Set(ops.map((o) => o.tag))].map((tag) =>
      h("optgroup", { label: tag }, ops.filter((o) => o.tag === tag).map((o) => h("option", { value: o.id, selected: o === op }, `${o.method} ${o.path}  ${o.summary}`))),
    ),
  );
  const summary = h("p", { id: "playground-summary" });
  const paramsBox = h("div", { class: "form-grid" });
  const exampleBox = h("div");
  const body = h("textarea", { id: "playground-body", rows: 11, spellcheck: "false", "aria-label": "Request body (JSON)" });
  const bodyBox = h("div", {}, h("label", { for: "playground-body", class: "field" }, h("span", {}, "Body (JSON)")), body);
  const typedKey = h("input", { type: "password", id: "playground-key", autocomplete: "off", "aria-label": "API key to send" });
  const asTenant = h("input", { type: "radio", name: "send-as", value: "tenant", checked: Boolean(ctx.tenant), disabled: !ctx.tenant });
  const asTyped = h("input", { type: "radio", name: "send-as", value: "typed", checked: !ctx.tenant });
  typedKey.addEventListener("focus", () => (asTyped.checked = true));
  const errors = h("p", { class: "errors", role: "alert" });
  const answer = h("section", { "aria-live": "polite", id: "playground-answer" });

  function defaultFor(param) {
    const schema = param.schema || {};
    if (param.in === "path") {
      if (param.name === "org_id") return ctx.project?.org_id || "";
      if (param.name === "project_id") return ctx.project?.project_id || "";
      if (param.name === "memory_id") return newestMemory || "";
      if (param.name === "entity_type") return "user";
    }
    const elsewhere = ctx.project && !ctx.project.is_default; // name the project the dashboard shows
    if (param.in === "query" && elsewhere && ["org_id", "project_id"].includes(param.name)) return ctx.project[param.name];
    if (param.example !== undefined) return String(param.example);
    if (schema.example !== undefined) return String(schema.example);
    return schema.default !== undefined && param.in === "path" ? String(schema.default) : "";
  }

  function choose(id) {
    op = ops.find((o) => o.id === id);
    const url = new URL(location.href);
    url.searchParams.set("op", op.id);
    history.replaceState(null, "", url);
    replace(summary, methodTag(op.method), " ", h("span", { class: "mono" }, op.path), op.summary ? ` · ${op.summary}` : "");
    const inputs = op.parameters.filter((p) => p.in === "path" || p.in === "query");
    replace(
      paramsBox,
      inputs.map((p) =>
        field(
          `${p.name} (${p.in}${p.required ? ", required" : ""})`,
          h("input", { type: "text", name: p.name, dataset: { in: p.in }, value: defaultFor(p), required: p.required && p.in === "path" }),
        ),
      ),
    );
    bodyBox.hidden = !op.hasBody;
    if (op.examples.length > 1) {
      const select = h(
        "select",
        { id: "playground-example", onchange: (event) => (body.value = json(op.examples[event.target.selectedIndex][1] ?? {})) },
        op.examples.map(([name]) => h("option", { value: name }, name)),
      );
      replace(exampleBox, field("Example", select));
    } else replace(exampleBox);
    body.value = op.hasBody ? json(op.examples[0]?.[1] ?? {}) : "";
    replace(errors);
  }

  async function send(event) {
    event.preventDefault();
    replace(errors);
    let path = op.path;
    const query = {};
    for (const input of paramsBox.querySelectorAll("input")) {
      const value = input.value.trim();
      if (input.dataset.in === "path") {
        if (!value) return replace(errors, `Give ${input.name}.`);
        path = path.replace(`{${input.name}}`, encodeURIComponent(value));
      } else if (value) query[input.name] = value;
    }
    const request = { method: op.method, path, query };
    if (op.hasBody && body.value.trim()) {
      try {
        request.body = JSON.parse(body.value);
      } catch (error) {
        return replace(errors, `The body is not JSON: ${error.message}`);
      }
    }
    if (asTyped.checked) {
      if (typedKey.value.trim()) request.api_key = typedKey.value.trim();
    } else request.tenant = ctx.tenant.tenant;
    replace(answer, h("p", { class: "muted" }, "Sending…"));
    const result = await harness("/playground", { method: "POST", body: request });
    showAnswer(result);
  }

  function showAnswer(result) {
    const journal = result.request ? h("a", { href: `/dashboard/requests?seq=${result.request}` }, `request #${result.request} in the journal`) : null;
    const bodyText = typeof result.body === "string" ? result.body : json(result.body);
    replace(
      answer,
      h("h2", {}, "Answer"),
      h("p", {}, result.status === null ? h("span", { class: "status-dropped" }, "Connection dropped (a fault)") : statusTag(result.status), ` in ${result.duration_ms.toFixed(1)} ms`, journal ? " · " : "", journal),
      Object.keys(result.headers).length ? h("details", {}, h("summary", {}, "Headers"), h("pre", {}, Object.entries(result.headers).map(([k, v]) => `${k}: ${v}`).join("\n"))) : null,
      result.body === null || result.body === "" ? h("p", { class: "muted" }, "No body.") : h("pre", { class: "answer-body" }, bodyText),
    );
  }

  view.append(
    ...header("Playground", "Send any operation of the spec to this mock. Bodies start from the spec's examples."),
  );
  view.append(h(
    "div",
    { class: "playground" },
    h(
      "form",
      { onsubmit: send, id: "playground-form" },
      h("div", { class: "form-grid" }, h("div", { class: "wide" }, field("Operation", picker, { grow: true }))),
      summary,
      paramsBox,
      exampleBox,
      bodyBox,
      h(
        "fieldset",
        { class: "toolbar", style: "border:0;padding:0" },
        h("legend", { class: "field" }, h("span", {}, "Send as")),
        h("label", { class: "check" }, asTenant, ctx.tenant ? `the selected key (${ctx.tenant.key})` : "the selected key (none yet)"),
        h("label", { class: "check" }, asTyped, "a key I type:"),
        typedKey,
      ),
      errors,
      h("p", {}, h("button", { type: "submit", class: "primary" }, "Send")),
    ),
    answer,
  ));
  if (!ctx.tenant) view.insertBefore(notice("No key has called the mock yet: type one below, any non-empty key will do (unless the mock was started with --api-key)."), view.lastChild);
  choose(op.id);
}
