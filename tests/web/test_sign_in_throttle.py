"""Throttled sign-in: five wrong passwords lock the account for a while (429, Retry-After, the
same words whether the account exists or not), twenty from one address lock the address, the
lock is kept in the database (every app server sees it) and recorded in the audit trail."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from app import create_app
from app.services.audit import AuditQuery
from app.services.local.models import SignInThrottleRow
from tests.conftest import PASSWORD

from .conftest import html
from .dom import field_error
from .test_sign_in import post_login

LOCKED = "Too many failed sign-ins for this account or from this address."


def fail(client, username: str, times: int) -> list[int]:
    return [post_login(client, username, "wrong-password-1").status_code for _ in range(times)]


def test_the_sixth_wrong_password_in_a_minute_gets_429_and_so_does_the_right_one(
    client, make_staff
) -> None:
    username = make_staff("agent")

    assert fail(client, username, 4) == [422] * 4
    fifth = post_login(client, username, "wrong-password-1")
    sixth = post_login(client, username, "wrong-password-1")
    right = post_login(client, username, PASSWORD)

    assert (fifth.status_code, sixth.status_code, right.status_code) == (429, 429, 429)
    assert 1 <= int(sixth.headers["Retry-After"]) <= 30
    assert LOCKED in field_error(html(sixth), "password")
    assert "Try again in" in field_error(html(right), "password")


def test_an_unknown_account_gets_the_same_answers(client, make_staff) -> None:
    known = make_staff("agent")
    answers = {}
    for name in (known, "nobody-here"):
        statuses = fail(client, name, 6)
        last = post_login(client, name, "wrong-password-1")
        answers[name] = (statuses, last.status_code, field_error(html(last), "password"))

    assert answers[known] == answers["nobody-here"]


def test_the_lock_ends_and_a_good_sign_in_clears_the_count(app, client, make_staff) -> None:
    username = make_staff("agent")
    fail(client, username, 5)
    with app.extensions["customer_desk"].engine.begin() as connection:
        connection.execute(
            update(SignInThrottleRow).values(
                locked_until=dt.datetime.now(dt.UTC).replace(tzinfo=None)
            )
        )

    assert post_login(client, username, PASSWORD).status_code == 303
    fresh = app.test_client()
    assert fail(fresh, username, 4) == [422] * 4


def test_twenty_failures_from_one_address_lock_the_address_for_every_account(
    client, make_staff
) -> None:
    names = [make_staff("viewer") for _ in range(5)]
    statuses = [s for name in names for s in fail(client, name, 4)]
    # The twentieth failure locks the address (and says so).
    assert statuses == [422] * 19 + [429]
    other = make_staff("viewer")

    assert post_login(client, other, PASSWORD).status_code == 429


def test_a_lockout_is_recorded_in_the_audit_trail(app, client, make_staff) -> None:
    username = make_staff("agent")
    fail(client, username, 5)

    events = app.extensions["customer_desk"].audit.search(AuditQuery(action="staff.lockout")).events
    assert len(events) == 1
    assert f"user:{username} locked for" in events[0].note
    assert "after 5 failed sign-ins" in events[0].note
    assert events[0].outcome == "failed"


def test_every_app_server_on_the_database_sees_the_lock(app, database_url, make_staff) -> None:
    username = make_staff("agent")
    fail(app.test_client(), username, 5)
    second = create_app({**app.config, "DATABASE_URL": database_url})
    try:
        assert post_login(second.test_client(), username, PASSWORD).status_code == 429
    finally:
        second.extensions["customer_desk"].engine.dispose()
