"""Journeys through the customer page's inline changes: enable/disable, payment sources, tax
identifiers and certificates, metadata; who may make them, bad input, and two staff members
changing the same customer at once. Every change is made in place (an htmx swap, no reload)."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import uuid
import zlib
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from app.services.customers import NewCustomer
from app.services.local.models import SourceRow

# -- helpers -----------------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")  # filter byte, one orange pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def csrf_token(page: Page) -> str:
    """The CSRF token the page hands htmx in the body's hx-headers attribute."""
    headers = page.locator("body").get_attribute("hx-headers")
    assert headers, "no hx-headers on <body>"
    return json.loads(headers)["X-CSRFToken"]


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def field_error(page: Page, label: str) -> Locator:
    """The error shown in the form field block (label, control, hint, error) of ``label``."""
    return page.locator(".field").filter(has=page.get_by_label(label, exact=True)).locator(".error")


def status(page: Page) -> Locator:
    return page.locator("#flash")


def search_row(page: Page, customer_id: str) -> Locator:
    results = page.get_by_role("region", name="Search results")
    return results.get_by_role("row").filter(
        has=page.get_by_role("link", name=customer_id, exact=True)
    )


def mark_document(page: Page) -> None:
    """Tag the loaded document, so a later check can tell an htmx swap from a page load."""
    page.evaluate("() => { window.__sameDocument = true; }")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"


def open_customer(page: Page, live_server: str, customer_id: str) -> None:
    page.goto(f"{live_server}/customers/{customer_id}")
    expect(page.locator("#customer-id")).to_have_text(customer_id)
    mark_document(page)


@pytest.fixture
def make_source(backend: str, service, request: pytest.FixtureRequest) -> Callable[..., str]:
    """``make_source(customer_id=None, *, brand=, last_four=, state=)``: a payment source as
    DigitalRiver.js would create it, where the backend keeps them (a row of the local store's
    sources table; the DR emulator's ``add_source``); attached to ``customer_id`` if given
    (through the service, so the first one attached becomes the default). Returns its id."""

    def make(
        customer_id: str | None = None,
        *,
        brand: str = "Visa",
        last_four: str = "1111",
        state: str = "chargeable",
    ) -> str:
        if backend == "digitalriver":
            emulator = request.getfixturevalue("dr_emulator").app
            source_id = emulator.add_source(
                state=state,
                details={
                    "brand": brand,
                    "lastFourDigits": last_four,
                    "expirationMonth": 7,
                    "expirationYear": 2030,
                },
            )["id"]
        else:
            source_id = str(uuid.uuid4())
            with Session(service.engine) as session:
                session.add(
                    SourceRow(
                        id=source_id,
                        type="creditCard",
                        state=state,
                        reusable=False,
                        brand=brand,
                        last_four=last_four,
                        expiration_month=7,
                        expiration_year=2030,
                        currency="USD",
                        created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                )
                session.commit()
        if customer_id is not None:
            service.attach_source(customer_id, source_id)
        return source_id

    return make


# -- a. disable and enable ---------------------------------------------------------------------


def test_fraud_analyst_disables_a_customer_then_enables_it_again(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_fraud", email="fraud@example.com"))
    service.create(NewCustomer(id="cus_bystander", email="bystander@example.com"))
    analyst = make_staff("fraud", username="fiona")

    sign_in(page, analyst)
    page.get_by_role("link", name="cus_fraud", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("fraud@example.com")
    mark_document(page)
    expect(page.get_by_role("note")).to_have_count(0)
    a11y(page)

    # The confirmation step: the form opens with what disabling means.
    page.get_by_text("Disable this customer…").click()
    disable = page.get_by_role("button", name="Disable cus_fraud")
    expect(disable).to_be_visible()
    expect(page.get_by_text("Digital River will refuse every order")).to_be_visible()
    a11y(page)

    # No reason: refused next to the reason, nothing changed.
    disable.click()
    reason = page.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(
        re.compile(r"Choose why the customer is disabled\.")
    )
    expect(field_error(page, "Reason")).to_have_text("Choose why the customer is disabled.")
    assert service.get("cus_fraud").enabled
    a11y(page)

    reason.select_option(label="Chargeback")
    page.get_by_label("Note").fill("Bank reported card stolen")
    page.get_by_role("button", name="Disable cus_fraud").click()

    banner = page.get_by_role("note", name=re.compile("This customer is disabled"))
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Digital River refuses any order that references it")
    expect(banner.get_by_role("definition").nth(0)).to_have_text("fiona")
    expect(banner.get_by_role("definition").nth(1)).to_have_text(
        re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$")
    )
    expect(banner.get_by_role("definition").nth(2)).to_have_text(
        "Chargeback: “Bank reported card stolen”"
    )
    expect(page.locator(".badges")).to_contain_text("Disabled")
    expect(status(page)).to_contain_text("Customer cus_fraud disabled.")
    assert_same_document(page)
    a11y(page)
    assert not service.get("cus_fraud").enabled

    # The search row says so.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    row = search_row(page, "cus_fraud")
    expect(row).to_contain_text("Disabled")
    # The row's toggle waits in its short Actions menu.
    row.get_by_text("Actions").click()
    expect(row.get_by_role("button", name="Enable cus_fraud…")).to_be_visible()
    # An enabled customer's row carries no state badge.
    expect(search_row(page, "cus_bystander")).to_be_visible()
    expect(search_row(page, "cus_bystander").locator(".badge:visible")).to_have_count(0)
    a11y(page)

    # The audit trail, filtered to this customer.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    events = page.get_by_role("region", name="Audit events")
    expect(events.get_by_role("row").filter(has_text="cus_bystander")).not_to_have_count(0)
    page.get_by_label("Customer id").fill("cus_fraud")
    expect(page).to_have_url(re.compile(r"\?(.*&)?customer=cus_fraud(&|$)"))
    expect(events.get_by_role("row").filter(has_text="cus_bystander")).to_have_count(0)
    disabled = events.get_by_role("row").filter(has_text="Disabled")
    expect(disabled).to_have_count(1)
    expect(disabled).to_contain_text("fiona")
    expect(disabled).to_contain_text("Chargeback")
    expect(disabled).to_contain_text("Bank reported card stolen")
    expect(disabled.locator(".badge--bad")).to_have_count(0)  # only a failure is flagged
    a11y(page)

    # Back to the customer, and enable it again.
    disabled.get_by_role("link", name="fraud@example.com").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("fraud@example.com")
    mark_document(page)
    expect(banner).to_be_visible()
    # Enabling asks why, as disabling does.
    page.get_by_text("Enable this customer again…").click()
    page.get_by_role("button", name="Enable cus_fraud").click()
    expect(page.get_by_label("Reason")).to_have_accessible_description(
        re.compile("Choose why the customer is enabled again.")
    )
    page.get_by_label("Reason").select_option(label="Blocked in error")
    page.get_by_label("Note").fill("The bank found the card")
    page.get_by_role("button", name="Enable cus_fraud").click()

    expect(status(page)).to_contain_text("Customer cus_fraud enabled.")
    expect(page.get_by_role("note")).to_have_count(0)
    expect(page.locator(".badges")).to_have_count(0)  # enabled: no badge to show
    expect(page.get_by_text("Disable this customer…")).to_be_visible()
    assert_same_document(page)
    a11y(page)
    assert service.get("cus_fraud").enabled


# -- b. payment sources ------------------------------------------------------------------------


def test_agent_changes_the_default_source_and_detaches_one(
    page: Page, live_server, service, make_staff, sign_in, a11y, make_source
):
    service.create(NewCustomer(id="cus_cards", email="cards@example.com"))
    visa = make_source("cus_cards", brand="Visa", last_four="1111")
    master = make_source("cus_cards", brand="MasterCard", last_four="4444")
    assert service.get("cus_cards").default_source_id == visa

    sign_in(page, make_staff("agent"))
    open_customer(page, live_server, "cus_cards")
    sources = region(page, "Payment sources")
    visa_row = sources.get_by_role("row").filter(has_text=visa)
    master_row = sources.get_by_role("row").filter(has_text=master)
    expect(visa_row).to_contain_text("Default")
    expect(master_row).not_to_contain_text("Default")
    a11y(page)

    master_row.get_by_role("button", name="Make default MasterCard •••• 4444 · 07/30").click()
    expect(status(page)).to_contain_text("MasterCard •••• 4444 · 07/30 is now the default.")
    expect(master_row).to_contain_text("Default")
    expect(visa_row).not_to_contain_text("Default")
    expect(
        visa_row.get_by_role("button", name="Make default Visa •••• 1111 · 07/30")
    ).to_be_visible()
    assert_same_document(page)
    a11y(page)
    assert service.get("cus_cards").default_source_id == master

    # The confirmation step says what detaching means.
    visa_row.get_by_text("Detach…").click()
    expect(visa_row.get_by_text("Detaching cancels this source for good")).to_be_visible()
    confirm = visa_row.get_by_role("button", name="Detach Visa •••• 1111 · 07/30")
    expect(confirm).to_be_visible()
    a11y(page)

    confirm.click()
    expect(status(page)).to_contain_text(
        "Visa •••• 1111 · 07/30 detached; it is cancelled for good."
    )
    expect(sources.get_by_role("row").filter(has_text=visa)).to_have_count(0)
    expect(sources.locator("tbody").get_by_role("row")).to_have_count(1)
    expect(master_row).to_contain_text("Default")
    assert_same_document(page)
    a11y(page)
    stored = service.get("cus_cards")
    assert [s.id for s in stored.sources] == [master]
    assert stored.default_source_id == master


# -- c. tax identifiers and certificates -------------------------------------------------------


def test_agent_adds_and_removes_a_tax_identifier_then_uploads_a_certificate(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_tax", email="tax@example.com"))

    sign_in(page, make_staff("agent"))
    open_customer(page, live_server, "cus_tax")
    identifiers = region(page, "Tax identifiers")
    expect(identifiers).to_contain_text("No tax identifiers.")
    a11y(page)

    identifiers.get_by_label("Type").select_option("de")
    identifiers.get_by_label("Value").fill("DE123456789")
    identifiers.get_by_role("button", name="Add tax identifier").click()

    expect(status(page)).to_contain_text("Tax identifier DE123456789 added.")
    row = identifiers.locator("tbody").get_by_role("row")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell")).to_have_text(
        ["de", "DE123456789", "verified", "just now", re.compile("Remove")]
    )
    assert_same_document(page)
    a11y(page)
    assert [(t.type, t.value, t.state) for t in service.get("cus_tax").tax_identifiers] == [
        ("de", "DE123456789", "verified")
    ]

    row.get_by_text("Remove…").click()
    expect(row.get_by_text("no longer show this identifier")).to_be_visible()
    a11y(page)
    row.get_by_role("button", name="Remove de DE123456789").click()
    expect(status(page)).to_contain_text("Tax identifier removed.")
    expect(identifiers).to_contain_text("No tax identifiers.")
    assert_same_document(page)
    a11y(page)
    assert service.get("cus_tax").tax_identifiers == ()

    certificates = region(page, "Tax certificates")
    certificates.get_by_text("Add a tax certificate…").click()
    expect(certificates.get_by_label("Company name")).to_be_visible()
    a11y(page)

    png = png_bytes()
    certificates.get_by_label("Company name").fill("Hopper Industries")
    certificates.get_by_label("Tax authority").select_option("VA")
    certificates.get_by_label("Valid from").fill("2025-01-01")
    certificates.get_by_label("Valid until").fill("2025-12-31")
    certificates.get_by_label("Certificate file").set_input_files(
        files=[{"name": "exemption.png", "mimeType": "image/png", "buffer": png}]
    )
    certificates.get_by_role("button", name="Add certificate").click()

    expect(status(page)).to_contain_text("Tax certificate for Hopper Industries added.")
    cert_row = certificates.locator("tbody").get_by_role("row")
    expect(cert_row).to_have_count(1)
    expect(cert_row).to_contain_text("Hopper Industries")
    expect(cert_row).to_contain_text("VA")
    expect(cert_row).to_contain_text("2025-01-01 – 2025-12-31")
    assert_same_document(page)
    a11y(page)

    (stored,) = service.get("cus_tax").tax_certificates
    link = cert_row.get_by_role("link", name=stored.file_id)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "exemption.png"
    assert download.path().read_bytes() == png


# -- d. metadata -------------------------------------------------------------------------------


def test_agent_adds_changes_and_clears_metadata(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(
        NewCustomer(
            id="cus_meta",
            email="meta@example.com",
            metadata={"crm_id": "CRM-7781", "region": "emea", "tier": "gold"},
        )
    )

    sign_in(page, make_staff("agent"))
    open_customer(page, live_server, "cus_meta")
    metadata = region(page, "Metadata")
    metadata.get_by_text("Edit metadata…").click()
    expect(metadata.get_by_role("textbox", name="Value of “tier”")).to_have_value("gold")
    a11y(page)

    # "Add row" asks the server for one more empty row, keeping what was typed.
    metadata.get_by_role("textbox", name="Name of new key 4").fill("segment")
    metadata.get_by_role("textbox", name="Value of new key 4").fill("smb")
    metadata.get_by_role("button", name="Add row").click()
    expect(metadata.get_by_role("textbox", name="Name of new key 5")).to_be_visible()
    expect(metadata.get_by_role("textbox", name="Name of new key 4")).to_have_value("segment")
    assert_same_document(page)
    a11y(page)

    metadata.get_by_role("textbox", name="Name of new key 5").fill("owner")
    metadata.get_by_role("textbox", name="Value of new key 5").fill("Nora Berg")
    metadata.get_by_role("textbox", name="Value of “tier”").fill("platinum")
    metadata.get_by_role("textbox", name="Value of “region”").fill("")
    metadata.get_by_role("button", name="Save metadata").click()

    expect(status(page)).to_contain_text("Metadata saved.")
    listed = metadata.locator("dl.fields")
    expect(listed.get_by_role("term")).to_have_text(["crm_id", "owner", "segment", "tier"])
    expect(listed.get_by_role("definition")).to_have_text(
        ["CRM-7781", "Nora Berg", "smb", "platinum"]
    )
    assert_same_document(page)
    a11y(page)
    assert dict(service.get("cus_meta").metadata) == {
        "crm_id": "CRM-7781",
        "owner": "Nora Berg",
        "segment": "smb",
        "tier": "platinum",
    }


# -- e. who may toggle -------------------------------------------------------------------------


def test_agent_cannot_see_or_use_the_enable_disable_toggle(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    before = service.create(NewCustomer(id="cus_safe", email="safe@example.com"))

    sign_in(page, make_staff("agent"))
    row = search_row(page, "cus_safe")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("Disabled")
    expect(row.get_by_role("button")).to_have_count(0)
    a11y(page)

    open_customer(page, live_server, "cus_safe")
    expect(page.get_by_text("Disable this customer…")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^(Disable|Enable) "))).to_have_count(0)
    expect(page.get_by_label("Reason")).to_have_count(0)
    a11y(page)

    token = csrf_token(page)
    response = page.request.post(
        f"{live_server}/customers/cus_safe/disable",
        form={
            "csrf_token": token,
            "version": str(before.version),
            "reason": "chargeback",
            "note": "agent tries anyway",
            "place": "detail",
        },
        max_redirects=0,
    )
    assert response.status == 403, response.text()
    response = page.request.get(
        f"{live_server}/customers/cus_safe/enabled", headers={"HX-Request": "true"}
    )
    assert response.status == 403, response.text()

    after = service.get("cus_safe")
    assert after.enabled
    assert after.version == before.version
    page.reload()
    expect(page.locator(".badges")).to_have_count(0)  # enabled: no badge to show
    expect(page.get_by_role("note")).to_have_count(0)
    expect(region(page, "Activity")).not_to_contain_text("Disabled")


# -- f. bad input ------------------------------------------------------------------------------


def test_bad_input_is_refused_next_to_its_field_and_changes_nothing(
    page: Page, live_server, service, make_staff, sign_in, a11y, make_source
):
    twenty = {f"key{n:02d}": f"value {n}" for n in range(1, 21)}
    service.create(NewCustomer(id="cus_bad", email="bad@example.com", metadata=twenty))
    service.add_tax_identifier("cus_bad", "de", "DE000000000")
    failed = make_source(state="failed")
    before = service.get("cus_bad")

    sign_in(page, make_staff("agent"))
    open_customer(page, live_server, "cus_bad")
    a11y(page)

    # A "PDF" that is really text.
    certificates = region(page, "Tax certificates")
    certificates.get_by_text("Add a tax certificate…").click()
    certificates.get_by_label("Company name").fill("Hopper Industries")
    certificates.get_by_label("Tax authority").select_option("VA")
    certificates.get_by_label("Valid from").fill("2025-01-01")
    certificates.get_by_label("Valid until").fill("2025-12-31")
    file_input = certificates.get_by_label("Certificate file")
    file_input.set_input_files(
        files=[
            {
                "name": "exemption.pdf",
                "mimeType": "application/pdf",
                "buffer": b"Not a PDF at all, just some text.\n",
            }
        ]
    )
    certificates.get_by_role("button", name="Add certificate").click()
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(field_error(page, "Certificate file")).to_have_text(
        "The file must be a PDF, JPG or PNG document."
    )
    expect(file_input).to_have_accessible_description(re.compile("must be a PDF, JPG or PNG"))
    expect(certificates.get_by_label("Company name")).to_have_value("Hopper Industries")
    expect(certificates.get_by_label("Valid until")).to_have_value("2025-12-31")
    expect(certificates).to_contain_text("No tax certificates.")
    assert_same_document(page)
    a11y(page)

    # 11 MB: a real PNG header, but too big.
    big = png_bytes() + b"\x00" * (11 * 1024 * 1024 - len(png_bytes()))
    file_input.set_input_files(files=[{"name": "huge.png", "mimeType": "image/png", "buffer": big}])
    certificates.get_by_role("button", name="Add certificate").click()
    expect(field_error(page, "Certificate file")).to_have_text(
        "The file is 11.0 MB; at most 10 MB."
    )
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(certificates).to_contain_text("No tax certificates.")
    a11y(page)

    # A 21st metadata key.
    metadata = region(page, "Metadata")
    metadata.get_by_text("Edit metadata…").click()
    metadata.get_by_role("textbox", name="Name of new key 21").fill("key21")
    metadata.get_by_role("textbox", name="Value of new key 21").fill("one too many")
    metadata.get_by_role("button", name="Save metadata").click()
    error = metadata.get_by_role("alert")
    expect(error).to_contain_text("at most 20 metadata keys")
    expect(metadata.get_by_role("textbox", name="Name of new key 21")).to_have_value("key21")
    expect(metadata.locator("dl.fields").get_by_role("term")).to_have_count(20)
    a11y(page)

    # A second tax identifier of a type the customer has.
    identifiers = region(page, "Tax identifiers")
    kind = identifiers.get_by_label("Type")
    kind.select_option("de")
    identifiers.get_by_label("Value").fill("DE123456789")
    identifiers.get_by_role("button", name="Add tax identifier").click()
    expect(kind).to_have_attribute("aria-invalid", "true")
    expect(field_error(page, "Type")).to_contain_text("already has a")
    expect(kind).to_have_accessible_description(re.compile("already has a"))
    expect(identifiers.get_by_label("Value")).to_have_value("DE123456789")
    expect(identifiers.locator("tbody").get_by_role("row")).to_have_count(1)
    a11y(page)

    # A source that cannot be charged.
    sources = region(page, "Payment sources")
    source_id = sources.get_by_label("Source id")
    source_id.fill(failed)
    sources.get_by_role("button", name="Attach source").click()
    expect(source_id).to_have_attribute("aria-invalid", "true")
    expect(field_error(page, "Source id")).to_contain_text("chargeable")
    expect(source_id).to_have_accessible_description(re.compile("chargeable"))
    expect(source_id).to_have_value(failed)
    expect(sources).to_contain_text("No saved payment sources.")
    assert_same_document(page)
    a11y(page)

    after = service.get("cus_bad")
    assert after == before


# -- g. two staff members at once --------------------------------------------------------------


def test_second_save_of_the_edit_form_is_refused_naming_the_first(
    new_context, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_race", email="first@example.com"))
    ann, ben = make_staff("agent", username="ann"), make_staff("agent", username="ben")
    first, second = new_context().new_page(), new_context().new_page()
    sign_in(first, ann)
    sign_in(second, ben, check=False)
    for page in (first, second):
        page.goto(f"{live_server}/customers/cus_race/edit")
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit customer cus_race")

    first.get_by_label("Email", exact=True).fill("ann@example.com")
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator("#flash")).to_contain_text("Changes saved.")

    second.get_by_label("Email", exact=True).fill("ben@example.com")
    second.get_by_label("City").fill("Oslo")
    second.get_by_label("Country").select_option("NO")
    second.get_by_role("button", name="Save changes").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text("Someone else saved this customer first")
    expect(conflict).to_contain_text(
        re.compile(r"ann changed this customer at \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    )
    expect(conflict.get_by_role("rowheader", name="Email", exact=True)).to_be_visible()
    expect(second.get_by_label("Email", exact=True)).to_have_value("ben@example.com")
    expect(second.get_by_label("City")).to_have_value("Oslo")
    expect(second).to_have_url(f"{live_server}/customers/cus_race/edit")
    a11y(second)

    stored = service.get("cus_race")
    assert stored.email == "ann@example.com"
    assert stored.shipping.address.city is None


def test_inline_change_on_an_outdated_page_is_refused_in_place(
    new_context, live_server, service, make_staff, sign_in, a11y, make_source
):
    service.create(NewCustomer(id="cus_both", email="both@example.com", metadata={"a": "1"}))
    visa = make_source("cus_both", brand="Visa", last_four="1111")
    master = make_source("cus_both", brand="MasterCard", last_four="4444")
    ann, ben = make_staff("agent", username="ann"), make_staff("agent", username="ben")
    first, second = new_context().new_page(), new_context().new_page()
    sign_in(first, ann)
    sign_in(second, ben, check=False)
    open_customer(first, live_server, "cus_both")
    open_customer(second, live_server, "cus_both")

    metadata = region(first, "Metadata")
    metadata.get_by_text("Edit metadata…").click()
    metadata.get_by_role("textbox", name="Name of new key 2").fill("b")
    metadata.get_by_role("textbox", name="Value of new key 2").fill("2")
    metadata.get_by_role("button", name="Save metadata").click()
    expect(status(first)).to_contain_text("Metadata saved.")

    sources = region(second, "Payment sources")
    sources.get_by_role("button", name="Make default MasterCard •••• 4444 · 07/30").click()
    alert = sources.get_by_role("alert")
    expect(alert).to_contain_text(
        re.compile(r"ann changed this customer at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(Metadata “b”\)")
    )
    expect(alert).to_contain_text("Nothing was saved")
    expect(sources.get_by_role("row").filter(has_text=visa)).to_contain_text("Default")
    assert_same_document(second)
    a11y(second)
    assert service.get("cus_both").default_source_id == visa

    # Reloading shows the other change; the default can then be chosen.
    alert.get_by_role("link", name="Reload the customer").click()
    expect(region(second, "Metadata").locator("dl.fields")).to_contain_text("b")
    sources.get_by_role("button", name="Make default MasterCard •••• 4444 · 07/30").click()
    expect(status(second)).to_contain_text("MasterCard •••• 4444 · 07/30 is now the default.")
    assert_same_document(second)
    a11y(second)
    stored = service.get("cus_both")
    assert stored.default_source_id == master
    assert dict(stored.metadata) == {"a": "1", "b": "2"}
