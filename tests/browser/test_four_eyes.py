"""Journey, with four-eyes erasure on (the default): olga proposes to forget a customer and
cannot approve her own proposal; pete, in another browser, finds it in the privacy page's
queue and approves it; the customer is forgotten. Axe checks the proposal's states. On the
local store and on Digital River (the emulator)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.services.customers import NewCustomer, Shipping

CID = "cus-journey-4eyes"


@pytest.fixture
def extra_config() -> dict[str, object]:
    return {"FORGET_FOUR_EYES": True}


def test_two_officers_propose_and_approve_an_erasure(
    new_context, live_server, sign_in, a11y, make_staff, service, backend, app
) -> None:
    service.create(
        NewCustomer(id=CID, email="hedy@example.com", shipping=Shipping(name="Hedy Lamarr"))
    )
    olga_name = make_staff("privacy", username="olga")
    pete_name = make_staff("privacy", username="pete")
    olga, pete = new_context().new_page(), new_context().new_page()

    sign_in(olga, olga_name, path=f"/login?next=/customers/{CID}")
    olga.get_by_role("link", name="Request to be forgotten").click()
    expect(olga.locator("#four-eyes-note")).to_contain_text("second privacy officer")
    olga.get_by_label("Type the customer id to confirm").fill(CID)
    olga.get_by_label("Reason or ticket reference").fill("TICKET-1903")
    olga.get_by_role("button", name="Propose to forget this customer").click()
    expect(olga.locator("#flash")).to_contain_text("nothing is erased until")
    banner = olga.locator("#proposal-banner")
    expect(banner).to_contain_text("olga proposed it")
    expect(banner).to_contain_text("You proposed this")
    expect(banner.get_by_role("button")).to_have_count(0)
    a11y(olga)

    sign_in(pete, pete_name, path="/login?next=/privacy")
    queue = pete.locator("#proposal-queue")
    expect(queue).to_contain_text("Awaiting a second officer (1)")
    expect(queue).to_contain_text("TICKET-1903")
    a11y(pete)
    queue.get_by_role("button", name=f"Approve and forget customer {CID}").click()
    expect(pete.locator("#flash")).to_contain_text(CID)
    expect(pete.locator("#proposal-queue")).to_contain_text("No proposal is waiting")

    olga.goto(f"{live_server}/customers/{CID}")
    expect(olga.locator("#forgotten-banner")).to_contain_text("asked to be forgotten")
    expect(olga.locator("#proposal-banner")).to_have_count(0)
    request = app.extensions["customer_desk"].privacy.for_customer(CID)
    assert request.status == ("erased" if backend == "local" else "requested")
