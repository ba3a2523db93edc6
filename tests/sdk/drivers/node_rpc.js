// Serves an official npm SDK, unchanged, to the Python tests: one node process per SDK
// version runs every call a test module makes.
//
// Usage: MEM0_TELEMETRY=false node node_rpc.js <npm directory with node_modules/mem0ai>
// (the npm SDKs disable telemetry only for the exact lowercase string "false").
//
// Reads one JSON request a line on stdin and answers each with one line `@rpc <json>`:
//   {"id": 1, "op": "new", "name": "c", "options": {"apiKey": "...", "host": "..."}}
//   {"id": 2, "op": "call", "name": "c", "method": "search", "args": ["query", {...}]}
//   {"id": 3, "op": "attr", "name": "c", "attr": "projectId"}
// An answer is {"id", "ok": true, "value"} or {"id", "ok": false, "error": {"type",
// "message", "error_code"}}. Requests are served one at a time, in order.
"use strict";

const path = require("path");
const readline = require("readline");

const PREFIX = "@rpc ";
const directory = process.argv[2];
const packageDir = path.join(directory, "node_modules", "mem0ai");
const sdk = require(packageDir);
const version = require(path.join(packageDir, "package.json")).version;

// Whatever the SDK logs goes to stderr; stdout carries only answers.
console.log = console.info = (...parts) => console.error(...parts);

function reply(message) {
  process.stdout.write(PREFIX + JSON.stringify(message === undefined ? null : message) + "\n");
}

const clients = new Map();

async function handle(request) {
  if (request.op === "new") {
    const ClientClass = sdk[request.class || "MemoryClient"];
    clients.set(request.name, new ClientClass(request.options));
    return null;
  }
  const client = clients.get(request.name);
  if (request.op === "attr") return client[request.attr] === undefined ? null : client[request.attr];
  const value = await client[request.method](...(request.args || []));
  return value === undefined ? null : value;
}

(async () => {
  reply({ id: 0, ok: true, value: { mem0ai: version, node: process.version } });
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    try {
      reply({ id: request.id, ok: true, value: await handle(request) });
    } catch (error) {
      reply({
        id: request.id,
        ok: false,
        error: {
          type: (error && (error.constructor && error.constructor.name)) || typeof error,
          message: String(error && error.message !== undefined ? error.message : error),
          error_code: (error && error.errorCode) || null,
        },
      });
    }
  }
})();
