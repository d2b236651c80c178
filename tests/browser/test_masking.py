"""Journey: a viewer sees a customer's personal data masked, reveals it giving a reason, and
sees it in full; a privacy officer finds that read in the read-access log. Axe checks the
masked and revealed page. On the local store and on Digital River (the emulator)."""

from __future__ import annotations

from playwright.sync_api import expect

from app.services.customers import NewCustomer, Shipping

CID = "cus-journey-mask"
EMAIL = "dorothy.vaughan@example.com"


def test_a_viewer_reveals_a_customer_with_a_reason_and_the_read_is_logged(
    new_context, live_server, sign_in, a11y, make_staff, service
) -> None:
    service.create(
        NewCustomer(
            id=CID, email=EMAIL, shipping=Shipping(name="Dorothy Vaughan", phone="+1 202 555 0199")
        )
    )
    viewer = new_context().new_page()
    sign_in(viewer, make_staff("viewer", username="vera"), path=f"/login?next=/customers/{CID}")

    expect(viewer.locator("#masked-banner")).to_contain_text("masked for your role")
    expect(viewer.locator("body")).to_contain_text("d•••@example.com")
    expect(viewer.locator("body")).not_to_contain_text(EMAIL)
    a11y(viewer)

    viewer.get_by_role("button", name="Reveal personal data").click()
    expect(viewer.locator("#reveal-reason-error")).to_contain_text("Say why")
    viewer.get_by_label("Why do you need to see it?").fill("TICKET-1910: caller verification")
    viewer.get_by_role("button", name="Reveal personal data").click()
    expect(viewer.locator("#revealed-note")).to_be_visible()
    expect(viewer.locator("body")).to_contain_text(EMAIL)
    expect(viewer.locator("body")).to_contain_text("+1 202 555 0199")
    a11y(viewer)

    officer = new_context().new_page()
    sign_in(officer, make_staff("privacy", username="olga"), path="/login?next=/privacy")
    officer.get_by_role("link", name="Read-access log").click()
    officer.get_by_label("Customer id").fill(CID)
    officer.get_by_role("button", name="Show").click()
    row = officer.locator("#read-events tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("vera")
    expect(row).to_contain_text("TICKET-1910: caller verification")
    expect(row).to_contain_text("Email")
    a11y(officer)
