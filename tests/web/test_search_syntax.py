"""The search box's qualifiers on the page: a malformed one is refused under the box (422,
nothing else lost), the help popover lists them, and an empty result suggests one."""

from __future__ import annotations

import pytest

from app.services.customers import Address, Shipping
from app.services.terms import QUALIFIERS

from .conftest import HX, html
from .dom import control_value, fragment_root


@pytest.mark.parametrize(
    ("q", "says"),
    [
        ("last4:42", "last4: needs the card's last four digits"),
        ("created:yesterday", "created: takes a date as YYYY-MM-DD"),
        ("city:", "city: needs a value"),
    ],
)
def test_a_malformed_qualifier_is_refused_under_the_box(viewer, q, says) -> None:
    response = viewer.get("/", query_string={"q": q, "type": "business"})
    page = html(response)

    assert response.status_code == 422
    error = page.by_id("q-error")
    assert says in error.text
    box = page.by_id("q")
    assert box.get("aria-invalid") == "true"
    assert box.get("aria-describedby") == "q-error"
    # What was typed, and the filters, are kept.
    assert box.get("value") == q
    assert control_value(page.by_id("type")) == "business"


def test_a_malformed_qualifier_in_active_search_answers_the_fragment(viewer) -> None:
    response = viewer.get("/?q=last4:1", headers=HX)
    root = fragment_root(response.get_data(as_text=True))

    assert response.status_code == 422
    assert root.id == "results"
    assert "last four digits" in root.by_id("q-error").text


def test_the_export_refuses_a_malformed_qualifier_too(agent) -> None:
    response = agent.get("/customers.csv?q=created:13")
    assert response.status_code == 422
    assert "created: takes a date" in html(response).by_id("q-error").text


def test_the_search_help_lists_every_qualifier_with_an_example(viewer) -> None:
    page = html(viewer.get("/"))

    button = page.find("button", class_="search-help-button")
    assert button.get("popovertarget") == "search-help"
    help_ = page.by_id("search-help")
    assert "popover" in help_.attrs
    text = help_.text
    for qualifier in QUALIFIERS:
        assert f"{qualifier.name}:" in text and qualifier.example in text
    assert "Not on Digital River" not in text


def test_an_empty_result_says_what_was_searched_and_suggests_a_qualifier(viewer) -> None:
    body = viewer.get("/?q=nowhereville").get_data(as_text=True)

    assert "No customers match “nowhereville”." in body
    assert "cities, states, card last fours, tax ids and metadata" in body
    assert "city:nowhereville" in body


def test_a_misspelt_qualifier_suggests_the_one_meant(viewer) -> None:
    body = viewer.get("/?q=emial:ada").get_data(as_text=True)
    assert "Did you mean email:?" in body


def test_a_city_qualifier_finds_the_customer_on_the_page(viewer, make_customer) -> None:
    make_customer(
        id="cus-zurich",
        shipping=Shipping(name="Zora", address=Address(city="Zürich", country="CH")),
    )
    make_customer(id="cus-zora", shipping=Shipping(name="Zurich Zora"))

    page = html(viewer.get("/?q=city:zurich"))

    rows = page.by_id("results").find("tbody").find_all("tr")
    assert [row.find("a").text for row in rows] == ["cus-zurich"]
    assert page.find("p", class_="results-count").text == "1 customer"
