"""Compact JSON out, for answers and for the `--data` file: orjson where it is installed
(several times faster on a page of memories), the standard library otherwise and for what
orjson refuses: an integer past 64 bits (a memory's metadata may hold one) or a lone
surrogate, which the standard library writes as an ASCII escape (never text SQLite would
refuse to encode). Both write the same JSON values."""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a platform without its wheel
    orjson = None  # type: ignore[assignment]


def dumps(value: Any) -> bytes:
    """`value` as compact JSON bytes."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    return json.dumps(value, separators=(",", ":")).encode()
