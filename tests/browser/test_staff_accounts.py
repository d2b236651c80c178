"""Staff accounts in the browser: changing one's own password, and an administrator's one-time
password that must be replaced before anything else. Staff accounts live in the SQL database
whatever the customer backend, so these journeys run on the local store only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.services.staff import ROLE_EXPLANATIONS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.parametrize("backend", ["local"])

NEW = "quiet-lantern-over-the-bay"
ONE_TIME = "one-time-plum-kite-47"
CHOSEN = "harbour-gulls-at-dawn"


def sign_in_with(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the form with a given password."""
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def expect_error_summary(page: Page, text: str, field_id: str) -> None:
    """The error summary is shown, in view, and its link names the field and leads to it."""
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_in_viewport()
    link = summary.get_by_role("link", name=re.compile(re.escape(text)))
    expect(link).to_have_attribute("href", f"#{field_id}")


def test_a_staff_member_changes_their_own_password_and_signs_in_with_the_new_one(
    page: Page, live_server, make_staff, sign_in, a11y
):
    username = make_staff("agent")
    sign_in(page, username)

    page.get_by_role("banner").get_by_role("link", name=username.title()).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text(ROLE_EXPLANATIONS["agent"])).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_text("At least 12 characters")).to_be_visible()
    a11y(page)

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Change password").click()
    expect_error_summary(page, "New password: That is one of the most common passwords", "new")
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
    a11y(page)

    page.get_by_label("Current password").fill("not-my-password-at-all")
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect_error_summary(page, "Current password: That is not your current password", "current")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed; every other session has ended.")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#password-error")).to_contain_text("do not match an active account")
    expect_error_summary(page, "Password: That username and password do not match", "password")

    sign_in_with(page, live_server, username, NEW)
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()


def test_an_administrator_sets_a_one_time_password_that_the_member_must_replace_first(
    new_context, live_server, make_staff, sign_in, a11y
):
    member = make_staff("agent", username="mina")
    admin_page, member_page = new_context().new_page(), new_context().new_page()

    sign_in(member_page, member)
    sign_in(admin_page, make_staff("admin"))
    admin_page.get_by_role("link", name="Staff", exact=True).click()
    expect(admin_page.get_by_role("heading", name="What each role may do")).to_be_visible()
    admin_page.get_by_role("link", name="mina", exact=True).click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Staff account mina")
    a11y(admin_page)
    admin_page.get_by_role("textbox", name="One-time password").fill(ONE_TIME)
    admin_page.get_by_role("button", name="Set one-time password").click()
    expect(admin_page.get_by_text("One-time password set for mina")).to_be_visible()
    expect(admin_page.get_by_text("must choose a new password at the next sign-in")).to_be_visible()

    # The member's old session ended with the reset.
    member_page.reload()
    expect(member_page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in_with(member_page, live_server, member, ONE_TIME)
    expect(member_page).to_have_url(f"{live_server}/account/password")
    expect(member_page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(member_page.get_by_label("Current password")).to_have_count(0)
    a11y(member_page)

    for path in ("/", "/new-customer", "/customers/cus_anything", "/admin/staff"):
        member_page.goto(live_server + path)
        expect(member_page).to_have_url(f"{live_server}/account/password")
        expect(member_page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    member_page.get_by_role("link", name="Search").click()
    expect(member_page.get_by_role("heading", level=1)).to_have_text("Choose a new password")

    member_page.get_by_label("New password", exact=True).fill(ONE_TIME)
    member_page.get_by_label("New password again").fill(ONE_TIME)
    member_page.get_by_role("button", name="Save my new password").click()
    expect_error_summary(member_page, "must differ from your one-time password", "new")
    a11y(member_page)

    member_page.get_by_label("New password", exact=True).fill(CHOSEN)
    member_page.get_by_label("New password again").fill(CHOSEN)
    member_page.get_by_role("button", name="Save my new password").click()
    expect(member_page.get_by_role("searchbox", name="Search")).to_be_visible()
    expect(member_page).to_have_url(f"{live_server}/")
    member_page.goto(live_server + "/new-customer")
    expect(member_page.get_by_role("heading", level=1)).to_have_text("New customer")

    admin_page.get_by_role("link", name="Staff", exact=True).click()
    row = admin_page.get_by_role("row").filter(has=admin_page.get_by_role("link", name="mina"))
    expect(row.get_by_role("cell").nth(3)).to_have_text("Active")
