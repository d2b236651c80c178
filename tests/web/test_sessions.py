"""Sessions that end: every cookie names a server-side session, so a copied session cookie or
remember-me cookie stops working once the session is over — after signing out, a password
change, the account being disabled, or "sign out everywhere" — and sessions time out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from app.services.local.models import StaffSessionRow
from tests.conftest import PASSWORD, csrf_token

from .conftest import login_target
from .test_sign_in import post_login

COOKIE = "session"
REMEMBER = "remember_token"


def signed_in(app, make_staff, *, remember: bool = False, roles=("viewer",)):
    client = app.test_client()
    username = make_staff(*roles)
    extra = {"remember": "y"} if remember else {}
    assert post_login(client, username, PASSWORD, **extra).status_code == 303
    return client, username


def copy_of(app, client, *names: str):
    """A second browser holding copies of ``client``'s cookies ``names``."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


def is_signed_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 303 and login_target(response.headers["Location"]) == "/"
    return False


def sign_out(client) -> None:
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


def test_a_copied_session_cookie_works_until_sign_out_and_never_after(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff)
    thief = copy_of(app, client, COOKIE)
    assert is_signed_in(thief)

    sign_out(client)

    assert not is_signed_in(thief)
    assert not is_signed_in(client)


def test_a_copied_remember_me_cookie_is_refused_after_sign_out(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff, remember=True)
    stolen = client.get_cookie(REMEMBER).value

    sign_out(client)

    thief = app.test_client()
    thief.set_cookie(REMEMBER, stolen)
    assert not is_signed_in(thief)


@pytest.mark.parametrize("how", ["password change", "account disabled", "sign out everywhere"])
def test_every_cookie_of_the_account_is_refused_after(app, make_staff, staff, how) -> None:
    client, username = signed_in(app, make_staff, remember=True)
    session_copy = copy_of(app, client, COOKIE)
    remember_copy = app.test_client()
    remember_copy.set_cookie(REMEMBER, client.get_cookie(REMEMBER).value)

    if how == "password change":
        staff.set_password(username, "another-long-passphrase")
    elif how == "account disabled":
        staff.set_active(username, False)
    else:
        assert staff.sign_out_everywhere(username) == 1

    assert not is_signed_in(session_copy)
    assert not is_signed_in(remember_copy)
    assert not is_signed_in(client)


def test_a_remember_me_cookie_is_used_once_and_replaced(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff, remember=True)
    first = client.get_cookie(REMEMBER).value

    browser = app.test_client()
    browser.set_cookie(REMEMBER, first)
    assert is_signed_in(browser)
    second = browser.get_cookie(REMEMBER).value

    assert second != first
    replay = app.test_client()
    replay.set_cookie(REMEMBER, first)
    assert not is_signed_in(replay)
    assert is_signed_in(browser)


def test_remember_me_lasts_at_most_thirty_days(app, make_staff) -> None:
    client = app.test_client()
    username = make_staff("viewer")
    response = post_login(client, username, PASSWORD, remember="y")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
    expires = dt.datetime.strptime(
        header.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT"
    ).replace(tzinfo=dt.UTC)

    assert expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30, minutes=1)
    assert "HttpOnly" in header and "SameSite=Lax" in header


def age_sessions(app, **columns) -> None:
    with app.extensions["customer_desk"].engine.begin() as connection:
        connection.execute(update(StaffSessionRow).values(**columns))


def test_a_session_idle_for_longer_than_the_timeout_is_over(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff)
    assert is_signed_in(client)

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    age_sessions(app, last_seen_time=now - dt.timedelta(minutes=31))

    assert not is_signed_in(client)


def test_a_session_in_use_is_over_after_its_absolute_lifetime(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    age_sessions(app, expires_time=now - dt.timedelta(seconds=1))

    assert not is_signed_in(client)


def test_a_remembered_session_outlives_the_idle_timeout(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff, remember=True)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    age_sessions(app, last_seen_time=now - dt.timedelta(hours=5))

    assert is_signed_in(client)


def test_the_csrf_token_changes_at_sign_in(app, make_staff) -> None:
    client = app.test_client()
    before = csrf_token(client, "/login")
    username = make_staff("viewer")
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": before})

    after = csrf_token(client, "/")
    assert after != before


def test_the_database_holds_no_usable_token(app, make_staff) -> None:
    client, _ = signed_in(app, make_staff, remember=True)
    token = client.get_cookie(REMEMBER).value
    with app.extensions["customer_desk"].engine.connect() as connection:
        stored = [row.id for row in connection.execute(StaffSessionRow.__table__.select())]
    assert stored and all(len(value) == 64 and value not in token for value in stored)
