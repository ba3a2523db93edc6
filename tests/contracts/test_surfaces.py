"""`--surface`: a server with only one of the two APIs can still be checked on what it has.

A subset of the suite runs against partial mocks (`tests/contracts/broken_mock.py`: `only_v3`,
`only_v1v2`, whose other API answers 404). The `-k` selection names checks of both APIs: those
of the missing one would fail there, so the run passes only if `--surface` deselected them, and
the mock's journal must show no call to an operation it lacks.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from contracts.plugin import V1V2_OPERATIONS, operation_surface
from tests.contracts.test_broken_variants import broken_mock


def pytest_contracts(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contracts", "-q", "-p", "no:cacheprovider", *args],
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
# (partial server, surface, a `-k` selection over checks of both APIs: shape of shared and of one
# API's operations, seeded filters of v2 and v3, and lifecycles of both)
PARTIAL = [
    ("only_v3", "v3",
     "test_shape and (getMemory or deleteEntityById or addMemories) and not credentials"
     " or test_filters and (show_expired or user_id-eq)"
     " or test_lifecycle and (dedupe or numeric or webhooks or delete_all_removes)"),
    ("only_v1v2", "v1v2",
     "test_shape and (getMemory or deleteMemories or addMemories) and not credentials"
     " or test_filters and user_id-eq or test_lifecycle and (delete_all or dedupe)"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "surface", "selection"), PARTIAL, ids=[p[0] for p in PARTIAL])
def test_a_server_of_one_api_passes_on_its_surface(variant: str, surface: str, selection: str) -> None:
    with broken_mock(variant) as url:
        requests.delete(f"{url}/_mock/requests", timeout=10)
        result = pytest_contracts("--base-url", url, "--api-key", "m0-partial", "--second-api-key", "m0-other",
                                  "--max-wait", "2", "--surface", surface, "-k", selection)
        requested = _requested(url)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "deselected" in output, output[-3000:]
    lacking = {op for op in requested if (op in V1V2_OPERATIONS) if surface == "v3"} | {
        op for op in requested if surface == "v1v2" and operation_surface(op) == "v3"
    }
    assert not lacking, f"--surface {surface} called operations the server lacks: {sorted(lacking)}"
    assert 200 in requested.get("getMemory", set()), f"getMemory never reached a real memory: {requested}"
