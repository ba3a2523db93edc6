"""The v2 filter language: validation, compilation to predicates, and index planning.

A filter tree is compiled once per request into nested closures, so evaluating it over
many memories costs no re-parsing. `plan_candidates` finds the entity-id conditions that
bound the result, so the store can read an index instead of scanning every memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from .errors import field_error
from .models import ENTITY_FIELDS, Memory

Predicate = Callable[[Memory], bool]

LOGICAL_KEYS = ("AND", "OR", "NOT")
DATE_FIELDS = ("created_at", "updated_at")
LIST_FIELDS = ("categories", "keywords")
FIELDS = (*ENTITY_FIELDS, *DATE_FIELDS, *LIST_FIELDS, "metadata")
OPERATORS = ("in", "gte", "lte", "gt", "lt", "ne", "contains", "icontains")
WILDCARD = "*"
MAX_DEPTH = 32
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def invalid(message: str) -> Exception:
    return field_error("filters", message)


# --- values -----------------------------------------------------------------------


def parse_moment(value: Any) -> datetime | date:
    """A filter's date value: a `date` for YYYY-MM-DD, else an aware datetime."""
    if not isinstance(value, str):
        raise invalid(f"Date filters take ISO 8601 strings, not {value!r}.")
    try:
        if _DATE_ONLY.match(value):
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid(f"Invalid date {value!r}: use YYYY-MM-DD or an ISO 8601 date-time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _as_comparable(field_value: datetime, bound: datetime | date) -> tuple[Any, Any]:
    """Date-only bounds compare with the field's UTC calendar date."""
    if isinstance(bound, datetime):
        return field_value, bound
    return field_value.astimezone(timezone.utc).date(), bound


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


# --- comparison of one value ---------------------------------------------------------


def _compare(op: str, actual: Any, expected: Any) -> bool:
    """Apply one operator to a non-list, non-null actual value."""
    try:
        if op == "eq":
            return actual == expected
        if op == "ne":
            return actual != expected
        if op == "in":
            return actual in expected
        if op == "contains":
            return isinstance(actual, str) and str(expected) in actual
        if op == "icontains":
            return isinstance(actual, str) and str(expected).lower() in actual.lower()
        if isinstance(actual, bool) or isinstance(expected, bool):
            return False
        if op == "gt":
            return actual > expected
        if op == "gte":
            return actual >= expected
        if op == "lt":
            return actual < expected
        if op == "lte":
            return actual <= expected
    except TypeError:
        return False
    raise AssertionError(op)


def _scalar_test(op: str, expected: Any) -> Callable[[Any], bool]:
    """Test for string/number fields and metadata values (lists by element)."""

    def test(actual: Any) -> bool:
        if actual is None:
            return op == "ne"
        if isinstance(actual, list):
            if op == "ne":
                return expected not in actual
            if op == "in":
                return any(item in expected for item in actual)
            if op in ("eq",):
                return expected in actual
            return any(_compare(op, item, expected) for item in actual if item is not None)
        return _compare(op, actual, expected)

    return test


def _date_test(op: str, expected: Any) -> Callable[[Any], bool]:
    bounds = [parse_moment(v) for v in expected] if op == "in" else parse_moment(expected)
    if op in ("contains", "icontains"):
        raise invalid(f"Operator '{op}' does not apply to dates.")

    def test(actual: datetime) -> bool:
        if op == "in":
            return any(_compare("eq", *_as_comparable(actual, bound)) for bound in bounds)
        return _compare(op, *_as_comparable(actual, bounds))

    return test


def _check_operand(op: str, value: Any) -> None:
    if op == "in":
        if not isinstance(value, list):
            raise invalid("Operator 'in' takes a list.")
        if any(isinstance(item, (dict, list)) for item in value):
            raise invalid("Operator 'in' takes a list of scalars.")
    elif isinstance(value, (dict, list)):
        raise invalid(f"Operator '{op}' takes a scalar value.")


def _conditions(value: Any) -> list[tuple[str, Any]]:
    """A field's value as (operator, operand) pairs; scalars mean equality."""
    if isinstance(value, dict):
        if not value:
            raise invalid("An operator object needs at least one operator.")
        for op, operand in value.items():
            if op not in OPERATORS:
                raise invalid(f"Unknown operator '{op}'. Use one of: {', '.join(OPERATORS)}.")
            _check_operand(op, operand)
        return list(value.items())
    if isinstance(value, list):
        raise invalid("A field's value is a scalar or an operator object; use 'in' for a list.")
    return [("eq", value)]


def _all(tests: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if len(tests) == 1:
        return tests[0]
    return lambda actual: all(test(actual) for test in tests)


def _field_predicate(name: str, value: Any) -> Predicate:
    if name == "metadata":
        return _metadata_predicate(value)
    getter = _getter(name)
    if value == WILDCARD:
        return lambda memory: _is_set(getter(memory))
    conditions = _conditions(value)
    if name in DATE_FIELDS:
        test = _all([_date_test(op, operand) for op, operand in conditions])
    else:
        test = _all([_scalar_test(op, operand) for op, operand in conditions])
    return lambda memory: test(getter(memory))


def _metadata_predicate(value: Any) -> Predicate:
    if value == WILDCARD:
        return lambda memory: _is_set(memory.metadata)
    if not isinstance(value, dict) or not value:
        raise invalid("'metadata' takes an object of metadata keys to values or operators.")
    tests = []
    for key, condition in value.items():
        if condition == WILDCARD:
            tests.append((key, _is_set))
            continue
        test = _all([_scalar_test(op, operand) for op, operand in _conditions(condition)])
        tests.append((key, test))

    def predicate(memory: Memory) -> bool:
        metadata = memory.metadata or {}
        return all(test(metadata.get(key)) for key, test in tests)

    return predicate


def _getter(name: str) -> Callable[[Memory], Any]:
    return lambda memory: getattr(memory, name)


# --- trees ----------------------------------------------------------------------------


def _children(key: str, value: Any) -> list[Any]:
    if key == "NOT" and isinstance(value, dict):
        return [value]
    if not isinstance(value, list) or not value:
        raise invalid(f"'{key}' takes a non-empty list of filters.")
    return value


def compile_filter(tree: Any, depth: int = 0) -> Predicate:
    """Validate a filter tree and return a predicate over memories."""
    if depth > MAX_DEPTH:
        raise invalid(f"Filters may nest at most {MAX_DEPTH} levels.")
    if not isinstance(tree, dict):
        raise invalid("A filter is a JSON object.")
    parts: list[Predicate] = []
    for key, value in tree.items():
        if key in LOGICAL_KEYS:
            children = [compile_filter(child, depth + 1) for child in _children(key, value)]
            if key == "AND":
                parts.append(lambda m, c=children: all(p(m) for p in c))
            elif key == "OR":
                parts.append(lambda m, c=children: any(p(m) for p in c))
            else:
                parts.append(lambda m, c=children: not any(p(m) for p in c))
        elif key in FIELDS:
            parts.append(_field_predicate(key, value))
        else:
            raise invalid(f"Unknown filter field '{key}'. Use one of: {', '.join(FIELDS)}.")
    if not parts:
        return lambda memory: True
    if len(parts) == 1:
        return parts[0]
    return lambda memory: all(part(memory) for part in parts)


def names_entity(tree: Any) -> bool:
    """The entity-id rule: some condition on an entity id appears anywhere in the tree."""
    if isinstance(tree, list):
        return any(names_entity(child) for child in tree)
    if not isinstance(tree, dict):
        return False
    return any(
        key in ENTITY_FIELDS or (key in LOGICAL_KEYS and names_entity(value)) for key, value in tree.items()
    )


# --- planning -----------------------------------------------------------------------

IndexKeys = set[tuple[str, Any]]


def _leaf_keys(name: str, value: Any) -> IndexKeys | None:
    if name not in ENTITY_FIELDS:
        return None
    if isinstance(value, dict):
        operand = value.get("in")
        return {(name, item) for item in operand} if isinstance(operand, list) else None
    if value == WILDCARD or isinstance(value, list):
        return None
    return {(name, value)}


def plan_candidates(tree: Any, cost: Callable[[IndexKeys], int]) -> IndexKeys | None:
    """Index keys whose memories include every match, or None when only a scan will do.

    AND picks its cheapest bounded part; OR is bounded only if every branch is.
    """
    if not isinstance(tree, Mapping):
        return None
    options: list[IndexKeys] = []
    for key, value in tree.items():
        if key == "AND" and isinstance(value, list):
            keys = _cheapest([plan_candidates(child, cost) for child in value], cost)
        elif key == "OR" and isinstance(value, list) and value:
            branches = [plan_candidates(child, cost) for child in value]
            keys = set().union(*branches) if all(b is not None for b in branches) else None
        elif key in LOGICAL_KEYS:
            keys = None
        else:
            keys = _leaf_keys(key, value)
        if keys is not None:
            options.append(keys)
    return _cheapest(options, cost)


def _cheapest(options: list[IndexKeys | None], cost: Callable[[IndexKeys], int]) -> IndexKeys | None:
    bounded = [keys for keys in options if keys is not None]
    return min(bounded, key=cost) if bounded else None
