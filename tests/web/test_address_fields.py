"""The address fields of the customer form: a country select with names, a state select where
the country's addresses name one, and a warning (never a refusal) for a phone number that is
not one of the shipping country's."""

from __future__ import annotations

import pytest

from app.services.customers import Address, Shipping

from .conftest import HX, html
from .dom import field_error, form_values, fragment_root
from .test_create import TYPED, customer_count, post_new


def options(select) -> dict[str, str]:
    return {o.get("value"): o.text for o in select.find_all("option")}


def test_the_country_is_a_select_of_every_country_by_name(agent) -> None:
    page = html(agent.get("/new-customer"))
    country = page.by_id("country")

    assert country.tag == "select"
    offered = options(country)
    assert offered[""] == "No country"
    assert offered["DE"] == "Germany" and offered["GB"] == "United Kingdom"
    assert len(offered) == 1 + 249
    assert "ZZ" not in offered


@pytest.mark.parametrize("code", ["ZZ", "XX"])
def test_a_code_that_is_no_country_is_refused_at_country(agent, service, code) -> None:
    response = post_new(agent, **{**TYPED, "country": code})
    page = html(response)

    assert response.status_code == 422
    assert f"'{code}' is not a country" in field_error(page, "country")
    assert form_values(page.find("form", action="/customers"))["country"] == code
    assert customer_count(service) == 0


def test_the_state_is_a_select_of_the_countrys_states_where_it_has_them(
    agent, make_customer
) -> None:
    make_customer(
        id="cus-va", shipping=Shipping(address=Address(city="Arlington", state="VA", country="US"))
    )
    state = html(agent.get("/customers/cus-va/edit")).by_id("state")

    assert state.tag == "select"
    offered = options(state)
    assert offered["VA"] == "Virginia" and offered["DC"] == "District of Columbia"
    edit = html(agent.get("/customers/cus-va/edit")).find("form", action="/customers/cus-va")
    assert form_values(edit)["state"] == "VA"


def test_a_stored_state_the_list_does_not_hold_is_kept_as_current(agent, make_customer) -> None:
    make_customer(
        id="cus-odd", shipping=Shipping(address=Address(city="X", state="Virginia", country="US"))
    )
    page = html(agent.get("/customers/cus-odd/edit"))

    assert options(page.by_id("state"))["Virginia"] == "Virginia (current)"
    assert form_values(page.find("form", action="/customers/cus-odd"))["state"] == "Virginia"


def test_elsewhere_the_state_is_free_text(agent, make_customer) -> None:
    make_customer(
        id="cus-gb",
        shipping=Shipping(address=Address(city="Leeds", state="West Yorkshire", country="GB")),
    )
    state = html(agent.get("/customers/cus-gb/edit")).by_id("state")

    assert (state.tag, state.get("value")) == ("input", "West Yorkshire")


def test_picking_a_country_fetches_its_state_field(agent) -> None:
    country = html(agent.get("/new-customer")).by_id("country")
    url = country.get("hx-get")
    assert (country.get("hx-target"), country.get("hx-include")) == (
        "#state-field",
        "[name='state']",
    )

    canada = agent.get(url, query_string={"country": "CA", "state": "QC"}, headers=HX)
    root = fragment_root(canada.get_data(as_text=True))
    assert canada.status_code == 200 and root.id == "state-field"
    assert options(root.by_id("state"))["QC"] == "Quebec"
    assert form_values(root)["state"] == "QC"

    britain = fragment_root(
        agent.get(url, query_string={"country": "GB", "state": "Kent"}, headers=HX).get_data(
            as_text=True
        )
    )
    assert (britain.by_id("state").tag, britain.by_id("state").get("value")) == ("input", "Kent")


def test_a_viewer_cannot_fetch_the_state_field(viewer) -> None:
    assert viewer.get("/forms/state-field?country=US").status_code == 403


def test_a_phone_that_is_no_number_of_the_country_is_saved_with_a_warning(agent, service) -> None:
    response = post_new(agent, **{**TYPED, "ship_phone": "+1 555 010 9876", "country": "US"})

    assert response.status_code == 303
    assert service.get(TYPED["id"]).shipping.phone == "+1 555 010 9876"
    shown = html(agent.get(response.headers["Location"]))
    warning = shown.find("div", "toast--warning").text
    assert "not a valid phone number for United States" in warning


def test_the_edit_form_says_when_the_phone_does_not_fit_the_country(agent, make_customer) -> None:
    make_customer(
        id="cus-ph",
        shipping=Shipping(phone="+1 555 010 9876", address=Address(city="X", country="US")),
    )
    page = html(agent.get("/customers/cus-ph/edit"))

    assert "not a valid phone number for United States" in page.by_id("ship_phone-hint").text


def test_a_valid_phone_gets_no_warning(agent, service) -> None:
    response = post_new(agent, **{**TYPED, "ship_phone": "+1 202 555 0143", "country": "US"})

    shown = html(agent.get(response.headers["Location"]))
    assert not shown.has("div", "toast--warning")
