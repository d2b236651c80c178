"""The audit trail's hash chain: evidence that no past event was changed, added or removed.

Every event gets, in the transaction that writes it, a sequence number (one more than the
previous event's) and a hash over its content and the previous event's hash; ``audit_chain``
holds the last number and hash (the head). Events are chained in the order their
transactions take the head (a row lock on PostgreSQL; SQLite has one writer at a time), so
the chain is one line per database even when ids are not in commit order.

Erasure must not break the chain, nor leave what it erased recoverable from it. So the values
that a request to be forgotten scrubs (the before and after of each change, the note, the
detail of an error) are not hashed directly: the event keeps a *commitment*, SHA-256 over a
random per-event salt and those values, and the chain hashes the commitment. Erasure drops
the salt with the values; the commitment stays, still chained, and without the salt nothing
can be confirmed against it (not even a guess at an email). What erasure keeps (who, when,
which action on which customer, which fields, the error's code, a forget event's reason) is
hashed as it is. An event without its salt is accepted only when the customer's request to
be forgotten follows it in the chain.

``verify`` walks the chain and names the first event that does not match: a changed value,
a changed field of the event, an event removed (a gap in the numbers, or a head beyond the
last event), an event added outside the application (one with no number), values erased
without a request to be forgotten. What it cannot see is a rewrite of the whole chain from
some event on by someone with write access to the database and this code: compare the head
hash that ``flask --app wsgi audit verify`` prints with one noted elsewhere (a ticket, the
nightly job's log) to rule that out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from .local.models import AuditChainRow, AuditEventRow

GENESIS = "0" * 64
FORGET_ACTION = "customer.forget"
HEAD_ID = 1


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _changes(changes: Any) -> list[dict[str, Any]]:
    if isinstance(changes, str):  # a bulk load's JSON text
        changes = json.loads(changes)
    return [
        {"field": c.get("field"), "before": c.get("before"), "after": c.get("after")}
        for c in changes or ()
        if isinstance(c, Mapping)
    ]


def error_code(error: str | None) -> str | None:
    """What erasure keeps of an error message: the part before the first colon."""
    return (error.split(":", 1)[0].strip() or None) if error else None


def new_salt() -> str:
    return secrets.token_hex(16)


def commitment(salt: str, changes: Any, note: str | None, error: str | None) -> str:
    """SHA-256 over the salt and the values erasure scrubs."""
    payload = _canonical({"changes": _changes(changes), "note": note, "error": error})
    return hashlib.sha256(bytes.fromhex(salt) + payload).hexdigest()


def _time(value: dt.datetime | str) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def link(previous: str, event: Mapping[str, Any]) -> str:
    """The hash of ``event`` (its columns by name) after the event hashed ``previous``."""
    action = event["action"]
    fields = {
        "seq": event["seq"],
        "id": event["id"],
        "occurred_time": _time(event["occurred_time"]),
        "actor_id": event["actor_id"],
        "actor_username": event["actor_username"],
        "action": action,
        "customer_id": event["customer_id"],
        "outcome": event["outcome"],
        "backend": event["backend"],
        "reason_code": event["reason_code"],
        "version_after": event["version_after"],
        "request_id": event["request_id"],
        "fields": [c["field"] for c in _changes(event["changes"])],
        "error_code": error_code(event["error"]),
        "forget_reason": event["note"] if action == FORGET_ACTION else None,
        "commitment": event["commitment"],
    }
    # A bulk block's id is hashed where an event has one (events from before it hash as they
    # always did).
    if event.get("batch_id") is not None:
        fields["batch_id"] = event["batch_id"]
    return hashlib.sha256(previous.encode() + _canonical(fields)).hexdigest()


def _columns(row: AuditEventRow) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "id": row.id,
        "occurred_time": row.occurred_time,
        "actor_id": row.actor_id,
        "actor_username": row.actor_username,
        "action": row.action,
        "customer_id": row.customer_id,
        "outcome": row.outcome,
        "backend": row.backend,
        "reason_code": row.reason_code,
        "version_after": row.version_after,
        "request_id": row.request_id,
        "changes": row.changes,
        "error": row.error,
        "note": row.note,
        "commitment": row.commitment,
        "batch_id": row.batch_id,
    }


def commit_values(row: AuditEventRow) -> None:
    """Give a new event its salt and commitment (before it is written)."""
    row.salt = new_salt()
    row.commitment = commitment(row.salt, row.changes, row.note, row.error)


def _head(connection: Connection) -> tuple[int, str]:
    """The chain's head, locked until the transaction ends (PostgreSQL; SQLite's writer
    already holds the database). Created at the genesis when missing."""
    statement = (
        select(AuditChainRow.seq, AuditChainRow.hash)
        .where(AuditChainRow.id == HEAD_ID)
        .with_for_update()
    )
    head = connection.execute(statement).first()
    if head is None:
        connection.execute(insert(AuditChainRow).values(id=HEAD_ID, seq=0, hash=GENESIS))
        head = connection.execute(statement).first()
    assert head is not None
    return head.seq, head.hash


def _move_head(connection: Connection, seq: int, hash_: str) -> None:
    connection.execute(
        update(AuditChainRow).where(AuditChainRow.id == HEAD_ID).values(seq=seq, hash=hash_)
    )


def append(session: Session, rows: Iterable[AuditEventRow]) -> None:
    """Chain ``rows`` (added to ``session``, with their commitments) after the head, in the
    caller's transaction."""
    session.flush()  # their ids
    seq, last = _head(session.connection())
    for row in sorted(rows, key=lambda r: r.id):
        seq += 1
        row.seq = seq
        row.hash = last = link(last, _columns(row))
    session.flush()
    _move_head(session.connection(), seq, last)


def seal_existing(connection: Connection, batch: int = 5000) -> int:
    """Chain every event that has no number yet, in id order (the migration that brought in
    the chain runs it over the events recorded before). Returns how many."""
    table = AuditEventRow.__table__
    seq, last = _head(connection)
    done = 0
    while True:
        rows = connection.execute(
            select(*_SEALED).where(table.c.seq.is_(None)).order_by(table.c.id).limit(batch)
        ).all()
        if not rows:
            break
        updates = []
        for row in rows:
            event = dict(row._mapping)
            salt = new_salt()
            event["commitment"] = commitment(salt, row.changes, row.note, row.error)
            seq += 1
            event["seq"] = seq
            last = link(last, event)
            updates.append(
                {
                    "row_id": row.id,
                    "seq": seq,
                    "hash": last,
                    "salt": salt,
                    "commitment": event["commitment"],
                }
            )
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                seq=bindparam("seq"),
                hash=bindparam("hash"),
                salt=bindparam("salt"),
                commitment=bindparam("commitment"),
            ),
            updates,
        )
        done += len(rows)
    _move_head(connection, seq, last)
    return done


class BulkChain:
    """Chains rows a bulk load writes itself (``rows.AUDIT_COLUMNS`` order, changes as JSON
    text), giving them ids: ``extend`` returns each row with its id first and its chain
    columns last (``COLUMNS``). The caller holds the database for writing, reads the start
    with ``start`` and stores the end with ``finish`` in the same transaction."""

    HEAD = "SELECT seq, hash FROM audit_chain WHERE id = 1"
    NEXT_ID = "SELECT coalesce(max(id), 0) + 1 FROM audit_events"

    @classmethod
    def start(cls, cur: Any, names: tuple[str, ...], *, lock: str = "") -> BulkChain:
        """The chain as it stands (``cur``: the load's DB-API cursor, in its transaction)."""
        head = cur.execute(cls.HEAD + lock).fetchone()
        if head is None:
            cur.execute(f"INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '{GENESIS}')")
            head = (0, GENESIS)
        return cls(names, cur.execute(cls.NEXT_ID).fetchone()[0], head[0], head[1])

    def finish(self, cur: Any, placeholder: str) -> None:
        cur.execute(
            f"UPDATE audit_chain SET seq = {placeholder}, hash = {placeholder} WHERE id = 1",
            (self.seq, self.last),
        )

    def __init__(self, names: tuple[str, ...], next_id: int, seq: int, last: str) -> None:
        self.names = names
        self.next_id = next_id
        self.seq = seq
        self.last = last

    def extend(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for values in rows:
            event = dict(zip(self.names, values, strict=True))
            salt = new_salt()
            event["commitment"] = commitment(salt, event["changes"], event["note"], event["error"])
            self.seq += 1
            event["seq"], event["id"] = self.seq, self.next_id
            self.next_id += 1
            self.last = link(self.last, event)
            yield (event["id"], *values, self.seq, self.last, salt, event["commitment"])


@dataclass(frozen=True)
class Report:
    """What a walk of the chain found: ``problem`` (naming ``event_id``) or none."""

    checked: int
    last_seq: int
    last_hash: str
    last_event_id: int | None
    problem: str | None = None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


_WALKED = tuple(
    AuditEventRow.__table__.c[name]
    for name in (
        "id",
        "seq",
        "hash",
        "salt",
        "commitment",
        "occurred_time",
        "actor_id",
        "actor_username",
        "action",
        "customer_id",
        "outcome",
        "backend",
        "reason_code",
        "version_after",
        "request_id",
        "changes",
        "error",
        "note",
        "batch_id",
    )
)


# What sealing the events of before the chain reads: migration 0009 runs it, before audit events
# had a batch id.
_SEALED = tuple(c for c in _WALKED if c.key != "batch_id")


def verify(
    connection: Connection,
    *,
    after: tuple[int, str] = (0, GENESIS),
    batch: int = 2000,
) -> Report:
    """Walk the chain from event number ``after[0]`` (whose hash must be ``after[1]``) to the
    head as it stands when the walk starts (events chained meanwhile wait for the next walk);
    the first mismatch ends the walk."""
    table = AuditEventRow.__table__
    head = connection.execute(
        select(AuditChainRow.seq, AuditChainRow.hash).where(AuditChainRow.id == HEAD_ID)
    ).first()
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    seq, last = after
    last_id: int | None = None
    checked = 0
    erased: dict[str, tuple[int, int]] = {}  # customer id -> first erased event (seq, id)

    def report(problem: str | None = None, event_id: int | None = None) -> Report:
        return Report(checked, seq, last, last_id, problem, event_id)

    if seq:
        mark = connection.execute(
            select(table.c.id, table.c.hash).where(table.c.seq == seq)
        ).first()
        if mark is None or mark.hash != last:
            return report(
                f"The event verified as number {seq} is gone or changed.",
                mark.id if mark else None,
            )
        last_id = mark.id
    while seq < head_seq:
        rows = connection.execute(
            select(*_WALKED)
            .where(table.c.seq > seq, table.c.seq <= head_seq)
            .order_by(table.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != seq + 1:
                return report(
                    f"Events {seq + 1}–{row.seq - 1} of the chain are missing (removed from "
                    f"the database); the next one is event {row.id}.",
                    row.id,
                )
            if row.salt is None:
                erased.setdefault(row.customer_id, (row.seq, row.id))
            elif commitment(row.salt, row.changes, row.note, row.error) != row.commitment:
                return report(f"Event {row.id} was changed: its values do not match.", row.id)
            if row.action == FORGET_ACTION:
                erased.pop(row.customer_id, None)
            if link(last, row._mapping) != row.hash:
                return report(f"Event {row.id} was changed: it does not match its hash.", row.id)
            seq, last, last_id = row.seq, row.hash, row.id
            checked += 1
    if seq < head_seq:
        return report(
            f"The chain's last {head_seq - seq} event(s) are missing (removed from the database).",
            last_id,
        )
    if (seq, last) != (head_seq, head_hash):
        return report("The chain's head does not match its last event.", last_id)
    unexplained = _erased_without_request(connection, erased)
    if unexplained is not None:
        customer, event_id = unexplained
        return report(
            f"Event {event_id} had its values erased, but no request to be forgotten of "
            f"{customer} follows it.",
            event_id,
        )
    stray = connection.execute(
        select(table.c.id).where(table.c.seq.is_(None)).order_by(table.c.id).limit(1)
    ).scalar()
    if stray is not None:
        return report(f"Event {stray} is not in the chain (added outside the application).", stray)
    return report()


def _erased_without_request(
    connection: Connection, erased: Mapping[str, tuple[int, int]]
) -> tuple[str, int] | None:
    """The first (customer, event id) whose values were erased with no request to be
    forgotten after it: one the walk did not meet may have committed after its head."""
    table = AuditEventRow.__table__
    for customer, (erased_seq, event_id) in erased.items():
        forgotten = connection.execute(
            select(table.c.id).where(
                table.c.customer_id == customer,
                table.c.action == FORGET_ACTION,
                table.c.seq > erased_seq,
            )
        ).first()
        if forgotten is None:
            return customer, event_id
    return None


def save_checkpoint(connection: Connection, report: Report, when: dt.datetime) -> None:
    """Note what a full walk found: how far it verified the chain (where the audit page's own
    check starts) or, when it failed, what it found wrong (which the page shows)."""
    values: dict[str, Any] = {"problem": report.problem, "problem_event_id": report.event_id}
    if report.ok:
        values |= {
            "verified_seq": report.last_seq,
            "verified_hash": report.last_hash,
            "verified_event_id": report.last_event_id,
            "verified_time": when.astimezone(dt.UTC).replace(tzinfo=None),
        }
    connection.execute(update(AuditChainRow).where(AuditChainRow.id == HEAD_ID).values(**values))


@dataclass(frozen=True)
class Status:
    """What the audit page says of the chain."""

    report: Report | None  # None: too many events since the last full walk to check now
    verified_time: dt.datetime | None
    unchecked: int
    verified_event_id: int | None = None
    # What the last full walk found wrong, and in which event.
    walk_problem: str | None = None
    walk_event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.walk_problem is None and (self.report is None or self.report.ok)


# The most events the audit page checks itself (~10 ms a thousand); beyond, it says how many
# wait for the next full walk.
TAIL_LIMIT = 2000


def status(connection: Connection, tail_limit: int | None = None) -> Status:
    """The chain's state for the audit page: the events since the last full walk are checked
    now (at most ``tail_limit`` of them); before that, the walk's own word."""
    tail_limit = TAIL_LIMIT if tail_limit is None else tail_limit
    head = connection.execute(select(AuditChainRow).where(AuditChainRow.id == HEAD_ID)).first()
    if head is None:
        return Status(verify(connection), None, 0)
    start = (head.verified_seq or 0, head.verified_hash or GENESIS)
    when = head.verified_time.replace(tzinfo=dt.UTC) if head.verified_time else None
    pending = head.seq - start[0]
    walked = {
        "verified_event_id": head.verified_event_id,
        "walk_problem": head.problem,
        "walk_event_id": head.problem_event_id,
    }
    if pending > tail_limit:
        return Status(None, when, pending, **walked)
    return Status(verify(connection, after=start), when, 0, **walked)
