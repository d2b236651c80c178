"""Domain errors. They carry Digital River's error ``code`` and dotted ``parameter``
so views can put each message next to the field it belongs to, whatever the backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    parameter: str | None = None


class ServiceError(Exception):
    """Base of every error a customer service raises."""

    default_code = "unknown_error"
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        parameter: str | None = None,
        errors: Sequence[ErrorDetail] = (),
        request_id: str | None = None,
    ) -> None:
        if not errors:
            errors = (
                ErrorDetail(code or self.default_code, message or self.default_message, parameter),
            )
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        first = self.errors[0]
        self.code = first.code
        self.parameter = first.parameter
        self.message = first.message
        self.request_id = request_id
        super().__init__(self.message)


class InvalidParameter(ServiceError):
    """A value breaks one of DR's rules (HTTP 400 on DR)."""

    default_code = "invalid_parameter"


class CustomerNotFound(ServiceError):
    """No customer with that id (HTTP 404 on DR)."""

    default_code = "not_found"
    default_message = "Customer not found."


class Conflict(ServiceError):
    """The change clashes with what is stored: duplicate id, stale version (HTTP 409 on DR)."""

    default_code = "already_exists"


class BackendRefused(ServiceError):
    """The backend refused our credentials (HTTP 401/403 on DR)."""

    default_code = "unauthorized"
    default_message = "The backend refused the API key."


class BackendUnavailable(ServiceError):
    """The backend could not be reached or failed (5xx, timeouts, refused connections).
    ``uncertain``: a write was sent and may have been applied (a timeout, a 5xx, a broken
    connection, an unreadable answer); False when it certainly was not (never sent, refused)."""

    default_code = "unavailable"
    default_message = "The customer backend is unavailable. Try again in a moment."

    def __init__(self, message: str | None = None, *, uncertain: bool = False, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.uncertain = uncertain


class StaleVersion(Conflict):
    """The change was based on an older version: someone else changed the customer since."""

    default_code = "stale_version"
    default_message = "Someone else changed this customer since you opened it."

    def __init__(
        self,
        message: str | None = None,
        *,
        changed_by: str | None = None,
        changed_at: object = None,
        fields: tuple[str, ...] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.fields = fields


class CustomerForgotten(Conflict):
    """The customer asked to be forgotten: nothing about it may change any more."""

    default_code = "customer_forgotten"
    default_message = "This customer asked to be forgotten; its data can no longer be changed."
