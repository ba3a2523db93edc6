"""Screenshots of every dashboard page for the README: `python -m tests.dashboard.screenshots`.

Starts a demo mock (frozen clock, seeded ids, so the pictures only change when the dashboard
does), makes the requests a user's agent would (adds that update a memory, a search, an
export, a webhook and its deliveries, a fault rule, a request the spec refuses), then
photographs each page in headless Chromium into `docs/screenshots/`.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests
from PIL import Image
from playwright.sync_api import sync_playwright

from contracts.receiver import WebhookReceiver
from mock_server.server import MockConfig, create_app
from mock_server.server.serving import BackgroundServer
from tests.dashboard.browser import launch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
KEY = "m0-demo5f2Kq9Vb1xLr7TgW3nHc8dYe0Z34l"  # shown as m0-*******Z34l, like the seed's dashboard
STAGING_KEY = "m0-stage7Rr2Lm4Qp0Xw9Zs1Vb6Ny3Kd8Q9xy"
VIEWPORT = {"width": 1200, "height": 760}


def seed(url: str, receiver: WebhookReceiver) -> str:
    """What an agent would have done; answers the id of a memory with some history."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {KEY}"

    def call(method: str, path: str, **kwargs: Any) -> Any:
        reply = session.request(method, url + path, timeout=10, **kwargs)
        return reply.json() if reply.content else None

    project = call("GET", "/v1/ping/")["project_id"]
    call("POST", f"/api/v1/webhooks/projects/{project}/",
         json={"name": "memory-sync", "url": receiver.url + "/mem0", "event_types": ["memory_add", "memory_update"]})
    talk = [
        "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts.",
        "I live in Berlin and I love sailing on the lake.",
        "I moved to Lisbon last month.",
    ]
    for text in talk:
        call("POST", "/v1/memories/", json={"messages": [{"role": "user", "content": text}], "user_id": "alex"})
    call("POST", "/v2/memories/search/",
         json={"query": "What can I cook for dinner tonight?", "filters": {"OR": [{"user_id": "alex"}]}})
    call("POST", "/v1/exports/", json={"schema": {"type": "object", "properties": {"memories": {"type": "array"}}},
                                       "filters": {"user_id": "alex"}})
    call("POST", "/v2/memories/search/", json={"query": 42, "filters": {"user_id": "alex"}})  # the spec refuses it
    requests.post(f"{url}/_mock/faults", json={"path": "searchMemoriesV2", "status": 429, "times": 1,
                                               "headers": {"Retry-After": "1"}}, timeout=10)
    call("POST", "/v2/memories/search/", json={"query": "sailing", "filters": {"user_id": "alex"}})  # throttled
    staging = {"Authorization": f"Token {STAGING_KEY}"}  # a second tenant, for the API Keys page
    requests.post(f"{url}/v1/memories/", headers=staging, timeout=10,
                  json={"messages": [{"role": "user", "content": "I prefer dark mode"}], "user_id": "sam"})
    receiver.wait_for(lambda got: len(got) >= 3, timeout=10)
    memories = requests.get(f"{url}/_mock/memories", params={"tenant": _tenant(url), "user_id": "alex"},
                            timeout=10).json()["memories"]
    return next(m["id"] for m in memories if "Lisbon" in m["memory"])


def _tenant(url: str) -> str:
    return requests.get(f"{url}/_mock/tenants", timeout=10).json()["tenants"][0]["tenant"]


def shoot(url: str, memory_id: str, out: Path) -> list[Path]:
    """One PNG per page. Each waits for what it shows (the page polls, so the network is never idle)."""
    shots: list[tuple[str, str, str, Callable[[Any], Any] | None]] = [
        ("requests", "/dashboard/requests", "tr.detail",
         lambda page: page.locator("tbody tr.clickable").filter(has_text="addMemories").first.click()),
        ("memories", "/dashboard/memories", "tbody tr a", None),
        ("memory", f"/dashboard/memories/{memory_id}", "ol.history li", None),
        ("search", "/dashboard/memories?query=What+can+I+cook+for+dinner+tonight%3F&user_id=alex", "td.score", None),
        ("users", "/dashboard/users", "tbody tr a", None),
        ("keys", "/dashboard/keys", "tbody tr", None),
        ("webhooks", "/dashboard/webhooks", ".card tbody tr", None),
        ("exports", "/dashboard/exports", "pre.export-json",
         lambda page: page.get_by_role("button", name="View JSON").click()),
        ("playground", "/dashboard/playground?op=searchMemoriesV2", "#playground-answer h2",
         lambda page: page.get_by_role("button", name="Send").click()),
        ("reference", "/dashboard/reference", ".opblock", None),
        ("faults", "/dashboard/faults", "tbody tr", None),
    ]
    written = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        for name, path, ready, action in shots:
            page.goto(url + path)
            page.locator("#main h1").first.wait_for()
            if action is not None:
                action(page)
            page.locator(ready).first.wait_for()
            if name == "reference":  # past the spec's long description, to its operations
                operations = page.locator(".opblock-tag-section").first
                operations.evaluate("node => { node.scrollIntoView(); scrollBy(0, -120); }")
            else:
                page.evaluate("window.scrollTo(0, 0)")
            written.append(_save(page, out / f"{name}.png"))
        page.set_viewport_size({"width": 420, "height": 760})  # a narrow window
        page.goto(url + f"/dashboard/memories/{memory_id}")
        page.locator("ol.history li").first.wait_for()
        written.append(_save(page, out / "narrow.png"))
        browser.close()
    return written


def _save(page: Any, target: Path) -> Path:
    """A screenshot in 128 colours: a third of the bytes, and no visible difference on this UI."""
    shot = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="hide"))).convert("RGB")
    shot.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(target, optimize=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default: {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    config = MockConfig(demo=True, seed=7, clock=datetime(2025, 9, 14, 14, 55, tzinfo=timezone.utc))
    receiver = WebhookReceiver().start()
    try:
        with BackgroundServer(create_app(config)) as live:
            memory_id = seed(live.url, receiver)
            for path in shoot(live.url, memory_id, args.out):
                print(f"{path} ({path.stat().st_size // 1024} KiB)")
    finally:
        receiver.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
