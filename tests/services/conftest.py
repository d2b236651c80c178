"""A customer holding every kind of personal data, with a history of edits and notes, and
the same customer forgotten: what the erasure tests scan for (every table's cells in
test_forget_erasure, the database's files in test_erasure_bytes)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from app.services.audit import Actor
from app.services.customers import (
    AdditionalAddressInfo,
    Address,
    CustomerUpdate,
    NewCustomer,
    NewTaxCertificate,
    Shipping,
)
from app.services.local.models import SourceRow

EDITOR = Actor(3, "eddie", "Eddie Editor")
OFFICER = Actor(7, "priya", "Priya Privacy")


@pytest.fixture
def person() -> dict[str, str]:
    tag = uuid.uuid4().hex[:6]
    return {
        "email": f"Ada.Lovelace.{tag}@Example.org",
        "email2": f"countess.{tag}@example.net",
        "ship_email": f"ada.ship.{tag}@example.org",
        "name": f"Ada Lovelace{tag}",
        "phone": "+44 20 7946 0958",
        "phone_digits": "442079460958",
        "organization": f"Analytical Engines {tag}",
        "line1": f"12 Babbage Street {tag}",
        "line2": "Flat Zeta",
        "city": "Marylebone",
        "postal_code": "NW1 6XE",
        "neighborhood": "Dorset Square",
        "division": "Greater Westminster",
        "phonetic": "Ei-da Lav-lace",
        "company": f"Lovelace Calculating {tag}",
        "owner_name": f"Augusta Ada King {tag}",
        "owner_email": f"augusta.{tag}@example.org",
        "tax_value": "DE123456789",
        "metadata": f"crm-lovelace-{tag}",
        "note": f"Spoke with Ada Lovelace{tag} on the phone",
        "file_name": f"lovelace-{tag}-exemption.pdf",
    }


def _source(service, person: dict[str, str], suffix: str) -> str:
    source_id = f"src-{uuid.uuid4().hex[:10]}-{suffix}"
    with Session(service.engine) as session:
        session.add(
            SourceRow(
                id=source_id,
                type="creditCard",
                state="chargeable",
                reusable=False,
                brand="Visa",
                last_four="1111",
                expiration_month=7,
                expiration_year=2030,
                currency="GBP",
                owner_name=person["owner_name"],
                owner_email=person["owner_email"],
                created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
        session.commit()
    return source_id


@pytest.fixture
def seeded(service, person):
    """A customer with every kind of personal data and a history of edits."""
    shipping = Shipping(
        name=person["name"],
        phone=person["phone"],
        email=person["ship_email"],
        organization=person["organization"],
        address=Address(
            line1=person["line1"],
            line2=person["line2"],
            city=person["city"],
            postal_code=person["postal_code"],
            state="London",
            country="GB",
        ),
        additional_address_info=AdditionalAddressInfo(
            neighborhood=person["neighborhood"],
            division=person["division"],
            phonetic_name=person["phonetic"],
        ),
    )
    customer = service.create(
        NewCustomer(
            id="cus-" + uuid.uuid4().hex[:12],
            email=person["email2"],
            shipping=shipping,
            type="individual",
            locale="en_US",
            metadata={"crm": person["metadata"]},
        ),
        actor=EDITOR,
    )
    cid = customer.id
    service.update(cid, CustomerUpdate(email=person["email"]), actor=EDITOR)
    service.update(cid, CustomerUpdate(metadata={"crm": person["metadata"] + "-2"}), actor=EDITOR)
    service.set_enabled(cid, False, reason_code="other", note=person["note"], actor=EDITOR)
    service.set_enabled(cid, True, reason_code="other", note=person["note"], actor=EDITOR)
    kept = _source(service, person, "kept")
    gone = _source(service, person, "gone")
    service.attach_source(cid, kept, actor=EDITOR)
    service.attach_source(cid, gone, actor=EDITOR)
    service.detach_source(cid, gone, actor=EDITOR)
    service.add_tax_identifier(cid, "de", person["tax_value"], actor=EDITOR)
    service.add_tax_certificate(
        cid,
        NewTaxCertificate(
            company_name=person["company"],
            tax_authority="VA",
            start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            end_date=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
            file_name=person["file_name"],
            content=b"%PDF-1.7\n% issued to " + person["name"].encode() + b"\n%%EOF\n",
        ),
        actor=EDITOR,
    )
    before = service.get(cid)
    assert before.email == person["email"] and before.tax_certificates
    return before


@pytest.fixture
def forgotten(service, seeded):
    """The seeded customer, forgotten."""
    request = service.request_forget(seeded.id, reason="PRIV-2024-0042", actor=OFFICER)
    assert request.status == "erased"
    return seeded


@pytest.fixture
def needles(person: dict[str, str]) -> set[str]:
    """The person's distinctive values, lowered: none may be found after the erasure."""
    words = {v.lower() for k, v in person.items() if k not in ("tax_value",)}
    words.add(person["name"].split()[1].lower())  # the family name alone
    words.add(person["tax_value"].lower())
    return words
