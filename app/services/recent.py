"""The customers each staff member opened lately, kept server-side (they follow the person from
machine to machine) for the "Recently viewed" list of the empty search page.

Opening a customer page must not make every page view a write: a view is noted in memory and
the notes are written in one transaction when the list is next read, or by the first request
that ends a second or more after the oldest note (``flush_if_due``), or when the process
exits. Asking for a customer to be forgotten removes them from every list
(``forget.claim``); a note written after that is dropped (another process may still have held
it in memory)."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import threading
import time
import weakref
from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    String,
    bindparam,
    delete,
    exists,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from .local.db import read_connection
from .local.models import ForgetRequestRow, RecentViewRow

KEPT = 10  # per staff member
FLUSH_AFTER = 1.0  # seconds a note may wait in memory
# The statuses of a request to be forgotten after which no view of the customer is kept.
FORGETTING = ("pending", "requested", "erased", "unknown")

_VIEWS = RecentViewRow.__table__
_NEWEST = (
    select(_VIEWS.c.customer_id, _VIEWS.c.viewed_time)
    .where(_VIEWS.c.staff_id == bindparam("sid"))
    .order_by(_VIEWS.c.viewed_time.desc(), _VIEWS.c.customer_id)
    .limit(KEPT)
)
_FORGOTTEN = exists().where(
    ForgetRequestRow.__table__.c.customer_id == bindparam("cid"),
    ForgetRequestRow.__table__.c.status.in_(FORGETTING),
)
# Move an existing view to now, or add one, unless the customer is being forgotten.
_TOUCH = (
    update(_VIEWS)
    .where(
        _VIEWS.c.staff_id == bindparam("sid"),
        _VIEWS.c.customer_id == bindparam("cid"),
        ~_FORGOTTEN,
    )
    .values(viewed_time=bindparam("viewed"))
)
_ADD = insert(_VIEWS).from_select(
    ["staff_id", "customer_id", "viewed_time"],
    select(
        type_coerce(bindparam("sid"), BigInteger),
        type_coerce(bindparam("cid"), String(40)),
        type_coerce(bindparam("viewed"), DateTime),
    ).where(~_FORGOTTEN),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class RecentViews:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        # Per staff member, their newest KEPT views (insertion order is recency): older ones
        # would be trimmed when written, so they are never kept.
        self._notes: dict[int, dict[str, dt.datetime]] = {}
        self._oldest: float | None = None
        atexit.register(_flush_at_exit, weakref.ref(self))

    def record(self, staff_id: int, customer_id: str) -> None:
        """Note that the staff member opened the customer (no database work)."""
        with self._lock:
            mine = self._notes.setdefault(staff_id, {})
            mine.pop(customer_id, None)
            mine[customer_id] = _now()
            if len(mine) > KEPT:
                del mine[next(iter(mine))]
            if self._oldest is None:
                self._oldest = self._clock()

    def flush_if_due(self) -> None:
        """Write the notes when the oldest has waited FLUSH_AFTER seconds."""
        oldest = self._oldest
        if oldest is not None and self._clock() - oldest >= FLUSH_AFTER:
            self.flush()

    def flush(self) -> None:
        """Write every note in one transaction, keeping the newest KEPT per staff member."""
        with self._lock:
            notes, self._notes, self._oldest = self._notes, {}, None
        if not notes:
            return
        try:
            with self.engine.begin() as connection:
                # Writes only (no read first): on SQLite the first statement takes the write
                # lock, waiting for another writer rather than failing on a stale snapshot.
                # In key order, so two processes flushing at once never wait on each other
                # in a circle.
                for staff_id, mine in sorted(notes.items()):
                    for customer_id, viewed in sorted(mine.items()):
                        values = {"sid": staff_id, "cid": customer_id, "viewed": viewed}
                        if connection.execute(_TOUCH, values).rowcount == 0:
                            connection.execute(_ADD, values)
                for staff_id in sorted(notes):
                    kept = _NEWEST.with_only_columns(_VIEWS.c.customer_id)
                    connection.execute(
                        delete(_VIEWS).where(
                            _VIEWS.c.staff_id == staff_id,
                            _VIEWS.c.customer_id.not_in(kept.params(sid=staff_id)),
                        )
                    )
        except SQLAlchemyError:
            # The list is a convenience: a failed write (a lock, an outage) must not fail the
            # request that happened to flush; the notes are given back for the next try.
            with self._lock:
                for staff_id, mine in notes.items():
                    for customer_id, viewed in mine.items():
                        self._notes.setdefault(staff_id, {}).setdefault(customer_id, viewed)
                if self._oldest is None:
                    self._oldest = self._clock()

    def newest(self, staff_id: int) -> list[tuple[str, dt.datetime]]:
        """The staff member's latest KEPT customers (id, when), newest first."""
        self.flush()
        with read_connection(self.engine) as connection:
            rows = connection.execute(_NEWEST, {"sid": staff_id}).all()
        return [(row.customer_id, row.viewed_time.replace(tzinfo=dt.UTC)) for row in rows]


def _flush_at_exit(ref: weakref.ref[RecentViews]) -> None:
    views = ref()
    if views is not None:
        with contextlib.suppress(Exception):  # the interpreter is going away; nothing to tell
            views.flush()


__all__ = ["FLUSH_AFTER", "KEPT", "RecentViews"]
