"""Four-eyes erasure: a request to be forgotten proposed by one privacy officer, carried out
only when a second one approves it (``FORGET_FOUR_EYES``, on by default).

A customer has at most one open proposal (a partial unique index: a double submit, or two
officers at once, yields one). The proposer cannot decide their own; a rejection needs a
reason. A decision is one conditional UPDATE (``status = 'open'``), so two officers deciding
at once cannot both win. Each step is recorded in the audit trail in the same transaction.
Carrying out an approved proposal is the customer service's ``request_forget``, with the
proposal's reason: what it records (erased, sent to DR, or failed with a retry) is the
request's own record on the privacy page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, literal_column, select, update
from sqlalchemy.exc import IntegrityError

from .actors import Actor
from .audit import AuditEvent, AuditLog
from .errors import Conflict, CustomerNotFound
from .forget import clean_reason, required_text, utcnow
from .local.db import make_session_factory, read_connection, write_session
from .local.models import ForgetProposalRow, plain_columns

PROPOSED = "customer.forget_proposed"
APPROVED = "customer.forget_approved"
REJECTED = "customer.forget_rejected"
STATUSES = {"open": "Awaiting approval", "approved": "Approved", "rejected": "Rejected"}


@dataclass(frozen=True)
class Proposal:
    id: int
    customer_id: str
    proposed_by: str
    proposed_by_id: int | None
    proposed_time: dt.datetime
    reason: str
    status: str
    decided_by: str | None = None
    decided_time: dt.datetime | None = None
    decision_note: str | None = None

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def is_by(self, actor: Actor) -> bool:
        """Whether ``actor`` proposed it (by account id, else by username)."""
        if self.proposed_by_id is not None and actor.id is not None:
            return self.proposed_by_id == actor.id
        return self.proposed_by == actor.username


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _proposal(row: Any) -> Proposal:
    return Proposal(
        id=row.id,
        customer_id=row.customer_id,
        proposed_by=row.proposed_by,
        proposed_by_id=row.proposed_by_id,
        proposed_time=_aware(row.proposed_time),  # type: ignore[arg-type]
        reason=row.reason,
        status=row.status,
        decided_by=row.decided_by,
        decided_time=_aware(row.decided_time),
        decision_note=row.decision_note,
    )


def already_proposed(existing: Proposal | None) -> Conflict:
    if existing is None:
        return Conflict("An erasure of this customer is already proposed.", code="already_proposed")
    return Conflict(
        f"{existing.proposed_by} already proposed to forget this customer at "
        f"{existing.proposed_time:%Y-%m-%d %H:%M} UTC; it awaits a second privacy officer.",
        code="already_proposed",
    )


class ForgetProposals:
    """Proposals to forget a customer, and their decisions."""

    def __init__(self, engine: Engine, audit: AuditLog, backend: str) -> None:
        self.engine = engine
        self.audit = audit
        self.backend = backend
        self._sessions = make_session_factory(engine)

    def _event(self, action: str, proposal: ForgetProposalRow, actor: Actor, note: str) -> Any:
        return AuditEvent(
            occurred_time=dt.datetime.now(dt.UTC),
            actor_id=actor.id,
            actor_username=actor.username,
            action=action,
            customer_id=proposal.customer_id,
            backend=self.backend,
            note=note,
        )

    def propose(self, customer_id: str, *, reason: str, actor: Actor) -> Proposal:
        """Record the proposal (``already_proposed`` when one is open for the customer)."""
        reason = clean_reason(reason)
        row = ForgetProposalRow(
            customer_id=customer_id,
            proposed_by=actor.username,
            proposed_by_id=actor.id,
            proposed_time=utcnow(),
            reason=reason,
            status="open",
        )
        try:
            with write_session(self._sessions) as session:
                session.add(row)
                session.flush()
                self.audit.add(session, self._event(PROPOSED, row, actor, reason))
                session.commit()
        except IntegrityError:
            raise already_proposed(self.open_for(customer_id)) from None
        return _proposal(row)

    def get(self, proposal_id: int) -> Proposal:
        with read_connection(self.engine) as connection:
            row = connection.execute(
                select(*plain_columns(ForgetProposalRow)).where(ForgetProposalRow.id == proposal_id)
            ).first()
        if row is None:
            raise CustomerNotFound(f"There is no proposal {proposal_id}.")
        return _proposal(row)

    def open_for(self, customer_id: str) -> Proposal | None:
        with read_connection(self.engine) as connection:
            row = connection.execute(_OPEN_FOR, {"customer_id": customer_id}).first()
        return _proposal(row) if row is not None else None

    def open_queue(self, limit: int = 200) -> tuple[Proposal, ...]:
        """Open proposals, oldest first (the privacy page's queue)."""
        with read_connection(self.engine) as connection:
            rows = connection.execute(
                select(*plain_columns(ForgetProposalRow))
                .where(ForgetProposalRow.status == "open")
                .order_by(ForgetProposalRow.proposed_time, ForgetProposalRow.id)
                .limit(limit)
            ).all()
        return tuple(_proposal(r) for r in rows)

    def reopen(self, proposal_id: int) -> None:
        """Open an approved proposal again: its request could not even be recorded (the
        backend failed first), so it is neither done nor listed to retry."""
        with write_session(self._sessions) as session:
            session.execute(
                update(ForgetProposalRow)
                .where(ForgetProposalRow.id == proposal_id, ForgetProposalRow.status == "approved")
                .values(status="open", decided_by=None, decided_by_id=None, decided_time=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def decide(
        self, proposal_id: int, *, approve: bool, actor: Actor, note: str | None = None
    ) -> Proposal:
        """Approve or reject an open proposal: refused for the proposer, for a decided one,
        and (rejecting) without a reason."""
        if not approve or (note or "").strip():
            note = required_text(note, missing="Say why it is rejected.", parameter="note")
        else:
            note = None
        proposal = self.get(proposal_id)
        if proposal.is_by(actor):
            raise Conflict(
                "You proposed this erasure: a second privacy officer must decide it.",
                code="own_proposal",
            )
        status = "approved" if approve else "rejected"
        with write_session(self._sessions) as session:
            taken = session.execute(
                update(ForgetProposalRow)
                .where(ForgetProposalRow.id == proposal_id, ForgetProposalRow.status == "open")
                .values(
                    status=status,
                    decided_by=actor.username,
                    decided_by_id=actor.id,
                    decided_time=utcnow(),
                    decision_note=note,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                decided = self.get(proposal_id)
                raise Conflict(
                    f"{decided.decided_by or 'Someone'} already decided this proposal "
                    f"({decided.status_label.lower()}).",
                    code="already_decided",
                )
            row = session.get(ForgetProposalRow, proposal_id)
            assert row is not None
            session.refresh(row)
            action = APPROVED if approve else REJECTED
            words = f"Approved {row.proposed_by}'s proposal" if approve else "Rejected"
            self.audit.add(
                session,
                self._event(action, row, actor, f"{words}: {note}" if note else words),
            )
            session.commit()
            return _proposal(row)


# What the customer page reads, built once. The status is written into the statement, not
# bound, so SQLite can use the partial index of open proposals.
_OPEN_FOR = select(*plain_columns(ForgetProposalRow)).where(
    ForgetProposalRow.customer_id == bindparam("customer_id"),
    ForgetProposalRow.status == literal_column("'open'"),
)
