"""Journeys through the create form: errors next to their field, typed values kept."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from app.services.customers import NewCustomer


def field_of(page: Page, control: Locator) -> Locator:
    """The form field block (label, control, hint, error) around ``control``."""
    return page.locator(".field").filter(has=control)


def open_new_customer_form(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New customer")


def test_too_long_id_is_reported_on_its_field_and_the_rest_is_kept(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    sign_in(page, make_staff("agent"))
    open_new_customer_form(page)
    a11y(page)

    customer_id = page.get_by_label("Customer id")
    email = page.get_by_label("Email", exact=True)
    name = page.get_by_label("Name", exact=True)
    city = page.get_by_label("City")
    country = page.get_by_label("Country")
    key = page.get_by_role("textbox", name="Key").first
    value = page.get_by_role("textbox", name="Value").first

    customer_id.fill("c" * 41)
    email.fill("Nora.Berg@example.com")
    name.fill("Nora Berg")
    city.fill("Berlin")
    country.select_option("DE")
    key.fill("crm_id")
    value.fill("CRM-7781")
    page.get_by_role("button", name="Create customer").click()

    expect(page.get_by_role("alert")).to_contain_text("The customer was not saved.")
    expect(customer_id).to_have_attribute("aria-invalid", "true")
    expect(customer_id).to_have_accessible_description(
        re.compile(r"at most 40 characters \(this one has 41\)")
    )
    expect(field_of(page, customer_id).locator(".error")).to_have_text(
        "The id must be at most 40 characters (this one has 41)."
    )
    expect(page.locator(".field--invalid")).to_have_count(1)
    expect(customer_id).to_have_value("c" * 41)
    expect(email).to_have_value("Nora.Berg@example.com")
    expect(name).to_have_value("Nora Berg")
    expect(city).to_have_value("Berlin")
    expect(country).to_have_value("DE")
    expect(key).to_have_value("crm_id")
    expect(value).to_have_value("CRM-7781")
    a11y(page)

    customer_id.fill("c" * 40)
    page.get_by_role("button", name="Create customer").click()

    expect(page).to_have_url(f"{live_server}/customers/{'c' * 40}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nora Berg")
    expect(page.get_by_role("status")).to_contain_text(f"Customer {'c' * 40} created.")
    expect(page.get_by_role("region", name="Metadata")).to_contain_text("CRM-7781")
    a11y(page)

    created = service.get("c" * 40)
    assert created.email == "Nora.Berg@example.com"
    assert created.shipping.name == "Nora Berg"
    assert (created.shipping.address.city, created.shipping.address.country) == ("Berlin", "DE")
    assert dict(created.metadata) == {"crm_id": "CRM-7781"}


def test_duplicate_id_is_reported_on_its_field(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    service.create(NewCustomer(id="cus_taken", email="first@example.com"))

    sign_in(page, make_staff("agent"))
    open_new_customer_form(page)
    customer_id = page.get_by_label("Customer id")
    customer_id.fill("cus_taken")
    page.get_by_label("Email", exact=True).fill("second@example.com")
    page.get_by_role("button", name="Create customer").click()

    expect(customer_id).to_have_attribute("aria-invalid", "true")
    expect(customer_id).to_have_accessible_description(
        re.compile(r"Customer 'cus_taken' already exists\.")
    )
    expect(field_of(page, customer_id).locator(".error")).to_have_text(
        "Customer 'cus_taken' already exists."
    )
    expect(page.get_by_label("Email", exact=True)).to_have_value("second@example.com")
    expect(page).to_have_url(live_server + "/new-customer")
    a11y(page)

    assert service.get("cus_taken").email == "first@example.com"


def test_picking_a_country_offers_its_states_and_the_pick_is_saved(
    page: Page, live_server, service, make_staff, sign_in, a11y
):
    sign_in(page, make_staff("agent"))
    open_new_customer_form(page)
    state = page.get_by_label("State / region")
    expect(state).to_have_js_property("tagName", "INPUT")

    page.get_by_label("Customer id").fill("cus-states")
    page.get_by_label("City").fill("Montréal")
    page.get_by_label("Country").select_option(label="Canada")
    expect(state).to_have_js_property("tagName", "SELECT")
    state.select_option(label="Quebec")
    a11y(page)

    page.get_by_label("Country").select_option(label="United Kingdom")
    expect(state).to_have_js_property("tagName", "INPUT")
    page.get_by_label("Country").select_option(label="Canada")
    expect(state).to_have_js_property("tagName", "SELECT")
    state.select_option(label="Quebec")
    page.get_by_role("button", name="Create customer").click()

    expect(page).to_have_url(f"{live_server}/customers/cus-states")
    address = service.get("cus-states").shipping.address
    assert (address.city, address.state, address.country) == ("Montréal", "QC", "CA")
