"""Subject access (GDPR Art. 15): a privacy officer downloads everything the console holds
about a customer, as JSON and as a readable summary, on both backends; each export is
audited; nobody else may make one."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest

from app.services.audit import Actor, AuditQuery
from app.services.customers import (
    Address,
    CustomerUpdate,
    NewCustomer,
    NewTaxCertificate,
    Shipping,
)

from .conftest import html
from .inline_helpers import PDF

CID = "cus-sar-1"
EDITOR = Actor(5, "eddie", "Eddie Editor")
SUMMARY = f"/customers/{CID}/subject-access"
JSON_URL = f"/customers/{CID}/subject-access.json"


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def customer(service):
    service.create(
        NewCustomer(
            id=CID,
            email="grace.hopper@example.com",
            shipping=Shipping(
                name="Grace Hopper",
                phone="+1 202 555 0147",
                address=Address(
                    line1="1 Navy Yard", city="Arlington", postal_code="22202", country="US"
                ),
            ),
            metadata={"crm": "GH-1906"},
        ),
        actor=EDITOR,
    )
    service.update(CID, CustomerUpdate(email="grace@example.com"), actor=EDITOR)
    return service.add_tax_identifier(CID, "de", "DE123456789", actor=EDITOR)


@pytest.fixture
def officer(client_as):
    return client_as("privacy")


def exports_recorded(app) -> list:
    audit = app.extensions["customer_desk"].audit
    return [
        e
        for e in audit.iterate(AuditQuery(customer_id=CID))
        if e.action == "customer.subject_access"
    ]


@pytest.mark.parametrize("roles", [("viewer",), ("agent",), ("fraud",), ("agent", "fraud")])
def test_only_privacy_officers_and_admins_may_export(client_as, customer, roles) -> None:
    client = client_as(*roles)

    assert client.get(SUMMARY).status_code == 403
    assert client.get(JSON_URL).status_code == 403
    assert "subject-access-link" not in client.get(f"/customers/{CID}").get_data(as_text=True)


def test_the_customer_page_links_privacy_officers_to_the_export(client_as, customer) -> None:
    for role in ("privacy", "admin"):
        page = html(client_as(role).get(f"/customers/{CID}"))
        assert page.by_id("subject-access-link").get("href") == SUMMARY


def test_the_json_holds_the_customer_its_tax_data_and_its_audit_trail(
    app, officer, customer, backend
) -> None:
    response = officer.get(JSON_URL)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="subject-access-{CID}-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert document["format"] == "customer-desk.subject-access"
    assert document["backend"] == backend
    assert document["generated_by"].startswith("privacy")
    person = document["customer"]
    assert person["id"] == CID
    assert person["email"] == "grace@example.com"
    assert person["shipping"]["name"] == "Grace Hopper"
    assert person["shipping"]["address"]["city"] == "Arlington"
    assert person["metadata"] == {"crm": "GH-1906"}
    assert [t["value"] for t in document["tax_identifiers"]] == ["DE123456789"]
    actions = [e["action"] for e in document["audit_events"]]
    assert actions[-1] == "customer.create"  # newest first, the creation last
    update = next(e for e in document["audit_events"] if e["action"] == "customer.update")
    assert {
        "field": "email",
        "before": "grace.hopper@example.com",
        "after": "grace@example.com",
    } in (update["changes"])
    assert document["forget_request"] is None


def test_each_export_is_recorded_in_the_audit_trail(app, officer, customer) -> None:
    officer.get(JSON_URL)
    officer.get(SUMMARY)

    recorded = exports_recorded(app)

    assert len(recorded) == 2
    assert all(e.actor_username.startswith("privacy") for e in recorded)
    assert [e.note.split(":")[0] for e in recorded] == [
        "Subject access export (summary)",
        "Subject access export (JSON)",
    ]


def test_the_summary_reads_as_a_page_with_the_json_one_click_away(officer, customer) -> None:
    page = html(officer.get(SUMMARY))

    assert "Subject access export: Grace Hopper" in page.find("h1").text
    facts = page.by_id("sa-fields").text
    assert "grace@example.com" in facts and "Arlington" in facts and "GH-1906" in facts
    assert "DE123456789" in page.by_id("subject-access").text
    events = page.by_id("sa-events").text
    assert "grace.hopper@example.com → grace@example.com" in " ".join(events.split())
    assert page.by_id("subject-access-json").get("href") == JSON_URL


def test_a_certificate_file_is_carried_whole_on_the_local_store(
    officer, service, customer, backend
) -> None:
    if backend != "local":  # DR's emulator keeps no certificate files
        service.add_tax_identifier(CID, "at", "ATU12345678", actor=EDITOR)
    else:
        service.add_tax_certificate(
            CID,
            NewTaxCertificate(
                company_name="Hopper Computing",
                tax_authority="VA",
                start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                end_date=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
                file_name="exemption.pdf",
                content=PDF,
            ),
            actor=EDITOR,
        )

    document = json.loads(officer.get(JSON_URL).get_data(as_text=True))

    if backend == "local":
        (certificate,) = document["tax_certificates"]
        (stored,) = document["tax_certificate_files"]
        assert certificate["company_name"] == "Hopper Computing"
        assert stored["file_id"] == certificate["file_id"]
        assert base64.b64decode(stored["content_base64"]) == PDF
        assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    else:
        assert len(document["tax_identifiers"]) == 2


def test_a_forgotten_customer_s_export_holds_the_request(app, officer, customer, backend) -> None:
    app.extensions["customer_desk"].customers.request_forget(
        CID, reason="PRIV-77", actor=Actor(9, "olga", "Olga")
    )

    document = json.loads(officer.get(JSON_URL).get_data(as_text=True))

    request = document["forget_request"]
    assert request["reason"] == "PRIV-77"
    assert request["requested_by"] == "olga"
    assert request["status"] == ("erased" if backend == "local" else "requested")
    if backend == "local":
        assert document["customer"]["email"] is None
