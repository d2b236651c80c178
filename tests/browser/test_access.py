"""Journeys about who may do what: viewers, signed-out visitors, error pages."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from app.services.customers import NewCustomer


def csrf_token(page: Page) -> str:
    """The CSRF token the page hands htmx in the body's hx-headers attribute."""
    headers = page.locator("body").get_attribute("hx-headers")
    assert headers, "no hx-headers on <body>"
    token = json.loads(headers)["X-CSRFToken"]
    assert token
    return token


def test_viewer_sees_no_edit_controls_and_cannot_post_an_edit(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_view", email="view@example.com"))

    sign_in(page, make_staff("viewer"))
    expect(page.get_by_role("link", name="cus_view")).to_be_visible()
    expect(page.get_by_role("link", name="New customer")).to_have_count(0)
    a11y(page)

    page.get_by_role("link", name="cus_view").click()
    # masked for a viewer
    expect(page.get_by_role("heading", level=1)).to_have_text("v•••@example.com")
    expect(page.get_by_role("link", name="Edit customer")).to_have_count(0)
    expect(page.get_by_role("link", name="New customer")).to_have_count(0)
    a11y(page)

    response = page.request.post(
        f"{live_server}/customers/cus_view",
        form={"csrf_token": csrf_token(page), "version": "1", "email": "taken-over@example.com"},
        max_redirects=0,
    )
    assert response.status == 403, response.text()
    assert service.get("cus_view").email == "view@example.com"

    response = page.goto(f"{live_server}/customers/cus_view/edit")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed (403)")
    expect(page.get_by_role("link", name="Back to search")).to_be_visible()
    a11y(page)


def test_signed_out_visit_returns_to_the_customer_after_sign_in(
    page: Page, live_server, service, make_staff, sign_in
):
    service.create(NewCustomer(id="cus_deep", email="deep@example.com"))
    username = make_staff("viewer")

    page.goto(f"{live_server}/customers/cus_deep")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)customers(/|%2F)cus_deep$"))
    sign_in(page, username, path="")

    expect(page).to_have_url(f"{live_server}/customers/cus_deep")
    # masked for a viewer
    expect(page.get_by_role("heading", level=1)).to_have_text("d•••@example.com")


def test_unknown_customer_shows_the_not_found_page(
    page: Page, live_server, make_staff, sign_in, a11y
):
    sign_in(page, make_staff("viewer"))

    response = page.goto(f"{live_server}/customers/cus_missing")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found (404)")
    expect(page.get_by_text("Customer 'cus_missing' not found.")).to_be_visible()
    a11y(page)
