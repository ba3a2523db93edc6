"""`mem0-contracts` end to end: it passes on the project's own mock and fails on a wrong key.

Runs the console script in a subprocess from a scratch directory, as a user would, so the
installed package (spec, plugin, suites) is what gets exercised, not this checkout's cwd.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_server.server import MockConfig, create_app
from mock_server.server.serving import BackgroundServer
from spec import load_spec

OPERATION_IDS = [
    op["operationId"]
    for methods in load_spec()["paths"].values()
    for op in methods.values()
    if isinstance(op, dict) and "operationId" in op
]
TABLE_TITLE = "mem0 contract checks per operation"


def command() -> list[str]:
    script = Path(sys.executable).with_name("mem0-contracts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "contracts.cli"]


def run(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEM0_")}
    env["MEM0_TELEMETRY"] = "False"
    return subprocess.run([*command(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def table_rows(output: str) -> dict[str, list[int]]:
    """The per-operation table: operationId -> [checks, passed, failed, skipped]."""
    lines = output.split(TABLE_TITLE, 1)[1].splitlines()
    rows = {}
    for line in lines[2:]:
        parts = line.split()
        if len(parts) < 5 or not parts[1].isdigit():
            break
        rows[parts[0]] = [int(x) for x in parts[1:5]]
    return rows


@pytest.fixture(scope="module")
def key_only_mock() -> Iterator[BackgroundServer]:
    """A mock that knows exactly one key, "k"."""
    with BackgroundServer(create_app(MockConfig(api_keys=frozenset({"k"})))) as server:
        yield server


def test_passes_on_its_own_mock(tmp_path: Path) -> None:
    junit = tmp_path / "contracts.xml"
    result = run([f"--junitxml={junit}", "-q"], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert TABLE_TITLE in output, output[-3000:]
    rows = table_rows(output)
    assert set(OPERATION_IDS) <= set(rows), f"missing from the table: {set(OPERATION_IDS) - set(rows)}"
    for op in OPERATION_IDS:
        checks, passed, failed, _ = rows[op]
        assert checks > 0 and failed == 0 and passed == checks, f"{op}: {rows[op]}"

    suite = ET.parse(junit).getroot()
    cases = list(suite.iter("testcase"))
    assert len(cases) > len(OPERATION_IDS), f"only {len(cases)} test cases in the JUnit report"
    names = " ".join(case.get("name", "") for case in cases)
    for op in OPERATION_IDS:
        assert f"test_shape[{op}:" in names, f"no JUnit test case names {op}"
    assert not list(suite.iter("failure")) and not list(suite.iter("error"))
    assert not (tmp_path / ".pytest_cache").exists()


def test_fails_with_a_wrong_key(tmp_path: Path, key_only_mock: BackgroundServer) -> None:
    junit = tmp_path / "wrong-key.xml"
    args = ["--base-url", key_only_mock.url, "--api-key", "not-the-key", f"--junitxml={junit}", "-q"]
    result = run([*args, "-k", "test_shape and (ping or getMemory or addMemories)"], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    assert "[ping] positive_data_acceptance" in output, output[-4000:]
    assert "[401]" in output and "Invalid API key" in output, output[-4000:]
    rows = table_rows(output)
    assert rows["ping"][2] > 0 and rows["addMemories"][2] > 0, rows
    failures = [f.get("message", "") for f in ET.parse(junit).getroot().iter("failure")]
    assert any(m.startswith("AssertionError: [ping] positive_data_acceptance") for m in failures), failures


def test_help_names_the_target_options(tmp_path: Path) -> None:
    result = run(["--help"], cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    for option in ("--base-url", "--api-key", "--second-api-key", "--surface", "--webhook-receiver"):
        assert option in result.stdout
