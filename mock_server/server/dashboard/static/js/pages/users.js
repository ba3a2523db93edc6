// Users: the project's entities (users, agents, apps, runs) with their memory counts; an
// entity opens to its memories.

import { harness } from "../api.js";
import { h, table, when } from "../dom.js";
import { header, noTenant } from "./common.js";

const TYPES = [
  ["user", "Users"],
  ["agent", "Agents"],
  ["app", "Apps"],
  ["run", "Runs"],
];

export async function render(view, ctx) {
  if (!ctx.tenant) return noTenant(view, "Users");
  const { entities } = await harness("/entities", { params: ctx.scope() });
  view.append(...header("Users", `The users, agents, apps and runs of ${ctx.project?.name || "the project"}. Open one to see its memories.`));
  if (!entities.length) view.append(h("p", { class: "notice" }, "No entity yet: an entity appears with its first memory."));
  for (const [type, title] of TYPES) {
    const mine = entities.filter((e) => e.type === type);
    if (!mine.length) continue;
    const rows = mine.map((entity) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `/dashboard/memories?${type}_id=${encodeURIComponent(entity.name)}` }, entity.name)),
        h("td", { class: "num" }, entity.total_memories),
        h("td", { class: "nowrap" }, when(entity.created_at)),
      ),
    );
    view.append(
      h("h2", {}, `${title} (${mine.length})`),
      table([{ label: "Name" }, { label: "Memories", class: "num" }, { label: "First seen (UTC)" }], rows, { caption: title }),
    );
  }
}
