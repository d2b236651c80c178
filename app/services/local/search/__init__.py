"""Search on the local store: one page of customers for a query, through the indexes.

``search_page(connection, query)`` parses the box's text (``app.services.terms``), lets the
engine's planner (``sqlite.py``, ``postgresql.py``; the cost model is in ``planner.py``) find
the rows, and turns them into a ``SearchPage`` with keyset cursors both ways."""

from __future__ import annotations

from sqlalchemy import Connection

from ...customers import COUNT_CAP, Cursor, SearchPage, SearchQuery
from ...terms import parse_terms
from .common import SUMMARY_COLUMNS, aware, naive_utc, summary_of
from .planner import Planner
from .postgresql import PostgresqlPlanner
from .sqlite import SqlitePlanner

PLANNERS: dict[str, type[Planner]] = {"sqlite": SqlitePlanner, "postgresql": PostgresqlPlanner}


def search_page(connection: Connection, query: SearchQuery) -> SearchPage:
    """The page of customers ``query`` asks for."""
    terms = parse_terms(query.text)
    query = terms.narrow(query)
    planner = PLANNERS[connection.dialect.name](connection, query, terms)
    rows = planner.rows()
    has_more = len(rows) > planner.limit
    rows = rows[: planner.limit]
    backwards = planner.keyset.backwards
    if backwards:
        rows.reverse()
    items = tuple(summary_of(r) for r in rows)
    first = Cursor(items[0].created_time, items[0].id) if items else None
    last = Cursor(items[-1].created_time, items[-1].id) if items else None
    if backwards:
        next_cursor = last if items else None
        prev_cursor = first if has_more else None
    else:
        next_cursor = last if has_more else None
        prev_cursor = first if (query.after is not None and items) else None
    exact = planner.exact_row
    return SearchPage(
        items=items,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        exact_id_match=summary_of(exact) if exact is not None else None,
        notice=terms.notice,
        total=planner.count(COUNT_CAP) if query.count else None,
    )


__all__ = [
    "SUMMARY_COLUMNS",
    "aware",
    "naive_utc",
    "search_page",
    "summary_of",
]
