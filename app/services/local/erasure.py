"""Erasure below the rows: what a request to be forgotten leaves in the database's files, and
the clean-up of it.

Rows are erased in the forget's transaction (services/local/inline.py); the bytes of their old
versions can outlive them:

- **SQLite** keeps the old pages in the write-ahead log until a checkpoint, and deleted cells
  in the file's free pages. ``secure_delete`` (on, in db.py) zeroes deleted content as it is
  freed; right after the forget commits, ``wal_checkpoint(TRUNCATE)`` copies the new pages into
  the file and empties the log. When that returns, no copy is left in the file, the ``-wal``
  or the ``-shm``.
- **PostgreSQL** keeps old row versions (dead tuples) in the table and index files until
  VACUUM frees their space and later writes reuse it, and the changes in its WAL until the
  WAL is recycled. After a forget the affected tables are vacuumed in the background (the
  officer does not wait): their dead tuples leave every index and every page's item list, but
  the bytes stay in the files' free space until reused. ``flask --app wsgi privacy compact``
  rewrites the tables (VACUUM FULL: an exclusive lock on each table while it runs, for an
  off-hours job) so that no byte is left in the data files. Backups keep what they held for
  their own retention.

Each request's record says what remains, in words (``forget_requests.residue``).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text, update
from sqlalchemy.exc import DBAPIError

from .models import ForgetRequestRow

# Every table a forget writes (or whose rows it deletes).
AFFECTED_TABLES = (
    "customers",
    "sources",
    "tax_identifiers",
    "tax_certificates",
    "files",
    "audit_events",
    "recent_views",
    "customer_links",
)
CHECKPOINT_ATTEMPTS = 5
# How long each attempt waits for readers (ms): a checkpoint that waits blocks every writer.
CHECKPOINT_WAIT_MS = 200

SQLITE_CLEAN = (
    "No copy is left in the database: its file was rewritten and its write-ahead log "
    "emptied right after the erasure ({when} UTC). Backups keep what they held until their "
    "retention ends."
)
SQLITE_BUSY = (
    "The erased values may remain in the database's write-ahead log until its next "
    "checkpoint: other connections kept reading while it was tried ({when} UTC). Run "
    "`flask --app wsgi privacy compact` to empty it now. Backups keep what they held until "
    "their retention ends."
)
POSTGRES_VACUUMING = (
    "Rows erased. PostgreSQL keeps the bytes of the old row versions in the table files until "
    "VACUUM frees their space and new writes reuse it: a VACUUM of the affected tables started "
    "at {when} UTC. Its write-ahead log keeps them until the log is recycled (after the next "
    "checkpoints), and backups until their retention ends. `flask --app wsgi privacy compact` "
    "rewrites the tables so that no byte is left in them."
)
POSTGRES_VACUUMED = (
    "Rows erased; VACUUM of the affected tables finished at {done} UTC: the old row versions "
    "left every index and page, but their bytes stay in the files' free space until reused. "
    "Their write-ahead log keeps them until it is recycled (after the next checkpoints), and "
    "backups until their retention ends. `flask --app wsgi privacy compact` rewrites the "
    "tables so that no byte is left in them."
)
POSTGRES_VACUUM_FAILED = (
    "Rows erased, but the VACUUM of the affected tables failed ({error}): the bytes of the old "
    "row versions stay in the table files until the next autovacuum and reuse, or until "
    "`flask --app wsgi privacy compact`."
)


def _stamp(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def checkpoint(engine: Engine, attempts: int = CHECKPOINT_ATTEMPTS) -> bool:
    """Empty SQLite's write-ahead log into the file; False when readers kept it from
    completing (after ``attempts`` tries of ``CHECKPOINT_WAIT_MS`` each: while a checkpoint
    waits for readers, writers wait for it, so it never waits long)."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            for attempt in range(attempts):
                busy, _log, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
                time.sleep(0.05 * (attempt + 1))
        finally:
            raw.execute(f"PRAGMA busy_timeout={int(timeout)}")
    return False


class Erasure:
    """Clears what a committed forget left in the database's files (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        # One VACUUM at a time: requests forgotten while one runs wait for the next round.
        self._pending: list[int] = []
        self._thread: threading.Thread | None = None

    def after_forget(self, request_id: int) -> str:
        """Called once the forget committed: clean up, note on the request what remains, and
        return that."""
        now = _utcnow()
        if self.engine.dialect.name == "sqlite":
            residue = (SQLITE_CLEAN if checkpoint(self.engine) else SQLITE_BUSY).format(
                when=_stamp(now)
            )
            self._note(request_id, residue)
            return residue
        residue = POSTGRES_VACUUMING.format(when=_stamp(now))
        self._note(request_id, residue)
        self.queue_vacuum(request_id)
        return residue

    def queue_vacuum(self, request_id: int) -> None:
        """Vacuum for ``request_id`` in the background: in the running round's next one when
        a VACUUM is running (they would only wait for each other, each holding a connection)."""
        with self._lock:
            self._pending.append(request_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._vacuum_rounds, name="forget-vacuum", daemon=True
                )
                self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until the background vacuum is done (tests; a clean shutdown)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _vacuum_rounds(self) -> None:
        """VACUUM once for every request forgotten before the round began, until none waits."""
        while True:
            with self._lock:
                requests, self._pending = self._pending, []
                if not requests:
                    self._thread = None
                    return
            try:
                vacuum(self.engine, full=False)
            except Exception as error:  # noqa: BLE001 - noted on the requests, never raised
                residue = POSTGRES_VACUUM_FAILED.format(error=type(error).__name__)
            else:
                residue = POSTGRES_VACUUMED.format(done=_stamp(_utcnow()))
            for request_id in requests:
                self._note(request_id, residue)

    def _note(self, request_id: int, residue: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(ForgetRequestRow)
                .where(ForgetRequestRow.id == request_id)
                .values(residue=residue)
            )


def vacuum(engine: Engine, *, full: bool) -> None:
    """VACUUM (or VACUUM FULL) the affected tables, outside any transaction (PostgreSQL)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in AFFECTED_TABLES:
            connection.execute(text(f"VACUUM {'FULL ' if full else ''}{table}"))


@dataclass(frozen=True)
class Compaction:
    seconds: float
    what: str


def compact(engine: Engine) -> Compaction:
    """Rewrite what may still hold erased bytes: on PostgreSQL VACUUM FULL of the affected
    tables (and their indexes) and a CHECKPOINT; on SQLite VACUUM of the whole file and an
    emptied write-ahead log. Either locks the tables while it runs."""
    started = time.perf_counter()
    if engine.dialect.name == "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
        checkpoint(engine)
        what = "the database file (VACUUM) and its write-ahead log"
    else:
        vacuum(engine, full=True)
        what = f"the tables {', '.join(AFFECTED_TABLES)} and their indexes (VACUUM FULL)"
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            try:  # superusers and pg_checkpoint members: the WAL can then be recycled
                connection.execute(text("CHECKPOINT"))
                what += ", then a CHECKPOINT"
            except DBAPIError:
                pass
    return Compaction(time.perf_counter() - started, what)
