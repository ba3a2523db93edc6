"""`mem0-mock --data` and `--load` as users start them: kill -9 loses nothing acknowledged.

The same requests go to an in-process mock (no `--data`) and to a `mem0-mock` process with
`--data`, both with a frozen clock and seeded ids, so both states are identical. The process
is killed with SIGKILL right after its last answer, without another request, and a restart
on the same file must serve exactly the reference's state.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import yaml

from mock_server.engine.clock import parse_instant
from mock_server.engine.snapshot import dump
from mock_server.engine.state import fingerprint
from mock_server.server import BackgroundServer, MockConfig, create_app, server_of
from mock_server.server.cli import read_document
from mock_server.server.openapi import CompiledSpec
from tests.processes import free_port, mock_command, running_mock

KEY = "m0-persist-key"
AUTH = {"Authorization": f"Token {KEY}"}
CLOCK = "2025-01-01T00:00:00Z"
FIXTURES = """\
keys:
  m0-persist-key:
    memories:
      - text: Is a vegetarian
        user_id: alex
        metadata: {source: onboarding}
        categories: [food]
        created_at: 2024-12-01T10:00:00Z
      - text: Lives in Lisbon
        user_id: alex
        expiration_date: 2030-01-01
"""

Call = Callable[[str, str, Any], Any]  # method, path, JSON body -> JSON answer


def answer(body: Any) -> Any:
    assert not (isinstance(body, dict) and "detail" in body), body
    return body


def writes(call: Call) -> None:
    """Acknowledged writes of several kinds: memories, an update, a delete, a project, a
    member, a webhook (last, so the kill follows it)."""
    ping = call("GET", "/v1/ping/", None)
    added = call("POST", "/v1/memories/", {"messages": [{"role": "user", "content": "Prefers tea"}],
                                           "user_id": "alex", "infer": False})
    call("POST", "/v3/memories/add/", {"messages": [{"role": "user", "content": "I moved to Porto."}],
                                       "user_id": "alex"})
    doomed = call("POST", "/v3/memories/add/", {"messages": [{"role": "user", "content": "A passing thought"}],
                                                "run_id": "r1", "infer": False})
    call("PUT", f"/v1/memories/{added[0]['id']}/", {"text": "Prefers green tea"})
    call("DELETE", f"/v1/memories/{doomed['results'][0]['id']}/", None)
    projects = f"/api/v1/orgs/organizations/{ping['org_id']}/projects/"
    created = call("POST", projects, {"name": "staging"})
    call("POST", f"{projects}{created['project_id']}/members/", {"email": "sam@example.com", "role": "READER"})
    call("POST", f"/api/v1/webhooks/projects/{ping['project_id']}/",
         {"name": "hook", "url": "http://127.0.0.1:9/hook", "event_types": ["memory_delete"]})


def test_kill_9_then_restart_with_the_same_data_loses_nothing(tmp_path: Path):
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text(FIXTURES)
    data = tmp_path / "state.db"
    args = ("--data", str(data), "--load", str(fixtures), "--clock", CLOCK, "--seed", "3", "--quiet")

    reference = create_app(MockConfig(
        seed=3, clock=parse_instant(CLOCK), initial_state=read_document(str(fixtures)),
    ), CompiledSpec()).test_client()
    writes(lambda method, path, body: answer(reference.open(path, method=method, json=body, headers=AUTH).get_json()))
    expected = reference.get("/_mock/snapshot").get_json()

    with running_mock(*args) as (url, process):
        loaded = requests.post(f"{url}/v2/memories/", json={"filters": {"user_id": "alex"}}, headers=AUTH, timeout=10)
        assert [m["memory"] for m in loaded.json()] == ["Lives in Lisbon", "Is a vegetarian"]  # --load at start
        session = requests.Session()
        writes(lambda method, path, body: answer(session.request(method, url + path, json=body, headers=AUTH,
                                                                   timeout=10).json()))
        process.send_signal(signal.SIGKILL)  # right after the last answer: no request in between
        process.wait(timeout=10)

    with running_mock(*args) as (url, process):
        assert requests.get(f"{url}/_mock/snapshot", timeout=10).json() == expected
        memories = requests.post(f"{url}/v2/memories/", json={"filters": {"user_id": "alex"}}, headers=AUTH,
                                 timeout=10).json()
        assert "Prefers green tea" in [m["memory"] for m in memories]
        process.terminate()
        banner = process.communicate(timeout=10)[0]
    assert f"state kept in {data}, resumed (1 key(s), 4 memories)" in banner, banner


def test_bad_start_states_stop_the_start_with_the_item_named(tmp_path: Path):
    bad = yaml.load(FIXTURES, Loader=yaml.BaseLoader)  # every scalar as text
    bad["keys"][KEY]["memories"][1]["created_at"] = "someday"
    fixtures = tmp_path / "bad.json"
    fixtures.write_text(json.dumps(bad))
    refused = subprocess.run([*mock_command(), "--port", str(free_port()), "--load", str(fixtures)],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2
    assert f"keys[{fingerprint(KEY)}].memories[1].created_at" in refused.stderr, refused.stderr
    assert KEY not in refused.stdout + refused.stderr

    notes = tmp_path / "notes.txt"
    notes.write_text("not a database " * 100)
    refused = subprocess.run([*mock_command(), "--port", str(free_port()), "--data", str(notes)],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2 and "not a mem0-mock data file" in refused.stderr, refused.stderr


def test_concurrent_writes_are_all_saved(tmp_path: Path):
    """Eight clients adding, updating and deleting at once in three keys' projects: the file
    reads back as the live state."""
    app = create_app(MockConfig(data_path=str(tmp_path / "state.db")))
    mock = server_of(app)
    failures: list[BaseException] = []

    def client(n: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token m0-persist-{n % 3}"
        try:
            for i in range(20):
                user = f"u{n}-{i % 4}"  # each client its own users: every call must succeed
                added = session.post(f"{server.url}/v1/memories/", json={
                    "messages": [{"role": "user", "content": f"fact {n}.{i}"}], "user_id": user, "infer": False,
                }, timeout=10).json()
                memory = f"{server.url}/v1/memories/{added[0]['id']}/"
                if i % 3 == 0:
                    session.put(memory, json={"text": f"changed {n}.{i}"}, timeout=10).raise_for_status()
                if i % 5 == 0:
                    session.delete(memory, timeout=10).raise_for_status()
                if i % 11 == 0:
                    session.delete(f"{server.url}/v2/entities/user/{user}/", timeout=10).raise_for_status()
        except BaseException as exc:  # noqa: BLE001 - reported below, on the test's thread
            failures.append(exc)

    with BackgroundServer(app) as server:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures, failures
        assert mock.storage.read()["tenants"] == dump(mock.service.store, mock.service.runtime)["tenants"]
    # Per client: 20 adds, 4 deleted one by one, 3 more with entity u{n}-3 (at i = 11).
    assert mock.service.counts() == {"tenants": 3, "memories": 8 * (20 - 4 - 3)}


def test_saves_of_every_size_read_back_as_the_live_state(tmp_path: Path, monkeypatch):
    """A save of a few rows is one statement SQLite commits by itself; a bigger one, or one
    that deletes, a transaction: either way the file reads back as the live state."""
    from mock_server.engine import storage

    statements: list[str] = []
    app = create_app(MockConfig(data_path=str(tmp_path / "state.db")))
    mock = server_of(app)
    traced = mock.storage._db
    monkeypatch.setattr(mock.storage, "_db", _Recording(traced, statements))
    client = app.test_client()

    def same() -> bool:
        return mock.storage.read()["tenants"] == dump(mock.service.store, mock.service.runtime)["tenants"]

    def sent(method: str, path: str, body: Any = None) -> tuple[Any, list[str]]:
        """The answer, and the statements its save ran."""
        statements.clear()
        response = client.open(path, method=method, json=body, headers=AUTH)
        assert response.status_code in (200, 204), response.json
        return response, list(statements)

    client.post("/v1/memories/", json={"messages": [{"role": "user", "content": "First"}], "user_id": "alex",
                                       "infer": False}, headers=AUTH)  # the key's first save: its tenant too
    added, ran = sent("POST", "/v1/memories/", {"messages": [{"role": "user", "content": "Prefers tea"}],
                                                "user_id": "alex", "infer": False})
    assert [sql.split(" ")[0] for sql in ran] == ["INSERT"] and same()  # one statement, no transaction
    many = {"messages": [{"role": "user", "content": f"Fact {i}: likes tea number {i}"} for i in range(40)],
            "user_id": "sam", "infer": False}  # 40 memories and their history: more rows than one statement takes
    _, ran = sent("POST", "/v1/memories/", many)
    assert storage.MAX_ROWS_PER_STATEMENT < 80 and ran[0] == "BEGIN" and ran[-1] == "COMMIT" and same()
    _, ran = sent("DELETE", f"/v1/memories/{added.json[0]['id']}/")
    assert ran[-1] == "COMMIT" and same()
    sent("DELETE", "/v2/entities/user/sam/")
    assert same() and mock.service.counts()["memories"] == 1


def test_the_data_file_is_checkpointed_every_ten_thousand_pages(tmp_path: Path):
    """Fewer checkpoints, each copying the WAL into the file and syncing both: more writes."""
    from mock_server.engine import storage

    mock = server_of(create_app(MockConfig(data_path=str(tmp_path / "state.db"))))
    assert storage.CHECKPOINT_PAGES == 10_000
    assert mock.storage._db.execute("PRAGMA wal_autocheckpoint").fetchone() == (storage.CHECKPOINT_PAGES,)


class _Recording:
    """A connection that notes the statements it runs (their first words)."""

    def __init__(self, connection: Any, statements: list[str]) -> None:
        self._connection = connection
        self._statements = statements

    def execute(self, sql: str, *args: Any) -> Any:
        self._statements.append(sql.split(" (")[0])
        return self._connection.execute(sql, *args)

    def executemany(self, sql: str, rows: Any) -> Any:
        self._statements.append(sql.split(" (")[0])
        return self._connection.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)
