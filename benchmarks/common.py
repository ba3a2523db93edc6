"""Shared constants and small helpers, so every benchmark measures the same workload."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-key"
HOST = "127.0.0.1"
SEED = 7

# Questions a chat app asks about its user; they reach the demo texts' stems and categories.
QUERIES: tuple[str, ...] = (
    "What food do I like?",
    "Where do I work?",
    "What are my hobbies?",
    "Which movies do I enjoy?",
    "Am I allergic to anything?",
    "What music do I listen to?",
    "Where do I live?",
    "Do I have any pets?",
)
# get-all v2 narrows one user's memories by category and date, as a memory browser does.
GETALL_CATEGORIES: tuple[str, ...] = ("food", "hobbies", "travel", "entertainment", "health", "music")
GETALL_SINCE = "2025-01-01"


def getall_filter(user_id: str, category: str) -> dict:
    """The v2 filter get-all sends: one user, one category, memories since a date."""
    return {"AND": [{"user_id": user_id}, {"categories": {"in": [category]}}, {"created_at": {"gte": GETALL_SINCE}}]}


def search_filter(user_id: str) -> dict:
    return {"user_id": user_id}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def subprocess_env() -> dict[str, str]:
    """Environment for child processes: the repo importable, no telemetry."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MEM0_TELEMETRY", "False")
    return env


def python_cmd(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def cpu_count() -> int:
    """Cores this process may run on (affinity), which is what bounds the benchmarks."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
