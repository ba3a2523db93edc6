"""`mem0-mock` in a process of its own, started as a user starts it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock_command() -> list[str]:
    script = shutil.which("mem0-mock", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "mock_server"]


@contextmanager
def running_mocks(*runs: tuple[list[str], dict[str, str] | None]) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """Mocks started side by side (each `(args, env)`), yielded once all of them answer."""
    started: list[tuple[str, subprocess.Popen]] = []
    try:
        for args, env in runs:
            port = free_port()
            process = subprocess.Popen(
                [*mock_command(), "--port", str(port), *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={**os.environ, **(env or {})},
            )
            started.append((f"http://127.0.0.1:{port}", process))
        for url, process in started:
            _wait_until_up(url, process)
        yield started
    finally:
        for _, process in started:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def running_mock(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    with running_mocks((list(args), env)) as [started]:
        yield started


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/_mock/state", timeout=1)
            return
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"mem0-mock did not start: {process.stdout.read()}") from None
            time.sleep(0.05)
