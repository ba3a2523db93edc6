"""A JSON answer, as every part of the server sends one (pipeline, hooks, API lane)."""

from __future__ import annotations

from typing import Any

from flask import Response

from ..engine import compact_json


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    payload = b"" if body is None else compact_json.dumps(body)
    return Response(payload, status=status, headers=headers, content_type="application/json")
