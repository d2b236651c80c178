"""Engine and session factory for the local store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session


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
            # Zero deleted and overwritten content, free pages included, so that erased
            # personal data does not linger in the file's free space (local/erasure.py).
            cursor.execute("PRAGMA secure_delete=ON")
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


class ConnectionScope:
    """One database connection for a unit of work (a web request): every session the
    services open for ``engine`` while the scope is active uses it, one after another, so a
    page that makes several service calls checks a connection out of the pool (and, on
    PostgreSQL, pings it) once. The connection is opened on first use: a request that needs
    no database never touches it.

    On PostgreSQL the scope's plain reads run in autocommit: at READ COMMITTED (the default)
    every statement sees the data committed when it starts, in a transaction or not, so a
    BEGIN and a ROLLBACK would only add two round trips to each page. Reads that need a
    transaction (settings for it) and sessions (every write) get one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._autocommit = False

    def connection_for(self, engine: Engine) -> Connection | None:
        if engine is not self.engine:
            return None
        if self._connection is None or self._connection.closed:
            self._connection = engine.connect()
            self._autocommit = False
        return self._connection

    def prepare(self, connection: Connection, *, transaction: bool) -> None:
        """Make ``connection`` (this scope's) ready for reads without a transaction, or for
        work in one, ending what was open before when that changes."""
        want_autocommit = not transaction and connection.dialect.name == "postgresql"
        if want_autocommit == self._autocommit:
            return
        if connection.in_transaction():
            connection.rollback()
        level = "AUTOCOMMIT" if want_autocommit else connection.default_isolation_level
        connection.execution_options(isolation_level=level)
        self._autocommit = want_autocommit

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_scope: ContextVar[ConnectionScope | None] = ContextVar("desk_connection_scope", default=None)


@contextmanager
def connection_scope(engine: Engine) -> Iterator[ConnectionScope]:
    """Share one connection among the sessions opened inside (see ConnectionScope)."""
    scope = open_scope(engine)
    try:
        yield scope
    finally:
        close_scope(scope)


def open_scope(engine: Engine) -> ConnectionScope:
    """Start a scope (for frameworks whose hooks open and close it in separate calls)."""
    scope = ConnectionScope(engine)
    _scope.set(scope)
    return scope


def close_scope(scope: ConnectionScope) -> None:
    if _scope.get() is scope:
        _scope.set(None)
    scope.close()


@contextmanager
def read_connection(engine: Engine, *, transaction: bool = False) -> Iterator[Connection]:
    """A connection to read with, without an ORM session: inside a scope the scope's own
    (in autocommit on PostgreSQL unless ``transaction``; else in one read transaction that
    lasts until the next write or the end of the scope), so a page's reads cost no BEGIN per
    service call; outside a scope a connection of its own, closed afterwards. A failed
    statement ends the transaction, so the next read does not find it aborted."""
    scope = _scope.get()
    connection = scope.connection_for(engine) if scope is not None else None
    if scope is None or connection is None:
        with engine.connect() as own:
            yield own
        return
    scope.prepare(connection, transaction=transaction)
    try:
        yield connection
    except BaseException:
        if connection.in_transaction():
            connection.rollback()
        raise


class SessionFactory:
    """Sessions on ``engine``, or on the active scope's connection when there is one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> Session:
        scope = _scope.get()
        connection = scope.connection_for(self.engine) if scope is not None else None
        if scope is not None and connection is not None:
            scope.prepare(connection, transaction=True)
            if connection.in_transaction():
                # Something left a transaction open on the shared connection: end it, so
                # this session's commit is a real one.
                connection.rollback()
        return Session(bind=connection or self.engine, expire_on_commit=False)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in a transaction, committed at the end (rolled back on an error)."""
        with self() as session, session.begin():
            yield session


def make_session_factory(engine: Engine) -> SessionFactory:
    return SessionFactory(engine)


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
