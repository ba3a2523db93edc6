"""`mem0-mock` as users start it, and the wheel that must carry the spec."""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import requests

from mock_server.server.cli import main
from tests.processes import mock_command, running_mock

ROOT = Path(__file__).resolve().parents[2]


def test_mem0_mock_accepts_any_key_by_default_and_says_so():
    with running_mock() as (url, process):
        for key in ("first", "second"):
            reply = requests.get(f"{url}/v1/ping/", headers={"Authorization": f"Token {key}"}, timeout=5)
            assert reply.status_code == 200 and reply.json()["status"] == "ok"
        process.terminate()
        banner = process.communicate(timeout=10)[0]
    assert f"serving on {url}" in banner
    assert f"dashboard: {url}/dashboard/" in banner
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


def test_port_in_use_is_one_clear_error_before_any_banner():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run(
            [*mock_command(), "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 1
    assert result.stderr.count("cannot listen") == 1, result.stderr
    assert "serving" not in result.stdout + result.stderr


def test_a_port_out_of_range_is_refused():
    result = subprocess.run([*mock_command(), "--port", "99999"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "99999 is not a port number (1-65535)" in result.stderr and "serving" not in result.stdout
    for port in ("0", "http"):
        with pytest.raises(SystemExit) as exit_info:
            main(["--port", port])
        assert exit_info.value.code == 2


def test_version():
    result = subprocess.run([*mock_command(), "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert result.stdout.strip() == f"mem0-mock {version('mem0-contract')}"


def test_start_flags_clock_seed_faults_journal_size_and_admin_token(tmp_path: Path):
    rules = tmp_path / "faults.yaml"
    rules.write_text("- path: /v1/ping/\n  api_key: m0-flaky\n  status: 503\n  times: 1\n")
    token = f"adm-{secrets.token_hex(4)}"
    flags = ["--clock", "2025-01-01T00:00:00Z", "--seed", "3", "--faults", str(rules), "--journal-size", "2",
             "--admin-token", token]
    with running_mock(*flags) as (url, process):
        admin = {"X-Mem0-Mock-Admin": token}
        assert requests.get(f"{url}/_mock/state", timeout=5).status_code == 401
        clock = requests.get(f"{url}/_mock/clock", headers=admin, timeout=5).json()
        assert clock == {"now": "2025-01-01T00:00:00Z", "frozen": True}
        flaky = {"Authorization": "Token m0-flaky"}
        assert [requests.get(f"{url}/v1/ping/", headers=flaky, timeout=5).status_code for _ in range(3)] == [
            503, 200, 200
        ]
        journal = requests.get(f"{url}/_mock/requests", headers=admin, timeout=5).json()
        assert journal["count"] == 2 and journal["dropped"] == 1
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "clock frozen at 2025-01-01T00:00:00Z" in output and "1 fault rule(s) loaded" in output
    assert "ids seeded (3)" in output
    assert "needs the admin token in the X-Mem0-Mock-Admin header" in output
    assert re.search(r"GET /v1/ping/ 503 [\d.]+ms fault=f1\n", output), output
    assert re.search(r"GET /v1/ping/ 200 [\d.]+ms\n", output), output
    assert token not in output and "m0-flaky" not in output


def test_bad_start_files_and_instants_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    rules = tmp_path / "faults.json"
    rules.write_text('[{"path": "ping", "status": 500}, {"path": "ping", "status": 99}]')
    for argv, message in (
        (["--faults", str(rules)], 'rule 2: {"status": ["Must be between 200 and 599."]}'),
        (["--faults", str(tmp_path / "missing.yaml")], "cannot read fault rules"),
        (["--clock", "tomorrow"], "'tomorrow' is not a date-time"),
        (["--journal-size", "0"], "must be at least 1"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


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
    static = ROOT / "mock_server/server/dashboard/static"  # the dashboard works offline: all of it ships
    shipped = {path.relative_to(ROOT).as_posix() for path in static.rglob("*") if path.is_file()}
    assert "mock_server/server/dashboard/static/vendor/swagger-ui/swagger-ui-bundle.js" in shipped
    assert shipped <= set(names), sorted(shipped - set(names))
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "mem0-mock = mock_server.server.cli:main" in text and "mem0-contracts = contracts.cli:main" in text
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
