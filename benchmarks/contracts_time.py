"""Contract suite: wall time of `mem0-contracts` against the mock it starts itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .common import REPO_ROOT, python_cmd, subprocess_env

TIMEOUT_S = 900


@dataclass
class ContractsResult:
    command: str
    seconds: float
    exit_code: int
    summary: str  # pytest's last line, e.g. "310 passed in 31.4s"
    slowest: str  # pytest's --durations block, for a profile when the target is missed


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
    began = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=subprocess_env(), cwd=REPO_ROOT
    )
    seconds = time.perf_counter() - began
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else "(no output)"
    slowest = _durations_block(lines)
    shown = " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command))
    return ContractsResult(shown, seconds, done.returncode, summary, slowest)


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
