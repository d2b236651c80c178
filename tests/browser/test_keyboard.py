"""Keyboard-first search: the folded filters, one Tab from the box to the first result, and the
shortcuts (`/`, ↓/↑, j/k, Enter, Esc, ?). Pure keyboard behaviour: the local backend only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.services.customers import NewCustomer

pytestmark = pytest.mark.parametrize("backend", ["local"])


def results(page: Page) -> Locator:
    return page.get_by_role("region", name="Search results")


def filters_summary(page: Page) -> Locator:
    """The summary that opens and closes the Filters disclosure."""
    return page.locator("summary").filter(has_text=re.compile(r"^Filters"))


def filters(page: Page) -> Locator:
    return page.get_by_role("group", name="Filters")


def test_the_filters_fold_under_a_summary_that_counts_the_active_ones(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_person", email="person@example.com", type="individual"))
    service.create(NewCustomer(id="cus_firm", email="firm@example.com", type="business"))

    sign_in(page, make_staff("viewer"))
    expect(filters_summary(page)).to_have_text("Filters")
    expect(page.get_by_label("Type")).to_be_hidden()
    a11y(page)

    filters_summary(page).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Type")).to_be_visible()
    page.get_by_label("Type").select_option("business")
    expect(filters_summary(page)).to_have_text("Filters (1 active)")
    expect(results(page).get_by_role("link", name="cus_firm")).to_be_visible()
    expect(results(page).get_by_role("link", name="cus_person")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"\?(.*&)?type=business(&|$)"))
    a11y(page)

    # Opened from its address, the page shows the filter that is set.
    page.reload()
    expect(filters_summary(page)).to_have_text("Filters (1 active)")
    expect(page.get_by_label("Type")).to_be_visible()
    expect(page.get_by_label("Type")).to_have_value("business")
    a11y(page)

    page.get_by_label("Created from").fill("2030-01-01")
    expect(filters_summary(page)).to_have_text("Filters (2 active)")
    expect(results(page)).to_contain_text("No customers match")
    page.get_by_label("Type").select_option("")
    page.get_by_label("Created from").fill("")
    expect(filters_summary(page)).to_have_text("Filters")
    expect(results(page).get_by_role("link", name="cus_person")).to_be_visible()

    # Folded again, the filters still go with the search.
    filters_summary(page).click()
    expect(page.get_by_label("Type")).to_be_hidden()
    a11y(page)


def test_the_folded_filters_still_submit_without_javascript(
    new_context, live_server, service, make_staff, sign_in
):
    service.create(NewCustomer(id="cus_person", email="person@example.com", type="individual"))
    service.create(NewCustomer(id="cus_firm", email="firm@example.com", type="business"))
    page = new_context(java_script_enabled=False).new_page()

    sign_in(page, make_staff("viewer"), check=False)
    filters_summary(page).click()
    page.get_by_label("Type").select_option("business")
    filters_summary(page).click()
    expect(page.get_by_label("Type")).to_be_hidden()
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"\?(.*&)?type=business(&|$)"))
    expect(filters_summary(page)).to_have_text("Filters (1 active)")
    expect(results(page).get_by_role("link", name="cus_firm")).to_be_visible()
    expect(results(page).get_by_role("link", name="cus_person")).to_have_count(0)


def test_one_tab_goes_from_the_box_to_the_first_result(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    for number in range(3):
        service.create(NewCustomer(id=f"cus_tab{number}", email=f"tab{number}@example.com"))
    service.create(NewCustomer(id="cus_other", email="other@example.com"))

    sign_in(page, make_staff("agent", "fraud"))
    box = page.get_by_role("searchbox", name="Search")
    expect(box).to_be_focused()
    box.press_sequentially("tab")
    expect(results(page).get_by_role("link", name="cus_other")).to_have_count(0)
    first = results(page).get_by_role("link", name="cus_tab2")

    presses = 0
    while presses < 20 and not first.evaluate("link => link === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
    assert presses == 1
    expect(first).to_be_focused()
    a11y(page)
