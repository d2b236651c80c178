"""The PostgreSQL bulk loader: ``COPY`` in one transaction (``FREEZE`` into tables that were
empty).

A big load that at least doubles the customers drops the loaded tables' secondary indexes
(the trigram GIN index among them) and the foreign keys that point at customers, then
recreates them from the definitions PostgreSQL reports, so they stay exactly what the
migrations made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from ..services.audit_chain import BulkChain
from .rows import AUDIT_COLUMNS, TABLES, column_list
from .workers import Plan, batches

_LOADED = tuple(table for table, _ in TABLES)


def load(engine: Engine, plan: Plan, progress: Callable[[int], None] | None) -> None:
    wrapper = engine.raw_connection()
    conn = wrapper.driver_connection
    try:
        with conn.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE")
            _write(cur, plan, progress)
            for table in _LOADED:
                cur.execute(f"ANALYZE {table}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        wrapper.close()


def _write(cur: Any, plan: Plan, progress: Callable[[int], None] | None) -> None:
    existing = cur.execute("SELECT count(*) FROM customers").fetchone()[0]
    taken = {r[0] for r in cur.execute("SELECT id FROM customers")}
    recreate: list[str] = []
    frozen: set[str] = set()
    if plan.bulk and plan.count >= existing:
        recreate = drop_secondary(cur)
        # An empty table truncated in this transaction can take its rows frozen: no hint
        # bits to set or vacuum to run later, index-only scans at once.
        for table in _LOADED:
            if cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
                cur.execute(f"TRUNCATE {table}")
                frozen.add(table)
    statements = [
        f"COPY {table} ({column_list(columns)}) FROM STDIN"
        + (" WITH (FREEZE)" if table in frozen else "")
        for table, columns in TABLES
    ]
    # The head's row lock holds back audited changes until the load commits.
    chain = BulkChain.start(cur, AUDIT_COLUMNS, lock=" FOR UPDATE")
    done = 0
    for batch in batches(plan, taken):
        batch.audit_events = list(chain.extend(batch.audit_events))
        for statement, rows in zip(statements, batch.tables(), strict=True):
            if not rows:
                continue
            with cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        done += len(batch.customers)
        if progress is not None:
            progress(done)
    chain.finish(cur, "%s")
    # The ids were given here: the sequence goes on after them.
    cur.execute(
        "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), max(id)) FROM audit_events"
        " HAVING max(id) IS NOT NULL"
    )
    for sql in recreate:
        cur.execute(sql)


def drop_secondary(cur: Any) -> list[str]:
    """Drop the loaded tables' non-constraint indexes and the foreign keys that point at
    customers; return the statements that put them back exactly as they were."""
    indexes = cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1",
        (list(_LOADED),),
    ).fetchall()
    foreign_keys = cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE confrelid = 'customers'::regclass AND contype = 'f'"
    ).fetchall()
    for table, name, _ in foreign_keys:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [sql for _, sql in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in foreign_keys
    ]
