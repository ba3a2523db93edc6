"""What the service refuses, said in its own terms.

The engine raises these and knows nothing of HTTP; the server turns each kind into its
status and Django REST Framework body in one table, so every API surface answers alike
(moto's `exceptions.py` seam, minus the status codes).
"""

from __future__ import annotations

ENTITY_REQUIRED_MESSAGE = "One of the filters: app_id, user_id, agent_id, run_id is required!"


class EngineError(Exception):
    """Base of every refusal; `message` is what a person should read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    """The memory, export, entity or other object named does not exist (for this key)."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class InvalidInput(EngineError):
    """A value is wrong; `errors` names each offending field and what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]})


class Refused(EngineError):
    """A rule of the service refuses the request as a whole (an immutable memory, say)."""


class EntityRequired(EngineError):
    """The request names no user, agent, app or run id where one is required."""

    def __init__(self, message: str = ENTITY_REQUIRED_MESSAGE) -> None:
        super().__init__(message)


class Unavailable(EngineError):
    """A backend the engine depends on (an embedder, say) cannot answer right now."""
