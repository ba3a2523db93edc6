"""cProfile helpers: a missed target ships with the functions that bound it."""

from __future__ import annotations

import cProfile
import pstats
import site
import sysconfig
from collections.abc import Callable
from pathlib import Path

from .common import REPO_ROOT

_PREFIXES = sorted(
    {str(REPO_ROOT) + "/", *(p + "/" for p in site.getsitepackages()), sysconfig.get_paths()["stdlib"] + "/"},
    key=len,
    reverse=True,
)


def _where(key: tuple[str, int, str]) -> str:
    filename, line, func = key
    if filename == "~":
        return func  # a builtin, e.g. <method 'sort' of 'list' objects>
    for prefix in _PREFIXES:
        if filename.startswith(prefix):
            filename = filename[len(prefix) :]
            break
    return f"{filename}:{line}({func})"


Key = tuple[str, int, str]
Part = tuple[str, Callable[[Key], bool]]


def in_file(suffix: str, *functions: str) -> Callable[[Key], bool]:
    """Matches profile entries of a file (by path suffix), optionally only the named functions."""
    return lambda key: key[0].endswith(suffix) and (not functions or key[2] in functions)


def builtin(name: str) -> Callable[[Key], bool]:
    return lambda key: key[0] == "~" and name in key[2]


# Where a served request's profiled time goes (the mock's pipeline, see mock_server/server/app.py).
SERVED_PARTS: list[Part] = [
    ("request validation (jsonschema: openapi.py check_body, parse_parameters)",
     in_file("mock_server/server/openapi.py", "check_body", "parse_parameters")),
    ("handler incl. engine and rendering (api/)", in_file("mock_server/api/")),
    ("JSON body parsing (app.py parse_json_body)", in_file("mock_server/server/app.py", "parse_json_body")),
    ("response encoding (wire.py json_response)", in_file("mock_server/server/wire.py", "json_response")),
    ("request journal (journal.py Journal.record)", in_file("mock_server/server/journal.py", "record")),
]
# Where an in-process search / get-all call's time goes.
QUERY_PARTS: list[Part] = [
    ("scoring (search.py SearchIndex.scores)", in_file("mock_server/engine/search.py", "scores")),
    ("filter predicate (filters.py closures)", in_file("mock_server/engine/filters.py")),
    ("sorting (list.sort with store.py listing_key)", builtin("'sort' of 'list'")),
    ("rendering (api/common.py memory_json)", in_file("mock_server/api/common.py", "memory_json")),
]


def breakdown(stats: pstats.Stats, parts: list[Part]) -> list[str]:
    """Share of the total under each part (the largest cumulative time among its entries)."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(getattr(stats, "total_tt", 0.0), 1e-12)
    lines = []
    for label, matches in parts:
        cumulative = max((value[3] for key, value in raw.items() if matches(key)), default=0.0)
        lines.append(f"{100 * cumulative / total:5.1f}%  {label}")
    return lines


def format_stats(stats: pstats.Stats, limit: int = 14, title: str = "", parts: list[Part] | None = None) -> str:
    """A breakdown by part, then top functions by own and by cumulative time, as text."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(getattr(stats, "total_tt", 0.0), 1e-12)
    lines = [title] if title else []
    lines.append(f"total profiled time {total:.3f} s")
    if parts:
        lines.append("-- where the time goes (cumulative share; parts may nest)")
        lines += breakdown(stats, parts)
    for label, column in (("own time (tottime)", 2), ("cumulative time (cumtime)", 3)):
        lines.append(f"-- top {limit} by {label}")
        lines.append(f"{'ncalls':>9} {'tottime':>8} {'cumtime':>8} {'%tot':>5}  function")
        ranked = sorted(raw.items(), key=lambda item: item[1][column], reverse=True)[:limit]
        for key, (_cc, ncalls, tottime, cumtime, _callers) in ranked:
            share = 100 * (tottime if column == 2 else cumtime) / total
            lines.append(f"{ncalls:>9} {tottime:>8.3f} {cumtime:>8.3f} {share:>5.1f}  {_where(key)}")
    return "\n".join(lines)


def profile_calls(
    call: Callable[[int], object], count: int, title: str = "", parts: list[Part] | None = None
) -> str:
    """Profile `count` calls of `call(i)` and format the result."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        call(i)
    profiler.disable()
    return format_stats(pstats.Stats(profiler), title=title, parts=parts)


def load_stats(path: Path, title: str = "", parts: list[Part] | None = None) -> str:
    return format_stats(pstats.Stats(str(path)), title=title, parts=parts)
