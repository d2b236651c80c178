"""How many matched: each results page says it, exactly up to the cap and "more than" beyond,
counted through the same indexes as the page; an empty result says what was searched."""

from __future__ import annotations

import re

import pytest

from app.services.customers import NewCustomer, SearchQuery, Shipping


def count_line(body: str) -> str | None:
    found = re.search(r'<p class="results-count">([^<]*)</p>', body)
    return found.group(1) if found else None


@pytest.fixture
def smiths(service) -> None:
    for n in range(4):
        service.create(
            NewCustomer(email=f"s{n}@count.example", shipping=Shipping(name=f"Pat Smith {n}"))
        )
    service.create(NewCustomer(email="solo@count.example", shipping=Shipping(name="Lee Jones")))


def test_a_search_says_how_many_match_not_how_many_are_shown(app, viewer, smiths) -> None:
    app.config["SEARCH_PAGE_SIZE"] = 2

    assert count_line(viewer.get("/?q=smith").get_data(as_text=True)) == "4 customers"
    assert count_line(viewer.get("/?q=jones").get_data(as_text=True)) == "1 customer"
    assert count_line(viewer.get("/").get_data(as_text=True)) == "5 customers"


def test_the_count_follows_the_filters(viewer, smiths, service, set_columns) -> None:
    first = service.search(SearchQuery(text="smith")).items[0]
    set_columns(first.id, enabled=False)

    body = viewer.get("/?q=smith&enabled=no").get_data(as_text=True)

    assert count_line(body) == "1 customer"


def test_beyond_the_cap_it_says_more_than_and_counts_no_further(
    viewer, smiths, monkeypatch
) -> None:
    monkeypatch.setattr("app.services.local.search.COUNT_CAP", 2)
    monkeypatch.setattr("app.customers.search.COUNT_CAP", 2)

    assert count_line(viewer.get("/?q=smith").get_data(as_text=True)) == "More than 2 customers"
    assert count_line(viewer.get("/?q=jones").get_data(as_text=True)) == "1 customer"


def test_an_empty_result_says_what_was_searched_for_what(viewer, smiths) -> None:
    body = viewer.get("/?q=nowhere").get_data(as_text=True)

    assert count_line(body) is None
    assert "No customers match “nowhere”." in body
    assert (
        "Searched ids, emails, names, phones, organizations, postal codes, cities, states, "
        "card last fours, tax ids and metadata for “nowhere”." in body
    )
