"""Journeys through the search box's new kinds: email domains, places with accents folded, a
card's last four, ``key:value`` metadata, qualifiers combined, the count line, a malformed
qualifier's refusal, the "Search help" popover and the keyboard with a qualifier.

Digital River's list cannot search these kinds (its emulator saves no card of a chosen number
either), so these journeys run on the local backend only."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from app.services.customers import Address, NewCustomer, Shipping
from tests.cards import save_card

pytestmark = pytest.mark.parametrize("backend", ["local"])


def results(page: Page) -> Locator:
    return page.get_by_role("region", name="Search results")


def box(page: Page) -> Locator:
    return page.get_by_role("searchbox", name="Search")


def link(page: Page, customer_id: str) -> Locator:
    """The link to one customer in the results."""
    return results(page).get_by_role("link", name=customer_id, exact=True)


def searched_for(url: str) -> str | None:
    """What the page's address says was searched (its ``q``)."""
    return parse_qs(urlsplit(url).query).get("q", [None])[0]


def search(page: Page, typed: str) -> None:
    """Type ``typed`` into the box and wait until active search has answered for it (htmx
    pushes the address once it has swapped the results in)."""
    box(page).fill(typed)
    page.wait_for_url(lambda url: searched_for(url) == typed)


def expect_found(page: Page, found: str, *missed: str) -> None:
    expect(link(page, found)).to_be_visible()
    for customer_id in missed:
        expect(link(page, customer_id)).to_have_count(0)


def zurich_customers(service) -> None:
    """cus_zurich lives in Zürich; cus_named_zurich is named Zurich and lives in Leeds."""
    service.create(
        NewCustomer(
            id="cus_zurich",
            email="zed@example.com",
            shipping=Shipping(
                name="Zed Keller", address=Address(city="Zürich", state="ZH", country="CH")
            ),
        )
    )
    service.create(
        NewCustomer(
            id="cus_named_zurich",
            email="zurich.fan@example.com",
            shipping=Shipping(name="Zurich Fan", address=Address(city="Leeds", country="GB")),
        )
    )
    service.create(NewCustomer(id="cus_other", email="other@example.com"))


def test_an_email_domain_finds_the_customers_at_that_domain(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_acme", email="ann@acme-mail.example"))
    service.create(NewCustomer(id="cus_elsewhere", email="ann@other-mail.example"))

    sign_in(page, make_staff("agent"))
    expect_found(page, "cus_elsewhere")

    search(page, "@acme-mail.example")
    expect_found(page, "cus_acme", "cus_elsewhere")
    a11y(page)

    search(page, "acme-mail")
    expect_found(page, "cus_acme", "cus_elsewhere")


def test_a_city_is_found_with_accents_folded_and_city_looks_only_at_the_city(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    zurich_customers(service)

    sign_in(page, make_staff("viewer"))
    search(page, "zurich")
    expect_found(page, "cus_zurich", "cus_other")
    # Free text looks in every field: the name Zurich matches too.
    expect_found(page, "cus_named_zurich")
    a11y(page)

    search(page, "city:zurich")
    expect_found(page, "cus_zurich", "cus_named_zurich", "cus_other")
    expect(results(page)).to_contain_text("Zed Keller")


def test_a_cards_last_four_finds_its_customer_not_one_whose_name_holds_the_digits(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_visa", shipping=Shipping(name="Vic Visa-holder")))
    save_card(service, "cus_visa", "Visa", "4242")
    service.create(NewCustomer(id="cus_amex", shipping=Shipping(name="Amy Amex-holder")))
    save_card(service, "cus_amex", "American Express", "3716")
    service.create(NewCustomer(id="cus_decoy", shipping=Shipping(name="Dee 4242 Decoy")))

    sign_in(page, make_staff("agent"))
    search(page, "last4:4242")
    expect_found(page, "cus_visa", "cus_decoy", "cus_amex")
    a11y(page)

    search(page, "visa 4242")
    expect_found(page, "cus_visa", "cus_decoy", "cus_amex")

    search(page, "3716")
    expect_found(page, "cus_amex", "cus_visa", "cus_decoy")


def test_a_key_value_term_searches_that_metadata_key(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_order", metadata={"order": "A-1043", "channel": "web"}))
    service.create(NewCustomer(id="cus_ticket", metadata={"ticket": "A-1043"}))

    sign_in(page, make_staff("agent"))
    # Free text finds the value under any key.
    search(page, "A-1043")
    expect_found(page, "cus_order")
    expect_found(page, "cus_ticket")

    search(page, "order:A-1043")
    expect_found(page, "cus_order", "cus_ticket")
    a11y(page)


def test_qualifiers_combined_find_only_the_customer_matching_every_one(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    for customer_id, org, city in (
        ("cus_both", "Globex Corporation", "Leeds"),
        ("cus_org_only", "Globex Corporation", "York"),
        ("cus_city_only", "Initech", "Leeds"),
    ):
        service.create(
            NewCustomer(
                id=customer_id,
                shipping=Shipping(
                    name=f"Ops {city}",
                    organization=org,
                    address=Address(city=city, country="GB"),
                ),
            )
        )

    sign_in(page, make_staff("viewer"))
    search(page, "org:globex city:leeds")
    expect_found(page, "cus_both", "cus_org_only", "cus_city_only")
    expect(results(page).get_by_role("row")).to_have_count(2)  # the header and one customer
    a11y(page)


def test_the_count_line_says_one_customer_for_a_unique_hit(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    zurich_customers(service)

    sign_in(page, make_staff("viewer"))
    search(page, "zurich")
    expect(results(page).get_by_text(re.compile(r"^\d+ customers?$"))).to_have_text("2 customers")

    search(page, "city:zurich")
    expect_found(page, "cus_zurich", "cus_named_zurich")
    expect(results(page).get_by_text(re.compile(r"^\d+ customers?$"))).to_have_text("1 customer")
    a11y(page)


def test_a_malformed_qualifier_is_explained_and_the_box_keeps_the_text(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_visa", shipping=Shipping(name="Vic Visa-holder")))
    save_card(service, "cus_visa", "Visa", "4242")

    sign_in(page, make_staff("agent"))
    expect_found(page, "cus_visa")
    with page.expect_response(lambda r: "last4" in r.url and r.status == 422):
        box(page).fill("last4:42")

    alert = results(page).get_by_role("alert")
    expect(alert).to_have_text(
        "last4: needs the card's last four digits, exactly four (last4:4242)."
    )
    expect(link(page, "cus_visa")).to_have_count(0)
    expect(box(page)).to_have_value("last4:42")
    expect(box(page)).to_be_focused()
    # The box itself is marked invalid and described by the message, after an htmx swap too.
    expect(box(page)).to_have_attribute("aria-invalid", "true")
    expect(box(page)).to_have_accessible_description(re.compile("last four digits"))
    a11y(page)

    # Corrected, the search finds the card's customer again.
    box(page).fill("last4:4242")
    expect(results(page).get_by_role("alert")).to_have_count(0)
    expect_found(page, "cus_visa")
    expect(box(page)).not_to_have_attribute("aria-invalid", "true")


def test_the_search_help_popover_opens_lists_the_qualifiers_and_closes_with_escape(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_other", email="other@example.com"))

    sign_in(page, make_staff("viewer"))
    help_heading = page.get_by_role("heading", name="Search help")
    expect(help_heading).to_be_hidden()

    page.get_by_role("button", name="Search help").click()
    expect(help_heading).to_be_visible()
    last4 = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="last4:", exact=True)
    )
    expect(last4).to_be_visible()
    expect(last4).to_contain_text("The last four digits of a saved card")
    expect(last4).to_contain_text("last4:4242")
    a11y(page)

    page.keyboard.press("Escape")
    expect(help_heading).to_be_hidden()
    expect(last4).to_be_hidden()


def test_the_keyboard_alone_finds_a_customer_with_a_qualifier_and_opens_it(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    zurich_customers(service)
    sign_in(page, make_staff("agent"))
    page.goto(live_server + "/customers/cus_other")
    expect(page.get_by_role("heading", level=1)).to_have_text("other@example.com")

    page.keyboard.press("/")
    expect(page).to_have_url(live_server + "/")
    expect(box(page)).to_be_focused()
    page.keyboard.type("city:zurich")
    page.wait_for_url(lambda url: searched_for(url) == "city:zurich")
    expect_found(page, "cus_zurich", "cus_named_zurich", "cus_other")
    expect(results(page).get_by_role("row")).to_have_count(2)  # the header and one customer

    page.keyboard.press("ArrowDown")
    current = (
        results(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name="cus_zurich", exact=True))
    )
    expect(current).to_have_attribute("aria-current", "true")
    expect(link(page, "cus_zurich")).to_be_focused()

    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server + "/customers/cus_zurich")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zed Keller")
    a11y(page)
