"""`--surface`: a server with only one of the two APIs can still be checked on what it has.

A subset of the suite runs against partial mocks (`tests/contracts/broken_mock.py`: `only_v3`,
`only_v1v2`, whose other API answers 404). The `-k` selection names checks of both APIs: those
of the missing one would fail there, so the run passes only if `--surface` deselected them, and
the mock's journal must show no call to an operation it lacks.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from contracts.plugin import V1V2_OPERATIONS, RunNamespace, Target, is_uuid, operation_surface
from tests.contracts.test_broken_variants import broken_mock


def pytest_contracts(*args: str, modules: tuple[str, ...] = ("contracts",)) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", *modules, "-q", "-n", "0", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def _requested(url: str) -> dict[str, set[int]]:
    """Statuses answered per operation, from the mock's journal (which must have kept every request)."""
    journal = requests.get(f"{url}/_mock/requests", timeout=10).json()["requests"]
    assert len(journal) < JOURNAL_SIZE, "the selection made more requests than the journal keeps"
    found: dict[str, set[int]] = {}
    for entry in journal:
        found.setdefault(entry.get("operation_id") or entry["path"], set()).add(entry["status"])
    return found


JOURNAL_SIZE = 1000
SEMANTIC = tuple(f"contracts.suites.{m}" for m in ("test_filters", "test_filters_v3", "test_lifecycle",
                                                    "test_lifecycle_v3"))
# (partial server, surface, a `-k` selection over checks of both APIs: seeded filters of v2 and
# v3 and lifecycles of both; for today's API also shape, whose shared operations get their
# memories through today's add there; the modules to collect)
PARTIAL = [
    ("only_v3", "v3",
     "test_shape and (getMemory or deleteEntityById or addMemories) and not credentials"
     " or test_filters and (show_expired or user_id-eq)"
     " or test_lifecycle and (dedupe or numeric or webhooks or delete_all_removes)", ("contracts",)),
    ("only_v1v2", "v1v2",
     "test_filters and user_id-eq or test_lifecycle and (delete_all or dedupe)", SEMANTIC),
]


def run_partial(variant: str, surface: str, selection: str, modules: tuple[str, ...]) -> tuple[Any, dict]:
    with broken_mock(variant) as url:
        requests.delete(f"{url}/_mock/requests", timeout=10)
        result = pytest_contracts(
            "--mem0-base-url", url, "--mem0-api-key", "m0-partial", "--mem0-second-api-key", "m0-other",
            "--mem0-max-wait", "2", "--mem0-surface", surface, "-k", selection, modules=modules,
        )
        return result, _requested(url)


@pytest.fixture(scope="module")
def partial_runs() -> dict[str, tuple[Any, dict]]:
    """Both partial servers checked at once (each run mostly waits on its mock)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([p[0] for p in PARTIAL], pool.map(lambda p: run_partial(*p), PARTIAL), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "surface"), [p[:2] for p in PARTIAL], ids=[p[0] for p in PARTIAL])
def test_a_server_of_one_api_passes_on_its_surface(variant: str, surface: str, partial_runs: dict) -> None:
    result, requested = partial_runs[variant]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "deselected" in output, output[-3000:]
    lacking = {op for op in requested if (op in V1V2_OPERATIONS) if surface == "v3"} | {
        op for op in requested if surface == "v1v2" and operation_surface(op) == "v3"
    }
    assert not lacking, f"--surface {surface} called operations the server lacks: {sorted(lacking)}"
    assert 200 in requested.get("getMemory", set()), f"getMemory never reached a real memory: {requested}"


def test_the_run_namespace_stores_through_todays_add_on_v3() -> None:
    """Shape's real memory ids come from today's add when the server has only today's API."""
    with broken_mock("only_v3") as url:
        target = Target(url, "m0-partial")
        assert RunNamespace(target, surface="all").fresh_memory_id() is None  # v1 add is 404 there
        ns = RunNamespace(target, surface="v3")
        memory_id = ns.fresh_memory_id()
        assert is_uuid(memory_id)
        assert requests.get(f"{url}/v1/memories/{memory_id}/", headers=target.headers, timeout=10).status_code == 200
        assert not ns.cleanup()
