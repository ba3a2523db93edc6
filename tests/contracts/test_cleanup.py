"""The suite leaves an account as it found it: the checks that write account-level objects (today's
projects, members, webhooks, profile settings, events) and memories run against a fresh key of a
strict mock, and afterwards that key holds nothing the run made."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import requests

from mock_server.server.serving import BackgroundServer
from tests.conftest import KEY_A, KEY_B, auth

SELECTION = (
    "test_lifecycle_v3 or test_lifecycle.py and (history or delete_all or export)"
    " or test_filters_v3 and show_expired or test_filters.py and user_id-eq"
    " or test_shape and (Project or Webhook or ProfileSettings or getEvent or getProfileJob or deleteEntityById)"
    " and not credentials"
)
EVERY_ENTITY = {"OR": [{name: "*"} for name in ("user_id", "agent_id", "app_id", "run_id")]}


def _state(url: str) -> dict[str, Any]:
    """What the key holds, through the public API."""
    def get(path: str, **kwargs: Any) -> Any:
        response = requests.request(kwargs.pop("method", "GET"), f"{url}{path}", headers=auth(KEY_A), timeout=10,
                                    **kwargs)
        response.raise_for_status()
        return response.json()

    ping = get("/v1/ping/")
    org, project = ping["org_id"], ping["project_id"]
    return {
        "projects": sorted(p["name"] for p in get(f"/api/v1/orgs/organizations/{org}/projects/")),
        "default project": get(f"/api/v1/orgs/organizations/{org}/projects/{project}/"),
        "webhooks": get(f"/api/v1/webhooks/projects/{project}/"),
        "profile settings": get("/v2/profiles/settings/"),
        "entities": [e["name"] for e in get("/v1/entities/")["results"]],
        "memories": get("/v3/memories/", method="POST", json={"filters": EVERY_ENTITY, "show_expired": True})["count"],
    }


@pytest.mark.slow
def test_a_run_leaves_nothing_behind(live: BackgroundServer) -> None:
    before = _state(live.url)
    assert before["projects"] == ["default-project"] and before["memories"] == 0
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contracts", "-q", "-n", "0", "-p", "no:cacheprovider",
         "--mem0-base-url", live.url, "--mem0-api-key", KEY_A, "--mem0-second-api-key", KEY_B, "-k", SELECTION],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    after = _state(live.url)
    before["default project"].pop("updated_at", None)
    after["default project"].pop("updated_at", None)
    assert after == before
