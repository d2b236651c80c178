"""The search planner: which way to the first page of matches, and why.

A page is the ``limit`` newest customers (in keyset order) that pass the filters and match the
terms. There are two ways to find them, and each engine's planner offers both:

* **Walk**: read customers in page order through the ``(created_time, id)`` index and test
  each one (``Match.row_match``) until a page is full. It costs one index step per customer
  passed, so it is cheap when matches are common: a few letters of a common name match one
  customer in tens, and a page is found within a few hundred rows. It is ruinous when matches
  are rare: a term that matches nobody walks the whole table.
* **Gather**: look every match up through the indexes (``Match.index_match``: the trigram
  index, the email index, the id), then sort them and keep a page. It costs one (dearer)
  heap fetch per match plus the sort, so it is cheap when matches are few and dear when a
  broad term matches tens of thousands.

Which is cheaper depends on how many customers match, which only the data can tell. So the
planner first **probes** (each engine in the way it does cheaply; see ``probe``):

* SQLite counts matches in its indexes up to a cap: at most ``cap`` means *few*, and those
  are fetched by primary key, filtered and sorted (a gather of a known small set);
* PostgreSQL walks a first window of the newest customers: what it finds there is a page
  already, or tells the share of customers that match, from which the cost of walking on
  (rows to pass: ``missing / share``) and of gathering (matches: ``share × table size``)
  are estimated.

Then ``choose`` walks a window when walking is expected to be cheaper and gathers otherwise,
and when a walked window holds fewer than a page, gathers the rest from beyond the window
(or everything again, where the engine cannot bound a gather by the window's edge). Every
path applies the same conditions, so the page is the same whichever finds it: only the cost
differs."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from ...customers import SearchQuery
from ...terms import SearchTerms
from .common import SUMMARY_COLUMNS, TABLE, Keyset, Match, filter_conditions


@dataclass
class Probe:
    """What a probe learnt. ``page``: a full page found on the way; ``few``: the primary keys
    of candidates that hold every match, when there are few; ``window``: a window worth
    walking, else None (gather)."""

    page: list[Any] | None = None
    few: set[int] | None = None
    window: int | None = None


def at_least_matching(hits: int, walked: int, customers: float) -> float:
    """How many of ``customers`` at least match when ``hits`` of ``walked`` of them did: two
    standard deviations below that share (Poisson), all but certainly (nothing below five
    hits, too few to say)."""
    if hits < 5:
        return 0.0
    return (hits - 2 * math.sqrt(hits)) / max(walked, 1) * customers


class Planner(ABC):
    """Finds one page of a search on one engine; ``rows()`` is the whole plan."""

    def __init__(self, connection: Connection, query: SearchQuery, terms: SearchTerms) -> None:
        self.connection = connection
        self.query = query
        self.terms = terms
        self.keyset = Keyset(query)
        self.limit = max(1, min(query.limit, 100))
        # One more than a page: whether there is a next page.
        self.want = self.limit + 1
        self.match = self.make_match()
        self.exact_row: Any = None
        # What a probe learnt about how many match, for ``count`` to reuse: every candidate
        # (``candidates``), or at least ``overflow`` of them (before the filters).
        self.candidates: set[int] | None = None
        self.overflow = 0
        # How many pass the filters and match, when finding the page saw them all.
        self.matched: int | None = None

    # -- the plan -----------------------------------------------------------------------------

    def rows(self) -> list[Any]:
        """Up to ``want`` rows in page order."""
        if self.terms.is_empty:
            return self.newest()
        self.exact_row = self.exact()
        return self.choose(self.probe())

    def choose(self, probe: Probe) -> list[Any]:
        """Walk or gather, from what the probe learnt."""
        if probe.page is not None:
            return probe.page
        if probe.few is not None:
            return self.fetch(probe.few)
        if probe.window is None:
            return self.gather()
        rows, edge = self.walk(probe.window)
        if len(rows) >= self.want:
            return rows
        if edge is None:
            # The walk saw every customer there is (or could not say where it stopped).
            return rows if self.walk_is_complete else self.gather()
        older = self.gather(self.keyset.beyond(TABLE, edge))
        return rows + older[: self.want - len(rows)]

    def count(self, cap: int) -> int:
        """How many customers pass the filters and match the terms, counted through the same
        indexes as the page and never past ``cap + 1`` (so a million costs what 1,001 do)."""
        if self.matched is not None:
            return min(self.matched, cap + 1)
        conditions = filter_conditions(self.query)
        if self.overflow > cap and not conditions and self.match.index_is_exact:
            return cap + 1  # the probe already saw more than that, and nothing filters them
        if self.candidates is not None:
            # The probe found every candidate: count those that pass the filters and match
            # (a qualifier's candidates hold its substring somewhere else too), by key.
            if not self.candidates:
                return 0
            conditions.append(TABLE.pk.in_(sorted(self.candidates)))
            if not self.match.index_is_exact:
                conditions.append(self.match.row_match(TABLE))
        elif not self.terms.is_empty:
            conditions.append(self.match.index_match)
        matching = select(TABLE.pk).where(*conditions).limit(cap + 1).subquery()
        return int(self.connection.execute(select(func.count()).select_from(matching)).scalar_one())

    def newest(self) -> list[Any]:
        """No terms: the newest customers that pass the filters, walking the index."""
        stmt = (
            select(*SUMMARY_COLUMNS)
            .where(*self.keyset.wanted(TABLE))
            .order_by(*self.keyset.order(TABLE))
            .limit(self.want)
        )
        return list(self.connection.execute(stmt).all())

    # -- what each engine provides ------------------------------------------------------------

    # Whether a walk that returns no edge has seen every customer (SQLite: yes, its edge is
    # None only when the window reaches past the last customer).
    walk_is_complete = False

    @abstractmethod
    def make_match(self) -> Match:
        """The terms as this engine tests them."""

    @abstractmethod
    def exact(self) -> Any:
        """The customer whose id is exactly the term (a summary row with ``pk``), or None."""

    @abstractmethod
    def probe(self) -> Probe:
        """Learn cheaply how common matches are."""

    @abstractmethod
    def walk(self, window: int) -> tuple[list[Any], Any]:
        """The first page of the matches among the first ``window`` customers in page order,
        and the window's last customer (None when the engine does not bound by it)."""

    @abstractmethod
    def gather(self, *more: ColumnElement[bool]) -> list[Any]:
        """The first page of the matches (and ``more``), gathered through the indexes."""

    def fetch(self, pks: set[int]) -> list[Any]:
        """The first page of the customers ``pks`` that pass the filters."""
        raise NotImplementedError


__all__ = ["Planner", "Probe", "at_least_matching"]
