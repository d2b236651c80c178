"""Journey: a privacy officer forgets a customer through the confirmation step (a wrong typed
id first changes nothing), the customer page says so, and the privacy page lists it; others
get 403. Axe checks every state, on the local store and on Digital River (the emulator)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.services.customers import Address, NewCustomer, Shipping

CID = "cus-journey-forget"


@pytest.fixture
def customer(service):
    return service.create(
        NewCustomer(id=CID, email="ada.journey@example.com", metadata={"crm": "A-9"})
    )


def field_error(page: Page, label: str):
    return page.locator(".field").filter(has=page.get_by_label(label, exact=True)).locator(".error")


def test_a_privacy_officer_forgets_a_customer_through_the_confirmation_step(
    page: Page, live_server, sign_in, a11y, make_staff, customer, backend, app
) -> None:
    officer = make_staff("privacy", username="olga")
    sign_in(page, officer, path=f"/login?next=/customers/{CID}")
    expect(page.locator("#customer-id")).to_have_text(CID)
    a11y(page)

    page.get_by_role("link", name="Request to be forgotten").click()
    expect(
        page.get_by_role("heading", name=f"Request to be forgotten: customer {CID}")
    ).to_be_visible()
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    if backend == "digitalriver":
        expect(page.get_by_text("retention policy")).to_be_visible()
    else:
        expect(page.get_by_text("erased now")).to_be_visible()
    a11y(page)

    # A wrong typed id: the button stays disabled (the server refuses it too), nothing changes.
    page.get_by_label("Type the customer id to confirm").fill(CID + "x")
    page.get_by_label("Reason or ticket reference").fill("TICKET-77")
    expect(page.get_by_role("button", name="Forget this customer")).to_be_disabled()
    a11y(page)
    privacy = app.extensions["customer_desk"].privacy
    assert privacy.for_customer(CID) is None

    # The right id.
    page.get_by_label("Type the customer id to confirm").fill(CID)
    page.get_by_role("button", name="Forget this customer").click()
    expect(page.locator("#customer-id")).to_have_text(CID)
    expect(page.locator("#flash")).to_contain_text(CID)
    banner = page.locator("#forgotten-banner")
    expect(banner).to_contain_text("asked to be forgotten")
    expect(banner).to_contain_text("olga")
    expect(page.get_by_role("link", name="Request to be forgotten")).to_have_count(0)
    a11y(page)

    # The privacy page lists it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", name="Requests to be forgotten")).to_be_visible()
    row = page.locator("tr.forget-request").filter(has_text=CID)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("olga")
    expect(row).to_contain_text("TICKET-77")
    expect(row).to_contain_text("Erased" if backend == "local" else "Requested from Digital River")
    a11y(page)

    # Active filtering swaps only the results.
    page.get_by_label("Status").select_option("failed")
    expect(page.locator("#privacy-results")).to_contain_text("No requests match these filters.")
    a11y(page)


def test_the_confirmation_names_whose_data_is_erased_and_waits_for_the_exact_id(
    page: Page, live_server, sign_in, a11y, make_staff, service
) -> None:
    service.create(
        NewCustomer(
            id=CID,
            email="ada.journey@example.com",
            shipping=Shipping(name="Ada Journey", address=Address(city="Leeds", country="GB")),
        )
    )
    sign_in(page, make_staff("privacy"), path=f"/login?next=/customers/{CID}/forget")
    whose = page.get_by_role("region", name="Whose data is erased")
    expect(whose).to_contain_text("Ada Journey")
    expect(whose).to_contain_text("ada.journey@example.com")
    expect(whose).to_contain_text("Leeds, GB")
    button = page.get_by_role("button", name="Forget this customer")
    typed = page.get_by_label("Type the customer id to confirm")
    expect(button).to_be_disabled()
    a11y(page)

    typed.fill(CID[:-1])
    expect(button).to_be_disabled()
    typed.fill(f"  {CID} ")
    expect(button).to_be_enabled()
    typed.fill(CID.upper())
    expect(button).to_be_disabled()


@pytest.mark.parametrize("role", ["agent", "fraud"])
def test_agents_and_fraud_analysts_get_403_and_no_link(
    page: Page, live_server, sign_in, a11y, make_staff, customer, role
) -> None:
    sign_in(page, make_staff(role), check=False)
    page.goto(f"{live_server}/customers/{CID}")
    expect(page.locator("#customer-id")).to_have_text(CID)
    expect(page.get_by_role("link", name="Request to be forgotten")).to_have_count(0)
    response = page.goto(f"{live_server}/customers/{CID}/forget")
    assert response is not None and response.status == 403
    a11y(page)


def _confirm(page: Page, reason: str) -> None:
    page.get_by_label("Type the customer id to confirm").fill(CID)
    page.get_by_label("Reason or ticket reference").fill(reason)
    page.get_by_role("button", name="Forget this customer").click()


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_a_request_dr_applied_without_confirming_is_shown_as_done(
    page: Page, live_server, sign_in, a11y, make_staff, customer, backend, dr_emulator
) -> None:
    sign_in(page, make_staff("privacy"), path=f"/login?next=/customers/{CID}/forget")
    dr_emulator.app.fail_next(503, method="POST", path_prefix=f"/customers/{CID}", applied=True)

    _confirm(page, "TICKET-503")

    expect(page.locator("#customer-id")).to_have_text(CID)
    expect(page.locator("#flash")).to_contain_text("was sent to Digital River")
    banner = page.locator("#forgotten-banner")
    expect(banner).to_contain_text("Requested from Digital River")
    expect(page.get_by_text("did not go through")).to_have_count(0)
    a11y(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Privacy").click()
    row = page.locator("tr.forget-request").filter(has_text=CID)
    expect(row).to_contain_text("Requested from Digital River")
    expect(row.get_by_role("button")).to_have_count(0)
    a11y(page)


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_an_unconfirmed_request_says_so_until_dr_answers_a_check(
    page: Page, live_server, sign_in, a11y, make_staff, customer, backend, dr_emulator, service
) -> None:
    emulator = dr_emulator.app
    sign_in(page, make_staff("privacy"), path=f"/login?next=/customers/{CID}/forget")
    emulator.fail_next(503, method="POST", path_prefix=f"/customers/{CID}", applied=True)

    def reads_fail(request: httpx.Request) -> None:  # once the request is out, DR goes quiet
        if request.method == "POST":
            emulator.fail_next(503, times=1000, method="GET", path_prefix=f"/customers/{CID}")

    http = service.http
    http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks["request"], reads_fail]}

    _confirm(page, "TICKET-504")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Digital River did not confirm the request")
    expect(alert).to_contain_text("It may or may not have been applied.")
    expect(page.get_by_role("button", name="Forget this customer")).to_have_count(0)
    a11y(page)

    page.get_by_role("link", name="privacy page").click()
    row = page.locator("tr.forget-request").filter(has_text=CID)
    expect(row).to_contain_text("Unknown — checking")
    expect(row).to_contain_text("may or may not hold it")
    a11y(page)

    emulator.clear_faults()  # DR answers again
    row.get_by_role("button", name=f"Check again the request for customer {CID}").click()

    expect(page.locator("#flash")).to_contain_text("Digital River holds the request")
    expect(row).to_contain_text("Requested from Digital River")
    expect(row.get_by_role("button")).to_have_count(0)
    a11y(page)
