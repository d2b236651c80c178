"""The PostgreSQL planner: a pg_trgm GIN index for substrings, btree indexes for the rest.

``ix_customers_search_trgm`` (GIN, ``gin_trgm_ops``) serves ``search_text LIKE '%…%'``;
email prefixes are ``LIKE 'prefix%'`` on the ``text_pattern_ops`` email index; keyset order
walks ``(created_time, id)``. A row is tested with ``strpos``, which no index serves: a walk
stays a walk, and costs less than ``LIKE`` would.

PostgreSQL's own choice between walking and gathering leans on statistics that cannot know a
term, so the planner makes it: the first round trip fetches the exact id, the table's size
estimate (``reltuples``) and settles three settings for the transaction
(``force_custom_plan``, as psycopg prepares statements it sees repeatedly and a generic plan
cannot see the term; ``enable_seqscan`` off, so gathering uses the indexes however many
matches the statistics guess; no parallel workers, whose start costs more than a page). The
probe then walks the newest ``WINDOW`` customers: a full page there is the answer; otherwise
the share of matches in the window prices walking on (a row per customer passed) against
gathering (a dearer heap fetch per match, ``share × table size``). A gather is one bitmap
scan over every way's index (``Match.index_test``) that counts what it found, so the count
does not look the matches up again."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, func, literal_column, select

from ...customers import SearchQuery
from ...terms import SearchTerms
from ..models import CustomerRow
from .common import (
    SUMMARY_COLUMNS,
    TABLE,
    Match,
    filter_conditions,
    like_escape,
    summary_columns,
)
from .planner import Planner, Probe, at_least_matching

# The first window walked, to learn how common matches are (a walked row costs about 1 µs
# here: a narrow term pays for this window before the indexes are asked).
WINDOW = 1000
# A broad term (a page within the first window) is counted by walking at most this many of
# the newest customers: a term that common has more than a thousand matches among them.
COUNT_WALK = 6000
# A gathered match costs about this many walked rows (a heap fetch and a recheck against an
# index step and a strpos; measured at 1M customers).
GATHER_COST = 6
# Walking on is bounded: at most this many rows more than the first window.
MAX_FURTHER = 24000


def _email_prefix(prefix: str, c: Any) -> ColumnElement[bool]:
    return c.email_lower.like(like_escape(prefix) + "%", escape="\\")


def _like(c: Any, needle: str) -> ColumnElement[bool]:
    """A substring as the trigram index answers it."""
    return c.search_text.like("%" + like_escape(needle) + "%", escape="\\")


def _contains(c: Any, needle: str) -> ColumnElement[bool]:
    """A substring tested on a row: ``strpos`` searches for it, where ``LIKE '%…%'`` tries
    a match at every character (and no index can serve it, so it never turns a walk into a
    gather behind the planner's back)."""
    return func.strpos(c.search_text, needle) > 0


# Built once: the customer whose id is the term (or a row of NULLs), the table's size
# estimate, and the transaction's settings.
_EXACT = select(
    func.set_config("plan_cache_mode", "force_custom_plan", True),
    func.set_config("enable_seqscan", "off", True),
    func.set_config("max_parallel_workers_per_gather", "0", True),
    literal_column("(SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass)").label(
        "total"
    ),
    *summary_columns(TABLE),
    TABLE.pk,
).select_from(
    select(literal_column("1").label("one"))
    .subquery()
    .outerjoin(CustomerRow.__table__, TABLE.id == bindparam("term"))
)


class PostgresqlPlanner(Planner):
    def __init__(self, connection: Connection, query: SearchQuery, terms: SearchTerms) -> None:
        super().__init__(connection, query, terms)
        self.total = 0.0
        # Whether the probe found a page within its first window (a broad term).
        self.broad = False
        # What the first window's share of matches says at least match, when it says.
        self.at_least = 0.0

    def make_match(self) -> Match:
        return Match(
            terms=self.terms,
            find=func.strpos,
            email_prefix=_email_prefix,
            contains=_contains,
            text_lookup=lambda needles: and_(*(_like(TABLE, n) for n in needles)),
        )

    def exact(self) -> Any:
        """One round trip: the exact id, the table's size estimate, and the settings."""
        row = self.connection.execute(_EXACT, {"term": self.terms.exact_id or ""}).one()
        self.total = row.total
        return row if row.id is not None else None

    def _probe(self) -> Probe:
        rows, _ = self.walk(WINDOW)
        hits = len(rows)
        if hits >= self.want:
            return Probe(page=rows)
        if not hits:
            return Probe()
        # Walking on is priced at a share one standard deviation below the window's (Poisson):
        # a walk that runs out costs its length and the gather it avoided.
        low = (hits - math.sqrt(hits)) / WINDOW
        if low <= 0:
            return Probe()
        to_walk = (self.want - hits) / low
        to_gather = hits / WINDOW * max(self.total, WINDOW)
        if to_walk < GATHER_COST * to_gather:
            # Room for more bad luck, within bounds: matches cluster.
            return Probe(window=WINDOW + int(min(1.5 * to_walk + WINDOW, MAX_FURTHER)))
        return Probe()

    def probe(self) -> Probe:
        found = self._probe()
        self.broad = found.page is not None
        return found

    def count(self, cap: int) -> int:
        """A term whose first window holds enough matches that far more than ``cap`` match
        in all (``at_least``) is "more than ``cap``" at once; a broad one is counted by
        walking the newest customers (the trigram index would read hundreds of thousands of
        postings to say "more than a thousand"); otherwise, or when the walk finds no more
        than ``cap``, through the indexes as the planner counts."""
        if self.at_least > cap:
            return cap + 1
        if self.matched is not None:
            return min(self.matched, cap + 1)
        if not self.broad:
            return self._indexed_count(cap)
        walked = (
            select(TABLE.email_lower, TABLE.search_text, TABLE.id)
            .where(*filter_conditions(self.query))
            .order_by(*self.keyset.order(TABLE))
            .limit(COUNT_WALK)
            .subquery()
        )
        matching = select(walked.c.id).where(self.match.row_match(walked.c)).limit(cap + 1)
        seen = int(
            self.connection.execute(
                select(func.count()).select_from(matching.subquery())
            ).scalar_one()
        )
        return seen if seen > cap else self._indexed_count(cap)

    def _indexed_count(self, cap: int) -> int:
        conditions = filter_conditions(self.query)
        matching = select(TABLE.pk)
        if self.terms.is_empty:
            # Filters alone: walking the newest through their index (a partial one for the
            # disabled and the forgotten) beats a scan of the table.
            matching = matching.order_by(*self.keyset.order(TABLE))
        else:
            conditions.append(self.match.index_test)
        matching = matching.where(*conditions)
        counted = select(func.count()).select_from(matching.limit(cap + 1).subquery())
        return int(self.connection.execute(counted).scalar_one())

    def walk(self, window: int) -> tuple[list[Any], Any]:
        keyset = self.keyset
        # The LIMIT keeps PostgreSQL walking in order, rather than gathering every match
        # through the trigram index first; ``walked`` is where each row stands in the walk.
        walked = (
            select(
                *SUMMARY_COLUMNS,
                TABLE.email_lower,
                TABLE.search_text,
                func.row_number().over(order_by=keyset.order(TABLE)).label("walked"),
            )
            .where(*keyset.wanted(TABLE))
            .order_by(*keyset.order(TABLE))
            .limit(window)
            .subquery()
        )
        stmt = select(*summary_columns(walked.c), walked.c.walked)
        stmt = stmt.where(self.match.row_match(walked.c))
        stmt = stmt.order_by(*keyset.order(walked.c)).limit(self.want)
        rows = list(self.connection.execute(stmt))
        self._estimate(len(rows), rows[-1].walked if len(rows) >= self.want else window)
        return rows, None

    def _estimate(self, hits: int, walked: int) -> None:
        """What ``hits`` matches among ``walked`` customers say at least match in all. Only
        without filters: the share is of the customers that pass them, the size the table's."""
        if not filter_conditions(self.query):
            found = at_least_matching(hits, walked, self.total)
            self.at_least = max(self.at_least, found)

    def gather(self, *more: ColumnElement[bool]) -> list[Any]:
        """Every match through the indexes (materialised, so the planner cannot walk the
        table in order instead), the page from them, and how many there are (which the
        count then need not look up again): with no window bound, the cursor applies to
        the page, not to the matches counted."""
        bound = [*more, *self.keyset.after_cursor(TABLE)] if more else []
        found = (
            select(*SUMMARY_COLUMNS)
            .where(*filter_conditions(self.query), *bound, self.match.index_test)
            .cte("found")
            .prefix_with("MATERIALIZED")
        )
        matched = select(func.count()).select_from(found).scalar_subquery()
        stmt = select(*summary_columns(found.c), matched.label("matched"))
        if not more:
            stmt = stmt.where(*self.keyset.after_cursor(found.c))
        stmt = stmt.order_by(*self.keyset.order(found.c)).limit(self.want)
        rows = list(self.connection.execute(stmt))
        if not more and (rows or not self.keyset.after_cursor(TABLE)):
            self.matched = rows[0].matched if rows else 0
        return rows


__all__ = ["PostgresqlPlanner"]
