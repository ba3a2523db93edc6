"""Domain errors that carry their HTTP status and documented body.

Handlers and the store raise these; one Flask error handler turns them into responses,
so no handler formats an error itself (moto's `exceptions.py` seam).
"""

from __future__ import annotations

from typing import Any

ENTITY_REQUIRED_MESSAGE = "One of the filters: app_id, user_id, agent_id, run_id is required!"


class ApiError(Exception):
    """An error with an HTTP status and the exact JSON body the spec documents."""

    status = 400

    def __init__(self, body: dict[str, Any], status: int | None = None) -> None:
        super().__init__(str(body))
        self.body = body
        if status is not None:
            self.status = status


class Detail(ApiError):
    """DRF's plain `{"detail": ...}` shape."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__({"detail": message}, status)


class FieldErrors(ApiError):
    """DRF's per-field shape: `{"field": ["message", ...]}`."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, 400)


def field_error(field: str, message: str) -> FieldErrors:
    return FieldErrors({field: [message]})


class NotFound(Detail):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, 404)


class Unauthorized(Detail):
    def __init__(self, message: str) -> None:
        super().__init__(message, 401)


class AddError(ApiError):
    """The add endpoint's own 400 shape: `{"error": ..., "details": {"message": ...}}`."""

    def __init__(self, message: str) -> None:
        super().__init__({"error": "400 Bad Request", "details": {"message": message}}, 400)


class EntityRequired(ApiError):
    """Search and list refuse a query that names no entity id."""

    def __init__(self) -> None:
        super().__init__({"message": ENTITY_REQUIRED_MESSAGE}, 400)
