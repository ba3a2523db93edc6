"""An entity name holding `/` travels percent-encoded (`%2F`) and is one path segment.

WSGI decodes the path before routing, so without `server/paths.py` such an entity could be
added but never read, profiled or deleted, and the SDKs' `reset()` failed on it. Checked on
the live (waitress) server, whose raw URI the fix reads.
"""

from __future__ import annotations

from urllib.parse import quote

import requests

from tests.conftest import auth


def test_names_with_slashes_and_percents_are_one_segment(live):
    names = ["team/alpha b", "50%/off", "100%2F"]
    for name in names:
        body = {"messages": [{"role": "user", "content": "Likes tea"}], "user_id": name, "infer": False}
        requests.post(f"{live.url}/v3/memories/add/", json=body, headers=auth(), timeout=10).raise_for_status()

    for name in names:
        path = f"{live.url}/v2/entities/user/{quote(name, safe='')}/"
        found = requests.get(path, headers=auth(), timeout=10)
        assert found.status_code == 200 and found.json()[0]["name"] == name
        profile = requests.get(path + "profile/", headers=auth(), timeout=10)
        assert profile.status_code == 200 and profile.json()["entity_id"] == name
        assert requests.delete(path, headers=auth(), timeout=10).status_code == 200

    assert requests.get(f"{live.url}/v1/entities/", headers=auth(), timeout=10).json()["results"] == []
    journaled = [e["path"] for e in requests.get(f"{live.url}/_mock/requests", timeout=10).json()["requests"]]
    assert "/v2/entities/user/team%2Falpha b/" in journaled


def test_plain_paths_are_untouched(live):
    unknown = requests.get(f"{live.url}/v2/entities/user/nobody/", headers=auth(), timeout=10)
    assert unknown.status_code == 404
    assert requests.get(f"{live.url}/v2/entities/user/a/b/", headers=auth(), timeout=10).json() == {
        "detail": "Not found."
    }
