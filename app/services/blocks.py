"""The fraud team's blocks: who disabled a customer, why and until when it is to be reviewed;
the review queue of blocks that are due; and bulk blocks (one reason, many customers), with
each customer's outcome. All of it lives in the SQL database, whichever backend holds the
customers (like the audit trail).

Nothing here enables or disables anyone by itself: the customer service does (``set_enabled``,
``disable_many``), and these records follow what it did. A block whose review date passes
stays a block: it only shows in the queue until someone keeps it (with a new date) or lifts it,
saying why.

A bulk block is written before it runs: the batch and one ``pending`` item per customer, in
one transaction. Each outcome replaces its item's ``pending`` when the backend answers. Were the
process to die in between, the batch page settles the ``pending`` ones from the audit trail (a
disable event carries the batch id) and offers the rest again: a batch is never half-reported.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from .actors import Actor
from .audit import AuditEvent, AuditLog
from .customers import (
    BLOCK_OUTCOMES,
    BULK_BLOCK_MAX,
    DISABLE_REASONS,
    BlockOutcome,
    CustomerService,
)
from .errors import Conflict, CustomerNotFound, ErrorDetail, InvalidParameter
from .forget import required_text
from .local.db import make_session_factory, read_connection, write_session
from .local.models import (
    AuditEventRow,
    BlockBatchItemRow,
    BlockBatchRow,
    CustomerBlockRow,
    plain_columns,
)

REVIEWED = "customer.block_reviewed"
# The review dates a disable offers, as (value, label); "date" takes the date field.
REVIEW_CHOICES = (
    ("", "No review date"),
    ("7", "In 7 days"),
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("date", "On a date"),
)
REVIEW_MAX_DAYS = 3 * 365


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def review_date(
    choice: str | None, on: dt.date | None, *, today: dt.date, parameter: str = "review"
) -> dt.date | None:
    """The review date a disable chose: none, in 7, 30 or 90 days, or a date after today (and
    within three years)."""
    choice = (choice or "").strip()
    if not choice:
        return None
    if choice in {"7", "30", "90"}:
        return today + dt.timedelta(days=int(choice))
    if choice != "date":
        raise InvalidParameter("Choose when the block is to be reviewed.", parameter=parameter)
    if on is None:
        raise InvalidParameter(
            errors=[ErrorDetail("missing_parameter", "Enter the review date.", "review_on")]
        )
    if on <= today:
        raise InvalidParameter("The review date must be after today.", parameter="review_on")
    if on > today + dt.timedelta(days=REVIEW_MAX_DAYS):
        raise InvalidParameter("The review date must be within three years.", parameter="review_on")
    return on


def _day(value: dt.date | None) -> dt.datetime | None:
    return dt.datetime(value.year, value.month, value.day) if value is not None else None


@dataclass(frozen=True)
class Block:
    id: int
    customer_id: str
    status: str
    blocked_by: str
    blocked_time: dt.datetime
    reason_code: str
    note: str | None
    batch_id: str | None
    review_by: dt.date | None
    reviewed_by: str | None = None
    reviewed_time: dt.datetime | None = None
    review_note: str | None = None

    @property
    def reason_label(self) -> str:
        return DISABLE_REASONS.get(self.reason_code, self.reason_code)

    def due(self, today: dt.date) -> bool:
        return self.review_by is not None and self.review_by <= today


def _block(row: Any) -> Block:
    return Block(
        id=row.id,
        customer_id=row.customer_id,
        status=row.status,
        blocked_by=row.blocked_by,
        blocked_time=_aware(row.blocked_time),  # type: ignore[arg-type]
        reason_code=row.reason_code,
        note=row.note,
        batch_id=row.batch_id,
        review_by=row.review_by.date() if row.review_by is not None else None,
        reviewed_by=row.reviewed_by,
        reviewed_time=_aware(row.reviewed_time),
        review_note=row.review_note,
    )


class Blocks:
    """Open blocks and their reviews. ``clock`` says what time it is (tests move it)."""

    def __init__(
        self,
        engine: Engine,
        audit: AuditLog,
        backend: str,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.audit = audit
        self.backend = backend
        self.clock = clock
        self._sessions = make_session_factory(engine)

    def today(self) -> dt.date:
        return self.clock().astimezone(dt.UTC).date()

    def record(
        self,
        customer_id: str,
        *,
        reason_code: str,
        note: str | None,
        review_by: dt.date | None,
        actor: Actor,
        batch_id: str | None = None,
    ) -> None:
        """The customer was just disabled: its block says so (a customer disabled again with
        a new reason keeps one open block, now with the new reason and date)."""
        values = {
            "blocked_by": actor.username,
            "blocked_by_id": actor.id,
            "blocked_time": _naive(self.clock()),
            "reason_code": reason_code,
            "note": note,
            "batch_id": batch_id,
            "review_by": _day(review_by),
            "reviewed_by": None,
            "reviewed_time": None,
            "review_note": None,
        }
        for _ in range(2):  # a second officer's block at the same moment: update theirs
            with write_session(self._sessions) as session:
                moved = session.execute(
                    update(CustomerBlockRow)
                    .where(
                        CustomerBlockRow.customer_id == customer_id,
                        CustomerBlockRow.status == "open",
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if moved.rowcount == 0:  # type: ignore[attr-defined]
                    session.add(CustomerBlockRow(customer_id=customer_id, status="open", **values))
                try:
                    session.commit()
                    return
                except IntegrityError:
                    session.rollback()

    def lift(self, customer_id: str, *, actor: Actor, note: str | None) -> None:
        """The customer was just enabled: its open block (if any) is lifted."""
        with write_session(self._sessions) as session:
            session.execute(
                update(CustomerBlockRow)
                .where(
                    CustomerBlockRow.customer_id == customer_id,
                    CustomerBlockRow.status == "open",
                )
                .values(
                    status="lifted",
                    lifted_by=actor.username,
                    lifted_time=_naive(self.clock()),
                    lift_note=note,
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def open_for(self, customer_id: str) -> Block | None:
        with read_connection(self.engine) as connection:
            row = connection.execute(
                select(*plain_columns(CustomerBlockRow)).where(
                    CustomerBlockRow.customer_id == customer_id,
                    CustomerBlockRow.status == "open",
                )
            ).first()
        return _block(row) if row is not None else None

    def get(self, block_id: int) -> Block:
        with read_connection(self.engine) as connection:
            row = connection.execute(
                select(*plain_columns(CustomerBlockRow)).where(CustomerBlockRow.id == block_id)
            ).first()
        if row is None:
            raise CustomerNotFound(f"There is no block {block_id}.")
        return _block(row)

    def due(self, limit: int = 200) -> tuple[Block, ...]:
        """Open blocks whose review date has come, the longest overdue first."""
        end_of_today = _day(self.today() + dt.timedelta(days=1))
        with read_connection(self.engine) as connection:
            rows = connection.execute(
                select(*plain_columns(CustomerBlockRow))
                .where(
                    CustomerBlockRow.status == "open",
                    CustomerBlockRow.review_by.is_not(None),
                    CustomerBlockRow.review_by < end_of_today,
                )
                .order_by(CustomerBlockRow.review_by, CustomerBlockRow.id)
                .limit(limit)
            ).all()
        return tuple(_block(r) for r in rows)

    def count_due(self) -> int:
        end_of_today = _day(self.today() + dt.timedelta(days=1))
        with read_connection(self.engine) as connection:
            return connection.execute(
                select(func.count())
                .select_from(CustomerBlockRow)
                .where(
                    CustomerBlockRow.status == "open",
                    CustomerBlockRow.review_by.is_not(None),
                    CustomerBlockRow.review_by < end_of_today,
                )
            ).scalar_one()

    def keep(self, block_id: int, *, until: dt.date, note: str | None, actor: Actor) -> Block:
        """Keep an open block until a later date, saying why (recorded in the audit trail)."""
        note = required_text(note, missing="Say why the block stays.", parameter="note")
        today = self.today()
        if until <= today:
            raise InvalidParameter("Keep it until a date after today.", parameter="until")
        if until > today + dt.timedelta(days=REVIEW_MAX_DAYS):
            raise InvalidParameter("Keep it at most three years.", parameter="until")
        block = self.get(block_id)
        if block.status != "open":
            raise Conflict("This block was lifted already.", code="block_lifted")
        now = self.clock()
        with write_session(self._sessions) as session:
            taken = session.execute(
                update(CustomerBlockRow)
                .where(CustomerBlockRow.id == block_id, CustomerBlockRow.status == "open")
                .values(
                    review_by=_day(until),
                    reviewed_by=actor.username,
                    reviewed_time=_naive(now),
                    review_note=note,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                raise Conflict("This block was lifted already.", code="block_lifted")
            self.audit.add(
                session,
                AuditEvent(
                    occurred_time=now,
                    actor_id=actor.id,
                    actor_username=actor.username,
                    action=REVIEWED,
                    customer_id=block.customer_id,
                    backend=self.backend,
                    reason_code=block.reason_code,
                    note=f"Kept blocked until {until:%Y-%m-%d}: {note}",
                ),
            )
            session.commit()
        return self.get(block_id)


# -- bulk blocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchItem:
    customer_id: str
    outcome: str
    error: str | None = None
    request_id: str | None = None
    attempts: int = 0

    @property
    def outcome_label(self) -> str:
        return BLOCK_OUTCOMES.get(self.outcome, self.outcome)


@dataclass(frozen=True)
class Batch:
    id: str
    created_by: str
    created_time: dt.datetime
    reason_code: str
    note: str | None
    review_by: dt.date | None
    backend: str
    finished_time: dt.datetime | None
    items: tuple[BatchItem, ...] = field(default_factory=tuple)

    @property
    def reason_label(self) -> str:
        return DISABLE_REASONS.get(self.reason_code, self.reason_code)

    def with_outcome(self, *outcomes: str) -> tuple[BatchItem, ...]:
        return tuple(i for i in self.items if i.outcome in outcomes)

    def counts(self) -> dict[str, int]:
        """How many items have each outcome (in BLOCK_OUTCOMES order, the ones present)."""
        counted = {key: 0 for key in BLOCK_OUTCOMES}
        for item in self.items:
            counted[item.outcome] = counted.get(item.outcome, 0) + 1
        return {key: n for key, n in counted.items() if n}

    @property
    def retryable(self) -> tuple[BatchItem, ...]:
        """What a retry sends again: the failures and anything never answered."""
        return self.with_outcome("failed", "pending")


def _batch(row: Any, items: tuple[BatchItem, ...] = ()) -> Batch:
    return Batch(
        id=row.id,
        created_by=row.created_by,
        created_time=_aware(row.created_time),  # type: ignore[arg-type]
        reason_code=row.reason_code,
        note=row.note,
        review_by=row.review_by.date() if row.review_by is not None else None,
        backend=row.backend,
        finished_time=_aware(row.finished_time),
        items=items,
    )


def new_batch_id() -> str:
    return "B-" + secrets.token_hex(5).upper()


class Batches:
    """Bulk blocks and their outcomes."""

    def __init__(self, engine: Engine, backend: str) -> None:
        self.engine = engine
        self.backend = backend
        self._sessions = make_session_factory(engine)

    def start(
        self,
        customer_ids: Sequence[str],
        *,
        reason_code: str,
        note: str | None,
        review_by: dt.date | None,
        actor: Actor,
        now: dt.datetime,
    ) -> str:
        """Record the batch and one pending item per customer; return its id."""
        wanted = list(dict.fromkeys(i for i in customer_ids if i))
        if not wanted:
            raise InvalidParameter(
                errors=[ErrorDetail("missing_parameter", "Select who to block.", "ids")]
            )
        if len(wanted) > BULK_BLOCK_MAX:
            raise InvalidParameter(
                f"One bulk block disables at most {BULK_BLOCK_MAX} customers.", parameter="ids"
            )
        batch_id = new_batch_id()
        with write_session(self._sessions) as session:
            session.add(
                BlockBatchRow(
                    id=batch_id,
                    created_by=actor.username,
                    created_by_id=actor.id,
                    created_time=_naive(now),
                    reason_code=reason_code,
                    note=note,
                    review_by=_day(review_by),
                    backend=self.backend,
                )
            )
            session.flush()
            session.add_all(
                BlockBatchItemRow(
                    batch_id=batch_id,
                    position=n,
                    customer_id=customer_id,
                    outcome="pending",
                    attempts=0,
                )
                for n, customer_id in enumerate(wanted)
            )
            session.commit()
        return batch_id

    def record(self, batch_id: str, outcomes: Iterable[BlockOutcome], now: dt.datetime) -> None:
        """Each customer's outcome, and the batch finished."""
        rows = [
            {
                "b_batch": batch_id,
                "b_customer": o.customer_id,
                "outcome": o.outcome,
                "error": o.error,
                "request_id": o.request_id,
                "done_time": _naive(now),
            }
            for o in outcomes
        ]
        items = BlockBatchItemRow.__table__
        with write_session(self._sessions) as session:
            if rows:
                session.execute(
                    items.update()
                    .where(
                        items.c.batch_id == bindparam("b_batch"),
                        items.c.customer_id == bindparam("b_customer"),
                    )
                    .values(
                        outcome=bindparam("outcome"),
                        error=bindparam("error"),
                        request_id=bindparam("request_id"),
                        done_time=bindparam("done_time"),
                        attempts=items.c.attempts + 1,
                    ),
                    rows,
                )
            session.execute(
                update(BlockBatchRow)
                .where(BlockBatchRow.id == batch_id)
                .values(finished_time=_naive(now))
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def get(self, batch_id: str) -> Batch:
        """The batch with every item in order; pending items of a batch that is not running
        are settled from the audit trail (their disable event carries the batch id)."""
        with read_connection(self.engine) as connection:
            row = connection.execute(
                select(*plain_columns(BlockBatchRow)).where(BlockBatchRow.id == batch_id)
            ).first()
            if row is None:
                raise CustomerNotFound(f"There is no bulk block {batch_id}.")
            items = connection.execute(
                select(*plain_columns(BlockBatchItemRow))
                .where(BlockBatchItemRow.batch_id == batch_id)
                .order_by(BlockBatchItemRow.position)
            ).all()
            pending = [i.customer_id for i in items if i.outcome == "pending"]
            settled: dict[str, str] = {}
            if pending:
                for event in connection.execute(
                    select(AuditEventRow.customer_id, AuditEventRow.outcome).where(
                        AuditEventRow.batch_id == batch_id,
                        AuditEventRow.action == "customer.disable",
                        AuditEventRow.customer_id.in_(pending),
                    )
                ):
                    if event.outcome == "succeeded":
                        settled[event.customer_id] = "disabled"
        return _batch(
            row,
            tuple(
                BatchItem(
                    i.customer_id,
                    settled.get(i.customer_id, i.outcome),
                    i.error,
                    i.request_id,
                    i.attempts,
                )
                for i in items
            ),
        )

    def recent(self, limit: int = 20) -> tuple[Batch, ...]:
        """The newest batches (without their items), for the fraud page."""
        with read_connection(self.engine) as connection:
            rows = connection.execute(
                select(*plain_columns(BlockBatchRow))
                .order_by(BlockBatchRow.created_time.desc(), BlockBatchRow.id.desc())
                .limit(limit)
            ).all()
        return tuple(_batch(r) for r in rows)


def run_batch(
    service: CustomerService,
    batches: Batches,
    blocks: Blocks,
    batch_id: str,
    customer_ids: Sequence[str],
    *,
    actor: Actor,
) -> Batch:
    """Disable the batch's customers (all of them, or a retry's), record each outcome, and
    give every customer disabled its block (with the batch's review date)."""
    batch = batches.get(batch_id)
    outcomes = service.disable_many(
        customer_ids,
        reason_code=batch.reason_code,
        note=batch.note,
        actor=actor,
        batch_id=batch_id,
    )
    batches.record(batch_id, outcomes, blocks.clock())
    for outcome in outcomes:
        if outcome.outcome == "disabled":
            blocks.record(
                outcome.customer_id,
                reason_code=batch.reason_code,
                note=batch.note,
                review_by=batch.review_by,
                actor=actor,
                batch_id=batch_id,
            )
    return batches.get(batch_id)


__all__ = [
    "REVIEW_CHOICES",
    "Batch",
    "BatchItem",
    "Batches",
    "Block",
    "Blocks",
    "review_date",
    "run_batch",
]
