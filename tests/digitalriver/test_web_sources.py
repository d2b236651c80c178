"""The payment sources panel of the customer page shows what DR returns about a source: its
owner (name, email), currency and authentication flow; the local store keeps no flow."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from app.services.customers import NewCustomer
from app.services.local.models import SourceRow
from tests.web.conftest import html

CID = "cus-sources-owner"
OWNER = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada.owner@example.com",
    "address": {"line1": "12 St James's Sq", "city": "London", "country": "GB"},
}
# The source's name carries its brand, last four and expiry; optional columns go after Type.
BASE_HEADER = ["Source", "Type", "State", "Added"]


def with_columns(*optional: str) -> list[str]:
    return [*BASE_HEADER[:2], *optional, *BASE_HEADER[2:]]


def header(page) -> list[str]:
    return [th.text for th in page.by_id("sources").find("thead").find_all("th")]


def row_of(page, source_id: str):
    rows = page.by_id("sources").find("tbody").find_all("tr")
    found = [r for r in rows if source_id in r.find("td").text]
    assert len(found) == 1, [r.text for r in rows]
    return {
        name: cell.text for name, cell in zip(header(page), found[0].find_all("td"), strict=True)
    }


def test_a_dr_source_shows_its_owner_currency_and_flow_under_labelled_columns(
    client_as, service, emulator
) -> None:
    service.create(NewCustomer(id=CID, email="ada@example.com"))
    owned = emulator.add_source(owner=OWNER, currency="EUR", flow="redirect")["id"]
    plain = emulator.add_source(currency="USD")["id"]
    service.attach_source(CID, owned)
    service.attach_source(CID, plain)

    page = html(client_as("fraud").get(f"/customers/{CID}"))

    assert header(page) == with_columns("Owner", "Currency", "Flow")
    row = row_of(page, owned)
    assert row["Owner"] == "Ada Lovelace ada.owner@example.com"
    assert row["Currency"] == "EUR"
    assert row["Flow"] == "redirect"
    assert row["State"] == "chargeable"
    other = row_of(page, plain)
    assert (other["Owner"], other["Currency"], other["Flow"]) == ("", "USD", "standard")
    owner_cell = page.by_id("sources").find("td", class_="source-owner")
    assert owner_cell.find("span", class_="owner-email").text == "ada.owner@example.com"


def _local_source(service, customer_id: str, **fields) -> str:
    source_id = str(uuid.uuid4())
    with Session(service.engine) as session:
        session.add(
            SourceRow(
                id=source_id,
                customer_id=customer_id,
                type="creditCard",
                state="chargeable",
                reusable=True,
                brand="Visa",
                last_four="4242",
                expiration_month=7,
                expiration_year=2030,
                created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                **fields,
            )
        )
        session.commit()
    return source_id


@pytest.mark.parametrize("backend", ["local"])
def test_on_the_local_store_owner_and_currency_show_when_kept_and_there_is_no_flow(
    client_as, service, backend
) -> None:
    service.create(NewCustomer(id="cus-local-owned", email="a@example.com"))
    service.create(NewCustomer(id="cus-local-bare", email="b@example.com"))
    owned = _local_source(
        service,
        "cus-local-owned",
        currency="GBP",
        owner_name="Ada Lovelace",
        owner_email="ada.owner@example.com",
    )
    bare = _local_source(service, "cus-local-bare")
    reader = client_as("fraud")

    page = html(reader.get("/customers/cus-local-owned"))

    assert header(page) == with_columns("Owner", "Currency")
    row = row_of(page, owned)
    assert (row["Owner"], row["Currency"]) == ("Ada Lovelace ada.owner@example.com", "GBP")

    # Nothing of the three kept: the panel is drawn as before.
    page = html(reader.get("/customers/cus-local-bare"))

    assert header(page) == BASE_HEADER
    assert row_of(page, bare)["State"] == "chargeable"


def test_a_dr_source_is_named_by_brand_last_four_and_expiry_on_the_page_and_in_the_audit(
    client_as, service, emulator
) -> None:
    service.create(NewCustomer(id=CID, email="ada@example.com"))
    card = emulator.add_source()["id"]  # the emulator's Visa ending 1111, expiring 07/2027
    agent = client_as("agent")

    page = html(agent.get(f"/customers/{CID}"))
    form = page.by_id("attach-form")
    state = {i.get("name"): i.get("value") for i in form.find_all("input", type="hidden")}
    response = agent.post(f"/customers/{CID}/sources", data={**state, "source_id": card})
    assert response.status_code == 303

    page = html(agent.get(response.headers["Location"]))
    assert page.by_id("flash").text == "Visa •••• 1111 · 07/27 attached."
    assert row_of(page, card)["Source"] == f"Visa •••• 1111 · 07/27 Default {card}"
    account = page.find("section", aria_labelledby="h-account")
    assert "Visa •••• 1111 · 07/27" in account.text
    trail = html(client_as("fraud").get(f"/audit?customer={CID}")).by_id("audit-results")
    assert "Payment source: Visa •••• 1111 · 07/27 (chargeable) added" in trail.text
    assert "Default payment source: set to Visa •••• 1111 · 07/27" in trail.text
    # The row says which backend; DR's request id only where the event kept one (failures).
    assert {p.text for p in trail.find_all("p", "audit-meta")} == {"Digital River"}
