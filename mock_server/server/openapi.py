"""The spec, compiled once at start-up into operations with ready validators.

Routing and request validation come from `spec/openapi.yaml` alone: each operation knows
its Flask rule, how to coerce and check its parameters, its body schema, and (for strict
mode) the schema of every response it documents.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from spec import load_spec

from ..api.errors import FieldErrors
from ..engine import compact_json

SPEC_URI = "urn:mem0:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
MAX_MESSAGES_PER_FIELD = 5
MAX_MESSAGE_LENGTH = 300
FORMAT_CHECKER = FormatChecker(("date", "date-time", "uuid"))


def _pointer(*parts: str) -> str:
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class SchemaCheck:
    """A schema's validators: a Rust validator answers "valid?" in microseconds, and only an
    invalid instance pays for the pure-Python validator that words DRF-style messages.

    Both are built on first use, so a mock starts in well under a second however many
    operations the spec has; each operation's first request pays its compile once.
    """

    def __init__(self, spec: CompiledSpec, pointer: str) -> None:
        self._spec = spec
        self._pointer = pointer
        self._fast: Any = None
        self._detailed: Draft202012Validator | None = None
        self._lock = threading.Lock()

    def _compile(self) -> None:
        with self._lock:
            if self._fast is None:
                # The whole spec is the schema document, so "#/components/..." resolves in place;
                # its non-schema keys (openapi, info, paths) are ignored by JSON Schema.
                fragment = quote(self._pointer, safe="/~")
                self._detailed = Draft202012Validator(
                    {"$ref": f"{SPEC_URI}#{self._pointer}"}, registry=self._spec.registry, format_checker=FORMAT_CHECKER
                )
                self._fast = jsonschema_rs.Draft202012Validator(
                    {**self._spec.spec, "$ref": f"#{fragment}"}, validate_formats=True
                )

    def iter_errors(self, instance: Any) -> Iterable[ValidationError]:
        if self._fast is None:
            self._compile()
        if self._fast.is_valid(instance):
            return ()
        return self._detailed.iter_errors(instance)  # type: ignore[union-attr]


@dataclass
class Parameter:
    name: str
    location: str  # "path" | "query" | "header"
    required: bool
    schema: dict[str, Any]
    json_content: bool
    validator: SchemaCheck
    is_array: bool = False
    types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.is_array = _is_array(self.schema)
        self.types = tuple(_types(self.schema))


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    parameters: list[Parameter]
    body_validator: SchemaCheck | None
    body_required: bool
    responses: dict[str, SchemaCheck | None] = field(default_factory=dict)

    # --- request checks -------------------------------------------------------------

    def parse_parameters(self, path_args: dict[str, str], query: Any, headers: Any = None) -> dict[str, Any]:
        """Coerce and validate path, query and header parameters; collect every failure."""
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for param in self.parameters:
            if param.location == "path":
                raw: Any = path_args.get(param.name)
            elif param.location == "header":
                raw = headers.get(param.name) if headers is not None else None
            elif param.name not in query:  # (a MultiDict's `get` raises and catches a KeyError for a miss)
                raw = None
            elif param.is_array:
                raw = query.getlist(param.name) or None
            else:
                raw = query.get(param.name)
            if raw is None:
                if param.required:
                    errors[param.name] = ["This field is required."]
                continue
            try:
                value = _coerce(raw, param)
            except ValueError as exc:
                errors[param.name] = [str(exc)]
                continue
            messages = _messages(param.validator.iter_errors(value))
            if messages:
                errors[param.name] = messages
            else:
                values[param.name] = value
        if errors:
            raise FieldErrors(errors)
        return values

    def check_body(self, body: Any, present: bool) -> None:
        """Validate a body; `present` tells an absent body from a JSON `null`."""
        if self.body_validator is None:
            return
        if not present:
            if self.body_required:
                raise FieldErrors({"non_field_errors": ["A JSON request body is required."]})
            return
        errors: dict[str, list[str]] = {}
        for error in self.body_validator.iter_errors(body):
            for name, message in _field_messages(error, body):
                bucket = errors.setdefault(name, [])
                if len(bucket) < MAX_MESSAGES_PER_FIELD and message not in bucket:
                    bucket.append(message)
        if errors:
            raise FieldErrors(errors)

    # --- response checks (strict mode) ------------------------------------------------

    def response_violations(self, status: int, body: Any) -> list[str]:
        key = str(status)
        if key not in self.responses:
            return [f"{self.operation_id}: status {status} is not documented"]
        validator = self.responses[key]
        if validator is None:
            return []
        return [
            f"{self.operation_id} {status}: {_short(e.message)} at {'/'.join(map(str, e.absolute_path)) or '<root>'}"
            for e in validator.iter_errors(body)
        ]


def flask_rule(path: str) -> str:
    """The Flask rule for a spec path template (`{memory_id}` -> `<memory_id>`)."""
    return path.replace("{", "<").replace("}", ">")


def _is_array(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def load_json_text(raw: str | bytes, **options: Any) -> Any:
    """`json.loads`, refusing a string that escapes half a surrogate pair (`"\\ud800"`):
    valid JSON syntax but not Unicode, it could be neither hashed, stored nor sent back."""
    value = compact_json.loads(raw, **options)
    escaped = b"\\u" in raw if isinstance(raw, bytes) else "\\u" in raw
    if escaped and not is_unicode(value):
        raise ValueError("Strings must be valid Unicode: a lone surrogate (\\ud800-\\udfff) is not.")
    return value


def is_unicode(value: Any) -> bool:
    """Whether every string in a JSON value (keys too) can be encoded as UTF-8."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _coerce(raw: Any, param: Parameter) -> Any:
    """Query strings carry text; turn it into what the schema types."""
    if param.json_content:
        try:
            return load_json_text(raw)
        except (ValueError, RecursionError):
            raise ValueError("Must be a JSON object.") from None
    if isinstance(raw, list):
        item_types = _types(param.schema.get("items", {}))
        return [_coerce_scalar(item, item_types) for item in raw]
    return _coerce_scalar(raw, param.types)


def _coerce_scalar(raw: str, types: Sequence[str]) -> Any:
    if "integer" in types:
        try:
            return int(raw)
        except ValueError:
            raise ValueError("A valid integer is required.") from None
    if "number" in types:
        try:
            return float(raw)
        except ValueError:
            raise ValueError("A valid number is required.") from None
    if "boolean" in types:
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ValueError("Must be a valid boolean.")
    if "object" in types:
        try:
            return load_json_text(raw)
        except (ValueError, RecursionError):
            raise ValueError("Must be a JSON object.") from None
    return raw


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_LENGTH else message[: MAX_MESSAGE_LENGTH - 3] + "..."


def _messages(errors: Iterable[ValidationError]) -> list[str]:
    found: list[str] = []
    for error in errors:
        message = _short(error.message)
        if message not in found:
            found.append(message)
        if len(found) >= MAX_MESSAGES_PER_FIELD:
            break
    return found


def _field_messages(error: ValidationError, body: Any) -> list[tuple[str, str]]:
    """Name the top-level field an error is about, in DRF's style."""
    if error.absolute_path:
        return [(str(error.absolute_path[0]), _short(error.message))]
    if error.validator == "required" and isinstance(body, dict):
        missing = [name for name in error.validator_value if name not in body]
        return [(name, "This field is required.") for name in missing]
    if error.validator == "not" and isinstance(error.schema, dict) and error.schema.get("description"):
        return [("non_field_errors", _short(error.schema["description"]))]  # what the schema refuses, said
    if error.validator in ("oneOf", "anyOf") and error.context:
        nested = min(error.context, key=lambda e: (-len(e.absolute_path), len(e.message)))
        return _field_messages(nested, body)
    return [("non_field_errors", _short(error.message))]


class CompiledSpec:
    """Every operation of the spec, validators built once."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = spec or load_spec()
        resource = Resource(contents=self.spec, specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.operations: dict[str, Operation] = {}
        self.by_path: dict[str, dict[str, Operation]] = {}
        for path, item in self.spec["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    operation = self._compile(path, method, item)
                    self.operations[operation.operation_id] = operation
                    self.by_path.setdefault(path, {})[method.upper()] = operation

    def validator(self, pointer: str) -> SchemaCheck:
        """Validators of the schema at `pointer`, with the spec's `$ref`s resolvable."""
        return SchemaCheck(self, pointer)

    def _target(self, ref: str) -> tuple[tuple[str, ...], dict[str, Any]]:
        """One step of a local `$ref`: where it points, and what is there."""
        parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in ref.removeprefix("#/").split("/"))
        node: Any = self.spec
        for part in parts:
            node = node[part]
        return parts, node

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow local `$ref`s (parameters, bodies and responses may be components)."""
        while "$ref" in node:
            _, node = self._target(node["$ref"])
        return node

    def _compile(self, path: str, method: str, item: dict[str, Any]) -> Operation:
        raw = item[method]
        base = ("paths", path, method)
        parameters = [
            self._parameter(param, ("paths", path, "parameters", str(i)))
            for i, param in enumerate(item.get("parameters", []))
        ] + [
            self._parameter(param, (*base, "parameters", str(i)))
            for i, param in enumerate(raw.get("parameters", []))
        ]
        body_validator, body_required = None, False
        if "requestBody" in raw:
            body = self.resolve(raw["requestBody"])
            body_required = bool(body.get("required"))
            pointer = self._pointer_to(raw["requestBody"], (*base, "requestBody"))
            body_validator = self.validator(pointer + _pointer("content", "application/json", "schema"))
        responses: dict[str, SchemaCheck | None] = {}
        for status, response in raw.get("responses", {}).items():
            resolved = self.resolve(response)
            content = resolved.get("content", {}).get("application/json")
            if content is None or "schema" not in content:
                responses[status] = None
                continue
            pointer = self._pointer_to(response, (*base, "responses", status))
            responses[status] = self.validator(pointer + _pointer("content", "application/json", "schema"))
        return Operation(raw["operationId"], method.upper(), path, parameters, body_validator, body_required, responses)

    def _pointer_to(self, node: dict[str, Any], location: tuple[str, ...]) -> str:
        """JSON pointer of the node a (possibly `$ref`) node stands for."""
        while "$ref" in node:
            location, node = self._target(node["$ref"])
        return _pointer(*location)

    def _parameter(self, param: dict[str, Any], location: tuple[str, ...]) -> Parameter:
        pointer = self._pointer_to(param, location)
        param = self.resolve(param)
        if "content" in param:
            media = next(iter(param["content"]))
            schema_pointer = pointer + _pointer("content", media, "schema")
            schema = param["content"][media].get("schema", {})
            json_content = True
        else:
            schema_pointer = pointer + "/schema"
            schema = param.get("schema", {})
            json_content = False
        return Parameter(
            name=param["name"],
            location=param["in"],
            required=bool(param.get("required")) or param["in"] == "path",
            schema=self.resolve(schema) if isinstance(schema, dict) else {},
            json_content=json_content,
            validator=self.validator(schema_pointer),
        )
