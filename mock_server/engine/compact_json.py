"""Compact JSON out, for answers and for the `--data` file, and JSON in, for request bodies:
orjson where it is installed (several times faster), the standard library otherwise and for
what orjson refuses: an integer past 64 bits (a memory's metadata may hold one) or a lone
surrogate, which the standard library writes as an ASCII escape (never text SQLite would
refuse to encode). Both write the same JSON values, and read the same values from any text
orjson accepts; the rest is the standard library's to accept or refuse (with its message)."""

from __future__ import annotations

import json
import re
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a platform without its wheel
    orjson = None  # type: ignore[assignment]

_LONG_DIGITS = re.compile(rb"\d{19}")
_LONG_DIGITS_TEXT = re.compile(r"\d{19}", re.ASCII)


def dumps(value: Any) -> bytes:
    """`value` as compact JSON bytes."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    return json.dumps(value, separators=(",", ":")).encode()


def loads(raw: bytes | str, **options: Any) -> Any:
    """`json.loads(raw, **options)`: orjson first when no options need the standard library
    (`parse_constant` never does: orjson refuses NaN and Infinity, which send it there), and
    no run of digits could be an integer past 64 bits (orjson would read it as a float)."""
    long_digits = _LONG_DIGITS_TEXT if isinstance(raw, str) else _LONG_DIGITS
    if orjson is not None and options.keys() <= {"parse_constant"} and not long_digits.search(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw, **options)
