"""The suite's own mock in a process of its own, served by granian.

In the suite's process, the mock's work would share the interpreter lock with the suite's
own (generating requests, judging answers): one core does both. In a process of its own it
runs on another core. `MockProcess` starts `mem0-mock --server granian` (through `main`
below) on a free port and stops it; the in-process waitress mock stays the fallback where
granian is not installed (`granian_available`).

`python -m contracts.mock_process ARGS` is `mem0-mock ARGS` that also ends when its standard
input closes: the suite holds the other end, so the mock ends with the suite even when the
suite is killed outright (granian's worker ends with this process in turn).
"""

from __future__ import annotations

import collections
import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["SHARED_MOCK_ENV", "MockProcess", "MockStartError", "granian_available", "main"]

BANNER = "mem0-mock serving on "
# Set by mem0-contracts for its run's one mock: {"file": where its URL appears, "keys": [[key, second], ...]}
SHARED_MOCK_ENV = "MEM0_CONTRACTS_SHARED_MOCK"
START_TIMEOUT = 60.0  # seconds; a loaded machine can take several to start an interpreter
PORT_ATTEMPTS = 5  # a free port another process takes between our probe and the mock's bind: try another


class MockStartError(RuntimeError):
    """The mock process did not start; the message carries what it printed."""


def granian_available() -> bool:
    return importlib.util.find_spec("granian") is not None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _child_env(admin_token: str | None) -> dict[str, str]:
    """The environment of the mock: ours, with the packages this process imports on its path
    (they may come from a checkout that only `sys.path` names), and the admin token passed
    here rather than on a command line any user can read."""
    env = {k: v for k, v in os.environ.items() if k not in ("MEM0_API_KEY", "MEM0_MOCK_ADMIN_TOKEN")}
    import mock_server

    roots = [str(Path(mock_server.__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1])]
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(roots + rest))
    if admin_token:
        env["MEM0_MOCK_ADMIN_TOKEN"] = admin_token
    return env


class MockProcess:
    """`mem0-mock --server granian` on a free port of `host`, knowing exactly `api_keys`
    (None: any key); `start()` returns once it answers, `stop()` ends it."""

    def __init__(
        self, api_keys: frozenset[str] | None = None, admin_token: str | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.api_keys = api_keys
        self.admin_token = admin_token
        self.host = host
        self.port = 0
        self._process: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=200)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _command(self, port: int) -> list[str]:
        keys = ["--any-key"] if self.api_keys is None else [a for k in sorted(self.api_keys) for a in ("--api-key", k)]
        return [
            sys.executable, "-m", "contracts.mock_process",
            "--server", "granian", "--host", self.host, "--port", str(port), "--quiet", *keys,
        ]

    def start(self) -> MockProcess:
        problems = []
        for _ in range(PORT_ATTEMPTS):
            port = _free_port(self.host)
            process = subprocess.Popen(
                self._command(port),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=_child_env(self.admin_token),
                start_new_session=True,  # a group of its own: `_kill` ends granian's worker with it
            )
            if self._wait_for_banner(process):
                self._process, self.port = process, port
                threading.Thread(target=self._drain, args=(process,), name="mem0-mock-output", daemon=True).start()
                if self._wait_for_port(process):
                    return self
                self.stop()
                raise MockStartError(f"the suite's mock never accepted a connection: {self.output()[-2000:]}")
            problems.append("".join(self._output).strip())
            self._output.clear()
            if "cannot listen" not in problems[-1]:
                break
        raise MockStartError(f"the suite's mock did not start: {problems[-1][-2000:]}")

    def _wait_for_banner(self, process: subprocess.Popen[str]) -> bool:
        """Read the mock's output until its banner (True) or its end (False)."""
        assert process.stdout is not None
        timer = threading.Timer(START_TIMEOUT, _kill, args=(process,))  # a mock that hangs ends, and says so
        timer.start()
        try:
            for line in process.stdout:
                self._output.append(line)
                if line.startswith(BANNER):
                    return True
        finally:
            timer.cancel()
        process.wait()
        return False

    def _wait_for_port(self, process: subprocess.Popen[str]) -> bool:
        """Poll until the port accepts a connection: granian's worker prints the banner once it
        has built the app, a moment before it serves (a request then is refused)."""
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.01)
        return False

    def _drain(self, process: subprocess.Popen[str]) -> None:
        """Keep reading what the mock prints (its pipe must never fill), the last lines kept."""
        assert process.stdout is not None
        for line in process.stdout:
            self._output.append(line)

    def output(self) -> str:
        """The last lines the mock printed."""
        return "".join(self._output)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()  # granian stops its worker and returns
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        _kill(process)  # whatever of its group is left (granian's worker, should it linger)
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> MockProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _kill(process: subprocess.Popen[str]) -> None:
    """Kill the mock and its granian worker (its whole process group), which also closes the
    output the suite reads."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except ProcessLookupError:
        pass


def _end_with_stdin() -> None:
    """Wait for standard input to close (the suite ended or was killed), then stop as on Ctrl-C."""
    # os.read, not sys.stdin: granian forks its worker while this thread waits here, and a
    # fork while a thread holds sys.stdin's lock leaves the worker's copy of that lock held.
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
    os._exit(1)  # granian did not stop


def main(argv: list[str] | None = None) -> int:
    from mock_server.server.cli import main as mock_main

    threading.Thread(target=_end_with_stdin, name="mem0-mock-stdin-watch", daemon=True).start()
    return mock_main(argv)


if __name__ == "__main__":
    sys.exit(main())
