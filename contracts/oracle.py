"""Reference semantics ("oracle") of the Mem0 Platform Memory API, from docs/semantics.md.

Pure functions over memory objects as the API returns them (JSON dicts, string
timestamps). Written independently of ``mock_server/`` so that a misreading of the
semantics cannot hide by living in both the server and the judge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

__all__ = [
    "CATEGORY_CATALOGUE",
    "DATE_FIELDS",
    "ENTITY_FIELDS",
    "FIELDS",
    "LIST_FIELDS",
    "MEMORY_FIELDS",
    "OPERATORS",
    "FilterError",
    "check_page_partition",
    "check_projection",
    "check_search_results",
    "expected_search",
    "is_expired",
    "listing_order",
    "matches",
    "matching_ids",
    "names_entity",
    "parse_instant",
    "project",
    "select",
    "validate",
    # today's API (v3)
    "EVENT_STATUSES",
    "V3_DEFAULT_THRESHOLD",
    "V3_DEFAULT_TOP_K",
    "V3_FIELD_ALIASES",
    "V3_LIST_FIELDS",
    "V3_MAX_PAGE_SIZE",
    "V3_SEARCH_FIELDS",
    "calendar_facts",
    "check_event",
    "check_score_breakdown",
    "check_summary",
    "dedupe_key",
    "normalize_v3_filter",
    "ranked_head",
    "select_v3",
    "v3_item",
]

ENTITY_FIELDS = ("user_id", "agent_id", "app_id", "run_id")
DATE_FIELDS = ("created_at", "updated_at")
LIST_FIELDS = ("categories", "keywords")
FIELDS = (*ENTITY_FIELDS, *DATE_FIELDS, *LIST_FIELDS, "metadata")
OPERATORS = ("in", "gte", "lte", "gt", "lt", "ne", "contains", "icontains")
LOGICAL = ("AND", "OR", "NOT")
WILDCARD = "*"

# Every key a memory object (or a search result) may carry; used by check_projection.
MEMORY_FIELDS = (
    "id", "memory", *ENTITY_FIELDS, "hash", "metadata", "categories", "keywords", "immutable",
    "expiration_date", *DATE_FIELDS, "owner", "organization", "score",
)


class FilterError(ValueError):
    """A filter the semantics declare invalid (the API answers 400 {"filters": [...]})."""


# --------------------------------------------------------------------------- dates

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$"
)


def _parse_date_only(text: str) -> date | None:
    m = _DATE_RE.match(text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _parse_datetime(text: str) -> datetime | None:
    """Parse an ISO 8601 date-time; naive values are taken as UTC. None when malformed."""
    m = _DATETIME_RE.match(text)
    if not m:
        return None
    frac = (m[7] or "")[:6].ljust(6, "0")
    tz = timezone.utc
    if m[9]:
        hours, minutes = int(m[10]), int(m[11])
        if hours > 23 or minutes > 59:
            return None
        sign = 1 if m[9] == "+" else -1
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        value = datetime(
            int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0), int(frac), tzinfo=tz
        )
    except ValueError:
        return None
    return value.astimezone(timezone.utc)


def parse_instant(text: str) -> datetime:
    """Parse a memory's timestamp (as the API returns it) into an aware UTC datetime."""
    if not isinstance(text, str):
        raise ValueError(f"timestamp is not a string: {text!r}")
    value = _parse_datetime(text)
    if value is None:
        only = _parse_date_only(text)
        if only is None:
            raise ValueError(f"unparsable timestamp: {text!r}")
        value = datetime(only.year, only.month, only.day, tzinfo=timezone.utc)
    return value


def _filter_date(value: Any) -> date | datetime:
    """A filter operand on a date field: a date (whole UTC day) or an instant."""
    if isinstance(value, str):
        only = _parse_date_only(value)
        if only is not None:
            return only
        instant = _parse_datetime(value)
        if instant is not None:
            return instant
    raise FilterError(f"bad date: {value!r}")


# --------------------------------------------------------------------------- validation


def _check_scalar(value: Any, where: str) -> None:
    # null is not a usable operand: "*" is the way to ask for set / unset (choice).
    if value is None or isinstance(value, (dict, list)):
        raise FilterError(f"{where}: operand must be a scalar, got {value!r}")


def _validate_operand(kind: str, value: Any, where: str) -> None:
    _check_scalar(value, where)
    if kind == "date":
        _filter_date(value)


def _validate_value(kind: str, value: Any, where: str) -> None:
    """Validate a field's value (scalar, wildcard or operator object) for a field kind."""
    if isinstance(value, dict):
        for op, operand in value.items():
            if op not in OPERATORS:
                raise FilterError(f"{where}: unknown operator {op!r}")
            if op == "in":
                if not isinstance(operand, list):
                    raise FilterError(f"{where}: 'in' needs a list, got {operand!r}")
                for item in operand:
                    _validate_operand(kind, item, f"{where}.in")
            else:
                _validate_operand(kind, operand, f"{where}.{op}")
        return
    if value == WILDCARD:
        return
    _validate_operand(kind, value, where)


def _kind(field: str) -> str:
    if field in DATE_FIELDS:
        return "date"
    if field in LIST_FIELDS:
        return "list"
    return "string"


def validate(filters: Any, _path: str = "filters") -> None:
    """Raise FilterError when the tree is invalid anywhere, independent of any memory."""
    if not isinstance(filters, dict):
        raise FilterError(f"{_path}: a filter must be an object, got {filters!r}")
    for key, value in filters.items():
        where = f"{_path}.{key}"
        if key in ("AND", "OR"):
            if not isinstance(value, list):
                raise FilterError(f"{where}: must be a list")
            for i, sub in enumerate(value):
                validate(sub, f"{where}[{i}]")
        elif key == "NOT":
            if isinstance(value, list):
                for i, sub in enumerate(value):
                    validate(sub, f"{where}[{i}]")
            else:
                validate(value, where)
        elif key == "metadata":
            if value == WILDCARD:
                continue
            if not isinstance(value, dict):
                raise FilterError(f"{where}: must be an object of metadata keys")
            for meta_key, meta_value in value.items():
                _validate_value("meta", meta_value, f"{where}.{meta_key}")
        elif key in FIELDS:
            _validate_value(_kind(key), value, where)
        else:
            raise FilterError(f"{where}: unknown field {key!r}")


# --------------------------------------------------------------------------- evaluation

_MISSING = object()


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _eq(a: Any, b: Any) -> bool:
    """JSON equality: booleans never equal numbers, 1 == 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def _ordered(op: str, a: Any, b: Any) -> bool:
    """a <op> b for two strings or two numbers; any other pairing fails."""
    if not ((isinstance(a, str) and isinstance(b, str)) or (_is_number(a) and _is_number(b))):
        return False
    if op == "gt":
        return a > b
    if op == "gte":
        return a >= b
    if op == "lt":
        return a < b
    return a <= b


def _is_set(value: Any) -> bool:
    """The wildcard: not null and not empty."""
    if value is None or value is _MISSING:
        return False
    return not (isinstance(value, (str, list, dict)) and len(value) == 0)


def _scalar_op(op: str, field_value: Any, operand: Any) -> bool:
    """One operator against a non-null scalar (string field or metadata value)."""
    if op == "ne":
        return not _eq(field_value, operand)
    if op == "in":
        return any(_eq(field_value, item) for item in operand)
    if op in ("contains", "icontains"):
        if not (isinstance(field_value, str) and isinstance(operand, str)):
            return False
        if op == "contains":
            return operand in field_value
        return operand.lower() in field_value.lower()
    return _ordered(op, field_value, operand)


def _list_op(op: str, elements: list, operand: Any) -> bool:
    if op == "ne":
        return not any(_eq(e, operand) for e in elements)
    if op == "in":
        return any(_eq(e, item) for e in elements for item in operand)
    # contains / icontains: some element contains the substring. Range operators on a
    # list are not in semantics.md; taken as "some element compares" (choice).
    return any(_scalar_op(op, e, operand) for e in elements)


def _date_cmp(op: str, field_instant: datetime, operand: Any) -> bool:
    target = _filter_date(operand)
    if isinstance(target, datetime):
        left: Any = field_instant
    else:
        left = field_instant.date()  # UTC calendar date of the field
    if op == "eq":
        return left == target
    if op == "ne":
        return left != target
    if op == "gt":
        return left > target
    if op == "gte":
        return left >= target
    if op == "lt":
        return left < target
    if op == "lte":
        return left <= target
    raise AssertionError(op)


def _date_op(op: str, raw: str, operand: Any) -> bool:
    instant = parse_instant(raw)
    if op == "in":
        return any(_date_cmp("eq", instant, item) for item in operand)
    if op in ("contains", "icontains"):
        # Not defined for dates in semantics.md; substring of the stored text (choice).
        return _scalar_op(op, raw, operand)
    return _date_cmp(op, instant, operand)


def _apply(kind: str, field_value: Any, op: str, operand: Any) -> bool:
    """One operator ('eq' for a bare scalar) on a field value of the given kind."""
    if field_value is None or field_value is _MISSING:
        return op == "ne"  # null matches nothing but ne (choice in semantics.md)
    if kind == "date":
        if not isinstance(field_value, str):
            return op == "ne"
        return _date_op(op, field_value, operand)
    if isinstance(field_value, list):  # categories, keywords (and list-valued metadata)
        if op == "eq":
            return any(_eq(e, operand) for e in field_value)
        return _list_op(op, field_value, operand)
    if op == "eq":
        return _eq(field_value, operand)
    return _scalar_op(op, field_value, operand)


def _value_matches(kind: str, field_value: Any, value: Any) -> bool:
    if isinstance(value, dict):
        return all(_apply(kind, field_value, op, operand) for op, operand in value.items())
    if value == WILDCARD:
        return _is_set(field_value)
    return _apply(kind, field_value, "eq", value)


def _metadata_matches(value: Any, memory: Mapping[str, Any]) -> bool:
    meta = memory.get("metadata")
    if value == WILDCARD:
        return _is_set(meta)
    if not isinstance(meta, dict):
        meta = {}
    return all(
        _value_matches("meta", meta.get(key, _MISSING), sub) for key, sub in value.items()
    )


def _eval(node: dict, memory: Mapping[str, Any]) -> bool:
    for key, value in node.items():
        if key == "AND":
            ok = all(_eval(sub, memory) for sub in value)
        elif key == "OR":
            ok = any(_eval(sub, memory) for sub in value)
        elif key == "NOT":
            subs = value if isinstance(value, list) else [value]
            ok = not any(_eval(sub, memory) for sub in subs)
        elif key == "metadata":
            ok = _metadata_matches(value, memory)
        else:
            ok = _value_matches(_kind(key), memory.get(key), value)
        if not ok:
            return False
    return True


def matches(filters: dict, memory: Mapping[str, Any], *, today: date | None = None) -> bool:
    """True when the memory satisfies the v2 filter tree (expiry is select()'s business).

    ``today`` is accepted for symmetry with select(); filters never depend on it.
    """
    del today
    validate(filters)
    return _eval(filters, memory)


def names_entity(filters: Any) -> bool:
    """The entity-id rule: a condition on an entity id somewhere in the tree (NOT included)."""
    if isinstance(filters, list):
        return any(names_entity(sub) for sub in filters)
    if not isinstance(filters, dict):
        return False
    for key, value in filters.items():
        if key in ENTITY_FIELDS:
            return True
        if key in LOGICAL and names_entity(value):
            return True
    return False


# --------------------------------------------------------------------------- listing


def _today_utc() -> date:
    return datetime.now(timezone.utc).date()


def is_expired(memory: Mapping[str, Any], *, today: date | None = None) -> bool:
    """expiration_date strictly before today (UTC) hides a memory from listings and search."""
    raw = memory.get("expiration_date")
    if not raw:
        return False
    expires = _parse_date_only(str(raw)[:10])
    if expires is None:
        raise ValueError(f"unparsable expiration_date: {raw!r}")
    return expires < (today or _today_utc())


def listing_order(memories: Iterable[Mapping[str, Any]]) -> list:
    """Newest created_at first, ties by id ascending (the semantics' listing order)."""
    by_id = sorted(memories, key=lambda m: str(m["id"]))
    return sorted(by_id, key=lambda m: parse_instant(m["created_at"]), reverse=True)


def select(
    filters: dict, memories: Iterable[Mapping[str, Any]], *, today: date | None = None
) -> list:
    """What get-all v2 must list: matching, non-expired memories in listing order."""
    validate(filters)
    day = today or _today_utc()
    kept = [m for m in memories if not is_expired(m, today=day) and _eval(filters, m)]
    return listing_order(kept)


def matching_ids(
    filters: dict, memories: Iterable[Mapping[str, Any]], *, today: date | None = None
) -> set[str]:
    """Ids a search may return (before score, threshold and top_k)."""
    return {m["id"] for m in select(filters, memories, today=today)}


# --------------------------------------------------------------------------- search


def expected_search(
    filters: dict,
    memories: Iterable[Mapping[str, Any]],
    *,
    top_k: int,
    threshold: float,
    scores: Mapping[str, float],
    today: date | None = None,
) -> list[dict]:
    """The exact search answer when every memory's score is known (unscored ids drop out).

    Order: score descending, ties newest first, then id (the id tie-break is a choice).
    """
    hits = []
    for memory in select(filters, memories, today=today):
        score = scores.get(memory["id"])
        if score is not None and score >= threshold:
            hits.append({**memory, "score": score})
    hits.sort(key=lambda m: str(m["id"]))
    hits.sort(key=lambda m: parse_instant(m["created_at"]), reverse=True)
    hits.sort(key=lambda m: m["score"], reverse=True)
    return hits[: max(top_k, 0)]


def check_search_results(
    results: Sequence[Mapping[str, Any]],
    matching_ids: set[str],
    *,
    top_k: int,
    threshold: float,
) -> list[str]:
    """Violations of the search contract that hold whatever the scoring function is."""
    problems: list[str] = []
    if len(results) > top_k:
        problems.append(f"{len(results)} results exceed top_k={top_k}")
    seen: set[str] = set()
    previous: Mapping[str, Any] | None = None
    for i, item in enumerate(results):
        if not isinstance(item, Mapping) or "id" not in item:
            problems.append(f"result {i} has no id: {item!r}")
            previous = None
            continue
        rid = item["id"]
        if rid in seen:
            problems.append(f"result {i} ({rid}) is a duplicate")
        seen.add(rid)
        if rid not in matching_ids:
            problems.append(f"result {i} ({rid}) does not match the filters (or is expired / foreign)")
        score = item.get("score")
        if not _is_number(score) or math.isnan(score):
            problems.append(f"result {i} ({rid}) has no numeric score: {score!r}")
            previous = None
            continue
        if not 0 <= score <= 1:
            problems.append(f"result {i} ({rid}) score {score} outside [0, 1]")
        if score < threshold:
            problems.append(f"result {i} ({rid}) score {score} below threshold {threshold}")
        if previous is not None:
            prev_score = previous["score"]
            if score > prev_score:
                problems.append(
                    f"result {i} ({rid}) score {score} after lower score {prev_score}: not descending"
                )
            elif (
                score == prev_score
                and "created_at" in item
                and "created_at" in previous
                and parse_instant(item["created_at"]) > parse_instant(previous["created_at"])
            ):
                problems.append(f"result {i} ({rid}) ties on score but is newer than the one before")
        previous = item
    return problems


# --------------------------------------------------------------------------- pagination


def check_page_partition(
    pages: Sequence[Sequence[Mapping[str, Any]]],
    full: Sequence[Mapping[str, Any]],
    *,
    page_size: int | None = None,
    count: int | None = None,
) -> list[str]:
    """Violations of "pages partition the result set in the listing order".

    ``count`` is the DRF page's count when known; ``page_size`` checks page lengths.
    """
    problems: list[str] = []
    full_ids = [m["id"] for m in full]
    full_set = set(full_ids)
    where: dict[str, int] = {}
    paged: list[str] = []
    for p, page in enumerate(pages, start=1):
        for item in page:
            iid = item["id"]
            if iid in where:
                problems.append(f"item {iid} repeats: on page {where[iid]} and page {p}")
            else:
                where[iid] = p
                paged.append(iid)
            if iid not in full_set:
                problems.append(f"item {iid} on page {p} is not in the full listing")
    for iid in full_ids:
        if iid not in where:
            problems.append(f"item {iid} of the full listing is on no page (gap)")
    common_paged = [i for i in paged if i in full_set]
    common_full = [i for i in full_ids if i in where]
    if common_paged != common_full:
        problems.append("pages are not in the order of the full listing")
    total = sum(len(page) for page in pages)
    if total != len(full_ids):
        problems.append(f"pages hold {total} items, the full listing {len(full_ids)}")
    if count is not None and count != len(full_ids):
        problems.append(f"count {count} != {len(full_ids)} items in the full listing")
    if page_size is not None:
        for p, page in enumerate(pages, start=1):
            last = p == len(pages)
            if len(page) > page_size or (not last and len(page) != page_size):
                problems.append(f"page {p} holds {len(page)} items with page_size={page_size}")
            if last and not page and len(pages) > 1:
                problems.append(f"page {p} is empty")
    return problems


# --------------------------------------------------------------------------- projection


def project(
    memory: Mapping[str, Any], fields: Sequence[str], *, keep: Sequence[str] = ("id", "score")
) -> dict:
    """What `fields` must leave of a memory: the named fields plus id and score."""
    wanted = set(fields) | set(keep)
    return {k: v for k, v in memory.items() if k in wanted}


def check_projection(
    item: Mapping[str, Any],
    fields: Sequence[str],
    *,
    keep: Sequence[str] = ("id", "score"),
    require: Sequence[str] = ("id",),
) -> list[str]:
    """Violations of a projected item: extra keys, or a named memory field left out."""
    problems: list[str] = []
    allowed = set(fields) | set(keep)
    for key in item:
        if key not in allowed:
            problems.append(f"key {key!r} was not asked for in fields={list(fields)}")
    for key in require:
        if key not in item:
            problems.append(f"required key {key!r} missing")
    for key in fields:
        if key in MEMORY_FIELDS and key not in item and key not in require:
            problems.append(f"field {key!r} was asked for but is missing")
    return problems


# --------------------------------------------------------------------------- today's API (v3)
#
# From docs/semantics.md, "Today's API (v3)". v3 list and search take the v2 filter language
# (plus camelCase field names), hide expired memories unless `show_expired`, hide superseded
# ones with `latest_only`, and AND body shortcuts with the filter. The functions below take
# memories in the v1 object's shape (`run_id`, `keywords`, `replaced_by`), as
# `GET /v1/memories/{id}/` answers them, so that every filter field can be judged.

V3_DEFAULT_THRESHOLD = 0.1
V3_DEFAULT_TOP_K = 10
V3_MAX_PAGE_SIZE = 200
V3_DEFAULT_PAGE_SIZE = 100
V3_FIELD_ALIASES = {
    "userId": "user_id", "agentId": "agent_id", "appId": "app_id", "runId": "run_id",
    "createdAt": "created_at", "updatedAt": "updated_at",
}
# The keys of a v3 list item (the run id is `session_id` there) and of a v3 search result.
V3_LIST_FIELDS = (
    "id", "memory", "user_id", "agent_id", "app_id", "session_id", "structured_attributes", "replaced_by",
    "synthesized", "metadata", "categories", "immutable", "expiration_date", *DATE_FIELDS,
)
V3_SEARCH_FIELDS = (
    "id", "memory", *ENTITY_FIELDS, "metadata", "categories", "score", "score_breakdown", "expiration_date",
    *DATE_FIELDS,
)
EVENT_STATUSES = ("PENDING", "RUNNING", "SUCCEEDED", "FAILED")
EVENT_FIELDS = (
    "id", "event_type", "status", "payload", "metadata", "results", "created_at", "updated_at", "started_at",
    "completed_at", "latency", "graph_status", "error",
)
CATEGORY_CATALOGUE = (
    "personal_details", "family", "professional_details", "sports", "travel", "food", "music", "health",
    "technology", "hobbies", "fashion", "entertainment", "milestones", "user_preferences", "misc",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def normalize_v3_filter(tree: Any) -> Any:
    """The v2 filter a v3 filter means: camelCase field names (`userId`, `createdAt`, ...) renamed.

    Only field positions are renamed (under AND / OR / NOT too); metadata keys are the user's own.
    """
    if isinstance(tree, list):
        return [normalize_v3_filter(sub) for sub in tree]
    if not isinstance(tree, dict):
        return tree
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if key in LOGICAL:
            out[key] = normalize_v3_filter(value)
        else:
            name = V3_FIELD_ALIASES.get(key, key)
            if name in out:  # `userId` beside `user_id`: both must hold
                return {"AND": [normalize_v3_filter({k: v}) for k, v in tree.items()]}
            out[name] = value
    return out


def _created_day(memory: Mapping[str, Any]) -> date:
    return parse_instant(memory["created_at"]).date()


def _shortcuts_hold(
    memory: Mapping[str, Any],
    *,
    start_date: str | None,
    end_date: str | None,
    categories: Sequence[str] | None,
    keywords: str | None,
    metadata: Mapping[str, Any] | None,
) -> bool:
    """The v3 body shortcuts, each ANDed with the filter (absent = no condition)."""
    if start_date is not None and _created_day(memory) < date.fromisoformat(start_date):
        return False
    if end_date is not None and _created_day(memory) > date.fromisoformat(end_date):
        return False
    if categories is not None and not any(  # any of them, exact
        _eq(c, wanted) for c in memory.get("categories") or [] for wanted in categories
    ):
        return False
    if keywords is not None:  # some keyword contains the text, any case
        needle = keywords.lower()
        if not any(isinstance(k, str) and needle in k.lower() for k in memory.get("keywords") or []):
            return False
    if metadata is not None:  # search: every given key with exactly that value
        meta = memory.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        if not all(key in meta and _eq(meta[key], value) for key, value in metadata.items()):
            return False
    return True


def select_v3(
    filters: dict,
    memories: Iterable[Mapping[str, Any]],
    *,
    show_expired: bool = False,
    latest_only: bool = False,
    start_date: str | None = None,
    end_date: str | None = None,
    categories: Sequence[str] | None = None,
    keywords: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> list:
    """What v3 list must list (and v3 search may return): in listing order.

    Expired memories only with `show_expired`; superseded ones (`replaced_by` set) not with
    `latest_only`; the shortcuts ANDed with the (camelCase-tolerant) filter.
    """
    tree = normalize_v3_filter(filters)
    validate(tree)
    day = today or _today_utc()
    kept = [
        m for m in memories
        if (show_expired or not is_expired(m, today=day))
        and not (latest_only and m.get("replaced_by"))
        and _shortcuts_hold(m, start_date=start_date, end_date=end_date, categories=categories,
                            keywords=keywords, metadata=metadata)
        and _eval(tree, m)
    ]
    return listing_order(kept)


def v3_item(memory: Mapping[str, Any]) -> dict:
    """The v3 list item of a memory (v1 object shape in): its keys, with the run id as `session_id`."""
    source = {**memory, "session_id": memory.get("run_id")}
    return {key: source.get(key) for key in V3_LIST_FIELDS if key in source}


def calendar_facts(created_at: str) -> dict[str, Any]:
    """The calendar facts of an instant (UTC) that `structured_attributes` must agree with.

    `week_of_year` is left out: semantics.md does not say which week numbering it uses.
    """
    moment = parse_instant(created_at)
    day = moment.date()
    return {
        "year": day.year, "month": day.month, "day": day.day, "hour": moment.hour, "minute": moment.minute,
        "day_of_week": _WEEKDAYS[day.weekday()], "day_of_year": day.timetuple().tm_yday,
        "quarter": (day.month - 1) // 3 + 1, "is_weekend": day.weekday() >= 5,
    }


def ranked_head(ranked: Sequence[Mapping[str, Any]], *, top_k: int, threshold: float) -> list:
    """What a search must answer given its full ranking at threshold 0: score >= threshold, first top_k."""
    return [r for r in ranked if r["score"] >= threshold][: max(top_k, 0)]


def check_score_breakdown(item: Mapping[str, Any], *, tolerance: float = 0.01) -> list[str]:
    """A v3 search result's `score_breakdown`: semantic, bm25 and entity, numbers >= 0 summing to score."""
    rid = item.get("id")
    breakdown = item.get("score_breakdown")
    if not isinstance(breakdown, Mapping):
        return [f"result {rid} has no score_breakdown object: {breakdown!r}"]
    problems = []
    parts = ("semantic", "bm25", "entity")
    if set(breakdown) != set(parts):
        problems.append(f"result {rid} score_breakdown keys {sorted(breakdown)} are not {list(parts)}")
    values = [breakdown.get(p) for p in parts]
    if not all(_is_number(v) and v >= 0 for v in values):
        return [*problems, f"result {rid} score_breakdown parts are not numbers >= 0: {breakdown}"]
    score = item.get("score")
    if _is_number(score) and abs(sum(values) - score) > tolerance:
        problems.append(f"result {rid} score_breakdown sums to {sum(values):.4f}, score is {score}")
    return problems


def dedupe_key(memory: Mapping[str, Any]) -> tuple:
    """Two memories with the same key are one memory stored twice (v3 add dedupes them)."""
    return (memory.get("memory"), *(memory.get(f) for f in ENTITY_FIELDS))


def check_event(event: Any, *, event_id: str | None = None, event_type: str | None = None) -> list[str]:
    """Violations of the event object's contract (fields, status, timings, result items)."""
    if not isinstance(event, Mapping):
        return [f"event is not an object: {event!r}"]
    problems = [f"event lacks {key!r}" for key in EVENT_FIELDS if key not in event and key != "metadata"]
    if event_id is not None and event.get("id") != event_id:
        problems.append(f"event id {event.get('id')!r} is not {event_id!r}")
    if event_type is not None and event.get("event_type") != event_type:
        problems.append(f"event_type {event.get('event_type')!r} is not {event_type!r}")
    status = event.get("status")
    if status not in EVENT_STATUSES:
        problems.append(f"status {status!r} is not one of {EVENT_STATUSES}")
    results = event.get("results")
    if not isinstance(results, list):
        problems.append(f"results is not a list: {results!r}")
        results = []
    for i, item in enumerate(results):
        if not (isinstance(item, Mapping) and item.get("id") and isinstance(item.get("data"), Mapping)
                and isinstance(item["data"].get("memory"), str) and item.get("event")):
            problems.append(f"result {i} is not {{id, event, data: {{memory}}}}: {item!r}")
    if status in ("SUCCEEDED", "FAILED"):
        try:
            created, started, completed = (parse_instant(event[k]) for k in ("created_at", "started_at",
                                                                               "completed_at"))
        except (KeyError, ValueError) as exc:
            problems.append(f"a finished event needs created_at, started_at and completed_at: {exc}")
        else:
            if not created <= started <= completed:
                problems.append(f"timings out of order: created {created}, started {started}, completed {completed}")
        latency = event.get("latency")
        if not (_is_number(latency) and latency >= 0):
            problems.append(f"a finished event's latency is not a number of ms >= 0: {latency!r}")
    if status == "FAILED" and not event.get("error"):
        problems.append("a FAILED event names no error")
    return problems


def check_summary(items: Any, selected: Sequence[Mapping[str, Any]], others: Sequence[str] = ()) -> list[str]:
    """Violations of the summary answer for the memories its filters select (`selected`).

    Each item is `{summary, memory_count, categories}`; the counts add up to the selection,
    every selected memory's text is in exactly one summary, and none of `others` (texts of
    memories the filters do not select) is in any.
    """
    if not isinstance(items, list):
        return [f"summary answer is not a list: {items!r}"]
    problems: list[str] = []
    texts: list[str] = []
    total = 0
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(f"item {i} is not an object: {item!r}")
            continue
        summary, count, cats = item.get("summary"), item.get("memory_count"), item.get("categories")
        if not isinstance(summary, str):
            problems.append(f"item {i} summary is not a string: {summary!r}")
            summary = ""
        if not (isinstance(count, int) and not isinstance(count, bool) and count >= 1):
            problems.append(f"item {i} memory_count is not a positive integer: {count!r}")
            count = 0
        if not (isinstance(cats, Mapping) and all(isinstance(v, int) and v >= 1 for v in cats.values())):
            problems.append(f"item {i} categories is not an object of counts: {cats!r}")
        total += count
        texts.append(summary)
    if total != len(selected):
        problems.append(f"memory_count adds up to {total}, the filters select {len(selected)} memories")
    for memory in selected:
        text = memory.get("memory", "")
        holding = sum(text in summary for summary in texts)
        if holding != 1:
            problems.append(f"{text!r} is in {holding} summaries, not exactly one")
    for text in others:
        if any(text in summary for summary in texts):
            problems.append(f"{text!r} is summarised though the filters do not select it")
    return problems
