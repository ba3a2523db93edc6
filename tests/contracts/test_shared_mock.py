"""mem0-contracts without a target starts one mock for the run, and each worker takes a pair
of its keys (two tenants of its own); a key, a URL or an admin token leaves the mocks to the
plugin, as plain pytest runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from contracts.cli import SHARED_KEY_PAIRS, SHARED_MOCK_ENV, _start_shared_mock
from contracts.plugin import _shared_mock_url


def test_one_mock_knows_a_pair_of_keys_per_worker(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    shared_mock = _start_shared_mock(["-q"], env, tmp_path / "mock.json")
    try:
        shared = json.loads(env[SHARED_MOCK_ENV])
        pairs = shared["keys"]
        url = _shared_mock_url(Path(shared["file"]))  # waits for the mock, as each worker does
        assert url == shared_mock.mock.url and len(pairs) == SHARED_KEY_PAIRS
        assert len({key for pair in pairs for key in pair}) == 2 * SHARED_KEY_PAIRS
        for key in pairs[0] + pairs[-1]:
            ping = requests.get(f"{url}/v1/ping/", headers={"Authorization": f"Token {key}"}, timeout=10)
            assert ping.status_code == 200
        stranger = requests.get(f"{url}/v1/ping/", headers={"Authorization": "Token m0-other"}, timeout=10)
        assert stranger.status_code == 401
    finally:
        shared_mock.stop()


def test_a_given_target_key_or_token_leaves_the_mocks_to_the_plugin(tmp_path: Path) -> None:
    for argv, env in (
        (["--base-url", "http://127.0.0.1:9"], {}),
        (["--api-key", "k"], {}),
        ([], {"MEM0_API_KEY": "k"}),
        ([], {"MEM0_MOCK_ADMIN_TOKEN": "t"}),
        (["--mem0-admin-token", "t"], {}),
    ):
        assert _start_shared_mock(argv, env, tmp_path / "mock.json") is None and SHARED_MOCK_ENV not in env


def test_a_mock_that_did_not_start_ends_the_run_saying_why(tmp_path: Path) -> None:
    where = tmp_path / "mock.json"
    where.write_text(json.dumps({"error": "the suite's mock did not start: port in use"}), encoding="utf-8")
    with pytest.raises(pytest.exit.Exception, match="port in use") as ended:
        _shared_mock_url(where)
    assert ended.value.returncode == 3
