"""The audit page says whether the trail's hash chain holds: verified up to the newest event,
or which event was changed outside Customer Desk (found by the page's own check of the events
since the last ``audit verify``, or by that walk)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.services import audit_chain
from app.services.audit import Actor
from app.services.customers import CustomerUpdate
from app.services.local.models import AuditEventRow

from .conftest import HX, html


@pytest.fixture
def fraud(client_as):
    return client_as("fraud")


@pytest.fixture
def engine(app):
    return app.extensions["customer_desk"].engine


@pytest.fixture
def changes(service, make_customer) -> list[int]:
    """A customer created and edited: the ids of every event so far, oldest first."""
    make_customer(id="cus-1", email="one@example.com")
    for n in range(3):
        service.update("cus-1", CustomerUpdate(email=f"n{n}@example.com"), actor=Actor(1, "ada"))
    with service.engine.connect() as connection:
        return list(connection.scalars(select(AuditEventRow.id).order_by(AuditEventRow.seq)))


def tamper(engine, event_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_events SET actor_username = 'mallory' WHERE id = :id"),
            {"id": event_id},
        )


def chain_line(client) -> str:
    return " ".join(html(client.get("/audit")).by_id("audit-chain").text.split())


def test_the_page_says_the_chain_is_verified_up_to_the_newest_event(fraud, engine, changes):
    with engine.connect() as connection:
        newest = connection.scalar(select(func.max(AuditEventRow.id)))

    line = chain_line(fraud)

    assert newest >= changes[-1]
    assert "Chain verified" in line
    assert f"up to event {newest}:" in line


def test_an_event_changed_by_sql_is_named_in_a_banner(fraud, engine, changes):
    tamper(engine, changes[1])

    page = html(fraud.get("/audit"))

    banner = page.by_id("audit-chain")
    assert "banner--bad" in banner.classes
    assert f"Event {changes[1]} was changed" in banner.text
    assert "Chain verified" not in page.text


def test_a_break_found_by_the_nightly_walk_stays_shown(fraud, engine, changes, runner):
    tamper(engine, changes[0])
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
    with engine.begin() as connection:  # the tampered event is set right again...
        connection.execute(
            text("UPDATE audit_events SET actor_username = 'ada' WHERE id = :id"),
            {"id": changes[0]},
        )

    line = chain_line(fraud)

    assert f"Event {changes[0]} was changed" in line  # ...but the walk said what it found


def test_beyond_the_page_limit_the_page_defers_to_the_last_walk(
    fraud, service, changes, runner, monkeypatch
):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    monkeypatch.setattr(audit_chain, "TAIL_LIMIT", 2)
    for n in range(3):
        service.update("cus-1", CustomerUpdate(email=f"m{n}@example.com"), actor=Actor(1, "ada"))

    line = chain_line(fraud)

    assert "Chain verified" in line
    assert "the 3 events since are checked by the next audit verify" in line


def test_a_filtered_fragment_does_not_check_again(fraud, changes):
    fragment = fraud.get("/audit?actor=ada", headers=HX).get_data(as_text=True)

    assert "audit-chain" not in fragment
