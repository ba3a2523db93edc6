"""The v2 filter language: validation, compilation to predicates, and index planning.

A filter tree is compiled once per request into nested closures, so evaluating it over
many memories costs no re-parsing. `plan_candidates` finds the entity-id conditions that
bound the result, so the store can read an index instead of scanning every memory.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from .errors import InvalidInput
from .models import ENTITY_FIELDS, Memory, isoformat

Predicate = Callable[[Memory], bool]

LOGICAL_KEYS = ("AND", "OR", "NOT")
DATE_FIELDS = ("created_at", "updated_at")
LIST_FIELDS = ("categories", "keywords")
FIELDS = (*ENTITY_FIELDS, *DATE_FIELDS, *LIST_FIELDS, "metadata")
OPERATORS = ("in", "gte", "lte", "gt", "lt", "ne", "contains", "icontains")
WILDCARD = "*"
MAX_DEPTH = 32
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def invalid(message: str) -> InvalidInput:
    return InvalidInput({"filters": [message]})


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
# Each (operator, operand) compiles once into a closure; evaluation then does no dispatch.

_ORDERED = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def _op_function(op: str, expected: Any) -> Callable[[Any], bool]:
    """One operator on a non-null, non-list value."""
    if op == "eq":
        return lambda actual: actual == expected
    if op == "ne":
        return lambda actual: actual != expected
    if op == "in":
        return lambda actual: actual in expected
    if op == "contains":
        needle = str(expected)
        return lambda actual: type(actual) is str and needle in actual
    if op == "icontains":
        folded = str(expected).lower()
        return lambda actual: type(actual) is str and folded in actual.lower()
    compare = _ORDERED[op]
    if isinstance(expected, bool):
        return lambda actual: False

    def ordered(actual: Any) -> bool:
        if isinstance(actual, bool):
            return False
        try:
            return compare(actual, expected)
        except TypeError:
            return False

    return ordered


def _scalar_test(op: str, expected: Any) -> Callable[[Any], bool]:
    """Test for string/number fields and metadata values (lists by element)."""
    one = _op_function(op, expected)
    if op == "ne":
        on_list: Callable[[list], bool] = lambda items: expected not in items  # noqa: E731
    elif op == "in":
        pool = frozenset(expected)  # operands are scalars (validated), so hashable

        def on_list(items: list) -> bool:
            try:
                return not pool.isdisjoint(items)
            except TypeError:  # an unhashable element (a metadata list may hold objects)
                return any(item in expected for item in items)
    elif op == "eq":
        on_list = lambda items: expected in items  # noqa: E731
    else:
        on_list = lambda items: any(one(item) for item in items if item is not None)  # noqa: E731
    null_result = op == "ne"

    def test(actual: Any) -> bool:
        if actual is None:
            return null_result
        if type(actual) is list or type(actual) is tuple:  # JSON lists; categories, keywords
            return on_list(actual)
        return one(actual)

    return test


def _date_test(op: str, expected: Any) -> Callable[[Any], bool]:
    """Dates compare as instants (or calendar days); `contains` looks in their ISO text."""
    if op in ("contains", "icontains"):
        text_test = _op_function(op, expected)
        return lambda actual: text_test(isoformat(actual))
    if op == "in":
        bounds = [parse_moment(v) for v in expected]
        return lambda actual: any(operator.eq(*_as_comparable(actual, bound)) for bound in bounds)
    bound = parse_moment(expected)
    compare = {"eq": operator.eq, "ne": operator.ne, **_ORDERED}[op]
    return lambda actual: compare(*_as_comparable(actual, bound))


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


def _field_predicate(name: str, value: Any) -> Predicate:
    if name == "metadata":
        return _metadata_predicate(value)
    getter = operator.attrgetter(name)
    if value == WILDCARD:
        return lambda memory: _is_set(getter(memory))
    conditions = _conditions(value)
    if name in DATE_FIELDS:
        test = _every([_date_test(op, operand) for op, operand in conditions])
    else:
        test = _every([_scalar_test(op, operand) for op, operand in conditions])
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
        test = _every([_scalar_test(op, operand) for op, operand in _conditions(condition)])
        tests.append((key, test))

    def predicate(memory: Memory) -> bool:
        metadata = memory.metadata or {}
        return all(test(metadata.get(key)) for key, test in tests)

    return predicate


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
    for key, value in _cheap_first(tree.items()):
        if key in LOGICAL_KEYS:
            children = [child for _, child in _cheap_first((None, c) for c in _children(key, value))]
            parts.append(_LOGIC[key]([compile_filter(child, depth + 1) for child in children]))
        elif key in FIELDS:
            parts.append(_field_predicate(key, value))
        else:
            raise invalid(f"Unknown filter field '{key}'. Use one of: {', '.join(FIELDS)}.")
    if not parts:
        return lambda memory: True
    return parts[0] if len(parts) == 1 else _every(parts)


# Plain loops, not all()/any() over generators: these run once per memory per request,
# and skipping the generator frame is measurably faster on large scans.
def _is_entity_leaf(key: Any, value: Any) -> bool:
    if key is None:  # a child filter of AND/OR/NOT
        return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ENTITY_FIELDS
    return key in ENTITY_FIELDS


def _cheap_first(items: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Entity-id conditions last: the index already bounds them, so the other conditions
    decide most memories and short-circuit sooner. Order never changes the result."""
    return sorted(items, key=lambda item: _is_entity_leaf(*item))


def _every(parts: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    def every(value: Any) -> bool:
        for part in parts:  # noqa: SIM110
            if not part(value):
                return False
        return True

    return every


def _some(parts: list[Predicate]) -> Predicate:
    def some(memory: Memory) -> bool:
        for part in parts:  # noqa: SIM110
            if part(memory):
                return True
        return False

    return some


def _none(parts: list[Predicate]) -> Predicate:
    some = _some(parts)
    return lambda memory: not some(memory)


_LOGIC = {"AND": _every, "OR": _some, "NOT": _none}


def names_entity(tree: Any) -> bool:
    """The entity-id rule: some condition on an entity id appears anywhere in the tree."""
    if isinstance(tree, list):
        return any(names_entity(child) for child in tree)
    if not isinstance(tree, dict):
        return False
    return any(
        key in ENTITY_FIELDS or (key in LOGICAL_KEYS and names_entity(value)) for key, value in tree.items()
    )


def every_candidate(memory: Any) -> bool:
    """The predicate of a filter an index read decides alone (`decided_by_index`): callers
    that see it skip calling it."""
    return True


def decided_by_index(tree: Any) -> bool:
    """Whether the memories the index holds for this filter (`plan_candidates`) are exactly
    its matches: one entity id equal to one value, nothing else (the SDKs' usual filter)."""
    if not isinstance(tree, Mapping) or len(tree) != 1:
        return False
    ((name, value),) = tree.items()
    return name in ENTITY_FIELDS and isinstance(value, str) and value != WILDCARD


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
