"""Journey: a privacy officer opens a customer, reads the subject access summary and downloads
the JSON (its content checked), on the local store and on Digital River (the emulator); the
export shows in the customer's audit trail. Axe checks the summary."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from app.services.audit import Actor
from app.services.customers import CustomerUpdate, NewCustomer, Shipping

CID = "cus-journey-sar"


def test_a_privacy_officer_downloads_everything_held_about_a_customer(
    page: Page, live_server, sign_in, a11y, make_staff, service, backend, tmp_path: Path
) -> None:
    service.create(
        NewCustomer(
            id=CID,
            email="katherine@example.com",
            shipping=Shipping(name="Katherine Johnson"),
            metadata={"crm": "KJ-1918"},
        ),
        actor=Actor(4, "eddie"),
    )
    service.update(CID, CustomerUpdate(email="kj@example.com"), actor=Actor(4, "eddie"))
    officer = make_staff("privacy", username="olga")
    sign_in(page, officer, path=f"/login?next=/customers/{CID}")

    page.get_by_role("link", name="Subject access export").click()
    expect(
        page.get_by_role("heading", name="Subject access export: Katherine Johnson")
    ).to_be_visible()
    expect(page.locator("#sa-fields")).to_contain_text("kj@example.com")
    expect(page.locator("#sa-events")).to_contain_text("katherine@example.com → kj@example.com")
    a11y(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything as JSON").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    assert download.suggested_filename.startswith(f"subject-access-{CID}-")
    document = json.loads(saved.read_text())
    assert document["customer"]["email"] == "kj@example.com"
    assert document["customer"]["metadata"] == {"crm": "KJ-1918"}
    assert document["backend"] == backend
    assert {e["action"] for e in document["audit_events"]} >= {"customer.create", "customer.update"}

    page.goto(f"{live_server}/customers/{CID}")
    expect(page.locator("body")).to_contain_text("Exported the customer's data (subject access)")
