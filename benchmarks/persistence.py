"""Write throughput with and without `--data`: adds per second against `mem0-mock` served as
users start it, in memory and with its state in SQLite (every add committed before its answer).

    python -m benchmarks.persistence [--duration 10] [--connections 8]

`measure_adds` is the function a results table can call; the target a later issue sets is
writes with `--data` at least half as fast as in memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from .common import API_KEY, HOST, python_cmd, subprocess_env
from .loadgen import LoadResult, Request, run_load

PLAN_SIZE = 64  # distinct adds sent round-robin


@dataclass
class WriteResult:
    data: bool
    load: LoadResult

    @property
    def adds_per_second(self) -> float:
        return self.load.rps


def add_plan(size: int = PLAN_SIZE) -> list[Request]:
    """Verbatim adds (no inference) for a few users: what a chat app stores per turn."""
    return [
        Request("POST", "/v1/memories/", json.dumps({
            "messages": [{"role": "user", "content": f"Fact number {i}: enjoys tea, travel and book {i % 7}"}],
            "user_id": f"user-{i % 8}", "infer": False,
        }))
        for i in range(size)
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _start(args: list[str]) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    process = subprocess.Popen(
        python_cmd("mock_server", "--host", HOST, "--port", str(port), "--quiet", *args),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
    )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/v1/ping/", headers={"Authorization": f"Token {API_KEY}"}, timeout=1)
            return url, process
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"mem0-mock did not start: {process.stderr.read()}") from None
            time.sleep(0.05)


def measure_adds(data: bool, duration: float = 10.0, connections: int = 8, use_wrk: bool | None = None) -> WriteResult:
    """Adds per second against a fresh `mem0-mock`, with its state in a new SQLite file or not."""
    with tempfile.TemporaryDirectory(prefix="mem0-bench-data-") as tmp:
        args = ["--data", str(Path(tmp) / "state.db")] if data else []
        url, process = _start(args)
        try:
            load = run_load(url, add_plan(), duration, connections, use_wrk)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return WriteResult(data, load)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.persistence")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    memory = measure_adds(False, args.duration, args.connections)
    saved = measure_adds(True, args.duration, args.connections)
    for label, result in (("in memory", memory), ("--data", saved)):
        load = result.load
        print(f"{label:>10}: {result.adds_per_second:8.1f} adds/s  p50 {load.p50_ms:.2f} ms  p99 {load.p99_ms:.2f} ms"
              f"  errors {load.errors}  ({load.generator})")
    print(f"     ratio: {saved.adds_per_second / memory.adds_per_second:.2f} (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
