"""Filter semantics of today's list (`POST /v3/memories/`) and search (`POST /v3/memories/search/`).

The seed data set is stored through v3 add (`infer: false`) in a namespace of its own and
read back by id (the v1 object carries `keywords` and `run_id`, so the oracle can judge every
filter field). v3 list must answer exactly `oracle.select_v3` (set and order); v3 search is
scored by the target, so it is judged by the rules that hold whatever the scoring, plus the
v3 defaults (threshold 0.1, rerank off) and `score_breakdown`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import dataset, oracle
from contracts.client import Client, response_text
from contracts.strategies import invalid_filters
from contracts.suites.test_filters import (
    ALL,
    BROAD_QUERY,
    CASES,
    DECOY,
    ENTITY_RULE_MESSAGE,
    HYPOTHESIS,
    NO_ENTITY,
    Seeded,
    _ranked_elements,
)

pytestmark = pytest.mark.v3
list_op = pytest.mark.mem0_operation("getMemoriesV3")
search_op = pytest.mark.mem0_operation("searchMemoriesV3")
LIST = "getMemoriesV3"
SEARCH = "searchMemoriesV3"
BODY_OPTIONS = ("show_expired", "latest_only", "start_date", "end_date", "categories", "keywords", "metadata")
RANDOM = settings(HYPOTHESIS, max_examples=40)


@pytest.fixture(scope="session")
def seeded_v3(api: Client) -> Iterator[Seeded]:
    """Seed once per session through v3 add; remove exactly the namespace's memories afterwards."""
    ns = dataset.namespace()
    try:
        memories = api.seed_v3(ns)
        short = {eid.removeprefix(f"{ns}-"): eid for ids in dataset.entities(ns).values() for eid in ids}
        yield Seeded(ns, dataset.scope(ns), memories, short)
    finally:
        api.cleanup(ns, v3=True)


# --------------------------------------------------------------------------- helpers


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def page(api: Client, filters: Any, check: str, *, page_number: int | None = None, page_size: int | None = 200,
         **body: Any) -> dict[str, Any]:
    """One v3 list page, which must be a DRF page."""
    response = api.get_all_v3(filters, page=page_number, page_size=page_size, **body)
    payload = _json(response)
    assert response.status_code == 200 and isinstance(payload, dict), (
        f"[{LIST}] {check}: expected 200 with a DRF page, got {response_text(response)}"
    )
    missing = [k for k in ("count", "next", "previous", "results") if k not in payload]
    assert not missing and isinstance(payload["results"], list), f"[{LIST}] {check}: page lacks {missing}: {payload}"
    return payload


def search(api: Client, filters: Any, check: str, *, query: str = BROAD_QUERY, **options: Any) -> list[dict]:
    response = api.search_v3(query, filters, **options)
    payload = _json(response)
    assert response.status_code == 200 and isinstance(payload, dict) and isinstance(payload.get("results"), list), (
        f"[{SEARCH}] {check}: expected 200 with {{'results': [...]}}, got {response_text(response)}"
    )
    return payload["results"]


def expected(seeded: Seeded, filters: dict, **options: Any) -> list[str]:
    return [m["id"] for m in oracle.select_v3(filters, seeded.memories, **options)]


def assert_list(api: Client, seeded: Seeded, filters: dict, check: str, **options: Any) -> list[dict]:
    """v3 list answers exactly oracle.select_v3: same ids, same order, and a count that says so."""
    body = page(api, filters, check, **options)
    got = [m.get("id") for m in body["results"]]
    wanted = expected(seeded, filters, **options)
    assert got == wanted, (
        f"[{LIST}] {check}: filter {filters} options {options}\n expected {seeded.describe(wanted)}"
        f"\n got      {seeded.describe(got)}"
    )
    assert body["count"] == len(wanted), f"[{LIST}] {check}: count {body['count']} != {len(wanted)}"
    return body["results"]


def assert_search(api: Client, seeded: Seeded, filters: dict, check: str, *, query: str = BROAD_QUERY,
                  **options: Any) -> list[dict]:
    """Search at threshold 0 with top_k above the namespace: every match, only matches, by score,
    each with a `score_breakdown` that adds up to its score."""
    wanted = set(expected(seeded, filters, **options))
    results = search(api, filters, check, query=query, top_k=ALL, threshold=0, **options)
    problems = oracle.check_search_results(results, wanted, top_k=ALL, threshold=0)
    problems += [p for r in results for p in oracle.check_score_breakdown(r)]
    assert not problems, f"[{SEARCH}] {check}: filter {filters} options {options}: {problems}"
    got = {r["id"] for r in results}
    assert got == wanted, (
        f"[{SEARCH}] {check} (threshold 0 completeness): filter {filters} options {options}\n"
        f" missing {seeded.describe(sorted(wanted - got))}\n extra {seeded.describe(sorted(got - wanted))}"
    )
    return results


# --------------------------------------------------------------------------- operators


def _case_ids() -> list[str]:
    return [name for name, _ in CASES]


@list_op
@pytest.mark.parametrize("case", CASES, ids=_case_ids())
def test_list_operator(api: Client, seeded_v3: Seeded, case: tuple[str, Callable[[Seeded], dict]]) -> None:
    """Each operator on each field (the v2 language) lists exactly what the oracle selects, in order."""
    name, build = case
    assert_list(api, seeded_v3, seeded_v3.scoped(build(seeded_v3)), name)


@search_op
@pytest.mark.parametrize("case", CASES, ids=_case_ids())
def test_search_operator(api: Client, seeded_v3: Seeded, case: tuple[str, Callable[[Seeded], dict]]) -> None:
    """Each operator on each field: search answers every match and only matches, by score."""
    name, build = case
    assert_search(api, seeded_v3, seeded_v3.scoped(build(seeded_v3)), name)


CAMEL_CASES: list[tuple[str, Callable[[Seeded], dict]]] = [
    ("userId", lambda s: {"userId": s.entity["u1"]}),
    ("agentId-in", lambda s: {"agentId": {"in": [s.entity["a1"], DECOY]}}),
    ("appId-ne", lambda s: {"appId": {"ne": s.entity["app"]}}),
    ("runId-wildcard", lambda s: {"runId": "*"}),
    ("createdAt-range", lambda s: {"createdAt": {"gte": "2024-07-01", "lte": "2024-07-31"}}),
    ("updatedAt-lt", lambda s: {"updatedAt": {"lt": "2024-07-10T00:00:00Z"}}),
    ("camel-in-or-not", lambda s: {"OR": [{"userId": s.entity["u2"]}, {"NOT": {"runId": "*"}}]}),
    ("camel-beside-snake", lambda s: {"userId": s.entity["u3"], "created_at": {"gte": "2024-07-15"}}),
    ("camel-and-snake-same-field", lambda s: {"AND": [{"userId": s.entity["u1"]}, {"user_id": {"ne": DECOY}}]}),
]


@list_op
@pytest.mark.parametrize("case", CAMEL_CASES, ids=[n for n, _ in CAMEL_CASES])
def test_list_camel_case_fields(api: Client, seeded_v3: Seeded, case: tuple[str, Callable[[Seeded], dict]]) -> None:
    """`userId`, `agentId`, `appId`, `runId`, `createdAt`, `updatedAt` mean the snake_case fields."""
    name, build = case
    assert_list(api, seeded_v3, seeded_v3.scoped(build(seeded_v3)), f"camelCase {name}")


@search_op
@pytest.mark.parametrize("case", CAMEL_CASES, ids=[n for n, _ in CAMEL_CASES])
def test_search_camel_case_fields(api: Client, seeded_v3: Seeded, case: tuple[str, Callable[[Seeded], dict]]) -> None:
    """camelCase field names in a search filter mean the snake_case fields."""
    name, build = case
    assert_search(api, seeded_v3, seeded_v3.scoped(build(seeded_v3)), f"camelCase {name}")


# --------------------------------------------------------------------------- random trees

_CAMEL = {snake: camel for camel, snake in oracle.V3_FIELD_ALIASES.items()}


def camelize(tree: Any) -> Any:
    """The same filter with every field that has a camelCase name spelled that way (metadata keys kept)."""
    if isinstance(tree, list):
        return [camelize(sub) for sub in tree]
    if not isinstance(tree, dict):
        return tree
    return {
        _CAMEL.get(key, key): (camelize(value) if key in ("AND", "OR", "NOT") else value)
        for key, value in tree.items()
    }


def _random_tree(data: st.DataObject, seeded: Seeded) -> dict:
    tree = data.draw(seeded.trees(), label="filters")
    return camelize(tree) if data.draw(st.booleans(), label="camelCase") else tree


@list_op
@RANDOM
@given(data=st.data())
def test_list_random_filter_trees(api: Client, seeded_v3: Seeded, data: st.DataObject) -> None:
    """Random AND/OR/NOT trees over every field (snake or camelCase) list exactly what the oracle selects."""
    assert_list(api, seeded_v3, _random_tree(data, seeded_v3), "random filter tree")


@search_op
@RANDOM
@given(data=st.data())
def test_search_random_filter_trees(api: Client, seeded_v3: Seeded, data: st.DataObject) -> None:
    """Random trees on search: every match and only matches at threshold 0, by score."""
    assert_search(api, seeded_v3, _random_tree(data, seeded_v3), "random filter tree")


# --------------------------------------------------------------------------- expiry, supersession


def _expired(seeded: Seeded) -> dict[str, Any]:
    return next(m for m in seeded.memories if oracle.is_expired(m))


@list_op
@pytest.mark.parametrize("show_expired", [None, False, True])
def test_list_show_expired(api: Client, seeded_v3: Seeded, show_expired: bool | None) -> None:
    """Expired memories are listed only with `show_expired: true`."""
    options = {} if show_expired is None else {"show_expired": show_expired}
    got = assert_list(api, seeded_v3, seeded_v3.scope, f"show_expired={show_expired}", **options)
    listed = _expired(seeded_v3)["id"] in {m.get("id") for m in got}
    assert listed is bool(show_expired), f"[{LIST}] show_expired={show_expired}: expired memory listed={listed}"


@search_op
@pytest.mark.parametrize("show_expired", [None, True])
def test_search_show_expired(api: Client, seeded_v3: Seeded, show_expired: bool | None) -> None:
    """Expired memories are searched only with `show_expired: true`, even for their exact text."""
    options = {} if show_expired is None else {"show_expired": show_expired}
    memory = _expired(seeded_v3)
    results = assert_search(api, seeded_v3, seeded_v3.scope, f"show_expired={show_expired}", query=memory["memory"],
                            **options)
    found = memory["id"] in {r["id"] for r in results}
    assert found is bool(show_expired), f"[{SEARCH}] show_expired={show_expired}: expired memory found={found}"


@list_op
def test_list_latest_only_keeps_current_memories(api: Client, seeded_v3: Seeded) -> None:
    """`latest_only` hides only superseded memories (none in the seed; the lifecycle suite makes some)."""
    assert_list(api, seeded_v3, seeded_v3.scope, "latest_only", latest_only=True)


# --------------------------------------------------------------------------- body shortcuts


def _top(seeded: Seeded, name: str, rank: int = 0) -> str:
    ranked = _ranked_elements(seeded.memories, name)
    return ranked[rank] if len(ranked) > rank else DECOY


SHORTCUTS: list[tuple[str, Callable[[Seeded], dict[str, Any]]]] = [
    ("start_date", lambda s: {"start_date": "2024-07-10"}),
    ("start_date-first-second", lambda s: {"start_date": "2024-07-31"}),
    ("end_date", lambda s: {"end_date": "2024-07-01"}),
    ("start_and_end_date", lambda s: {"start_date": "2024-07-01", "end_date": "2024-07-09"}),
    ("end_date-with-expired", lambda s: {"end_date": "2024-06-30", "show_expired": True}),
    ("categories", lambda s: {"categories": [_top(s, "categories")]}),
    ("categories-any", lambda s: {"categories": [_top(s, "categories", 1), _top(s, "categories", 2), DECOY]}),
    ("categories-exact", lambda s: {"categories": [_top(s, "categories")[:-1] or DECOY]}),
    ("keywords-any-case", lambda s: {"keywords": _top(s, "keywords").upper()}),
    ("keywords-substring", lambda s: {"keywords": _top(s, "keywords", 1)[1:-1] or DECOY}),
    ("shortcuts-and-filter", lambda s: {"start_date": "2024-07-01", "categories": [_top(s, "categories")],
                                        "filters": {"user_id": {"in": [s.entity["u1"], s.entity["u3"]]}}}),
]


def _shortcut_request(seeded: Seeded, build: Callable[[Seeded], dict[str, Any]]) -> tuple[dict, dict]:
    options = build(seeded)
    extra = options.pop("filters", None)
    return (seeded.scoped(extra) if extra else seeded.scope), options


@list_op
@pytest.mark.parametrize("case", SHORTCUTS, ids=[n for n, _ in SHORTCUTS])
def test_list_body_shortcuts(api: Client, seeded_v3: Seeded, case: tuple[str, Callable]) -> None:
    """`start_date`, `end_date`, `categories`, `keywords` in the body are ANDed with the filter."""
    name, build = case
    filters, options = _shortcut_request(seeded_v3, build)
    assert_list(api, seeded_v3, filters, f"shortcut {name}", **options)


@search_op
@pytest.mark.parametrize("case", SHORTCUTS, ids=[n for n, _ in SHORTCUTS])
def test_search_body_shortcuts(api: Client, seeded_v3: Seeded, case: tuple[str, Callable]) -> None:
    """The same shortcuts narrow search."""
    name, build = case
    filters, options = _shortcut_request(seeded_v3, build)
    assert_search(api, seeded_v3, filters, f"shortcut {name}", **options)


METADATA = [{"topic": "food"}, {"topic": "music", "source": "chat"}, {"priority": 2}, {"topic": DECOY}]


@search_op
@pytest.mark.parametrize("metadata", METADATA, ids=[json.dumps(m) for m in METADATA])
def test_search_metadata(api: Client, seeded_v3: Seeded, metadata: dict[str, Any]) -> None:
    """`metadata` keeps the memories whose metadata has every given key with exactly that value."""
    assert_search(api, seeded_v3, seeded_v3.scope, f"metadata={metadata}", metadata=metadata)


# --------------------------------------------------------------------------- items


@list_op
def test_list_items_are_the_memories(api: Client, seeded_v3: Seeded) -> None:
    """Items carry the memory's values, the run id as `session_id`, the add's `timestamp` as created_at,
    and calendar facts of created_at (UTC)."""
    full = {m["id"]: m for m in seeded_v3.memories}
    stamps = {b["messages"][0]["content"]: b["timestamp"] for b in dataset.seed_requests(seeded_v3.ns)}
    for item in page(api, seeded_v3.scope, "items", show_expired=True)["results"]:
        created = oracle.parse_instant(item["created_at"]).timestamp()
        assert created == stamps[item["memory"]], (
            f"[addMemoriesV3] timestamp backdates created_at: {item['memory']!r} created {item['created_at']},"
            f" sent timestamp {stamps[item['memory']]}"
        )
        want = oracle.v3_item(full[item["id"]])
        missing = [k for k in oracle.V3_LIST_FIELDS if k not in item]
        assert not missing, f"[{LIST}] items: {item['id']} lacks {missing}"
        for key in ("memory", "user_id", "agent_id", "app_id", "session_id", "metadata", "categories", "immutable",
                    "expiration_date", "replaced_by"):
            assert item[key] == want.get(key), (
                f"[{LIST}] items: {key} of {item['id']} is {item[key]!r}, the memory's is {want.get(key)!r}"
            )
        assert oracle.parse_instant(item["created_at"]) == oracle.parse_instant(want["created_at"]), (
            f"[{LIST}] items: created_at of {item['id']} differs from the memory's"
        )
        facts = oracle.calendar_facts(item["created_at"])
        attributes = item.get("structured_attributes") or {}
        wrong = {k: attributes.get(k) for k, v in facts.items() if attributes.get(k) != v}
        assert not wrong, f"[{LIST}] structured_attributes of {item['id']} ({item['created_at']}): {wrong} != {facts}"
        assert item.get("synthesized") is False, f"[{LIST}] items: synthesized {item.get('synthesized')!r}"


@search_op
def test_search_items_name_the_run_id(api: Client, seeded_v3: Seeded) -> None:
    """Search results carry `run_id` (not session_id) and the memory's own values."""
    full = {m["id"]: m for m in seeded_v3.memories}
    results = search(api, seeded_v3.scoped({"run_id": "*"}), "items", top_k=ALL, threshold=0)
    assert results, f"[{SEARCH}] items: no result for memories with a run id at threshold 0"
    for item in results:
        for key in ("memory", "user_id", "agent_id", "app_id", "run_id", "metadata", "categories"):
            assert item.get(key) == full[item["id"]].get(key), (
                f"[{SEARCH}] items: {key} of {item['id']} is {item.get(key)!r}, the memory's is "
                f"{full[item['id']].get(key)!r}"
            )


# --------------------------------------------------------------------------- search defaults

# One stored topic among many others: a low but positive score for any sensible scorer, which
# is where the v3 default threshold (0.1, not v2's 0.3) shows.
DILUTED_QUERY = (
    "jazz, quarterly invoices, plumbing repairs, mortgage refinancing, carburetor tuning, lawn mowing,"
    " roof insulation, tax returns, printer toner, gutter cleaning, bicycle brakes"
)
QUERIES = [BROAD_QUERY, "loves jazz music", "what food does the user avoid", "sports and travel plans", DILUTED_QUERY]


@search_op
@pytest.mark.parametrize("query", QUERIES)
def test_search_default_threshold_and_top_k(api: Client, seeded_v3: Seeded, query: str) -> None:
    """Without threshold or top_k, v3 search answers the ranking's head: score >= 0.1, at most 10."""
    ranked = search(api, seeded_v3.scope, f"ranking of {query!r}", query=query, top_k=ALL, threshold=0)
    want = oracle.ranked_head(ranked, top_k=oracle.V3_DEFAULT_TOP_K, threshold=oracle.V3_DEFAULT_THRESHOLD)
    got = search(api, seeded_v3.scope, "defaults", query=query)
    assert [r["id"] for r in got] == [r["id"] for r in want], (
        f"[{SEARCH}] default threshold {oracle.V3_DEFAULT_THRESHOLD} / top_k {oracle.V3_DEFAULT_TOP_K}: query"
        f" {query!r}\n expected {[(r['memory'][:20], r['score']) for r in want]}"
        f"\n got      {[(r.get('memory', '?')[:20], r.get('score')) for r in got]}"
    )
    explicit = search(api, seeded_v3.scope, "threshold 0.1", query=query, threshold=0.1, top_k=10)
    assert [r["id"] for r in explicit] == [r["id"] for r in got], (
        f"[{SEARCH}] default threshold: the defaults differ from threshold=0.1, top_k=10 for {query!r}"
    )


@search_op
@pytest.mark.parametrize("query", QUERIES[:2])
def test_search_rerank_is_off_by_default(api: Client, seeded_v3: Seeded, query: str) -> None:
    """The default scores are the scores with `rerank: false`; `reference_date` changes none of them."""
    default = search(api, seeded_v3.scope, "rerank default", query=query, top_k=ALL, threshold=0)
    plain = search(api, seeded_v3.scope, "rerank false", query=query, top_k=ALL, threshold=0, rerank=False)
    scores = {r["id"]: r["score"] for r in default}
    assert scores == {r["id"]: r["score"] for r in plain}, (
        f"[{SEARCH}] rerank default: scores differ from rerank=false for {query!r}"
    )
    dated = search(api, seeded_v3.scope, "reference_date", query=query, top_k=ALL, threshold=0,
                   reference_date="2024-07-15")
    assert scores == {r["id"]: r["score"] for r in dated}, (
        f"[{SEARCH}] reference_date: scores differ from the same search without it for {query!r}"
    )


@search_op
@pytest.mark.v1v2
@pytest.mark.parametrize("query", QUERIES[:2])
def test_search_scores_agree_with_v2(api: Client, seeded_v3: Seeded, query: str) -> None:
    """The same memories and query give the same scores through v2 and v3 search (rerank off in both)."""
    v3 = search(api, seeded_v3.scope, "v2 agreement", query=query, top_k=ALL, threshold=0)
    response = api.search_v2(query, seeded_v3.scope, top_k=ALL, threshold=0, rerank=False)
    v2 = _json(response)
    assert response.status_code == 200 and isinstance(v2, list), f"[searchMemoriesV2] {response_text(response)}"
    got = {r["id"]: round(r["score"], 6) for r in v3}
    want = {r["id"]: round(r["score"], 6) for r in v2}
    assert got == want, f"[{SEARCH}] scores for {query!r} differ from v2 search's: {got} != {want}"


@search_op
@pytest.mark.parametrize("top_k", [1, 4])
def test_search_top_k(api: Client, seeded_v3: Seeded, top_k: int) -> None:
    """top_k caps the results at the head of the full ranking."""
    ranked = search(api, seeded_v3.scope, "top_k baseline", top_k=ALL, threshold=0)
    got = search(api, seeded_v3.scope, f"top_k={top_k}", top_k=top_k, threshold=0)
    assert [r["id"] for r in got] == [r["id"] for r in ranked[:top_k]], (
        f"[{SEARCH}] top_k={top_k}: not the head of the ranking"
    )


# --------------------------------------------------------------------------- pagination


@list_op
@pytest.mark.parametrize("page_size", [1, 7, 200])
def test_list_pages_partition(api: Client, seeded_v3: Seeded, page_size: int) -> None:
    """`page` / `page_size` in the query: pages partition the listing, with count and links."""
    full = expected(seeded_v3, seeded_v3.scope)
    pages, bodies = [], []
    for number in range(1, len(full) + 2):
        body = page(api, seeded_v3.scope, f"page={number} page_size={page_size}", page_number=number,
                    page_size=page_size)
        pages.append(body["results"])
        bodies.append(body)
        if body["next"] is None:
            break
    problems = oracle.check_page_partition(pages, [{"id": i} for i in full], page_size=page_size,
                                           count=bodies[0]["count"])
    assert not problems, f"[{LIST}] page_size={page_size} partition: {problems}"
    assert bodies[0]["previous"] is None and all(b["previous"] for b in bodies[1:]), (
        f"[{LIST}] page_size={page_size}: previous links {[b['previous'] for b in bodies]}"
    )
    response = api.get_all_v3(seeded_v3.scope, page=len(bodies) + 1, page_size=page_size)
    assert response.status_code == 404, f"[{LIST}] page past the end: expected 404, got {response_text(response)}"


@list_op
def test_list_page_size_limits(api: Client, seeded_v3: Seeded) -> None:
    """At most 200 per page; 100 by default; the body's page_size is used when the query has none."""
    response = api.get_all_v3(seeded_v3.scope, page_size=201)
    assert response.status_code == 400, f"[{LIST}] page_size=201: expected 400, got {response_text(response)}"
    response = api.get_all_v3(seeded_v3.scope, page_size=0)
    assert response.status_code == 400, f"[{LIST}] page_size=0: expected 400, got {response_text(response)}"
    full = expected(seeded_v3, seeded_v3.scope)
    default = page(api, seeded_v3.scope, "default page size", page_size=None)
    assert len(default["results"]) == min(len(full), oracle.V3_DEFAULT_PAGE_SIZE), (
        f"[{LIST}] default page size: {len(default['results'])} items of {len(full)}"
    )
    response = api.request("POST", "/v3/memories/", json={"filters": seeded_v3.scope, "page": 2, "page_size": 2})
    body = _json(response)
    assert response.status_code == 200 and isinstance(body, dict), (
        f"[{LIST}] page in the body: {response_text(response)}"
    )
    assert [m["id"] for m in body.get("results", [])] == full[2:4], f"[{LIST}] page=2 page_size=2 in the body"
    response = api.request("POST", "/v3/memories/", params={"page": 1, "page_size": 3},
                           json={"filters": seeded_v3.scope, "page": 2, "page_size": 2})
    body = _json(response)
    assert response.status_code == 200 and [m["id"] for m in body.get("results", [])] == full[:3], (
        f"[{LIST}] page in the query and the body: the query wins; got {response_text(response)}"
    )


@list_op
def test_list_empty_page(api: Client, seeded_v3: Seeded) -> None:
    """Page 1 of an empty set is an empty page; page 2 is 404."""
    body = page(api, seeded_v3.scoped({"user_id": DECOY}), "empty set", page_number=1, page_size=5)
    assert body["count"] == 0 and body["results"] == [] and body["next"] is None, f"[{LIST}] empty set: {body}"
    response = api.get_all_v3(seeded_v3.scoped({"user_id": DECOY}), page=2, page_size=5)
    assert response.status_code == 404, f"[{LIST}] page 2 of an empty set: {response_text(response)}"


# --------------------------------------------------------------------------- fields

FIELD_SETS = [["memory"], ["session_id"], ["memory", "session_id", "created_at"], ["categories", "metadata"]]


@list_op
@pytest.mark.parametrize("fields", FIELD_SETS, ids=["+".join(f) for f in FIELD_SETS])
def test_list_fields(api: Client, seeded_v3: Seeded, fields: list[str]) -> None:
    """`fields` keeps `id` and the named fields (`session_id` included), with their values."""
    full = {m["id"]: m for m in page(api, seeded_v3.scope, "fields baseline")["results"]}
    items = page(api, seeded_v3.scope, f"fields={fields}", fields=fields)["results"]
    assert [i.get("id") for i in items] == list(full), f"[{LIST}] fields={fields}: projection changed the listing"
    for item in items:
        want = oracle.project(full[item["id"]], fields, keep=("id",))
        assert item == want, f"[{LIST}] fields={fields}: expected {want} got {item}"


@search_op
@pytest.mark.parametrize("fields", [["memory"], ["run_id", "categories"]], ids=["memory", "run_id+categories"])
def test_search_fields(api: Client, seeded_v3: Seeded, fields: list[str]) -> None:
    """`fields` on search keeps id, score and the named fields."""
    full = {m["id"]: m for m in seeded_v3.memories}
    results = search(api, seeded_v3.scope, f"fields={fields}", top_k=5, threshold=0, fields=fields)
    assert results, f"[{SEARCH}] fields={fields}: no results at threshold 0"
    for item in results:
        extra = set(item) - {"id", "score", *fields}
        assert not extra, f"[{SEARCH}] fields={fields}: keys not asked for {sorted(extra)} in {item}"
        for key in fields:
            assert item.get(key) == full[item["id"]].get(key), f"[{SEARCH}] fields={fields}: {key} of {item}"


# --------------------------------------------------------------------------- invalid requests


OPERATIONS = [pytest.param(LIST, marks=list_op, id=LIST), pytest.param(SEARCH, marks=search_op, id=SEARCH)]


@pytest.mark.parametrize("field", oracle.ENTITY_FIELDS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_top_level_entity_ids_are_refused(api: Client, seeded_v3: Seeded, operation: str, field: str) -> None:
    """An entity id at the top level of the body is a 400 field error naming it."""
    value = seeded_v3.entity["u1"]
    if operation == LIST:
        response = api.get_all_v3(seeded_v3.scope, **{field: value})
    else:
        response = api.search_v3(BROAD_QUERY, seeded_v3.scope, **{field: value})
    body = _json(response)
    assert response.status_code == 400 and isinstance(body, dict) and field in body, (
        f"[{operation}] top-level {field}: expected 400 {{{field!r}: [...]}}, got {response_text(response)}"
    )


@pytest.mark.parametrize("filters", [*NO_ENTITY, None], ids=[*(str(i) for i in range(len(NO_ENTITY))), "missing"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_filters_must_name_an_entity(api: Client, operation: str, filters: dict | None) -> None:
    """`filters` is required and must name an entity id (the entity-id rule's 400)."""
    if operation == LIST:
        response = api.get_all_v3(filters) if filters is not None else api.request("POST", "/v3/memories/", json={})
    else:
        response = api.search_v3(BROAD_QUERY, filters) if filters is not None else api.request(
            "POST", "/v3/memories/search/", json={"query": BROAD_QUERY})
    body = _json(response)
    assert response.status_code == 400, f"[{operation}] filters {filters}: expected 400, got {response_text(response)}"
    if filters is not None:
        assert isinstance(body, dict) and body.get("message") == ENTITY_RULE_MESSAGE, (
            f"[{operation}] entity-id rule: expected {{'message': {ENTITY_RULE_MESSAGE!r}}}, got {body}"
        )


UNKNOWN_KEYS = [
    pytest.param({"source": "ZAPIER", "output_format": "v1.1", "zz_unknown": [1]}, id="sdk-keys"),
    pytest.param({"org_id": "org-from-an-sdk", "project_id": "proj-from-an-sdk"}, id="org-and-project"),
]


@pytest.mark.parametrize("unknown", UNKNOWN_KEYS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_body_keys_are_ignored(api: Client, seeded_v3: Seeded, operation: str, unknown: dict) -> None:
    """Keys the SDKs send that the API does not know (`source`, `output_format`, `org_id`, ...) change nothing."""
    if operation == LIST:
        plain, extra = (page(api, seeded_v3.scope, "unknown keys", **body)["results"] for body in ({}, unknown))
    else:
        plain, extra = (search(api, seeded_v3.scope, "unknown keys", top_k=ALL, threshold=0, **body)
                        for body in ({}, unknown))
    assert [m["id"] for m in extra] == [m["id"] for m in plain], f"[{operation}] unknown body keys changed the answer"


@search_op
def test_search_needs_a_query(api: Client, seeded_v3: Seeded) -> None:
    """`query` is required and not empty."""
    for body in ({"filters": seeded_v3.scope}, {"filters": seeded_v3.scope, "query": ""}):
        response = api.request("POST", "/v3/memories/search/", json=body)
        assert response.status_code == 400, f"[{SEARCH}] query {body.get('query')!r}: {response_text(response)}"


def _v3_invalid(scope: dict) -> st.SearchStrategy:
    # `createdAt` is an unknown field in v2 but today's name of created_at.
    return invalid_filters(scope).filter(lambda tree: "createdAt" not in json.dumps(tree))


@list_op
@settings(HYPOTHESIS, max_examples=20)
@given(data=st.data())
def test_list_invalid_filters(api: Client, seeded_v3: Seeded, data: st.DataObject) -> None:
    """Unknown fields/operators, `in` without a list, bad dates, non-list AND/OR: 400 {"filters"}."""
    filters = data.draw(_v3_invalid(seeded_v3.scope), label="filters")
    response = api.get_all_v3(filters)
    body = _json(response)
    assert response.status_code == 400 and isinstance(body, dict) and "filters" in body, (
        f"[{LIST}] invalid filter {filters}: expected 400 {{'filters': [...]}}, got {response_text(response)}"
    )


@search_op
@settings(HYPOTHESIS, max_examples=20)
@given(data=st.data())
def test_search_invalid_filters(api: Client, seeded_v3: Seeded, data: st.DataObject) -> None:
    """The same invalid filters are refused by search."""
    filters = data.draw(_v3_invalid(seeded_v3.scope), label="filters")
    response = api.search_v3(BROAD_QUERY, filters)
    body = _json(response)
    assert response.status_code == 400 and isinstance(body, dict) and "filters" in body, (
        f"[{SEARCH}] invalid filter {filters}: expected 400 {{'filters': [...]}}, got {response_text(response)}"
    )
