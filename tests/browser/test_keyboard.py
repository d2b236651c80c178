"""Keyboard-first search: the folded filters, one Tab from the box to the first result, and the
shortcuts (`/`, ↓/↑, j/k, Enter, Esc, ?). Pure keyboard behaviour: the local backend only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.services.customers import NewCustomer, Shipping

pytestmark = pytest.mark.parametrize("backend", ["local"])


def results(page: Page) -> Locator:
    return page.get_by_role("region", name="Search results")


def filters_summary(page: Page) -> Locator:
    """The summary that opens and closes the Filters disclosure."""
    return page.locator("summary").filter(has_text=re.compile(r"^Filters"))


def row_of(page: Page, customer_id: str) -> Locator:
    """The result row of one customer."""
    return (
        results(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=customer_id, exact=True))
    )


def expect_current(page: Page, customer_id: str) -> None:
    """The customer's row is the current one: marked, and its link focused (so announced)."""
    row = row_of(page, customer_id)
    expect(row).to_have_attribute("aria-current", "true")
    expect(row.get_by_role("cell").first).to_have_css("background-color", "rgb(231, 239, 252)")
    expect(row.get_by_role("cell").first).to_have_css("box-shadow", re.compile(r"inset"))
    expect(results(page).locator("tr[aria-current]")).to_have_count(1)
    expect(row.get_by_role("link", name=customer_id, exact=True)).to_be_focused()


def three_customers(service) -> None:
    """cus_kb1…cus_kb3 (listed newest first: cus_kb3, cus_kb2, cus_kb1) and cus_other."""
    service.create(NewCustomer(id="cus_other", email="other@example.com"))
    for number, name in ((1, "Kim One"), (2, "Kim Two"), (3, "Kim Three")):
        service.create(
            NewCustomer(
                id=f"cus_kb{number}",
                email=f"kb{number}@example.com",
                shipping=Shipping(name=name),
            )
        )


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
    page.get_by_role("button", name="Search", exact=True).click()

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


def test_the_keyboard_alone_finds_walks_and_opens_a_customer(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    three_customers(service)
    sign_in(page, make_staff("agent"))
    page.goto(live_server + "/customers/cus_other")
    expect(page.get_by_role("heading", level=1)).to_have_text("other@example.com")

    # `/` from a customer page: the search page, its box focused.
    page.keyboard.press("/")
    expect(page).to_have_url(live_server + "/")
    box = page.get_by_role("searchbox", name="Search")
    expect(box).to_be_focused()
    page.keyboard.type("kb")
    expect(page).to_have_url(re.compile(r"\?q=kb$"))
    expect(results(page).get_by_role("link", name="cus_other")).to_have_count(0)
    expect(results(page).get_by_role("row")).to_have_count(4)  # the header and three
    expect(results(page).locator("tr[aria-current]")).to_have_count(0)

    # ↓ from the box: the first result is current, its link says who it is.
    page.keyboard.press("ArrowDown")
    expect_current(page, "cus_kb3")
    expect(results(page).get_by_role("link", name="cus_kb3")).to_have_accessible_description(
        "kb3@example.com Kim Three"
    )
    a11y(page)

    # ↓/↑ and j/k walk the rows; the last row stays current, ↑ from the first goes to the box.
    page.keyboard.press("ArrowDown")
    expect_current(page, "cus_kb2")
    page.keyboard.press("j")
    expect_current(page, "cus_kb1")
    page.keyboard.press("j")
    expect_current(page, "cus_kb1")
    page.keyboard.press("k")
    expect_current(page, "cus_kb2")
    page.keyboard.press("ArrowUp")
    expect_current(page, "cus_kb3")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    expect(results(page).locator("tr[aria-current]")).to_have_count(0)

    # Esc on a row goes back to the box; Esc in the box clears it and searches again.
    page.keyboard.press("j")  # typed in the box, not a shortcut
    expect(box).to_have_value("kbj")
    expect(results(page)).to_contain_text("No customers match")
    page.keyboard.press("Backspace")
    expect(results(page).get_by_role("row")).to_have_count(4)
    page.keyboard.press("ArrowDown")
    expect_current(page, "cus_kb3")
    page.keyboard.press("Escape")
    expect(box).to_be_focused()
    expect(box).to_have_value("kb")
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(page).to_have_url(live_server + "/")
    expect(results(page).get_by_role("link", name="cus_other")).to_be_visible()
    a11y(page)

    # Enter opens the current customer.
    page.keyboard.type("kb")
    expect(results(page).get_by_role("link", name="cus_other")).to_have_count(0)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("j")
    expect_current(page, "cus_kb2")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server + "/customers/cus_kb2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kim Two")
    a11y(page)


def test_the_current_row_is_outlined_in_forced_colors(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    three_customers(service)
    sign_in(page, make_staff("viewer"))
    page.emulate_media(forced_colors="active")

    page.get_by_role("searchbox", name="Search").press("ArrowDown")
    row = results(page).get_by_role("row").nth(1)
    expect(row).to_have_attribute("aria-current", "true")
    expect(row).to_have_css("outline-style", "solid")
    expect(row).to_have_css("outline-width", "3px")
    # Forced colours repaint the page in the user's own; the header's roles, grey on what was
    # its dark background, fail axe's contrast arithmetic there, so axe checks the results.
    a11y(page, context="#results")


def test_a_row_picked_before_the_results_arrive_moves_to_the_new_first_row(
    page: Page, live_server, service, make_staff, sign_in
):
    three_customers(service)
    sign_in(page, make_staff("viewer"))
    box = page.get_by_role("searchbox", name="Search")
    expect(results(page).get_by_role("link", name="cus_other")).to_be_visible()

    # ↓ at once, before active search (300 ms after typing) has swapped the results in.
    box.press_sequentially("kb2")
    page.keyboard.press("ArrowDown")

    expect(results(page).get_by_role("row")).to_have_count(2)
    expect_current(page, "cus_kb2")


def test_shortcuts_do_not_fire_while_typing_in_a_field(
    page: Page, live_server, service, make_staff, sign_in
):
    three_customers(service)
    sign_in(page, make_staff("viewer"))
    box = page.get_by_role("searchbox", name="Search")

    box.press_sequentially("j/k")
    expect(box).to_have_value("j/k")
    expect(box).to_be_focused()

    filters_summary(page).click()
    created = page.get_by_label("Created from")
    created.focus()
    for key in ("j", "k", "/", "ArrowDown"):
        page.keyboard.press(key)
    expect(created).to_be_focused()
    expect(results(page).locator("tr[aria-current]")).to_have_count(0)


def test_question_mark_shows_the_shortcuts_until_esc_or_close(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    three_customers(service)
    sign_in(page, make_staff("viewer"))
    box = page.get_by_role("searchbox", name="Search")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")

    # In the box, `?` is typed.
    box.press("?")
    expect(box).to_have_value("?")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Escape")
    expect(box).to_have_value("")

    # From a row: `?` opens the dialog, Esc closes it and the row is current again.
    page.keyboard.press("ArrowDown")
    expect_current(page, "cus_kb3")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    expect(dialog.get_by_role("term").filter(has_text="Esc")).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    a11y(page)
    page.keyboard.press("j")  # the dialog is modal: the results do not move behind it
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect_current(page, "cus_kb3")

    # The header's button opens it too; Close (Enter on it) closes it, focus back on the button.
    opener = page.get_by_role("button", name="Keyboard shortcuts")
    opener.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    # On a customer page too.
    page.goto(live_server + "/customers/cus_kb1")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    a11y(page)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
