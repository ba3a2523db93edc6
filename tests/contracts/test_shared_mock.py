"""mem0-contracts without a target starts one mock for the run, and each worker takes a pair
of its keys (two tenants of its own); a key, a URL or an admin token leaves the mocks to the
plugin, as plain pytest runs them."""

from __future__ import annotations

import json

import requests

from contracts.cli import SHARED_KEY_PAIRS, SHARED_MOCK_ENV, _start_shared_mock


def test_one_mock_knows_a_pair_of_keys_per_worker() -> None:
    env: dict[str, str] = {}
    mock = _start_shared_mock(["-q"], env)
    try:
        shared = json.loads(env[SHARED_MOCK_ENV])
        pairs = shared["keys"]
        assert shared["url"] == mock.url and len(pairs) == SHARED_KEY_PAIRS
        assert len({key for pair in pairs for key in pair}) == 2 * SHARED_KEY_PAIRS
        for key in pairs[0] + pairs[-1]:
            ping = requests.get(f"{mock.url}/v1/ping/", headers={"Authorization": f"Token {key}"}, timeout=10)
            assert ping.status_code == 200
        stranger = requests.get(f"{mock.url}/v1/ping/", headers={"Authorization": "Token m0-other"}, timeout=10)
        assert stranger.status_code == 401
    finally:
        mock.stop()


def test_a_given_target_key_or_token_leaves_the_mocks_to_the_plugin() -> None:
    for argv, env in (
        (["--base-url", "http://127.0.0.1:9"], {}),
        (["--api-key", "k"], {}),
        ([], {"MEM0_API_KEY": "k"}),
        ([], {"MEM0_MOCK_ADMIN_TOKEN": "t"}),
        (["--mem0-admin-token", "t"], {}),
    ):
        assert _start_shared_mock(argv, env) is None and SHARED_MOCK_ENV not in env
