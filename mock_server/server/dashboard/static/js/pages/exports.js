// Memory Exports: the exports made in the project, each viewable as the JSON the API returns.

import { harness } from "../api.js";
import { h, json, replace, table, when } from "../dom.js";
import { header, noTenant } from "./common.js";

export async function render(view, ctx) {
  if (!ctx.tenant) return noTenant(view, "Memory Exports");
  const { exports } = await harness("/exports", { params: ctx.scope() });
  const rows = exports.flatMap((item) => {
    const detail = h("tr", { class: "detail", hidden: true, id: `export-${item.id}` }, h("td", { colspan: 5 }));
    const button = h("button", { type: "button", "aria-expanded": "false", "aria-controls": detail.id }, "View JSON");
    button.addEventListener("click", async () => {
      const opening = detail.hidden;
      if (opening && !detail.firstChild.childElementCount) {
        const found = await harness(`/exports/${encodeURIComponent(item.id)}`, { params: ctx.scope() });
        replace(detail.firstChild, h("pre", { class: "export-json" }, json(found.data)));
      }
      detail.hidden = !opening;
      button.setAttribute("aria-expanded", String(opening));
      button.textContent = opening ? "Hide JSON" : "View JSON";
    });
    const row = h(
      "tr",
      {},
      h("td", { class: "nowrap" }, when(item.created_at)),
      h("td", { class: "mono" }, item.id),
      h("td", {}, h("code", {}, JSON.stringify(item.filters))),
      h("td", { class: "num" }, item.items ?? ""),
      h("td", {}, button),
    );
    return [row, detail];
  });
  view.append(
    ...header("Memory Exports", `The exports made in ${ctx.project?.name || "the project"} (createMemoryExport), newest first.`),
    table([{ label: "Created (UTC)" }, { label: "ID" }, { label: "Filters" }, { label: "Memories", class: "num" }, { label: "Export" }], rows, {
      caption: "Memory exports",
      empty: "No export yet. Make one with POST /v1/exports/ (createMemoryExport).",
    }),
  );
}
