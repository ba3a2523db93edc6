"""Serves an official Python SDK, unchanged, to tests running in another venv.

Run with the SDK venv's interpreter. Reads one JSON request a line on stdin and answers
each with one line `@rpc <json>` on stdout (whatever the SDK prints goes to stderr):

    {"id": 1, "op": "new", "name": "c", "class": "MemoryClient", "kwargs": {...}}
    {"id": 2, "op": "call", "name": "c", "method": "project.get", "args": [], "kwargs": {}}

An answer is `{"id", "ok": true, "value"}` or `{"id", "ok": false, "error": {"type",
"message", "error_code"}}`. Coroutines (AsyncMemoryClient) run on one event loop, so the
async client keeps its connection pool between calls. This file imports nothing from the
project: it runs where only the SDK is installed.
"""

import asyncio
import importlib.metadata
import inspect
import json
import sys

PREFIX = "@rpc "


def main() -> None:
    channel = sys.stdout
    sys.stdout = sys.stderr  # the SDK's prints must not reach the channel

    import mem0

    def reply(message: dict) -> None:
        channel.write(PREFIX + json.dumps(message, default=str) + "\n")
        channel.flush()

    loop = asyncio.new_event_loop()
    clients: dict = {}

    def handle(request: dict):
        if request["op"] == "new":
            client = getattr(mem0, request["class"])(**request.get("kwargs", {}))
            clients[request["name"]] = client
            return {"org_id": client.org_id, "project_id": client.project_id, "user_email": client.user_email}
        target = clients[request["name"]]
        for part in request["method"].split("."):
            target = getattr(target, part)
        value = target(*request.get("args", []), **request.get("kwargs", {}))
        return loop.run_until_complete(value) if inspect.isawaitable(value) else value

    reply({"id": 0, "ok": True, "value": {"mem0ai": importlib.metadata.version("mem0ai")}})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply({"id": request["id"], "ok": True, "value": handle(request)})
        except Exception as error:  # every failure goes back to the test, typed
            reply({
                "id": request["id"],
                "ok": False,
                "error": {
                    "type": type(error).__name__,
                    "message": str(error),
                    "error_code": getattr(error, "error_code", None),
                },
            })


if __name__ == "__main__":
    main()
