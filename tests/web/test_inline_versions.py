"""What every inline change shares: it is based on a version (a stale one is refused with who
changed what, 409, nothing overwritten), it needs the CSRF token, a backend failure keeps what
was typed and offers a retry, and a success hands every form the new version."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest

from app.services.customers import CustomerUpdate, NewTaxCertificate
from app.services.errors import BackendRefused, BackendUnavailable

from .conftest import html
from .dom import Element, form_values, fragment_root
from .inline_helpers import MALLORY, PDF, detail, raising, source, submit, swapped, versions


def cert_fields() -> dict[str, Any]:
    return {
        "company_name": "Hopper Industries",
        "tax_authority": "VA",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "file": (io.BytesIO(PDF), "exemption.pdf"),
    }


TAX_IDS = "tax-identifiers"
# name: (action path under /customers/cus-1/, what is typed, the service method, section id)
ACTIONS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "disable": ("disable", {"reason": "other", "note": "Per bank"}, "set_enabled", "enabled-cus-1"),
    "enable": ("enable", {"reason": "blocked_in_error"}, "set_enabled", "enabled-cus-1"),
    "attach": ("sources", {"source_id": "src-free"}, "attach_source", "sources"),
    "detach": ("sources/src-master/detach", {}, "detach_source", "sources"),
    "default": ("sources/src-master/default", {}, "set_default_source", "sources"),
    "add-tax-id": (TAX_IDS, {"type": "at", "value": "ATU12345678"}, "add_tax_identifier", TAX_IDS),
    "remove-tax-id": (TAX_IDS + "/{tax_id}/remove", {}, "remove_tax_identifier", TAX_IDS),
    "add-certificate": ("tax-certificates", {}, "add_tax_certificate", "tax-certificates"),
    "metadata": ("metadata", {"metadata-0-value": "silver"}, "update", "metadata"),
}
# Forms with nothing typed, whose "Try again" posts the action once more on its own.
BUTTON_ONLY = {"detach", "default", "remove-tax-id"}


@pytest.fixture
def admin(client_as):
    return client_as("admin")


@pytest.fixture
def rich(make_customer, insert_rows, set_columns, service):
    """cus-1 with a bit of everything, and a source it could attach."""
    make_customer(id="cus-1", email="one@example.com", metadata={"tier": "gold"})
    insert_rows(
        source("src-visa", "cus-1"),
        source("src-master", "cus-1", brand="Mastercard", last_four="2222"),
        source("src-free"),
    )
    set_columns("cus-1", default_source_id="src-visa")
    service.add_tax_identifier("cus-1", "de", "DE123456789")
    return service.add_tax_certificate(
        "cus-1",
        NewTaxCertificate(
            company_name="Hopper Industries",
            tax_authority="VA",
            start_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            end_date=dt.datetime(2024, 12, 31, tzinfo=dt.UTC),
            file_name="old.pdf",
            content=PDF,
        ),
    )


def prepare(name: str, rich, set_columns, service) -> tuple[str, dict[str, Any]]:
    """The action's path and typed values for cus-1 (disabled first for 'enable')."""
    path, typed, _, _ = ACTIONS[name]
    if name == "enable":
        set_columns("cus-1", enabled=False)
    if name == "add-certificate":
        typed = cert_fields()
    path = path.format(tax_id=service.get("cus-1").tax_identifiers[0].id)
    return f"/customers/cus-1/{path}", typed


def the_form(page: Element, action: str) -> Element:
    return page.find("form", action=action)


@pytest.mark.parametrize("name", ACTIONS)
def test_a_stale_change_is_refused_with_409_saying_who_changed_what_and_overwrites_nothing(
    admin, service, set_columns, rich, name
) -> None:
    action, typed = prepare(name, rich, set_columns, service)
    page = detail(admin)
    theirs = service.update("cus-1", CustomerUpdate(email="new@example.com"), actor=MALLORY)

    response = submit(admin, the_form(page, action), typed, htmx=True)

    assert response.status_code == 409
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == ACTIONS[name][3]
    alert = root.find("div", "banner--bad").text
    assert "mallory changed this customer at" in alert
    assert "(Email)" in alert  # the field by its name, not its API path
    assert "Nothing was saved" in alert
    assert "Reload the customer" in alert
    assert service.get("cus-1") == theirs
    assert versions(root) == {str(rich.version)}


@pytest.mark.parametrize(
    ("error", "status"), [(BackendUnavailable(request_id="req-42"), 503), (BackendRefused(), 502)]
)
@pytest.mark.parametrize("name", ACTIONS)
def test_a_backend_failure_shows_the_section_again_with_a_retry_and_what_was_typed(
    admin, service, set_columns, rich, monkeypatch, name, error, status
) -> None:
    action, typed = prepare(name, rich, set_columns, service)
    page = detail(admin)
    before = service.get("cus-1")
    monkeypatch.setattr(service, ACTIONS[name][2], raising(error))

    response = submit(admin, the_form(page, action), typed, htmx=True)

    assert response.status_code == status
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == ACTIONS[name][3]
    alert = root.find("div", "banner--bad")
    assert error.message in alert.text
    assert "Nothing was changed" in alert.text
    retry = alert.find("button")
    assert retry.text == "Try again"
    if name in BUTTON_ONLY:
        assert alert.find("form").get("hx-post") == action
        assert form_values(alert.find("form"))["version"] == str(before.version)
    else:
        kept = form_values(root.by_id(retry.get("form")))
        assert {k: kept[k].strip() for k in typed if k != "file"} == {
            k: v for k, v in typed.items() if k != "file"
        }
    if error.request_id:
        assert error.request_id in alert.text
    assert service.get("cus-1") == before


def test_when_the_backend_cannot_even_be_read_the_section_keeps_its_form(
    admin, service, rich, monkeypatch
) -> None:
    page = detail(admin)
    down = raising(BackendUnavailable())
    monkeypatch.setattr(service, "attach_source", down)
    monkeypatch.setattr(service, "get", down)

    response = submit(
        admin, the_form(page, "/customers/cus-1/sources"), {"source_id": "src-free"}, htmx=True
    )

    assert response.status_code == 503
    root = fragment_root(response.get_data(as_text=True))
    assert "cannot be listed" in root.find("p", "empty").text
    assert form_values(root.by_id("attach-form"))["source_id"] == "src-free"


def test_without_javascript_a_backend_failure_shows_the_page_with_503(
    admin, service, rich, monkeypatch
) -> None:
    page = detail(admin)
    monkeypatch.setattr(service, "add_tax_identifier", raising(BackendUnavailable()))

    response = submit(
        admin, the_form(page, "/customers/cus-1/tax-identifiers"), {"type": "at", "value": "ATU1"}
    )

    assert response.status_code == 503
    page = html(response)
    assert page.has("body")
    assert "unavailable" in page.by_id("tax-identifiers").find("div", "banner--bad").text


@pytest.mark.parametrize("name", ACTIONS)
def test_a_change_without_a_version_is_refused_and_nothing_changes(
    admin, service, set_columns, rich, name
) -> None:
    action, typed = prepare(name, rich, set_columns, service)
    page = detail(admin)
    before = service.get("cus-1")

    response = submit(admin, the_form(page, action), typed, htmx=True, drop=("version",))

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert "does not say which version" in root.find("div", "banner--bad").text
    assert service.get("cus-1") == before


# Versions no form ever renders: a superscript digit (str.isdigit() says yes, int() says no),
# 5,000 digits (past int()'s limit), 2**64 (past a 64-bit column), a sign, spaces.
HOSTILE_VERSIONS = ["²", "9" * 5000, str(2**64), "-1", " 1", "1.0"]


@pytest.mark.parametrize("version", HOSTILE_VERSIONS, ids=lambda v: repr(v[:12]))
@pytest.mark.parametrize("name", ACTIONS)
def test_a_change_with_a_version_that_is_no_version_is_refused_with_a_message(
    admin, service, set_columns, rich, name, version
) -> None:
    action, typed = prepare(name, rich, set_columns, service)
    page = detail(admin)
    before = service.get("cus-1")

    response = submit(admin, the_form(page, action), {**typed, "version": version}, htmx=True)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert "version of this form is not a number" in root.find("div", "banner--bad").text
    assert service.get("cus-1") == before


@pytest.mark.parametrize("name", ACTIONS)
def test_a_change_without_the_csrf_token_is_refused(admin, service, set_columns, rich, name):
    action, typed = prepare(name, rich, set_columns, service)
    page = detail(admin)
    before = service.get("cus-1")

    response = submit(admin, the_form(page, action), typed, drop=("csrf_token",))

    assert response.status_code == 400
    assert service.get("cus-1") == before


def test_every_inline_form_on_the_page_carries_the_version_and_the_csrf_token(admin, rich):
    page = detail(admin)
    customer = page.by_id("customer")

    posting = [f for f in customer.find_all("form") if f.get("method") == "post"]

    assert len(posting) == 9
    for form in posting:
        values = form_values(form)
        assert values["version"] == str(rich.version), form.get("action")
        assert values["csrf_token"]
        assert form.get("hx-post") == form.get("action")


def test_after_a_change_every_form_in_the_new_fragment_has_the_new_version(
    admin, service, rich
) -> None:
    page = detail(admin)

    response = submit(
        admin, the_form(page, "/customers/cus-1/sources"), {"source_id": "src-free"}, htmx=True
    )

    root, _ = swapped(response)
    assert versions(root) == {str(rich.version + 1)}
    assert service.get("cus-1").version == rich.version + 1
    assert "Attached a payment source" in root.by_id("timeline").text


def test_the_page_with_every_control_has_no_duplicate_ids(admin, rich, make_customer) -> None:
    page = detail(admin)

    counts = Counter(e.id for e in page.iter() if e.id)

    assert [i for i, n in counts.items() if n > 1] == []


def test_every_control_of_the_customer_page_has_a_label(admin, rich) -> None:
    customer = detail(admin).by_id("customer")
    labelled = {label.get("for") for label in customer.find_all("label")}

    controls = [
        c
        for c in customer.iter()
        if c.tag in ("input", "select", "textarea") and c.get("type") != "hidden"
    ]

    assert controls
    assert [c.id for c in controls if c.id not in labelled] == []
