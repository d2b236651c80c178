"""Requests to be forgotten: the rules both backends share.

A request is recorded once per customer (``forget_requests.customer_id`` is unique): a double
submit, or two officers at once, yields one request and the other is refused with
``already_forgotten``. Only a request whose sending to Digital River failed (status
``failed``), or one left ``pending`` by a crash long ago, may be taken over by a new attempt;
the same row is then updated, never a second one added. One whose outcome DR left unclear and
that could not be read back (status ``unknown``) is never sent again: it is settled from what
DR holds (``check_forget``), and only a ``failed`` result may then be retried.

Erasure (local store) leaves what cannot identify the person: the id, the created time, the
flags, type and locale, default source id, the sources' card brand/last four/expiry and state,
the tax identifiers' type and state, the certificates' authority and dates, and the record of
the request. Metadata is removed whole, keys and values: on DR an empty value means "remove
the key", so a key without its value cannot exist, and integrators' keys may themselves carry
identifiers. The audit trail keeps who, when, which action and which fields changed, never the
values (nor notes, nor the detail of error messages); the forget event keeps the reason or
ticket reference, the privacy team's own reference, which officers must not fill with personal
data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .audit import Actor
from .errors import Conflict, ErrorDetail, InvalidParameter
from .local.models import AuditEventRow, ForgetRequestRow, RecentViewRow
from .privacy import STATUSES

FORGET_ACTION = "customer.forget"
REASON_MAX_LENGTH = 500
# A request still "pending" after this long was abandoned (the process died while sending it).
ABANDONED_AFTER = dt.timedelta(minutes=10)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def required_text(value: str | None, *, missing: str, parameter: str = "reason") -> str:
    """A reason staff must give (to forget, reveal, reject), stripped; refused with
    ``missing`` when blank, and when longer than the store keeps."""
    text = (value or "").strip()
    if not text:
        raise InvalidParameter(errors=[ErrorDetail("missing_parameter", missing, parameter)])
    if len(text) > REASON_MAX_LENGTH:
        raise InvalidParameter(
            f"The reason can be at most {REASON_MAX_LENGTH} characters.", parameter=parameter
        )
    return text


def clean_reason(reason: str | None) -> str:
    """The reason or ticket reference, stripped; refused when blank or too long."""
    return required_text(reason, missing="Enter the reason or the ticket reference.")


def already_forgotten(row: ForgetRequestRow | None) -> Conflict:
    """The refusal of a second request: when, by whom, and where the first one stands."""
    if row is None:
        return Conflict(
            "This customer has already asked to be forgotten.", code="already_forgotten"
        )
    when = row.requested_time
    status = STATUSES.get(row.status, row.status)
    return Conflict(
        f"This customer was already asked to be forgotten: {row.requested_by} requested it "
        f"at {when:%Y-%m-%d %H:%M} UTC ({status}).",
        code="already_forgotten",
    )


def existing_request(session: Session, customer_id: str) -> ForgetRequestRow | None:
    return session.scalar(
        select(ForgetRequestRow).where(ForgetRequestRow.customer_id == customer_id)
    )


def claim(
    session: Session,
    customer_id: str,
    *,
    reason: str,
    actor: Actor,
    backend: str,
    status: str,
) -> ForgetRequestRow:
    """Record the request (flushed, not committed) as the transaction's first write, or take
    over a failed (or abandoned) one; ``already_forgotten`` when another request stands. On
    SQLite the first write waits for any other writer, so the unique customer id decides."""
    now = utcnow()
    fields = {
        "requested_by": actor.username,
        "requested_by_id": actor.id,
        "requested_time": now,
        "reason": reason,
        "backend": backend,
        "status": status,
        "completed_time": None,
        "request_id": None,
        "error": None,
    }
    row = ForgetRequestRow(customer_id=customer_id, **fields)
    session.add(row)
    try:
        session.flush()
        _forget_views(session, customer_id)
        return row
    except IntegrityError:
        session.rollback()
    retryable = or_(
        ForgetRequestRow.status == "failed",
        and_(
            ForgetRequestRow.status == "pending",
            ForgetRequestRow.requested_time < now - ABANDONED_AFTER,
        ),
    )
    taken = session.execute(
        update(ForgetRequestRow)
        .where(ForgetRequestRow.customer_id == customer_id, retryable)
        .values(**fields)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        row = existing_request(session, customer_id)
        assert row is not None
        session.refresh(row)
        _forget_views(session, customer_id)
        return row
    existing = existing_request(session, customer_id)
    session.rollback()
    raise already_forgotten(existing)


def _forget_views(session: Session, customer_id: str) -> None:
    """The customer leaves every staff member's "Recently viewed" list with the request (a
    view noted in some process's memory is refused when written: services/recent.py)."""
    session.execute(delete(RecentViewRow).where(RecentViewRow.customer_id == customer_id))


def scrub_audit_trail(session: Session, customer_id: str) -> set[str]:
    """Strip the values from the customer's earlier audit events: field names stay, before and
    after go, and so do notes (but a forget event's reason) and error details (the code stays),
    and the salt of each event's commitment in the hash chain (services/audit_chain.py), so
    the chain stays verifiable and what was erased cannot be confirmed from it.
    Returns the ids of payment sources the events name (detached ones no longer point back to
    the customer, yet still hold its owner details)."""
    source_ids: set[str] = set()
    rows = session.scalars(select(AuditEventRow).where(AuditEventRow.customer_id == customer_id))
    for event in rows:
        if event.changes:
            fields = [c.get("field") for c in event.changes if isinstance(c, dict)]
            source_ids.update(
                f.removeprefix("sources.") for f in fields if f and f.startswith("sources.")
            )
            event.changes = [{"field": f, "before": None, "after": None} for f in fields]
        if event.action != FORGET_ACTION:
            event.note = None
        if event.error:
            event.error = event.error.split(":", 1)[0].strip() or None
        event.salt = None
    return source_ids


__all__ = [
    "ABANDONED_AFTER",
    "FORGET_ACTION",
    "already_forgotten",
    "claim",
    "clean_reason",
    "scrub_audit_trail",
]
