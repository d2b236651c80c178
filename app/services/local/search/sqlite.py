"""The SQLite planner: an FTS5 trigram table for substrings, btree indexes for the rest.

``customers_fts`` is an external-content FTS5 table with the trigram tokenizer over
``customers.search_text`` (kept in sync by triggers): a quoted phrase query is a substring
test of the lower-cased text, as ``instr()`` is on the row. Email prefixes are a range on the
``(email_lower, created_time, id)`` index (SQLite's LIKE ignores a binary index). Keyset
order walks ``(created_time, id)``.

Probing is cheap here: SQLite counts an index's matches without touching the table, so the
probe asks each index for at most ``FEW + 1`` matches (FTS5 for the rare part of each needle,
``trigrams.rare_part``). When none has more, the candidates are few: their keys are tested
and sorted, counted on the way, and the page's summaries read. Otherwise the term is broad:
walk the newest customers, as many as the share its lookup was found at says a few pages
take, and if they hold fewer than a page, gather the rest from the customers older than
the window (bounded by its edge, so the gather stays small). A walk that filled a page
soon enough says "more than 1,000" without counting (``at_least``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    column,
    func,
    literal,
    select,
    table,
    text,
)

from ...terms import LOOKUP_LENGTH, Way
from ..models import CustomerRow
from .common import SUMMARY_COLUMNS, TABLE, Match, email_range, filter_conditions
from .planner import Planner, Probe, at_least_matching
from .trigrams import SHARES, rare_part

# At most this many matches per index lookup count as few.
FEW = 2000
# How many of the newest customers a broad term walks before gathering the older ones: as
# many as hold a few pages at the share of customers its index lookups found (FTS5 returns
# rowids in order, so the first ``FEW + 1`` of them say how dense they are), within bounds;
# ``WINDOW`` where that share is not known.
WINDOW = 15000
MIN_WINDOW = 4000
MAX_WINDOW = 45000
PAGES_AHEAD = 3

_FTS_ROWIDS = "SELECT rowid FROM customers_fts WHERE customers_fts MATCH :phrase"
_FTS = table("customers_fts", column("rowid"))


# Built once: the customer whose id is the term; the probes of one index each.
_EXACT = select(*SUMMARY_COLUMNS, TABLE.pk).where(TABLE.id == bindparam("term"))
_FTS_PROBE = text(_FTS_ROWIDS + " LIMIT :cap")
_EMAIL_PROBE = (
    select(TABLE.pk)
    .where(TABLE.email_lower >= bindparam("low"), TABLE.email_lower < bindparam("high"))
    .limit(bindparam("cap"))
)
_ID_PROBE = select(TABLE.pk).where(TABLE.id == bindparam("term"))
# A list of primary keys, passed as JSON.
_PKS = text("SELECT value FROM json_each(:pks)").columns(TABLE.pk)


def _phrase(needles: tuple[str, ...]) -> str:
    """An FTS5 query for rows holding every needle (trigram phrases are substrings)."""
    return " AND ".join('"' + n.replace('"', '""') + '"' for n in needles)


def _in_fts(needles: tuple[str, ...]) -> ColumnElement[bool]:
    # unique: a statement may hold several of these (digits and as typed).
    phrase = bindparam("phrase", _phrase(needles), unique=True)
    matches = text(_FTS_ROWIDS).bindparams(phrase)
    return TABLE.pk.in_(matches.columns(TABLE.pk))  # type: ignore[arg-type]


def _way_probe(way: Way, match: Match) -> tuple[Any, dict[str, Any]]:
    """The statement (and parameters) that finds a way's candidates in its index."""
    if way.kind == "id":
        return _ID_PROBE, {"term": way.value}
    if way.kind == "email_prefix":
        # email_range's bounds.
        return _EMAIL_PROBE, {"low": way.value, "high": way.value + "\U0010ffff"}
    return _FTS_PROBE, {"phrase": _phrase(match.lookup(way))}


class SqlitePlanner(Planner):
    walk_is_complete = True
    # The last row of a page a walk filled (for ``at_least``).
    filled_at: Any = None

    def make_match(self) -> Match:
        shares = SHARES.of(self.connection)

        def lookup(way: Way) -> tuple[str, ...]:
            if not shares:
                return way.lookup
            return tuple(rare_part(n, shares, LOOKUP_LENGTH) for n in way.needles)

        return Match(
            terms=self.terms,
            find=func.instr,
            email_prefix=email_range,
            contains=lambda c, needle: func.instr(c.search_text, needle) > 0,
            text_lookup=_in_fts,
            lookup=lookup,
        )

    def exact(self) -> Any:
        term = self.terms.exact_id
        return None if term is None else self.connection.execute(_EXACT, {"term": term}).first()

    def probe(self) -> Probe:
        """Each clause's candidates, through its ways' indexes, at most ``FEW`` per way: the
        clause with the fewest holds every match. When every clause has more, the terms are
        broad: walk, as far as the sparsest clause's share says a few pages take."""
        narrowest: set[int] | None = None
        sparsest: float | None = None  # the lowest share of customers a clause was seen at
        known = True
        for clause in self.terms.clauses:
            pks: set[int] | None = set()
            for way in clause.ways:
                statement, params = _way_probe(way, self.match)
                found = self.connection.execute(statement, {**params, "cap": FEW + 1}).scalars()
                found = found.all()
                if len(found) > FEW:
                    self.overflow = max(self.overflow, len(found))
                    pks = None
                    if statement is _FTS_PROBE and self.match.lookup(way) == way.needles:
                        # At least this dense: the clause matches this way or another. (A
                        # part of a needle can be far denser than the needle is.)
                        share = len(found) / max(found[-1], 1)
                        sparsest = share if sparsest is None else min(sparsest, share)
                    else:
                        known = False
                    break
                pks.update(found)  # type: ignore[union-attr]
            if pks is not None and (narrowest is None or len(pks) < len(narrowest)):
                narrowest = pks
        if narrowest is None:
            if not known or sparsest is None:
                return Probe(window=WINDOW)
            ahead = PAGES_AHEAD * self.want / sparsest
            return Probe(window=int(min(MAX_WINDOW, max(MIN_WINDOW, ahead))))
        self.candidates = narrowest
        return Probe(few=narrowest)

    def count(self, cap: int) -> int:
        """As the planner counts, except for terms every clause of which is broad and whose
        index lookups find more than match (a qualifier's substring found in other fields
        too): there every match matches some way of the first clause, so each of its ways
        is followed through its own index (the FTS table driving a join, so it stops at the
        cap) and the matches found are counted, never more than ``cap + 1``."""
        conditions = filter_conditions(self.query)
        quick = self.overflow > cap and not conditions and self.match.index_is_exact
        if self.candidates is not None or self.terms.is_empty or quick:
            return super().count(cap)
        if not conditions and self.at_least() > cap:
            return cap + 1
        conditions.append(self.match.row_match(TABLE))
        found: set[int] = set()
        for way in self.terms.clauses[0].ways:
            if way.kind == "text":
                stmt = (
                    select(TABLE.pk)
                    .select_from(_FTS.join(CustomerRow.__table__, TABLE.pk == _FTS.c.rowid))
                    .where(text("customers_fts MATCH :phrase"), *conditions)
                )
                params = {"phrase": _phrase(self.match.lookup(way))}
            else:
                stmt, params = select(TABLE.pk).where(self.match.way_on_row(way, TABLE)), {}
                stmt = stmt.where(*conditions)
            found.update(self.connection.execute(stmt.limit(cap + 1), params).scalars())
            if len(found) > cap:
                return cap + 1
        return len(found)

    def at_least(self) -> float:
        """How many customers at least match, by the share of them a walk that filled a page
        passed (counted in the keyset index, from the cursor to the page's last row), two
        standard deviations below it (``at_least_matching``), of the customers there are
        (the range of primary keys); 0 when no walk filled a page."""
        if self.filled_at is None:
            return 0.0
        keyset = self.keyset
        walked, low, high = self.connection.execute(
            select(
                select(func.count())
                .where(*keyset.after_cursor(TABLE), ~keyset.beyond(TABLE, self.filled_at))
                .scalar_subquery(),
                select(func.min(TABLE.pk)).scalar_subquery(),
                select(func.max(TABLE.pk)).scalar_subquery(),
            )
        ).one()
        return at_least_matching(self.want, walked, high - low + 1)

    def fetch(self, pks: set[int]) -> list[Any]:
        """The page among the candidates ``pks``, and how many of them pass the filters and
        match (so the count need not test them again). First only the keys, in page order:
        the candidates the cursor has passed sort last, so the count covers them too (the
        window function also keeps the candidates driving the query); then the page's
        summaries."""
        keyset = self.keyset
        passed = keyset.after_cursor(TABLE)
        behind = case((and_(*passed), 0), else_=1) if passed else literal(0)
        stmt = select(TABLE.pk, behind.label("behind"), func.count().over().label("matched"))
        stmt = stmt.where(TABLE.pk.in_(_PKS), *filter_conditions(self.query))
        if not self.match.index_is_exact:
            stmt = stmt.where(self.match.row_match(TABLE))
        stmt = stmt.order_by(behind, *keyset.order(TABLE)).limit(self.want)
        keys = list(self.connection.execute(stmt, {"pks": json.dumps(sorted(pks))}))
        self.matched = keys[0].matched if keys else 0
        page = [k.pk for k in keys if k.behind == 0]
        if not page:
            return []
        return list(
            self.connection.execute(
                select(*SUMMARY_COLUMNS).where(TABLE.pk.in_(_PKS)).order_by(*keyset.order(TABLE)),
                {"pks": json.dumps(page)},
            )
        )

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
        if len(page) >= self.want:
            self.filled_at = page[-1]
        return page, edge

    def gather(self, *more: ColumnElement[bool]) -> list[Any]:
        stmt = select(*SUMMARY_COLUMNS).where(
            *self.keyset.wanted(TABLE), *more, self.match.index_match
        )
        stmt = stmt.order_by(*self.keyset.order(TABLE)).limit(self.want)
        return list(self.connection.execute(stmt))


__all__ = ["SqlitePlanner"]
