"""Masked personal data: a viewer sees emails, phones, address lines, tax ids and source
owners masked on the customer page and in results (search still finds them by the full
values); "Reveal" asks why the first time in a session, records a read-access event, and
shows the customer for the rest of the session; the privacy page lists the reads. Roles that
need the values see them; which roles those are is configurable."""

from __future__ import annotations

import json

import pytest

from app.services.customers import Address, NewCustomer, Shipping
from tests.conftest import csrf_token

from .conftest import html
from .inline_helpers import source

CID = "cus-mask-1"
EMAIL = "grace.hopper@example.com"
PHONE = "+1 202 555 0147"
LINE1 = "1 Navy Yard Road"


@pytest.fixture
def customer(service, insert_rows):
    created = service.create(
        NewCustomer(
            id=CID,
            email=EMAIL,
            shipping=Shipping(
                name="Grace Hopper",
                phone=PHONE,
                address=Address(line1=LINE1, city="Arlington", postal_code="22202", country="US"),
            ),
        )
    )
    service.add_tax_identifier(CID, "de", "DE123456789")
    return created


@pytest.fixture
def viewer(client_as):
    return client_as("viewer")


def page_text(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def page(client, path: str):
    return html(client.get(path))


def reveal(client, customer_id: str = CID, reason: str | None = "TICKET-12") -> object:
    token = csrf_token(client, f"/customers/{customer_id}")
    data = {"csrf_token": token}
    if reason is not None:
        data["reason"] = reason
    return client.post(f"/customers/{customer_id}/reveal", data=data)


def reads(app) -> list:
    return list(app.extensions["customer_desk"].reads.newest())


def test_a_viewer_sees_the_customer_masked_and_nothing_in_full(viewer, customer) -> None:
    body = page_text(viewer, f"/customers/{CID}")
    shown = page(viewer, f"/customers/{CID}")

    assert "g•••@example.com" in body
    assert "+1 •••• ••0147" in body
    assert "1 N••• Y••• R•••" in body
    assert "DE•••••••89" in body
    for value in (EMAIL, "202 555 0147", LINE1, "DE123456789"):
        assert value not in body
    banner = shown.by_id("masked-banner")
    assert "Personal data is masked for your role" in banner.text
    assert "Email" in banner.text and "Phone" in banner.text
    assert shown.find("h1").text.strip() == "Grace Hopper"  # the name is how a caller is known


@pytest.mark.parametrize("role", ["agent", "fraud", "privacy", "admin"])
def test_roles_that_need_the_values_see_them(client_as, customer, role) -> None:
    body = page_text(client_as(role), f"/customers/{CID}")

    assert EMAIL in body and PHONE in body and LINE1 in body
    assert "masked-banner" not in body


def test_a_viewer_s_search_finds_by_the_full_value_and_shows_it_masked(viewer, customer) -> None:
    results = page(viewer, f"/?q={EMAIL}").by_id("results")

    assert results.has("a", href=f"/customers/{CID}")
    assert "g•••@example.com" in results.text
    assert EMAIL not in results.text  # (the box and the title keep what was typed)


def test_a_reveal_without_a_reason_is_refused_next_to_the_field(app, viewer, customer) -> None:
    response = reveal(viewer, reason="  ")

    assert response.status_code == 422
    assert "Say why you need to see" in html(response).by_id("reveal-reason-error").text
    assert EMAIL not in response.get_data(as_text=True)
    assert reads(app) == []


def test_a_reveal_records_who_saw_which_fields_and_why_then_shows_the_customer(
    app, viewer, customer
) -> None:
    response = reveal(viewer)

    assert response.status_code == 303
    body = page_text(viewer, f"/customers/{CID}")
    assert EMAIL in body and PHONE in body and "DE123456789" in body
    assert "revealed-note" in body
    (event,) = reads(app)
    assert event.customer_id == CID
    assert event.staff_username.startswith("viewer")
    assert event.reason == "TICKET-12"
    assert set(event.fields) >= {"email", "shipping.phone", "shipping.address.line1"}
    assert "taxIdentifiers.de" in event.fields


def test_the_reason_is_asked_once_a_session(app, viewer, customer, make_customer) -> None:
    make_customer(id="cus-mask-2", email="second@example.com")
    reveal(viewer)

    second = page(viewer, "/customers/cus-mask-2")
    assert not second.has(id="reveal-reason")
    assert "TICKET-12" in second.by_id("masked-banner").text
    assert reveal(viewer, "cus-mask-2", reason=None).status_code == 303

    assert [(e.customer_id, e.reason) for e in reads(app)] == [
        ("cus-mask-2", "TICKET-12"),
        (CID, "TICKET-12"),
    ]
    assert "second@example.com" in page_text(viewer, "/customers/cus-mask-2")


def test_a_new_session_is_masked_again(app, client_as, customer, make_staff) -> None:
    from tests.conftest import sign_in

    name = make_staff("viewer")
    client = app.test_client()
    sign_in(client, name)
    reveal(client)
    assert EMAIL in page_text(client, f"/customers/{CID}")

    token = csrf_token(client, f"/customers/{CID}")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    sign_in(client, name)

    assert EMAIL not in page_text(client, f"/customers/{CID}")


def test_the_privacy_page_lists_the_reads_per_customer(app, viewer, client_as, customer) -> None:
    reveal(viewer)
    officer = client_as("privacy")

    assert page(officer, "/privacy").has(id="reads-link")
    table = page(officer, f"/privacy/reads?customer={CID}").by_id("read-events")
    assert "TICKET-12" in table.text and "Email" in table.text and "viewer" in table.text
    other = page(officer, "/privacy/reads?customer=cus-nobody")
    assert not other.has(id="read-events")
    assert viewer.get("/privacy/reads").status_code == 403


def test_the_subject_access_export_includes_the_reads(app, viewer, client_as, customer) -> None:
    reveal(viewer)

    document = json.loads(
        client_as("privacy").get(f"/customers/{CID}/subject-access.json").get_data(as_text=True)
    )

    (read,) = document["read_access_events"]
    assert read["reason"] == "TICKET-12" and "email" in read["fields"]


def test_source_owner_details_are_masked(viewer, client_as, customer, insert_rows) -> None:
    row = source("src-owner", CID)
    row.owner_name, row.owner_email = "Augusta King", "aug@example.org"
    insert_rows(row)

    body = page_text(viewer, f"/customers/{CID}")

    assert "Augusta King" not in body and "aug@example.org" not in body
    assert "A•••••• K•••" in body


def test_a_viewer_downloads_a_certificate_only_after_revealing(viewer, service, customer) -> None:
    import datetime as dt

    from app.services.customers import NewTaxCertificate

    from .inline_helpers import PDF

    updated = service.add_tax_certificate(
        CID,
        NewTaxCertificate(
            company_name="Hopper Computing",
            tax_authority="VA",
            start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            end_date=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
            file_name="exemption.pdf",
            content=PDF,
        ),
    )
    url = f"/customers/{CID}/files/{updated.tax_certificates[0].file_id}"

    refused = viewer.get(url)
    reveal(viewer)
    allowed = viewer.get(url)

    assert refused.status_code == 403
    assert "Reveal this customer" in refused.get_data(as_text=True)
    assert allowed.status_code == 200 and allowed.data == PDF
