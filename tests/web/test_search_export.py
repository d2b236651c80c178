"""The CSV export of a search: who may download it, what it holds (the list's columns and the
whole address), that it pages through every match up to the limit, that formula cells are
neutralised, and that each download is in the audit trail with the search and the row count."""

from __future__ import annotations

import csv
import io

import pytest

from app.customers.export import COLUMNS
from app.services.audit import AuditQuery
from app.services.customers import Address, Shipping


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def by_column(table: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = table
    assert tuple(header) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def export_events(app) -> list:
    audit = app.extensions["customer_desk"].audit
    return list(audit.search(AuditQuery(action="customer.export")).events)


@pytest.fixture
def leeds(make_customer):
    made = []
    for n in range(3):
        made.append(
            make_customer(
                email=f"buyer{n}@acme.example",
                shipping=Shipping(
                    name=f"Leeds Buyer {n}",
                    phone="+44 113 496 0000",
                    address=Address(
                        line1=f"{n} Park Row",
                        line2="Floor 2",
                        city="Leeds",
                        postal_code="LS1 5AB",
                        state="West Yorkshire",
                        country="GB",
                    ),
                ),
                type="business",
                locale="en_US",
            )
        )
    make_customer(email="other@elsewhere.example")
    return made


def test_an_agent_downloads_the_search_with_the_lists_columns_and_the_address(agent, leeds) -> None:
    response = agent.get("/customers.csv?q=buyer")

    assert response.headers["Content-Disposition"].startswith('attachment; filename="customers-')
    assert response.headers["Cache-Control"] == "no-store"
    exported = by_column(rows_of(response))
    assert [r["id"] for r in exported] == [c.id for c in reversed(leeds)]  # newest first
    first = exported[-1]
    assert first["email"] == "buyer0@acme.example"
    assert first["name"] == "Leeds Buyer 0"
    assert first["address line 1"] == "0 Park Row"
    assert first["address line 2"] == "Floor 2"
    assert (first["city"], first["postal code"], first["state"]) == (
        "Leeds",
        "LS1 5AB",
        "West Yorkshire",
    )
    assert (first["country"], first["type"], first["locale"]) == ("GB", "business", "en_US")
    assert (first["status"], first["forget requested"]) == ("enabled", "no")


def test_the_filters_apply_to_the_export_as_to_the_page(agent, leeds, set_columns) -> None:
    set_columns(leeds[1].id, enabled=False)

    exported = by_column(rows_of(agent.get("/customers.csv?q=buyer&enabled=no")))

    assert [r["id"] for r in exported] == [leeds[1].id]
    assert exported[0]["status"] == "disabled"


@pytest.mark.parametrize("roles", [("agent",), ("fraud",), ("privacy",), ("admin",)])
def test_every_role_that_works_with_customers_may_export(client_as, leeds, roles) -> None:
    assert len(rows_of(client_as(*roles).get("/customers.csv?q=buyer"))) == 4


def test_a_viewer_gets_403_and_no_export_link(viewer, agent, leeds, app) -> None:
    assert viewer.get("/customers.csv?q=buyer").status_code == 403
    assert "/customers.csv" not in viewer.get("/?q=buyer").get_data(as_text=True)
    assert export_events(app) == []
    page = agent.get("/?q=buyer&type=business").get_data(as_text=True)
    assert 'href="/customers.csv?q=buyer&amp;type=business"' in page


def test_each_download_is_audited_with_the_search_and_the_row_count(agent, leeds, app) -> None:
    rows_of(agent.get("/customers.csv?q=buyer&type=business"))

    [event] = export_events(app)
    assert event.outcome == "succeeded"
    assert event.customer_id is None
    assert event.actor_username.startswith("agent")
    assert event.note == "Search q='buyer' type='business': 3 rows."


def test_the_export_pages_through_every_match_beyond_one_search_page(agent, make_customer) -> None:
    made = {make_customer(email=f"bulk{n}@many.example").id for n in range(230)}

    exported = by_column(rows_of(agent.get("/customers.csv?q=bulk")))

    assert len(exported) == 230
    assert {r["id"] for r in exported} == made
    created = [r["created"] for r in exported]
    assert created == sorted(created, reverse=True)


def test_the_export_stops_at_the_configured_limit_and_says_so(app, agent, make_customer) -> None:
    for n in range(7):
        make_customer(email=f"capped{n}@cap.example")
    app.config["EXPORT_MAX_ROWS"] = 5

    exported = by_column(rows_of(agent.get("/customers.csv?q=capped")))

    assert len(exported) == 5
    [event] = export_events(app)
    assert event.note == "Search q='capped': 5 rows (the limit of 5)."


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_could_start_a_formula_is_neutralised(
    agent, make_customer, set_columns, start
) -> None:
    hostile = f'{start}HYPERLINK("http://evil.example")'
    made = make_customer(email="formula@cells.example")
    # Written as stored (the forms strip a leading tab or CR; an import might not).
    set_columns(made.id, ship_organization=hostile, addr_city=hostile, addr_country="GB")

    [row] = by_column(rows_of(agent.get("/customers.csv?q=formula@cells.example")))

    assert row["id"] == made.id
    assert row["organization"] == "'" + hostile
    assert row["city"] == "'" + hostile


def test_an_invalid_filter_answers_the_search_page_with_the_error_not_a_file(agent) -> None:
    response = agent.get("/customers.csv?created_from=not-a-date")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Check the search filters" in response.get_data(as_text=True)


def test_the_export_of_every_customer_holds_each_once(agent, make_customer) -> None:
    made = [make_customer(email=f"all{n}@every.example").id for n in range(5)]

    exported = by_column(rows_of(agent.get("/customers.csv")))

    assert sorted(r["id"] for r in exported) == sorted(made)
