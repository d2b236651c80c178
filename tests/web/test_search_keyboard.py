"""The search page's keyboard-first markup: the Filters disclosure, the Tab order from the box."""

from __future__ import annotations

import pytest

from app.customers.search_form import FILTERS
from app.services.customers import Shipping

from .conftest import html
from .dom import Element, field_error, form_values


def disclosure(page: Element) -> Element:
    """The Filters disclosure of the search form."""
    return page.by_id("search").find("details", "filters-disclosure")


# -- the Filters disclosure ----------------------------------------------------------------


def test_with_no_filter_set_the_filters_are_folded_under_a_plain_summary(viewer) -> None:
    details = disclosure(html(viewer.get("/?q=ada")))

    assert "open" not in details.attrs
    assert details.find("summary").text == "Filters"
    fields = {c.get("name") for c in details.iter() if c.tag in ("select", "input")}
    assert fields == {*FILTERS, "order"}  # the order sits with them, not counted as one


@pytest.mark.parametrize(
    ("args", "summary"),
    [
        ({"type": "business"}, "Filters (1 active)"),
        ({"enabled": "no", "locale": "de_DE"}, "Filters (2 active)"),
        ({"q": "ada", "forget": "yes", "created_from": "2024-01-02"}, "Filters (2 active)"),
        (dict.fromkeys(FILTERS[:4], "") | {"created_to": "2024-05-06"}, "Filters (1 active)"),
    ],
)
def test_a_filter_that_is_set_opens_the_disclosure_and_is_counted(viewer, args, summary) -> None:
    details = disclosure(html(viewer.get("/", query_string=args)))

    assert "open" in details.attrs
    assert details.find("summary").text == summary


@pytest.mark.parametrize(
    ("args", "field_id", "message"),
    [
        (
            {"created_from": "2024-03-10", "created_to": "2024-03-01"},
            "created_to",
            "The end date is before the start date.",
        ),
        ({"enabled": "maybe"}, "enabled", "Not a valid choice."),
    ],
)
def test_a_refused_filter_keeps_the_disclosure_open_with_the_error_next_to_it(
    viewer, args, field_id, message
) -> None:
    response = viewer.get("/", query_string=args)
    page = html(response)

    assert response.status_code == 422
    assert "open" in disclosure(page).attrs
    assert message in field_error(page, field_id)


def test_an_error_in_the_box_alone_leaves_the_filters_folded(viewer) -> None:
    response = viewer.get("/", query_string={"q": "x" * 321})

    assert response.status_code == 422
    assert "open" not in disclosure(html(response)).attrs


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_a_filter_digital_river_cannot_apply_is_not_counted(viewer) -> None:
    details = disclosure(html(viewer.get("/?enabled=no&type=business&forget=yes")))

    assert details.find("summary").text == "Filters (1 active)"
    assert "disabled" in details.find("select", id="enabled").attrs


def test_the_folded_filters_are_still_part_of_the_plain_get_form(viewer) -> None:
    page = html(viewer.get("/?q=ada"))
    form = page.by_id("search")

    assert form.get("method") == "get"
    assert "open" not in disclosure(page).attrs
    assert set(form_values(form)) == {"q", *FILTERS, "order"}


# -- the Tab order -------------------------------------------------------------------------

FOCUSABLE = ("a", "button", "input", "select", "textarea", "summary")


def tab_stops(document: Element) -> list[Element]:
    """The elements Tab stops on, in document order (no positive tabindex is used)."""
    return [
        e
        for e in document.iter()
        if (e.tag in FOCUSABLE or e.get("tabindex") is not None)
        and e.get("tabindex") != "-1"
        and "disabled" not in e.attrs
        and e.get("type") != "hidden"
        and not (e.tag == "a" and e.get("href") is None)
    ]


@pytest.mark.parametrize("args", [{"q": "ada"}, {"q": "ada", "type": "business"}])
def test_the_first_result_is_the_next_tab_stop_after_the_box(viewer, make_customer, args) -> None:
    make_customer(id="cus-ada", email="ada@example.com", type="business")
    page = html(viewer.get("/", query_string=args))
    stops = tab_stops(page)
    box = stops.index(page.by_id("q"))

    following = stops[box + 1]
    assert following.tag == "a" and following.text == "cus-ada"
    assert following.closest("section").id == "results"
    # The Search button stays (for the mouse, and without JavaScript), outside the Tab order.
    button = page.by_id("search").find("button", type="submit")
    assert (button.text, button.get("tabindex")) == ("Search", "-1")


# -- the rows the keyboard walks -----------------------------------------------------------


def test_each_result_link_is_described_by_its_rows_email_and_name(viewer, make_customer) -> None:
    make_customer(id="cus-ada", email="ada@example.com", shipping=Shipping(name="Ada Lovelace"))
    make_customer(id="cus-bob", email="bob@example.com")
    page = html(viewer.get("/"))

    described = {}
    for row in page.by_id("results").find("tbody").find_all("tr"):
        link = row.find("a")
        ids = (link.get("aria-describedby") or "").split()
        described[link.text] = [page.by_id(i).text for i in ids]
        assert all(page.by_id(i).closest("tr") is row for i in ids)

    assert described == {  # (masked for a viewer)
        "cus-bob": ["b•••@example.com", ""],
        "cus-ada": ["a•••@example.com", "Ada Lovelace"],
    }


def test_signed_in_pages_know_where_the_search_box_is(viewer, make_customer) -> None:
    make_customer(id="cus-ada")
    for path in ("/", "/customers/cus-ada"):
        assert html(viewer.get(path)).find("body").get("data-search-url") == "/"


def test_the_sign_in_page_has_no_search_shortcut(client) -> None:
    assert html(client.get("/login")).find("body").get("data-search-url") is None


def test_signed_in_pages_carry_the_shortcuts_dialog_closable_without_script(
    viewer, make_customer
) -> None:
    make_customer(id="cus-ada")
    for path in ("/", "/customers/cus-ada"):
        dialog = html(viewer.get(path)).by_id("shortcuts")
        assert dialog.tag == "dialog" and "open" not in dialog.attrs
        heading = dialog.by_id(dialog.get("aria-labelledby"))
        assert (heading.tag, heading.text) == ("h2", "Keyboard shortcuts")
        assert [d.text for d in dialog.find_all("dt")][:2] == ["/", "↓ or j"]
        assert dialog.find("form").get("method") == "dialog"
        assert dialog.find("form").find("button").text == "Close"


def test_the_sign_in_page_has_no_shortcuts_dialog(client) -> None:
    assert not html(client.get("/login")).has("dialog")
