"""Editing a customer: prefilled form, saving, metadata removal, stale versions."""

from __future__ import annotations

import re

import pytest

from app.services.audit import Actor
from app.services.customers import CustomerUpdate, Shipping
from tests.conftest import csrf_token

from .conftest import HX, full_shipping, html
from .dom import Element, field_error, form_values, fragment_root


@pytest.fixture
def grace(make_customer):
    return make_customer(
        id="cus-g",
        email="grace@example.com",
        type="individual",
        locale="en_US",
        shipping=full_shipping(),
        metadata={"tier": "gold", "crm-id": "A-77"},
    )


def edit_form(client, customer_id: str = "cus-g") -> dict[str, str]:
    response = client.get(f"/customers/{customer_id}/edit")
    assert response.status_code == 200
    return form_values(edit_form_element(html(response), customer_id))


def edit_form_element(page: Element, customer_id: str = "cus-g") -> Element:
    return page.find("form", action=f"/customers/{customer_id}")


def metadata_of(values: dict[str, str]) -> dict[str, str]:
    pairs = {}
    for name, key in values.items():
        if name.startswith("metadata-") and name.endswith("-key") and key:
            pairs[key] = values[name.removesuffix("-key") + "-value"]
    return pairs


def test_the_edit_form_is_prefilled_with_the_stored_values(agent, grace) -> None:
    values = edit_form(agent)

    assert {k: v for k, v in values.items() if not k.startswith("metadata-")} == {
        "csrf_token": values["csrf_token"],
        "version": "1",
        "base": values["base"],
        "resolving": "",
        "email": "grace@example.com",
        "type": "individual",
        "locale": "en_US",
        "ship_name": "Grace Hopper",
        "ship_phone": "+1 (555) 010-9876",
        "ship_email": "grace.ship@example.net",
        "ship_organization": "Navy Computing Lab",
        "line1": "1 Harbor Way",
        "line2": "Suite 9",
        "city": "Arlington",
        "postal_code": "22201",
        "state": "VA",
        "country": "US",
        "neighborhood": "Colonia Roma",
        "division": "Division Nine",
        "phonetic_name": "Gureisu",
    }
    assert metadata_of(values) == {"tier": "gold", "crm-id": "A-77"}
    assert sum(1 for k in values if k.endswith("-key")) == 5


def test_the_edit_form_has_no_id_field_and_names_the_customer(agent, grace) -> None:
    page = html(agent.get("/customers/cus-g/edit"))

    assert not page.has(id="id")
    assert page.by_id("customer-form").find("h1").text == "Edit customer cus-g"


def test_the_edit_form_as_an_htmx_fragment(agent, grace) -> None:
    response = agent.get("/customers/cus-g/edit", headers=HX)

    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "customer-form"
    assert form_values(edit_form_element(root))["email"] == "grace@example.com"


def test_changing_the_shipping_address_saves_and_shows_it(agent, service, grace) -> None:
    values = edit_form(agent)
    values.update(line1="200 Pier Road", line2="", city="Norfolk", postal_code="23510")

    response = agent.post("/customers/cus-g", data=values)

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-g"
    page = html(agent.get("/customers/cus-g"))
    assert "Changes saved." in page.by_id("flash").text
    shipping = page.find("section", aria_labelledby="h-contact").text
    assert "200 Pier Road" in shipping
    assert "Norfolk" in shipping
    assert "1 Harbor Way" not in shipping
    stored = service.get("cus-g")
    assert stored.shipping.address.line1 == "200 Pier Road"
    assert stored.shipping.address.line2 is None
    assert stored.shipping.name == "Grace Hopper"
    assert stored.version == 2


def test_an_htmx_save_answers_204_telling_htmx_to_load_the_page(agent, service, grace) -> None:
    values = {**edit_form(agent), "email": "new@example.com"}

    response = agent.post("/customers/cus-g", data=values, headers=HX)

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/customers/cus-g"
    assert service.get("cus-g").email == "new@example.com"


def test_clearing_every_shipping_field_removes_the_shipping_block(agent, service, grace) -> None:
    values = edit_form(agent)
    shipping_fields = [
        "ship_name", "ship_phone", "ship_email", "ship_organization", "line1", "line2", "city",
        "postal_code", "state", "country", "neighborhood", "division", "phonetic_name",
    ]  # fmt: skip
    values.update(dict.fromkeys(shipping_fields, ""))

    response = agent.post("/customers/cus-g", data=values)

    assert response.status_code == 303
    assert service.get("cus-g").shipping == Shipping()


def row_of(values: dict[str, str], key: str) -> str:
    names = (n for n, v in values.items() if n.endswith("-key") and v == key)
    return next(names).removesuffix("-key")


def test_removing_a_metadata_row_removes_the_key(agent, service, grace) -> None:
    values = edit_form(agent)
    row = row_of(values, "tier")
    values.update({f"{row}-key": "", f"{row}-value": ""})

    response = agent.post("/customers/cus-g", data=values)

    assert response.status_code == 303
    assert dict(service.get("cus-g").metadata) == {"crm-id": "A-77"}
    metadata = html(agent.get("/customers/cus-g")).find("section", aria_labelledby="h-metadata")
    assert "tier" not in metadata.text


def test_leaving_out_a_metadata_row_altogether_removes_the_key_too(agent, service, grace) -> None:
    values = edit_form(agent)
    row = row_of(values, "crm-id")
    del values[f"{row}-key"], values[f"{row}-value"]

    agent.post("/customers/cus-g", data=values)

    assert dict(service.get("cus-g").metadata) == {"tier": "gold"}


def test_clearing_a_value_alone_removes_its_key_as_the_hint_says(agent, service, grace) -> None:
    values = edit_form(agent)
    values[f"{row_of(values, 'tier')}-value"] = ""

    response = agent.post("/customers/cus-g", data=values)

    assert response.status_code == 303
    assert dict(service.get("cus-g").metadata) == {"crm-id": "A-77"}
    hint = html(agent.get("/customers/cus-g/edit")).by_id("metadata-hint").text
    assert hint.startswith(
        "Up to 20 keys; keys at most 40 characters, values at most 500. "
        "Clear a value to remove its key."
    )


def test_clearing_a_key_but_keeping_its_value_says_how_to_remove_the_row(
    agent, service, grace
) -> None:
    values = edit_form(agent)
    row = row_of(values, "tier")
    values[f"{row}-key"] = ""

    response = agent.post("/customers/cus-g", data=values)

    assert response.status_code == 422
    page = html(response)
    assert field_error(page, f"{row}-key") == (
        "Give this value a key, or clear the value to remove the row."
    )
    assert page.by_id("metadata-error").text == (
        "A metadata value has no key: give it one, or clear the value to remove the row."
    )
    assert dict(service.get("cus-g").metadata) == {"tier": "gold", "crm-id": "A-77"}


def test_every_metadata_row_has_labels_of_its_own(agent, grace) -> None:
    page = html(agent.get("/customers/cus-g/edit"))
    labels = [
        label.text
        for label in page.by_id("customer-form").find_all("label")
        if label.get("for", "").startswith("metadata-")
    ]

    # Two stored keys and three blank rows: five rows, each named by its number.
    assert labels == [
        text
        for number in range(1, 6)
        for text in (f"Metadata key {number}", f"Value of metadata key {number}")
    ]
    assert len(set(labels)) == len(labels)


def test_changing_and_adding_metadata_rows_saves_them(agent, service, grace) -> None:
    values = edit_form(agent)
    values[f"{row_of(values, 'tier')}-value"] = "platinum"
    blank = next(n for n, v in values.items() if n.endswith("-key") and not v)
    values.update({blank: "region", blank.removesuffix("-key") + "-value": "EMEA"})

    agent.post("/customers/cus-g", data=values)

    assert dict(service.get("cus-g").metadata) == {
        "tier": "platinum",
        "crm-id": "A-77",
        "region": "EMEA",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "grace@", "Enter an email address like name@example.com."),
        ("country", "", "Country is required when an address is given."),
        ("metadata-0-key", "k" * 41, "cannot be longer than 40 characters"),
    ],
)
def test_a_bad_value_in_an_edit_is_refused_next_to_its_field_and_nothing_changes(
    agent, service, grace, field, value, message
) -> None:
    values = {**edit_form(agent), field: value}

    response = agent.post("/customers/cus-g", data=values)

    page = html(response)
    assert response.status_code == 422
    assert message in field_error(page, field)
    assert form_values(edit_form_element(page))[field] == value
    assert service.get("cus-g") == grace


def test_a_stale_version_is_refused_with_409_keeping_the_posted_values(
    agent, service, grace
) -> None:
    values = edit_form(agent)
    service.update("cus-g", CustomerUpdate(email="theirs@example.com"), actor=Actor(None, "olivia"))
    values.update(email="mine@example.com", city="Richmond")

    response = agent.post("/customers/cus-g", data=values)

    page = html(response)
    assert response.status_code == 409
    banner = page.by_id("customer-form").find("div", "banner").text
    # Who changed it, and which fields, so the agent knows what to look at.
    assert re.search(r"olivia changed this customer at \d{4}-\d\d-\d\d \d\d:\d\d UTC", banner)
    # Each field by its name, with both values: email clashes, the city is the agent's alone.
    assert "Email grace@example.com" not in banner
    assert "Email theirs@example.com mine@example.com" in banner
    assert "City Arlington Richmond" in banner
    assert "shipping.address.city" not in banner
    shown = form_values(edit_form_element(page))
    assert shown["email"] == "mine@example.com"
    assert shown["city"] == "Richmond"
    stored = service.get("cus-g")
    assert stored.email == "theirs@example.com"
    assert stored.shipping.address.city == "Arlington"
    assert stored.version == 2


def test_a_stale_htmx_save_gets_the_form_fragment_with_409(agent, service, grace) -> None:
    values = edit_form(agent)
    service.update("cus-g", CustomerUpdate(locale="de_DE"))

    response = agent.post("/customers/cus-g", data={**values, "locale": "fr_FR"}, headers=HX)

    root = fragment_root(response.get_data(as_text=True))
    assert response.status_code == 409
    assert root.id == "customer-form"
    assert "changed this customer at" in root.text
    assert service.get("cus-g").locale == "de_DE"


@pytest.mark.parametrize("method", ["get", "post"])
def test_editing_an_unknown_customer_is_404(agent, method) -> None:
    path = "/customers/nope/edit" if method == "get" else "/customers/nope"
    data = {"csrf_token": csrf_token(agent, "/")} if method == "post" else None

    response = getattr(agent, method)(path, data=data)

    assert response.status_code == 404
    assert "Customer 'nope' not found." in html(response).by_id("main").text


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (None, "does not say which version"),
        ("", "does not say which version"),
        ("²", "not a number"),
        ("9" * 5000, "not a number"),
        (str(2**64), "not a number"),
    ],
    ids=["missing", "empty", "superscript", "5000-digits", "2**64"],
)
def test_a_save_without_a_usable_version_is_refused_and_keeps_what_was_typed(
    agent, service, grace, version, message
) -> None:
    """A save that does not say which version it edits could overwrite a change it never saw."""
    values = edit_form(agent)
    if version is None:
        del values["version"]
    else:
        values["version"] = version
    values["email"] = "typed@example.com"

    response = agent.post("/customers/cus-g", data=values)

    assert response.status_code == 422
    page = html(response)
    assert message in page.find("div", "error-summary").text
    assert form_values(edit_form_element(page))["email"] == "typed@example.com"
    assert service.get("cus-g") == grace
