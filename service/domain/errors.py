"""Domain errors. They carry no HTTP status: service/api/errors.py alone maps them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "conflict"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(DomainError):
    code = "not_found"


class ValidationFailed(DomainError):
    """The request parsed but broke a rule; details names the field."""

    code = "validation_error"


class Conflict(DomainError):
    code = "conflict"


class AlreadyRated(Conflict):
    code = "already_rated"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Unauthenticated(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class Unavailable(DomainError):
    code = "unavailable"


class RateLimited(DomainError):
    """Too many attempts; `retry_after` says in how many seconds to try again."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
