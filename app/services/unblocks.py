"""Four-eyes unblocking (``UNBLOCK_FOUR_EYES``, off by default): re-enabling a customer that
was disabled for suspected fraud or account takeover is proposed by one fraud officer and done
only when a second one approves it.

As with four-eyes erasure: at most one open proposal per customer (a partial unique index);
the proposer cannot decide their own; a rejection needs a reason; a decision is one
conditional UPDATE, so two officers deciding at once cannot both win; each step is in the
audit trail. Carrying out an approved proposal is the customer service's ``set_enabled`` with
the proposal's reason, by the approver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from . import rules
from .actors import Actor
from .audit import AuditEvent, AuditLog
from .customers import ENABLE_REASONS
from .errors import Conflict, CustomerNotFound
from .forget import required_text
from .local.db import make_session_factory, read_connection, write_session
from .local.models import UnblockProposalRow, plain_columns

PROPOSED = "customer.unblock_proposed"
APPROVED = "customer.unblock_approved"
REJECTED = "customer.unblock_rejected"
# The disable reasons whose re-enable needs a second fraud officer when four-eyes is on.
FOUR_EYES_REASONS = frozenset({"suspected_fraud", "account_takeover"})


def needs_second_officer(enabled_now: bool, disable_reason: str | None) -> bool:
    """Whether re-enabling a customer needs a second officer (four-eyes being on)."""
    return not enabled_now and disable_reason in FOUR_EYES_REASONS


@dataclass(frozen=True)
class UnblockProposal:
    id: int
    customer_id: str
    proposed_by: str
    proposed_by_id: int | None
    proposed_time: dt.datetime
    reason_code: str
    note: str | None
    status: str
    decided_by: str | None = None
    decision_note: str | None = None

    @property
    def reason_label(self) -> str:
        return ENABLE_REASONS.get(self.reason_code, self.reason_code)

    def is_by(self, actor: Actor) -> bool:
        if self.proposed_by_id is not None and actor.id is not None:
            return self.proposed_by_id == actor.id
        return self.proposed_by == actor.username


def _proposal(row: Any) -> UnblockProposal:
    return UnblockProposal(
        id=row.id,
        customer_id=row.customer_id,
        proposed_by=row.proposed_by,
        proposed_by_id=row.proposed_by_id,
        proposed_time=row.proposed_time.replace(tzinfo=dt.UTC),
        reason_code=row.reason_code,
        note=row.note,
        status=row.status,
        decided_by=row.decided_by,
        decision_note=row.decision_note,
    )


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class UnblockProposals:
    def __init__(self, engine: Engine, audit: AuditLog, backend: str) -> None:
        self.engine = engine
        self.audit = audit
        self.backend = backend
        self._sessions = make_session_factory(engine)

    def _event(self, action: str, customer_id: str, actor: Actor, **fields: Any) -> AuditEvent:
        return AuditEvent(
            occurred_time=dt.datetime.now(dt.UTC),
            actor_id=actor.id,
            actor_username=actor.username,
            action=action,
            customer_id=customer_id,
            backend=self.backend,
            **fields,
        )

    def propose(
        self, customer_id: str, *, reason_code: str | None, note: str | None, actor: Actor
    ) -> UnblockProposal:
        """Record the proposal, with the enable reason (and a note for Other)."""
        note = (note or "").strip() or None
        rules.raise_if(rules.disable_problems(True, reason_code, note))
        assert reason_code is not None
        row = UnblockProposalRow(
            customer_id=customer_id,
            proposed_by=actor.username,
            proposed_by_id=actor.id,
            proposed_time=_utcnow(),
            reason_code=reason_code,
            note=note,
            status="open",
        )
        try:
            with write_session(self._sessions) as session:
                session.add(row)
                session.flush()
                self.audit.add(
                    session,
                    self._event(PROPOSED, customer_id, actor, reason_code=reason_code, note=note),
                )
                session.commit()
        except IntegrityError:
            existing = self.open_for(customer_id)
            who = existing.proposed_by if existing is not None else "Someone"
            raise Conflict(
                f"{who} already proposed to unblock this customer; it awaits a second fraud "
                "officer.",
                code="already_proposed",
            ) from None
        return _proposal(row)

    def get(self, proposal_id: int) -> UnblockProposal:
        with read_connection(self.engine) as connection:
            row = connection.execute(
                select(*plain_columns(UnblockProposalRow)).where(
                    UnblockProposalRow.id == proposal_id
                )
            ).first()
        if row is None:
            raise CustomerNotFound(f"There is no unblock proposal {proposal_id}.")
        return _proposal(row)

    def open_for(self, customer_id: str) -> UnblockProposal | None:
        with read_connection(self.engine) as connection:
            row = connection.execute(
                select(*plain_columns(UnblockProposalRow)).where(
                    UnblockProposalRow.customer_id == customer_id,
                    UnblockProposalRow.status == "open",
                )
            ).first()
        return _proposal(row) if row is not None else None

    def open_queue(self, limit: int = 200) -> tuple[UnblockProposal, ...]:
        with read_connection(self.engine) as connection:
            rows = connection.execute(
                select(*plain_columns(UnblockProposalRow))
                .where(UnblockProposalRow.status == "open")
                .order_by(UnblockProposalRow.proposed_time, UnblockProposalRow.id)
                .limit(limit)
            ).all()
        return tuple(_proposal(r) for r in rows)

    def decide(
        self, proposal_id: int, *, approve: bool, actor: Actor, note: str | None = None
    ) -> UnblockProposal:
        """Approve or reject an open proposal: refused for the proposer, for a decided one,
        and (rejecting) without a reason. The caller enables the customer on approval."""
        if not approve or (note or "").strip():
            note = required_text(note, missing="Say why it is rejected.", parameter="note")
        else:
            note = None
        proposal = self.get(proposal_id)
        if proposal.is_by(actor):
            raise Conflict(
                "You proposed this unblock: a second fraud officer must decide it.",
                code="own_proposal",
            )
        with write_session(self._sessions) as session:
            taken = session.execute(
                update(UnblockProposalRow)
                .where(UnblockProposalRow.id == proposal_id, UnblockProposalRow.status == "open")
                .values(
                    status="approved" if approve else "rejected",
                    decided_by=actor.username,
                    decided_by_id=actor.id,
                    decided_time=_utcnow(),
                    decision_note=note,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                decided = self.get(proposal_id)
                raise Conflict(
                    f"{decided.decided_by or 'Someone'} already decided this unblock "
                    f"({decided.status}).",
                    code="already_decided",
                )
            words = f"Approved {proposal.proposed_by}'s unblock" if approve else "Rejected"
            self.audit.add(
                session,
                self._event(
                    APPROVED if approve else REJECTED,
                    proposal.customer_id,
                    actor,
                    reason_code=proposal.reason_code,
                    note=f"{words}: {note}" if note else words,
                ),
            )
            session.commit()
        return self.get(proposal_id)

    def reopen(self, proposal_id: int) -> None:
        """Open an approved proposal again when enabling the customer then failed."""
        with write_session(self._sessions) as session:
            session.execute(
                update(UnblockProposalRow)
                .where(
                    UnblockProposalRow.id == proposal_id, UnblockProposalRow.status == "approved"
                )
                .values(status="open", decided_by=None, decided_by_id=None, decided_time=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()


__all__ = ["FOUR_EYES_REASONS", "UnblockProposal", "UnblockProposals", "needs_second_officer"]
