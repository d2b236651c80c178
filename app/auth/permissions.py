"""Role checks. The server enforces every permission; templates only mirror them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..services.audit import Actor

F = TypeVar("F", bound=Callable[..., Any])

EDITORS = ("agent",)


def can(*roles: str) -> bool:
    """Whether the signed-in staff member holds one of ``roles`` (admin holds them all)."""
    return bool(current_user.is_authenticated and current_user.staff.has_any(*roles))


def roles_required(*roles: str) -> Callable[[F], F]:
    """Refuse the view with 403 unless the staff member holds one of ``roles``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def current_actor() -> Actor:
    """The signed-in staff member as the actor of a change."""
    staff = current_user.staff
    return Actor(staff.id, staff.username, staff.display_name)
