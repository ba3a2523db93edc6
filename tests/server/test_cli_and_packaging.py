"""`mem0-mock` as users start it, and the wheel that must carry the spec."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock_command() -> list[str]:
    script = shutil.which("mem0-mock", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "mock_server"]


@contextmanager
def running_mock(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(
        [*mock_command(), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/_mock/state", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"mem0-mock did not start: {process.stdout.read()}") from None
                time.sleep(0.05)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_mem0_mock_accepts_any_key_by_default_and_says_so():
    with running_mock() as (url, process):
        for key in ("first", "second"):
            reply = requests.get(f"{url}/v1/ping/", headers={"Authorization": f"Token {key}"}, timeout=5)
            assert reply.status_code == 200 and reply.json()["status"] == "ok"
        process.terminate()
        banner = process.communicate(timeout=10)[0]
    assert f"serving on {url}" in banner
    assert "any non-empty API key is accepted" in banner


def test_configured_keys_refuse_others():
    with running_mock("--api-key", "m0-good", env={"MEM0_API_KEY": ""}) as (url, _):
        good = requests.get(f"{url}/v1/ping/", headers={"Authorization": "Token m0-good"}, timeout=5)
        bad = requests.get(f"{url}/v1/ping/", headers={"Authorization": "Token m0-bad"}, timeout=5)
    assert good.status_code == 200
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid API key."}


def test_mem0_api_key_environment_variable_configures_the_key():
    with running_mock(env={"MEM0_API_KEY": "m0-env"}) as (url, _):
        assert requests.get(f"{url}/v1/ping/", headers={"Authorization": "Token m0-env"}, timeout=5).ok
        other = requests.get(f"{url}/v1/ping/", headers={"Authorization": "Token other"}, timeout=5)
    assert other.status_code == 401


def test_demo_preloads_a_populated_service():
    with running_mock("--demo") as (url, _):
        headers = {"Authorization": "Token newcomer"}
        alex = requests.post(f"{url}/v2/memories/", json={"filters": {"user_id": "alex"}}, headers=headers, timeout=5)
        entities = requests.get(f"{url}/v1/entities/", headers=headers, timeout=5).json()
        found = requests.post(
            f"{url}/v2/memories/search/",
            json={"query": "What can I cook for dinner tonight?", "filters": {"OR": [{"user_id": "alex"}]}},
            headers=headers,
            timeout=5,
        ).json()
    texts = {memory["memory"] for memory in alex.json()}
    assert {"Name is Alex", "Is a vegetarian"} <= texts
    assert entities["total_users"] >= 20 and entities["total_agents"] >= 3
    assert {"Is a vegetarian", "Is allergic to nuts"} <= {m["memory"] for m in found[:3]}


def test_port_in_use_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run(
            [*mock_command(), "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode != 0
    assert "cannot listen" in result.stderr


@pytest.mark.slow
def test_the_wheel_ships_the_spec(tmp_path: Path):
    """A non-editable install must be able to serve the spec, so the wheel must carry it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("mem0_contract-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "spec/openapi.yaml" in names
    wanted = {"mock_server/server/app.py", "mock_server/engine/service.py", "contracts/plugin.py",
              "contracts/suites/test_filters.py"}
    assert wanted <= set(names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "mem0-mock = mock_server.server.cli:main" in text and "mem0-contracts = contracts.cli:main" in text
