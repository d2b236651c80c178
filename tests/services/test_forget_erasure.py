"""Forgetting a customer in the local store leaves no personal data behind (SQLite, or
PostgreSQL with TEST_DATABASE_URL): a customer holding every kind of personal data, and an
audit history of edits with notes, is forgotten; then every text, JSON and binary column of
every table in the live database (SQLite's full-text index tables included) is scanned for the
former email, name, phone, address and the rest, and none is found. The audit trail still
says who did what to which field, and when."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from app.services.audit import Actor, AuditQuery
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


def _needles(person: dict[str, str]) -> set[str]:
    words = {v.lower() for k, v in person.items() if k not in ("tax_value",)}
    words.add(person["name"].split()[1].lower())  # the family name alone
    words.add(person["tax_value"].lower())
    return words


def _cells(service):
    """(table, column, lowered text) of every readable cell of every table."""
    engine = service.engine
    inspector = inspect(engine)
    names = inspector.get_table_names()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names += (
                connection.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%fts%'"
                    )
                )
                .scalars()
                .all()
            )
        for table in sorted(set(names)):
            quoted = engine.dialect.identifier_preparer.quote(table)
            result = connection.execute(text(f"SELECT * FROM {quoted}"))
            columns = list(result.keys())
            for record in result:
                for column, value in zip(columns, record, strict=True):
                    if value is None or isinstance(value, (int, float, dt.datetime)):
                        continue
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        lowered = bytes(value).decode("utf-8", "ignore").lower()
                    else:
                        lowered = str(value).lower()
                    yield table, column, lowered


def test_the_scan_finds_every_piece_before_forgetting(service, person, seeded):
    """The control: each needle is somewhere before, so its absence after means erasure."""
    cells = [cell for _, _, cell in _cells(service)]
    assert {n for n in _needles(person) if not any(n in cell for cell in cells)} == set()


def test_no_personal_data_is_left_in_any_column_of_any_table(service, person, forgotten):
    needles = _needles(person)
    found = [
        (table, column, needle)
        for table, column, cell in _cells(service)
        for needle in needles
        if needle in cell
    ]
    assert found == []
    # Sanity: the scan does read the tables (the id is still there).
    assert any(forgotten.id in cell for _, _, cell in _cells(service))


def test_the_substring_index_no_longer_finds_the_former_name(service, person, forgotten):
    sqlite = service.engine.dialect.name == "sqlite"
    query = (
        "SELECT rowid FROM customers_fts WHERE customers_fts MATCH :term"
        if sqlite
        else "SELECT pk FROM customers WHERE search_text LIKE :term"
    )
    with service.engine.connect() as connection:
        for term in (person["name"].lower(), person["line1"].lower(), person["phone_digits"]):
            needle = '"' + term[-12:] + '"' if sqlite else "%" + term[-12:] + "%"
            hits = connection.execute(text(query), {"term": needle}).all()
            assert hits == [], term


def test_what_is_kept_cannot_identify_the_person(service, forgotten):
    after = service.get(forgotten.id)
    assert after.request_to_be_forgotten
    assert (after.id, after.created_time, after.type, after.locale, after.enabled) == (
        forgotten.id,
        forgotten.created_time,
        forgotten.type,
        forgotten.locale,
        forgotten.enabled,
    )
    assert after.email is None and after.shipping.is_empty() and dict(after.metadata) == {}
    assert [t.value for t in after.tax_identifiers] == [""]
    assert [t.type for t in after.tax_identifiers] == ["de"]
    (certificate,) = after.tax_certificates
    assert certificate.company_name == "" and certificate.file_id == ""
    assert certificate.start_date == forgotten.tax_certificates[0].start_date
    assert [(s.owner_name, s.owner_email) for s in after.sources] == [(None, None)]
    assert after.sources[0].last_four == "1111"
    assert service.sharing_email(forgotten) == ()


def test_the_audit_trail_keeps_who_when_what_but_no_values(service, app, forgotten):
    audit = app.extensions["customer_desk"].audit
    events = audit.search(AuditQuery(customer_id=forgotten.id, limit=100)).events
    actions = [e.action for e in reversed(events)]
    assert actions[0] == "customer.create" and actions[-1] == "customer.forget"
    assert "customer.disable" in actions and "tax_certificate.add" in actions
    for event in events:
        assert event.actor_username in ("eddie", "priya") and event.occurred_time
        assert all(c.before is None and c.after is None for c in event.changes), event
    edited = {c.field for e in events if e.action == "customer.update" for c in e.changes}
    assert {"email", "metadata.crm"} <= edited
    disable = next(e for e in events if e.action == "customer.disable")
    assert disable.reason_code == "other" and disable.note is None
    forget = events[0]
    assert forget.action == "customer.forget" and forget.note == "PRIV-2024-0042"
    assert forget.actor_username == "priya"
    assert {"email", "shipping.name", "requestToBeForgotten"} <= {c.field for c in forget.changes}
