"""Role checks. The server enforces every permission; templates only mirror them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user

from ..context import audit_log
from ..services.audit import Actor, AuditEvent
from ..services.audit import now as audit_now
from ..services.staff import Staff

F = TypeVar("F", bound=Callable[..., Any])

EDITORS = ("agent",)


def signed_in_staff() -> Staff | None:
    """The signed-in staff member, looked up once per request (pages ask a few dozen times)."""
    if "desk_staff" not in g:
        user = current_user._get_current_object()
        g.desk_staff = user.staff if user.is_authenticated else None
    return g.desk_staff


def can(*roles: str) -> bool:
    """Whether the signed-in staff member holds one of ``roles`` (admin holds them all)."""
    staff = signed_in_staff()
    return staff is not None and staff.has_any(*roles)


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
    staff = signed_in_staff()
    assert staff is not None, "only views behind the sign-in gate make changes"
    return Actor(staff.id, staff.username, staff.display_name)


def record_staff_event(action: str, account: Staff, note: str) -> None:
    """A change to a staff account, in the audit trail (who did it, to whom)."""
    audit_log().record(
        AuditEvent(
            occurred_time=audit_now(),
            actor_id=current_actor().id,
            actor_username=current_actor().username,
            action=action,
            customer_id=None,
            backend="console",
            note=f"{account.username}: {note}",
        )
    )
