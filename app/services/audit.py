"""The audit trail: an append-only record of every change to a customer, who made it, when,
why, field by field, and of failed attempts. It always lives in the SQL database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, select, tuple_
from sqlalchemy.orm import Session

from . import audit_chain
from .actors import SYSTEM, Actor
from .customers import Customer
from .errors import StaleVersion
from .field_names import labels
from .local.db import make_session_factory, read_connection
from .local.models import AuditEventRow, plain_columns

ACTIONS = {
    "customer.create": "Created",
    "customer.update": "Edited",
    "customer.disable": "Disabled",
    "customer.enable": "Enabled",
    "source.attach": "Attached a payment source",
    "source.detach": "Detached a payment source",
    "source.default": "Changed the default source",
    "tax_identifier.add": "Added a tax identifier",
    "tax_identifier.remove": "Removed a tax identifier",
    "tax_certificate.add": "Added a tax certificate",
    "metadata.update": "Edited metadata",
    "customer.forget": "Requested to be forgotten",
    "customer.forget_proposed": "Proposed to forget the customer",
    "customer.forget_approved": "Approved the erasure",
    "customer.forget_rejected": "Rejected the erasure",
    "customer.export": "Exported a search as CSV",
    "customer.subject_access": "Exported the customer's data (subject access)",
    "customer.block_reviewed": "Reviewed the block",
    "customer.unblock_proposed": "Proposed to unblock",
    "customer.unblock_approved": "Approved the unblock",
    "customer.unblock_rejected": "Rejected the unblock",
    "staff.create": "Created a staff account",
    "staff.update": "Changed a staff account",
    "staff.lockout": "Sign-in locked after failed attempts",
    "staff.password": "Changed a staff password",
    "staff.sign_out_everywhere": "Signed a staff member out everywhere",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class AuditEvent:
    occurred_time: dt.datetime
    actor_username: str
    action: str
    customer_id: str | None
    outcome: str = "succeeded"
    backend: str = "local"
    actor_id: int | None = None
    reason_code: str | None = None
    note: str | None = None
    changes: tuple[FieldChange, ...] = ()
    version_after: int | None = None
    request_id: str | None = None
    error: str | None = None
    id: int | None = None
    # The bulk block it belongs to (services/blocks.py).
    batch_id: str | None = None

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


@dataclass(frozen=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None
    customer_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    after: tuple[dt.datetime, int] | None = None
    limit: int = 50
    batch_id: str | None = None


@dataclass(frozen=True)
class AuditPage:
    events: tuple[AuditEvent, ...]
    next_key: tuple[dt.datetime, int] | None = None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _default_source_name(customer: Customer) -> str | None:
    """The default source by its readable name (its id when it is not among the sources)."""
    for source in customer.sources:
        if source.id == customer.default_source_id:
            return source.display_name
    return customer.default_source_id


def customer_fields(customer: Customer | None) -> dict[str, str | None]:
    """The customer flattened to named fields, for field-by-field before/after."""
    if customer is None:
        return {}
    s = customer.shipping
    fields: dict[str, Any] = {
        "email": customer.email,
        "type": customer.type,
        "locale": customer.locale,
        "enabled": customer.enabled,
        "requestToBeForgotten": customer.request_to_be_forgotten,
        "defaultSourceId": _default_source_name(customer),
        "shipping.name": s.name,
        "shipping.phone": s.phone,
        "shipping.email": s.email,
        "shipping.organization": s.organization,
        "shipping.address.line1": s.address.line1,
        "shipping.address.line2": s.address.line2,
        "shipping.address.city": s.address.city,
        "shipping.address.postalCode": s.address.postal_code,
        "shipping.address.state": s.address.state,
        "shipping.address.country": s.address.country,
        "shipping.additionalAddressInfo.neighborhood": s.additional_address_info.neighborhood,
        "shipping.additionalAddressInfo.division": s.additional_address_info.division,
        "shipping.additionalAddressInfo.phoneticName": s.additional_address_info.phonetic_name,
    }
    for key, value in customer.metadata.items():
        fields[f"metadata.{key}"] = value
    for source in customer.sources:
        fields[f"sources.{source.id}"] = f"{source.display_name} ({source.state})"
    for tax_id in customer.tax_identifiers:
        fields[f"taxIdentifiers.{tax_id.type}"] = tax_id.value
    for index, cert in enumerate(customer.tax_certificates):
        fields[f"taxCertificates.{index}"] = (
            f"{cert.company_name} ({cert.tax_authority}, {cert.start_date.date()}–"
            f"{cert.end_date.date()})"
        )
    return {k: _text(v) for k, v in fields.items()}


def diff(before: Customer | None, after: Customer | None) -> tuple[FieldChange, ...]:
    old, new = customer_fields(before), customer_fields(after)
    # Two sources may share a name (two wire transfers): a new default is a change even so.
    other_default = (before.default_source_id if before else None) != (
        after.default_source_id if after else None
    )
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name) or (name == "defaultSourceId" and other_default)
    )


# The bulk block whose changes are being made (``in_batch``): every event recorded meanwhile,
# by whichever backend, carries its id.
CURRENT_BATCH: ContextVar[str | None] = ContextVar("audit_batch", default=None)


@contextmanager
def in_batch(batch_id: str) -> Iterator[None]:
    """Tie every audit event recorded in the block to the bulk block ``batch_id``."""
    token = CURRENT_BATCH.set(batch_id)
    try:
        yield
    finally:
        CURRENT_BATCH.reset(token)


def _row(event: AuditEvent) -> AuditEventRow:
    row = AuditEventRow(
        occurred_time=event.occurred_time.astimezone(dt.UTC).replace(tzinfo=None)
        if event.occurred_time.tzinfo
        else event.occurred_time,
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        action=event.action,
        customer_id=event.customer_id,
        outcome=event.outcome,
        backend=event.backend,
        reason_code=event.reason_code,
        note=event.note,
        changes=[{"field": c.field, "before": c.before, "after": c.after} for c in event.changes]
        or None,
        version_after=event.version_after,
        request_id=event.request_id,
        error=event.error,
        batch_id=event.batch_id or CURRENT_BATCH.get(),
    )
    audit_chain.commit_values(row)
    return row


def _event(row: Any) -> AuditEvent:
    """The event of a row (an ORM object or a plain row with its attribute names)."""
    changes: list[Mapping[str, Any]] = row.changes or []
    return AuditEvent(
        id=row.id,
        occurred_time=row.occurred_time.replace(tzinfo=dt.UTC),
        actor_id=row.actor_id,
        actor_username=row.actor_username,
        action=row.action,
        customer_id=row.customer_id,
        outcome=row.outcome,
        backend=row.backend,
        reason_code=row.reason_code,
        note=row.note,
        changes=tuple(FieldChange(c["field"], c.get("before"), c.get("after")) for c in changes),
        version_after=row.version_after,
        request_id=row.request_id,
        error=row.error,
        batch_id=row.batch_id,
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AuditLog:
    """Writes and reads the audit trail."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)

    @staticmethod
    def add(session: Session, event: AuditEvent) -> None:
        """Record ``event`` in the caller's transaction (local changes), chained."""
        row = _row(event)
        session.add(row)
        audit_chain.append(session, [row])

    def record(self, event: AuditEvent) -> None:
        """Record ``event`` on its own (after a remote backend answered)."""
        with self._sessions.begin() as session:
            self.add(session, event)

    def chain_status(self) -> audit_chain.Status:
        """Whether the hash chain holds: the last full walk's word (``audit verify``), and the
        events chained since, checked now."""
        with read_connection(self.engine) as connection:
            return audit_chain.status(connection)

    def search(self, query: AuditQuery) -> AuditPage:
        limit = max(1, min(query.limit, 500))
        with read_connection(self.engine) as connection:
            rows = connection.execute(self._select(query).limit(limit + 1)).all()
        return _page(rows, limit)

    def iterate(self, query: AuditQuery, batch: int = 1000) -> Iterator[AuditEvent]:
        """Every matching event, newest first, fetched in batches (for exports)."""
        with self._sessions() as session:
            result = session.execute(self._select(query).execution_options(yield_per=batch))
            for row in result:
                yield _event(row)

    def for_customer(self, customer_id: str, limit: int = 50) -> tuple[AuditEvent, ...]:
        """The customer's newest events (what the customer page shows)."""
        limit = max(1, min(limit, 500))
        with read_connection(self.engine) as connection:
            rows = connection.execute(
                _FOR_CUSTOMER, {"customer_id": customer_id, "n": limit + 1}
            ).all()
        return _page(rows, limit).events

    def latest(self, customer_id: str, action: str) -> AuditEvent | None:
        with read_connection(self.engine) as connection:
            row = connection.execute(
                _LATEST, {"customer_id": customer_id, "action": action}
            ).first()
        return _event(row) if row is not None else None

    def changes_after(self, customer_id: str, version: int) -> tuple[AuditEvent, ...]:
        """Successful changes made since the customer was at ``version``, newest first: those
        recorded after the change that produced ``version`` or, without one, those whose
        version is higher. (DR's versions are not ordered within one second, so the change
        that produced the version is the surer mark.)"""
        mine = (
            AuditEventRow.customer_id == customer_id,
            AuditEventRow.outcome == "succeeded",
            AuditEventRow.version_after.is_not(None),
        )
        newest_first = (AuditEventRow.occurred_time.desc(), AuditEventRow.id.desc())
        with self._sessions() as session:
            mark = session.execute(
                select(AuditEventRow.occurred_time, AuditEventRow.id)
                .where(*mine, AuditEventRow.version_after == version)
                .order_by(*newest_first)
                .limit(1)
            ).first()
            since = (
                tuple_(AuditEventRow.occurred_time, AuditEventRow.id)
                > tuple_(mark.occurred_time, mark.id)
                if mark is not None
                else AuditEventRow.version_after > version
            )
            rows = session.scalars(
                select(AuditEventRow).where(*mine, since).order_by(*newest_first).limit(20)
            ).all()
        return tuple(_event(r) for r in rows)

    @staticmethod
    def _select(query: AuditQuery):  # type: ignore[no-untyped-def]
        stmt = select(*plain_columns(AuditEventRow))
        if query.actor:
            stmt = stmt.where(_AUDIT.actor_username == query.actor)
        if query.action:
            stmt = stmt.where(_AUDIT.action == query.action)
        if query.customer_id:
            stmt = stmt.where(_AUDIT.customer_id == query.customer_id)
        if query.batch_id:
            stmt = stmt.where(_AUDIT.batch_id == query.batch_id)
        if query.since:
            stmt = stmt.where(_AUDIT.occurred_time >= _naive(query.since))
        if query.until:
            stmt = stmt.where(_AUDIT.occurred_time < _naive(query.until))
        if query.after:
            stmt = stmt.where(
                tuple_(_AUDIT.occurred_time, _AUDIT.id)
                < tuple_(_naive(query.after[0]), query.after[1])
            )
        return stmt.order_by(_AUDIT.occurred_time.desc(), _AUDIT.id.desc())


def _page(rows: Any, limit: int) -> AuditPage:
    """A page of at most ``limit`` events from ``limit + 1`` rows (one more: is there a next
    page?)."""
    events = tuple(_event(r) for r in rows[:limit])
    next_key = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_key = (last.occurred_time, last.id)
    return AuditPage(events=events, next_key=next_key)


_AUDIT = AuditEventRow.__table__.c
_NEWEST_FIRST = (_AUDIT.occurred_time.desc(), _AUDIT.id.desc())
# What the customer page reads, built once.
_FOR_CUSTOMER = (
    select(*plain_columns(AuditEventRow))
    .where(_AUDIT.customer_id == bindparam("customer_id"))
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("n"))
)
_LATEST = (
    select(*plain_columns(AuditEventRow))
    .where(
        _AUDIT.customer_id == bindparam("customer_id"),
        _AUDIT.action == bindparam("action"),
    )
    .order_by(*_NEWEST_FIRST)
    .limit(1)
)


def stale_version(audit: AuditLog | None, customer_id: str, expected: int) -> StaleVersion:
    """The refusal of a change based on version ``expected``: who changed what since."""
    later = audit.changes_after(customer_id, expected) if audit is not None else ()
    fields = tuple(sorted({c.field for event in later for c in event.changes}))
    who = later[0].actor_username if later else None
    when = later[0].occurred_time if later else None
    message = "Someone else changed this customer since you opened it"
    if who and when:
        message = f"{who} changed this customer at {when:%Y-%m-%d %H:%M} UTC"
    if fields:
        message += f" ({', '.join(labels(fields))})"
    return StaleVersion(
        message + ". Nothing was saved.",
        changed_by=who,
        changed_at=when,
        fields=fields,
    )


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


__all__ = ["SYSTEM", "Actor", "AuditEvent", "AuditLog", "AuditQuery", "FieldChange"]
