"""Journeys: an agent downloads a search as CSV (the file's content checked), and finds the
customers they opened under "Recently viewed" on the empty search page. Axe checks each state."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from app.customers.export import COLUMNS
from app.services.customers import Address, NewCustomer, Shipping


def make_customers(service) -> None:
    for n, city in enumerate(("Leeds", "York", "Hull")):
        service.create(
            NewCustomer(
                id=f"cus-csv-{n}",
                email=f"csv{n}@export.example",
                shipping=Shipping(
                    name=f"Casey {city}",
                    organization="=SUM(A1:A2)" if n == 0 else None,
                    address=Address(line1=f"{n} High St", city=city, country="GB"),
                ),
            )
        )
    service.create(NewCustomer(id="cus-other", email="other@elsewhere.example"))


def test_an_agent_downloads_the_search_as_csv(
    page: Page, live_server, service, make_staff, sign_in, a11y, backend
) -> None:
    make_customers(service)
    sign_in(page, make_staff("agent"))
    typed = "csv" if backend == "local" else "csv1@export.example"
    page.get_by_role("searchbox", name="Search").fill(typed)
    results = page.get_by_role("region", name="Search results")
    expect(page).to_have_url(re.compile(r"[?&]q=csv"))  # active search has answered
    expect(results.get_by_role("link", name="cus-other")).to_have_count(0)
    expect(results.get_by_role("link", name="cus-csv-1")).to_be_visible()
    a11y(page)

    with page.expect_download() as started:
        results.get_by_role("link", name="Download these results as CSV").click()
    download = started.value

    assert download.suggested_filename.startswith("customers-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    expected = ["cus-csv-2", "cus-csv-1", "cus-csv-0"] if backend == "local" else ["cus-csv-1"]
    assert [r["id"] for r in rows] == expected
    york = next(r for r in rows if r["id"] == "cus-csv-1")
    assert (york["name"], york["city"], york["address line 1"]) == (
        "Casey York",
        "York",
        "1 High St",
    )
    if backend == "local":
        leeds = next(r for r in rows if r["id"] == "cus-csv-0")
        assert leeds["organization"] == "'=SUM(A1:A2)"


def test_the_customers_an_agent_opened_are_listed_under_recently_viewed(
    page: Page, live_server, service, make_staff, sign_in, a11y, backend
) -> None:
    make_customers(service)
    sign_in(page, make_staff("agent"))
    for customer_id in ("cus-csv-0", "cus-csv-2"):
        page.goto(f"{live_server}/customers/{customer_id}")
        expect(page.locator("#customer-id")).to_have_text(customer_id)

    page.goto(live_server + "/")

    recent = page.get_by_role("region", name="Recently viewed")
    links = recent.get_by_role("link")
    expect(links).to_have_text(["Casey Hull", "Casey Leeds"])
    a11y(page)
    links.first.click()
    expect(page).to_have_url(f"{live_server}/customers/cus-csv-2")

    page.goto(live_server + "/")
    expect(page.get_by_role("region", name="Recently viewed")).to_be_visible()
    page.get_by_role("searchbox", name="Search").fill("csv" if backend == "local" else "x@y.z")
    expect(page.get_by_role("region", name="Recently viewed")).to_have_count(0)
