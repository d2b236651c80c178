"""Tax identifiers (add, remove) and tax certificates (add with a file, download) in place."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from app.services.customers import NewTaxCertificate
from app.services.local.models import FileRow
from tests.conftest import csrf_token

from .conftest import html
from .dom import field_error, form_values, fragment_root
from .inline_helpers import JPG, PDF, PNG, detail, form_at, post, swapped

ADD_TAX_ID = "/customers/cus-1/tax-identifiers"
ADD_CERT = "/customers/cus-1/tax-certificates"
MB = 1024 * 1024


@pytest.fixture
def viewer(client_as):
    """A read-only reader who sees personal data in full (a fraud officer); a viewer, who sees
    it masked, downloads certificates once they revealed the customer (test_masking)."""
    return client_as("fraud")


@pytest.fixture
def customer(make_customer):
    return make_customer(id="cus-1", email="one@example.com")


@pytest.fixture
def with_de(customer, service):
    """cus-1 holding a German VAT id."""
    return service.add_tax_identifier("cus-1", "de", "DE123456789")


def certificate(content: bytes = PDF, **changes) -> NewTaxCertificate:
    values = {
        "company_name": "Hopper Industries",
        "tax_authority": "VA",
        "start_date": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "end_date": dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
        "file_name": "exemption.pdf",
        "content": content,
    }
    return NewTaxCertificate(**{**values, **changes})


def cert_fields(content: bytes = PDF, name: str = "exemption.pdf", **changes) -> dict:
    return {
        "company_name": "Hopper Industries",
        "tax_authority": "VA",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "file": (io.BytesIO(content), name),
        **changes,
    }


# -- tax identifiers ---------------------------------------------------------------------------


def test_an_agent_adds_a_tax_identifier(agent, service, customer) -> None:
    response = post(
        agent, detail(agent), ADD_TAX_ID, {"type": "de", "value": "DE123456789"}, htmx=True
    )

    assert response.status_code == 200
    root, flash = swapped(response)
    rows = root.by_id("tax-identifiers").find("tbody").elements
    assert [[td.text for td in tr.find_all("td")][:3] for tr in rows] == [
        ["de", "DE123456789", "verified"]
    ]
    assert flash is not None and flash.text == "Tax identifier DE123456789 added."
    assert [(t.type, t.value) for t in service.get("cus-1").tax_identifiers] == [
        ("de", "DE123456789")
    ]


@pytest.mark.parametrize(
    ("changes", "status", "field_id", "message"),
    [
        ({"type": "de", "value": "DE987654321"}, 409, "taxid-type", "already has a 'de' tax"),
        ({"type": "", "value": "DE987654321"}, 422, "taxid-type", "Choose a tax identifier type."),
        ({"type": "xx", "value": "DE987654321"}, 422, "taxid-type", "Not a valid choice"),
        ({"type": "at", "value": ""}, 422, "taxid-value", "Enter the tax identifier."),
        ({"type": "de", "value": "nope!"}, 422, "taxid-value", "Enter a tax ID like DE123456789."),
        ({"type": "at", "value": "x y"}, 422, "taxid-value", "Enter the tax ID as printed"),
    ],
    ids=["duplicate-type", "no-type", "unknown-type", "no-value", "bad-value", "bad-loose-value"],
)
def test_a_refused_tax_identifier_is_shown_next_to_its_field_and_nothing_changes(
    agent, service, with_de, changes, status, field_id, message
) -> None:
    if changes["value"] == "nope!":
        service.remove_tax_identifier("cus-1", with_de.tax_identifiers[0].id)
    before = service.get("cus-1")

    response = post(agent, detail(agent), ADD_TAX_ID, changes, htmx=True)

    assert response.status_code == status
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "tax-identifiers"
    assert message in field_error(root, field_id)
    assert form_values(root.by_id("taxid-form"))["value"] == changes["value"]
    assert service.get("cus-1") == before


def test_removing_a_tax_identifier_asks_first_then_removes_it(agent, service, with_de) -> None:
    page = detail(agent)
    tax_id = with_de.tax_identifiers[0].id
    confirm = page.by_id("tax-identifiers").find("details", "confirm")

    assert confirm.find("button").text == "Remove de DE123456789"
    response = post(agent, page, f"/customers/cus-1/tax-identifiers/{tax_id}/remove", htmx=True)

    assert response.status_code == 200
    root, _ = swapped(response)
    assert root.by_id("tax-identifiers").find("p", "empty").text == "No tax identifiers."
    assert service.get("cus-1").tax_identifiers == ()


def test_without_javascript_adding_a_tax_identifier_redirects_with_a_flash(agent, customer):
    response = post(agent, detail(agent), ADD_TAX_ID, {"type": "at", "value": "ATU12345678"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-1#tax-identifiers"
    assert "added" in html(agent.get("/customers/cus-1")).by_id("flash").text


# -- tax certificates --------------------------------------------------------------------------


def test_an_agent_adds_a_certificate_with_its_pdf(agent, service, customer) -> None:
    page = detail(agent)
    form = form_at(page, ADD_CERT)

    assert form.get("enctype") == "multipart/form-data"
    response = post(agent, page, ADD_CERT, cert_fields(), htmx=True)

    assert response.status_code == 200
    root, flash = swapped(response)
    cells = [td.text for td in root.by_id("tax-certificates").find("tbody").find_all("td")]
    stored = service.get("cus-1").tax_certificates
    assert cells == ["Hopper Industries", "VA", "2025-01-01 – 2025-12-31", stored[0].file_id]
    assert flash is not None and flash.text == "Tax certificate for Hopper Industries added."
    assert service.get_file(stored[0].file_id).content == PDF


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [(PDF, "exemption.pdf", "application/pdf"), (PNG, "scan.png", "image/png"),
     (JPG, "photo.jpg", "image/jpeg")],
)  # fmt: skip
def test_anyone_signed_in_downloads_a_certificate_file_as_an_attachment(
    viewer, service, customer, content, name, mime
) -> None:
    stored = service.add_tax_certificate(
        "cus-1", certificate(content, file_name=name)
    ).tax_certificates[0]
    link = detail(viewer).by_id("tax-certificates").find("tbody").find("a")

    response = viewer.get(link.get("href"))

    assert link.text == stored.file_id
    assert response.status_code == 200
    assert response.mimetype == mime
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.get_data() == content


def test_a_pdf_uploaded_as_html_is_stored_and_downloaded_as_a_pdf(agent, service, customer):
    post(agent, detail(agent), ADD_CERT, cert_fields(PDF, "cert.html"))
    [added] = service.get("cus-1").tax_certificates

    response = agent.get(f"/customers/cus-1/files/{added.file_id}")

    assert service.get_file(added.file_id).file_name == "cert.pdf"
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=cert.pdf"


def test_a_file_stored_under_another_name_downloads_named_by_its_content(
    viewer, service, customer, app
) -> None:
    """A file stored before names followed the content keeps its name in the database; the
    download names and types it by what it holds."""
    [stored] = service.add_tax_certificate("cus-1", certificate(PNG)).tax_certificates
    with app.extensions["customer_desk"].engine.begin() as connection:
        connection.execute(
            FileRow.__table__.update()
            .where(FileRow.id == stored.file_id)
            .values(file_name='old "scan".html', type="html")
        )

    response = viewer.get(f"/customers/cus-1/files/{stored.file_id}")

    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == 'attachment; filename="old scan.png"'


def test_a_file_of_another_customer_is_not_served_under_this_one(
    viewer, service, customer, make_customer
) -> None:
    make_customer(id="cus-2")
    file_id = service.add_tax_certificate("cus-2", certificate()).tax_certificates[0].file_id

    assert viewer.get(f"/customers/cus-1/files/{file_id}").status_code == 404
    assert viewer.get("/customers/cus-1/files/no-such-file").status_code == 404
    assert viewer.get(f"/customers/cus-2/files/{file_id}").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"file": (io.BytesIO(b"just text"), "fake.pdf")}, "taxcert-file", "PDF, JPG or PNG"),
        (
            {"file": (io.BytesIO(PDF + b"\0" * (11 * MB)), "big.pdf")},
            "taxcert-file",
            "The file is 11.0 MB; at most 10 MB.",
        ),
        ({"file": (io.BytesIO(b""), "")}, "taxcert-file", "Choose the certificate file."),
        ({"end_date": "2024-12-31"}, "taxcert-end", "The end date must be after the start"),
        ({"start_date": "1 Jan"}, "taxcert-start", "Not a valid date value."),
        ({"tax_authority": "ZZ"}, "taxcert-authority", "Not a valid choice"),
        ({"company_name": " "}, "taxcert-company", "Enter the company name."),
    ],
    ids=["not-a-pdf", "11-mb", "no-file", "end-before-start", "bad-date", "state", "company"],
)
def test_a_refused_certificate_is_shown_next_to_its_field_keeping_what_was_typed(
    agent, service, customer, changes, field_id, message
) -> None:
    response = post(agent, detail(agent), ADD_CERT, cert_fields(**changes), htmx=True)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "tax-certificates"
    assert message in field_error(root, field_id)
    assert "open" in root.find("details").attrs
    values = form_values(root.by_id("taxcert-form"))
    assert values["company_name"] == changes.get("company_name", "Hopper Industries").strip()
    assert service.get("cus-1") == customer


def test_an_upload_over_the_request_limit_gets_a_clear_message_in_place(
    agent, service, customer
) -> None:
    page = detail(agent)
    huge = cert_fields(PDF + b"\0" * (13 * MB), "huge.pdf")

    response = post(agent, page, ADD_CERT, huge, htmx=True)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "tax-certificates"
    message = field_error(root, "taxcert-file")
    assert "The upload was 13.0 MB" in message
    assert "at most 10 MB" in message
    assert "nothing was saved" in message
    assert service.get("cus-1") == customer


def test_without_javascript_an_upload_over_the_limit_shows_the_page_with_413(
    agent, service, customer
) -> None:
    huge = cert_fields(PDF + b"\0" * (13 * MB), "huge.pdf")

    response = post(agent, detail(agent), ADD_CERT, huge)

    assert response.status_code == 413
    page = html(response)
    assert page.has("body")
    assert "at most 10 MB" in field_error(page, "taxcert-file")
    assert service.get("cus-1") == customer


def test_without_javascript_a_certificate_redirects_with_a_flash(agent, service, customer):
    response = post(agent, detail(agent), ADD_CERT, cert_fields())

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-1#tax-certificates"
    assert len(service.get("cus-1").tax_certificates) == 1


@pytest.mark.parametrize("role", ["viewer", "fraud", "privacy"])
def test_readers_see_no_tax_controls_and_get_403_on_every_change(
    client_as, service, with_de, role
) -> None:
    client = client_as(role)
    token = csrf_token(client, "/")
    page = detail(client)
    tax_id = with_de.tax_identifiers[0].id

    statuses = [
        client.post(ADD_TAX_ID, data={"csrf_token": token, "version": "2", "type": "at"}),
        client.post(
            f"/customers/cus-1/tax-identifiers/{tax_id}/remove",
            data={"csrf_token": token, "version": "2"},
        ),
        client.post(ADD_CERT, data={"csrf_token": token, "version": "2", **cert_fields()}),
    ]

    for section in ("tax-identifiers", "tax-certificates"):
        assert not page.by_id(section).has("form")
        assert not page.by_id(section).has("button")
    assert [r.status_code for r in statuses] == [403, 403, 403]
    assert service.get("cus-1") == with_de


def test_the_certificate_form_offers_every_us_state_and_explains_the_file_rules(
    agent, customer
) -> None:
    section = detail(agent).by_id("tax-certificates")

    states = [o.get("value") for o in section.by_id("taxcert-authority").find_all("option")]

    assert states[:3] == ["", "AL", "AK"]
    assert len(states) == 1 + 56
    assert section.by_id("taxcert-file-hint").text == "PDF, JPG or PNG, at most 10 MB."
