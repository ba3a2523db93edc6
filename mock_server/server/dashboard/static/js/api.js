// The dashboard's only way to the mock: the harness endpoints under /_mock/ (the ones a test
// calls too), plus the spec. Calls are marked as the dashboard's so the mock's console does
// not print its polling; the admin token, when the mock has one, is typed by the user, kept
// for this tab only (sessionStorage) and sent in the header, never shown.

const TOKEN = "mem0-mock.admin-token";
const POLL_MS = 500;

export class AdminTokenNeeded extends Error {
  constructor(status, detail) {
    super(detail || "The mock needs its admin token.");
    this.status = status; // 401: none given, 403: a wrong one
  }
}

export class HarnessError extends Error {
  constructor(status, body) {
    super(describe(body) || `The mock answered ${status}.`);
    this.status = status;
    this.body = body;
  }
}

function describe(body) {
  if (!body || typeof body !== "object") return "";
  if (typeof body.detail === "string") return body.detail;
  return Object.entries(body).map(([name, messages]) => `${name}: ${[messages].flat().join(" ")}`).join("; ");
}

export function setAdminToken(token) {
  if (token) sessionStorage.setItem(TOKEN, token);
  else sessionStorage.removeItem(TOKEN);
}

export async function harness(path, { method = "GET", params = {}, body } = {}) {
  const url = new URL(`/_mock${path}`, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined && value !== false) url.searchParams.set(name, value);
  }
  const headers = { "X-Mem0-Mock-Client": "dashboard" };
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers["X-Mem0-Mock-Admin"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (response.status === 401 || response.status === 403) throw new AdminTokenNeeded(response.status, data?.detail);
  if (!response.ok) throw new HarnessError(response.status, data);
  return data;
}

let specPromise = null;

export function loadSpec() {
  specPromise ||= fetch("/openapi.json").then((response) => response.json());
  return specPromise;
}

// One poller for the whole page: twice a second it asks the journal for what came after the
// newest request it knows, and hands new entries to whoever listens.
export const live = {
  last: null,
  listeners: new Set(),
  timer: null,
  paused: false,

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  },

  // Learn the newest request before a page reads anything, so whatever arrives after the
  // page's own reads is handed to it (a request is at worst seen twice, never missed).
  async ready() {
    if (this.last !== null) return;
    const newest = await harness("/requests", { params: { last: 1 } });
    this.last = newest.requests.length ? newest.requests[0].seq : 0;
  },

  start() {
    if (this.timer === null) this.timer = setTimeout(() => this.tick(), POLL_MS);
  },

  async tick() {
    try {
      if (!document.hidden && !this.paused) await this.poll();
    } catch (error) {
      if (error instanceof AdminTokenNeeded) {
        this.timer = null; // the page asks for the token, then starts us again
        return;
      }
      this.last = null; // the mock went away: when it is back, start again from its newest request
    }
    this.timer = setTimeout(() => this.tick(), POLL_MS);
  },

  async poll() {
    if (this.last === null) return this.ready();
    const fresh = await harness("/requests", { params: { after: this.last } });
    if (!fresh.requests.length) return;
    this.last = fresh.requests[fresh.requests.length - 1].seq;
    for (const listener of this.listeners) listener(fresh.requests);
  },
};
