"""The dashboard in a real browser (headless Chromium): every page works, passes axe-core,
logs no console error and asks nothing of another host (the fixture checks the last two)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from playwright.sync_api import expect

from contracts.receiver import WebhookReceiver
from mock_server.server import MockConfig, create_app
from mock_server.server.serving import BackgroundServer
from spec import load_spec
from tests.dashboard.conftest import Dashboard, watch

KEY = "m0-browser-test-key-alpha-0000Z34l"
OTHER = "m0-browser-test-key-bravo-0000Q9xy"
PAGES = ["Requests", "Memories", "Users", "API Keys", "Webhooks", "Memory Exports", "Playground", "API reference",
         "Faults"]


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def title(page: Any) -> Any:
    """The page's own heading (the API reference also holds the spec's title)."""
    return page.locator("#main h1").first


def nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name, exact=True).click()
    expect(title(page)).to_have_text(name)


def test_every_page_opens_from_the_root_and_passes_axe(dashboard: Dashboard):
    operations = [op for item in load_spec()["paths"].values() for op in item.values() if "operationId" in op]
    memory_id = dashboard.add("I love sailing on the lake", KEY)
    project_id = dashboard.api("GET", "/v1/ping/", KEY).json()["project_id"]
    dashboard.api("POST", f"/api/v1/webhooks/projects/{project_id}/", KEY,  # a card with a table, on Webhooks
                  json={"name": "hook", "url": "http://127.0.0.1:9/", "event_types": ["memory_add"]})
    page = dashboard.open("/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(title(page)).to_have_text("Requests")
    for name in PAGES:
        nav(page, name)
        if name == "API reference":  # Swagger UI, served by the mock: every operation of the spec
            expect(page.locator(".opblock")).to_have_count(len(operations))
        dashboard.check_accessibility(name)
    page.goto(f"{dashboard.url}/dashboard/memories/{memory_id}")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    dashboard.check_accessibility("a memory")
    page.set_viewport_size({"width": 380, "height": 800})  # a narrow window: only a wide table scrolls, in its box
    for name in PAGES:
        if name == "API reference":
            continue  # Swagger UI's own layout, and a second of its rendering: checked wide above
        nav(page, name)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} overflows"
    dashboard.check_accessibility("Faults, narrow")


def test_a_page_opens_at_its_top_with_the_focus_on_it(dashboard: Dashboard):
    """Focus moves to the new page without scrolling past the header (key and project)."""
    page = dashboard.open("/")
    page.set_viewport_size({"width": 1280, "height": 300})  # every page is taller than this
    for name in ("Memories", "Playground", "Requests"):
        nav(page, name)
        assert page.evaluate("window.scrollY") == 0, f"{name} opened scrolled"
        assert page.evaluate("document.activeElement.id") == "main"


def test_a_memory_added_through_the_api_appears_on_memories(dashboard: Dashboard):
    dashboard.add("Is allergic to nuts", KEY)
    page = dashboard.open("/dashboard/memories")
    expect(page.get_by_role("link", name="Is allergic to nuts")).to_be_visible()
    markup = '<img src="x" onerror="window.__injected = 1">Plays the cello'
    dashboard.add(markup, KEY, user="sam")  # while the page is open
    expect(page.get_by_role("link", name=markup)).to_be_visible()  # shown as text, never as markup
    assert page.evaluate("window.__injected === undefined")


def test_a_request_made_while_requests_is_open_appears_without_a_reload(dashboard: Dashboard):
    dashboard.api("GET", "/v1/ping/", KEY)
    page = dashboard.open("/dashboard/requests")
    rows = page.locator("tbody tr.clickable")
    expect(rows).to_have_count(1)
    page.evaluate("window.__same_page = true")
    dashboard.add("Lives in Lisbon", KEY)
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("addMemories")
    assert page.evaluate("window.__same_page === true")  # no reload happened
    rows.first.click()
    expect(page.locator("pre.request-body")).to_contain_text("Lives in Lisbon")
    page.locator("#filter-text").fill("ping")
    expect(rows).to_have_count(1)


def test_search_from_the_page_returns_the_expected_memory_with_its_score(dashboard: Dashboard):
    dashboard.add("I enjoy sailing on the lake", KEY)
    dashboard.add("Is allergic to nuts", KEY)
    page = dashboard.open("/dashboard/memories")
    page.get_by_role("searchbox").fill("boat trip")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("I enjoy sailing on the lake")
    expect(rows.first.locator("td.score")).to_have_text(re.compile(r"^0\.\d{3}$"))


def test_a_memory_its_history_and_the_request_that_created_it_are_three_clicks_from_the_root(dashboard: Dashboard):
    memory_id = dashboard.add("Lives in Berlin", KEY)
    dashboard.api("PUT", f"/v1/memories/{memory_id}/", KEY, json={"text": "Lives in Lisbon"})
    page = dashboard.open("/")
    page.get_by_role("link", name="Memories", exact=True).click()  # 1
    page.get_by_role("link", name="Lives in Lisbon").click()  # 2
    history = page.locator("ol.history > li")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("ADD")
    expect(history.nth(1)).to_contain_text("UPDATE")
    expect(history.nth(1).locator("del")).to_have_text("Lives in Berlin")
    expect(history.nth(1).locator("ins")).to_have_text("Lives in Lisbon")
    page.locator("dd a.request-link").click()  # 3: "Created by"
    expect(title(page)).to_have_text("Requests")
    expect(page.locator("tr.open")).to_contain_text("/v1/memories/")
    expect(page.locator("pre.request-body")).to_contain_text("Lives in Berlin")


def test_switching_keys_switches_every_page(dashboard: Dashboard):
    dashboard.add("Alpha's memory", KEY)
    dashboard.add("Bravo's memory", OTHER, user="bravo")
    page = dashboard.open("/dashboard/keys")
    expect(page.locator("tbody tr")).to_have_count(2)
    html = page.content()
    assert KEY not in html and OTHER not in html  # masked, only ever
    expect(page.get_by_text("m0-*******Z34l", exact=True)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Use key m0-\*+Q9xy")).click()
    nav(page, "Memories")
    expect(page.get_by_role("link", name="Bravo's memory")).to_be_visible()
    expect(page.get_by_role("link", name="Alpha's memory")).to_have_count(0)
    nav(page, "Users")
    expect(page.get_by_role("link", name="bravo")).to_be_visible()
    page.get_by_label("API key").select_option(fingerprint(KEY))
    expect(page.get_by_role("link", name="alex")).to_be_visible()
    page.get_by_role("link", name="alex").click()  # an entity opens to its memories
    expect(page.get_by_role("link", name="Alpha's memory")).to_be_visible()
    assert KEY not in page.content() and OTHER not in page.content()
    org_id = dashboard.api("GET", "/v1/ping/", KEY).json()["org_id"]
    project = dashboard.api("POST", f"/api/v1/orgs/organizations/{org_id}/projects/", KEY, json={"name": "staging"})
    scope = {"org_id": org_id, "project_id": project.json()["project_id"]}
    dashboard.add("Staging's memory", KEY, **scope)
    page.reload()
    page.get_by_label("Project").select_option(scope["project_id"])  # a project of the key
    expect(page.get_by_role("link", name="Staging's memory")).to_be_visible()
    expect(page.get_by_role("link", name="Alpha's memory")).to_have_count(0)


def test_memories_filter_and_delete_through_the_api(dashboard: Dashboard):
    dashboard.add("Loves pizza", KEY, metadata={"food": "pizza"})
    dashboard.add("Plays chess", KEY, user="sam")
    page = dashboard.open("/dashboard/memories")
    page.get_by_label("Metadata").fill("food=pizza")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Loves pizza")
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="Plays chess")
    row.get_by_role("button", name="Delete").click()
    row.get_by_role("button", name=re.compile("press again")).click()
    expect(page.get_by_role("link", name="Plays chess")).to_have_count(0)
    deletes = dashboard.api("GET", "/_mock/requests?method=DELETE", KEY).json()["requests"]
    assert [d["operation_id"] for d in deletes] == ["deleteMemory"]  # journaled like any API call


def test_the_playground_sends_an_operation_as_the_selected_key(dashboard: Dashboard):
    dashboard.api("GET", "/v1/ping/", KEY)
    page = dashboard.open("/dashboard/playground")
    page.get_by_label("Operation").select_option("addMemories")
    body = page.get_by_label("Request body (JSON)")
    expect(body).to_have_value(re.compile('"messages"'))  # the spec's example
    page.get_by_role("button", name="Send").click()
    answer = page.locator("#playground-answer")
    expect(answer).to_contain_text("200")
    answer.get_by_role("link", name=re.compile(r"request #\d+ in the journal")).click()
    expect(page.locator("tr.open")).to_contain_text("addMemories")
    assert KEY not in page.content()


def test_webhooks_and_their_deliveries(dashboard: Dashboard):
    project_id = dashboard.api("GET", "/v1/ping/", KEY).json()["project_id"]
    receiver = WebhookReceiver().start()
    try:
        dashboard.api("POST", f"/api/v1/webhooks/projects/{project_id}/", KEY,
                      json={"name": "ops-hook", "url": receiver.url + "/hook", "event_types": ["memory_add"]})
        dashboard.add("Lives in Porto", KEY)
        receiver.wait_for(lambda got: bool(got), timeout=5)
        page = dashboard.open("/dashboard/webhooks")
        expect(page.get_by_role("heading", name=re.compile("ops-hook"))).to_be_visible()
        expect(page.locator("tbody tr").first).to_contain_text("memory_add")
        expect(page.locator("tbody tr").first).to_contain_text("#1 200")
    finally:
        receiver.stop()


def test_memory_exports_open_as_json(dashboard: Dashboard):
    dashboard.add("Exported fact", KEY)
    dashboard.api("POST", "/v1/exports/", KEY, json={"schema": {"type": "object"}, "filters": {"user_id": "alex"}})
    page = dashboard.open("/dashboard/exports")
    page.get_by_role("button", name="View JSON").click()
    expect(page.locator("pre.export-json")).to_contain_text("Exported fact")


def test_faults_are_added_and_removed(dashboard: Dashboard):
    dashboard.api("GET", "/v1/ping/", KEY)
    page = dashboard.open("/dashboard/faults")
    page.get_by_label("Path or operation (required)").fill("ping")
    page.get_by_label("Key", exact=True).select_option(fingerprint(KEY))
    page.get_by_label("Status to answer").fill("503")
    page.get_by_role("button", name="Add rule").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("answer 503")
    expect(row).to_contain_text("m0-*******Z34l")
    assert dashboard.api("GET", "/_mock/faults", KEY).json()["faults"][0]["path"] == "ping"
    row.get_by_role("button", name="Remove rule f1").click()
    expect(page.get_by_text("No fault rule")).to_be_visible()


def test_an_admin_token_is_asked_for_and_a_typed_key_is_sent_never_shown(browser: Any):
    with BackgroundServer(create_app(MockConfig(admin_token="t0ken-s3cret"))) as live:
        context = browser.new_context()
        page = context.new_page()
        board = Dashboard(page, live.url)
        watch(page, live.url, board)
        page.goto(live.url + "/dashboard/memories")
        page.get_by_label("Admin token").fill("wrong")
        page.get_by_role("button", name="Open the dashboard").click()
        expect(page.get_by_text("Invalid admin token.")).to_be_visible()
        page.get_by_label("Admin token").fill("t0ken-s3cret")
        page.get_by_role("button", name="Open the dashboard").click()
        expect(title(page)).to_have_text("Memories")
        expect(page.locator("#main").get_by_text("No API key has called the mock yet")).to_be_visible()  # a fresh mock
        nav(page, "Playground")
        page.get_by_label("Operation").select_option("ping")
        page.get_by_label("API key to send").fill(KEY)  # no key seen yet: the user types one
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#playground-answer")).to_contain_text("200")
        nav(page, "API Keys")
        expect(page.get_by_text("m0-*******Z34l", exact=True)).to_be_visible()
        assert "t0ken-s3cret" not in page.content() and KEY not in page.content()
        context.close()
    assert all("401" in e or "403" in e for e in board.console_errors), board.console_errors  # the refusals only
    assert not board.off_host
