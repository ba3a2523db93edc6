"""Structured memory exports: fill a caller's JSON schema from the selected memories.

The real service has an LLM read the memories and fill the schema. Here every property
is a search: its name and description form a query, memories are ranked with
`search.similarity` (through a `SearchIndex`), and the best ones fill the property by
type: a string gets the best memory's text or the value it states ("Name is Alex" gives
"Alex" for `name`), an array all memories above the relevance bar, a number the number
in the best memory, a boolean whether a relevant memory exists (and is not negative), an
enum its best-matching value, an object recurses. Properties with nothing relevant are
null when the schema allows it, else left out, unless required (then an empty value of
their type). The walk is bounded (depth, property and enum caps) so that a hostile schema
can neither hang nor crash the server; local `$ref`s are followed, others read as "any".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jsonschema

from .search import SearchIndex, similarity
from .text import content_terms, expand, stem

__all__ = ["MAX_DEPTH", "RELEVANCE_BAR", "build_export"]

MAX_DEPTH = 8
MAX_PROPERTIES = 256  # per object
MAX_NODES = 4000  # schema nodes visited per export
MAX_ENUM = 200
MAX_ITEMS = 1000
MAX_CELLS = 50_000  # fields of array-of-object records per export
RELEVANCE_BAR = 0.3  # the search default threshold
ARRAY_FLOOR = 0.75  # an array keeps memories scoring at least this share of the best one


def _split(words: str) -> list[str]:
    """Whitespace-separated word lists, kept as text blocks for readability."""
    return words.split()



def _required(node: dict[str, Any]) -> list[str]:
    """The names a schema object requires (ignoring malformed entries)."""
    required = node.get("required")
    return [name for name in required if isinstance(name, str)] if isinstance(required, list) else []

class _Nothing:
    """Marker: nothing relevant was found for a schema node."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()

_GENERIC_COLLECTIONS = frozenset(
    _split("""
    memories memory facts fact items entries records data all list notes history results
    everything summary information info details knowledge
    """)
)
_TEXT_FIELDS = frozenset(
    _split("memory text content fact description value summary detail details note statement")
)
_CATEGORY_FIELDS = frozenset(_split("categories category tags tag topics topic labels label"))
_DATE_FIELDS = frozenset(_split("created_at date timestamp created time updated_at updated when"))
_ID_FIELDS = frozenset(_split("id memory_id identifier uuid"))
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12,
}
_NEGATIVE = re.compile(
    r"^(?:dislikes|hates|detests|does not|doesn't|did not|is not|isn't|never|cannot|can't|"
    r"no longer|avoids|has no)\b",
    re.IGNORECASE,
)

# (pattern over a memory text, stems one of which the property must be about, group).
_VALUE_RULES: tuple[tuple[re.Pattern[str], frozenset[str], int], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), frozenset(stem(w) for w in cues.split()), group)
    for pattern, cues, group in (
        (r"^lives in (.+)$", "live city location residence address home where town place", 1),
        (r"^works as (?:an? )?(.+?)(?: (?:at|for|in|with) .+)?$",
         "job occupation profession role title position work career", 1),
        (r"^works (?:as .+? )?(?:at|for|with) (.+)$", "company employer organization organisation workplace", 1),
        (r"^is (?:\w+ )?allergic to (.+)$", "allergy allergies allergic allergen", 1),
        (r"^is (?:originally )?from (.+)$", "origin country nationality hometown from", 1),
        (r"^grew up in (.+)$", "origin hometown grew childhood", 1),
        (r"^is (\d+) years old$", "age old", 1),
        (r"^birthday is (?:on )?(.+)$", "birthday birth born date", 1),
        (r"^was born (?:on|in) (.+)$", "birthday birth born", 1),
        (r"^(?:likes|loves|enjoys|adores|is into|is a (?:big )?fan of) (.+)$",
         "like likes love hobby hobbies interest interests enjoy favorite favourite preference fan", 1),
        (r"^(?:dislikes|hates|does not like) (.+)$", "dislike dislikes hate avoid", 1),
        (r"^is (?:an? )?(vegetarian|vegan|pescatarian|flexitarian|omnivore|carnivore)$", "diet dietary", 1),
        (r"^follows an? (.+?) diet$", "diet dietary", 1),
        (r"^speaks (.+?)(?: fluently)?$", "language languages speak speaks", 1),
        (r"^plays (.+)$", "sport sports play plays instrument game", 1),
        (r"^has an? (?:\w+ )?(dog|cat|puppy|kitten|parrot|bird|rabbit|hamster|fish|turtle|horse|snake|"
         r"retriever|labrador|poodle|beagle|terrier|bulldog|corgi|collie|husky|spaniel|pug|tabby) named (.+)$",
         "pet pets animal dog cat", 1),
        (r"\bnamed (\w+(?: \w+)?)$", "name named called", 1),
        (r"^is (married|single|engaged|divorced|widowed)\b", "relationship marital status married", 1),
    )
)
MAX_REPAIRS = 32
_COPULA = re.compile(r"^(.+?) (?:is|are) (?:on )?(.+)$", re.IGNORECASE)


def _words(name: str) -> str:
    """`favoriteFood_items` -> "favorite Food items": property names as query words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return re.sub(r"[_\-.]+", " ", spaced).strip()


class _Export:
    def __init__(self, root: Any, memories: list[dict[str, Any]]) -> None:
        self.root = root
        self.nodes = 0  # schema nodes visited
        self.cells = 0  # record fields filled
        self.index = SearchIndex()
        # Keyed by position in the caller's list, which also breaks score ties.
        self.by_key: dict[str, dict[str, Any]] = {}
        for position, memory in enumerate(memories if isinstance(memories, list) else []):
            if not isinstance(memory, Mapping) or not isinstance(memory.get("memory"), str):
                continue
            categories = memory.get("categories")
            categories = [c for c in categories if isinstance(c, str)] if isinstance(categories, list) else []
            key = str(position)
            self.by_key[key] = {**memory, "categories": categories}
            self.index.add(key, memory["memory"], categories)
        self.order = {key: i for i, key in enumerate(self.by_key)}

    # --- relevance -----------------------------------------------------------------------

    def ranked(self, query: str) -> list[tuple[dict[str, Any], float]]:
        """Memories relevant to a query (score >= bar), best first, ties in input order."""
        if not query.strip():
            return []
        scores = self.index.scores(query)
        keys = sorted((k for k, s in scores.items() if s >= RELEVANCE_BAR), key=lambda k: (-scores[k], self.order[k]))
        return [(self.by_key[k], scores[k]) for k in keys]

    def all_memories(self) -> list[tuple[dict[str, Any], float]]:
        return [(m, 1.0) for m in self.by_key.values()]

    # --- schema handling -----------------------------------------------------------------

    def resolve(self, schema: Any, level: int = 0) -> dict[str, Any]:
        """A dict view of a schema node: local $ref followed, allOf merged, anyOf/oneOf picked."""
        for _ in range(MAX_DEPTH):
            if not isinstance(schema, dict):
                return {} if schema is not False else {"not": {}}
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                target = self.pointer(ref)
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                if isinstance(target, dict):
                    schema = {**target, **rest}
                    continue
                return {**rest, "x-any": True}
            if isinstance(ref, str):
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                return {**rest, "x-any": True}
            break
        else:
            return {"x-any": True}
        schema = dict(schema)
        all_of = schema.pop("allOf", None)
        if isinstance(all_of, list):
            for part in all_of[:16]:
                part = part if isinstance(part, dict) else {}
                if "$ref" in part:
                    part = self.pointer(part["$ref"]) if isinstance(part["$ref"], str) else {}
                    part = part if isinstance(part, dict) else {}
                for key, value in part.items():
                    if key == "properties" and isinstance(value, dict):
                        schema["properties"] = {**value, **(schema.get("properties") or {})}
                    elif key == "required" and isinstance(value, list):
                        schema["required"] = list(dict.fromkeys([*(schema.get("required") or []), *value]))
                    else:
                        schema.setdefault(key, value)
        for key in ("anyOf", "oneOf"):
            options = schema.pop(key, None)
            if isinstance(options, list) and options:
                nullable = any(isinstance(o, dict) and o.get("type") == "null" for o in options)
                chosen = next((o for o in options if isinstance(o, dict) and o.get("type") != "null"), None)
                if chosen is None:
                    schema.setdefault("type", "null")
                else:
                    merged = self.resolve(chosen, level + 1) if level < MAX_DEPTH else {}
                    for k, v in merged.items():
                        schema.setdefault(k, v)
                    if nullable:
                        schema["x-nullable"] = True
                    if key == "oneOf" and nullable:
                        schema["x-oneof-null"] = True
        return schema

    def pointer(self, ref: str) -> Any:
        node = self.root
        for part in ref.lstrip("#").split("/")[1:] if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    @staticmethod
    def types(schema: dict[str, Any]) -> tuple[str | None, bool]:
        """(main type, whether null is allowed)."""
        raw = schema.get("type")
        if isinstance(raw, str):
            listed = [raw]
        else:
            listed = [t for t in raw if isinstance(t, str)] if isinstance(raw, list) else []
        nullable = "null" in listed or bool(schema.get("x-nullable")) or schema.get("nullable") is True
        main = next((t for t in listed if t != "null"), None)
        if main is None and not listed:
            if isinstance(schema.get("properties"), dict):
                main = "object"
            elif "items" in schema or "prefixItems" in schema:
                main = "array"
        if main is None and listed == ["null"]:
            main = "null"
        if schema.get("x-oneof-null") and main is not None:
            nullable = True
        enum = schema.get("enum")
        if isinstance(enum, list) and None in enum:
            nullable = True
        return main, nullable

    # --- filling -------------------------------------------------------------------------

    def fill(self, schema: Any, name: str, description: str, depth: int) -> Any:
        """The value for one schema node, or NOTHING when no memory is relevant to it."""
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            return NOTHING
        node = self.resolve(schema)
        if "not" in node and node.get("not") == {}:
            return NOTHING
        if "const" in node:
            return node["const"]
        if node.get("description") and isinstance(node["description"], str):
            description = f"{description} {node['description']}".strip()
        query = f"{_words(name)} {description}".strip()[:400]
        enum = node.get("enum")
        if isinstance(enum, list) and enum:
            return self.fill_enum(enum[:MAX_ENUM], query)
        main, _ = self.types(node)
        if depth == 0 and main is None and not node.get("x-any"):
            main = "object"  # an untyped root: give the memories as an object
        if main == "object":
            return self.fill_object(node, name, depth)
        if main == "array":
            return self.fill_array(node, name, query, depth)
        if main == "null":
            return None
        if main in ("string", "number", "integer", "boolean") or main is None:
            return self.fill_scalar(node, main, query, name, depth)
        return NOTHING

    def fill_object(self, node: dict[str, Any], name: str, depth: int) -> Any:
        properties = node.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = _required(node)
        out: dict[str, Any] = {}
        if not properties:
            free = self.free_object(node, name, depth)
            if free is NOTHING and not required:
                return NOTHING
            out = free if isinstance(free, dict) else {}
        for key, sub in list(properties.items())[:MAX_PROPERTIES]:
            key = str(key)
            self.place(out, key, self.fill(sub, key, "", depth + 1), sub, key in required, depth)
        for key in required[:MAX_PROPERTIES]:
            if key not in out:
                extra = node.get("additionalProperties")
                out[key] = self.empty(self.resolve(extra if isinstance(extra, dict) else {}), depth + 1)
        if not any(v is not None and v != [] and v != {} for v in out.values()) and not required:
            return NOTHING
        return out

    def place(self, out: dict[str, Any], key: str, value: Any, sub: Any, required: bool, depth: int) -> None:
        """Put a filled property into `out`; with nothing found, null where the schema
        allows it, a type-appropriate empty value where the property is required."""
        if value is not NOTHING:
            out[key] = value
            return
        sub_node = self.resolve(sub)
        _, nullable = self.types(sub_node)
        if nullable:
            out[key] = None
        elif required:
            out[key] = self.empty(sub_node, depth + 1)

    def free_object(self, node: dict[str, Any], name: str, depth: int) -> Any:
        """An object without declared properties: the memories under "memories"."""
        extra = node.get("additionalProperties")
        if extra is False or not self.by_key:
            return {} if depth == 0 else NOTHING
        memories = self.ranked(_words(name)) if depth and _words(name).lower() not in _GENERIC_COLLECTIONS else None
        texts = [m["memory"] for m, _ in (memories if memories is not None else self.all_memories())]
        if not texts:
            return NOTHING
        if isinstance(extra, dict) and extra:
            value = self.fill({**extra}, "memories", "", depth + 1)
            return {} if value is NOTHING else {"memories": value}
        return {"memories": texts[:MAX_ITEMS]}

    def fill_array(self, node: dict[str, Any], name: str, query: str, depth: int) -> Any:
        items = node.get("items")
        if isinstance(items, list) or "prefixItems" in node:
            return NOTHING  # tuple forms: no sensible fill from free text
        item = self.resolve(items if items is not None else {})
        generic = _words(name).lower() in _GENERIC_COLLECTIONS or not query
        relevant = self.all_memories() if generic else self.ranked(query)
        if not relevant:
            return NOTHING
        item_type, _ = self.types(item)
        values: list[Any] = []
        if "const" in item:
            values.append(item["const"])
        elif item_type == "object" or isinstance(item.get("properties"), dict):
            for memory, score in relevant[:MAX_ITEMS]:
                record = self.record(item, memory, score, depth + 1)
                if record is not NOTHING:
                    values.append(record)
        elif isinstance(item.get("enum"), list) and item["enum"]:
            for memory, _ in relevant[:MAX_ITEMS]:
                value = self.best_enum(item["enum"][:MAX_ENUM], [memory["memory"]])
                if value is not NOTHING:
                    values.append(value)
        elif item_type in ("string", None):
            values = self.string_values(item, "" if generic else query, relevant[:MAX_ITEMS])
        elif item_type in ("number", "integer"):
            for memory, _ in relevant[:MAX_ITEMS]:
                value = self.number_value(item, item_type, query, memory["memory"])
                if value is not NOTHING:
                    values.append(value)
        elif item_type == "boolean":
            values.append(not _NEGATIVE.match(relevant[0][0]["memory"]))
        if node.get("uniqueItems") or item_type in ("string", "number", "integer", None):
            unique: list[Any] = []
            for value in values:
                if value not in unique:
                    unique.append(value)
            values = unique
        max_items = node.get("maxItems")
        if isinstance(max_items, int) and max_items >= 0:
            values = values[:max_items]
        min_items = node.get("minItems")
        if not values or (isinstance(min_items, int) and len(values) < min_items):
            return NOTHING
        return values

    def record(self, item: dict[str, Any], memory: dict[str, Any], score: float, depth: int) -> Any:
        """One memory as an object of the item schema (text, categories, date, ...)."""
        if depth > MAX_DEPTH:
            return NOTHING
        properties = item.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = _required(item)
        out: dict[str, Any] = {}
        for key, sub in list(properties.items())[:MAX_PROPERTIES]:
            self.cells += 1
            if self.cells > MAX_CELLS:
                break
            key = str(key)
            sub_node = self.resolve(sub)
            value = self.field(key, sub_node, memory, score, depth + 1)
            self.place(out, key, value, sub_node, key in required, depth)
        for key in required[:MAX_PROPERTIES]:
            if key not in out:
                out[key] = self.empty({}, depth + 1)
        if not properties:
            out = {"memory": memory["memory"]} if item.get("additionalProperties") is not False else {}
        return out if out else NOTHING

    def field(self, key: str, node: dict[str, Any], memory: dict[str, Any], score: float, depth: int) -> Any:
        main, _ = self.types(node)
        lowered = key.lower()
        text = memory["memory"]
        enum = node.get("enum")
        if "const" in node:
            return node["const"]
        if isinstance(enum, list) and enum:
            source = memory.get("categories") if lowered in _CATEGORY_FIELDS else None
            candidates = [c for c in source if isinstance(c, str)] if isinstance(source, list) else []
            for value in enum[:MAX_ENUM]:
                if value in candidates:
                    return value
            return self.best_enum(enum[:MAX_ENUM], [text])
        if lowered in _TEXT_FIELDS and main in ("string", None):
            return self.fit_string(node, text)
        if lowered in _CATEGORY_FIELDS:
            categories = [c for c in memory.get("categories") or [] if isinstance(c, str)]
            if main == "array":
                item = self.resolve(node.get("items") if node.get("items") is not None else {})
                item_type, _ = self.types(item)
                return categories if item_type in ("string", None) else NOTHING
            return self.fit_string(node, categories[0]) if categories and main in ("string", None) else NOTHING
        if lowered in _DATE_FIELDS and main in ("string", None):
            source = memory.get(lowered) if isinstance(memory.get(lowered), str) else memory.get("created_at")
            return self.fit_string(node, source) if isinstance(source, str) else NOTHING
        if lowered in _ID_FIELDS and isinstance(memory.get("id"), str) and main in ("string", None):
            return self.fit_string(node, memory["id"])
        if lowered == "metadata" and main in ("object", None) and isinstance(memory.get("metadata"), dict):
            return memory["metadata"] if not node.get("properties") else NOTHING
        if lowered in ("score", "relevance") and main in ("number", None):
            return round(score, 6)
        query = f"{_words(key)} {node.get('description') or ''}".strip()
        if main == "object":
            return self.fill_object(node, key, depth)
        if main == "array":
            return NOTHING
        if similarity(query, text, memory.get("categories") or []) < RELEVANCE_BAR:
            return NOTHING
        if main in ("number", "integer"):
            return self.number_value(node, main, query, text)
        if main == "boolean":
            return not _NEGATIVE.match(text)
        return self.string_value(node, query, text)

    def fill_scalar(self, node: dict[str, Any], main: str | None, query: str, name: str, depth: int) -> Any:
        if depth == 0:
            return self.root_scalar(node, main)
        relevant = self.ranked(query)
        if not relevant:
            return NOTHING
        best = relevant[0][0]["memory"]
        if main == "boolean":
            return not _NEGATIVE.match(best)
        if main in ("number", "integer"):
            for memory, _ in relevant[:5]:
                value = self.number_value(node, main, query, memory["memory"])
                if value is not NOTHING:
                    return value
            return NOTHING
        if node.get("x-any") and main is None:
            return NOTHING  # an unresolvable $ref: any value might break it
        for memory, _ in relevant[:200]:
            value = _extract_value(query, memory["memory"])
            fitted = self.fit_string(node, value) if value is not None else NOTHING
            if fitted is not NOTHING:
                return fitted  # a memory stating the value beats a merely related one
        return self.fit_string(node, best)

    def root_scalar(self, node: dict[str, Any], main: str | None) -> Any:
        texts = [m["memory"] for m, _ in self.all_memories()]
        if main == "boolean":
            return bool(texts)
        if main in ("number", "integer"):
            return self.fit_number(node, main, len(texts))
        return self.fit_string(node, "\n".join(texts))

    # --- values --------------------------------------------------------------------------

    def string_values(self, item: dict[str, Any], query: str, relevant: list[tuple[dict[str, Any], float]]) -> list:
        """Array of strings: the values memories state if any do, else the closest texts."""
        if not query:
            texts = [self.fit_string(item, memory["memory"]) for memory, _ in relevant]
            return [t for t in texts if t is not NOTHING]
        # The closest memories only (a shared category alone is not enough next to a
        # memory that is about the very thing), each as the value it states if it does.
        floor = relevant[0][1] * ARRAY_FLOOR if relevant else 0.0
        values = []
        for memory, score in relevant:
            if score < floor:
                break
            value = self.string_value(item, query, memory["memory"])
            if value is not NOTHING:
                values.append(value)
        return values

    def string_value(self, node: dict[str, Any], query: str, text: str) -> Any:
        value = _extract_value(query, text) if query else None
        if value is not None:
            fitted = self.fit_string(node, value)
            if fitted is not NOTHING:
                return fitted
        return self.fit_string(node, text)

    @staticmethod
    def fit_string(node: dict[str, Any], value: str) -> Any:
        if not isinstance(value, str):
            value = str(value)
        max_length = node.get("maxLength")
        if isinstance(max_length, int) and max_length >= 0 and len(value) > max_length:
            value = value[:max_length]
        min_length = node.get("minLength")
        if isinstance(min_length, int) and len(value) < min_length:
            return NOTHING
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            if len(value) > 2000 or _risky_pattern(pattern):
                return NOTHING  # could backtrack for ever: leave the property out
            try:
                if not re.search(pattern, value):
                    return NOTHING
            except (re.error, RecursionError, OverflowError):
                return NOTHING
        return value

    def number_value(self, node: dict[str, Any], main: str, query: str, text: str) -> Any:
        value = _extract_value(query, text) if query else None
        for source in ([value] if value else []) + [text]:
            number = _find_number(source)
            if number is not None:
                return self.fit_number(node, main, number)
        return NOTHING

    @staticmethod
    def fit_number(node: dict[str, Any], main: str, number: float) -> Any:
        if not math.isfinite(number):
            return NOTHING
        value: float | int = int(round(number)) if main == "integer" else number
        for key, ok in (
            ("minimum", lambda v, b: v >= b),
            ("maximum", lambda v, b: v <= b),
            ("exclusiveMinimum", lambda v, b: v > b),
            ("exclusiveMaximum", lambda v, b: v < b),
        ):
            bound = node.get(key)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool) and not ok(value, bound):
                return NOTHING
        multiple = node.get("multipleOf")
        if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
            ratio = value / multiple
            if abs(ratio - round(ratio)) > 1e-9:
                return NOTHING
        return value

    def fill_enum(self, enum: list[Any], query: str) -> Any:
        relevant = self.ranked(query)
        if not relevant:
            return NOTHING
        return self.best_enum(enum, [m["memory"] for m, _ in relevant[:5]])

    @staticmethod
    def best_enum(enum: list[Any], texts: list[str]) -> Any:
        best, best_score = NOTHING, 0.0
        for value in enum:
            if value is None:
                continue
            label = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            label = _words(label)
            score = max((similarity(label, text) for text in texts), default=0.0)
            lowered = label.lower()
            if any(lowered and re.search(rf"\b{re.escape(lowered)}\b", t.lower()) for t in texts):
                score += 1.0
            if score > best_score:
                best, best_score = value, score
        return best

    def empty(self, node: dict[str, Any], depth: int) -> Any:
        """A valid placeholder for a required property nothing was found for."""
        if "const" in node:
            return node["const"]
        enum = node.get("enum")
        if isinstance(enum, list) and enum:
            return enum[0]
        main, nullable = self.types(node)
        if nullable or main == "null":
            return None
        if main == "string":
            min_length = node.get("minLength")
            blank = " " * min_length if isinstance(min_length, int) and 0 < min_length <= 1000 else ""
            pattern = node.get("pattern")
            if isinstance(pattern, str) and len(pattern) <= 500:
                # Short candidates only: even a backtracking pattern is quick on 8 characters.
                for candidate in (blank, "A", "a", "0", "Aa0", "unknown", "N/A", "x" * 8):
                    if len(candidate) < len(blank) or (
                        isinstance(node.get("maxLength"), int) and len(candidate) > node["maxLength"]
                    ):
                        continue
                    try:
                        if re.search(pattern, candidate):
                            return candidate
                    except (re.error, RecursionError, OverflowError):
                        break
            return blank
        if main in ("number", "integer"):
            low = node.get("minimum")
            if isinstance(low, (int, float)) and not isinstance(low, bool) and low > 0:
                return math.ceil(low) if main == "integer" else low
            high = node.get("maximum")
            if isinstance(high, (int, float)) and not isinstance(high, bool) and high < 0:
                return math.floor(high) if main == "integer" else high
            return 0
        if main == "boolean":
            return False
        if main == "array":
            min_items = node.get("minItems")
            if not isinstance(min_items, int) or min_items <= 0 or depth >= MAX_DEPTH:
                return []
            items = node.get("items")
            item_node = self.resolve(items if isinstance(items, dict) else {})
            item = self.empty(item_node, depth + 1)
            count = min(min_items, MAX_ITEMS)
            if not node.get("uniqueItems") or count == 1:
                return [item] * count
            if isinstance(item, bool):
                return [False, True][:count]
            if isinstance(item, (int, float, str)):
                # Distinct placeholders; fit_* drops any the item schema would refuse.
                fit = (lambda v: self.fit_string(item_node, v)) if isinstance(item, str) else (
                    lambda v: self.fit_number(item_node, self.types(item_node)[0] or "number", v))
                values = [item] + [fit(str(i) if isinstance(item, str) else item + i) for i in range(1, count)]
                return [v for v in values if v is not NOTHING]
            return [item]
        if main == "object":
            out: dict[str, Any] = {}
            if depth >= MAX_DEPTH:
                return out
            properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
            required = node.get("required") if isinstance(node.get("required"), list) else []
            extra = node.get("additionalProperties")
            for key in required[:MAX_PROPERTIES]:
                if isinstance(key, str):
                    self.nodes += 1
                    sub = properties.get(key, extra if isinstance(extra, dict) else {})
                    out[key] = self.empty(self.resolve(sub), depth + 1) if self.nodes <= MAX_NODES else None
            return out
        return ""


def _risky_pattern(pattern: str) -> bool:
    """Whether a regex may backtrack catastrophically: a repeated group that itself repeats
    or alternates ("(a+)+", "(a|aa)*"). Such patterns are never run on memory text."""
    if len(pattern) > 500:
        return True
    opened: list[int] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            start = opened.pop()
            if pattern[i + 1 : i + 2] in ("*", "+", "{") and re.search(r"[*+{|]", pattern[start + 1 : i]):
                return True
        i += 1
    return False


@lru_cache(maxsize=1024)
def _query_terms(query: str) -> tuple[frozenset[str], frozenset[str]]:
    own = frozenset(content_terms(query))
    return own, frozenset(expand(own))


def _extract_value(query: str, text: str) -> str | None:
    """The value a fact states for what a property asks ("Name is Alex" -> "Alex")."""
    own, wanted = _query_terms(query)
    if not own:
        return None
    clean = text.strip().rstrip(".")
    # Rules about the property's own words first, then about words related to them.
    for about in (own, wanted):
        for pattern, cues, group in _VALUE_RULES:
            if cues.isdisjoint(about):
                continue
            match = pattern.search(clean)
            if match:
                return match.group(group).strip()
    copula = _COPULA.match(clean)
    if copula and any(s in wanted for s in content_terms(copula.group(1))):
        return copula.group(2).strip()
    return None


def _find_number(text: str) -> float | None:
    match = re.search(r"-?\d+(?:\.\d+)?", text)
    if match:
        try:
            return float(match.group(0))
        except ValueError:
            return None
    lowered = text.lower()
    for word, number in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return float(number)
    return None


def build_export(schema: Any, memories: list[dict[str, Any]]) -> Any:
    """Fill `schema` (a JSON schema, or its JSON text) from memory dicts.

    Raises ValueError only when `schema` is a string that is not JSON.
    """
    if isinstance(schema, (str, bytes, bytearray)):
        try:
            schema = json.loads(schema)
        except (ValueError, RecursionError) as error:
            raise ValueError("schema is not valid JSON") from error
    export = _Export(schema, memories)
    if not isinstance(schema, dict):
        schema = {} if schema is not False else schema
    try:
        value = export.fill(schema, "", "", 0)
    except RecursionError:
        value = NOTHING
    if value is NOTHING:
        node = export.resolve(schema)
        main, _ = export.types(node)
        value = export.empty(node, 0) if main is not None else {}
    return _repair(export, schema, value)


def _repair(export: _Export, schema: Any, value: Any) -> Any:
    """Safety net for schema features the filler does not model: check the result with
    jsonschema and replace (or drop) each offending value by an empty one of its schema."""
    if not isinstance(schema, dict) or _has_risky_patterns(schema):
        return value
    try:
        validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)(schema)
        for _ in range(MAX_REPAIRS):
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
            if error is None:
                return value
            value = _fix(export, value, error)
    except Exception:  # a schema jsonschema cannot use (bad regex, unresolvable $ref, ...)
        return value
    return value


def _fix(export: _Export, value: Any, error: jsonschema.ValidationError) -> Any:
    path = list(error.absolute_path)
    sub = error.schema if isinstance(error.schema, dict) else {}
    parent: Any = None
    target = value
    for step in path:
        parent, target = target, target[step]
    closed = sub.get("additionalProperties") is False
    if error.validator == "additionalProperties" and isinstance(target, dict) and closed:
        allowed = sub.get("properties") if isinstance(sub.get("properties"), dict) else {}
        patterns = [p for p in (sub.get("patternProperties") or {}) if isinstance(p, str) and not _risky_pattern(p)]
        for key in list(target):
            if key not in allowed and not any(re.search(p, key) for p in patterns):
                del target[key]
        return value
    if error.validator == "required" and isinstance(target, dict):
        properties = sub.get("properties") if isinstance(sub.get("properties"), dict) else {}
        for key in sub.get("required") or []:
            if isinstance(key, str) and key not in target:
                target[key] = export.empty(export.resolve(properties.get(key, {})), len(path) + 1)
        return value
    replacement = export.empty(export.resolve(sub), len(path))
    if not path:
        return replacement
    key = path[-1]
    if isinstance(parent, list) or replacement == target:
        del parent[key]
    else:
        parent[key] = replacement
    return value


def _has_risky_patterns(schema: Any) -> bool:
    """Whether any "pattern" in the schema could make validation itself hang."""
    stack, seen = [(schema, 0)], 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES or depth > 64:
            return True
        if isinstance(node, dict):
            for key, child in node.items():
                if key == "pattern" and isinstance(child, str) and _risky_pattern(child):
                    return True
                if key == "patternProperties" and isinstance(child, dict) and any(
                    isinstance(p, str) and _risky_pattern(p) for p in child
                ):
                    return True
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False
