"""Changing one's own password, an administrator's reset and "sign out everywhere": each ends
the account's other sessions, so a copied cookie stops working, and each is audited."""

from __future__ import annotations

from app.services.audit import AuditQuery
from tests.conftest import PASSWORD, csrf_token

from .conftest import html
from .dom import field_error
from .test_sessions import copy_of, is_signed_in, signed_in

NEW = "a-fresh-long-passphrase"


def change(client, current: str, new: str, confirm: str | None = None):
    token = csrf_token(client, "/account/password")
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": confirm or new, "csrf_token": token},
    )


def test_changing_ones_password_ends_every_other_session(app, make_staff, staff) -> None:
    client, username = signed_in(app, make_staff, remember=True)
    elsewhere = copy_of(app, client, "session")

    response = change(client, PASSWORD, NEW)

    assert response.status_code == 303
    assert is_signed_in(client)
    assert not is_signed_in(elsewhere)
    assert staff.authenticate(username, NEW) is not None
    assert staff.authenticate(username, PASSWORD) is None
    events = app.extensions["customer_desk"].audit.search(AuditQuery(action="staff.password"))
    assert [e.note for e in events.events] == [f"{username}: changed their own password"]


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(app, make_staff, staff):
    client, username = signed_in(app, make_staff)

    wrong = change(client, "not-my-password", NEW)
    weak = change(client, PASSWORD, "aaaaaaaaaa")
    differ = change(client, PASSWORD, NEW, confirm=NEW + "x")

    assert (wrong.status_code, weak.status_code, differ.status_code) == (422, 422, 422)
    assert "not your current password" in field_error(html(wrong), "current")
    assert "different characters" in field_error(html(weak), "new")
    assert "differ" in field_error(html(differ), "confirm")
    assert staff.authenticate(username, PASSWORD) is not None


def test_an_administrators_reset_ends_the_accounts_sessions(app, make_staff, client_as, staff):
    victim, username = signed_in(app, make_staff)
    admin = client_as("admin")
    token = csrf_token(admin, f"/admin/staff/{username}")

    response = admin.post(
        f"/admin/staff/{username}/password", data={"password": NEW, "csrf_token": token}
    )

    assert response.status_code == 303
    assert not is_signed_in(victim)
    assert staff.authenticate(username, NEW) is not None


def test_sign_out_everywhere_ends_every_session_and_is_audited(app, make_staff, client_as):
    first, username = signed_in(app, make_staff, remember=True)
    second = copy_of(app, first, "remember_token")
    admin = client_as("admin")
    page = html(admin.get(f"/admin/staff/{username}"))
    assert "1 open session." in page.by_id("h-sessions").closest("section").text

    token = csrf_token(admin, f"/admin/staff/{username}")
    response = admin.post(f"/admin/staff/{username}/sign-out", data={"csrf_token": token})

    assert response.status_code == 303
    assert not is_signed_in(first) and not is_signed_in(second)
    events = (
        app.extensions["customer_desk"]
        .audit.search(AuditQuery(action="staff.sign_out_everywhere"))
        .events
    )
    assert [e.note for e in events] == [f"{username}: 1 session(s) ended"]
