"""The customer detail page: every field, badges, related customers, 404."""

from __future__ import annotations

import pytest

from app.services.customers import Address, Shipping
from app.services.local.models import SourceRow, TaxCertificateRow, TaxIdentifierRow

from .conftest import HX, full_shipping, html, naive
from .dom import Element, fragment_root


def section(page: Element, heading_id: str) -> Element:
    return page.find("section", aria_labelledby=heading_id)


def rows(block: Element) -> dict[str, str]:
    """A <dl class="fields"> as {label: value}."""
    return {
        div.find("dt").text: div.find("dd").text
        for div in block.find("dl", "fields").elements
        if div.tag == "div"
    }


def table(block: Element) -> list[list[str]]:
    return [[td.text for td in tr.find_all("td")] for tr in block.find("tbody").find_all("tr")]


@pytest.fixture
def full(make_customer, set_columns, insert_rows):
    customer = make_customer(
        id="cus-full",
        email="Grace@Example.com",
        type="business",
        locale="de_DE",
        shipping=full_shipping(),
        metadata={"tier": "gold", "crm-id": "A-77"},
    )
    insert_rows(
        SourceRow(
            id="src-card-1",
            customer_id="cus-full",
            type="creditCard",
            state="chargeable",
            reusable=True,
            brand="Visa",
            last_four="4242",
            expiration_month=4,
            expiration_year=2031,
            created_time=naive(2025, 1, 2),
        ),
        SourceRow(
            id="src-paypal-2",
            customer_id="cus-full",
            type="payPalBilling",
            state="cancelled",
            reusable=True,
            created_time=naive(2025, 1, 3),
        ),
        TaxIdentifierRow(
            id="tax-1",
            customer_id="cus-full",
            type="de",
            value="DE123456789",
            state="verified",
            created_time=naive(2025, 1, 4),
        ),
        TaxCertificateRow(
            customer_id="cus-full",
            company_name="Hopper Industries",
            tax_authority="VA",
            start_date=naive(2025, 1, 1),
            end_date=naive(2025, 12, 31),
            file_id="file-cert-9",
            created_time=naive(2025, 1, 5),
        ),
    )
    set_columns("cus-full", default_source_id="src-card-1")
    return customer


@pytest.mark.parametrize(
    ("heading", "label", "value"),
    [
        ("h-profile", "Email", "Grace@Example.com"),
        ("h-profile", "Type", "business"),
        ("h-profile", "Locale", "de_DE"),
        ("h-profile", "Default source", "src-card-1"),
        ("h-shipping", "Name", "Grace Hopper"),
        ("h-shipping", "Phone", "+1 (555) 010-9876"),
        ("h-shipping", "Email", "grace.ship@example.net"),
        ("h-shipping", "Organization", "Navy Computing Lab"),
        ("h-shipping", "Address line 1", "1 Harbor Way"),
        ("h-shipping", "Address line 2", "Suite 9"),
        ("h-shipping", "City", "Arlington"),
        ("h-shipping", "Postal code", "22201"),
        ("h-shipping", "State / region", "VA"),
        ("h-shipping", "Country", "US"),
        ("h-shipping", "Neighborhood", "Colonia Roma"),
        ("h-shipping", "Division", "Division Nine"),
        ("h-shipping", "Phonetic name", "Gureisu"),
        ("h-metadata", "tier", "gold"),
        ("h-metadata", "crm-id", "A-77"),
    ],
)
def test_the_detail_page_shows_every_field(viewer, full, heading, label, value) -> None:
    page = html(viewer.get("/customers/cus-full"))

    assert rows(section(page, heading))[label] == value


def test_the_detail_page_shows_created_time_in_utc(viewer, full, set_columns) -> None:
    set_columns("cus-full", created_time=naive(2024, 2, 29, 23, 5, 9))

    profile = rows(section(html(viewer.get("/customers/cus-full")), "h-profile"))

    assert profile["Created"] == "2024-02-29 23:05 UTC"
    assert profile["Updated"] == "—"


def test_the_detail_page_lists_payment_sources_marking_the_default(viewer, full) -> None:
    sources = section(html(viewer.get("/customers/cus-full")), "h-sources")

    assert table(sources) == [
        ["src-card-1 Default", "creditCard", "Visa", "4242", "04/2031", "chargeable"],
        ["src-paypal-2", "payPalBilling", "", "", "", "cancelled"],
    ]


def test_the_detail_page_lists_tax_identifiers_and_certificates(viewer, full) -> None:
    page = html(viewer.get("/customers/cus-full"))

    assert table(section(page, "h-taxids")) == [["de", "DE123456789", "verified"]]
    assert table(section(page, "h-taxcerts")) == [
        ["Hopper Industries", "VA", "2025-01-01 – 2025-12-31", "file-cert-9"]
    ]


def test_a_customer_with_nothing_but_an_id_shows_empty_states(viewer, make_customer) -> None:
    make_customer(id="cus-bare")

    page = html(viewer.get("/customers/cus-bare"))

    assert set(rows(section(page, "h-shipping")).values()) == {"—"}
    assert rows(section(page, "h-profile"))["Email"] == "—"
    assert section(page, "h-sources").find("p", "empty").text == "No saved payment sources."
    assert section(page, "h-taxids").find("p", "empty").text == "No tax identifiers."
    assert section(page, "h-taxcerts").find("p", "empty").text == "No tax certificates."
    assert section(page, "h-metadata").find("p", "empty").text == "No metadata."
    assert section(page, "h-sharing").find("p", "empty").text == "No email on file."


def test_an_address_without_the_optional_parts_shows_what_there_is(viewer, make_customer) -> None:
    make_customer(id="cus-min", shipping=Shipping(address=Address(city="Oslo", country="NO")))

    shipping = rows(section(html(viewer.get("/customers/cus-min")), "h-shipping"))

    assert shipping["City"] == "Oslo"
    assert shipping["Country"] == "NO"
    assert shipping["Address line 1"] == "—"


@pytest.mark.parametrize(
    ("enabled", "forget", "badges", "banner"),
    [
        (True, False, ["Enabled", "TEST"], False),
        (False, False, ["Disabled", "TEST"], True),
        (True, True, ["Enabled", "Forget requested", "TEST"], False),
    ],
)
def test_the_detail_page_shows_enabled_or_disabled_and_forget_badges(
    viewer, make_customer, set_columns, enabled, forget, badges, banner
) -> None:
    make_customer(id="cus-b", enabled=enabled)
    set_columns("cus-b", request_to_be_forgotten=forget)

    customer = html(viewer.get("/customers/cus-b")).by_id("customer")

    assert [b.text for b in customer.find("p", "badges").find_all("span")] == badges
    assert customer.has("div", "banner--bad") is banner


@pytest.fixture
def sharing(make_customer, set_columns) -> None:
    make_customer(id="s-1", email="Shared@Example.com", shipping=Shipping(name="First"))
    make_customer(id="s-2", email="shared@example.com", shipping=Shipping(name="Second"))
    make_customer(id="s-3", email="SHARED@EXAMPLE.COM", enabled=False)
    make_customer(id="s-4", email="shared@example.co")
    make_customer(id="s-5", email="not-shared@example.com")
    set_columns("s-1", created_time=naive(2025, 1, 1))
    set_columns("s-2", created_time=naive(2025, 1, 2))
    set_columns("s-3", created_time=naive(2025, 1, 3))


def sharing_list(client, customer_id: str) -> list[str]:
    block = section(html(client.get(f"/customers/{customer_id}")), "h-sharing")
    return [li.text for li in block.find_all("li")]


def test_other_customers_sharing_the_email_in_any_case_are_listed_newest_first(
    viewer, sharing
) -> None:
    assert sharing_list(viewer, "s-1") == [
        "s-3 SHARED@EXAMPLE.COM Disabled",
        "s-2 shared@example.com · Second",
    ]
    assert sharing_list(viewer, "s-3") == [
        "s-2 shared@example.com · Second",
        "s-1 Shared@Example.com · First",
    ]


def test_the_sharing_list_links_to_each_customer(viewer, sharing) -> None:
    block = section(html(viewer.get("/customers/s-2")), "h-sharing")

    assert [a.get("href") for a in block.find_all("a")] == ["/customers/s-3", "/customers/s-1"]


def test_a_unique_email_says_no_other_customer_uses_it(viewer, sharing) -> None:
    block = section(html(viewer.get("/customers/s-5")), "h-sharing")

    assert block.find("p", "empty").text == "No other customer uses this email."
    assert sharing_list(viewer, "s-4") == []


def test_an_htmx_request_for_the_detail_gets_the_customer_fragment(viewer, full) -> None:
    response = viewer.get("/customers/cus-full", headers=HX)

    root = fragment_root(response.get_data(as_text=True))
    assert response.status_code == 200
    assert root.id == "customer"
    assert "Grace Hopper" in root.text
    assert "HX-Request" in response.vary


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/customers/nope", "Customer 'nope' not found."),
        ("/customers/NOPE-1", "Customer 'NOPE-1' not found."),
        ("/customers/" + "x" * 41, "Customer '" + "x" * 41 + "' not found."),
        ("/customers/%3Cscript%3Ebold", "Customer '<script>bold' not found."),
    ],
)
def test_an_unknown_id_gets_the_404_page(viewer, make_customer, path, message) -> None:
    make_customer(id="nope-1")

    response = viewer.get(path)

    assert response.status_code == 404
    assert "<script>bold" not in response.get_data(as_text=True)
    main = html(response).by_id("main")
    assert main.find("h1").text == "Not found (404)"
    assert message in main.text


def test_an_unknown_id_requested_by_htmx_gets_the_404_fragment(viewer) -> None:
    response = viewer.get("/customers/nope", headers=HX)

    root = fragment_root(response.get_data(as_text=True))
    assert response.status_code == 404
    assert root.id == "error"
    assert "Customer 'nope' not found." in root.text


@pytest.mark.parametrize("path", ["/customers/a%00b", "/customers/a%00b/edit"])
def test_an_id_with_a_nul_byte_is_refused_without_an_error_500(agent, path) -> None:
    assert agent.get(path).status_code == 400
