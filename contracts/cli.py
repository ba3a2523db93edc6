"""`mem0-contracts`: run the contract suite against an implementation of the Mem0 Memory API.

    mem0-contracts --base-url URL --api-key KEY [--second-api-key K] [--max-wait S]
                   [--surface all|v1v2|v3] [--webhook-receiver URL] [pytest args...]

It is `pytest --pyargs contracts` with the target options (also read from MEM0_BASE_URL,
MEM0_API_KEY, MEM0_SECOND_API_KEY, MEM0_MAX_WAIT, MEM0_SURFACE, MEM0_WEBHOOK_RECEIVER),
mapped onto the plugin's namespaced `--mem0-...` options; any other argument goes to pytest
as is (`-k`, `-x`, `-n auto`, `--junitxml=report.xml`, ...). Without a URL the suite starts
the project's mock and checks it, spread over the cores (`-n N --dist worksteal`, N the cores
up to 4, one mock for the run and a pair of its keys for each worker) unless the arguments
choose (`-n 0`). The exit status is pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import PackageNotFoundError, entry_points, version
from importlib.util import find_spec
from pathlib import Path

from contracts.mock_process import SHARED_MOCK_ENV, MockProcess, MockStartError, granian_available

PLUGIN_ENTRY_POINT = "mem0_contracts"
SHARED_KEY_PAIRS = 16  # one per worker (workers beyond it share a pair, each in its own namespace)
DISTRIBUTION = "mem0-contract"
# mem0-contracts option -> the plugin's pytest option
TARGET_OPTIONS = {
    "base_url": "--mem0-base-url",
    "api_key": "--mem0-api-key",
    "second_api_key": "--mem0-second-api-key",
    "max_wait": "--mem0-max-wait",
    "surface": "--mem0-surface",
    "webhook_receiver": "--mem0-webhook-receiver",
}


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mem0-contracts",
        description="Check an implementation of the Mem0 Platform Memory API against its contract."
        " Arguments not listed here are passed to pytest: -k EXPR to select checks, -x to stop at the"
        " first failure, --junitxml=FILE for a report, and -n auto (or -n N) to spread the checks over"
        " every core with pytest-xdist (each worker keeps its own namespace on the target, or its own mock)."
        " Without --base-url the run is spread by default (-n N --dist worksteal, N the cores up to 4);"
        " -n 0 keeps it in one process.",
        allow_abbrev=False,  # `--api` or `--base` must not swallow a pytest option
    )
    parser.add_argument("--version", action="version", version=f"mem0-contracts {package_version()}")
    parser.add_argument("--base-url", help="implementation to check (default: MEM0_BASE_URL, else a fresh mock)")
    parser.add_argument("--api-key", help="API key for the target (default: MEM0_API_KEY)")
    parser.add_argument("--second-api-key", help="a key of another tenant (default: MEM0_SECOND_API_KEY)")
    parser.add_argument(
        "--max-wait", help="seconds to poll for a write to become visible (default: MEM0_MAX_WAIT, else 30)"
    )
    parser.add_argument(
        "--surface",
        choices=("all", "v1v2", "v3"),
        help="the API the target implements: all (default), v1v2 (the September 2025 API) or v3 (today's"
        " API); checks that need the other one are deselected (default: MEM0_SURFACE, else all)",
    )
    parser.add_argument(
        "--webhook-receiver",
        metavar="URL",
        help="an address at which the target reaches this machine's webhook receiver; without it the"
        " receiver listens on 127.0.0.1 and the delivery check skips itself for a remote target"
        " (default: MEM0_WEBHOOK_RECEIVER)",
    )
    return parser


def _plugin_registered() -> bool:
    """Whether pytest will load `contracts.plugin` by itself (installed with its entry point)."""
    return any(ep.name == PLUGIN_ENTRY_POINT for ep in entry_points(group="pytest11"))


MAX_DEFAULT_WORKERS = 4  # each worker collects the whole suite: more cost more than they save


def _names_workers(args: list[str]) -> bool:
    """Whether pytest arguments choose xdist's workers themselves (`-n N`, `-nN`, `--numprocesses`,
    `-p no:xdist`) or need the tests in one process (`--pdb`, `--trace`)."""
    for i, arg in enumerate(args):
        if arg == "-n" or (arg.startswith("-n") and not arg.startswith("--")) or arg.startswith("--numprocesses"):
            return True
        if arg in ("-pno:xdist", "no:xdist") or (arg == "-p" and args[i + 1 : i + 2] == ["no:xdist"]):
            return True
        if arg in ("--pdb", "--trace"):  # a debugger needs the tests in this process
            return True
    return False


def default_workers() -> int:
    """pytest-xdist workers for a run against the suite's own mock: one per core, at most
    MAX_DEFAULT_WORKERS; 0 (no xdist) on one core or without pytest-xdist."""
    if find_spec("xdist") is None:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(cores, MAX_DEFAULT_WORKERS)
    return workers if workers > 1 else 0


def pytest_args(argv: list[str]) -> list[str]:
    """The pytest command line for `mem0-contracts argv...`.

    Without a target URL the suite checks mocks of its own, and by default spreads over the
    cores (`-n N --dist worksteal`) unless the arguments choose workers.
    """
    options, rest = build_parser().parse_known_args(argv)
    args = ["--pyargs", "contracts"]
    if not _plugin_registered():
        args += ["-p", "contracts.plugin"]
    if not any(a == "no:cacheprovider" or a == "-pno:cacheprovider" for a in rest):
        args += ["-p", "no:cacheprovider"]  # never write .pytest_cache next to an installed package
    for name, flag in TARGET_OPTIONS.items():
        value = getattr(options, name)
        if value:
            args += [flag, value]
    if not (options.base_url or os.environ.get("MEM0_BASE_URL")) and not _names_workers(rest):
        workers = default_workers()
        if workers:
            args += ["-n", str(workers), "--dist", "worksteal"]
    return args + rest


def main(argv: list[str] | None = None) -> int:
    """Run the suite in a fresh `python -m pytest`; answers pytest's exit code.

    A fresh interpreter for two reasons: pytest can rewrite the asserts of this package only
    if it imports it first (here `contracts` is already imported, and pytest would warn), and
    schemathesis' generated cases depend on string hashing, so a run is repeatable only with
    a fixed PYTHONHASHSEED, which must be set before the interpreter starts.
    """
    argv = sys.argv[1:] if argv is None else argv
    args = pytest_args(argv)  # --help and --version answer here, before pytest starts
    env = dict(os.environ)
    # Hypothesis keeps caches in ./.hypothesis; keep them out of wherever the user stands.
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "mem0-contracts-hypothesis"))
    if env.get("PYTHONHASHSEED") in (None, "", "random"):
        env["PYTHONHASHSEED"] = "0"
    with tempfile.TemporaryDirectory(prefix="mem0-contracts-") as scratch:
        shared = _start_shared_mock(argv, env, Path(scratch) / "mock.json")
        try:
            return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)
        finally:
            if shared is not None:
                shared.stop()


class SharedMock:
    """Without a target, one mock for the whole run, started in the background while pytest
    starts up. Each worker takes a pair of its keys (two tenants of its own, as good as a
    mock of its own) and waits for `where` to say the mock's URL, or why it did not start."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.pairs = [[f"m0-contracts-{secrets.token_hex(8)}" for _ in range(2)] for _ in range(SHARED_KEY_PAIRS)]
        self.mock = MockProcess(api_keys=frozenset(key for pair in self.pairs for key in pair))
        self._starting = threading.Thread(target=self._start, name="mem0-contracts-mock", daemon=True)
        self._starting.start()

    def _start(self) -> None:
        try:
            answer = {"url": self.mock.start().url}
        except MockStartError as exc:
            answer = {"error": str(exc)}
        partial = self.where.with_suffix(".partial")
        partial.write_text(json.dumps(answer), encoding="utf-8")
        partial.replace(self.where)  # whole, or not there yet

    def stop(self) -> None:
        self._starting.join()
        self.mock.stop()


def _start_shared_mock(argv: list[str], env: dict[str, str], where: Path) -> SharedMock | None:
    """A `SharedMock`, its keys and `where` in `SHARED_MOCK_ENV`; None where the plugin starts
    mocks of its own instead (a target, key or admin token given, or no granian)."""
    options, rest = build_parser().parse_known_args(argv)
    given = options.base_url or options.api_key or options.second_api_key
    given = given or any(env.get(name) for name in ("MEM0_BASE_URL", "MEM0_API_KEY", "MEM0_SECOND_API_KEY"))
    if given or env.get("MEM0_MOCK_ADMIN_TOKEN") or any(a.startswith("--mem0-") for a in rest):
        return None
    if not granian_available():
        return None
    shared = SharedMock(where)
    env[SHARED_MOCK_ENV] = json.dumps({"file": str(where), "keys": shared.pairs})
    return shared


if __name__ == "__main__":
    sys.exit(main())
