"""Load generation over HTTP from a separate process: wrk when installed, else Python.

Both generators take the same plan (a list of requests sent round-robin over keep-alive
connections) and report the same numbers, so results from machines with and without wrk
compare. The Python generator is this module's `main`, run as its own process so its
GIL work never competes with the server's.

    python -m benchmarks.loadgen --url http://127.0.0.1:PORT --plan plan.json --duration 10 --connections 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .common import API_KEY, percentile, python_cmd, subprocess_env

RESULT_MARK = "BENCH_RESULT "
REQUEST_TIMEOUT_S = 10


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str | None = None
    key: str = API_KEY  # the API key (tenant) the request is sent with

    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Token {self.key}"}
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return headers


@dataclass
class LoadResult:
    generator: str
    requests: int
    seconds: float
    errors: int  # socket errors, timeouts and non-2xx answers
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def send(url: str, request: Request) -> tuple[int, bytes]:
    """One request, for checking a plan before loading it."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=REQUEST_TIMEOUT_S)
    try:
        body = request.body.encode() if request.body is not None else None
        conn.request(request.method, request.path, body=body, headers=request.headers())
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run_load(
    url: str, plan: list[Request], duration: float, connections: int, use_wrk: bool | None = None
) -> LoadResult:
    """Drive `url` with `plan` for `duration` seconds from another process."""
    if not plan:
        raise ValueError("empty plan")
    wrk = wrk_path() if use_wrk in (None, True) else None
    if use_wrk and wrk is None:
        raise RuntimeError("wrk requested but not installed")
    with tempfile.TemporaryDirectory(prefix="mem0-bench-") as tmp:
        if wrk is not None:
            return _run_wrk(wrk, url, plan, duration, connections, Path(tmp))
        return _run_python(url, plan, duration, connections, Path(tmp))


# --- wrk -------------------------------------------------------------------------------------

_LUA = """
local plan = {
%(entries)s
}
local requests = {}
local index = 0

function init(args)
  for i, r in ipairs(plan) do
    requests[i] = wrk.format(r[1], r[2], r[3], r[4])
  end
end

function request()
  index = index %% #requests + 1
  return requests[index]
end

function done(summary, latency, reqs)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "micros": %%d, "errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 4
    if f"]{level}]" in text:
        raise ValueError("request text collides with the Lua long-string delimiter")
    return f"[{level}[{text}]{level}]"


def wrk_script(plan: list[Request]) -> str:
    """A Lua script sending the plan round-robin, with the Token header and JSON bodies."""
    entries = []
    for request in plan:
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in request.headers().items())
        body = _lua_string(request.body) if request.body is not None else "nil"
        entries.append(f"  {{{_lua_string(request.method)}, {_lua_string(request.path)}, {{{headers}}}, {body}}},")
    return _LUA % {"entries": "\n".join(entries), "mark": RESULT_MARK}


def _run_wrk(wrk: str, url: str, plan: list[Request], duration: float, connections: int, tmp: Path) -> LoadResult:
    script = tmp / "plan.lua"
    script.write_text(wrk_script(plan))
    seconds = max(1, round(duration))
    command = [
        wrk, "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={REQUEST_TIMEOUT_S}s", "-s", str(script), url
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            data = json.loads(line[len(RESULT_MARK) :])
            return LoadResult(
                generator="wrk",
                requests=data["requests"],
                seconds=data["micros"] / 1e6,
                errors=data["errors"],
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
            )
    raise RuntimeError(f"wrk gave no result (exit {done.returncode}): {done.stderr[-2000:] or done.stdout[-2000:]}")


# --- Python ----------------------------------------------------------------------------------


def _run_python(url: str, plan: list[Request], duration: float, connections: int, tmp: Path) -> LoadResult:
    plan_file = tmp / "plan.json"
    plan_file.write_text(json.dumps([asdict(r) for r in plan]))
    command = python_cmd(
        "benchmarks.loadgen", "--url", url, "--plan", str(plan_file),
        "--duration", str(duration), "--connections", str(connections),
    )
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False, env=subprocess_env()
    )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return LoadResult(**json.loads(line[len(RESULT_MARK) :]))
    raise RuntimeError(f"Python load generator failed (exit {done.returncode}): {done.stderr[-2000:]}")


def _worker(host: str, port: int, plan: list[Request], start: int, deadline: float, out: list) -> None:
    """Send the plan round-robin on one keep-alive connection until the deadline."""
    latencies: list[float] = []
    errors = 0
    encoded = [(r.method, r.path, r.body.encode() if r.body is not None else None, r.headers()) for r in plan]
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
    index = start
    clock = time.perf_counter
    while clock() < deadline:
        method, path, body, headers = encoded[index % len(encoded)]
        index += 1
        began = clock()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
        latencies.append(clock() - began)
    conn.close()
    out.append((latencies, errors))


def generate(url: str, plan: list[Request], duration: float, connections: int) -> LoadResult:
    """The Python generator's loop: one thread per connection, latencies per request."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    out: list[tuple[list[float], int]] = []
    began = time.perf_counter()
    deadline = began + duration
    threads = [
        threading.Thread(target=_worker, args=(host, port, plan, i * 7, deadline, out), daemon=True)
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 2 * REQUEST_TIMEOUT_S)
    elapsed = time.perf_counter() - began
    latencies = [lat for lats, _ in out for lat in lats]
    return LoadResult(
        generator="python",
        requests=len(latencies),
        seconds=elapsed,
        errors=sum(err for _, err in out),
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.loadgen")
    parser.add_argument("--url", required=True)
    parser.add_argument("--plan", required=True, help="JSON list of {method, path, body}")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    plan = [Request(**item) for item in json.loads(Path(args.plan).read_text())]
    result = generate(args.url, plan, args.duration, args.connections)
    print(RESULT_MARK + json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
