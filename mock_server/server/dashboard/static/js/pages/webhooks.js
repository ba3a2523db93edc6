// Webhooks: the project's webhooks and every delivery attempt the mock made to them.

import { harness } from "../api.js";
import { h, json, statusTag, table, when } from "../dom.js";
import { header, noTenant } from "./common.js";

export async function render(view, ctx) {
  if (!ctx.tenant) return noTenant(view, "Webhooks");
  const [{ webhooks }, { deliveries }] = await Promise.all([
    harness("/webhooks", { params: ctx.scope() }),
    harness("/webhooks/deliveries", { params: { tenant: ctx.tenant.tenant } }),
  ]);
  view.append(...header("Webhooks", `The webhooks of ${ctx.project?.name || "the project"} and what the mock delivered to them, newest first.`));
  if (!webhooks.length) {
    view.append(h("p", { class: "notice" }, "No webhook in this project. Create one with the API (createWebhook), e.g. from the ", h("a", { href: "/dashboard/playground?op=createWebhook" }, "Playground"), "."));
    return;
  }
  const cards = webhooks.map((webhook) => {
    const mine = deliveries.filter((d) => d.webhook_id === webhook.webhook_id).reverse();
    const rows = mine.map((delivery) =>
      h(
        "tr",
        {},
        h("td", { class: "nowrap" }, when(delivery.created_at)),
        h("td", {}, h("span", { class: "tag" }, delivery.event_type)),
        h("td", {}, delivery.status),
        h("td", {}, h("ol", { class: "plain" }, delivery.attempts.map((a) =>
          h("li", {}, `#${a.attempt} `, a.status_code ? statusTag(a.status_code) : h("span", { class: "status-5" }, a.error || "no answer"), h("span", { class: "muted" }, ` ${Math.round(a.duration_ms)} ms`)),
        ))),
        h("td", {}, h("details", {}, h("summary", {}, "Payload"), h("pre", {}, json(delivery.payload)))),
      ),
    );
    return h(
      "section",
      { class: "card" },
      h("h2", {}, webhook.name, " ", h("span", { class: "tag" }, webhook.is_active ? "active" : "inactive")),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "URL"), h("dd", { class: "mono" }, webhook.url),
        h("dt", {}, "Events"), h("dd", {}, webhook.event_types.map((t) => h("span", { class: "tag" }, t))),
        h("dt", {}, "ID"), h("dd", { class: "mono" }, webhook.webhook_id),
      ),
      table(
        [{ label: "Time (UTC)" }, { label: "Event" }, { label: "Delivery" }, { label: "Attempts" }, { label: "Payload" }],
        rows,
        { caption: `Deliveries to ${webhook.name}`, empty: "Nothing delivered yet." },
      ),
    );
  });
  view.append(h("div", { class: "cards" }, cards));
}
