"""What both engines' planners share: the columns a result row carries, keyset order and
cursors, the filters, and how a term matches a row (on its own columns, or through the
indexes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true, tuple_, union_all

from ...customers import CustomerSummary, SearchQuery
from ...index_text import SEGMENT, VALUE
from ...terms import Clause, SearchTerms, Way
from ..models import CustomerRow

TABLE = CustomerRow.__table__.c

# Each field of CustomerSummary, in its order, and the table column it is read from.
SUMMARY_FIELDS = (
    ("id", "id"),
    ("created_time", "created_time"),
    ("email", "email"),
    ("name", "ship_name"),
    ("organization", "ship_organization"),
    ("phone", "ship_phone"),
    ("postal_code", "addr_postal_code"),
    ("country", "addr_country"),
    ("type", "type"),
    ("locale", "locale"),
    ("enabled", "enabled"),
    ("request_to_be_forgotten", "request_to_be_forgotten"),
    ("line1", "addr_line1"),
    ("line2", "addr_line2"),
    ("city", "addr_city"),
    ("state", "addr_state"),
)
# Table columns, not ORM attributes: a Core select of them needs none of the ORM's statement
# machinery (rows carry the same names).
SUMMARY_COLUMNS = tuple(TABLE[column] for _, column in SUMMARY_FIELDS)
_WIDTH = len(SUMMARY_FIELDS)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def naive_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def summary_of(row: Any) -> CustomerSummary:
    """The summary of a row holding SUMMARY_COLUMNS (by position: a row's names are looked up
    one by one, and a page reads dozens of rows; where each column stands is worked out once
    per shape of row)."""
    at = _positions(row._fields)
    values = list(row[:_WIDTH]) if at is None else [row[i] for i in at]
    values[1] = aware(values[1])
    return CustomerSummary(*values)


@lru_cache(maxsize=128)
def _positions(names: tuple[str, ...]) -> tuple[int, ...] | None:
    """Where each summary column stands in a row named ``names``; None when they lead it,
    in order (most selects)."""
    index = {name: i for i, name in enumerate(names)}
    at = tuple(index[column.key] for column in SUMMARY_COLUMNS)
    return None if at == tuple(range(_WIDTH)) else at


def summary_columns(c: Any) -> list[Any]:
    """The summary columns of a subquery or CTE ``c``."""
    return [c[column.key] for column in SUMMARY_COLUMNS]


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Keyset:
    """Page order and cursors on (created_time, id): newest first, or oldest first when the
    query asks for it. ``after`` is the next page in that order, ``before`` the previous
    one, which is read in the opposite order (``backwards``) and turned round."""

    query: SearchQuery

    @property
    def backwards(self) -> bool:
        return self.query.before is not None and self.query.after is None

    @property
    def ascending(self) -> bool:
        """Whether rows are read oldest first."""
        return self.query.oldest_first != self.backwards

    def order(self, c: Any) -> tuple[Any, Any]:
        if self.ascending:
            return c.created_time.asc(), c.id.asc()
        return c.created_time.desc(), c.id.desc()

    def beyond(self, c: Any, edge: Any) -> ColumnElement[bool]:
        """Rows past ``edge`` in reading order."""
        key, at = tuple_(c.created_time, c.id), tuple_(edge.created_time, edge.id)
        return key > at if self.ascending else key < at

    def after_cursor(self, c: Any) -> list[ColumnElement[bool]]:
        """The rows past the cursor in reading order."""
        cursor = self.query.after if self.query.after is not None else self.query.before
        if cursor is None:
            return []
        key, at = tuple_(c.created_time, c.id), tuple_(naive_utc(cursor.created_time), cursor.id)
        return [key > at if self.ascending else key < at]

    def wanted(self, c: Any) -> list[ColumnElement[bool]]:
        """The filters and the cursor, on columns ``c``."""
        return filter_conditions(self.query, c) + self.after_cursor(c)


def filter_conditions(query: SearchQuery, c: Any = TABLE) -> list[ColumnElement[bool]]:
    """The search filters, on the customers table or on columns ``c`` of a subquery."""
    conditions: list[ColumnElement[bool]] = []
    if query.enabled is not None:
        conditions.append(c.enabled == (true() if query.enabled else false()))
    if query.forget_requested is not None:
        conditions.append(
            c.request_to_be_forgotten == (true() if query.forget_requested else false())
        )
    if query.type:
        conditions.append(c.type == query.type)
    if query.locale:
        conditions.append(c.locale == query.locale)
    if query.created_from:
        conditions.append(c.created_time >= naive_utc(query.created_from))
    if query.created_to:
        conditions.append(c.created_time < naive_utc(query.created_to))
    return conditions


def in_segment(find: Callable[..., Any], text: Any, tag: str, needle: str) -> ColumnElement[bool]:
    """Whether ``needle`` is found inside field ``tag``'s segment of the index text (see
    ``index_text``): from where the segment starts, the needle comes before the next
    segment does. ``find`` is the engine's 1-based substring position (instr, strpos)."""
    start = find(text, SEGMENT + tag + VALUE)
    rest = func.substr(text, start)
    return and_(
        start > 0,
        find(rest, needle) > 0,
        find(rest, needle) <= find(func.substr(rest, 2), SEGMENT),
    )


@dataclass(frozen=True)
class Match:
    """How the terms match a customer, in the two forms a planner needs.

    ``row_match(columns)`` tests a row's own columns (for walking customers in order);
    ``index_match`` is the same test through index lookups (for gathering them): for each
    clause a union of its ways' lookups, every clause's (AND). Both forms say the same
    thing, so a page is the same whichever way finds it.

    What each engine provides: ``find`` (the substring position function), ``email_prefix``
    (a prefix test of the lower-cased email, as its index serves it), ``contains`` (a
    substring test of the index text on a row) and ``text_lookup`` (the customers whose
    index text holds every needle, through the substring index)."""

    terms: SearchTerms
    find: Callable[..., Any]
    email_prefix: Callable[[str, Any], ColumnElement[bool]]
    contains: Callable[[Any, str], ColumnElement[bool]]
    text_lookup: Callable[[tuple[str, ...]], ColumnElement[bool]]
    # What the substring index is asked for, for a text way: ``Way.lookup`` unless the
    # engine knows better (SQLite's ``trigrams.rare_part``).
    lookup: Callable[[Way], tuple[str, ...]] = lambda way: way.lookup

    def way_on_row(self, way: Way, c: Any) -> ColumnElement[bool]:
        if way.kind == "id":
            return c.id == way.value
        if way.kind == "email_prefix":
            return self.email_prefix(way.value, c)
        found = [self.contains(c, n) for n in way.needles]
        return and_(*found, *self._narrowing(way, c))

    def way_in_index(self, way: Way) -> ColumnElement[bool]:
        if way.kind != "text":
            return self.way_on_row(way, TABLE)
        lookup = self.lookup(way)
        shortened = [self.contains(TABLE, n) for n in way.needles if n not in lookup]
        return and_(self.text_lookup(lookup), *shortened, *self._narrowing(way, TABLE))

    def _narrowing(self, way: Way, c: Any) -> list[ColumnElement[bool]]:
        """What a text way tests beyond its needles being somewhere: the short words, and
        that each needle is in its field's segment."""
        tests = [self.contains(c, word) for word in way.extra]
        if way.tag is not None:
            tests += [in_segment(self.find, c.search_text, way.tag, n) for n in way.needles]
        return tests

    def clause_on_row(self, clause: Clause, c: Any) -> ColumnElement[bool]:
        return or_(*(self.way_on_row(w, c) for w in clause.ways))

    def row_match(self, c: Any) -> ColumnElement[bool]:
        return and_(*(self.clause_on_row(clause, c) for clause in self.terms.clauses))

    def clause_in_index(self, clause: Clause) -> ColumnElement[bool]:
        # A union of index lookups, so each way uses its own index.
        union = union_all(*(select(TABLE.pk).where(self.way_in_index(w)) for w in clause.ways))
        return TABLE.pk.in_(union)

    @property
    def index_match(self) -> ColumnElement[bool]:
        return and_(*(self.clause_in_index(clause) for clause in self.terms.clauses))

    @property
    def index_test(self) -> ColumnElement[bool]:
        """``index_match`` as one condition on the table, each way's lookup beside its row
        test (for an engine that answers an OR of indexed tests with one bitmap scan, rather
        than a union joined back to the table)."""
        return and_(
            *(or_(*(self.way_in_index(w) for w in clause.ways)) for clause in self.terms.clauses)
        )

    @property
    def index_is_exact(self) -> bool:
        """Whether a single clause's index lookups find exactly its matches (so a probe that
        found more than the cap has found that many matches)."""
        clauses = self.terms.clauses
        return len(clauses) == 1 and all(self.way_is_exact(w) for w in clauses[0].ways)

    def way_is_exact(self, way: Way) -> bool:
        """Whether what the index finds for ``way`` is exactly what matches it."""
        if way.kind != "text":
            return True
        return way.tag is None and not way.extra and self.lookup(way) == way.needles


def email_range(prefix: str, c: Any) -> ColumnElement[bool]:
    """An email prefix as a range on the lower-cased email's index."""
    return and_(c.email_lower >= prefix, c.email_lower < prefix + "\U0010ffff")
