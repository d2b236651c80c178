"""The search page (home): full page or results fragment, matching, filters and paging."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from app.services.customers import Address

from .conftest import HX, full_shipping, html, naive
from .dom import Element, control_value, fragment_root


def result_ids(results: Element) -> list[str]:
    """The customer ids of the result rows, in order."""
    return (
        [row.find("a").text for row in results.find("tbody").find_all("tr")]
        if results.has("tbody")
        else []
    )


def search(client, **args: str) -> list[str]:
    response = client.get("/", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return result_ids(html(response).by_id("results"))


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# -- page or fragment ----------------------------------------------------------------------


def test_search_is_a_full_page_with_the_search_form_and_results(viewer, make_customer) -> None:
    make_customer(id="cus-1")

    response = viewer.get("/")
    page = html(response)

    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    assert page.by_id("search").tag == "form"
    assert result_ids(page.by_id("results")) == ["cus-1"]
    assert "HX-Request" in response.vary


def test_an_htmx_search_returns_only_the_results_fragment(viewer, make_customer) -> None:
    make_customer(id="cus-1", email="ada@example.com")

    response = viewer.get("/?q=ada", headers=HX)
    root = fragment_root(response.get_data(as_text=True))

    assert response.status_code == 200
    assert root.id == "results"
    assert result_ids(root) == ["cus-1"]
    assert "HX-Request" in response.vary


def test_an_htmx_history_restore_gets_the_full_page(viewer) -> None:
    response = viewer.get("/?q=ada", headers={**HX, "HX-History-Restore-Request": "true"})

    assert "<html" in response.get_data(as_text=True)
    assert html(response).by_id("search").tag == "form"


def test_the_search_box_keeps_the_term_and_the_filters_after_a_search(viewer) -> None:
    page = html(viewer.get("/?q=ada&enabled=no&type=business&created_from=2024-01-02"))

    assert page.by_id("q").get("value") == "ada"
    assert control_value(page.by_id("enabled")) == "no"
    assert control_value(page.by_id("type")) == "business"
    assert page.by_id("created_from").get("value") == "2024-01-02"


# -- matching ------------------------------------------------------------------------------


def test_an_exact_id_hit_shows_the_open_customer_link(viewer, make_customer) -> None:
    make_customer(id="cus-exact-1")
    make_customer(id="cus-exact-10")

    results = html(viewer.get("/?q=cus-exact-1")).by_id("results")

    link = results.find("div", "exact-hit").find("a")
    assert link.get("href") == "/customers/cus-exact-1"
    assert link.text == "Open customer cus-exact-1"


def test_a_term_that_is_not_a_whole_id_shows_no_open_customer_link(viewer, make_customer) -> None:
    make_customer(id="cus-exact-1")

    results = html(viewer.get("/?q=cus-exact")).by_id("results")

    assert not results.has("div", "exact-hit")


@pytest.fixture
def people(make_customer) -> None:
    make_customer(id="c-ada", email="Ada.Lovelace@Example.COM")
    make_customer(id="c-byron", email="ada.byron@example.org")
    make_customer(
        id="c-grace",
        email="grace@navy.example",
        shipping=full_shipping(organization="Acme Widgets GmbH"),
    )
    make_customer(
        id="c-alan",
        email="alan@example.com",
        shipping=full_shipping(
            name="Alan Turing",
            phone="+44 20 7946 0958",
            organization="Bletchley Park",
            address=Address(
                line1="Sherwood Drive", city="Bletchley", postal_code="MK3 6EB", country="GB"
            ),
        ),
    )


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ada.lovelace@example.com", {"c-ada"}),
        ("ADA.LOVELACE@EXAMPLE.COM", {"c-ada"}),
        ("Ada.", {"c-ada", "c-byron"}),
        ("aDa.L", {"c-ada"}),
        ("ada.byron@", {"c-byron"}),
        ("grace@", {"c-grace"}),
        ("lovelace@example.com", {"c-ada"}),  # a part of the address
        ("@nowhere.example", set()),
    ],
)
def test_an_email_or_a_part_of_it_matches_in_any_case(viewer, people, term, expected) -> None:
    assert set(search(viewer, q=term)) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("hopper", {"c-grace"}),
        ("GRACE HOP", {"c-grace"}),
        ("turing", {"c-alan"}),
        ("0109876", {"c-grace"}),
        ("010-9876", {"c-grace"}),
        ("7946 0958", {"c-alan"}),
        ("widgets", {"c-grace"}),
        ("bletchley", {"c-alan"}),
        ("mk3 6e", {"c-alan"}),
        ("22201", {"c-grace"}),
        ("nobody-matches-this", set()),
    ],
)
def test_a_substring_matches_name_phone_organization_or_postal_code(
    viewer, people, term, expected
) -> None:
    assert set(search(viewer, q=term)) == expected


def test_a_term_shorter_than_three_characters_explains_what_it_searches(viewer, people) -> None:
    results = html(viewer.get("/?q=ad")).by_id("results")

    assert "Type at least 3 characters" in results.text


@pytest.mark.parametrize(
    "term", ['"', "a\"b'c", "%", "_", "\\", "%_%", "'; DROP TABLE customers; --", "\x01", "ü" * 50]
)
def test_odd_search_terms_are_just_searched(viewer, people, term) -> None:
    assert search(viewer, q=term) == []


def test_a_search_term_with_a_nul_byte_is_refused_without_an_error_500(viewer, people) -> None:
    response = viewer.get("/", query_string={"q": "ada\x00"})

    assert response.status_code == 400


def test_a_search_term_over_320_characters_is_refused_with_422(viewer) -> None:
    response = viewer.get("/", query_string={"q": "x" * 321})

    assert response.status_code == 422
    assert "Field cannot be longer than 320 characters." in html(response).by_id("results").text


# -- filters -------------------------------------------------------------------------------


@pytest.fixture
def varied(make_customer, set_columns) -> None:
    make_customer(id="c-plain", type="individual", locale="en_US")
    make_customer(id="c-off", enabled=False, type="business", locale="de_DE")
    make_customer(id="c-forget", type="business", locale="en_US")
    set_columns("c-forget", request_to_be_forgotten=True)
    make_customer(id="c-march", locale="fr_FR")
    set_columns("c-march", created_time=naive(2024, 3, 15, 12, 0))
    make_customer(id="c-april", locale="fr_FR")
    set_columns("c-april", created_time=naive(2024, 4, 1, 0, 0))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, {"c-plain", "c-off", "c-forget", "c-march", "c-april"}),
        ({"enabled": "no"}, {"c-off"}),
        ({"enabled": "yes"}, {"c-plain", "c-forget", "c-march", "c-april"}),
        ({"type": "business"}, {"c-off", "c-forget"}),
        ({"type": "individual"}, {"c-plain"}),
        ({"locale": "en_US"}, {"c-plain", "c-forget"}),
        ({"locale": "fr_FR"}, {"c-march", "c-april"}),
        ({"forget": "yes"}, {"c-forget"}),
        ({"forget": "no"}, {"c-plain", "c-off", "c-march", "c-april"}),
        ({"created_from": "2024-03-01", "created_to": "2024-03-31"}, {"c-march"}),
        ({"created_from": "2024-03-15", "created_to": "2024-03-15"}, {"c-march"}),
        ({"created_to": "2024-03-31"}, {"c-march"}),
        ({"created_to": "2024-04-01"}, {"c-march", "c-april"}),
        ({"created_from": "2024-03-16", "created_to": "2024-12-31"}, {"c-april"}),
        ({"type": "business", "enabled": "no"}, {"c-off"}),
        ({"type": "business", "locale": "fr_FR"}, set()),
    ],
)
def test_filters_narrow_the_results(viewer, varied, args, expected) -> None:
    assert set(search(viewer, **args)) == expected


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_an_end_date_before_the_start_date_is_refused_with_422_and_the_message(
    viewer, varied, headers
) -> None:
    response = viewer.get("/?created_from=2024-03-10&created_to=2024-03-01", headers=headers)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    results = fragment_root(body) if headers else html(response).by_id("results")
    assert results.id == "results"
    assert "The end date is before the start date." in results.text
    assert result_ids(results) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"created_from": "2024-13-45"}, "Created from"),
        ({"created_to": "yesterday"}, "Created to"),
        ({"enabled": "maybe"}, "Enabled"),
        ({"type": "robot"}, "Type"),
        ({"locale": "xx_XX"}, "Locale"),
    ],
)
def test_an_invalid_filter_value_is_refused_with_422_naming_the_filter(viewer, args, field) -> None:
    response = viewer.get("/", query_string=args)

    assert response.status_code == 422
    assert f"{field} –" in html(response).by_id("results").text


# -- paging --------------------------------------------------------------------------------


@pytest.fixture
def thirty(make_customer, set_columns) -> list[str]:
    """30 customers, c00 the oldest, each a minute apart; newest first as the list shows them."""
    start = naive(2025, 1, 1, 9, 0)
    ids = []
    for i in range(30):
        customer_id = f"c{i:02d}"
        make_customer(id=customer_id, email=f"page{i:02d}@example.com")
        set_columns(customer_id, created_time=start + dt.timedelta(minutes=i))
        ids.append(customer_id)
    make_customer(id="other", email="other@example.com")
    set_columns("other", created_time=start + dt.timedelta(minutes=15, seconds=30))
    return [*reversed(ids)]


def pager_link(results: Element, rel: str) -> str | None:
    links = results.find_all("a", rel=rel)
    return links[0].get("href") if links else None


def test_paging_follows_older_then_newer_without_duplicates_or_gaps(viewer, thirty) -> None:
    first = html(viewer.get("/?q=page")).by_id("results")
    older_url = pager_link(first, "next")
    assert older_url is not None
    assert pager_link(first, "prev") is None

    second = html(viewer.get(older_url)).by_id("results")
    newer_url = pager_link(second, "prev")
    assert newer_url is not None
    assert pager_link(second, "next") is None

    back = html(viewer.get(newer_url)).by_id("results")

    assert result_ids(first) == thirty[:25]
    assert result_ids(second) == thirty[25:]
    assert result_ids(back) == thirty[:25]
    assert pager_link(back, "prev") is None
    assert pager_link(back, "next") == older_url
    assert parse_qs(urlsplit(older_url).query)["q"] == ["page"]


def test_paging_links_work_as_htmx_fragments_too(viewer, thirty) -> None:
    first = html(viewer.get("/?q=page")).by_id("results")
    link = first.find("a", rel="next")
    assert link.get("hx-get") == link.get("href")
    assert link.get("hx-target") == "#results"

    response = viewer.get(link.get("hx-get"), headers=HX)
    root = fragment_root(response.get_data(as_text=True))

    assert root.id == "results"
    assert result_ids(root) == thirty[25:]


def test_paging_through_small_pages_visits_every_customer_once(viewer, thirty) -> None:
    seen: list[str] = []
    url: str | None = "/?limit=7"
    pages = 0
    while url and pages < 10:
        results = html(viewer.get(url)).by_id("results")
        seen += result_ids(results)
        url = pager_link(results, "next")
        if url:
            url += "&limit=7"
        pages += 1

    assert pages == 5
    assert len(seen) == len(set(seen)) == 31
    # "other" was created between c15 and c16.
    assert seen == [*thirty[:14], "other", *thirty[14:]]


@pytest.mark.parametrize(("limit", "rows"), [("10", 10), ("", 25), ("abc", 25), ("0", 25)])
def test_the_limit_parameter_sets_the_page_size_and_defaults_to_25(
    viewer, thirty, limit, rows
) -> None:
    assert len(search(viewer, limit=limit)) == rows


def test_the_default_page_size_comes_from_the_search_page_size_setting(app, viewer, thirty) -> None:
    app.config["SEARCH_PAGE_SIZE"] = 12

    assert len(search(viewer)) == 12


@pytest.mark.parametrize(
    "token",
    [
        "zzz",
        "!!!",
        "é",
        cursor("no separator"),
        cursor("not-a-date|c05"),
        cursor("2025-01-01T09:10:00|"),
        cursor("0001-01-01T00:00:00+01:00|c05"),
        cursor("9999-12-31T23:59:59-01:00|c05"),
        cursor("2025-01-01T09:10:00|" + "x" * 500),
        cursor("2025-01-01T09:10:00|c\x0005"),
        base64.urlsafe_b64encode(b"\xff\xfe|c05").decode(),
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_bad_cursor_does_not_cause_an_error_500(viewer, thirty, token, direction) -> None:
    response = viewer.get("/", query_string={direction: token})

    assert response.status_code == 200
    assert html(response).by_id("results").id == "results"
