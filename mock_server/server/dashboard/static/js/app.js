// The dashboard's frame: navigation (the seed's page names), the key and project the whole
// dashboard looks at, the admin token prompt, and drawing the page the path names.

import { AdminTokenNeeded, harness, live, setAdminToken } from "./api.js";
import { h, notice, replace } from "./dom.js";

const PAGES = [
  { slug: "requests", title: "Requests", load: () => import("./pages/requests.js") },
  { slug: "memories", title: "Memories", load: () => import("./pages/memories.js") },
  { slug: "users", title: "Users", load: () => import("./pages/users.js") },
  { slug: "keys", title: "API Keys", load: () => import("./pages/keys.js") },
  { slug: "webhooks", title: "Webhooks", load: () => import("./pages/webhooks.js") },
  { slug: "exports", title: "Memory Exports", load: () => import("./pages/exports.js") },
  { slug: "playground", title: "Playground", group: "Try it", load: () => import("./pages/playground.js") },
  { slug: "reference", title: "API reference", load: () => import("./pages/reference.js") },
  { slug: "faults", title: "Faults", group: "Test harness", load: () => import("./pages/faults.js") },
];
const HOME = "requests";
const KEY_STORE = "mem0-mock.tenant";
const PROJECT_STORE = "mem0-mock.project";

const state = { tenants: [], tenant: null, project: null, cleanup: null, ticket: 0 };

function currentRoute() {
  const parts = location.pathname.replace(/^\/dashboard\/?/, "").split("/").filter(Boolean);
  const slug = parts[0] || HOME;
  return {
    page: PAGES.find((page) => page.slug === slug),
    rest: parts.slice(1).map(decodeURIComponent),
    params: new URLSearchParams(location.search),
  };
}

export function navigate(url, { replaceEntry = false } = {}) {
  history[replaceEntry ? "replaceState" : "pushState"](null, "", url);
  render({ moveFocus: true });
}

// --- the key and project -----------------------------------------------------------------

async function loadTenants() {
  const { tenants } = await harness("/tenants");
  // A key restored from saved state is known by its fingerprint only until a request brings it.
  state.tenants = tenants.map((t) => ({ ...t, key: t.key ?? "restored key" }));
  const asked = new URLSearchParams(location.search).get("tenant");
  const wanted = asked || localStorage.getItem(KEY_STORE);
  state.tenant = tenants.find((t) => t.tenant === wanted) || tenants[0] || null;
  if (state.tenant && asked === state.tenant.tenant) localStorage.setItem(KEY_STORE, asked);
  const projects = state.tenant ? state.tenant.projects : [];
  const project = localStorage.getItem(PROJECT_STORE);
  state.project = projects.find((p) => p.project_id === project) || projects.find((p) => p.is_default) || projects[0] || null;
}

function selectTenant(fingerprint) {
  localStorage.setItem(KEY_STORE, fingerprint);
  localStorage.removeItem(PROJECT_STORE);
  const url = new URL(location.href);
  url.searchParams.delete("tenant");
  history.replaceState(null, "", url);
  render();
}

function selectProject(projectId) {
  localStorage.setItem(PROJECT_STORE, projectId);
  render();
}

export function tenantLabel(tenant) {
  return `${tenant.key} · ${tenant.tenant}`;
}

function drawScope() {
  const scope = document.getElementById("scope");
  if (!state.tenants.length) {
    replace(scope, h("span", { class: "muted" }, "No API key has called the mock yet"));
    return;
  }
  const keys = h(
    "select",
    { id: "key-select", onchange: (event) => selectTenant(event.target.value) },
    state.tenants.map((t) => h("option", { value: t.tenant, selected: t === state.tenant }, tenantLabel(t))),
  );
  const projects = h(
    "select",
    { id: "project-select", onchange: (event) => selectProject(event.target.value) },
    (state.tenant?.projects || []).map((p) =>
      h("option", { value: p.project_id, selected: p === state.project }, p.name),
    ),
  );
  replace(
    scope,
    h("span", {}, h("label", { for: "key-select" }, "API key"), keys),
    h("span", {}, h("label", { for: "project-select" }, "Project"), projects),
  );
}

// --- navigation ----------------------------------------------------------------------------

function drawNav(active) {
  const items = [];
  for (const page of PAGES) {
    if (page.group) items.push(h("li", { class: "nav-group", "aria-hidden": "true" }, page.group));
    const current = page === active ? "page" : null;
    items.push(h("li", {}, h("a", { href: `/dashboard/${page.slug}`, "aria-current": current }, page.title)));
  }
  replace(document.getElementById("nav"), items);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith("/dashboard") || link.target) return;
  if (url.pathname.startsWith("/dashboard/static/")) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener("popstate", () => render({ moveFocus: true }));

// --- the admin token -----------------------------------------------------------------------

function askForToken(main, status) {
  const input = h("input", { type: "password", id: "admin-token", autocomplete: "off", required: true });
  const form = h(
    "form",
    {
      class: "toolbar",
      onsubmit: (event) => {
        event.preventDefault();
        setAdminToken(input.value.trim());
        live.start();
        render({ moveFocus: true });
      },
    },
    h("label", { class: "field grow" }, h("span", {}, "Admin token"), input),
    h("button", { type: "submit", class: "primary" }, "Open the dashboard"),
  );
  replace(
    main,
    h("h1", {}, "Admin token"),
    h(
      "p",
      { class: "lede" },
      status === 403
        ? "The mock refused that token. Type the token it was started with."
        : "This mock was started with --admin-token: its harness, and so this dashboard, needs that token.",
    ),
    status === 403 ? notice("Invalid admin token.", "error") : null,
    form,
    h("p", { class: "muted" }, "The token is kept for this browser tab only and sent to the mock in a header."),
  );
  input.focus();
}

// --- drawing a page ------------------------------------------------------------------------

async function render({ moveFocus = false } = {}) {
  const ticket = ++state.ticket;
  state.cleanup?.();
  state.cleanup = null;
  const { page, rest, params } = currentRoute();
  const main = document.getElementById("main");
  drawNav(page);
  if (!page) {
    document.title = "Not found · mem0-mock";
    replace(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/dashboard/" }, "Back to the dashboard")));
    return;
  }
  document.title = `${page.title} · mem0-mock`;
  const view = h("div", { class: "page" });
  let cleanup = null;
  try {
    await Promise.all([loadTenants(), live.ready()]);
    const module = await page.load();
    const ctx = {
      tenant: state.tenant,
      project: state.project,
      tenants: state.tenants,
      params,
      rest,
      navigate,
      selectTenant,
      scope: () => (state.tenant ? { tenant: state.tenant.tenant, project_id: state.project?.project_id } : {}),
    };
    cleanup = await module.render(view, ctx);
  } catch (error) {
    if (ticket !== state.ticket) return;
    drawScope();
    if (error instanceof AdminTokenNeeded) {
      askForToken(main, error.status);
      return;
    }
    replace(main, h("h1", {}, page.title), notice(`The mock did not answer as expected: ${error.message}`, "error"));
    return;
  }
  if (ticket !== state.ticket) {
    cleanup?.();
    return;
  }
  state.cleanup = cleanup || null;
  drawScope();
  replace(main, view);
  if (moveFocus) {
    main.focus({ preventScroll: true }); // the new page starts at its top, header and all
    window.scrollTo(0, 0);
  }
  live.start();
}

render();
