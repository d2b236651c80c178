"""The customer page led by the person: the name as heading, the id copied with one click."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.services.customers import Address, NewCustomer, Shipping


def test_viewer_reads_the_person_first_and_copies_the_customer_id(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(
        NewCustomer(
            id="cus_copy_me",
            email="grace@example.com",
            shipping=Shipping(
                name="Grace Hopper",
                organization="Navy Computing Lab",
                address=Address(line1="1 Harbor Way", city="Arlington", country="US"),
            ),
        )
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)

    sign_in(page, make_staff("viewer"))
    page.goto(f"{live_server}/customers/cus_copy_me")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    # masked for a viewer
    expect(page.locator(".customer-sub")).to_have_text("g•••@example.com · Navy Computing Lab")
    expect(page.locator(".customer-header .badges")).to_have_count(0)
    address = page.get_by_role("region", name="Contact & address").locator("address")
    expect(address).to_contain_text("1 H••••• W••")
    expect(address).to_contain_text("Arlington")
    a11y(page)

    page.get_by_role("button", name="Copy customer id").click()

    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    expect(page.locator("[data-copy-status]")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "cus_copy_me"
    a11y(page)
