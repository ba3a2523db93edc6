"""The pytest plugin: target options for the contract suite, fixtures, and per-operation reporting.

Installed as a `pytest11` entry point, so any project with this package installed gets
`--mem0-base-url` / `--mem0-api-key` (or `MEM0_BASE_URL` / `MEM0_API_KEY`), the `target`,
`mem0_mock` and `mem0_namespace` fixtures, the `mem0_operation(operation_id)` marker, the
surface markers `v1v2` / `v3` with `--mem0-surface` to check a server that has only one of
the two APIs and, after a run that touched the contract suites, a table of checks per API
operation. It imports nothing heavy at load time: the mock starts only when a test asks for it.

Every option is namespaced (`--mem0-...`): this plugin loads into every pytest run of the
environment, and a plain `--base-url` clashes with pytest-base-url's (which
pytest-playwright and pytest-selenium bring), breaking all of them. `mem0-contracts` maps
its own `--base-url`, `--api-key`, `--surface`, ... onto these.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from contracts.client import http_session, poll
from contracts.mock_process import SHARED_MOCK_ENV
from contracts.objects import RunObjects

MARKER = "mem0_operation"
ENTITY_FIELDS = ("user_id", "agent_id", "app_id", "run_id")
# Today's API accepts the SDKs' camelCase names for entity fields inside `filters`.
ENTITY_ALIASES = {"userId": "user_id", "agentId": "agent_id", "appId": "app_id", "runId": "run_id"}
ENTITY_TYPES = {"user": "user_id", "agent": "agent_id", "app": "app_id", "run": "run_id"}
ENTITY_MAX_LENGTH = 255
_LOGICAL = ("AND", "OR", "NOT")
_WILDCARD = "*"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SUITE_MODULE_PREFIX = "contracts.suites."
ADMIN_HEADER = "X-Mem0-Mock-Admin"  # the mock's harness header when it has an admin token


class HarnessError(Exception):
    """The mock's harness refused a request; the message carries its answer."""

# The two APIs a target may implement. An operation is of the September 2025 API (v1v2), of
# today's API (v3), or shared by both (what today's SDKs still call under /v1/ and /v2/).
SURFACES = ("all", "v1v2", "v3")
SURFACE_MARKERS = ("v1v2", "v3")
V1V2_OPERATIONS = frozenset({"addMemories", "getMemoriesV1", "getMemoriesV2", "searchMemoriesV1", "searchMemoriesV2"})
SHARED_OPERATIONS = frozenset({
    "ping", "getMemory", "updateMemory", "deleteMemory", "getMemoryHistory", "deleteMemories", "batchUpdateMemories",
    "batchDeleteMemories", "createMemoryExport", "getMemoryExport", "createFeedback", "listEntities", "deleteEntity",
})


def operation_surface(operation_id: str) -> str | None:
    """"v1v2" or "v3" for an operation of one API only, None for a shared one (every other is v3)."""
    if operation_id in V1V2_OPERATIONS:
        return "v1v2"
    if operation_id in SHARED_OPERATIONS:
        return None
    return "v3"


@dataclass
class LiveMock:
    """A running mock: its URL, a key, and its test harness (`/_mock/`) as methods.

    Methods raise `HarnessError` with the mock's answer when it refuses (a bad fault rule,
    say). `admin_token` is sent with every harness call when the mock was started with one.
    """

    url: str
    api_key: str
    admin_token: str | None = field(default=None, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.api_key}"}

    @property
    def key_fingerprint(self) -> str:
        """How the journal names this mock's key (`requests(key=...)`)."""
        return hashlib.sha256(self.api_key.encode()).hexdigest()[:8]

    def _harness(self, method: str, path: str, body: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        headers = {ADMIN_HEADER: self.admin_token} if self.admin_token else {}
        response = requests.request(
            method, f"{self.url}/_mock/{path}", json=body, params=params, headers=headers, timeout=30
        )
        if response.status_code >= 400:
            raise HarnessError(f"{method} /_mock/{path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    # ---- state
    def reset(self, demo: bool = False, seed: int | None = None) -> None:
        """Back to how the mock started, with no data (`demo=True`: with the demo data;
        `seed`: ids seeded so from now on, until the next reset)."""
        body: dict[str, Any] = {"demo": True} if demo else {}
        if seed is not None:
            body["seed"] = seed
        self._harness("POST", "reset", body)

    def state(self) -> dict[str, int]:
        return self._harness("GET", "state")

    def snapshot(self, mine: bool = False) -> dict[str, Any]:
        """The mock's whole state as one document (`GET /_mock/snapshot`); `mine=True`: only
        this key's. Keys appear only as their SHA-256."""
        return self._harness("GET", "snapshot", params={"tenant": self.key_fingerprint} if mine else None)

    def restore(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the mock's state with a snapshot or a fixtures document (`POST
        /_mock/snapshot`); answers how many tenants and memories it now holds."""
        return self._harness("POST", "snapshot", _jsonable(document))

    def load_memories(self, memories: list[Mapping[str, Any]]) -> dict[str, Any]:
        """Replace the mock's state with these memories of this key (fixture items: `text`,
        an entity id, and optionally `metadata`, `categories`, `created_at`, ...)."""
        return self.restore({"keys": {self.api_key: {"memories": list(memories)}}})

    # ---- journal
    def requests(self, violations_only: bool = False, **filters: Any) -> list[dict[str, Any]]:
        """The journal's entries, oldest first; filters: path, method, status, operation, key,
        fault, since, until (see the README)."""
        return self.journal(violations_only, **filters)["requests"]

    def journal(self, violations_only: bool = False, **filters: Any) -> dict[str, Any]:
        """The journal's whole answer: `count`, `dropped` and `requests`."""
        params = {name: str(value) for name, value in filters.items() if value is not None}
        if violations_only:
            params["violations"] = "1"
        return self._harness("GET", "requests", params=params)

    def clear_requests(self) -> None:
        self._harness("DELETE", "requests")

    # ---- faults
    def add_fault(self, path: str, **rule: Any) -> str:
        """Add a fault rule (fields as in `POST /_mock/faults`); answers its id."""
        return self._harness("POST", "faults", {"path": path, **rule})["id"]

    def faults(self) -> list[dict[str, Any]]:
        return self._harness("GET", "faults")["faults"]

    def remove_fault(self, fault_id: str) -> None:
        self._harness("DELETE", f"faults/{quote(fault_id, safe='')}")

    def clear_faults(self) -> None:
        self._harness("DELETE", "faults")

    # ---- clock
    def clock(self) -> str:
        """The mock's current time (ISO 8601, UTC)."""
        return self._harness("GET", "clock")["now"]

    def set_clock(self, now: Any) -> str:
        """Freeze the clock at `now` (a datetime, or text such as 2025-01-01T00:00:00Z)."""
        text = now.isoformat() if hasattr(now, "isoformat") else str(now)
        return self._harness("POST", "clock", {"now": text})["now"]

    def advance_clock(self, seconds: float) -> str:
        """Move the frozen clock forward (backward when negative)."""
        return self._harness("POST", "clock", {"advance_seconds": seconds})["now"]

    def unfreeze_clock(self) -> str:
        return self._harness("DELETE", "clock")["now"]


def _jsonable(value: Any) -> Any:
    """A document with dates and date-times (as a test may write them) turned into text."""
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mem0", "Mem0 API contract suite")
    group.addoption(
        "--mem0-base-url",
        dest="mem0_base_url",
        default=os.environ.get("MEM0_BASE_URL"),
        help="implementation to check (default: MEM0_BASE_URL, else a mock started on a free port)",
    )
    group.addoption(
        "--mem0-api-key",
        dest="mem0_api_key",
        default=os.environ.get("MEM0_API_KEY"),
        help="API key for the target (default: MEM0_API_KEY)",
    )
    group.addoption(
        "--mem0-admin-token",
        dest="mem0_admin_token",
        default=os.environ.get("MEM0_MOCK_ADMIN_TOKEN"),
        help="admin token of the mock's harness: the mocks this plugin starts require it, and the mem0_mock"
        " fixture sends it (default: MEM0_MOCK_ADMIN_TOKEN)",
    )
    group.addoption(
        "--mem0-max-wait",
        dest="mem0_max_wait",
        type=float,
        default=_env_float("MEM0_MAX_WAIT", 30.0),
        help="seconds to poll for a write to become visible on an asynchronous target (default: 30;"
        " MEM0_MAX_WAIT)",
    )
    group.addoption(
        "--mem0-second-api-key",
        dest="mem0_second_api_key",
        default=os.environ.get("MEM0_SECOND_API_KEY"),
        help="a second key of another tenant, for the isolation checks (default: MEM0_SECOND_API_KEY;"
        " generated for the suite's own mock)",
    )
    group.addoption(
        "--mem0-surface",
        dest="mem0_surface",
        choices=SURFACES,
        default=os.environ.get("MEM0_SURFACE", "all"),
        help="which API the target implements: all (default), v1v2 (the September 2025 API only) or v3"
        " (today's API only); checks needing the other one are deselected (MEM0_SURFACE)",
    )
    group.addoption(
        "--mem0-webhook-receiver",
        dest="mem0_webhook_receiver",
        default=os.environ.get("MEM0_WEBHOOK_RECEIVER"),
        help="URL at which the target can reach this machine's webhook receiver (e.g. http://10.0.0.5:8765);"
        " without it the receiver listens on 127.0.0.1 and the delivery check runs only for a target on"
        " loopback (MEM0_WEBHOOK_RECEIVER)",
    )
    group.addoption(
        "--mem0-webhook-receiver-port",
        dest="mem0_webhook_receiver_port",
        type=int,
        default=int(os.environ["MEM0_WEBHOOK_RECEIVER_PORT"]) if os.environ.get("MEM0_WEBHOOK_RECEIVER_PORT")
        else None,
        help="local port the receiver listens on with --mem0-webhook-receiver (default: that URL's port)",
    )


@dataclass
class Target:
    """The implementation under test: where it is, the key to use, and whether we started it."""

    base_url: str
    api_key: str
    mock: LiveMock | None = None
    second_api_key: str | None = None
    accepts_any_key: bool = False  # a made-up key gets in (each key its own tenant)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.api_key}"}

    @property
    def is_own_mock(self) -> bool:
        return self.mock is not None


def start_mock(strict: bool = False, api_keys: frozenset[str] | None = None, admin_token: str | None = None):
    """Start a mock on a free port; returns the running BackgroundServer.

    `api_keys=None` lets any token in (each its own tenant); a set makes every other key a 401,
    which the suite's own target needs so that "a wrong key is rejected" can be checked.
    """
    from mock_server.server import MockConfig, create_app
    from mock_server.server.serving import BackgroundServer

    config = MockConfig(strict=strict, api_keys=api_keys, admin_token=admin_token)
    return BackgroundServer(create_app(config)).start()


SHARED_MOCK_WAIT_S = 90.0  # the mock's own start gives up after 60 s, and says so


def _shared_mock_url(where: Path) -> str:
    """The URL of the run's mock once mem0-contracts has it started (or the run ends, saying why)."""
    # polling: the file appears when the mock answers
    _, appeared = poll(where.exists, bool, timeout=SHARED_MOCK_WAIT_S, first_delay=0.01, max_delay=0.01)
    if not appeared:
        pytest.exit(f"the suite's mock did not start within {SHARED_MOCK_WAIT_S:g} s", returncode=3)
    answer = json.loads(where.read_text(encoding="utf-8"))
    if "error" in answer:
        pytest.exit(answer["error"], returncode=3)
    return answer["url"]


def start_own_mock(api_keys: frozenset[str], admin_token: str | None = None):
    """The suite's own target: a mock in a process of its own (`mem0-mock --server granian`),
    so that its work runs on another core than the suite's; in this process (waitress) where
    granian is not installed. Returns the running server (`url`, `stop()`)."""
    from contracts.mock_process import MockProcess, MockStartError, granian_available

    if not granian_available():
        return start_mock(api_keys=api_keys, admin_token=admin_token)
    try:
        return MockProcess(api_keys=api_keys, admin_token=admin_token).start()
    except MockStartError as exc:
        pytest.exit(str(exc), returncode=3)


def accepts_any_key(base_url: str, surface: str = "all") -> bool:
    """Whether the target lets a made-up key in.

    The probe is an add without its required body (today's add on a target of today's API
    only): a service that checks keys refuses it with a 401 before reading the body; one
    that takes any key refuses the body (400), so the probe stores nothing and creates no
    tenant (a mock with demo data would fill one).
    """
    headers = {"Authorization": f"Token m0-contracts-probe-{secrets.token_hex(8)}"}
    add = "/v3/memories/add/" if surface == "v3" else "/v1/memories/"
    try:
        response = requests.post(f"{base_url}{add}", json={}, headers=headers, timeout=60)
    except requests.RequestException:
        return False  # an unreachable target fails the suite's own checks, with their names
    return response.status_code == 400 or 200 <= response.status_code < 300


_ANY_KEY_NOTE = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def _mem0_mock_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = start_mock(admin_token=request.config.getoption("mem0_admin_token"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The target from --mem0-base-url/--mem0-api-key, else a mock of our own that knows exactly two keys."""
    config = request.config
    base_url = config.getoption("mem0_base_url")
    api_key = config.getoption("mem0_api_key")
    second = config.getoption("mem0_second_api_key")
    if base_url:
        if not api_key:
            pytest.exit("an API key (--api-key, or MEM0_API_KEY) is required with a base URL", returncode=4)
        base_url = base_url.rstrip("/")
        any_key = accepts_any_key(base_url, config.getoption("mem0_surface", "all"))
        if any_key:
            config.stash[_ANY_KEY_NOTE] = (
                f"note: {base_url} accepts any API key (each key its own tenant), so the wrong-key checks"
                " are skipped; start a mock with --api-key KEY to run them"
            )
        yield Target(base_url, api_key, None, second, accepts_any_key=any_key)
        return
    admin_token = config.getoption("mem0_admin_token")
    shared = os.environ.get(SHARED_MOCK_ENV)
    if shared and not (api_key or second or admin_token):
        # mem0-contracts starts one mock for the run: this worker's pair of its keys.
        found = json.loads(shared)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        index = int(worker[2:]) if worker[2:].isdigit() else 0
        api_key, second = found["keys"][index % len(found["keys"])]
        url = _shared_mock_url(Path(found["file"]))
        yield Target(url, api_key, LiveMock(url, api_key, None), second)
        return
    api_key = api_key or f"m0-contracts-{secrets.token_hex(8)}"
    second = second or f"m0-contracts-{secrets.token_hex(8)}"
    server = start_own_mock(frozenset({api_key, second}), admin_token=admin_token)
    try:
        yield Target(server.url, api_key, LiveMock(server.url, api_key, admin_token), second)
    finally:
        server.stop()


@pytest.fixture
def mem0_mock(request: pytest.FixtureRequest, _mem0_mock_server: Any) -> Iterator[LiveMock]:
    """A live mock (URL + key) with fresh state for each test: no data, no fault rules, the
    journal empty, the clock and id sequence as at start."""
    admin_token = request.config.getoption("mem0_admin_token")
    mock = LiveMock(_mem0_mock_server.url, f"m0-test-{secrets.token_hex(8)}", admin_token)
    mock.reset()
    yield mock
    mock.reset()


# --------------------------------------------------------------------------- run namespace


def names_entity(tree: Any) -> bool:
    """Whether a v2 filter names an entity id somewhere (the API's entity-id rule)."""
    if isinstance(tree, list):
        return any(names_entity(sub) for sub in tree)
    if not isinstance(tree, dict):
        return False
    return any(
        key in ENTITY_FIELDS or key in ENTITY_ALIASES or (key in _LOGICAL and names_entity(value))
        for key, value in tree.items()
    )


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


class RunNamespace:
    """Every entity id of one run lives under `prefix`, so destructive calls stay inside the run.

    Generated requests are rewritten through it (`name`, `wire_name`, `filter_tree`), it hands
    out real memory ids made for the run (`fresh_memory_id`), and `cleanup` deletes, through the
    public API, every entity it saw used in an add.
    """

    def __init__(
        self,
        target: Target,
        prefix: str | None = None,
        *,
        surface: str = "all",
        receiver_url: str | None = None,
        receiver_port: int | None = None,
    ) -> None:
        self.target = target
        self.surface = surface
        self.prefix = prefix or f"ct-{secrets.token_hex(4)}-"
        self.default_user = f"{self.prefix}user"
        self.http = http_session(target.base_url)
        self.http.headers.update(target.headers)
        self._lock = threading.RLock()
        self._pool: list[str] = []
        self._counter = 0
        self._export_id: str | None = None
        self._home: tuple[str | None, str | None] | None = None
        self.used: set[tuple[str, str, str | None, str | None]] = set()
        # Projects, webhooks, events and profile jobs of the run (today's API).
        self.objects = RunObjects(self, receiver_url=receiver_url, receiver_port=receiver_port)

    def home(self) -> tuple[str | None, str | None]:
        """The key's default org and project (GET /v1/ping/), where the run's objects live."""
        with self._lock:
            if self._home is None:
                org = project = None
                try:
                    response = self.http.get(f"{self.target.base_url}/v1/ping/", timeout=60)
                    payload = response.json() if response.ok else {}
                    org, project = payload.get("org_id"), payload.get("project_id")
                except (requests.RequestException, ValueError, AttributeError):
                    pass
                self._home = (org if isinstance(org, str) else None, project if isinstance(project, str) else None)
            return self._home

    def scope(self, container: dict[str, Any]) -> None:
        """Point generated `org_id` / `project_id` strings at the key's default project.

        Random ones would name projects the key does not have (an error on a real account, an
        empty namespace on the mock) where none of the run's objects are.
        """
        if not any(isinstance(container.get(name), str) for name in ("org_id", "project_id")):
            return
        org, project = self.home()
        for name, value in (("org_id", org), ("project_id", project)):
            if value is not None and (isinstance(container.get(name), str) or name not in container):
                container[name] = value

    # ---- names
    def name(self, value: str) -> str:
        """A string id moved into the namespace, valid iff it was (same length bounds kept)."""
        if value == "" or value.startswith(self.prefix):
            return value
        if len(self.prefix) + len(value) <= ENTITY_MAX_LENGTH:
            return self.prefix + value
        return self.prefix + value[len(self.prefix):]

    def wire_name(self, value: Any) -> Any:
        """An id bound for a query string or a path: whatever its type, it reaches the wire namespaced."""
        if isinstance(value, list):
            return [self.wire_name(item) for item in value]
        if isinstance(value, str):
            return self.name(value)
        return self.name(json.dumps(value))

    def condition(self, value: Any) -> Any:
        """A v2 entity condition (string or operator object) with its ids namespaced; `"*"` stays."""
        if isinstance(value, str):
            return value if value == _WILDCARD else self.name(value)
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for op, operand in value.items():
                if isinstance(operand, str):
                    out[op] = self.name(operand)
                elif isinstance(operand, list):
                    out[op] = [self.name(x) if isinstance(x, str) else x for x in operand]
                else:
                    out[op] = operand
            return out
        return value

    def filter_tree(self, tree: Any, ensure_entity: bool = True) -> Any:
        """A v2 filter with every entity id namespaced, ANDed with the run's user if it names none."""
        rewritten = self._rewrite_tree(tree)
        if ensure_entity and isinstance(rewritten, dict) and not names_entity(rewritten):
            return {"AND": [rewritten, {"user_id": self.default_user}]}
        return rewritten

    def _rewrite_tree(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._rewrite_tree(sub) for sub in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _LOGICAL:
                out[key] = self._rewrite_tree(value)
            elif key in ENTITY_FIELDS or key in ENTITY_ALIASES:
                out[key] = self.condition(value)
            else:
                out[key] = value
        return out

    def track(self, ids: Mapping[str, Any], org_id: Any = None, project_id: Any = None) -> None:
        """Remember the entities an add may have stored memories for, for `cleanup`."""
        org = org_id if isinstance(org_id, str) else None
        project = project_id if isinstance(project_id, str) else None
        with self._lock:
            for field_name in ENTITY_FIELDS:
                value = ids.get(field_name)
                if isinstance(value, str) and value:
                    self.used.add((field_name, value, org, project))

    # ---- real objects for generated ids
    def _add(self, body: dict[str, Any]) -> list[str]:
        """Store memories verbatim; answers their ids, or none if the target would not (the
        requests that needed them then show the problem through their own checks).

        Through today's add when the target has only today's API, else through v1's."""
        if self.surface == "v3":
            path, body = "/v3/memories/add/", {"infer": False, **body}
        else:
            path, body = "/v1/memories/", {"infer": False, "output_format": "v1.1", "async_mode": False, **body}
        self.track(body)
        try:
            response = self.http.post(f"{self.target.base_url}{path}", json=body, timeout=60)
            payload = response.json() if response.ok else {}
        except (requests.RequestException, ValueError):
            return []
        results = payload.get("results", []) if isinstance(payload, dict) else payload
        ids = [item["id"] for item in results if isinstance(item, dict) and is_uuid(item.get("id"))]
        return ids

    def fresh_memory_id(self) -> str | None:
        """The id of a memory made for this run and handed out once (so deletes never collide)."""
        with self._lock:
            if not self._pool:
                start = self._counter
                self._counter += 25
                messages = [{"role": "user", "content": f"contract probe {i}"} for i in range(start, start + 25)]
                self._pool = self._add({"messages": messages, "user_id": f"{self.prefix}pool"})
            return self._pool.pop() if self._pool else None

    def ensure_entity(self, entity_type: str, name: str) -> None:
        """Give an entity one memory, so deleting it has something to delete."""
        field_name = ENTITY_TYPES.get(entity_type)
        if field_name and isinstance(name, str) and name.startswith(self.prefix):
            self._add({"messages": [{"role": "user", "content": "entity probe"}], field_name: name})

    def entity_serial(self, entity_type: str, name: str) -> str | None:
        """The numeric id the listing shows for an entity of the run (None if not listed)."""
        try:
            response = self.http.get(f"{self.target.base_url}/v1/entities/", timeout=60)
            rows = response.json().get("results", []) if response.ok else []
        except (requests.RequestException, ValueError, AttributeError):
            return None
        for row in rows:
            if isinstance(row, dict) and (row.get("type"), row.get("name")) == (entity_type, name):
                return str(row.get("id"))
        return None

    def export_id(self) -> str | None:
        """The id of one export made for this run (None if the target could not make one)."""
        with self._lock:
            if self._export_id is None:
                response = self.http.post(
                    f"{self.target.base_url}/v1/exports/",
                    json={"schema": {"type": "object"}, "user_id": f"{self.prefix}pool"},
                    timeout=60,
                )
                if response.ok and is_uuid(response.json().get("id")):
                    self._export_id = response.json()["id"]
            return self._export_id

    def cleanup(self) -> list[str]:
        """Delete every entity used by the run through the public API; answers what failed.

        Webhooks and projects first (see `RunObjects.cleanup`), then delete-all per entity
        id, then the entity itself (404 when it went with its memories).
        """
        problems = self.objects.cleanup()
        kinds = {field_name: kind for kind, field_name in ENTITY_TYPES.items()}
        for field_name, value, org, project in sorted(self.used, key=lambda t: tuple(x or "" for x in t)):
            if not 0 < len(value) <= ENTITY_MAX_LENGTH:
                continue  # an id the API refuses can hold nothing (negative tests send them)
            params = {name: v for name, v in (("org_id", org), ("project_id", project)) if v is not None}
            entity_url = f"{self.target.base_url}/v2/entities/{kinds[field_name]}/{quote(value, safe='')}/"
            try:
                response = self.http.delete(
                    f"{self.target.base_url}/v1/memories/", params={field_name: value, **params}, timeout=60
                )
                if response.status_code >= 300:
                    problems.append(f"delete-all {field_name}={value}: {response.status_code}")
                self.http.delete(entity_url, params=params, timeout=60)
            except requests.RequestException as exc:
                problems.append(f"{field_name}={value}: {exc}")
        self.close()
        return problems

    def close(self) -> None:
        """Stop the run's receiver and close its connections (an idle keep-alive connection
        would hold the mock's shutdown)."""
        self.objects.stop_receiver()
        self.http.close()


@pytest.fixture(scope="session")
def mem0_namespace(target: Target, request: pytest.FixtureRequest) -> Iterator[RunNamespace]:
    """The run's entity namespace on the target; everything stored in it is deleted at the end."""
    option = request.config.getoption
    namespace = RunNamespace(
        target,
        surface=option("mem0_surface"),
        receiver_url=option("mem0_webhook_receiver"),
        receiver_port=option("mem0_webhook_receiver_port"),
    )
    yield namespace
    if target.is_own_mock:  # it stops with the run, and everything in it: nothing to clean
        namespace.close()
        return
    problems = namespace.cleanup()
    if problems:
        warnings.warn(f"mem0 contracts: cleanup of {namespace.prefix}* left {problems[:5]}", stacklevel=1)


# --------------------------------------------------------------------------- per-operation table


@dataclass
class _ItemRecord:
    operation: str | None
    outcome: str = "passed"  # passed | failed | skipped
    ran: bool = False
    # (operationId, check name) -> never failed; schemathesis checks and other named checks
    checks: dict[tuple[str, str], bool] = field(default_factory=dict)


class _Tally:
    """Outcomes of the run's items and of the named checks inside them, by operation."""

    def __init__(self) -> None:
        self.items: dict[str, _ItemRecord] = {}
        self.current: str | None = None

    def rows(self) -> dict[str, tuple[int, int, int]]:
        table: dict[str, list[int]] = {}

        def count(op: str, index: int, n: int = 1) -> None:
            table.setdefault(op, [0, 0, 0])[index] += n  # passed, failed, skipped

        for record in self.items.values():
            if record.outcome == "skipped" or not record.ran:
                if record.operation:
                    count(record.operation, 2)
                continue
            for (op, _), ok in record.checks.items():
                count(op, 0 if ok else 1)
            failed_check = not all(record.checks.values())
            if record.operation and (not record.checks or (record.outcome == "failed" and not failed_check)):
                # No named check ran, or the item failed outside them (an error, an assertion).
                count(record.operation, 0 if record.outcome == "passed" else 1)
            elif record.outcome == "failed" and not failed_check and record.checks:
                count(next(iter(record.checks))[0], 1)
        return {op: (p, f, s) for op, (p, f, s) in table.items()}


_TALLY_KEY = pytest.StashKey[_Tally]()
_ACTIVE: list[_Tally] = []
_REPORT_FIELD = "mem0_contract"  # what a report carries from an xdist worker to the controller


def _spec_operations() -> tuple[dict[str, str], list[str]]:
    """Map "METHOD /path" to operationId, and the operationIds in spec order."""
    from spec import load_spec

    labels: dict[str, str] = {}
    order: list[str] = []
    for path, methods in load_spec()["paths"].items():
        for method, operation in methods.items():
            if isinstance(operation, dict) and "operationId" in operation:
                labels[f"{method.upper()} {path}"] = operation["operationId"]
                order.append(operation["operationId"])
    return labels, order


def record_check(name: str, passed: bool, operation: str | None = None) -> None:
    """Count one run of a named check against the running test item (and `operation`, else the item's).

    A check that fails once counts as failed; the table shows one row per operation.
    """
    if not _ACTIVE:
        return
    tally = _ACTIVE[-1]
    record = tally.items.get(tally.current or "")
    if record is None:
        return
    op = operation or record.operation
    if op is None:
        return
    record.checks[(op, name)] = record.checks.get((op, name), True) and passed


def operation_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker(MARKER)
    if marker is not None and marker.args:
        return str(marker.args[0])
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(operation_id): the API operation (spec operationId) a contract test checks;"
        " counted in the per-operation table",
    )
    config.addinivalue_line("markers", "v1v2: a contract check that needs the September 2025 API (v1/v2)")
    config.addinivalue_line("markers", "v3: a contract check that needs today's API (v3)")
    tally = _Tally()
    config.stash[_TALLY_KEY] = tally
    _ACTIVE.append(tally)
    from contracts.client import set_max_wait

    set_max_wait(config.getoption("mem0_max_wait"))


def pytest_unconfigure(config: pytest.Config) -> None:
    tally = config.stash.get(_TALLY_KEY, None)
    if tally in _ACTIVE:
        _ACTIVE.remove(tally)


def _is_suite_item(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return getattr(module, "__name__", "").startswith(_SUITE_MODULE_PREFIX)


def _set_nodeid(item: pytest.Item, nodeid: str) -> None:
    """Rename an item (pytest >= 9 keeps a structured id, older ones a string)."""
    if hasattr(item, "_id"):
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        item._nodeid = nodeid


def surfaces_of(item: pytest.Item) -> set[str]:
    """The APIs a suite item needs: its `v1v2` / `v3` markers, else its operation's surface."""
    marked = {name for name in SURFACE_MARKERS if item.get_closest_marker(name) is not None}
    if marked:
        return marked
    op = operation_of(item)
    surface = operation_surface(op) if op else None
    return {surface} if surface else set()


def _select_surface(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each suite item with the API it needs, and deselect those `--surface` rules out."""
    surface = config.getoption("mem0_surface", "all")
    kept, dropped = [], []
    for item in items:
        needs = surfaces_of(item) if _is_suite_item(item) else set()
        for name in needs:
            if item.get_closest_marker(name) is None:
                item.add_marker(name)
        (dropped if surface != "all" and needs - {surface} else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(tryfirst=True)  # before `-k` / `-m` deselect, so they can match operationIds
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tag schemathesis items of the suites with their operationId, and put it in their name;
    then mark every suite item with the API it needs and apply `--surface`."""
    labels: dict[str, str] | None = None
    for item in items:
        label = getattr(item, "operation_label", None)
        if isinstance(label, str) and _is_suite_item(item) and operation_of(item) is None:
            if labels is None:
                labels = _spec_operations()[0]
            op = labels.get(label)
            if op is not None:
                item.add_marker(pytest.mark.mem0_operation(op))
                # JUnit and the terminal name a test by its node id; under pytest 9 schemathesis gives
                # every operation of a test the same one, so make it unique and name the operationId.
                suffix = f"[{op}: {label}]"
                item.name = item.name.replace(f"[{label}]", suffix)
                base = item.nodeid.split("[", 1)[0] if item.nodeid.endswith("]") else item.nodeid
                _set_nodeid(item, base + suffix)
    _select_surface(config, items)
    if any(_is_suite_item(item) for item in items):
        _settle_garbage_collector()


def _settle_garbage_collector() -> None:
    """Once the suite is collected: move what collection built (the spec, schemathesis'
    operations and explicit cases, strategies), which lives as long as the run, out of the
    collector's sight, and collect the young generation every 20,000 allocations rather
    than 700. Generating examples allocates a great deal that dies young: this saves about
    7-9% of the suite's CPU time (29 -> 27 s here). The process is a test run: nothing else shares it."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    tally = item.config.stash[_TALLY_KEY]
    tally.items.setdefault(item.nodeid, _ItemRecord(operation_of(item)))
    tally.current = item.nodeid
    try:
        yield
    finally:
        tally.current = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Carry the item's operation and named checks on its report, so that under pytest-xdist
    (`-n auto`) the controller, which runs no test itself, can build the table."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    tally = item.config.stash.get(_TALLY_KEY, None)
    record = tally.items.get(item.nodeid) if tally is not None else None
    if record is not None:
        report.mem0_contract = {
            "operation": record.operation,
            "checks": [[op, name, ok] for (op, name), ok in record.checks.items()],
        }


@pytest.hookimpl(hookwrapper=True)
def pytest_report_to_serializable(report: Any) -> Iterator[None]:
    outcome = yield
    data = outcome.get_result()  # type: ignore[attr-defined]
    if isinstance(data, dict) and hasattr(report, "mem0_contract"):
        data[_REPORT_FIELD] = report.mem0_contract


@pytest.hookimpl(hookwrapper=True)
def pytest_report_from_serializable(data: dict[str, Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report is not None and _REPORT_FIELD in data:
        report.mem0_contract = data[_REPORT_FIELD]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _ACTIVE:
        return
    items = _ACTIVE[-1].items
    carried = getattr(report, "mem0_contract", None)
    record = items.get(report.nodeid)
    if record is None:
        if carried is None:
            return
        record = items[report.nodeid] = _ItemRecord(carried["operation"])  # from an xdist worker
    if carried is not None:
        for op, name, ok in carried["checks"]:
            record.checks[(op, name)] = record.checks.get((op, name), True) and ok
    if report.failed:
        record.outcome = "failed"
        record.ran = True
    elif report.skipped and record.outcome != "failed":
        record.outcome = "skipped"
    elif report.when == "call" and report.passed:
        record.ran = True


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    note = config.stash.get(_ANY_KEY_NOTE, None)
    if note:
        terminalreporter.write_line(note, yellow=True)
    tally = config.stash.get(_TALLY_KEY, None)
    rows = tally.rows() if tally is not None else {}
    if not rows:
        return
    order = list(_spec_operations()[1])
    order += sorted(op for op in rows if op not in order)
    width = max(len("operation"), *(len(op) for op in order))
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "mem0 contract checks per operation")
    write(f"{'operation':<{width}}  {'checks':>6}  {'passed':>6}  {'failed':>6}  {'skipped':>7}")
    totals = [0, 0, 0]
    for op in order:
        passed, failed, skipped = rows.get(op, (0, 0, 0))
        totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
        flag = "  FAILED" if failed else ("  (none run)" if passed + failed == 0 else "")
        write(f"{op:<{width}}  {passed + failed:>6}  {passed:>6}  {failed:>6}  {skipped:>7}{flag}")
    write(f"{'total':<{width}}  {totals[0] + totals[1]:>6}  {totals[0]:>6}  {totals[1]:>6}  {totals[2]:>7}")
