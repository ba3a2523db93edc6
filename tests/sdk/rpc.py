"""The test side of `drivers/`: an SDK served by one long-lived process in its own environment.

A test calls `client.add(...)` or `client.project.get(...)` on a `RemoteClient` as if the
SDK were imported here; the call travels as one JSON line to the driver, which runs the
real SDK method and answers its JSON result, or the exception it raised as `RemoteError`.
One process per SDK for the whole run keeps the suite fast (no interpreter start per call).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DRIVERS = Path(__file__).parent / "drivers"
PREFIX = "@rpc "
CALL_TIMEOUT = 60.0  # seconds; a call to a local mock takes milliseconds


class RemoteError(Exception):
    """An exception the SDK raised in the driver, by class name (and `HTTP_<status>` code)."""

    def __init__(self, type_name: str, message: str, error_code: str | None) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type = type_name
        self.message = message
        self.error_code = error_code


class Driver:
    """One driver process: requests in on stdin, answers out on stdout, in order."""

    def __init__(self, command: Sequence[str | Path], env: dict[str, str]) -> None:
        self.command = [str(part) for part in command]
        self._process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=40)
        threading.Thread(target=self._read_answers, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self._next_id = 0
        self.hello = self._answer(0)  # what the driver runs: SDK and runtime versions

    def _read_answers(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if line.startswith(PREFIX):
                self._answers.put(json.loads(line[len(PREFIX) :]))
            else:
                self._stderr.append(line.rstrip())
        self._answers.put(None)  # the process ended

    def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line.rstrip())

    def _answer(self, wanted: int) -> Any:
        try:
            answer = self._answers.get(timeout=CALL_TIMEOUT)
        except queue.Empty:
            raise RuntimeError(f"{self.command[0]} gave no answer within {CALL_TIMEOUT} s: {self.output()}") from None
        if answer is None:
            raise RuntimeError(f"the driver `{' '.join(self.command)}` stopped:\n{self.output()}")
        if answer["id"] != wanted:
            raise RuntimeError(f"answer {answer['id']} arrived for request {wanted}")
        if not answer["ok"]:
            error = answer["error"]
            raise RemoteError(error["type"], error["message"], error.get("error_code"))
        return answer["value"]

    def request(self, **message: Any) -> Any:
        self._next_id += 1
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"id": self._next_id, **message}) + "\n")
        self._process.stdin.flush()
        return self._answer(self._next_id)

    def output(self) -> str:
        """The driver's latest stderr lines, for failure messages."""
        return "\n".join(self._stderr)

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


class RemoteClient:
    """An SDK client living in a driver; attribute chains name methods (`client.project.get`)."""

    def __init__(self, driver: Driver, name: str, path: str = "") -> None:
        self._driver, self._name, self._path = driver, name, path

    def __getattr__(self, attribute: str) -> RemoteClient:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return RemoteClient(self._driver, self._name, f"{self._path}.{attribute}" if self._path else attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._driver.request(op="call", name=self._name, method=self._path, args=list(args), kwargs=kwargs)


def driver_env(telemetry: str, home: Path) -> dict[str, str]:
    """The driver's environment: telemetry off (spelled as the SDK wants) and a scratch HOME,
    so an SDK's config file never lands in the user's home."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MEM0_", "NODE_OPTIONS"))}
    return {**env, "MEM0_TELEMETRY": telemetry, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}


def python_driver(python: Path, home: Path) -> Driver:
    return Driver([python, DRIVERS / "python_rpc.py"], driver_env("False", home))


def node_driver(directory: Path, home: Path) -> Driver:
    # Only the exact lowercase "false" turns the npm SDKs' telemetry off.
    return Driver(["node", DRIVERS / "node_rpc.js", directory], driver_env("false", home))
