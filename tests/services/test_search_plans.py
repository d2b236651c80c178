"""Every way the local store's planner finds a page gives the same pages and the same count.

The planner walks customers in page order or gathers the matches through the indexes, as a
probe of the data says is cheaper (``app/services/local/search/planner.py``); at a test's
size it would always take the same path. Here each engine's cost settings are pinned so that
each path is taken in turn (and, on PostgreSQL, the count reused from a gather or walked),
and every page, its cursors and the count are checked against the customers the test made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from app.services.customers import (
    COUNT_CAP,
    Address,
    Customer,
    NewCustomer,
    SearchQuery,
    Shipping,
)
from app.services.local.search import postgresql, sqlite, trigrams

# Each engine's settings, one plan each: as shipped; every term broad (walk, then gather the
# rest); a tiny window, fixed or from the share found; everything gathered; every needle
# looked up by its rare part (the trigram shares learnt from this small table: every
# customer's text holds "plan"); everything walked; a count walked in a window smaller than
# the matches.
Plan = list[tuple[Any, str, Any]]
PLANS: dict[str, list[Plan]] = {
    "sqlite": [
        [],
        [(sqlite, "FEW", 0)],
        [(sqlite, "FEW", 0), (sqlite, "WINDOW", 4)],
        [(sqlite, "FEW", 0), (sqlite, "MIN_WINDOW", 2), (sqlite, "MAX_WINDOW", 5)],
        [(sqlite, "FEW", 10**6)],
        [(sqlite, "SHARES", trigrams.Shares()), (trigrams, "MIN_CUSTOMERS", 0)],
        [(sqlite, "SHARES", trigrams.Shares()), (trigrams, "MIN_CUSTOMERS", 0), (sqlite, "FEW", 0)],
    ],
    "postgresql": [
        [],
        [(postgresql, "WINDOW", 3), (postgresql, "MAX_FURTHER", 4)],
        [(postgresql, "GATHER_COST", 0)],
        [(postgresql, "GATHER_COST", 10**9), (postgresql, "MAX_FURTHER", 10**9)],
        [(postgresql, "WINDOW", 6), (postgresql, "COUNT_WALK", 7)],
    ],
}

SIZE = 40
PAGE = 4


def made(i: int) -> NewCustomer:
    """Customer ``i``: every third a gold tier, every fourth in Zürich, every fifth disabled,
    every third from the second a business."""
    return NewCustomer(
        email=f"plan{i:02d}@shop.example",
        type="business" if i % 3 == 1 else "individual",
        enabled=i % 5 != 0,
        metadata={"tier": "gold"} if i % 3 == 0 else {"tier": "silver"},
        shipping=Shipping(
            name=f"Plan Person {i}",
            address=Address(city="Zürich" if i % 4 == 0 else "Leeds", country="GB"),
        ),
    )


# (what is typed, the filters, which customers match)
CASES: list[tuple[str, dict[str, Any], Callable[[int], bool]]] = [
    ("plan", {}, lambda i: True),
    ("tier:gold", {}, lambda i: i % 3 == 0),
    ("zurich", {}, lambda i: i % 4 == 0),
    ("city:zurich tier:gold", {}, lambda i: i % 12 == 0),
    ("plan", {"enabled": False}, lambda i: i % 5 == 0),
    ("zurich", {"type": "business"}, lambda i: i % 4 == 0 and i % 3 == 1),
    ("leeds", {"oldest_first": True}, lambda i: i % 4 != 0),
    ("plan0", {}, lambda i: i < 10),
    # "@shop" is in every customer's text: with learnt shares these are looked up by their
    # rare part ("n07@s", "0@s").
    ("n07@shop", {}, lambda i: i == 7),
    ("0@shop", {}, lambda i: i % 10 == 0),
    ("nobody here", {}, lambda i: False),
]


@pytest.fixture
def customers(service) -> list[Customer]:
    return [service.create(made(i)) for i in range(SIZE)]


def every_page(service, text: str, filters: dict[str, Any]) -> tuple[list[str], set[int | None]]:
    """The ids of every page in order, following next cursors, and the counts they gave."""
    query = SearchQuery(text=text, limit=PAGE, **filters)
    seen: list[str] = []
    counts: set[int | None] = set()
    for _ in range(SIZE):
        page = service.search(query)
        seen += [c.id for c in page.items]
        counts.add(page.total)
        if page.next_cursor is None:
            return seen, counts
        query = SearchQuery(text=text, limit=PAGE, after=page.next_cursor, **filters)
    raise AssertionError("the next cursor never ran out")


@pytest.mark.parametrize("text,filters,matches", CASES, ids=[c[0] + str(c[1]) for c in CASES])
def test_every_plan_finds_the_same_pages_and_count(
    service, customers, engine_name, monkeypatch, text, filters, matches
):
    order = sorted(
        (c for i, c in enumerate(customers) if matches(i)),
        key=lambda c: (c.created_time, c.id),
        reverse=not filters.get("oldest_first"),
    )
    expected = [c.id for c in order]
    for plan in PLANS[engine_name]:
        with monkeypatch.context() as pinned:
            for module, name, value in plan:
                assert hasattr(module, name), name
                pinned.setattr(module, name, value)
            seen, counts = every_page(service, text, filters)
        assert seen == expected, plan
        assert counts == {len(expected)}, plan


def test_a_filtered_count_is_never_taken_from_the_table_size(
    service, customers, engine_name, monkeypatch
):
    """Both engines say "more than 1,000" at once when the share of customers a walk found
    matching says so of the whole table; that holds without filters only (the share is then
    of the customers passing them). The table is made to look ten million strong: on
    PostgreSQL by its size estimate, on SQLite by its range of primary keys (and every term
    counts as broad there, so that it walks)."""
    if engine_name == "postgresql":
        exact = postgresql.PostgresqlPlanner.exact

        def large(self):
            row = exact(self)
            self.total = 10**7
            return row

        monkeypatch.setattr(postgresql.PostgresqlPlanner, "exact", large)
    else:
        monkeypatch.setattr(sqlite, "FEW", 0)
        with service.engine.begin() as connection:
            connection.execute(
                text("UPDATE customers SET pk = 10000000 WHERE id = :id"), {"id": customers[1].id}
            )

    disabled = service.search(SearchQuery(text="plan", enabled=False, limit=PAGE))
    everyone = service.search(SearchQuery(text="plan", limit=PAGE))

    assert disabled.total == SIZE // 5
    assert everyone.total == COUNT_CAP + 1
