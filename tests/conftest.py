"""Shared fixtures: a strict mock app, and live strict mocks served by waitress."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

from mock_server.server import MockConfig, create_app
from mock_server.server.serving import BackgroundServer

os.environ.setdefault("MEM0_TELEMETRY", "False")
pytest_plugins = ("pytester",)

KEY_A = "m0-test-key-alpha"
KEY_B = "m0-test-key-bravo"


@pytest.fixture(scope="session")
def strict_app():
    """The project's own tests run the mock in strict mode: a spec violation is a 500."""
    return create_app(MockConfig(strict=True))


@pytest.fixture
def client(strict_app):
    strict_app.extensions["mem0_mock"].service.reset()
    return strict_app.test_client()


@pytest.fixture(scope="session")
def live_server() -> Iterator[BackgroundServer]:
    """A strict mock that knows exactly two keys, on a free port."""
    app = create_app(MockConfig(strict=True, api_keys=frozenset({KEY_A, KEY_B})))
    with BackgroundServer(app) as server:
        yield server


@pytest.fixture
def live(live_server: BackgroundServer) -> Iterator[BackgroundServer]:
    requests.post(f"{live_server.url}/_mock/reset", json={}, timeout=10).raise_for_status()
    yield live_server
    violations = requests.get(f"{live_server.url}/_mock/requests?violations=1", timeout=10).json()
    problems = [v for entry in violations["requests"] for v in entry["violations"] if not v.startswith("request:")]
    assert not problems, f"the mock violated its spec: {problems}"


def auth(key: str = KEY_A) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}
