// Memories: the selected project's memories, filtered or searched (the engine's own search,
// with scores); a memory opens to its history, each change linked to the request that made
// it. Deleting runs the API's delete as the selected key, so it is journaled like any call.

import { harness, live } from "../api.js";
import { eventTag, field, h, json, methodTag, notice, replace, statusTag, table, when, confirmButton } from "../dom.js";
import { callAsTenant, ENTITY_FIELDS, entityTags, header, noTenant, projectQuery } from "./common.js";

const FILTERS = [...ENTITY_FIELDS, "category", "since", "until", "metadata", "query", "include_expired"];

export async function render(view, ctx) {
  if (!ctx.tenant) return noTenant(view, "Memories");
  if (ctx.rest[0]) return renderMemory(view, ctx, ctx.rest[0]);
  return renderList(view, ctx);
}

// --- the list ------------------------------------------------------------------------------

function readForm(form) {
  const data = new FormData(form);
  const params = new URLSearchParams();
  const entityType = data.get("entity_type");
  const entityId = String(data.get("entity_id") || "").trim();
  if (entityId) params.set(entityType, entityId);
  for (const name of ["category", "since", "until", "query"]) {
    const value = String(data.get(name) || "").trim();
    if (value) params.set(name, value);
  }
  const metadata = String(data.get("metadata") || "").trim();
  if (metadata) params.set("metadata", metadata);
  if (data.get("include_expired")) params.set("include_expired", "1");
  return params;
}

// `key=value` (the value read as JSON when it is, else as text) or a JSON object.
function metadataFilter(text) {
  if (!text) return "";
  if (text.startsWith("{")) return text;
  const [key, ...rest] = text.split("=");
  const raw = rest.join("=").trim();
  let value = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain word stays text
  }
  return JSON.stringify({ [key.trim()]: value });
}

async function renderList(view, ctx) {
  const params = ctx.params;
  const entityType = ENTITY_FIELDS.find((name) => params.get(name)) || "user_id";
  const searching = Boolean(params.get("query"));
  const input = (name, attrs = {}) => h("input", { type: "text", name, id: `memories-${name}`, value: params.get(name) || "", ...attrs });

  const submit = (event) => {
    event.preventDefault();
    const query = readForm(form).toString();
    ctx.navigate(`/dashboard/memories${query ? `?${query}` : ""}`);
  };
  const form = h(
    "form",
    { role: "search", "aria-label": "Search and filter memories", onsubmit: submit },
    h(
      "div",
      { class: "toolbar" },
      field("Search (scored like today's search API)", input("query", { type: "search", placeholder: "What can I cook for dinner tonight?" }), { grow: true }),
      h("button", { type: "submit", class: "primary" }, "Search"),
    ),
    h(
      "div",
      { class: "toolbar" },
      field(
        "Entity",
        h(
          "span",
          { class: "pair" },
          h(
            "select",
            { name: "entity_type", "aria-label": "Entity type" },
            ENTITY_FIELDS.map((name) => h("option", { value: name, selected: name === entityType }, name.replace("_id", ""))),
          ),
          h("input", { type: "text", name: "entity_id", "aria-label": "Entity id", placeholder: "alex", size: 10, value: params.get(entityType) || "" }),
        ),
      ),
      field("Category", input("category", { list: "memory-categories", size: 12 })),
      field("Created from", input("since", { type: "date" })),
      field("to", input("until", { type: "date" })),
      field("Metadata", input("metadata", { placeholder: "food=pizza", size: 12 })),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "include_expired", checked: params.get("include_expired") === "1" }), "Expired too"),
      h("button", { type: "submit" }, "Apply filters"),
      h("a", { class: "button", href: "/dashboard/memories" }, "Clear"),
    ),
  );
  const categories = h("datalist", { id: "memory-categories" });
  const results = h("div", { "aria-live": "polite" });

  async function load() {
    const query = Object.fromEntries(FILTERS.filter((name) => params.get(name)).map((name) => [name, params.get(name)]));
    if (query.metadata) query.metadata = metadataFilter(query.metadata);
    let answer;
    try {
      answer = await harness("/memories", { params: { ...ctx.scope(), ...query } });
    } catch (error) {
      replace(results, notice(error.message, "error"));
      return;
    }
    const seen = new Set(answer.memories.flatMap((m) => m.categories));
    replace(categories, [...seen].sort().map((name) => h("option", { value: name })));
    const what = searching ? `result${answer.count === 1 ? "" : "s"} for “${params.get("query")}”` : `memor${answer.count === 1 ? "y" : "ies"}`;
    const shown = answer.memories.length < answer.count ? ` (the newest ${answer.memories.length} shown)` : "";
    const columns = [{ label: "Memory" }, { label: "Entity" }, { label: "Categories" }, { label: "Created (UTC)" }];
    if (searching) columns.push({ label: "Score", class: "num" });
    columns.push({ label: "Actions" });
    replace(
      results,
      h("p", { class: "muted" }, `${answer.count} ${what} in ${ctx.project?.name || "the project"}${shown}`),
      table(columns, answer.memories.map((memory) => memoryRow(ctx, memory, searching, load)), {
        caption: "Memories",
        empty: searching ? "Nothing scored above the search threshold (0.1)." : "No memory matches.",
      }),
    );
  }

  view.append(...header("Memories", `What ${ctx.tenant.key} has stored. Open a memory to see its history and the requests behind it.`), form, categories, results);
  await load();

  let pending = null;
  return live.subscribe((fresh) => {
    const changed = fresh.some((e) => e.key === ctx.tenant.tenant && e.method !== "GET" && e.status !== null && e.status < 400);
    if (!changed || pending) return;
    pending = setTimeout(() => {
      pending = null;
      load();
    }, 100);
  });
}

function memoryRow(ctx, memory, searching, reload) {
  const link = h("a", { href: `/dashboard/memories/${encodeURIComponent(memory.id)}` }, memory.memory);
  const cells = [
    h("td", { class: "memory-text" }, link, memory.expired ? h("span", { class: "tag" }, "expired") : "", memory.replaced_by ? h("span", { class: "tag" }, "superseded") : ""),
    h("td", {}, entityTags(memory)),
    h("td", {}, memory.categories.map((name) => h("span", { class: "tag" }, name))),
    h("td", { class: "nowrap" }, when(memory.created_at)),
  ];
  if (searching) cells.push(h("td", { class: "num score", title: scoreTitle(memory) }, memory.score.toFixed(3)));
  cells.push(h("td", {}, confirmButton("Delete", async () => {
    await deleteMemory(ctx, memory.id);
    await reload();
  })));
  return h("tr", {}, cells);
}

function scoreTitle(memory) {
  const parts = memory.score_breakdown || {};
  return Object.entries(parts).map(([name, value]) => `${name} ${value.toFixed(3)}`).join(", ");
}

function deleteMemory(ctx, memoryId) {
  return callAsTenant(ctx, "DELETE", `/v1/memories/${encodeURIComponent(memoryId)}/`, { query: projectQuery(ctx) });
}

// --- one memory ----------------------------------------------------------------------------

function requestLink(request) {
  if (!request) return h("span", { class: "muted" }, "no request (demo data)");
  if (!request.method) return h("span", { class: "muted" }, `request #${request.seq} (no longer in the journal)`);
  return h(
    "a",
    { href: `/dashboard/requests?seq=${request.seq}`, class: "request-link" },
    methodTag(request.method), " ", h("span", { class: "mono" }, request.path), ` #${request.seq} `, statusTag(request.status),
  );
}

function change(entry) {
  if (entry.event === "ADD") return h("p", { class: "change" }, h("ins", {}, entry.new_memory));
  if (entry.event === "DELETE") return h("p", { class: "change" }, h("del", {}, entry.old_memory));
  return h("p", { class: "change" }, h("del", {}, entry.old_memory), " → ", h("ins", {}, entry.new_memory));
}

async function renderMemory(view, ctx, memoryId) {
  const found = await harness(`/memories/${encodeURIComponent(memoryId)}`, { params: { tenant: ctx.tenant.tenant } });
  const memory = found.memory;
  const last = found.history[found.history.length - 1];
  const facts = [
    ["ID", h("span", { class: "mono" }, found.id)],
    ["Created by", requestLink(found.created_by)],
  ];
  if (memory) {
    facts.push(
      ["Entity", entityTags(memory).length ? entityTags(memory) : "none"],
      ["Categories", memory.categories.length ? memory.categories.map((c) => h("span", { class: "tag" }, c)) : "none"],
      ["Metadata", memory.metadata ? h("code", {}, JSON.stringify(memory.metadata)) : "none"],
      ["Created", `${when(memory.created_at)} UTC`],
      ["Updated", `${when(memory.updated_at)} UTC`],
      ["Expires", memory.expiration_date ? `${memory.expiration_date}${memory.expired ? " (expired)" : ""}` : "never"],
      ["Immutable", memory.immutable ? "yes" : "no"],
    );
    if (memory.replaced_by) facts.push(["Superseded by", h("a", { href: `/dashboard/memories/${memory.replaced_by}` }, memory.replaced_by)]);
  }
  const project = ctx.tenant.projects.find((p) => p.project_id === found.project_id);
  facts.push(["Project", project ? project.name : found.project_id]);

  const history = h(
    "ol",
    { class: "history" },
    found.history.map((entry) =>
      h(
        "li",
        {},
        h("div", {}, eventTag(entry.event), " ", h("span", { class: "muted" }, `${when(entry.created_at)} UTC by `), requestLink(entry.request)),
        change(entry),
        entry.input?.length ? h("details", {}, h("summary", {}, "Input messages"), h("pre", {}, json(entry.input))) : null,
      ),
    ),
  );
  const actions = memory
    ? h("p", {}, confirmButton("Delete this memory", async () => {
        await callAsTenant(ctx, "DELETE", `/v1/memories/${encodeURIComponent(found.id)}/`, { query: projectQuery(ctx) });
        ctx.navigate(location.pathname + location.search, { replaceEntry: true });
      }))
    : null;
  view.append(
    h("p", {}, h("a", { href: "/dashboard/memories" }, "← Memories")),
    h("h1", {}, "Memory"),
    memory ? h("p", { class: "lede memory-headline" }, memory.memory) : notice(`Deleted. Its last text was “${last?.old_memory ?? ""}”.`),
    h("dl", { class: "facts" }, facts.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
    h("h2", {}, "History"),
    history,
    actions,
  );
}
