"""JSON out: orjson where it is installed (several times faster on a page of memories),
the standard library otherwise and for what orjson refuses (integers past 64 bits, which
a memory's metadata may hold). Both write the same JSON values; orjson writes non-ASCII
text as UTF-8 where the standard library escapes it."""

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
