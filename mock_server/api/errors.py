"""Errors with a wire shape: an HTTP status and the exact JSON body the spec documents.

The engine's refusals (`engine.errors`) are turned into these by the server's one table;
a surface raises one of these itself only for a shape of its own (the add endpoint's, say)
or for a rule that only its wire format has.
"""

from __future__ import annotations

from typing import Any


class HttpError(Exception):
    """An answer that is not a success: its status and body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


class Detail(HttpError):
    """DRF's plain `{"detail": ...}` shape."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(status, {"detail": message})


class FieldErrors(HttpError):
    """DRF's per-field shape: `{"field": ["message", ...]}`."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(400, errors)


def field_error(field: str, message: str) -> FieldErrors:
    return FieldErrors({field: [message]})


class AddError(HttpError):
    """The add endpoint's own 400 shape: `{"error": ..., "details": {"message": ...}}`."""

    def __init__(self, message: str) -> None:
        super().__init__(400, {"error": "400 Bad Request", "details": {"message": message}})
