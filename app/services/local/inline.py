"""The local store's change machinery and inline operations: enable/disable, payment sources,
tax identifiers and certificates. Every change bumps the version and writes its audit event in
the same transaction; a change based on an older version is refused."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import forget, rules
from ..audit import (
    SYSTEM,
    Actor,
    AuditEvent,
    AuditLog,
    FieldChange,
    diff,
    in_batch,
    stale_version,
)
from ..changes import Change, GuardedChanges, refuse_unwritable
from ..customers import (
    SAVEABLE_SOURCE_TYPES,
    BlockOutcome,
    Customer,
    NewTaxCertificate,
    StoredFile,
)
from ..errors import (
    Conflict,
    CustomerForgotten,
    CustomerNotFound,
    InvalidParameter,
)
from ..index_text import index_text_of
from ..privacy import REQUEST_OF_CUSTOMER, ForgetRequest, to_request
from . import links as local_links
from .db import read_connection, write_session
from .erasure import Erasure
from .models import CustomerRow, FileRow, SourceRow, TaxCertificateRow, TaxIdentifierRow

# DR's test-mode values that verify at once, by type (tax identifiers guide).
VERIFYING_TEST_VALUES = {
    "be": {"BE0000000000", "BE1234567890"},
    "de": {"DE000000000", "DE123456789"},
    "it": {"IT00000000000", "IT12345678901"},
    "it_natural": {"IT00000000000", "IT12345678901"},
}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class LocalChange(Change):
    """A change in a write transaction, on the customer's locked row."""

    def __init__(self, before: Customer, session: Session, row: CustomerRow) -> None:
        super().__init__(before)
        self.session = session
        self.row = row


class ChangeMachinery(GuardedChanges[LocalChange]):
    """Shared by every write of the local store (mixed into LocalCustomerService)."""

    backend_name: str
    audit: AuditLog
    erasure: Erasure
    engine: Engine
    _sessions: Callable[[], Session]
    _to_customer: Callable[[Session, CustomerRow], Customer]

    def _locked(self, session: Session, customer_id: str) -> CustomerRow:
        """The customer's row, locked for the change (on SQLite the write session holds the
        database's write lock already)."""
        row = session.scalar(
            select(CustomerRow).where(CustomerRow.id == customer_id).with_for_update()
        )
        if row is None:
            raise CustomerNotFound(f"Customer '{customer_id}' not found.", parameter="id")
        return row

    @contextmanager
    def open_change(
        self,
        customer_id: str,
        action: str,
        actor: Actor,
        *,
        reason_code: str | None,
        note: str | None,
    ) -> Iterator[LocalChange]:
        """The customer's row locked in a write transaction; when the body is done, the
        version bumped and the audit event written in the same transaction, committed."""
        with write_session(self._sessions) as session:
            row = self._locked(session, customer_id)
            change = LocalChange(self._to_customer(session, row), session, row)
            yield change
            change.after = self._commit_change(
                session,
                row,
                change.before,
                action=action,
                actor=actor,
                reason_code=reason_code,
                note=note,
            )

    def _flush_guarded(self, session: Session, row: CustomerRow, read_version: int) -> None:
        """Write the change; the UPDATE tests the version the row was read at (the mapper's
        version column), so a change committed in between is never overwritten."""
        try:
            session.flush()
        except StaleDataError:
            session.rollback()
            forgotten = session.scalar(
                select(CustomerRow.request_to_be_forgotten).where(CustomerRow.pk == row.pk)
            )
            if forgotten:
                raise CustomerForgotten() from None
            raise stale_version(self.audit, row.id, read_version) from None

    def _commit_change(
        self,
        session: Session,
        row: CustomerRow,
        before: Customer | None,
        *,
        action: str,
        actor: Actor,
        reason_code: str | None = None,
        note: str | None = None,
    ) -> Customer:
        """Bump the version, record the audit event in this transaction, commit."""
        after = self._record_change(
            session, row, before, action=action, actor=actor, reason_code=reason_code, note=note
        )
        session.commit()
        return after

    def _record_change(
        self,
        session: Session,
        row: CustomerRow,
        before: Customer | None,
        *,
        action: str,
        actor: Actor,
        reason_code: str | None = None,
        note: str | None = None,
    ) -> Customer:
        """Bump the version and record the audit event in this transaction (not committed)."""
        if before is not None:
            row.version = before.version + 1
            row.updated_time = _utcnow()
            self._flush_guarded(session, row, before.version)
        else:
            session.flush()
        after = self._to_customer(session, row)
        # The substring index's text, from the customer as changed (its sources, tax ids and
        # metadata as well as its shipping): every change passes here.
        text = index_text_of(after)
        if row.search_text != text:
            row.search_text = text
            session.flush()
        # And the linked-customers keys, in the same transaction.
        local_links.refresh(session, after, row.created_time)
        self.audit.add(
            session,
            AuditEvent(
                occurred_time=dt.datetime.now(dt.UTC),
                actor_id=actor.id,
                actor_username=actor.username,
                action=action,
                customer_id=row.id,
                backend=self.backend_name,
                reason_code=reason_code,
                note=note,
                changes=diff(before, after),
                version_after=after.version,
            ),
        )
        return after


class InlineOperations(ChangeMachinery):
    """The inline workflows of the detail page, with DR's rules."""

    def write_enabled(self, customer_id: str, change: LocalChange, enabled: bool) -> None:
        change.row.enabled = enabled

    def disable_many(
        self,
        customer_ids: Sequence[str],
        *,
        reason_code: str,
        note: str | None,
        actor: Actor,
        batch_id: str,
    ) -> tuple[BlockOutcome, ...]:
        """All of them in one transaction, the rows locked: every disable lands or none."""
        note = (note or "").strip() or None
        rules.raise_if(rules.disable_problems(False, reason_code, note))
        wanted = list(dict.fromkeys(customer_ids))
        outcomes: list[BlockOutcome] = []
        with write_session(self._sessions) as session, in_batch(batch_id):
            rows = {
                row.id: row
                for row in session.scalars(
                    select(CustomerRow)
                    .where(CustomerRow.id.in_(wanted))
                    .order_by(CustomerRow.pk)
                    .with_for_update()
                )
            }
            for customer_id in wanted:
                row = rows.get(customer_id)
                if row is None:
                    outcomes.append(BlockOutcome(customer_id, "not_found"))
                elif row.request_to_be_forgotten:
                    outcomes.append(BlockOutcome(customer_id, "skipped_forgotten"))
                elif not row.enabled:
                    outcomes.append(BlockOutcome(customer_id, "skipped_disabled"))
                else:
                    before = self._to_customer(session, row)
                    row.enabled = False
                    self._record_change(
                        session,
                        row,
                        before,
                        action="customer.disable",
                        actor=actor,
                        reason_code=reason_code,
                        note=note,
                    )
                    outcomes.append(BlockOutcome(customer_id, "disabled"))
            session.commit()
        return tuple(outcomes)

    def attach_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        source_id = source_id.strip()
        with self.guarded(customer_id, expected_version, "source.attach", actor) as change:
            session, row = change.session, change.row
            source = session.get(SourceRow, source_id, with_for_update=True)
            if source is None:
                raise InvalidParameter(
                    f"Source '{source_id}' not found.", code="not_found", parameter="sourceId"
                )
            if source.customer_id == customer_id:
                raise Conflict(
                    "This source is already attached to the customer.",
                    code="already_exists",
                    parameter="sourceId",
                )
            # In DR's order (as the emulator checks): reuse, owner, then state.
            if source.type not in SAVEABLE_SOURCE_TYPES:
                raise Conflict(
                    f"A {source.type} source is single-use and cannot be saved to a customer.",
                    code="nonreusable_source",
                    parameter="sourceId",
                )
            if source.customer_id is not None:
                raise Conflict(
                    "This source belongs to another customer.",
                    code="source_in_use",
                    parameter="sourceId",
                )
            if source.state != "chargeable":
                raise Conflict(
                    f"Only chargeable sources can be attached; this one is {source.state}.",
                    code="source_not_chargeable",
                    parameter="sourceId",
                )
            source.customer_id = customer_id
            source.reusable = True
            if not row.default_source_id:
                row.default_source_id = source.id
        return change.result

    def detach_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        """Detaching cancels the source for good. If it was the default, the customer is left
        without a default (DR documents no promotion; the page asks for a new one)."""
        with self.guarded(customer_id, expected_version, "source.detach", actor) as change:
            session, row = change.session, change.row
            source = session.get(SourceRow, source_id, with_for_update=True)
            if source is None or source.customer_id != customer_id:
                raise InvalidParameter(
                    "This source is not attached to the customer.",
                    code="not_found",
                    parameter="sourceId",
                )
            source.customer_id = None
            source.state = "cancelled"
            if row.default_source_id == source_id:
                row.default_source_id = None
        return change.result

    def set_default_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        with self.guarded(customer_id, expected_version, "source.default", actor) as change:
            session, row = change.session, change.row
            source = session.get(SourceRow, source_id)
            if source is None or source.customer_id != customer_id:
                raise InvalidParameter(
                    "The default source must be one of the customer's attached sources.",
                    parameter="defaultSourceId",
                )
            row.default_source_id = source_id
        return change.result

    def add_tax_identifier(
        self,
        customer_id: str,
        type_: str,
        value: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        value = value.strip().replace(" ", "")
        rules.raise_if(rules.tax_identifier_problems(type_, value))
        with self.guarded(customer_id, expected_version, "tax_identifier.add", actor) as change:
            session = change.session
            existing = session.scalar(
                select(TaxIdentifierRow.id).where(
                    TaxIdentifierRow.customer_id == customer_id, TaxIdentifierRow.type == type_
                )
            )
            if existing:
                raise Conflict(
                    f"The customer already has a '{type_}' tax identifier; remove it first.",
                    code="already_exists",
                    parameter="type",
                )
            now = _utcnow()
            session.add(
                TaxIdentifierRow(
                    id=str(uuid.uuid4()),
                    customer_id=customer_id,
                    type=type_,
                    value=value,
                    state="verified"
                    if value in VERIFYING_TEST_VALUES.get(type_, ())
                    else "pending",
                    created_time=now,
                    updated_time=now,
                )
            )
        return change.result

    def remove_tax_identifier(
        self,
        customer_id: str,
        tax_identifier_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        with self.guarded(customer_id, expected_version, "tax_identifier.remove", actor) as change:
            session = change.session
            tax_id = session.get(TaxIdentifierRow, tax_identifier_id)
            if tax_id is None or tax_id.customer_id != customer_id:
                raise InvalidParameter(
                    "This tax identifier is not the customer's.", code="not_found", parameter="id"
                )
            session.delete(tax_id)
        return change.result

    def add_tax_certificate(
        self,
        customer_id: str,
        certificate: NewTaxCertificate,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        rules.raise_if(rules.tax_certificate_problems(certificate))
        kind = rules.file_type(certificate.content) or "pdf"
        with self.guarded(customer_id, expected_version, "tax_certificate.add", actor) as change:
            session = change.session
            now = _utcnow()
            file_id = str(uuid.uuid4())
            session.add(
                FileRow(
                    id=file_id,
                    file_name=rules.stored_file_name(certificate.file_name, kind),
                    purpose="tax_document_customer_upload",
                    type=kind,
                    size=len(certificate.content),
                    content=certificate.content,
                    created_time=now,
                )
            )

            def midnight(value: dt.datetime) -> dt.datetime:
                value = value.astimezone(dt.UTC) if value.tzinfo else value
                return value.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)

            session.add(
                TaxCertificateRow(
                    customer_id=customer_id,
                    company_name=certificate.company_name.strip(),
                    tax_authority=certificate.tax_authority,
                    start_date=midnight(certificate.start_date),
                    end_date=midnight(certificate.end_date),
                    file_id=file_id,
                    created_time=now,
                )
            )
        return change.result

    # -- requests to be forgotten -----------------------------------------------------------

    def request_forget(
        self,
        customer_id: str,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ForgetRequest:
        """Erase the person's data now, in one transaction with the record of the request
        (status ``erased``) and the audit event; see ``app.services.forget`` for what stays."""
        reason = forget.clean_reason(reason)
        with write_session(self._sessions) as session:
            request = forget.claim(
                session,
                customer_id,
                reason=reason,
                actor=actor,
                backend=self.backend_name,
                status="pending",
            )
            row = self._locked(session, customer_id)
            if row.request_to_be_forgotten:
                raise forget.already_forgotten(None)
            before = refuse_unwritable(
                self._to_customer(session, row), expected_version, self.audit
            )
            self._erase(session, row)
            row.request_to_be_forgotten = True
            row.version = before.version + 1
            row.updated_time = _utcnow()
            self._flush_guarded(session, row, before.version)
            if session.get_bind().dialect.name == "sqlite":
                # The external-content index got a 'delete' of the old terms from the update
                # trigger; merging its segments drops them from the file as well.
                session.execute(
                    text("INSERT INTO customers_fts(customers_fts) VALUES ('optimize')")
                )
            after = self._to_customer(session, row)
            now = _utcnow()
            request.status = "erased"
            request.completed_time = now
            self.audit.add(
                session,
                AuditEvent(
                    occurred_time=now.replace(tzinfo=dt.UTC),
                    actor_id=actor.id,
                    actor_username=actor.username,
                    action=forget.FORGET_ACTION,
                    customer_id=row.id,
                    backend=self.backend_name,
                    note=reason,
                    changes=tuple(FieldChange(c.field, None, None) for c in diff(before, after)),
                    version_after=after.version,
                ),
            )
            session.commit()
        # Committed: now what the old versions left in the files (local/erasure.py).
        residue = self.erasure.after_forget(request.id)
        return replace(to_request(request), residue=residue)

    def check_forget(
        self, customer_id: str, *, customer: Customer | None = None
    ) -> ForgetRequest | None:
        """The customer's request as recorded: here the outcome is always known."""
        with read_connection(self.engine) as connection:
            row = connection.execute(REQUEST_OF_CUSTOMER, {"customer_id": customer_id}).first()
        return to_request(row) if row is not None else None

    def check_forget_requests(self, requests: Sequence[ForgetRequest]) -> tuple[ForgetRequest, ...]:
        """The requests as recorded (the local store knows every outcome)."""
        return tuple(requests)

    @staticmethod
    def _erase(session: Session, row: CustomerRow) -> None:
        """Erase what identifies the person (the row is locked; flushed by the caller)."""
        source_ids = forget.scrub_audit_trail(session, row.id)
        local_links.forget(session, row.id)
        row.email = None
        row.email_lower = None
        for column in CustomerRow.__table__.columns:
            if column.key.startswith(("ship_", "addr_")):
                setattr(row, column.key, None)
        row.search_text = ""
        row.meta = None
        session.execute(
            update(TaxIdentifierRow)
            .where(TaxIdentifierRow.customer_id == row.id)
            .values(value="")
            .execution_options(synchronize_session=False)
        )
        file_ids = session.scalars(
            select(TaxCertificateRow.file_id).where(TaxCertificateRow.customer_id == row.id)
        ).all()
        session.execute(
            update(TaxCertificateRow)
            .where(TaxCertificateRow.customer_id == row.id)
            .values(company_name="", file_id="")
            .execution_options(synchronize_session=False)
        )
        for file_id in file_ids:
            if file_id:
                file = session.get(FileRow, file_id)
                if file is not None:
                    session.delete(file)
        owned = SourceRow.customer_id == row.id
        if source_ids:  # detached since: cancelled, attached to nobody
            owned = owned | (SourceRow.id.in_(sorted(source_ids)) & SourceRow.customer_id.is_(None))
        session.execute(
            update(SourceRow)
            .where(owned)
            .values(owner_name=None, owner_email=None)
            .execution_options(synchronize_session=False)
        )

    def get_file(self, file_id: str) -> StoredFile:
        with self._sessions() as session:
            row = session.get(FileRow, file_id)
            if row is None:
                raise CustomerNotFound(f"File '{file_id}' not found.", parameter="fileId")
            return StoredFile(
                id=row.id,
                file_name=row.file_name,
                type=row.type,
                size=row.size,
                content=row.content,
            )


__all__ = ["InlineOperations"]
