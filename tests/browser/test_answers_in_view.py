"""Answers in view: what a save says lands where the eye is. A toast fixed in the viewport after
an inline save (success leaves by itself, an error stays until dismissed), and after a failed
submit the focus on the error summary, inside the viewport, its links moving focus to the
field they name; on a phone and on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.services.customers import NewCustomer, Shipping

CID = "cus_in_view"


def in_viewport(page: Page, locator: Locator) -> None:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] + box["height"] <= size["height"], (box, size)


@pytest.fixture
def customer(service):
    return service.create(
        NewCustomer(
            id=CID,
            email="in.view@example.com",
            shipping=Shipping(name="Ida View", phone="+1 555 0100"),
            metadata={f"key{n}": f"value {n}" for n in range(8)},
        )
    )


@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900)], ids=["phone", "desktop"])
def test_an_inline_save_answers_in_a_toast_in_the_viewport_that_leaves_by_itself(
    page: Page, live_server, sign_in, make_staff, a11y, customer, width, height
) -> None:
    page.clock.install()
    sign_in(page, make_staff("agent"))
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/customers/{CID}")
    identifiers = page.get_by_role("region", name="Tax identifiers", exact=True)
    identifiers.get_by_label("Type").select_option("de")
    identifiers.get_by_label("Value").fill("DE123456789")
    identifiers.get_by_role("button", name="Add tax identifier").click()

    toast = page.get_by_role("status").locator(".toast")
    expect(toast).to_have_text("Tax identifier DE123456789 added.")
    in_viewport(page, toast)
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 0, "the page is taller than the viewport"
    in_viewport(page, toast)
    a11y(page)

    page.clock.fast_forward("00:08")
    expect(toast).to_have_count(0)


def test_an_error_toast_stays_until_dismissed(
    page: Page, live_server, sign_in, make_staff, customer
) -> None:
    page.clock.install()
    sign_in(page, make_staff("agent"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/customers/{CID}")
    page.route(
        re.compile(r".*/tax-identifiers$"),
        lambda route: route.fulfill(status=500, body="<p>boom</p>", content_type="text/html"),
    )
    identifiers = page.get_by_role("region", name="Tax identifiers", exact=True)
    identifiers.get_by_label("Type").select_option("de")
    identifiers.get_by_label("Value").fill("DE123456789")
    identifiers.get_by_role("button", name="Add tax identifier").click()

    toast = page.get_by_role("alert").locator(".toast")
    expect(toast).to_contain_text("The request failed (500). Try again.")
    in_viewport(page, toast)
    page.clock.fast_forward("00:30")
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Dismiss message").click()
    expect(toast).to_have_count(0)


def test_after_a_saved_edit_the_flash_of_the_next_page_is_a_toast_in_view(
    page: Page, live_server, sign_in, make_staff, customer
) -> None:
    sign_in(page, make_staff("agent"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/customers/{CID}/edit")
    page.locator("#main input[name=email]").fill("ida.view@example.com")
    page.get_by_role("button", name="Save changes").click()
    toast = page.get_by_role("status").locator(".toast")
    expect(toast).to_have_text("Changes saved.")
    in_viewport(page, toast)


@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900)], ids=["phone", "desktop"])
def test_a_failed_edit_focuses_the_error_summary_whose_links_focus_each_field(
    page: Page, live_server, sign_in, make_staff, a11y, customer, width, height
) -> None:
    sign_in(page, make_staff("agent"))
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/customers/{CID}/edit")
    email = page.locator("#main input[name=email]")
    email.fill("not an email")
    save = page.get_by_role("button", name="Save changes")
    save.scroll_into_view_if_needed()
    save.click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    in_viewport(page, summary.get_by_role("heading"))
    a11y(page)

    summary.get_by_role("link", name=re.compile(r"^Email")).click()
    expect(email).to_be_focused()
    in_viewport(page, email)


def test_a_failed_password_change_focuses_the_error_summary(
    page: Page, live_server, sign_in, make_staff
) -> None:
    sign_in(page, make_staff("agent"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/account/password")
    page.locator("#main button[type=submit]").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    in_viewport(page, summary)
    first = summary.get_by_role("link").first
    target = first.get_attribute("href")
    assert target and target.startswith("#")
    first.click()
    expect(page.locator(target)).to_be_focused()
