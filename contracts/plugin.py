"""The pytest plugin: target options for the contract suite, and a `mem0_mock` fixture.

Installed as a `pytest11` entry point, so any project with this package installed gets
`--base-url` / `--api-key` (or `MEM0_BASE_URL` / `MEM0_API_KEY`) and the fixture. It
imports nothing heavy at load time: the mock starts only when a test asks for it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests


@dataclass
class LiveMock:
    """A mock served on a free port: its URL, a key, and its harness endpoints."""

    url: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.api_key}"}

    def reset(self) -> None:
        requests.post(f"{self.url}/_mock/reset", json={}, timeout=10).raise_for_status()

    def requests(self, violations_only: bool = False) -> list[dict[str, Any]]:
        params = {"violations": "1"} if violations_only else {}
        response = requests.get(f"{self.url}/_mock/requests", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["requests"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mem0", "Mem0 API contract suite")
    group.addoption(
        "--base-url",
        dest="mem0_base_url",
        default=os.environ.get("MEM0_BASE_URL"),
        help="implementation to check (default: MEM0_BASE_URL, else a mock started on a free port)",
    )
    group.addoption(
        "--api-key",
        dest="mem0_api_key",
        default=os.environ.get("MEM0_API_KEY"),
        help="API key for the target (default: MEM0_API_KEY)",
    )
    group.addoption(
        "--second-api-key",
        dest="mem0_second_api_key",
        default=os.environ.get("MEM0_SECOND_API_KEY"),
        help="a second key of another tenant, for the isolation checks (default: MEM0_SECOND_API_KEY;"
        " generated for the suite's own mock)",
    )


@dataclass
class Target:
    """The implementation under test: where it is, the key to use, and whether we started it."""

    base_url: str
    api_key: str
    mock: LiveMock | None = None
    second_api_key: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.api_key}"}

    @property
    def is_own_mock(self) -> bool:
        return self.mock is not None


def start_mock(strict: bool = False):
    """Start a mock on a free port; returns the running BackgroundServer."""
    from mock_server.app import MockConfig, create_app
    from mock_server.serving import BackgroundServer

    return BackgroundServer(create_app(MockConfig(strict=strict))).start()


@pytest.fixture(scope="session")
def _mem0_mock_server() -> Iterator[Any]:
    server = start_mock()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    """The target from --base-url/--api-key, else the session's own mock (started lazily)."""
    base_url = request.config.getoption("mem0_base_url")
    api_key = request.config.getoption("mem0_api_key")
    second = request.config.getoption("mem0_second_api_key")
    if base_url:
        if not api_key:
            pytest.exit("--api-key (or MEM0_API_KEY) is required with --base-url", returncode=4)
        return Target(base_url.rstrip("/"), api_key, None, second)
    server = request.getfixturevalue("_mem0_mock_server")
    mock = LiveMock(server.url, api_key or f"m0-contracts-{secrets.token_hex(8)}")
    return Target(mock.url, mock.api_key, mock, second or f"m0-contracts-{secrets.token_hex(8)}")


@pytest.fixture
def mem0_mock(_mem0_mock_server: Any) -> Iterator[LiveMock]:
    """A live mock (URL + key) with fresh state for each test."""
    mock = LiveMock(_mem0_mock_server.url, f"m0-test-{secrets.token_hex(8)}")
    mock.reset()
    yield mock
    mock.reset()
