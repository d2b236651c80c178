"""The SQLite bulk loader: ``executemany`` in one transaction.

A big load replaces the per-row triggers that feed the FTS index with one ``INSERT … SELECT``
per batch (and a bigger in-memory term buffer), and, unless it adds fewer rows than the
tables hold, drops the tables' secondary indexes to build them once at the end (a sorted
build instead of a random insert per row). Triggers and indexes are put back exactly as the
database had stored them, so they stay what the migrations made. When no other connection
has the database open, the load runs with a rollback journal instead of WAL (see
``_leave_wal``); the database is back in WAL mode afterwards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from ..services.audit_chain import BulkChain
from .rows import AUDIT_COLUMNS, TABLES, column_list
from .workers import Plan, batches

_PRAGMAS = ("synchronous", "cache_size", "temp_store", "foreign_keys", "analysis_limit")
_LOADED = tuple(table for table, _ in TABLES)


def load(engine: Engine, plan: Plan, progress: Callable[[int], None] | None) -> None:
    wrapper = engine.raw_connection()
    conn = wrapper.driver_connection
    isolation = conn.isolation_level
    cur = conn.cursor()
    try:
        conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        saved = {name: cur.execute(f"PRAGMA {name}").fetchone()[0] for name in _PRAGMAS}
        # The generated rows are consistent; checking every card's customer costs time.
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-1000000")  # ~1 GB page cache while loading
        cur.execute("PRAGMA temp_store=MEMORY")
        journal = _leave_wal(cur) if plan.bulk else None
        cur.execute("BEGIN IMMEDIATE")
        try:
            existing = _write(cur, plan, progress)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        if plan.count * 5 >= existing:
            # Fresh planner statistics after growing the table by a fifth or more (ANALYZE
            # takes about a second for a million customers).
            cur.execute("PRAGMA analysis_limit=0")
            cur.execute("ANALYZE")
        for name, value in saved.items():
            cur.execute(f"PRAGMA {name}={int(value)}")
        if journal is not None:
            cur.execute(f"PRAGMA journal_mode={journal}")
    finally:
        cur.close()
        conn.isolation_level = isolation
        wrapper.close()


def _leave_wal(cur: Any) -> str | None:
    """Switch a WAL database to a rollback journal for the load, when nobody else has it
    open; return the mode to restore. In WAL mode a big transaction writes every page twice
    (to the log, then into the file at the checkpoint); with a rollback journal the new
    pages go straight into the file (about 4 s less for a million customers)."""
    if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return None
    timeout = cur.execute("PRAGMA busy_timeout").fetchone()[0]
    cur.execute("PRAGMA busy_timeout=0")
    try:
        switched = cur.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    except sqlite3.OperationalError:  # another connection has it open: stay in WAL
        switched = False
    finally:
        cur.execute(f"PRAGMA busy_timeout={int(timeout)}")
    return "WAL" if switched else None


def _write(cur: Any, plan: Plan, progress: Callable[[int], None] | None) -> int:
    """Insert the load's rows; return how many customers there were before."""
    existing = cur.execute("SELECT count(*) FROM customers").fetchone()[0]
    taken = {r[0] for r in cur.execute("SELECT id FROM customers")}
    triggers = fts_triggers(cur) if plan.bulk else []
    indexes = secondary_indexes(cur) if plan.bulk and plan.count >= existing else []
    for name, _ in triggers:
        cur.execute(f'DROP TRIGGER "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    if triggers:
        _fts_setting(cur, "hashsize", 64 * 1024 * 1024)
    last_pk = cur.execute("SELECT coalesce(max(pk), 0) FROM customers").fetchone()[0]
    statements = [
        f"INSERT INTO {table} ({column_list(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for table, columns in TABLES
    ]
    chain = BulkChain.start(cur, AUDIT_COLUMNS)
    done = 0
    for batch in batches(plan, taken):
        batch.audit_events = list(chain.extend(batch.audit_events))
        for statement, rows in zip(statements, batch.tables(), strict=True):
            if rows:
                cur.executemany(statement, rows)
        if triggers:
            # New rows get rowids above every earlier one.
            cur.execute(
                "INSERT INTO customers_fts(rowid, search_text) "
                "SELECT pk, search_text FROM customers WHERE pk > ?",
                (last_pk,),
            )
            last_pk = cur.execute("SELECT max(pk) FROM customers").fetchone()[0]
        done += len(batch.customers)
        if progress is not None:
            progress(done)
    chain.finish(cur, "?")
    if triggers:
        _fts_setting(cur, "hashsize", 1024 * 1024)
    for _, sql in indexes + triggers:
        cur.execute(sql)
    return existing


def _fts_setting(cur: Any, name: str, value: int) -> None:
    cur.execute("INSERT INTO customers_fts(customers_fts, rank) VALUES(?, ?)", (name, value))


def fts_triggers(cur: Any) -> list[tuple[str, str]]:
    """The triggers that keep customers_fts in step with customers, as (name, SQL) exactly as
    the database stored them (so putting them back restores the migration's definitions)."""
    if not cur.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customers_fts'"
    ).fetchone():
        return []
    rows = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customers' "
        "AND sql IS NOT NULL"
    ).fetchall()
    return [(name, sql) for name, sql in rows if "customers_fts" in sql]


def secondary_indexes(cur: Any) -> list[tuple[str, str]]:
    """The loaded tables' own indexes (not those of their primary keys and unique columns),
    as (name, SQL) exactly as stored."""
    marks = ", ".join("?" * len(_LOADED))
    return cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        _LOADED,
    ).fetchall()
