"""Journey on Digital River (the emulator): an agent corrects a customer while DR goes down
under them; the edit form stays with every typed value and a clear banner, and the same Save
goes through once DR is back, without retyping. Axe checks the form in its failed state."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

CID = "dr-outage-1"


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_an_edit_made_while_dr_is_down_is_kept_and_saved_by_the_same_save_once_dr_is_back(
    page: Page, live_server, sign_in, a11y, make_staff, backend, dr_emulator
) -> None:
    emulator = dr_emulator.app
    emulator.add_customer(
        id=CID,
        email="before@example.com",
        locale="en_GB",
        shipping={
            "name": "Ada Lovelace",
            "address": {"line1": "12 St James's Sq", "city": "London", "country": "GB"},
        },
        metadata={"crm": "A-9"},
    )
    agent = make_staff("agent", username="alex")
    sign_in(page, agent, path=f"/login?next=/customers/{CID}/edit")
    expect(page.get_by_role("heading", name=f"Edit customer {CID}")).to_be_visible()
    expect(page.get_by_label("Locale")).to_have_value("en_GB")

    page.get_by_label("Email", exact=True).fill("after@example.com")
    page.get_by_label("City").fill("Richmond")
    page.get_by_label("Organization").fill("Analytical Engines")
    emulator.fail_next(503, times=1000)  # every request, reads included, from now on
    page.get_by_role("button", name="Save changes").click()

    banner = page.locator(".banner--bad").first
    expect(banner).to_contain_text("Digital River is unavailable (HTTP 503).")
    expect(banner).to_contain_text("Your entries are kept below")
    expect(page.get_by_label("Email", exact=True)).to_have_value("after@example.com")
    expect(page.get_by_label("City")).to_have_value("Richmond")
    expect(page.get_by_label("Organization")).to_have_value("Analytical Engines")
    expect(page.get_by_label("Locale")).to_have_value("en_GB")
    a11y(page)
    assert emulator.customer(CID)["email"] == "before@example.com"

    emulator.clear_faults()  # DR is back
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(f"{live_server}/customers/{CID}")
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    stored = emulator.customer(CID)
    assert stored["email"] == "after@example.com"
    assert stored["shipping"]["address"]["city"] == "Richmond"
    assert stored["shipping"]["organization"] == "Analytical Engines"
    assert stored["locale"] == "en_GB"
    assert stored["metadata"] == {"crm": "A-9"}
