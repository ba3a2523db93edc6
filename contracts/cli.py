"""`mem0-contracts`: run the contract suite against an implementation of the Mem0 Memory API.

    mem0-contracts --base-url URL --api-key KEY [--second-api-key K] [--surface all|v1v2|v3]
                   [--webhook-receiver URL] [pytest args...]

It is `pytest --pyargs contracts` with the target options (also read from MEM0_BASE_URL,
MEM0_API_KEY, MEM0_SECOND_API_KEY, MEM0_SURFACE, MEM0_WEBHOOK_RECEIVER); any other argument
goes to pytest as is (`-k`, `-x`, `--junitxml=report.xml`, ...). Without a URL the suite
starts the project's mock and checks it. The exit status is pytest's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from importlib.metadata import entry_points

import pytest

PLUGIN_ENTRY_POINT = "mem0_contracts"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mem0-contracts",
        description="Check an implementation of the Mem0 Platform Memory API against its contract."
        " Arguments not listed here are passed to pytest.",
        allow_abbrev=False,  # `--api` or `--base` must not swallow a pytest option
    )
    parser.add_argument("--base-url", help="implementation to check (default: MEM0_BASE_URL, else a fresh mock)")
    parser.add_argument("--api-key", help="API key for the target (default: MEM0_API_KEY)")
    parser.add_argument("--second-api-key", help="a key of another tenant (default: MEM0_SECOND_API_KEY)")
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


def pytest_args(argv: list[str]) -> list[str]:
    """The pytest command line for `mem0-contracts argv...`."""
    options, rest = build_parser().parse_known_args(argv)
    args = ["--pyargs", "contracts"]
    if not _plugin_registered():
        args += ["-p", "contracts.plugin"]
    if not any(a == "no:cacheprovider" or a == "-pno:cacheprovider" for a in rest):
        args += ["-p", "no:cacheprovider"]  # never write .pytest_cache next to an installed package
    for flag, value in (
        ("--base-url", options.base_url),
        ("--api-key", options.api_key),
        ("--second-api-key", options.second_api_key),
        ("--surface", options.surface),
        ("--webhook-receiver", options.webhook_receiver),
    ):
        if value:
            args += [flag, value]
    return args + rest


def main(argv: list[str] | None = None) -> int:
    """Run the suite; answers pytest's exit code.

    Schemathesis' generated cases depend on string hashing, so the run is only repeatable with
    a fixed PYTHONHASHSEED: without one, the suite runs in a child interpreter that has it.
    """
    argv = sys.argv[1:] if argv is None else argv
    env = dict(os.environ)
    # Hypothesis keeps caches in ./.hypothesis; keep them out of wherever the user stands.
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "mem0-contracts-hypothesis"))
    if env.get("PYTHONHASHSEED") in (None, "", "random"):
        env["PYTHONHASHSEED"] = "0"
        return subprocess.call([sys.executable, "-m", "contracts.cli", *argv], env=env)
    os.environ.update(env)
    return int(pytest.main(pytest_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
