"""Loading demo customers into the local store, fast enough for a million in under a minute.

Rows are generated as plain tuples (for a big load in two worker processes) and written with
the driver directly, in one transaction: all or nothing. How each engine takes them in bulk
is in ``sqlite`` and ``postgresql``; both run ANALYZE afterwards.

Where a million customers' time goes, on two cores: building the pools ~2.5 s (here, while
the workers start); generating ~27 µs a customer (in the workers); storing, on SQLite, ~25 µs
a customer (half of it for the FTS index) and ~7 s for the indexes and the commit at the end;
on PostgreSQL the server's COPY, and ~13 s for the trigram GIN index at the end. The load is
CPU-bound: with the machine otherwise idle it takes ~45-55 s on either engine.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import Engine

from . import postgresql, sqlite
from .pools import pool_size
from .workers import Plan

BATCH_SIZE = 20_000
# A "big" load: at least this many customers. Smaller ones go in through the indexes and
# triggers as they are.
BULK_MIN_ROWS = 20_000
# From this many customers on, worker processes generate rows while this one writes them.
PARALLEL_MIN_ROWS = 50_000
# Loads up to this many customers get every customer's history in the audit trail; bigger
# ones that of about this many (and every disable and forget event).
FULL_HISTORY_MAX = 50_000


def plan(count: int, seed: int) -> Plan:
    return Plan(
        count=count,
        seed=seed,
        batch_size=BATCH_SIZE,
        pool_size=pool_size(count),
        history_share=min(1.0, FULL_HISTORY_MAX / count),
        bulk=count >= BULK_MIN_ROWS,
        parallel=count >= PARALLEL_MIN_ROWS,
    )


def seed_customers(
    engine: Engine,
    count: int,
    *,
    random_seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``count`` demo customers to the local store; return how many were added.

    ``progress(n)`` is called after each batch with the number of customers loaded so far.
    Works on an empty table or appends to one that already has rows (never reusing one of
    their ids). The load is one transaction: it adds everything or nothing, the customers'
    cards, VAT numbers, certificates and audit events with them. The same ``random_seed``
    and ``count`` give the same customers (apart from times, which are relative to now).
    """
    if count <= 0:
        return 0
    seed = random_seed if random_seed is not None else random.SystemRandom().getrandbits(64)
    loaders = {"sqlite": sqlite.load, "postgresql": postgresql.load}
    load = loaders.get(engine.dialect.name)
    if load is None:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ValueError(f"Seeding is not supported on {engine.dialect.name!r}.")
    load(engine, plan(count, seed), progress)
    return count
