"""Write throughput with and without `--data`: adds per second against `mem0-mock` served as
users start it (its default server), in memory and with its state in SQLite (every add
committed before its answer).

    python -m benchmarks.persistence [--duration 2] [--rounds 3] [--connections 8]

`measure_writes` starts both mocks and alternates rounds between them (the median round
counts), as the served benchmark does; `benchmarks.run` reports it against the target:
writes with `--data` at least half as fast as in memory. `measure_adds` is one run of one.
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


@dataclass
class WritesResult:
    memory_rounds: list[LoadResult]
    data_rounds: list[LoadResult]
    seconds: float  # per round
    connections: int

    @staticmethod
    def _median(rounds: list[LoadResult]) -> LoadResult:
        return sorted(rounds, key=lambda r: r.rps)[(len(rounds) - 1) // 2]

    @property
    def memory(self) -> LoadResult:
        return self._median(self.memory_rounds)

    @property
    def data(self) -> LoadResult:
        return self._median(self.data_rounds)

    @property
    def ratio(self) -> float:
        return self.data.rps / self.memory.rps if self.memory.rps else 0.0


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


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def measure_writes(
    duration: float = 2.0, rounds: int = 3, connections: int = 8, use_wrk: bool | None = None, warmup: float = 1.0
) -> WritesResult:
    """Adds per second against two fresh `mem0-mock`s, in memory and with `--data` in a new SQLite
    file: a warm-up each, then alternating rounds (both stores grow alike)."""
    plan = add_plan()
    with tempfile.TemporaryDirectory(prefix="mem0-bench-data-") as tmp:
        memory_url, memory_process = _start([])
        try:
            data_url, data_process = _start(["--data", str(Path(tmp) / "state.db")])
        except RuntimeError:
            _stop(memory_process)
            raise
        try:
            if warmup > 0:
                for url in (memory_url, data_url):
                    run_load(url, plan, warmup, connections, use_wrk)
            found: dict[str, list[LoadResult]] = {memory_url: [], data_url: []}
            for _ in range(max(1, rounds)):
                for url in (memory_url, data_url):
                    found[url].append(run_load(url, plan, duration, connections, use_wrk))
        finally:
            _stop(memory_process)
            _stop(data_process)
    return WritesResult(found[memory_url], found[data_url], duration, connections)


def measure_adds(data: bool, duration: float = 10.0, connections: int = 8, use_wrk: bool | None = None) -> WriteResult:
    """Adds per second against a fresh `mem0-mock`, with its state in a new SQLite file or not."""
    with tempfile.TemporaryDirectory(prefix="mem0-bench-data-") as tmp:
        args = ["--data", str(Path(tmp) / "state.db")] if data else []
        url, process = _start(args)
        try:
            load = run_load(url, add_plan(), duration, connections, use_wrk)
        finally:
            _stop(process)
    return WriteResult(data, load)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.persistence")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    result = measure_writes(args.duration, args.rounds, args.connections)
    for label, load in (("in memory", result.memory), ("--data", result.data)):
        print(f"{label:>10}: {load.rps:8.1f} adds/s  p50 {load.p50_ms:.2f} ms  p99 {load.p99_ms:.2f} ms"
              f"  errors {load.errors}  ({load.generator}, median of {len(result.memory_rounds)} rounds)")
    print(f"     ratio: {result.ratio:.2f} (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
