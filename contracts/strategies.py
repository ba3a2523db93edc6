"""Hypothesis strategies for v2 filter trees, drawn from the data under test.

Values come mostly from the memories themselves so that generated filters select
non-trivial subsets; every tree handed to the API is ANDed with a ``scope`` that names
the run's own entity ids, so it satisfies the entity-id rule and never reads another
run's data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from contracts.oracle import (
    DATE_FIELDS,
    ENTITY_FIELDS,
    LIST_FIELDS,
    names_entity,
    parse_instant,
)

__all__ = ["default_scope", "filter_conditions", "filter_trees", "invalid_filters"]

Strategy = st.SearchStrategy
_DECOY = "zz-not-in-data"
_CASE: list[Callable[[str], str]] = [str.upper, str.lower, str.swapcase, str.title]


def _values(data: Sequence[Mapping[str, Any]], field: str) -> list[Any]:
    found = {m.get(field) for m in data if isinstance(m.get(field), str) and m.get(field)}
    return sorted(found)


def _elements(data: Sequence[Mapping[str, Any]], field: str) -> list[str]:
    found: set[str] = set()
    for m in data:
        value = m.get(field)
        if isinstance(value, list):
            found.update(e for e in value if isinstance(e, str))
    return sorted(found)


def _pick(pool: Sequence[Any], decoy: Any) -> Strategy:
    """Mostly a value present in the data, sometimes one that is not."""
    if not pool:
        return st.just(decoy)
    return st.one_of(st.sampled_from(list(pool)), st.sampled_from(list(pool)), st.just(decoy))


def _substring(pool: Sequence[str]) -> Strategy:
    if not pool:
        return st.sampled_from(["a", "zz", ""])

    def cut(text: str) -> Strategy:
        return st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
            lambda ij: text[min(ij) : max(ij)]
        )

    return st.sampled_from(list(pool)).flatmap(cut)


def _recased(sub: Strategy) -> Strategy:
    return st.tuples(sub, st.sampled_from(_CASE)).map(lambda t: t[1](t[0]))


def _operator_object(ops: Mapping[str, Strategy], max_ops: int = 2) -> Strategy:
    names = sorted(ops)
    return st.lists(st.sampled_from(names), min_size=1, max_size=max_ops, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({op: ops[op] for op in chosen})
    )


def _field_value(scalar: Strategy, ops: Mapping[str, Strategy]) -> Strategy:
    """A field's value: scalar equality, the wildcard, or an operator object."""
    return st.one_of(scalar, st.just("*"), _operator_object(ops))


# --------------------------------------------------------------------------- per field kind


def _operators(value: Strategy, *, substrings: Strategy | None = None, ordered: bool = False) -> dict[str, Strategy]:
    """Operand strategies per operator for one field kind: membership and `ne` always,
    `contains`/`icontains` where substrings make sense, comparisons where order does."""
    ops = {"in": st.lists(value, min_size=1, max_size=3), "ne": value}
    if substrings is not None:
        ops.update(contains=substrings, icontains=_recased(substrings))
    if ordered:
        ops.update(dict.fromkeys(("gt", "gte", "lt", "lte"), value))
    return ops


def _string_condition(data: Sequence[Mapping[str, Any]], field: str) -> Strategy:
    pool = _values(data, field)
    value = _pick(pool, _DECOY)
    sub = _substring(pool)
    return _field_value(value, _operators(value, substrings=sub, ordered=True)).map(lambda v: {field: v})


def _date_texts(instant: datetime) -> list[str]:
    """Spellings of one instant and its neighbours, date-only and full date-times."""
    utc = instant.astimezone(timezone.utc)
    day = utc.date()
    texts = [
        day.isoformat(),
        (day - timedelta(days=1)).isoformat(),
        (day + timedelta(days=1)).isoformat(),
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        utc.astimezone(timezone(timedelta(hours=2))).isoformat(),
        (utc + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        (utc - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]
    if utc.microsecond:
        texts.append(utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    return texts


def _date_condition(data: Sequence[Mapping[str, Any]], field: str) -> Strategy:
    texts: set[str] = set()
    for raw in _values(data, field):
        texts.update(_date_texts(parse_instant(raw)))
    pool = sorted(texts) or ["2024-07-01", "2024-07-31T23:59:59Z"]
    value = st.sampled_from(pool)
    return _field_value(value, _operators(value, ordered=True)).map(lambda v: {field: v})


def _list_condition(data: Sequence[Mapping[str, Any]], field: str) -> Strategy:
    pool = _elements(data, field)
    value = _pick(pool, _DECOY)
    sub = _substring(pool)
    return _field_value(value, _operators(value, substrings=sub)).map(lambda v: {field: v})


def _metadata_value(values: list[Any]) -> Strategy:
    """Operators for one metadata key, type-consistent with the values it holds."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    strings = [v for v in values if isinstance(v, str)]
    if values and len(numbers) == len(values):
        shifted = sorted({*numbers, *(n + 1 for n in numbers), *(n - 0.5 for n in numbers)})
        value = st.one_of(st.sampled_from(sorted(set(numbers))), st.sampled_from(shifted))
        ops: dict[str, Strategy] = {"gt": value, "gte": value, "lt": value, "lte": value}
    elif values and len(strings) == len(values):
        value = _pick(sorted(set(strings)), _DECOY)
        sub = _substring(sorted(set(strings)))
        ops = {"contains": sub, "icontains": _recased(sub), "gt": value, "gte": value,
               "lt": value, "lte": value}
    else:  # mixed, booleans or absent: only type-agnostic operators
        scalars = [v for v in values if isinstance(v, (str, int, float, bool))]
        value = _pick(sorted(set(scalars), key=repr), _DECOY)
        ops = {}
    ops["in"] = st.lists(value, min_size=1, max_size=3)
    ops["ne"] = value
    return _field_value(value, ops)


def _metadata_condition(data: Sequence[Mapping[str, Any]]) -> Strategy:
    by_key: dict[str, list[Any]] = {}
    for m in data:
        meta = m.get("metadata")
        if isinstance(meta, dict):
            for key, value in meta.items():
                by_key.setdefault(key, []).append(value)
    by_key.setdefault("absent_key", [])
    per_key = {key: _metadata_value(vals) for key, vals in sorted(by_key.items())}
    keyed = st.lists(st.sampled_from(sorted(per_key)), min_size=1, max_size=2, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({k: per_key[k] for k in keys})
    )
    return st.one_of(keyed, keyed, keyed, st.just("*")).map(lambda v: {"metadata": v})


def _leaf(data: Sequence[Mapping[str, Any]]) -> Strategy:
    return st.one_of(
        *(_string_condition(data, f) for f in ENTITY_FIELDS),
        *(_date_condition(data, f) for f in DATE_FIELDS),
        *(_list_condition(data, f) for f in LIST_FIELDS),
        _metadata_condition(data),
    )


# --------------------------------------------------------------------------- trees


def _merge(parts: list[dict]) -> dict:
    """Implicit AND: one object with several keys when they are disjoint, else AND."""
    merged: dict = {}
    for part in parts:
        if merged.keys() & part.keys():
            return {"AND": parts}
        merged.update(part)
    return merged


def _combine(sub: Strategy) -> Strategy:
    several = st.lists(sub, min_size=1, max_size=3)
    return st.one_of(
        several.map(lambda xs: {"AND": xs}),
        several.map(lambda xs: {"OR": xs}),
        sub.map(lambda x: {"NOT": x}),
        several.map(lambda xs: {"NOT": xs}),
        st.lists(sub, min_size=2, max_size=3).map(_merge),
    )


def filter_conditions(data: Sequence[Mapping[str, Any]], *, max_depth: int = 3) -> Strategy:
    """Valid, unscoped filter trees over the data's fields (may name no entity)."""
    leaf = _leaf(data)
    tree = leaf
    for _ in range(max_depth):
        tree = st.one_of(leaf, _combine(tree))
    return tree


def default_scope(data: Sequence[Mapping[str, Any]]) -> dict:
    """A scope naming every entity id present in the data (nothing else can match)."""
    parts = []
    for field in ENTITY_FIELDS:
        ids = _values(data, field)
        if ids:
            parts.append({field: {"in": ids}})
    if not parts:
        raise ValueError("data holds no entity id to scope filters with")
    return {"OR": parts}


def filter_trees(
    data: Sequence[Mapping[str, Any]], *, scope: dict | None = None, max_depth: int = 3
) -> Strategy:
    """Valid filter trees that satisfy names_entity, always ANDed with ``scope`` at the top.

    ``scope`` is e.g. {"user_id": {"in": [...]}}: the run's namespace. The AND is written
    either as an explicit {"AND": [scope, tree]} or, when the keys are disjoint, as
    extra keys of one object (implicit AND).
    """
    scope = default_scope(data) if scope is None else scope
    if not names_entity(scope):
        raise ValueError(f"scope must name an entity id: {scope!r}")
    tree = filter_conditions(data, max_depth=max_depth)
    return st.one_of(
        tree.map(lambda t: {"AND": [scope, t]}),
        tree.map(lambda t: _merge([scope, t])),
    )


# --------------------------------------------------------------------------- invalid


_BAD_DATES = ["2024-13-45", "2024-02-30", "not-a-date", "2024-07-01T25:00:00Z"]


def invalid_filters(scope: dict | None = None) -> Strategy:
    """Filters the API must reject with 400 {"filters": [...]}.

    Each one also names an entity id (via ``scope``, default a fixed user) so the 400 can
    only come from the invalid part; the invalid part sits at the top or nested.
    """
    scope = scope or {"user_id": "ct-invalid-u1"}
    unknown_field = st.sampled_from(["colour", "foo_bar", "userid", "createdAt", "tags"]).map(
        lambda f: {f: "x"}
    )
    unknown_op = st.tuples(
        st.sampled_from(["user_id", "created_at", "categories", "keywords"]),
        st.sampled_from(["eq", "regex", "nin", "between", "exists", "after"]),
    ).map(lambda t: {t[0]: {t[1]: "2024-07-01"}})
    unknown_meta_op = st.just({"metadata": {"topic": {"like": "food"}}})
    in_scalar = st.sampled_from(["user_id", "agent_id", "categories", "keywords", "created_at"]).map(
        lambda f: {f: {"in": "2024-07-01"}}
    )
    bad_date = st.tuples(
        st.sampled_from(list(DATE_FIELDS)),
        st.sampled_from([None, "gte", "lt", "ne", "in"]),
        st.sampled_from(_BAD_DATES),
    ).map(lambda t: {t[0]: t[2]} if t[1] is None else {t[0]: {t[1]: [t[2]] if t[1] == "in" else t[2]}})
    bad_node = st.one_of(unknown_field, unknown_op, unknown_meta_op, in_scalar, bad_date)

    nested = st.one_of(
        bad_node.map(lambda b: {"AND": [scope, b]}),
        bad_node.map(lambda b: {"AND": [scope, {"OR": [{"user_id": "x"}, b]}]}),
        bad_node.map(lambda b: {"AND": [scope, {"NOT": b}]}),
        bad_node.map(lambda b: {"AND": [scope, {"NOT": [b]}]}),
    )
    def not_a_list_forms(key: str) -> list[dict]:
        forms = [{"AND": [scope, {key: {"user_id": "x"}}]}, {"AND": [scope, {key: 3}]}]
        if key not in scope:
            forms.append({**scope, key: "x"})
        return forms

    not_a_list = st.sampled_from(["AND", "OR"]).flatmap(lambda key: st.sampled_from(not_a_list_forms(key)))
    return st.one_of(nested, not_a_list)
