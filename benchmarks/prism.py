"""Prism (Stoplight's mock server, npm `@stoplight/prism-cli`) on the project's own spec, for
comparison: what people would run instead of this mock.

Prism answers each operation's canned example (it keeps no state) after validating the
request against the spec, and checks that the `Authorization` header is there. It is
installed on first use into a cache directory with npm (`npm install --prefix DIR
@stoplight/prism-cli@VERSION`), so the harness needs node and npm only; without them the
Prism rows say "not run: node/npm missing".

    python -m benchmarks.prism            # install if missing, start, answer one request, stop
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from .common import API_KEY, HOST, REPO_ROOT

PRISM_VERSION = "5.16.0"
PACKAGE = "@stoplight/prism-cli"
SPEC = REPO_ROOT / "spec" / "openapi.yaml"
INSTALL_TIMEOUT_S = 600
STARTUP_TIMEOUT_S = 120


def cache_dir() -> Path:
    """Where Prism is installed: $MEM0_BENCH_CACHE/prism, else ~/.cache/mem0-bench/prism."""
    base = os.environ.get("MEM0_BENCH_CACHE")
    if base:
        return Path(base) / "prism"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "mem0-bench" / "prism"


def installed_version(prefix: Path) -> str | None:
    manifest = prefix / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def binary(prefix: Path) -> Path:
    return prefix / "node_modules" / ".bin" / "prism"


def find(install: bool = True) -> tuple[Path | None, str]:
    """Prism's executable (installed now if missing and `install`), or None and why not."""
    node = shutil.which("node")
    prefix = cache_dir()
    if node is None:
        return None, "not run: node/npm missing"
    if installed_version(prefix) == PRISM_VERSION and binary(prefix).exists():
        return binary(prefix), f"Prism {PRISM_VERSION} (cached in {prefix})"
    if not install:
        return None, f"not run: Prism {PRISM_VERSION} not installed in {prefix} (the full run installs it)"
    npm = shutil.which("npm")
    if npm is None:
        return None, "not run: node/npm missing"
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"[bench] installing {PACKAGE}@{PRISM_VERSION} into {prefix} (npm) ...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
             f"{PACKAGE}@{PRISM_VERSION}"],
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"not run: npm install failed ({exc})"
    if done.returncode != 0 or installed_version(prefix) != PRISM_VERSION:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return None, f"not run: npm install failed (exit {done.returncode}: {tail[0][:200]})"
    return binary(prefix), f"Prism {PRISM_VERSION} (installed in {prefix})"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _ping(port: int) -> bool:
    """Prism answers (any status) on the port."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/v1/ping/", headers={"Authorization": f"Token {API_KEY}"})
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


class PrismProcess:
    """`prism mock spec/openapi.yaml` on a free port, logging errors only (its per-request info
    lines would cost it throughput); stopped with SIGTERM (then SIGKILL) on its own pid."""

    name = "prism"

    def __init__(self, executable: Path, spec: Path = SPEC) -> None:
        self.port = _free_port()
        self._log: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(executable), "mock", str(spec), "--host", HOST, "--port", str(self.port),
             "--verboseLevel", "error"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, text=True,
        )
        self.url = f"http://{HOST}:{self.port}"
        self.info: dict[str, Any] = {}
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = self.log_tail()
                self.stop()
                raise RuntimeError(f"Prism did not start: {log}")
            time.sleep(0.2)

    def log_tail(self, size: int = 2000) -> str:
        try:
            self._log.seek(0)
            return self._log.read()[-size:]
        except ValueError:  # closed
            return ""

    def stop(self) -> dict[str, Any]:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
        return {}

    def __enter__(self) -> PrismProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    executable, note = find()
    print(note)
    if executable is None:
        return 1
    with PrismProcess(executable) as prism:
        conn = http.client.HTTPConnection(HOST, prism.port, timeout=10)
        conn.request("POST", "/v2/memories/search/", body=json.dumps({"query": "x", "filters": {"user_id": "u"}}),
                     headers={"Authorization": f"Token {API_KEY}", "Content-Type": "application/json"})
        reply = conn.getresponse()
        print(reply.status, reply.read()[:200])
    return 0


if __name__ == "__main__":
    sys.exit(main())
