"""Oldest first as well as newest first: the Order select, keyset pages both ways in that
order (with and without a search term), the pager's words and the table's caption."""

from __future__ import annotations

import re

import pytest

from app.services.customers import NewCustomer, Shipping

from .conftest import html


@pytest.fixture
def five(service) -> list[str]:
    return [
        service.create(NewCustomer(id=f"cus-ord-{n}", shipping=Shipping(name=f"Orla {n}"))).id
        for n in range(5)
    ]


def listed(body: str) -> list[str]:
    return re.findall(r'<a class="id" href="/customers/(cus-ord-\d)"', body)


@pytest.mark.parametrize("query", ["", "&q=orla"])
def test_oldest_first_lists_the_oldest_and_pages_on_to_newer_ones(app, viewer, five, query) -> None:
    app.config["SEARCH_PAGE_SIZE"] = 2

    first = viewer.get(f"/?order=oldest{query}").get_data(as_text=True)

    assert listed(first) == five[:2]
    assert "Customers, oldest first" in first
    newer = re.search(r'<a rel="next" href="([^"]+)"[^>]*>Newer →</a>', first)
    assert newer, "no Newer link"
    second = viewer.get(newer.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert listed(second) == five[2:4]
    older = re.search(r'<a rel="prev" href="([^"]+)"[^>]*>← Older</a>', second)
    assert older, "no Older link"
    back = viewer.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert listed(back) == five[:2]


def test_newest_first_stays_the_default(app, viewer, five) -> None:
    app.config["SEARCH_PAGE_SIZE"] = 2

    body = viewer.get("/").get_data(as_text=True)

    assert listed(body) == [five[4], five[3]]
    assert "Customers, newest first" in body
    assert re.search(r'<a rel="next" [^>]*>Older →</a>', body)


def test_the_order_select_offers_both_and_is_not_counted_as_a_filter(viewer, five) -> None:
    response = viewer.get("/?order=oldest")
    page = html(response)

    select = page.by_id("order")
    assert [o.get("value") for o in select.find_all("option")] == ["", "oldest"]
    assert '<option selected value="oldest">Oldest first</option>' in response.get_data(
        as_text=True
    )
    assert "active" not in page.find("summary").text


def test_the_export_follows_the_order(agent, five) -> None:
    body = agent.get("/customers.csv?order=oldest").get_data(as_text=True)

    assert [line.split(",")[0] for line in body.splitlines()[1:]] == five
