"""One headless Chromium for the whole session, one live mock per module, a fresh browser
context per test that fails the test on a console error or a request to another host."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from mock_server.server import MockConfig, create_app
from mock_server.server.serving import BackgroundServer
from tests.dashboard.browser import MISSING, chromium_path, launch

SERIOUS = ("serious", "critical")


@functools.cache
def axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A missing browser fails these tests (never skips them): the dashboard is part of the product."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(MISSING, pytrace=False)
    if chromium_path() is None:  # before Playwright starts: one may already run in this process
        pytest.fail(MISSING, pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = launch(playwright)
        except RuntimeError as error:
            pytest.fail(str(error), pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def mock() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(MockConfig(strict=True, seed=5))) as live:
        yield live


@dataclass
class Dashboard:
    """A page on the dashboard of a live mock, and what it saw go wrong."""

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    off_host: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> Any:
        self.page.goto(self.url + path)
        return self.page

    def api(self, method: str, path: str, key: str, **kwargs: Any) -> requests.Response:
        reply = requests.request(method, self.url + path, headers={"Authorization": f"Token {key}"}, timeout=10,
                                 **kwargs)
        assert reply.status_code < 300, reply.text
        return reply

    def add(self, text: str, key: str, user: str = "alex", **extra: Any) -> str:
        body = {"messages": [{"role": "user", "content": text}], "user_id": user, "infer": False, **extra}
        return self.api("POST", "/v1/memories/", key, json=body).json()[0]["id"]

    def check_accessibility(self, name: str) -> None:
        """axe-core (as axe-playwright-python ships it) on the page as it is: no serious or critical
        violation. It is injected once per document: the dashboard changes pages without loading one."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(axe_script())
        found = self.page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in SERIOUS
        ]
        assert not serious, f"axe on {name}: {serious}"


def watch(page: Any, base_url: str, board: Dashboard) -> None:
    host = urlsplit(base_url).netloc
    page.on("console", lambda message: message.type == "error" and board.console_errors.append(message.text))
    page.on("pageerror", lambda error: board.console_errors.append(f"uncaught: {error}"))

    def leaving(request: Any) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != host:
            board.off_host.append(request.url)

    page.on("request", leaving)


@pytest.fixture
def dashboard(browser: Any, mock: BackgroundServer) -> Iterator[Dashboard]:
    requests.post(f"{mock.url}/_mock/reset", timeout=10).raise_for_status()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(5000)
    page = context.new_page()
    board = Dashboard(page, mock.url)
    watch(page, mock.url, board)
    yield board
    context.close()
    assert not board.console_errors, f"console errors: {board.console_errors}"
    assert not board.off_host, f"requests to another host: {board.off_host}"
