"""Enabling a customer again asks why, as disabling does: a reason of its own, a note for
Other, and both in the audit trail."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services.customers import NewCustomer


def test_fraud_analyst_enables_a_customer_again_saying_why(
    page: Page, live_server, app, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_back", email="back@example.com"))
    service.set_enabled("cus_back", False, reason_code="chargeback")
    sign_in(page, make_staff("fraud", username="fay"))
    page.goto(f"{live_server}/customers/cus_back")

    page.get_by_text("Enable this customer again…").click()
    reason, note = page.get_by_label("Reason"), page.get_by_label("Note")
    expect(reason).to_have_value("")
    reason.select_option(label="Other (explain in the note)")
    page.get_by_role("button", name="Enable cus_back").click()
    expect(note).to_have_accessible_description(
        re.compile("Say why in the note when the reason is Other.")
    )
    a11y(page)
    assert service.get("cus_back").enabled is False

    note.fill("Bank withdrew the chargeback")
    page.get_by_role("button", name="Enable cus_back").click()

    expect(page.locator("#flash")).to_contain_text("Customer cus_back enabled.")
    expect(page.get_by_text("Disable this customer…")).to_be_visible()
    assert service.get("cus_back").enabled is True
    event = app.extensions["customer_desk"].audit.latest("cus_back", "customer.enable")
    assert (event.reason_code, event.note, event.actor_username) == (
        "other",
        "Bank withdrew the chargeback",
        "fay",
    )
