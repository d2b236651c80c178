"""Changing one's own password, an administrator's reset and "sign out everywhere": each ends
the account's other sessions, so a copied cookie stops working, and each is audited."""

from __future__ import annotations

import pytest

from app.services.audit import AuditQuery
from app.services.staff import ROLE_EXPLANATIONS
from tests.conftest import PASSWORD, csrf_token, sign_in

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
    weak = change(client, PASSWORD, "aaaaaaaaaaaa")
    differ = change(client, PASSWORD, NEW, confirm=NEW + "x")
    same = change(client, PASSWORD, PASSWORD)

    assert {r.status_code for r in (wrong, weak, differ, same)} == {422}
    assert "not your current password" in field_error(html(wrong), "current")
    assert "Repeated characters" in field_error(html(weak), "new")
    assert "differ" in field_error(html(differ), "confirm")
    assert "differ from your current password" in field_error(html(same), "new")
    assert staff.authenticate(username, PASSWORD) is not None


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("plum-kite-4", "at least 12 characters"),
        ("password1234", "most common passwords"),
        ("QWERTY123456", "most common passwords"),
        ("Sunshine2024!", "common password with digits or symbols added"),
        ("zzzzzzzzzzzzzz", "Repeated characters"),
        ("qwertyuiopasdf", "keyboard runs"),
    ],
)
def test_each_password_rule_is_explained_next_to_the_field_and_in_the_summary(
    app, make_staff, staff, new, message
):
    client, username = signed_in(app, make_staff)

    response = change(client, PASSWORD, new)

    assert response.status_code == 422
    page = html(response)
    assert message in field_error(page, "new")
    link = page.by_id("error-summary").find("a")
    assert link.get("href") == "#new" and link.text.startswith("New password: ")
    assert message in link.text
    assert staff.authenticate(username, PASSWORD) is not None


def test_the_username_in_the_new_password_is_refused(app, make_staff):
    client, username = signed_in(app, make_staff)

    response = change(client, PASSWORD, f"my-{username}-passphrase")

    assert "must not contain the username" in field_error(html(response), "new")


def test_the_header_leads_to_the_change_password_page_which_explains_the_rules(app, make_staff):
    client, _ = signed_in(app, make_staff)

    header = html(client.get("/")).find("header")
    link = next(a for a in header.find_all("a") if a.text == "Change password")
    page = html(client.get(link.get("href")))

    assert page.find("h1").text == "Change your password"
    assert "At least 12 characters" in page.by_id("new-hint").text
    assert page.by_id("new").get("aria-describedby") == "new-hint"
    assert page.by_id("current").get("type") == "password"
    assert not page.has(id="error-summary")


def test_an_administrators_reset_ends_the_accounts_sessions(app, make_staff, client_as, staff):
    victim, username = signed_in(app, make_staff)
    admin = client_as("admin")
    token = csrf_token(admin, f"/admin/staff/{username}")

    response = admin.post(
        f"/admin/staff/{username}/password", data={"password": NEW, "csrf_token": token}
    )

    assert response.status_code == 303
    assert not is_signed_in(victim)
    assert staff.authenticate(username, NEW).must_change_password
    events = app.extensions["customer_desk"].audit.search(AuditQuery(action="staff.password"))
    assert [e.note for e in events.events] == [
        f"{username}: one-time password set by an administrator"
    ]


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


def test_a_staff_member_renames_themselves_on_their_account_page(app, make_staff, staff):
    client, username = signed_in(app, make_staff, roles=("agent", "fraud"))
    header = html(client.get("/")).find("header")
    link = next(a for a in header.find_all("a") if a.text == username.title())
    page = html(client.get(link.get("href")))
    assert page.find("h1").text == "Your account"
    roles = page.by_id("your-roles")
    assert [dt.text for dt in roles.find_all("dt")] == ["Support agent", "Fraud analyst"]
    assert [dd.text for dd in roles.find_all("dd")] == [
        ROLE_EXPLANATIONS["agent"],
        ROLE_EXPLANATIONS["fraud"],
    ]
    token = csrf_token(client, "/account")

    saved = client.post("/account", data={"display_name": " Nora N. ", "csrf_token": token})
    too_long = client.post("/account", data={"display_name": "x" * 129, "csrf_token": token})

    assert saved.status_code == 303 and saved.headers["Location"] == "/account"
    assert staff.get_by_username(username).display_name == "Nora N."
    assert "Nora N." in html(client.get("/")).find("header").text
    assert too_long.status_code == 422
    assert "at most 128 characters" in field_error(html(too_long), "display_name")
    summary = html(too_long).by_id("error-summary")
    assert summary.find("a").get("href") == "#display_name"
    events = app.extensions["customer_desk"].audit.search(AuditQuery(action="staff.update"))
    assert [e.note for e in events.events] == [
        f"{username}: display name “{username.title()}” → “Nora N.” (their own)"
    ]


def test_the_account_page_cannot_be_reached_with_a_one_time_password(app, make_staff, staff):
    client, username = signed_in(app, make_staff)
    staff.set_password(username, "one-time-plum-kite", one_time=True)

    sign_in(client, username, "one-time-plum-kite")
    token = csrf_token(client, "/account/password")

    assert client.get("/account").headers["Location"] == "/account/password"
    response = client.post("/account", data={"display_name": "Sneaky", "csrf_token": token})
    assert response.headers["Location"] == "/account/password"
    assert staff.get_by_username(username).display_name == username.title()
