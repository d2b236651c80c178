"""Two staff members edit one customer at once: the second save is refused showing, field by
field, their value and mine, keeps what I typed, and applies my changes on top of theirs
without retyping."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.services.customers import Address, NewCustomer, Shipping

PHONE_BEFORE = "+44 113 496 0000"


def open_edit_form(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/customers/cus_both/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit customer cus_both")


def conflict_row(page: Page, field: str):
    """The conflict table's row of ``field`` (by its human name)."""
    return page.locator("#conflict tbody tr").filter(
        has=page.get_by_role("rowheader", name=field, exact=True)
    )


@pytest.mark.parametrize("clash", [False, True], ids=["apart", "clash"])
def test_my_changes_are_applied_on_top_of_theirs_after_a_conflict_without_retyping(
    new_context, live_server, service, make_staff, sign_in, a11y, clash
):
    service.create(
        NewCustomer(
            id="cus_both",
            email="both@example.com",
            shipping=Shipping(
                name="Ada Both",
                phone=PHONE_BEFORE,
                address=Address(line1="1 Park Row", city="Leeds", country="GB"),
            ),
        )
    )
    ann, ben = make_staff("agent", username="ann"), make_staff("agent", username="ben")
    a, b = new_context().new_page(), new_context().new_page()
    sign_in(a, ann)
    sign_in(b, ben, check=False)
    for page in (a, b):
        open_edit_form(page, live_server)

    a.get_by_label("City", exact=True).fill("York")
    a.get_by_role("button", name="Save changes").click()
    expect(a.locator("#flash")).to_contain_text("Changes saved.")

    b.get_by_label("Phone", exact=True).fill("+44 113 496 0999")
    if clash:
        b.get_by_label("City", exact=True).fill("Hull")
    b.get_by_role("button", name="Save changes").click()

    conflict = b.locator("#conflict")
    # The answer is where the eye is: focused and in view.
    expect(conflict).to_be_focused()
    expect(conflict).to_be_in_viewport()
    expect(conflict).to_contain_text(
        re.compile(r"ann changed this customer at \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    )
    expect(conflict).not_to_contain_text("shipping.")
    city = conflict_row(b, "City")
    expect(city.get_by_role("cell").nth(0)).to_have_text("York")
    expect(city.get_by_role("cell").nth(1)).to_have_text("Hull" if clash else "Leeds")
    expect(city).to_contain_text("Clash" if clash else "Only they changed it")
    phone = conflict_row(b, "Phone")
    expect(phone.get_by_role("cell").nth(0)).to_have_text(PHONE_BEFORE)
    expect(phone.get_by_role("cell").nth(1)).to_have_text("+44 113 496 0999")
    expect(phone).to_contain_text("Only you changed it")
    # What B typed is still in the form; a field only A changed shows A's value.
    expect(b.get_by_label("Phone", exact=True)).to_have_value("+44 113 496 0999")
    expect(b.get_by_label("City", exact=True)).to_have_value("Hull" if clash else "York")
    expect(b.get_by_role("link", name="Discard mine")).to_be_visible()
    a11y(b)

    b.get_by_role("button", name="Apply my changes to the new version").click()

    expect(b.locator("#flash")).to_contain_text("Changes saved.")
    expect(b).to_have_url(f"{live_server}/customers/cus_both")
    stored = service.get("cus_both").shipping
    assert stored.address.city == ("Hull" if clash else "York")
    assert stored.phone == "+44 113 496 0999"
    assert (stored.name, stored.address.line1) == ("Ada Both", "1 Park Row")


def test_discarding_mine_shows_the_form_as_the_other_person_left_it(
    new_context, live_server, service, make_staff, sign_in
):
    service.create(
        NewCustomer(
            id="cus_both",
            email="both@example.com",
            shipping=Shipping(phone=PHONE_BEFORE, address=Address(city="Leeds", country="GB")),
        )
    )
    a, b = new_context().new_page(), new_context().new_page()
    sign_in(a, make_staff("agent", username="ann"))
    sign_in(b, make_staff("agent", username="ben"), check=False)
    for page in (a, b):
        open_edit_form(page, live_server)
    a.get_by_label("City", exact=True).fill("York")
    a.get_by_role("button", name="Save changes").click()
    expect(a.locator("#flash")).to_contain_text("Changes saved.")
    b.get_by_label("Phone", exact=True).fill("+44 113 496 0999")
    b.get_by_role("button", name="Save changes").click()
    expect(b.locator("#conflict")).to_be_visible()

    b.get_by_role("link", name="Discard mine").click()

    expect(b.locator("#conflict")).to_have_count(0)
    expect(b.get_by_label("City", exact=True)).to_have_value("York")
    expect(b.get_by_label("Phone", exact=True)).to_have_value(PHONE_BEFORE)
    b.get_by_label("Phone", exact=True).fill("+44 113 496 0888")
    b.get_by_role("button", name="Save changes").click()
    expect(b.locator("#flash")).to_contain_text("Changes saved.")
    stored = service.get("cus_both").shipping
    assert (stored.address.city, stored.phone) == ("York", "+44 113 496 0888")
