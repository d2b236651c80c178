"""RecentViews: a page view is noted in memory, written when due or when the list is read, the
newest ten kept per staff member, and never written for a customer being forgotten."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services.actors import Actor
from app.services.customers import NewCustomer
from app.services.local.models import RecentViewRow
from app.services.recent import FLUSH_AFTER, KEPT, RecentViews


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(app):
    return app.extensions["customer_desk"].engine


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def views(engine, clock) -> RecentViews:
    return RecentViews(engine, clock=clock)


@pytest.fixture
def staff_ids(staff) -> list[int]:
    return [
        staff.create(name, "correct-horse-battery-staple", ["viewer"]).id
        for name in ("vera", "walt")
    ]


def stored(engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(RecentViewRow.staff_id, RecentViewRow.customer_id))
        return sorted(tuple(r) for r in rows)


def test_a_view_is_not_a_write_until_it_is_due(views, engine, clock, staff_ids) -> None:
    views.record(staff_ids[0], "cus-1")

    views.flush_if_due()
    assert stored(engine) == []

    clock.now += FLUSH_AFTER
    views.flush_if_due()
    assert stored(engine) == [(staff_ids[0], "cus-1")]


def test_reading_the_list_writes_what_is_noted_first(views, staff_ids) -> None:
    views.record(staff_ids[0], "cus-1")
    views.record(staff_ids[0], "cus-2")
    views.record(staff_ids[1], "cus-3")

    assert [c for c, _ in views.newest(staff_ids[0])] == ["cus-2", "cus-1"]
    assert [c for c, _ in views.newest(staff_ids[1])] == ["cus-3"]


def test_only_the_newest_are_kept_per_staff_member(views, engine, staff_ids) -> None:
    for n in range(KEPT + 5):
        views.record(staff_ids[0], f"cus-{n:02d}")
        views.flush()
    views.record(staff_ids[1], "cus-other")

    newest = [c for c, _ in views.newest(staff_ids[0])]

    assert newest == [f"cus-{n:02d}" for n in reversed(range(5, KEPT + 5))]
    assert len(stored(engine)) == KEPT + 1


def test_a_note_for_a_customer_being_forgotten_is_never_written(
    app, views, engine, staff_ids, service
) -> None:
    customer = service.create(NewCustomer(id="cus-gone", email="gone@example.com"))
    views.record(staff_ids[0], customer.id)  # still in memory (another process, say)
    service.request_forget(customer.id, reason="T-9", actor=Actor(staff_ids[1], "walt"))

    views.flush()

    assert stored(engine) == []
    assert views.newest(staff_ids[0]) == []
