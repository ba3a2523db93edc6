"""Unit and property tests of the oracle: it judges the server, so it must be right itself.

Expected results below are computed by hand from docs/semantics.md, not by running code.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, find, given, settings

from contracts.dataset import FUTURE_EXPIRY, PAST_EXPIRY, entities, namespace, scope, seed_requests
from contracts.oracle import (
    FIELDS,
    OPERATORS,
    V3_LIST_FIELDS,
    FilterError,
    calendar_facts,
    check_event,
    check_page_partition,
    check_projection,
    check_score_breakdown,
    check_search_results,
    check_summary,
    dedupe_key,
    expected_search,
    is_expired,
    listing_order,
    matches,
    matching_ids,
    names_entity,
    normalize_v3_filter,
    project,
    ranked_head,
    select,
    select_v3,
    v3_item,
    validate,
)
from contracts.strategies import default_scope, filter_conditions, filter_trees, invalid_filters

TODAY = date(2024, 8, 1)


def _mem(mid: str, **fields) -> dict:
    base = {
        "id": mid, "memory": f"text of {mid}", "user_id": None, "agent_id": None, "app_id": None,
        "run_id": None, "hash": "0" * 32, "metadata": None, "categories": [], "keywords": [],
        "immutable": False, "expiration_date": None, "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z", "owner": "me@example.com", "organization": "org",
    }
    base.update(fields)
    return base


M1 = _mem(
    "m1", memory="Loves JAZZ music", user_id="alice", categories=["music", "hobbies"],
    keywords=["loves", "jazz", "music"], metadata={"topic": "music", "priority": 2, "source": "chat"},
    created_at="2024-07-01T00:00:00Z",
    updated_at="2024-07-02T01:30:00+02:00",  # UTC calendar date: 2024-07-01
)
M2 = _mem(
    "m2", memory="loves jazz festivals", user_id="bob", agent_id="helper", categories=["music"],
    keywords=["loves", "jazz", "festivals"], metadata={"topic": "music", "priority": 1, "source": "email"},
    created_at="2024-07-31T23:59:59Z", updated_at="2024-07-31T23:59:59+00:00",
)
M3 = _mem(
    "m3", user_id="alice", agent_id="helper", run_id="run-1", categories=["food", "health"],
    keywords=["vegetarian", "dairy"], metadata=None,
    created_at="2024-07-09T12:00:00.250000Z", updated_at=None,
)
M4 = _mem(
    "m4", agent_id="Planner", app_id="app-x", categories=[], keywords=[], metadata={"topic": "travel"},
    created_at="2024-07-10T00:00:00Z", updated_at="2024-07-10T00:00:00Z",
)
M5 = _mem(
    "m5", user_id="carol", app_id="app-x", run_id="run-2", categories=["travel"], keywords=["tokyo"],
    metadata={}, created_at="2024-06-30T23:59:59Z", updated_at="2024-06-30T23:59:59Z",
    expiration_date="2024-01-01",
)
M6 = _mem(
    "m6", user_id="bob", categories=["sports"], metadata={"priority": 3, "source": "Chat"},
    created_at="2024-07-10T00:00:00Z", updated_at="2024-08-01T00:00:00Z", expiration_date="2024-08-01",
)
del M6["keywords"]  # a missing list field behaves as null
MEMS = [M1, M2, M3, M4, M5, M6]
ALL = {m["id"] for m in MEMS}


def ids(filters: dict) -> set[str]:
    return {m["id"] for m in MEMS if matches(filters, m)}


def S(*names: str) -> set[str]:
    return {f"m{n}" for n in names}


# --------------------------------------------------------------------------- operators

STRING_CASES = [
    ({"user_id": "alice"}, S(1, 3)),
    ({"user_id": "Alice"}, S()),
    ({"user_id": "*"}, S(1, 2, 3, 5, 6)),
    ({"user_id": {"in": ["alice", "carol", "nobody"]}}, S(1, 3, 5)),
    ({"user_id": {"in": []}}, S()),
    ({"user_id": {"ne": "alice"}}, S(2, 4, 5, 6)),  # m4: null != "alice"
    ({"user_id": {"contains": "o"}}, S(2, 5, 6)),
    ({"user_id": {"contains": "AL"}}, S()),
    ({"user_id": {"icontains": "AL"}}, S(1, 3)),
    ({"user_id": {"gt": "alice"}}, S(2, 5, 6)),
    ({"user_id": {"gte": "bob"}}, S(2, 5, 6)),
    ({"user_id": {"lt": "bob"}}, S(1, 3)),
    ({"user_id": {"lte": "bob"}}, S(1, 2, 3, 6)),
    ({"user_id": {"gte": "alice", "lt": "carol"}}, S(1, 2, 3, 6)),
    ({"agent_id": {"contains": "P"}}, S(4)),
    ({"agent_id": {"icontains": "p"}}, S(2, 3, 4)),
    ({"agent_id": {"contains": ""}}, S(2, 3, 4)),  # null fails even the empty substring
    ({"agent_id": {"gt": ""}}, S(2, 3, 4)),
    ({"agent_id": "*"}, S(2, 3, 4)),
    ({"app_id": "app-x"}, S(4, 5)),
    ({"app_id": {"ne": "app-x"}}, S(1, 2, 3, 6)),
    ({"app_id": {"in": ["app-x"]}, "run_id": {"ne": "run-2"}}, S(4)),
    ({"run_id": {"in": ["run-1", "nope"]}}, S(3)),
    ({"run_id": "*"}, S(3, 5)),
    ({"run_id": {"lt": "run-2"}}, S(3)),
    ({"user_id": 1}, S()),  # a number never equals a string
]

DATE_CASES = [
    # date-only operands compare against the UTC calendar date of the field
    ({"created_at": {"gte": "2024-07-01"}}, S(1, 2, 3, 4, 6)),
    ({"created_at": {"gt": "2024-07-01"}}, S(2, 3, 4, 6)),
    ({"created_at": {"lte": "2024-07-31"}}, ALL),  # includes the whole 31st
    ({"created_at": {"lt": "2024-07-31"}}, S(1, 3, 4, 5, 6)),
    ({"created_at": {"lte": "2024-06-30"}}, S(5)),
    ({"created_at": "2024-07-10"}, S(4, 6)),
    ({"created_at": "2024-07-09"}, S(3)),
    ({"created_at": "2024-07-31"}, S(2)),
    ({"created_at": {"ne": "2024-07-10"}}, S(1, 2, 3, 5)),
    ({"created_at": {"in": ["2024-07-09", "2024-06-30"]}}, S(3, 5)),
    ({"created_at": {"gte": "2024-07-09", "lt": "2024-07-10"}}, S(3)),
    ({"created_at": "*"}, ALL),
    # full date-times compare as instants, whatever the spelling of UTC
    ({"created_at": {"gte": "2024-07-01T00:00:00Z"}}, S(1, 2, 3, 4, 6)),
    ({"created_at": {"gt": "2024-07-01T00:00:00Z"}}, S(2, 3, 4, 6)),
    ({"created_at": {"gt": "2024-07-01T00:00:00+00:00"}}, S(2, 3, 4, 6)),
    ({"created_at": {"lt": "2024-07-01T02:00:00+02:00"}}, S(5)),
    ({"created_at": {"lte": "2024-07-01T02:00:00+02:00"}}, S(1, 5)),
    ({"created_at": {"lte": "2024-07-31T23:59:58Z"}}, S(1, 3, 4, 5, 6)),
    ({"created_at": "2024-07-31T23:59:59"}, S(2)),  # naive = UTC
    ({"created_at": "2024-07-31T23:59:59.000Z"}, S(2)),
    # microseconds take part in instant comparisons
    ({"created_at": "2024-07-09T12:00:00Z"}, S()),
    ({"created_at": "2024-07-09T12:00:00.250Z"}, S(3)),
    ({"created_at": "2024-07-09T12:00:00.25+00:00"}, S(3)),
    ({"created_at": {"gt": "2024-07-09T12:00:00Z"}}, S(2, 3, 4, 6)),
    ({"created_at": {"lt": "2024-07-09T12:00:00.250001Z"}}, S(1, 3, 5)),
    ({"created_at": {"in": ["2024-07-10T00:00:00Z", "2024-07-01"]}}, S(1, 4, 6)),
    # a field stored with an offset is compared by its UTC date / instant
    ({"updated_at": "2024-07-01"}, S(1)),
    ({"updated_at": "2024-07-02"}, S()),
    ({"updated_at": "2024-07-01T23:30:00Z"}, S(1)),
    ({"updated_at": "2024-07-31"}, S(2)),
    # null date
    ({"updated_at": "*"}, S(1, 2, 4, 5, 6)),
    ({"updated_at": {"lt": "2099-01-01"}}, S(1, 2, 4, 5, 6)),
    ({"updated_at": {"ne": "2024-07-10"}}, S(1, 2, 3, 5, 6)),
    ({"updated_at": {"in": ["2024-08-01"]}}, S(6)),
]

LIST_CASES = [
    ({"categories": "music"}, S(1, 2)),
    ({"categories": "mus"}, S()),
    ({"categories": "*"}, S(1, 2, 3, 5, 6)),
    ({"categories": {"in": ["food", "travel"]}}, S(3, 5)),
    ({"categories": {"in": ["foo"]}}, S()),  # in is exact
    ({"categories": {"contains": "o"}}, S(1, 3, 6)),  # hobbies, food, sports
    ({"categories": {"contains": "Mus"}}, S()),
    ({"categories": {"icontains": "MUS"}}, S(1, 2)),
    ({"categories": {"ne": "music"}}, S(3, 4, 5, 6)),
    ({"categories": {"ne": "music", "contains": "s"}}, S(6)),  # hobbies has s but is with music
    ({"keywords": "jazz"}, S(1, 2)),
    ({"keywords": "*"}, S(1, 2, 3, 5)),  # m4 empty, m6 missing
    ({"keywords": {"ne": "jazz"}}, S(3, 4, 5, 6)),
    ({"keywords": {"contains": "a"}}, S(1, 2, 3)),
    ({"keywords": {"icontains": "TOK"}}, S(5)),
    ({"keywords": {"in": ["tokyo", "dairy"]}}, S(3, 5)),
]

METADATA_CASES = [
    ({"metadata": {"topic": "music"}}, S(1, 2)),
    ({"metadata": {"topic": "music", "source": "chat"}}, S(1)),
    ({"metadata": {"priority": {"gte": 2}}}, S(1, 6)),
    ({"metadata": {"priority": {"gt": 1, "lt": 3}}}, S(1)),
    ({"metadata": {"priority": {"lt": 10}}}, S(1, 2, 6)),  # a missing key fails
    ({"metadata": {"priority": {"in": [1, 3]}}}, S(2, 6)),
    ({"metadata": {"priority": 2.0}}, S(1)),
    ({"metadata": {"priority": "2"}}, S()),  # string vs number
    ({"metadata": {"priority": True}}, S()),  # booleans are not numbers
    ({"metadata": {"priority": {"gt": "1"}}}, S()),
    ({"metadata": {"source": {"icontains": "CHAT"}}}, S(1, 6)),
    ({"metadata": {"source": {"contains": "Chat"}}}, S(6)),
    ({"metadata": {"topic": {"ne": "music"}}}, S(3, 4, 5, 6)),  # missing key passes ne
    ({"metadata": {"topic": "*"}}, S(1, 2, 4)),
    ({"metadata": {"topic": {"gt": "s"}}}, S(4)),
    ({"metadata": "*"}, S(1, 2, 4, 6)),  # null and {} are not set
    ({"metadata": {}}, ALL),  # no key constrained
]

LOGIC_CASES = [
    ({"user_id": "alice", "categories": "food"}, S(3)),
    ({"AND": [{"user_id": "bob"}, {"metadata": {"priority": {"gte": 2}}}]}, S(6)),
    ({"OR": [{"user_id": "carol"}, {"agent_id": "Planner"}]}, S(4, 5)),
    ({"NOT": {"user_id": "alice"}}, S(2, 4, 5, 6)),
    ({"NOT": [{"user_id": "alice"}, {"categories": "music"}]}, S(4, 5, 6)),
    ({"NOT": [{"user_id": "alice"}]}, S(2, 4, 5, 6)),
    ({"NOT": {"NOT": {"user_id": "alice"}}}, S(1, 3)),
    ({"AND": []}, ALL),
    ({"OR": []}, S()),
    ({"NOT": []}, ALL),
    ({}, ALL),
    (
        {
            "AND": [
                {"OR": [{"user_id": "alice"}, {"user_id": "bob"}]},
                {"NOT": {"created_at": {"lt": "2024-07-10"}}},
            ]
        },
        S(2, 6),
    ),
    (
        {"user_id": {"ne": "carol"}, "OR": [{"categories": "music"}, {"metadata": {"priority": 3}}]},
        S(1, 2, 6),
    ),
    (
        {"OR": [{"AND": [{"user_id": "alice"}, {"run_id": "*"}]}, {"app_id": "app-x", "user_id": "*"}]},
        S(3, 5),
    ),
    ({"NOT": {"OR": [{"user_id": "*"}, {"agent_id": "*"}]}}, S()),
]


@pytest.mark.parametrize(
    ("filters", "expected"),
    STRING_CASES + DATE_CASES + LIST_CASES + METADATA_CASES + LOGIC_CASES,
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
def test_matches_hand_computed(filters, expected):
    assert ids(filters) == expected


def test_every_operator_is_exercised_by_hand_cases():
    seen = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in OPERATORS:
                    seen.add(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    cases = STRING_CASES + DATE_CASES + LIST_CASES + METADATA_CASES
    for f, _ in cases:
        walk(f)
    assert seen == set(OPERATORS)


def test_date_boundaries_on_the_second():
    """A 23:59:59 memory belongs to its own day; 00:00:00 of the next day does not."""
    late = _mem("x", created_at="2024-07-31T23:59:59Z")
    next_day = _mem("y", created_at="2024-08-01T00:00:00Z")
    assert matches({"created_at": {"lte": "2024-07-31"}}, late)
    assert not matches({"created_at": {"lte": "2024-07-31"}}, next_day)
    assert matches({"created_at": {"gt": "2024-07-31"}}, next_day)
    assert not matches({"created_at": {"lt": "2024-08-01T00:00:00Z"}}, next_day)
    assert matches({"created_at": {"lt": "2024-08-01T00:00:00Z"}}, late)


def test_dates_are_not_compared_as_strings():
    """'2024-07-10T...' vs '2024-07-9': a date, not a string, decides."""
    ninth = _mem("x", created_at="2024-07-09T23:59:59Z")
    tenth = _mem("y", created_at="2024-07-10T00:00:00Z")
    assert matches({"created_at": {"lt": "2024-07-10"}}, ninth)
    assert not matches({"created_at": {"lt": "2024-07-10"}}, tenth)
    # A '+02:00' instant that sorts before 'Z' as text but is later in time.
    half = _mem("z", created_at="2024-07-09T23:59:59.5Z")
    assert matches({"created_at": {"gt": "2024-07-10T01:00:00+02:00"}}, half)
    assert not matches({"created_at": {"gt": "2024-07-10T02:00:00+02:00"}}, tenth)


# --------------------------------------------------------------------------- errors

INVALID = [
    {"colour": "red"},
    {"memory": "x"},
    {"user_id": {"eq": "alice"}},
    {"user_id": {"regex": "a.*"}},
    {"user_id": {"in": "alice"}},
    {"categories": {"in": "music"}},
    {"AND": {"user_id": "alice"}},
    {"OR": "x"},
    {"created_at": "2024-13-45"},
    {"created_at": {"gte": "2024-02-30"}},
    {"created_at": {"in": ["2024-07-01", "bad"]}},
    {"created_at": "2024-7-9"},
    {"updated_at": {"lt": 20240701}},
    {"created_at": "2024-07-01T24:00:00Z"},
    {"metadata": "music"},
    {"metadata": {"topic": {"like": "x"}}},
    {"metadata": {"topic": {"in": "x"}}},
    {"NOT": {"foo": 1}},
    {"NOT": "x"},
    {"OR": [{"user_id": "alice"}, {"foo": 1}]},  # raises even when a branch is already true
    {"AND": [{"user_id": "nobody"}, {"created_at": "nope"}]},  # ... or already false
    {"user_id": None},
    {"user_id": ["alice"]},
    {"user_id": {"ne": {"x": 1}}},
]


@pytest.mark.parametrize("filters", INVALID, ids=repr)
def test_invalid_filters_raise(filters):
    with pytest.raises(FilterError):
        validate(filters)
    for m in MEMS:
        with pytest.raises(FilterError):
            matches(filters, m)
    with pytest.raises(FilterError):
        select(filters, MEMS, today=TODAY)


@pytest.mark.parametrize("filters", [[], "x", None, 3])
def test_non_object_filter_raises(filters):
    with pytest.raises(FilterError):
        validate(filters)


def test_filter_error_is_value_error():
    assert issubclass(FilterError, ValueError)


# --------------------------------------------------------------------------- entity rule


@pytest.mark.parametrize(
    "filters",
    [
        {"user_id": "x"},
        {"agent_id": {"ne": "x"}},
        {"app_id": "*"},
        {"AND": [{"created_at": {"gte": "2024-01-01"}}, {"OR": [{"run_id": "*"}]}]},
        {"NOT": {"app_id": "a"}},
        {"NOT": [{"categories": "x"}, {"user_id": "u"}]},
    ],
)
def test_names_entity_true(filters):
    assert names_entity(filters)


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"created_at": "2024-07-01"},
        {"metadata": {"user_id": "x"}},
        {"categories": "user_id"},
        {"AND": []},
        {"OR": [{"keywords": "agent_id"}]},
    ],
)
def test_names_entity_false(filters):
    assert not names_entity(filters)


# --------------------------------------------------------------------------- listing


def test_select_hides_expired_and_orders_newest_first():
    everything = {"created_at": "*"}
    # m5 expired on 2024-01-01; m6 expires today, which is still visible.
    assert [m["id"] for m in select(everything, MEMS, today=TODAY)] == ["m2", "m4", "m6", "m3", "m1"]
    assert [m["id"] for m in select(everything, MEMS, today=date(2024, 8, 2))] == ["m2", "m4", "m3", "m1"]
    assert [m["id"] for m in select(everything, MEMS, today=date(2023, 12, 31))] == [
        "m2", "m4", "m6", "m3", "m1", "m5"
    ]
    assert matching_ids({"user_id": "carol"}, MEMS, today=TODAY) == set()
    assert matches({"user_id": "carol"}, M5)  # matching is not expiry


def test_select_default_today_is_utc_now():
    far = _mem("f", user_id="u", expiration_date="2999-01-01")
    old = _mem("o", user_id="u", expiration_date="2000-01-01")
    assert [m["id"] for m in select({"user_id": "u"}, [far, old])] == ["f"]


def test_is_expired_boundary():
    assert is_expired({"expiration_date": "2024-07-31"}, today=TODAY)
    assert not is_expired({"expiration_date": "2024-08-01"}, today=TODAY)
    assert not is_expired({"expiration_date": None}, today=TODAY)
    assert not is_expired({}, today=TODAY)


def test_listing_order_ties_and_spellings():
    a = _mem("b", created_at="2024-07-10T00:00:00Z")
    b = _mem("a", created_at="2024-07-10T00:00:00+00:00")  # same instant, other spelling
    c = _mem("c", created_at="2024-07-09T23:59:59.999999Z")
    d = _mem("d", created_at="2024-07-10T00:00:00.000001Z")
    e = _mem("e", created_at="2024-07-10T01:00:00+02:00")  # 2024-07-09T23:00Z
    assert [m["id"] for m in listing_order([c, a, e, b, d])] == ["d", "a", "b", "c", "e"]


# --------------------------------------------------------------------------- search


def _hit(mid: str, score, created_at: str = "2024-07-01T00:00:00Z") -> dict:
    return {"id": mid, "score": score, "created_at": created_at}


GOOD = [_hit("m2", 0.9), _hit("m1", 0.5), _hit("m3", 0.5, "2024-06-01T00:00:00Z")]


def test_check_search_results_accepts_good():
    assert check_search_results(GOOD, S(1, 2, 3, 4), top_k=3, threshold=0.3) == []
    assert check_search_results([], set(), top_k=10, threshold=0.3) == []
    assert check_search_results([_hit("m1", 0.3)], S(1), top_k=1, threshold=0.3) == []  # >= threshold


@pytest.mark.parametrize(
    ("results", "top_k", "needle"),
    [
        (GOOD, 2, "top_k"),
        ([_hit("m1", 0.2)], 10, "below threshold"),
        ([_hit("m1", 1.2)], 10, "outside [0, 1]"),
        ([_hit("m1", -0.1)], 10, "outside [0, 1]"),
        ([_hit("m1", 0.4), _hit("m2", 0.8)], 10, "not descending"),
        ([_hit("m9", 0.8)], 10, "does not match"),
        ([_hit("m1", 0.8), _hit("m1", 0.8)], 10, "duplicate"),
        ([{"id": "m1"}], 10, "no numeric score"),
        ([_hit("m1", "0.8")], 10, "no numeric score"),
        ([{"score": 0.8}], 10, "no id"),
        ([_hit("m1", 0.5, "2024-01-01T00:00:00Z"), _hit("m2", 0.5, "2024-02-01T00:00:00Z")], 10, "newer"),
    ],
)
def test_check_search_results_reports(results, top_k, needle):
    problems = check_search_results(results, S(1, 2, 3), top_k=top_k, threshold=0.3)
    assert any(needle in p for p in problems), problems


def test_check_search_results_reports_each_violation_once():
    bad = [_hit("m1", 0.5), _hit("m9", 0.95), _hit("m1", 0.1)]
    problems = check_search_results(bad, S(1), top_k=2, threshold=0.3)
    for needle in ("top_k", "does not match", "duplicate", "below threshold", "not descending"):
        assert sum(needle in p for p in problems) == 1, (needle, problems)


def test_expected_search():
    scores = {"m1": 0.5, "m2": 0.9, "m3": 0.5, "m4": 0.2, "m5": 1.0, "m6": 0.5}
    got = expected_search({"created_at": "*"}, MEMS, top_k=3, threshold=0.3, scores=scores, today=TODAY)
    # m5 expired, m4 below threshold; ties on 0.5 newest first: m6 (07-10), m3 (07-09), m1 (07-01)
    assert [(m["id"], m["score"]) for m in got] == [("m2", 0.9), ("m6", 0.5), ("m3", 0.5)]
    assert check_search_results(got, matching_ids({"created_at": "*"}, MEMS, today=TODAY),
                                top_k=3, threshold=0.3) == []
    assert expected_search({"user_id": "bob"}, MEMS, top_k=0, threshold=0, scores=scores, today=TODAY) == []
    assert expected_search({"user_id": "bob"}, MEMS, top_k=5, threshold=0, scores={}, today=TODAY) == []


# --------------------------------------------------------------------------- pagination


def _items(*names: str) -> list[dict]:
    return [{"id": n} for n in names]


def test_check_page_partition_accepts_good():
    full = _items("a", "b", "c")
    assert check_page_partition([_items("a", "b"), _items("c")], full, page_size=2, count=3) == []
    assert check_page_partition([[]], [], page_size=100, count=0) == []
    assert check_page_partition([_items("a", "b")], _items("a", "b"), page_size=2) == []


@pytest.mark.parametrize(
    ("pages", "kwargs", "needle"),
    [
        ([_items("a", "b"), _items("b", "c")], {}, "repeats"),
        ([_items("a", "a"), _items("b", "c")], {}, "repeats"),
        ([_items("a"), _items("c")], {}, "gap"),
        ([_items("b", "a"), _items("c")], {}, "order"),
        ([_items("a", "c"), _items("b")], {}, "order"),
        ([_items("a", "b"), _items("c", "x")], {}, "not in the full listing"),
        ([_items("a", "b"), _items("c")], {"count": 4}, "count 4"),
        ([_items("a"), _items("b", "c")], {"page_size": 2}, "page 1 holds 1"),
        ([_items("a", "b", "c")], {"page_size": 2}, "page 1 holds 3"),
        ([_items("a", "b"), _items("c"), []], {"page_size": 2}, "empty"),
        ([_items("a", "b")], {}, "pages hold 2 items, the full listing 3"),
    ],
)
def test_check_page_partition_reports(pages, kwargs, needle):
    problems = check_page_partition(pages, _items("a", "b", "c"), **kwargs)
    assert any(needle in p for p in problems), problems


# --------------------------------------------------------------------------- projection


def test_project():
    expected = {"id": "m1", "memory": "Loves JAZZ music", "user_id": "alice"}
    assert project(M1, ["memory", "user_id"]) == expected
    hit = {**M1, "score": 0.7}
    assert project(hit, ["categories"]) == {"id": "m1", "categories": ["music", "hobbies"], "score": 0.7}
    assert project(hit, []) == {"id": "m1", "score": 0.7}
    assert project(hit, ["nope"]) == {"id": "m1", "score": 0.7}
    assert project(M1, ["memory"], keep=()) == {"memory": "Loves JAZZ music"}


def test_check_projection():
    hit = {**M1, "score": 0.7}
    assert check_projection(project(hit, ["memory", "user_id"]), ["memory", "user_id"]) == []
    assert check_projection(project(M1, ["memory"]), ["memory"]) == []  # get-all: no score
    problems = check_projection({"id": "m1", "memory": "x", "hash": "h"}, ["memory"])
    assert any("'hash'" in p for p in problems)
    problems = check_projection({"id": "m1", "score": 0.7}, ["memory"])
    assert any("'memory'" in p and "missing" in p for p in problems)
    problems = check_projection({"memory": "x"}, ["memory"])
    assert any("'id'" in p for p in problems)
    assert check_projection({"id": "m1"}, ["not_a_field"]) == []  # unknown names may be absent


# --------------------------------------------------------------------------- strategies

SCOPE = {"user_id": {"in": ["alice", "bob", "carol"]}}
FOREIGN = _mem("foreign", user_id="mallory", agent_id="helper", app_id="app-x", categories=["music"],
               metadata={"topic": "music", "priority": 2}, created_at="2024-07-10T00:00:00Z")
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(filter_trees(MEMS, scope=SCOPE))
def test_filter_trees_are_valid_and_scoped(tree):
    assert names_entity(tree)
    validate(tree)
    for m in [*MEMS, FOREIGN]:
        matches(tree, m)  # never raises
    assert not matches(tree, FOREIGN)
    assert matching_ids(tree, MEMS, today=date(2000, 1, 1)) <= ids(SCOPE)


@PROPS
@given(filter_trees(MEMS))
def test_filter_trees_default_scope(tree):
    assert names_entity(tree)
    assert ids(tree) <= ids(default_scope(MEMS))


@PROPS
@given(filter_conditions(MEMS))
def test_not_is_complement(a):
    assert ids({"NOT": a}) == ALL - ids(a)
    assert ids({"NOT": [a]}) == ALL - ids(a)


@PROPS
@given(filter_conditions(MEMS, max_depth=2), filter_conditions(MEMS, max_depth=2))
def test_or_union_and_intersection(a, b):
    assert ids({"OR": [a, b]}) == ids(a) | ids(b)
    assert ids({"AND": [a, b]}) == ids(a) & ids(b)
    assert ids({"NOT": [a, b]}) == ALL - (ids(a) | ids(b))
    if not a.keys() & b.keys():
        assert ids({**a, **b}) == ids(a) & ids(b)  # implicit AND of keys


@PROPS
@given(invalid_filters(SCOPE))
def test_invalid_filters_are_rejected_and_name_an_entity(bad):
    assert names_entity(bad)
    with pytest.raises(FilterError):
        validate(bad)


@PROPS
@given(invalid_filters(scope("ct-00000000")))
def test_invalid_filters_with_or_scope(bad):
    assert names_entity(bad)
    with pytest.raises(FilterError):
        validate(bad)


def _ops_in(node, acc: set[str]) -> set[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            acc.add(k)
            if v == "*":
                acc.add("*")
            if k == "NOT":
                acc.add("NOT-list" if isinstance(v, list) else "NOT-single")
            if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                acc.add("date-only")
            if isinstance(v, str) and "T" in v and re.match(r"\d{4}-", v):
                acc.add("date-time")
            _ops_in(v, acc)
    elif isinstance(node, list):
        for v in node:
            _ops_in(v, acc)
    return acc


@pytest.mark.parametrize(
    "feature",
    [*OPERATORS, "*", "AND", "OR", "NOT-list", "NOT-single", "date-only", "date-time", "metadata",
     "categories", "keywords", "updated_at", "run_id", "app_id", "agent_id"],
)
def test_filter_trees_cover(feature):
    find(filter_trees(MEMS, scope=SCOPE), lambda t: feature in _ops_in(t, set()),
         settings=settings(max_examples=5000, database=None, deadline=None))


def _has_op_under(node, field: str, op: str, under: str | None = None) -> bool:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == op and under == field:
                return True
            nxt = k if k in FIELDS else (None if k in ("AND", "OR", "NOT") else under)
            if _has_op_under(v, field, op, nxt):
                return True
    elif isinstance(node, list):
        return any(_has_op_under(v, field, op, under) for v in node)
    return False


@pytest.mark.parametrize(
    ("field", "op"),
    [("categories", "contains"), ("keywords", "icontains"), ("categories", "in"), ("metadata", "gte"),
     ("metadata", "icontains"), ("created_at", "lt"), ("updated_at", "in"), ("user_id", "contains")],
)
def test_filter_trees_cover_field_operators(field, op):
    find(filter_trees(MEMS, scope=SCOPE), lambda t: _has_op_under(t, field, op),
         settings=settings(max_examples=5000, database=None, deadline=None))


def test_filter_trees_rejects_scope_without_entity():
    with pytest.raises(ValueError):
        filter_trees(MEMS, scope={"created_at": "*"})


def test_generated_filters_select_non_trivial_subsets():
    """Drawn from the data, trees should sometimes select some but not all memories."""
    find(filter_conditions(MEMS), lambda t: 0 < len(ids(t)) < len(ALL),
         settings=settings(max_examples=200, database=None))


# --------------------------------------------------------------------------- dataset


def _stored(ns: str) -> list[dict]:
    """What an implementation stores for the seed (categories/keywords are stand-ins)."""
    out = []
    for i, body in enumerate(seed_requests(ns)):
        created = datetime.fromtimestamp(body["timestamp"], tz=timezone.utc)
        text = body["messages"][0]["content"]
        stamp = created.strftime("%Y-%m-%dT%H:%M:%S") + (
            created.strftime(".%f") if created.microsecond else "") + "Z"
        out.append({
            "id": f"00000000-0000-0000-0000-{i:012d}", "memory": text,
            **{f: body.get(f) for f in ("user_id", "agent_id", "app_id", "run_id")},
            "metadata": body.get("metadata"),
            "categories": [body["metadata"]["topic"]] if body.get("metadata", {}).get("topic") else [],
            "keywords": [w.lower() for w in text.split() if len(w) > 3],
            "immutable": body.get("immutable", False), "expiration_date": body.get("expiration_date"),
            "created_at": stamp, "updated_at": stamp,
        })
    return out


def test_namespace():
    assert re.fullmatch(r"ct-[0-9a-f]{8}", namespace())
    assert namespace() != namespace()
    assert namespace("run-1") == namespace("run-1") != namespace("run-2")
    ns = namespace("x")
    assert entities(ns)["user_id"] == [f"{ns}-u1", f"{ns}-u2", f"{ns}-u3", f"{ns}-u4"]
    assert entities(ns)["agent_id"] == [f"{ns}-a1", f"{ns}-a2"]
    assert entities(ns)["app_id"] == [f"{ns}-app"]
    assert entities(ns)["run_id"] == [f"{ns}-r1", f"{ns}-r2"]


def test_seed_requests_shape():
    ns = namespace("shape")
    bodies = seed_requests(ns)
    assert 20 <= len(bodies) <= 30
    texts = [b["messages"][0]["content"] for b in bodies]
    assert len(set(texts)) == len(texts)
    assert {"Loves JAZZ music", "loves jazz festivals"} <= set(texts)
    used = {v for field in entities(ns) for v in entities(ns)[field]}
    seen = set()
    for b in bodies:
        assert b["infer"] is False and b["output_format"] == "v1.1"
        assert b["messages"] == [{"role": "user", "content": b["messages"][0]["content"]}]
        named = [b[f] for f in ("user_id", "agent_id", "app_id", "run_id") if f in b]
        assert named and all(v.startswith(ns + "-") for v in named)
        seen.update(named)
        assert isinstance(b["timestamp"], int)
    assert seen == used
    assert [b.get("expiration_date") for b in bodies].count(PAST_EXPIRY) == 1
    assert [b.get("expiration_date") for b in bodies].count(FUTURE_EXPIRY) == 1
    assert sum(b.get("immutable", False) for b in bodies) == 1
    stamps = {datetime.fromtimestamp(b["timestamp"], tz=timezone.utc) for b in bodies}
    for boundary in ("2024-07-01T00:00:00", "2024-07-01T23:59:59", "2024-07-31T00:00:00",
                     "2024-07-31T23:59:59", "2024-07-09T23:59:59", "2024-07-10T00:00:00"):
        assert datetime.fromisoformat(boundary).replace(tzinfo=timezone.utc) in stamps
    assert len([b["timestamp"] for b in bodies]) > len({b["timestamp"] for b in bodies})  # one tie
    assert all(s.year == 2024 for s in stamps)


def test_seed_on_dataset_shaped_data():
    """The strategies work on the seed and never leave its namespace."""
    ns = namespace("data")
    data = _stored(ns)
    other = _stored(namespace("other"))
    assert select({"created_at": {"lte": "2024-07-31"}, "user_id": "*"}, data, today=TODAY)
    assert {m["memory"] for m in select(scope(ns), data, today=date(2024, 12, 1))} >= {"Loves JAZZ music"}
    assert "Enjoys cooking Thai curry" not in {m["memory"] for m in select(scope(ns), data)}

    @settings(max_examples=200, deadline=None, database=None)
    @given(filter_trees(data, scope=scope(ns)))
    def check(tree):
        assert names_entity(tree)
        assert not any(matches(tree, m) for m in other)

    check()


# --------------------------------------------------------------------------- today's API (v3)
# Expected values below are worked out by hand from docs/semantics.md, "Today's API (v3)".

# M7 supersedes M8 (same user); M5 is expired on TODAY (2024-01-01 < 2024-08-01).
M7 = _mem("m7", memory="Lives in Lisbon", user_id="alice", created_at="2024-07-20T10:00:00Z",
          categories=["personal_details"], keywords=["lives", "lisbon"], replaced_by=None)
M8 = _mem("m8", memory="Lives in Berlin", user_id="alice", created_at="2024-07-19T10:00:00Z",
          categories=["personal_details"], keywords=["lives", "berlin"], replaced_by="m7")
V3MEMS = [*MEMS, M7, M8]


def v3ids(filters: dict, **options) -> list[str]:
    return [m["id"] for m in select_v3(filters, V3MEMS, today=TODAY, **options)]


def test_camel_case_fields_mean_snake_case_ones():
    assert normalize_v3_filter({"userId": "alice"}) == {"user_id": "alice"}
    camel = {"OR": [{"agentId": "x"}, {"NOT": {"runId": "*"}}], "createdAt": {"gte": "2024-07-01"}}
    snake = {"OR": [{"agent_id": "x"}, {"NOT": {"run_id": "*"}}], "created_at": {"gte": "2024-07-01"}}
    assert normalize_v3_filter(camel) == snake
    # metadata keys are the user's own, never renamed
    assert normalize_v3_filter({"metadata": {"userId": 1}}) == {"metadata": {"userId": 1}}
    # both spellings at once: both must hold
    assert v3ids({"userId": "alice", "user_id": "bob"}) == []
    assert v3ids({"userId": "alice"}) == v3ids({"user_id": "alice"}) == ["m7", "m8", "m3", "m1"]
    assert v3ids({"appId": "app-x", "updatedAt": "*"}) == ["m4"]  # m5 expired


def test_v3_expiry_and_supersession():
    assert "m5" not in v3ids({"user_id": "*"})
    assert v3ids({"user_id": "carol"}, show_expired=True) == ["m5"]
    assert v3ids({"user_id": "alice"}, latest_only=True) == ["m7", "m3", "m1"]
    # m6 expires on TODAY itself: not before today, so visible
    assert "m6" in v3ids({"user_id": "bob"})


def test_v3_body_shortcuts():
    assert v3ids({"user_id": "*"}, start_date="2024-07-10") == ["m2", "m7", "m8", "m6"]
    assert v3ids({"user_id": "*"}, end_date="2024-07-09") == ["m3", "m1"]  # m5 expired
    assert v3ids({"user_id": "*"}, end_date="2024-07-09", show_expired=True) == ["m3", "m1", "m5"]
    assert v3ids({"user_id": "*"}, start_date="2024-07-10", end_date="2024-07-10") == ["m6"]
    assert v3ids({"user_id": "*"}, categories=["food", "sports"]) == ["m6", "m3"]
    assert v3ids({"user_id": "*"}, categories=["foo"]) == []  # exact
    assert v3ids({"user_id": "*"}, keywords="JAZ") == ["m2", "m1"]  # contains, any case
    assert v3ids({"user_id": "*"}, keywords="lis") == ["m7"]
    assert v3ids({"user_id": "*"}, metadata={"topic": "music", "source": "chat"}) == ["m1"]
    assert v3ids({"user_id": "*"}, metadata={"priority": 3}) == ["m6"]
    assert v3ids({"user_id": "alice"}, keywords="lives", latest_only=True) == ["m7"]


def test_v3_item_names_the_run_id_session_id():
    item = v3_item({**M3, "structured_attributes": {}, "synthesized": False, "replaced_by": None})
    assert item["session_id"] == "run-1" and "run_id" not in item
    assert "keywords" not in item and "hash" not in item
    assert set(item) == set(V3_LIST_FIELDS)


def test_calendar_facts():
    # 2024-07-13 is a Saturday, the 195th day of a leap year, in Q3
    assert calendar_facts("2024-07-13T22:30:00+02:00") == {
        "year": 2024, "month": 7, "day": 13, "hour": 20, "minute": 30, "day_of_week": "saturday",
        "day_of_year": 195, "quarter": 3, "is_weekend": True,
    }
    assert calendar_facts("2024-01-01T00:00:00Z")["day_of_week"] == "monday"
    assert calendar_facts("2024-12-31T23:59:59Z")["day_of_year"] == 366


def test_ranked_head():
    ranked = [{"id": i, "score": s} for i, s in (("a", 0.9), ("b", 0.25), ("c", 0.1), ("d", 0.05))]
    assert [r["id"] for r in ranked_head(ranked, top_k=10, threshold=0.1)] == ["a", "b", "c"]
    assert [r["id"] for r in ranked_head(ranked, top_k=10, threshold=0.3)] == ["a"]
    assert [r["id"] for r in ranked_head(ranked, top_k=2, threshold=0)] == ["a", "b"]


def test_score_breakdown():
    ok = {"id": "a", "score": 0.6, "score_breakdown": {"semantic": 0.4, "bm25": 0.15, "entity": 0.05}}
    assert check_score_breakdown(ok) == []
    assert check_score_breakdown({**ok, "score": 0.9})
    assert check_score_breakdown({"id": "a", "score": 0.6})
    assert check_score_breakdown({**ok, "score_breakdown": {"semantic": 0.6, "bm25": 0, "entity": 0, "x": 0}})
    assert check_score_breakdown({**ok, "score_breakdown": {"semantic": -0.1, "bm25": 0.7, "entity": 0}})


def test_dedupe_key():
    assert dedupe_key(M1) == dedupe_key({**M1, "id": "other"})
    assert dedupe_key(M1) != dedupe_key({**M1, "agent_id": "helper"})


EVENT = {
    "id": "e1", "event_type": "ADD", "status": "SUCCEEDED", "payload": {}, "metadata": None,
    "results": [{"id": "m1", "event": "ADD", "user_id": "alice", "data": {"memory": "x"}}],
    "created_at": "2024-07-01T00:00:00Z", "updated_at": "2024-07-01T00:00:01Z",
    "started_at": "2024-07-01T00:00:00.5Z", "completed_at": "2024-07-01T00:00:01Z",
    "latency": 1000.0, "graph_status": None, "error": None,
}


def test_check_event():
    assert check_event(EVENT, event_id="e1", event_type="ADD") == []
    assert check_event({**EVENT, "status": "PENDING", "started_at": None, "completed_at": None, "latency": None}) == []
    assert check_event(EVENT, event_type="DELETE")
    assert check_event({**EVENT, "status": "DONE"})
    assert check_event({**EVENT, "started_at": "2024-07-01T00:00:02Z"})  # started after it completed
    assert check_event({**EVENT, "latency": None})
    assert check_event({**EVENT, "status": "FAILED"})  # no error named
    assert check_event({**EVENT, "results": [{"id": "m1"}]})
    assert check_event({k: v for k, v in EVENT.items() if k != "payload"})


def test_check_summary():
    selected = [M1, M3]
    good = [{"summary": f"Music: {M1['memory']}.", "memory_count": 1, "categories": {"music": 1}},
            {"summary": f"Food: {M3['memory']}.", "memory_count": 1, "categories": {"food": 1}}]
    assert check_summary(good, selected, others=[M2["memory"]]) == []
    assert check_summary(good[:1], selected)  # a memory left out, counts short
    assert check_summary([{**good[0], "memory_count": 2}, good[1]], selected)
    assert check_summary(good, selected, others=[M3["memory"]])
    assert check_summary({"summary": "x"}, selected)
