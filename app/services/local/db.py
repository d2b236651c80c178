"""Engine and session factory for the local store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, a busy timeout) or PostgreSQL."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, hide_parameters=True, **kwargs)
        _owner_only(engine.url.database)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")
            # Zero deleted and overwritten content where that costs no extra I/O, so that
            # erased personal data does not linger in the file's free space.
            cursor.execute("PRAGMA secure_delete=FAST")
            cursor.close()

        return engine
    # pre-ping: a connection that died with the server is replaced, so the pool recovers by
    # itself when the database is back. Statement parameters are personal data: errors and
    # logs never show them.
    return create_engine(
        url,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"connect_timeout": 5},
        **kwargs,
    )


def _owner_only(path: str | None) -> None:
    """Create the SQLite file readable and writable by its owner only (it holds personal
    data and uploaded certificates); SQLite gives its -wal and -shm files the same mode."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def write_session(sessions: Callable[[], Session]) -> Iterator[Session]:
    """A session whose transaction holds the database's write lock from its first statement.

    PostgreSQL locks the customer's row (``SELECT … FOR UPDATE``) when a change reads it. SQLite
    has no row locks, and Python's sqlite3 opens a transaction only at the first write, so two
    changes could both read the same version and both write: ``BEGIN IMMEDIATE`` takes the
    write lock before anything is read (waiting, up to the busy timeout, for another writer to
    finish), so every read-check-write of a change sees the latest data and no other change
    slips in between. Readers are never blocked (WAL)."""
    with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("BEGIN IMMEDIATE"))
        yield session
