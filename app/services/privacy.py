"""Requests to be forgotten: the record the privacy team tracks (always in the SQL database).
The customer services carry out a request (``request_forget``); this module keeps and lists
them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, select, tuple_

from .local.db import make_session_factory, read_connection
from .local.models import ForgetRequestRow, plain_columns

STATUSES = {
    "pending": "Being sent",
    "requested": "Requested from Digital River",
    "erased": "Erased",
    "failed": "Failed — retry",
    # DR did not confirm it and could not be read back: settled by check_forget.
    "unknown": "Unknown — checking",
}


@dataclass(frozen=True)
class ForgetRequest:
    id: int
    customer_id: str
    requested_by: str
    requested_time: dt.datetime
    reason: str
    backend: str
    status: str
    completed_time: dt.datetime | None = None
    request_id: str | None = None
    error: str | None = None
    # Local store: what the erasure left in the database's files, and for how long.
    residue: str | None = None

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class ForgetQuery:
    customer_id: str | None = None
    requested_by: str | None = None
    status: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    after: tuple[dt.datetime, int] | None = None
    limit: int = 50


@dataclass(frozen=True)
class ForgetPage:
    requests: tuple[ForgetRequest, ...]
    next_key: tuple[dt.datetime, int] | None = None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def to_request(row: Any) -> ForgetRequest:
    """The request of a row (an ORM object or a plain row with its attribute names)."""
    return ForgetRequest(
        id=row.id,
        customer_id=row.customer_id,
        requested_by=row.requested_by,
        requested_time=_aware(row.requested_time),  # type: ignore[arg-type]
        reason=row.reason,
        backend=row.backend,
        status=row.status,
        completed_time=_aware(row.completed_time),
        request_id=row.request_id,
        error=row.error,
        residue=row.residue,
    )


class PrivacyLog:
    """Lists requests to be forgotten."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)

    def for_customer(self, customer_id: str) -> ForgetRequest | None:
        with read_connection(self.engine) as connection:
            row = connection.execute(REQUEST_OF_CUSTOMER, {"customer_id": customer_id}).first()
            return to_request(row) if row else None

    def search(self, query: ForgetQuery) -> ForgetPage:
        limit = max(1, min(query.limit, 500))
        with self._sessions() as session:
            rows = session.scalars(self._select(query).limit(limit + 1)).all()
        items = tuple(to_request(r) for r in rows[:limit])
        next_key = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_key = (last.requested_time, last.id)
        return ForgetPage(requests=items, next_key=next_key)

    def iterate(self, query: ForgetQuery, batch: int = 1000) -> Iterator[ForgetRequest]:
        with self._sessions() as session:
            result = session.execute(
                self._select(query).execution_options(yield_per=batch)
            ).scalars()
            for row in result:
                yield to_request(row)

    @staticmethod
    def _select(query: ForgetQuery):  # type: ignore[no-untyped-def]
        stmt = select(ForgetRequestRow)
        if query.customer_id:
            stmt = stmt.where(ForgetRequestRow.customer_id == query.customer_id)
        if query.requested_by:
            stmt = stmt.where(ForgetRequestRow.requested_by == query.requested_by)
        if query.status:
            stmt = stmt.where(ForgetRequestRow.status == query.status)
        if query.since:
            stmt = stmt.where(ForgetRequestRow.requested_time >= _naive(query.since))
        if query.until:
            stmt = stmt.where(ForgetRequestRow.requested_time < _naive(query.until))
        if query.after:
            stmt = stmt.where(
                tuple_(ForgetRequestRow.requested_time, ForgetRequestRow.id)
                < tuple_(_naive(query.after[0]), query.after[1])
            )
        return stmt.order_by(ForgetRequestRow.requested_time.desc(), ForgetRequestRow.id.desc())


@dataclass(frozen=True)
class CheckedRequests:
    """The log as the privacy page lists it: each page's requests pass through ``check``
    (the customer service's ``check_forget_requests``, which settles unknown outcomes);
    exports list the records as they stand."""

    log: PrivacyLog
    check: Callable[[Sequence[ForgetRequest]], tuple[ForgetRequest, ...]]

    def search(self, query: ForgetQuery) -> ForgetPage:
        page = self.log.search(query)
        return ForgetPage(requests=self.check(page.requests), next_key=page.next_key)

    def iterate(self, query: ForgetQuery, batch: int = 1000) -> Iterator[ForgetRequest]:
        return self.log.iterate(query, batch)


# What the customer page reads (a customer's request to be forgotten), built once.
REQUEST_OF_CUSTOMER = select(*plain_columns(ForgetRequestRow)).where(
    ForgetRequestRow.__table__.c.customer_id == bindparam("customer_id")
)
