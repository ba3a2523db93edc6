// API Keys: every key the mock has seen, masked as Mem0's dashboard shows keys, with its
// projects; choosing one switches the whole dashboard to it.

import { h, table } from "../dom.js";
import { header, noTenant } from "./common.js";

export async function render(view, ctx) {
  if (!ctx.tenants.length) return noTenant(view, "API Keys");
  const rows = ctx.tenants.map((tenant) => {
    const selected = tenant === ctx.tenant;
    return h(
      "tr",
      { class: selected ? "open" : "" },
      h("td", { class: "mono nowrap" }, tenant.key),
      h("td", { class: "mono" }, tenant.tenant),
      h(
        "td",
        {},
        h("ul", { class: "plain" }, tenant.projects.map((p) =>
          h("li", {}, h("strong", {}, p.name), h("span", { class: "muted" }, ` ${p.project_id} · ${p.memories} memor${p.memories === 1 ? "y" : "ies"}`)),
        )),
      ),
      h("td", { class: "num" }, tenant.memories),
      h(
        "td",
        {},
        selected
          ? h("span", { class: "tag" }, "In use")
          : h("button", { type: "button", onclick: () => ctx.selectTenant(tenant.tenant), "aria-label": `Use key ${tenant.key} (${tenant.tenant})` }, "Use this key"),
      ),
    );
  });
  view.append(
    ...header(
      "API Keys",
      "Every key that has called the mock; each is its own tenant. Keys are masked: the fingerprint (the first 8 hex digits of the key's SHA-256) is how the journal and the harness name them.",
    ),
    table(
      [{ label: "Key" }, { label: "Fingerprint" }, { label: "Projects" }, { label: "Memories", class: "num" }, { label: "Dashboard" }],
      rows,
      { caption: "API keys" },
    ),
  );
}
