"""Wall times of the two suites: `mem0-contracts` against the mock it starts itself, and the
README's test command (`python -m pytest` from the repository root, pytest-xdist on by
default through pyproject's addopts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .common import REPO_ROOT, python_cmd, subprocess_env

TIMEOUT_S = 900
README_TEST_COMMAND = ("python", "-m", "pytest")  # the README's, after `ruff check .`


@dataclass
class ContractsResult:
    command: str
    seconds: float
    exit_code: int
    summary: str  # pytest's last line, e.g. "310 passed in 31.4s"
    slowest: str  # pytest's --durations block, for a profile when the target is missed
    failed: list[str] = field(default_factory=list)  # pytest's FAILED / ERROR lines


def contracts_command() -> list[str]:
    """The console script beside this interpreter, else on PATH, else its module."""
    beside = Path(sys.executable).parent / "mem0-contracts"
    if beside.exists() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("mem0-contracts")
    return [found] if found else python_cmd("contracts.cli")


def measure_contracts(extra_args: list[str] | None = None, command: list[str] | None = None) -> ContractsResult:
    """Run the suite as a subprocess (no URL: it starts its own mock) and time it.

    `command` replaces the suite (the smoke test times a stand-in, not the real suite).
    """
    command = command or [*contracts_command(), "-q", "--durations=8", *(extra_args or [])]
    return _timed(command, Path(command[0]).name)


def _timed(command: list[str], shown_program: str) -> ContractsResult:
    """Run `command` from the repository root with the harness's environment, and time it."""
    began = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=subprocess_env(), cwd=REPO_ROOT
    )
    seconds = time.perf_counter() - began
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else "(no output)"
    shown = " ".join([shown_program, *command[1:]])
    return ContractsResult(shown, seconds, done.returncode, summary, _durations_block(lines), _failed(lines))


def _failed(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(("FAILED ", "ERROR "))][:20]


def _durations_block(lines: list[str]) -> str:
    start = next((i for i, line in enumerate(lines) if "slowest" in line and "durations" in line), None)
    if start is None:
        return ""
    block = []
    for line in lines[start + 1 :]:
        if line.startswith("="):
            break
        block.append(line)
    return "\n".join(block)


def measure_test_command(extra_args: list[str] | None = None, command: list[str] | None = None) -> ContractsResult:
    """The README's test command, run from the repository root with the harness's environment.

    `--durations=15` only adds the slowest tests to its report (the profile of a miss).
    `command` replaces it (the smoke test times a stand-in).
    """
    command = command or [sys.executable, "-m", "pytest", "--durations=15", *(extra_args or [])]
    return _timed(command, "python" if Path(command[0]) == Path(sys.executable) else Path(command[0]).name)
