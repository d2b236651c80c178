"""Enabling and disabling a customer in place: fraud analysts and admins only, on the customer
page and on each search row; disabling says why, and the disabled banner follows."""

from __future__ import annotations

import pytest

from app.services.customers import CustomerUpdate
from app.services.errors import BackendRefused, BackendUnavailable
from tests.conftest import csrf_token, sign_in

from .conftest import HX, html
from .dom import field_error, form_values, fragment_root
from .inline_helpers import MALLORY, detail, post, raising, submit, swapped

DISABLE = "/customers/cus-1/disable"
ENABLE = "/customers/cus-1/enable"


@pytest.fixture
def customer(make_customer):
    return make_customer(id="cus-1", email="one@example.com")


@pytest.fixture
def disabled(make_customer):
    return make_customer(id="cus-1", email="one@example.com", enabled=False)


@pytest.fixture
def fraud(app, make_staff):
    """A client signed in as the fraud analyst 'frieda'."""
    client = app.test_client()
    sign_in(client, make_staff("fraud", username="frieda"))
    return client


@pytest.fixture
def audit_log(app):
    return app.extensions["customer_desk"].audit


@pytest.mark.parametrize("roles", [("fraud",), ("admin",), ("viewer", "fraud")], ids="+".join)
def test_fraud_analysts_and_admins_see_the_toggle_on_the_page_and_on_search_rows(
    client_as, customer, roles
) -> None:
    client = client_as(*roles)

    page = detail(client)
    results = html(client.get("/")).by_id("results")

    assert page.by_id("enabled-cus-1").has("form", action=DISABLE)
    assert results.by_id("enabled-cus-1").find("button").text == "Disable cus-1…"


@pytest.mark.parametrize("role", ["agent", "viewer", "privacy"])
def test_other_roles_see_no_toggle_and_get_403_for_every_toggle_request(
    client_as, service, customer, role
) -> None:
    client = client_as(role)
    token = csrf_token(client, "/")
    page = detail(client)

    responses = [
        client.post(DISABLE, data={"csrf_token": token, "version": "1", "reason": "chargeback"}),
        client.post(ENABLE, data={"csrf_token": token, "version": "1"}),
        client.get("/customers/cus-1/enabled", headers=HX),
    ]

    assert not page.has(id="enabled-cus-1")
    assert not page.has("form", action=DISABLE)
    assert not html(client.get("/")).by_id("results").has(class_="enabled-toggle")
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert service.get("cus-1") == customer


def test_disabling_with_a_reason_swaps_in_the_whole_customer_with_the_banner(
    fraud, service, audit_log, customer
) -> None:
    page = detail(fraud)

    response = post(
        fraud, page, DISABLE, {"reason": "chargeback", "note": "Bank says so"}, htmx=True
    )

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#customer"
    assert response.headers["HX-Reswap"] == "outerHTML"
    root, flash = swapped(response)
    assert root.id == "customer"
    banner = root.by_id("disabled-banner")
    assert "Chargeback" in banner.text
    assert "Bank says so" in banner.text
    assert [b.text for b in root.find("p", "badges").find_all("span")][0] == "Disabled"
    assert root.by_id("enabled-cus-1").has("form", action=ENABLE)
    assert flash is not None and flash.text == "Customer cus-1 disabled."
    stored = service.get("cus-1")
    assert stored.enabled is False
    assert stored.version == 2
    event = audit_log.latest("cus-1", "customer.disable")
    assert (event.reason_code, event.note, event.actor_username) == (
        "chargeback",
        "Bank says so",
        "frieda",
    )


def test_enabling_asks_why_like_disabling_and_the_audit_trail_records_it(
    fraud, service, disabled, audit_log
) -> None:
    page = detail(fraud)
    toggle = page.by_id("enabled-cus-1")

    assert "accept orders that reference this customer again" in toggle.text
    assert [o.text for o in toggle.by_id("enable-reason").find_all("option")] == [
        "Choose a reason",
        "Verified with the customer",
        "Blocked in error",
        "Fraud review cleared",
        "Other (explain in the note)",
    ]
    assert [b.text for b in toggle.find_all("button")] == ["Enable cus-1"]
    response = post(
        fraud, page, ENABLE, {"reason": "verified_with_customer", "note": "Called her"}, htmx=True
    )

    assert response.status_code == 200
    root, _ = swapped(response)
    assert not root.has(id="disabled-banner")
    assert service.get("cus-1").enabled is True
    event = audit_log.latest("cus-1", "customer.enable")
    assert (event.reason_code, event.note, event.actor_username) == (
        "verified_with_customer",
        "Called her",
        "frieda",
    )
    timeline = html(fraud.get("/audit?customer_id=cus-1")).text
    assert "Verified with the customer" in timeline
    assert "verified_with_customer" not in timeline


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"reason": ""}, "enable-reason", "Choose why the customer is enabled again."),
        ({"reason": "chargeback"}, "enable-reason", "Not a valid choice."),
        ({"reason": "other", "note": "  "}, "enable-note", "Say why in the note"),
    ],
)
def test_enabling_without_a_reason_or_other_without_a_note_is_refused(
    fraud, service, disabled, changes, field_id, message
) -> None:
    response = post(fraud, detail(fraud), ENABLE, changes, htmx=True)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert message in field_error(root, field_id)
    assert service.get("cus-1").enabled is False


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"reason": ""}, "disable-reason", "Choose why the customer is disabled."),
        ({"reason": "other", "note": "  "}, "disable-note", "Say why in the note"),
        ({"reason": "made_up"}, "disable-reason", "Not a valid choice"),
    ],
)
def test_a_disable_without_a_valid_reason_is_refused_in_place(
    fraud, service, customer, changes, field_id, message
) -> None:
    response = post(fraud, detail(fraud), DISABLE, changes, htmx=True)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "enabled-cus-1"
    assert message in field_error(root, field_id)
    assert "open" in root.find("details").attrs
    assert service.get("cus-1") == customer


def test_a_refused_disable_keeps_what_was_typed(fraud, customer) -> None:
    response = post(fraud, detail(fraud), DISABLE, {"reason": "other", "note": ""}, htmx=True)

    values = form_values(fragment_root(response.get_data(as_text=True)).find("form"))
    assert values["reason"] == "other"
    assert values["version"] == "1"


def test_without_javascript_a_disable_redirects_to_the_page_with_a_flash(fraud, customer) -> None:
    response = post(fraud, detail(fraud), DISABLE, {"reason": "account_takeover"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-1#enabled-cus-1"
    page = html(fraud.get(response.headers["Location"]))
    assert "Customer cus-1 disabled." in page.by_id("flash").text
    assert "Account takeover" in page.by_id("disabled-banner").text


def test_without_javascript_a_refused_disable_shows_the_page_again_with_422(
    fraud, customer
) -> None:
    response = post(fraud, detail(fraud), DISABLE, {"reason": ""})

    assert response.status_code == 422
    page = html(response)
    assert page.has("body")
    assert "Choose why" in field_error(page, "disable-reason")


def test_a_search_row_loads_its_form_in_place_and_answers_with_the_row(
    fraud, service, customer
) -> None:
    results = html(fraud.get("/")).by_id("results")
    opener = results.by_id("enabled-cus-1").find("form")

    loaded = fraud.get(opener.get("hx-get"), headers=HX)

    assert loaded.status_code == 200
    row = fragment_root(loaded.get_data(as_text=True))
    assert row.id == "enabled-cus-1"
    assert row.has(id="disable-reason-cus-1")
    form = row.find("form", action=DISABLE)
    assert form_values(form)["place"] == "row"
    assert form_values(form)["version"] == "1"

    response = submit(fraud, form, {"reason": "suspected_fraud"}, htmx=True)

    assert response.status_code == 200
    assert "HX-Retarget" not in response.headers
    root, flash = swapped(response)
    assert root.id == "enabled-cus-1"
    assert root.find("span", "badge").text == "Disabled"
    assert root.find("button").text == "Enable cus-1…"
    assert flash is not None and flash.text == "Customer cus-1 disabled."
    assert service.get("cus-1").enabled is False


def test_a_search_row_enables_in_place_saying_why(fraud, service, disabled) -> None:
    loaded = fraud.get("/customers/cus-1/enabled", headers=HX)
    row = fragment_root(loaded.get_data(as_text=True))
    assert row.has(id="enable-reason-cus-1") and row.has(id="enable-note-cus-1")
    form = row.find("form", action=ENABLE)
    assert form_values(form)["place"] == "row"

    refused = submit(fraud, form, {"reason": ""}, htmx=True)
    assert refused.status_code == 422
    again = fragment_root(refused.get_data(as_text=True))
    assert "Choose why the customer is enabled again." in field_error(again, "enable-reason-cus-1")

    response = submit(fraud, form, {"reason": "fraud_review_cleared"}, htmx=True)

    assert response.status_code == 200
    root, flash = swapped(response)
    assert root.id == "enabled-cus-1"
    assert root.find("button").text == "Disable cus-1…"
    assert flash is not None and flash.text == "Customer cus-1 enabled."
    assert service.get("cus-1").enabled is True


def test_the_search_row_opener_without_javascript_goes_to_the_customer_page(fraud, customer):
    opener = html(fraud.get("/")).by_id("enabled-cus-1").find("form")

    assert opener.get("method") == "get"
    assert opener.get("action") == "/customers/cus-1#enabled-cus-1"
    response = fraud.get("/customers/cus-1/enabled")
    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-1#enabled-cus-1"


def test_search_rows_give_each_toggle_its_own_control_ids(fraud, make_customer) -> None:
    make_customer(id="cus-a")
    make_customer(id="cus-b")

    ids = []
    for customer_id in ("cus-a", "cus-b"):
        row = fragment_root(
            fraud.get(f"/customers/{customer_id}/enabled", headers=HX).get_data(as_text=True)
        )
        ids += [e.id for e in row.iter() if e.id]

    assert len(ids) == len(set(ids))


def test_a_stale_disable_is_refused_saying_who_changed_what(fraud, service, customer) -> None:
    page = detail(fraud)
    service.update("cus-1", CustomerUpdate(email="new@example.com"), actor=MALLORY)

    response = post(fraud, page, DISABLE, {"reason": "chargeback"}, htmx=True)

    assert response.status_code == 409
    root = fragment_root(response.get_data(as_text=True))
    alert = root.find("div", "banner--bad")
    assert "mallory changed this customer" in alert.text
    assert "(Email)" in alert.text
    assert alert.find("a").get("hx-get") == "/customers/cus-1"
    assert service.get("cus-1").enabled is True


@pytest.mark.parametrize(
    ("error", "status"),
    [(BackendUnavailable(request_id="req-9"), 503), (BackendRefused(), 502)],
)
def test_a_backend_failure_keeps_the_form_and_offers_a_retry(
    fraud, service, customer, monkeypatch, error, status
) -> None:
    monkeypatch.setattr(service, "set_enabled", raising(error))

    response = post(
        fraud, detail(fraud), DISABLE, {"reason": "other", "note": "Odd refunds"}, htmx=True
    )

    assert response.status_code == status
    root = fragment_root(response.get_data(as_text=True))
    alert = root.find("div", "banner--bad")
    assert error.message in alert.text
    assert alert.find("button").text == "Try again"
    assert alert.find("button").get("form") == "disable-form"
    values = form_values(root.by_id("disable-form"))
    assert (values["reason"], values["note"].strip()) == ("other", "Odd refunds")
