"""The contract suite must fail on every deliberately broken mock, and say where and why.

Each variant (see tests/contracts/broken_mock.py) is served by a process of its own; the checks
of the suite module that cover that kind of defect (`pytest --pyargs contracts.suites.<module>
-k <subset> --mem0-base-url ...`) run against it and must exit non-zero with the failing operation
and check in their output. The unbroken mock passing the whole suite is tested in
tests/contracts/test_contracts_cli.py. The selected variants run two at a time (each run
mostly waits on its mock), then each test judges its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

# variant -> (suite module, operation the failure must name, check the failure must name[, -k subset]).
# Only the checks that judge the defect run, to keep the time small.
EXPECTED: dict[str, tuple[str, ...]] = {
    "missing_required_field": ("test_stateful", "getMemory", "response_schema_conformance"),
    "wrong_type": ("test_stateful", "getMemory", "response_schema_conformance"),
    "wrong_status_code": ("test_stateful", "deleteMemory", "status_code_conformance"),
    "server_error_on_bad_input": ("test_shape", "addMemories", "not_a_server_error",
                                  "test_shape and addMemories and not V3 and not credentials"),
    "or_as_and": ("test_filters", "getMemoriesV2", r"\bOR\b", "test_get_all_operator"),
    "ne_ignored": ("test_filters", "getMemoriesV2", r"\bne\b", "test_get_all_operator"),
    "icontains_case_sensitive": ("test_filters", "getMemoriesV2", "icontains", "test_get_all_operator"),
    "dates_compared_as_strings": ("test_filters", "getMemoriesV2", "created_at", "test_get_all_operator"),
    "top_k_ignored": ("test_filters", "searchMemoriesV2", "top_k", "test_search_top_k"),
    "threshold_ignored": ("test_filters", "searchMemoriesV2", "threshold", "test_search_threshold"),
    "page_repeats_an_item": ("test_filters", "getMemoriesV2", "page", "pages"),
    "history_not_recorded": ("test_lifecycle", "getMemoryHistory", "history", "history"),
    "keys_share_data": ("test_lifecycle", "getMemory", "isolation", "another_key"),
    # today's API (v3)
    "v3_default_threshold_03": ("test_filters_v3", "searchMemoriesV3", "default threshold", "default_threshold"),
    "v3_default_threshold_0": ("test_filters_v3", "searchMemoriesV3", "default threshold", "default_threshold"),
    "v3_show_expired_ignored": ("test_filters_v3", "getMemoriesV3", "show_expired", "show_expired"),
    "v3_dedupe_missing": ("test_lifecycle_v3", "addMemoriesV3", "dedupe", "dedupe"),
    "v3_inference_overwrites": ("test_lifecycle_v3", "addMemoriesV3", "additive inference", "additive"),
    "v3_events_stuck_pending": ("test_lifecycle_v3", "getEvent", "leaves PENDING", "queued_add"),
}


@contextmanager
def broken_mock(variant: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.contracts.broken_mock", variant],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"broken mock {variant} did not start"
        yield url
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def run_contracts(url: str, module: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "--pyargs", f"contracts.suites.{module}",
            "--mem0-base-url", url, "--mem0-api-key", "m0-broken-one", "--mem0-second-api-key", "m0-broken-two",
            "--mem0-max-wait", "2",  # a local mock answers at once: a missing write will not appear later
            "-q", "-n", "0", "-p", "no:cacheprovider", *extra,  # one process: variants already run side by side
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_variant(variant: str) -> subprocess.CompletedProcess[str]:
    module, _, _, *selection = EXPECTED[variant]
    with broken_mock(variant) as url:
        return run_contracts(url, module, *(("-k", selection[0]) if selection else ()))


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> dict[str, subprocess.CompletedProcess[str]]:
    """The suite's runs against every variant this session selected, two at a time."""
    selected = [
        item.callspec.params["variant"]
        for item in request.session.items
        if item.module is sys.modules[__name__] and hasattr(item, "callspec") and "variant" in item.callspec.params
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(selected, pool.map(run_variant, selected), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_the_suite_catches_the_defect_and_names_it(variant: str, outcomes: dict[str, Any]):
    _, operation, check, *_ = EXPECTED[variant]
    result = outcomes[variant]
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"{variant}: the suite passed (exit {result.returncode})\n{output[-3000:]}"
    failures = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR", "E "))]
    named = "\n".join(failures)
    assert operation in named, f"{variant}: no failure names {operation}\n{named[:3000]}"
    assert re.search(check, named), f"{variant}: no failure names the check {check!r}\n{named[:3000]}"
    summary = re.search(rf"^{operation}\s+\d+\s+\d+\s+(\d+)", output, re.MULTILINE)
    assert summary and int(summary.group(1)) > 0, f"{variant}: the per-operation table shows no failure"
