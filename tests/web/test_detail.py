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


def postal(block: Element) -> dict[str, str]:
    """The address block as {part: line} (name, organization, line1, …, country)."""
    return {span.get("data-part"): span.text for span in block.find("address", "postal").elements}


def table(block: Element) -> list[list[str]]:
    return [[td.text for td in tr.find_all("td")] for tr in block.find("tbody").find_all("tr")]


@pytest.fixture
def viewer(client_as):
    """A read-only reader who sees personal data in full (a fraud officer): what a viewer sees
    masked is test_masking's."""
    return client_as("fraud")


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
        ("h-contact", "Email", "Grace@Example.com"),
        ("h-contact", "Phone", "+1 (555) 010-9876"),
        ("h-contact", "Shipping email", "grace.ship@example.net"),
        ("h-contact", "Neighborhood", "Colonia Roma"),
        ("h-contact", "Division", "Division Nine"),
        ("h-contact", "Phonetic name", "Gureisu"),
        ("h-account", "Type", "Business"),
        ("h-account", "Locale", "de_DE"),
        ("h-account", "Default source", "Visa •••• 4242 · 04/31"),
        ("h-metadata", "tier", "gold"),
        ("h-metadata", "crm-id", "A-77"),
    ],
)
def test_the_detail_page_shows_every_field(viewer, full, heading, label, value) -> None:
    page = html(viewer.get("/customers/cus-full"))

    assert rows(section(page, heading))[label] == value


def test_the_address_is_a_postal_block_with_every_part(viewer, full) -> None:
    contact = section(html(viewer.get("/customers/cus-full")), "h-contact")

    assert postal(contact) == {
        "name": "Grace Hopper",
        "organization": "Navy Computing Lab",
        "line1": "1 Harbor Way",
        "line2": "Suite 9",
        "city": "Arlington 22201",
        "state": "VA",
        "country": "United States (US)",
    }


def test_the_page_is_led_by_the_person_with_the_id_to_copy(viewer, full) -> None:
    page = html(viewer.get("/customers/cus-full"))
    header = page.by_id("customer").find("header", "customer-header")

    assert header.find("h1").text == "Grace Hopper"
    assert page.find("title").text.startswith("Grace Hopper")
    assert header.find("p", "customer-sub").text == "Grace@Example.com · Navy Computing Lab"
    assert header.find("code", id="customer-id").text == "cus-full"
    copy = header.find("button", "copy-button")
    assert (copy.get("data-copy"), copy.get("aria-label")) == ("cus-full", "Copy customer id")
    assert header.find("span", "copy-status").get("aria-live") == "polite"


@pytest.mark.parametrize(
    ("email", "shipping", "heading"),
    [
        ("ada@example.com", Shipping(), "ada@example.com"),
        (None, Shipping(organization="Acme"), "cus-h"),
    ],
)
def test_without_a_name_the_heading_is_the_email_or_else_the_id(
    viewer, make_customer, email, shipping, heading
) -> None:
    make_customer(id="cus-h", email=email, shipping=shipping)

    header = html(viewer.get("/customers/cus-h")).by_id("customer").find("header")

    assert header.find("h1").text == heading


def test_empty_optional_address_fields_are_left_out(viewer, make_customer) -> None:
    make_customer(
        id="cus-o", shipping=Shipping(name="Ola", address=Address(city="Oslo", country="NO"))
    )

    contact = rows(section(html(viewer.get("/customers/cus-o")), "h-contact"))

    assert contact == {"Email": "—", "Phone": "—"}


def test_the_detail_page_shows_created_time_relative_with_the_utc_time_on_hover(
    viewer, full, set_columns
) -> None:
    set_columns("cus-full", created_time=naive(2024, 2, 29, 23, 5, 9))

    account = section(html(viewer.get("/customers/cus-full")), "h-account")
    created = account.find("time")

    assert created.get("title") == "2024-02-29 23:05 UTC"
    assert created.get("datetime") == "2024-02-29T23:05:09+00:00"
    assert created.text.endswith(" ago")
    assert rows(account)["Updated"] == "—"


def test_the_detail_page_lists_payment_sources_by_name_marking_the_default(viewer, full) -> None:
    sources = section(html(viewer.get("/customers/cus-full")), "h-sources")

    assert [row[:3] for row in table(sources)] == [
        ["Visa •••• 4242 · 04/31 Default src-card-1", "Card", "chargeable"],
        ["PayPal billing src-paypal-2", "PayPal billing", "cancelled"],
    ]
    assert all(row[3].endswith(" ago") for row in table(sources))


def test_the_detail_page_lists_tax_identifiers_and_certificates(viewer, full) -> None:
    page = html(viewer.get("/customers/cus-full"))

    assert [row[:3] for row in table(section(page, "h-taxids"))] == [
        ["de", "DE123456789", "verified"]
    ]
    assert table(section(page, "h-taxcerts")) == [
        ["Hopper Industries", "VA", "2025-01-01 – 2025-12-31", "file-cert-9"]
    ]


def test_every_data_table_stacks_with_a_label_on_every_cell(agent, full) -> None:
    page = html(agent.get("/customers/cus-full"))

    tables = page.by_id("customer").find_all("table")
    assert len(tables) == 4  # sources, tax ids, tax certificates, the metadata editor
    for found in tables:
        assert "table--stack" in found.classes
        headers = [th.text for th in found.find("thead").find_all("th")]
        for tr in found.find("tbody").find_all("tr"):
            labels = [td.get("data-label") for td in tr.find_all("td")]
            assert labels == headers[: len(labels)]


def test_a_customer_with_nothing_but_an_id_shows_empty_states(viewer, make_customer) -> None:
    make_customer(id="cus-bare")

    page = html(viewer.get("/customers/cus-bare"))

    assert section(page, "h-contact").find("p", "empty").text == "No shipping address."
    assert rows(section(page, "h-contact")) == {"Email": "—", "Phone": "—"}
    assert rows(section(page, "h-account"))["Default source"] == "—"
    assert section(page, "h-sources").find("p", "empty").text == "No saved payment sources."
    assert section(page, "h-taxids").find("p", "empty").text == "No tax identifiers."
    assert section(page, "h-taxcerts").find("p", "empty").text == "No tax certificates."
    assert section(page, "h-metadata").find("p", "empty").text == "No metadata."
    assert section(page, "h-linked").find("p", "empty").text == "Nothing on file to link by."


def test_an_address_without_the_optional_parts_shows_what_there_is(viewer, make_customer) -> None:
    make_customer(id="cus-min", shipping=Shipping(address=Address(city="Oslo", country="NO")))

    contact = section(html(viewer.get("/customers/cus-min")), "h-contact")

    assert postal(contact) == {"city": "Oslo", "country": "Norway (NO)"}


@pytest.mark.parametrize(
    ("enabled", "forget", "live", "badges", "banner"),
    [
        (True, False, False, [], False),
        (False, False, False, ["Disabled"], True),
        (True, True, False, ["Forgotten"], False),
        (True, False, True, ["LIVE"], False),
    ],
)
def test_the_detail_page_shows_only_the_badges_that_apply(
    viewer, make_customer, set_columns, enabled, forget, live, badges, banner
) -> None:
    make_customer(id="cus-b", enabled=enabled)
    set_columns("cus-b", request_to_be_forgotten=forget, live_mode=live)

    customer = html(viewer.get("/customers/cus-b")).by_id("customer")

    header = customer.find("header", "customer-header")
    shown = header.find("p", "badges").find_all("span") if header.has("p", "badges") else []
    assert [b.text for b in shown] == badges
    assert "Enabled" not in header.text and "TEST" not in header.text
    assert customer.has("div", "banner--bad") is banner


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
