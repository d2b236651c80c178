"""The audit trail reads field by field in human words: "City: Leeds → York", the request id
only where Digital River gave one, the customer by name, and after erasure which values were
kept and which erased."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.actors import Actor
from app.services.audit import AuditEvent, FieldChange
from app.services.customers import CustomerUpdate, Shipping

from .conftest import html
from .dom import Element

ADA = Actor(3, "ada", "Ada")


@pytest.fixture
def record(app):
    """Write one audit event directly; keyword arguments are AuditEvent's."""

    def write(**fields: object) -> None:
        values: dict[str, object] = {
            "occurred_time": dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC),
            "actor_username": "ada",
            "action": "customer.update",
            "customer_id": "cus-1",
        }
        values.update(fields)
        app.extensions["customer_desk"].audit.record(AuditEvent(**values))  # type: ignore[arg-type]

    return write


@pytest.fixture
def fraud(client_as):
    return client_as("fraud")


def rows(client, query: str = "") -> list[Element]:
    return html(client.get(f"/audit{query}")).by_id("audit-results").find_all("tr", "audit-event")


def cell(row: Element, header: str) -> Element:
    headers = [th.text for th in row.closest("table").find("thead").find_all("th")]
    return dict(zip(headers, row.find_all("td"), strict=True))[header]


def changes(row: Element) -> list[str]:
    return [li.text for li in cell(row, "Changes").find_all("li")]


def test_each_change_reads_with_its_human_name_and_a_short_phrase(fraud, record) -> None:
    record(
        changes=(
            FieldChange("shipping.address.city", "Leeds", "York"),
            FieldChange("shipping.address.postalCode", None, "YO1 7HH"),
            FieldChange("shipping.phone", "+44 113 496 0000", None),
            FieldChange("metadata.crmId", None, "42"),
            FieldChange("taxIdentifiers.de", "DE123456789", None),
        )
    )

    (row,) = rows(fraud)

    assert changes(row) == [
        "City: Leeds → York",
        "Postal code: set to YO1 7HH",
        "Phone: +44 113 496 0000 removed",
        "Metadata “crmId”: 42 added",
        "Tax ID (de): DE123456789 removed",
    ]
    assert "shipping." not in row.text and "postalCode" not in row.text


def test_the_request_id_is_shown_only_for_digital_river_events(fraud, record) -> None:
    record(backend="local", note="local one")
    record(
        occurred_time=dt.datetime(2025, 3, 2, tzinfo=dt.UTC),
        backend="digitalriver",
        request_id="req-abc",
        note="dr one",
    )

    dr_row, local_row = rows(fraud)

    assert cell(dr_row, "Action").find("p", "audit-meta").text == "Digital River · request req-abc"
    assert cell(local_row, "Action").find("p", "audit-meta").text == "Local store"
    assert "Request id" not in local_row.text and "request" not in local_row.text


def test_the_changes_column_is_the_widest_and_the_table_stacks_with_labelled_cells(
    fraud, record
) -> None:
    record(changes=(FieldChange("shipping.address.postalCode", "LS1", "YO1"),))
    table = html(fraud.get("/audit")).by_id("audit-results").find("table")

    assert "table--stack" in table.classes
    headers = [th.text for th in table.find("thead").find_all("th")]
    assert headers == ["When (UTC)", "Staff member", "Action", "Customer", "Changes"]
    for tr in table.find("tbody").find_all("tr"):
        assert [td.get("data-label") for td in tr.find_all("td")] == headers
    assert table.find("col", "audit-col-changes")


def test_the_customer_is_named_when_known_and_by_id_otherwise(
    fraud, make_customer, record, service, monkeypatch
) -> None:
    make_customer(id="cus-1", email="grace@example.com", shipping=Shipping(name="Grace Hopper"))
    make_customer(id="cus-2", email="ada@example.com")
    record(customer_id="cus-1")
    record(customer_id="cus-2")
    record(customer_id="cus-1")
    record(customer_id="cus-gone")
    calls: list[list[str]] = []
    summaries = service.summaries
    monkeypatch.setattr(service, "summaries", lambda ids: calls.append(list(ids)) or summaries(ids))

    shown = [cell(r, "Customer") for r in rows(fraud, "?action=customer.update")]

    assert [c.find("a").text for c in shown] == [  # newest first
        "cus-gone",
        "Grace Hopper",
        "ada@example.com",
        "Grace Hopper",
    ]
    assert [c.find("a").get("href") for c in shown][:3] == [
        "/customers/cus-gone",
        "/customers/cus-1",
        "/customers/cus-2",
    ]
    assert shown[1].find("span", "audit-customer-id").text == "cus-1"
    assert not shown[0].has("span", "audit-customer-id")
    assert len(calls) == 1  # one look-up for the whole page, never one per row
    assert sorted(calls[0]) == ["cus-1", "cus-2", "cus-gone"]


def test_after_erasure_kept_values_read_kept_and_erased_ones_erased(
    fraud, make_customer, service
) -> None:
    make_customer(id="cus-1", email="old@example.com", locale="en_US", type="individual")
    service.update(
        "cus-1",
        CustomerUpdate(email="new@example.com", locale="de_DE", type="business"),
        actor=ADA,
    )
    before = changes(rows(fraud, "?action=customer.update")[0])
    assert before == [
        "Email: old@example.com → new@example.com",
        "Locale: en_US → de_DE",
        "Type: individual → business",
    ]

    service.request_forget("cus-1", reason="Ticket 42", actor=ADA)

    edited = rows(fraud, "?action=customer.update")[0]
    assert changes(edited) == [
        "Email: erased",
        "Locale: kept on the customer",
        "Type: kept on the customer",
    ]
    assert "→" not in cell(edited, "Changes").text
    assert "new@example.com" not in edited.text and "old@example.com" not in edited.text
    forget = rows(fraud, "?action=customer.forget")[0]
    assert "Email: erased" in changes(forget)
    assert "Request to be forgotten: set to yes" in changes(forget)
    # A forgotten customer has no name left: the row shows the id.
    assert cell(forget, "Customer").find("a").text == "cus-1"
