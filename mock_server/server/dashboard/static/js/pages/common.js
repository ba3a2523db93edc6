// What several pages share: the empty state before any key has called the mock, and the
// way a page runs an API call as the selected key (through the harness, never with the key).

import { harness } from "../api.js";
import { h } from "../dom.js";

export const ENTITY_FIELDS = ["user_id", "agent_id", "app_id", "run_id"];

export function header(title, lede) {
  return lede ? [h("h1", {}, title), h("p", { class: "lede" }, lede)] : [h("h1", {}, title)];
}

export function noTenant(view, title) {
  const origin = location.origin;
  view.append(
    ...header(title),
    h(
      "div",
      { class: "notice" },
      h("p", {}, "No API key has called the mock yet. Every key is its own tenant: make any API call with one, e.g."),
      h("pre", {}, `from mem0 import MemoryClient\nclient = MemoryClient(api_key="m0-local", host="${origin}")\nclient.add("I'm a vegetarian.", user_id="alex")`),
      h("p", {}, "or send one from the ", h("a", { href: "/dashboard/playground" }, "Playground"), " with a key you type."),
    ),
  );
}

// The org and project an API call names, so it lands in the project the dashboard shows.
export function projectQuery(ctx) {
  return ctx.project && !ctx.project.is_default ? { org_id: ctx.project.org_id, project_id: ctx.project.project_id } : {};
}

// Send one API request as the selected key: the mock looks the key up by its fingerprint.
export function callAsTenant(ctx, method, path, { query = {}, body } = {}) {
  const request = { tenant: ctx.tenant.tenant, method, path, query };
  if (body !== undefined) request.body = body;
  return harness("/playground", { method: "POST", body: request });
}

export function entityTags(record) {
  return ENTITY_FIELDS.filter((name) => record[name]).map((name) =>
    h("span", { class: "tag" }, `${name.replace("_id", "")}: ${record[name]}`),
  );
}
