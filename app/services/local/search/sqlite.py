"""The SQLite planner: an FTS5 trigram table for substrings, btree indexes for the rest.

``customers_fts`` is an external-content FTS5 table with the trigram tokenizer over
``customers.search_text`` (kept in sync by triggers): a quoted phrase query is a substring
test of the lower-cased text, as ``instr()`` is on the row. Email prefixes are a range on the
``(email_lower, created_time, id)`` index (SQLite's LIKE ignores a binary index). Keyset
order walks ``(created_time, id)``.

Probing is cheap here: SQLite counts an index's matches without touching the table, so the
probe asks each index for at most ``FEW + 1`` matches. When none has more, the candidates are
few and are fetched by primary key, filtered and sorted. Otherwise the term is broad: walk
the newest ``WINDOW`` customers, and if they hold fewer than a page, gather the rest from
the customers older than the window (bounded by its edge, so the gather stays small)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select, text

from .common import SUMMARY_COLUMNS, TABLE, Match, email_range, summary_columns
from .planner import Planner, Probe

# At most this many matches per index lookup count as few.
FEW = 2000
# How many of the newest customers a broad term walks before gathering the older ones.
WINDOW = 15000

_FTS_ROWIDS = "SELECT rowid FROM customers_fts WHERE customers_fts MATCH :phrase"


def _phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def _in_fts(needle: str) -> ColumnElement[bool]:
    # unique: a statement may hold several of these (digits and as typed).
    phrase = bindparam("phrase", _phrase(needle), unique=True)
    matches = text(_FTS_ROWIDS).bindparams(phrase)
    return TABLE.pk.in_(matches.columns(TABLE.pk))  # type: ignore[arg-type]


class SqlitePlanner(Planner):
    walk_is_complete = True

    def make_match(self) -> Match:
        return Match(
            terms=self.terms,
            email_prefix=email_range,
            substring_in_row=lambda c, needle: func.instr(c.search_text, needle) > 0,
            substring_in_index=_in_fts,
        )

    def exact(self) -> Any:
        stmt = select(*SUMMARY_COLUMNS, TABLE.pk).where(TABLE.id == self.terms.text)
        return self.connection.execute(stmt).first()

    def probe(self) -> Probe:
        probes: list[Any] = [
            text(_FTS_ROWIDS + " LIMIT :cap").bindparams(phrase=_phrase(n), cap=FEW + 1)
            for n in self.terms.needles
        ]
        probes.append(select(TABLE.pk).where(email_range(self.terms.lowered, TABLE)).limit(FEW + 1))
        pks: set[int] = {self.exact_row.pk} if self.exact_row is not None else set()
        for probe in probes:
            found = self.connection.execute(probe).scalars().all()
            if len(found) > FEW:
                return Probe(window=WINDOW)
            pks.update(found)
        return Probe(few=pks)

    def fetch(self, pks: set[int]) -> list[Any]:
        listed = text("SELECT value FROM json_each(:pks)").bindparams(pks=json.dumps(sorted(pks)))
        # The LIMIT keeps SQLite from merging this into the outer query and then walking an
        # index in order, testing each row.
        candidates = (
            select(*SUMMARY_COLUMNS)
            .where(TABLE.pk.in_(listed.columns(TABLE.pk)))  # type: ignore[arg-type]
            .limit(len(pks) + 1)
            .subquery()
        )
        c = candidates.c
        stmt = select(*summary_columns(c)).where(*self.keyset.wanted(c))
        return list(self.connection.execute(stmt.order_by(*self.keyset.order(c)).limit(self.want)))

    def walk(self, window: int) -> tuple[list[Any], Any]:
        keyset = self.keyset
        # The window's edge first (in the cursor-only index), as a bound.
        edge = self.connection.execute(
            select(TABLE.created_time, TABLE.id)
            .where(*keyset.after_cursor(TABLE))
            .order_by(*keyset.order(TABLE))
            .offset(window - 1)
            .limit(1)
        ).first()
        inside = [] if edge is None else [~keyset.beyond(TABLE, edge)]
        stmt = select(*SUMMARY_COLUMNS).where(
            *keyset.wanted(TABLE), *inside, self.match.row_match(TABLE)
        )
        page = list(self.connection.execute(stmt.order_by(*keyset.order(TABLE)).limit(self.want)))
        return page, edge

    def gather(self, *more: ColumnElement[bool]) -> list[Any]:
        stmt = select(*SUMMARY_COLUMNS).where(
            *self.keyset.wanted(TABLE), *more, self.match.index_match
        )
        stmt = stmt.order_by(*self.keyset.order(TABLE)).limit(self.want)
        return list(self.connection.execute(stmt))


__all__ = ["SqlitePlanner"]
