"""The suite's own mock in a process of its own (contracts.mock_process): it serves once
started, leaves nothing behind when stopped or when the suite dies, and says why when it
cannot start."""

from __future__ import annotations

import os
import time

import pytest
import requests

from contracts.mock_process import MockProcess, MockStartError, granian_available

pytestmark = pytest.mark.skipif(not granian_available(), reason="granian is not installed")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serves_once_started_and_leaves_no_process_when_stopped() -> None:
    mock = MockProcess(api_keys=frozenset({"k1"}), admin_token="t0k").start()
    pgid = mock._process.pid
    try:
        ping = f"{mock.url}/v1/ping/"
        assert requests.get(ping, headers={"Authorization": "Token k1"}, timeout=10).ok
        assert requests.get(ping, headers={"Authorization": "Token k2"}, timeout=10).status_code == 401
        assert requests.get(f"{mock.url}/_mock/state", timeout=10).status_code in (401, 403)  # the token is needed
    finally:
        mock.stop()
    assert not group_alive(pgid)


def test_ends_when_the_suite_goes_away() -> None:
    """The suite holds the mock's standard input: when it closes (the suite ended, even by
    kill -9), the mock and granian's worker end."""
    mock = MockProcess(api_keys=frozenset({"k1"})).start()
    process, pgid = mock._process, mock._process.pid
    process.stdin.close()
    process.wait(timeout=20)
    deadline = time.monotonic() + 10
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(pgid)
    mock.stop()


def test_a_mock_that_cannot_start_says_why() -> None:
    class Broken(MockProcess):
        def _command(self, port: int) -> list[str]:
            return [*super()._command(port), "--load", "/nonexistent/state.yaml"]

    with pytest.raises(MockStartError, match=r"(?s)did not start.*cannot read /nonexistent/state.yaml"):
        Broken(api_keys=frozenset({"k1"})).start()
