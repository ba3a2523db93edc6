"""One table from the engine's refusals to HTTP, so every surface answers a kind alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..api.errors import HttpError
from ..engine.errors import EngineError, EntityRequired, InvalidInput, NotFound, Refused, Unavailable


def _detail(error: EngineError) -> dict[str, Any]:
    return {"detail": error.message}


def _field_errors(error: EngineError) -> dict[str, Any]:
    return dict(getattr(error, "errors", {}))


def _message(error: EngineError) -> dict[str, Any]:
    return {"message": error.message}


# Most specific first; the first class the error is an instance of decides.
STATUS_AND_BODY: tuple[tuple[type[EngineError], int, Callable[[EngineError], dict[str, Any]]], ...] = (
    (NotFound, 404, _detail),
    (InvalidInput, 400, _field_errors),
    (EntityRequired, 400, _message),
    (Refused, 400, _detail),
    (Unavailable, 503, _detail),
    (EngineError, 400, _detail),
)


def http_error(error: EngineError) -> HttpError:
    """The status and DRF-style body of an engine error."""
    for kind, status, body in STATUS_AND_BODY:
        if isinstance(error, kind):
            return HttpError(status, body(error))
    raise AssertionError("EngineError closes the table")  # pragma: no cover
