"""Requests to be forgotten: who may ask, the confirmation step, the server's checks, and a
forgotten customer's page and writes."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.services.customers import Address, NewCustomer, Shipping
from tests.conftest import csrf_token

from .conftest import HX, html

CID = "cus-forget"
CONFIRM = f"/customers/{CID}/forget"
RETRY = f"/customers/{CID}/forget/retry"
NOT_PRIVACY = [("viewer",), ("agent",), ("fraud",), ("agent", "fraud", "viewer")]


@pytest.fixture
def customer(make_customer):
    return make_customer(
        id=CID,
        email="ada.forget@example.com",
        metadata={"crm": "A-1"},
    )


@pytest.fixture
def officer(client_as) -> FlaskClient:
    return client_as("privacy")


def privacy_log(app):
    return app.extensions["customer_desk"].privacy


def post_forget(client: FlaskClient, typed: str = CID, reason: str = "TICKET-42", **extra):
    token = csrf_token(client, CONFIRM)
    data = {"confirm_id": typed, "reason": reason, "csrf_token": token, **extra}
    return client.post(CONFIRM, data=data)


def forget_now(client: FlaskClient) -> None:
    response = post_forget(client)
    assert response.status_code == 303, response.get_data(as_text=True)


# -- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", NOT_PRIVACY)
def test_everyone_but_privacy_officers_and_admins_gets_403_on_every_forget_url(
    app, client_as, customer, roles
) -> None:
    client = client_as(*roles)
    token = csrf_token(client, "/")

    assert client.get(CONFIRM).status_code == 403
    data = {"confirm_id": CID, "reason": "x", "csrf_token": token}
    assert client.post(CONFIRM, data=data).status_code == 403
    assert client.post(RETRY, data={"csrf_token": token}).status_code == 403
    assert privacy_log(app).for_customer(CID) is None


@pytest.mark.parametrize("roles", NOT_PRIVACY)
def test_the_detail_page_offers_the_request_only_to_privacy_and_admin(
    client_as, customer, roles
) -> None:
    body = client_as(*roles).get(f"/customers/{CID}").get_data(as_text=True)
    # The button; the activity timeline may name the field.
    assert ">Request to be forgotten</a>" not in body
    assert CONFIRM not in body


@pytest.mark.parametrize("roles", [("privacy",), ("admin",)])
def test_privacy_officers_and_admins_see_the_link_and_the_confirmation(
    client_as, customer, roles
) -> None:
    client = client_as(*roles)
    page = html(client.get(f"/customers/{CID}"))
    link = page.find("a", href=CONFIRM)
    assert link.text == "Request to be forgotten"

    response = client.get(CONFIRM)
    assert response.status_code == 200
    confirm = html(response)
    text = confirm.text
    assert "cannot be undone" in text
    assert "erased now" in text  # the local store
    for what in ("email", "shipping", "metadata values", "tax identifier values"):
        assert what in text
    assert "What is kept" in text
    assert confirm.find("form", action=CONFIRM)
    assert confirm.find("input", name="confirm_id")
    assert confirm.find("textarea", name="reason")


@pytest.mark.parametrize("backend", ["local", "digitalriver"])
def test_the_confirmation_names_whose_data_is_erased(officer, service, backend) -> None:
    service.create(
        NewCustomer(
            id=CID,
            email="ada.forget@example.com",
            shipping=Shipping(
                name="Ada Forget",
                organization="Forget Ltd",
                address=Address(city="Leeds", country="GB"),
            ),
        )
    )

    confirm = html(officer.get(CONFIRM))

    whose = confirm.find("section", aria_labelledby="h-whose")
    assert whose.find("h2").text == "Whose data is erased"
    shown = dict(
        zip(
            [t.text for t in whose.find_all("dt")],
            [d.text for d in whose.find_all("dd")],
            strict=True,
        )
    )
    assert shown == {
        "Name": "Ada Forget",
        "Email": "ada.forget@example.com",
        "Organization": "Forget Ltd",
        "Ships to": "Leeds, GB",
        "Customer id": CID,
    }
    # The button waits (app.js) for exactly this id; the server checks it again.
    form = confirm.find("form", action=CONFIRM)
    assert form.get("data-confirm-typed") == CID
    assert "data-confirm-submit" in form.find("button", type="submit").attrs


def test_the_confirmation_says_when_there_is_no_name_or_email(officer, make_customer) -> None:
    make_customer(id=CID)

    whose = html(officer.get(CONFIRM)).find("section", aria_labelledby="h-whose")

    assert "No name on record" in whose.text
    assert "No email on record" in whose.text


def test_the_confirmation_of_digital_river_says_dr_removes_the_data_later(
    app, officer, customer
) -> None:
    app.config["CUSTOMER_BACKEND"] = "digitalriver"  # only the wording depends on it here
    try:
        text = html(officer.get(CONFIRM)).text
    finally:
        app.config["CUSTOMER_BACKEND"] = "local"
    assert "retention policy" in text
    assert "erased now" not in text


# -- the server's checks ------------------------------------------------------------------


def test_a_wrong_typed_id_changes_nothing_and_says_so_next_to_the_field(
    app, service, officer, customer
) -> None:
    response = post_forget(officer, typed="cus-forge")

    assert response.status_code == 422
    page = html(response)
    error = page.by_id("confirm_id-error")
    assert "type cus-forget exactly" in error.text
    assert page.find("input", name="confirm_id").get("aria-invalid") == "true"
    assert page.find("textarea", name="reason").text == "TICKET-42"  # kept
    assert privacy_log(app).for_customer(CID) is None
    assert service.get(CID).email == "ada.forget@example.com"


def test_a_blank_reason_or_blank_typed_id_is_refused(app, service, officer, customer) -> None:
    blank_reason = post_forget(officer, reason="   ")
    assert blank_reason.status_code == 422
    assert html(blank_reason).by_id("reason-error")

    blank_id = post_forget(officer, typed="")
    assert blank_id.status_code == 422
    assert html(blank_id).by_id("confirm_id-error")

    assert privacy_log(app).for_customer(CID) is None
    assert service.get(CID).email == "ada.forget@example.com"


def test_a_post_without_the_csrf_token_is_refused(app, officer, customer) -> None:
    response = officer.post(CONFIRM, data={"confirm_id": CID, "reason": "T-1"})
    assert response.status_code == 400
    assert privacy_log(app).for_customer(CID) is None


def test_an_unknown_customer_is_404(officer) -> None:
    assert officer.get("/customers/cus-nobody/forget").status_code == 404


def test_the_right_id_and_a_reason_forget_the_customer(app, service, officer, customer) -> None:
    response = post_forget(officer)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{CID}")
    record = privacy_log(app).for_customer(CID)
    assert record is not None
    assert record.status == "erased"
    assert record.reason == "TICKET-42"
    assert record.backend == "local"
    assert service.get(CID).email is None
    page = officer.get(f"/customers/{CID}").get_data(as_text=True)
    assert "is forgotten" in page  # the flash


def test_the_page_and_the_privacy_list_say_what_remains_below_the_rows(
    app, service, officer, customer, engine_name
) -> None:
    forget_now(officer)
    service.erasure.wait(timeout=60)

    page = html(officer.get(f"/customers/{CID}"))
    listed = html(officer.get("/privacy")).by_id(f"forget-{privacy_log(app).for_customer(CID).id}")

    residue = page.by_id("forget-residue").text
    if engine_name == "sqlite":
        assert residue.startswith("No copy is left in the database")
    else:
        assert "VACUUM of the affected tables finished" in residue
    assert residue in " ".join(listed.find("details", "residue").text.split())


def test_asking_again_is_409_naming_when_and_by_whom(
    app, service, officer, client_as, customer
) -> None:
    forget_now(officer)
    service.erasure.wait(timeout=60)  # (on PostgreSQL the background VACUUM notes its end)
    first = privacy_log(app).for_customer(CID)

    again = post_forget(client_as("admin"))

    assert again.status_code == 409
    text = html(again).text
    assert "already asked to be forgotten" in text
    assert first.requested_by in text
    assert privacy_log(app).for_customer(CID) == first


def test_retry_of_a_request_that_did_not_fail_is_refused(app, officer, customer) -> None:
    token = csrf_token(officer, "/")
    assert officer.post(RETRY, data={"csrf_token": token}).status_code == 404
    forget_now(officer)
    assert officer.post(RETRY, data={"csrf_token": token}).status_code == 409


# -- a forgotten customer ---------------------------------------------------------------------


def test_the_forgotten_page_says_so_and_shows_no_controls(app, officer, client_as, customer):
    forget_now(officer)
    everything = client_as("agent", "fraud", "privacy")

    page = html(everything.get(f"/customers/{CID}"))

    banner = page.by_id("forgotten-banner")
    assert "asked to be forgotten" in banner.text
    assert officer_name(app) in banner.text
    assert "Erased" in banner.text
    assert page.by_id("customer").find_all("form", method="post") == []
    body = everything.get(f"/customers/{CID}").get_data(as_text=True)
    for control in (
        "Edit customer",
        ">Request to be forgotten</a>",
        "Edit metadata",
        f"/customers/{CID}/disable",
        f"/customers/{CID}/tax-identifiers",
    ):
        assert control not in body


def officer_name(app) -> str:
    record = privacy_log(app).for_customer(CID)
    assert record is not None
    return record.requested_by


@pytest.mark.parametrize("htmx", [False, True])
def test_writes_on_a_forgotten_customer_are_refused_by_the_server(
    app, service, officer, client_as, customer, htmx
) -> None:
    forget_now(officer)
    version = str(service.get(CID).version)
    client = client_as("agent", "fraud")
    token = csrf_token(client, "/")
    headers = {**HX, "X-CSRFToken": token} if htmx else {}
    attempts = [
        (f"/customers/{CID}/disable", {"reason": "suspected_fraud", "version": version}),
        (
            f"/customers/{CID}/tax-identifiers",
            {"type": "de", "value": "DE123456789", "version": version},
        ),
        (
            f"/customers/{CID}/metadata",
            {
                "metadata-0-original": "",
                "metadata-0-key": "k",
                "metadata-0-value": "v",
                "version": version,
            },
        ),
    ]
    for url, data in attempts:
        response = client.post(url, data={**data, "csrf_token": token}, headers=headers)
        assert response.status_code == 409, (url, response.get_data(as_text=True))
        assert "asked to be forgotten" in response.get_data(as_text=True), url

    after = service.get(CID)
    assert after.enabled
    assert after.tax_identifiers == ()
    assert "k" not in after.metadata


# -- on Digital River (the emulator) ----------------------------------------------------------


@pytest.fixture
def dr(dr_emulator, service, monkeypatch):
    monkeypatch.setattr(service, "_sleep", lambda seconds: None, raising=False)
    emulator = dr_emulator.app
    emulator.add_customer(id=CID, email="ada.forget@example.com")
    return emulator


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_the_request_is_sent_and_dr_removes_the_data_later(app, dr, officer) -> None:
    assert "retention policy" in html(officer.get(CONFIRM)).text

    response = post_forget(officer)

    assert response.status_code == 303
    record = privacy_log(app).for_customer(CID)
    assert record is not None and record.status == "requested"
    assert record.backend == "digitalriver"
    assert dr.customer(CID)["requestToBeForgotten"] is True
    page = html(officer.get(f"/customers/{CID}"))
    assert "Requested from Digital River" in page.by_id("forgotten-banner").text


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_failure_keeps_the_values_is_listed_as_failed_and_can_be_retried(
    app, dr, officer
) -> None:
    dr.fail_next(503, times=1, method="POST", path_prefix=f"/customers/{CID}")

    response = post_forget(officer, reason="TICKET-503")

    assert response.status_code == 503
    page = html(response)
    assert "did not go through" in page.text
    assert page.find("input", name="confirm_id").get("value") == CID
    assert page.find("textarea", name="reason").text == "TICKET-503"
    record = privacy_log(app).for_customer(CID)
    assert record is not None and record.status == "failed"
    assert dr.customer(CID)["requestToBeForgotten"] is not True

    listing = html(officer.get("/privacy"))
    row = listing.by_id(f"forget-{record.id}")
    assert "row--failed" in row.classes
    retry = row.find("form", action=RETRY)
    token = csrf_token(officer, "/privacy")

    retried = officer.post(RETRY, data={"csrf_token": token})

    assert retried.status_code == 303
    record = privacy_log(app).for_customer(CID)
    assert record.status == "requested"
    assert record.reason == "TICKET-503"
    assert dr.customer(CID)["requestToBeForgotten"] is True
    assert retry is not None


def test_the_edit_form_of_a_forgotten_customer_does_not_open(officer, client_as, customer):
    forget_now(officer)
    agent = client_as("agent")

    response = agent.get(f"/customers/{CID}/edit")

    assert response.status_code == 409
    assert "asked to be forgotten" in response.get_data(as_text=True)
    assert 'name="email"' not in response.get_data(as_text=True)


def test_a_forgotten_customer_has_no_enable_toggle_in_search(officer, client_as, customer):
    forget_now(officer)
    fraud = client_as("fraud")

    page = fraud.get(f"/?q={CID}").get_data(as_text=True)

    assert f"/customers/{CID}/disable" not in page and f"/customers/{CID}/enabled" not in page
