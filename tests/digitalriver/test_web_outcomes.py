"""The edit and create forms on Digital River when DR is down, changes things on its own, or
holds values the console would not have written: nothing typed is lost and nothing is
misreported."""

from __future__ import annotations

import dataclasses

import pytest

from app.services.customers import CustomerUpdate
from app.services.errors import InvalidParameter

from .conftest import FAULTS, clear_faults, refuse_connections
from .test_web_faults import (
    EDIT_CHANGES,
    EDITED,
    assert_kept,
    edit_form,
    form_values,
    new_form,
)

KEPT = "Your entries are kept below; press “Save changes” to try again."


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
@pytest.mark.parametrize("outage", ["refused", "503"])
def test_an_edit_saved_while_dr_cannot_be_read_keeps_every_value_and_saves_once_dr_is_back(
    agent, service, emulator, outage, htmx
) -> None:
    emulator.add_customer(**EDITED)
    data = edit_form(agent, "edit-1")
    if outage == "refused":
        refuse_connections(service.http, times=1000)
    else:
        emulator.fail_next(503, times=1000)
    headers = {"HX-Request": "true"} if htmx else {}

    response = agent.post("/customers/edit-1", data=data, headers=headers)

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert KEPT in body
    expected = (
        "Digital River could not be reached."
        if outage == "refused"
        else "Digital River is unavailable (HTTP 503)."
    )
    assert expected in body
    assert ("<html" in body) is not htmx
    assert 'id="customer-form"' in body
    assert_kept(body, data)
    assert emulator.customer("edit-1")["email"] == "before@example.com"

    clear_faults(emulator, service.http)
    again = agent.post("/customers/edit-1", data=data)

    assert again.status_code == 303
    stored = emulator.customer("edit-1")
    assert stored["email"] == EDIT_CHANGES["email"]
    assert stored["shipping"]["address"]["city"] == EDIT_CHANGES["city"]
    assert stored["metadata"] == {"coupon": "iOS", "tier": "gold"}
    assert len(emulator.requests_to("POST", "/customers/edit-1")) == 1


def test_a_create_with_an_unclear_outcome_says_pressing_create_again_is_safe(
    agent, service, emulator, fault
) -> None:
    data = new_form(agent)
    fault.inject(
        emulator, service.http, times=service.retries + 1, method="POST", path_prefix="/customers"
    )

    response = agent.post("/customers", data=data)

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "reload the customer" not in body
    if fault.kind == "refused":
        assert "Nothing was changed" in body
    else:
        assert "may or may not have been created; pressing Create again is safe" in body


# -- a create repeated after an unclear outcome ---------------------------------------------------

ALREADY = "This form was already submitted and the customer exists"
UNCLEAR = [f for f in FAULTS if f.applied]


@pytest.mark.parametrize("unclear", UNCLEAR, ids=[f.name for f in UNCLEAR])
def test_a_typed_id_create_applied_but_unconfirmed_is_reconciled_on_the_next_create(
    agent, service, emulator, unclear
) -> None:
    fault = unclear
    data = {**new_form(agent), "id": "acc-f-typed"}
    fault.inject(
        emulator, service.http, times=service.retries + 1, method="POST", path_prefix="/customers"
    )
    first = agent.post("/customers", data=data)
    assert first.status_code == 503
    fault.clear(emulator, service.http)

    again = agent.post("/customers", data=data)

    body = again.get_data(as_text=True)
    assert ALREADY in body
    assert '<a href="/customers/acc-f-typed">open customer acc-f-typed</a>' in body
    assert "already exists" not in body
    assert "the changes typed since are not in it" not in body
    assert emulator.customer_count() == 1
    assert emulator.customer("acc-f-typed")["email"] == data["email"]


def test_a_typed_id_create_corrected_after_an_unclear_outcome_links_the_first_one(
    agent, service, emulator
) -> None:
    data = {**new_form(agent), "id": "acc-f-typed"}
    emulator.slow_next(1.5, applied=True, times=service.retries + 1, method="POST")
    assert agent.post("/customers", data=data).status_code == 503

    again = agent.post("/customers", data={**data, "city": "Alexandria"})

    body = again.get_data(as_text=True)
    assert ALREADY in body
    assert "the changes typed since are not in it" in body
    assert emulator.customer_count() == 1
    assert emulator.customer("acc-f-typed")["shipping"]["address"]["city"] == "Arlington"


def test_a_typed_id_held_by_someone_else_is_a_clash_at_the_id_field(agent, emulator) -> None:
    emulator.add_customer(id="acc-f-typed", email="somebody.else@example.com")
    data = {**new_form(agent), "id": "acc-f-typed"}

    response = agent.post("/customers", data=data)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert ALREADY not in body
    assert "already exists" in body
    assert_kept(body, data)
    assert emulator.customer("acc-f-typed")["email"] == "somebody.else@example.com"


def test_a_reserved_id_held_by_someone_else_is_never_reported_as_this_forms_customer(
    agent, emulator
) -> None:
    data = new_form(agent)
    emulator.add_customer(id=data["draft_id"], email="somebody.else@example.com")

    response = agent.post("/customers", data=data)

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ALREADY not in body
    assert "The id reserved for this form belongs to another customer." in body
    fresh = form_values(body)["draft_id"]
    assert fresh != data["draft_id"] and fresh.startswith("cd_")

    created = agent.post("/customers", data={**data, "draft_id": fresh})

    assert created.status_code == 303
    assert created.headers["Location"] == f"/customers/{fresh}"
    assert emulator.customer(fresh)["email"] == data["email"]
    assert emulator.customer(data["draft_id"])["email"] == "somebody.else@example.com"


def test_reserved_ids_are_outside_the_numbers_dr_generates(agent, emulator) -> None:
    generated = emulator.add_customer(email="dr.made@example.com")["id"]
    reserved = {new_form(agent)["draft_id"] for _ in range(20)}

    assert generated.isdigit()
    assert len(reserved) == 20
    assert all(r.startswith("cd_") and not r[3:].isdigit() for r in reserved)


# -- values DR holds that the console would not have written ---------------------------------------


def test_a_shipping_email_dr_holds_at_a_special_use_domain_does_not_block_a_city_change(
    agent, emulator
) -> None:
    emulator.add_customer(
        id="wh-1",
        email="buyer@example.com",
        shipping={
            "name": "Warehouse",
            "email": "orders@warehouse.local",
            "address": {"line1": "1 Dock Rd", "city": "Leeds", "country": "GB"},
        },
    )
    data = {**form_values(agent.get("/customers/wh-1/edit").get_data(as_text=True))}
    data["city"] = "York"

    response = agent.post("/customers/wh-1", data=data)

    assert response.status_code == 303, response.get_data(as_text=True)
    stored = emulator.customer("wh-1")["shipping"]
    assert stored["address"]["city"] == "York"
    assert stored["email"] == "orders@warehouse.local"


def test_a_country_dr_holds_that_the_console_does_not_know_does_not_block_a_city_change(
    dr, emulator
) -> None:
    emulator.add_customer(
        id="xk-1",
        shipping={"name": "Arta", "address": {"city": "Pristina", "country": "XK"}},
    )
    current = dr.get("xk-1")
    moved = dataclasses.replace(
        current.shipping, address=dataclasses.replace(current.shipping.address, city="Prizren")
    )

    updated = dr.update("xk-1", CustomerUpdate(shipping=moved))

    assert updated.shipping.address.city == "Prizren"
    with pytest.raises(InvalidParameter) as refused:
        dr.update("xk-1", CustomerUpdate(shipping=dataclasses.replace(moved, email="a b@c.com")))
    assert {(e.code, e.parameter) for e in refused.value.errors} == {
        ("email_invalid", "shipping.email")
    }


def test_a_locale_dr_holds_outside_the_list_is_kept_as_current_and_an_email_change_saves(
    agent, emulator
) -> None:
    emulator.add_customer(id="gb-1", email="old@example.com", locale="en_GB", type="individual")

    page = agent.get("/customers/gb-1/edit").get_data(as_text=True)

    assert '<option selected value="en_GB">en_GB (current)</option>' in page
    data = {**form_values(page), "email": "new@example.com"}
    assert data["locale"] == "en_GB"

    response = agent.post("/customers/gb-1", data=data)

    assert response.status_code == 303, response.get_data(as_text=True)
    stored = emulator.customer("gb-1")
    assert stored["email"] == "new@example.com"
    assert stored["locale"] == "en_GB"
    [post] = emulator.requests_to("POST", "/customers/gb-1")
    assert "locale" not in post.json


def test_a_locale_outside_the_list_stays_selected_while_dr_cannot_be_read(
    agent, service, emulator
) -> None:
    emulator.add_customer(id="gb-2", email="old@example.com", locale="en_GB")
    data = {**form_values(agent.get("/customers/gb-2/edit").get_data(as_text=True))}
    refuse_connections(service.http, times=1000)

    response = agent.post("/customers/gb-2", data={**data, "email": "new@example.com"})

    assert response.status_code == 503
    assert form_values(response.get_data(as_text=True))["locale"] == "en_GB"


def test_a_locale_neither_listed_nor_stored_is_refused_at_the_locale_field(agent, emulator) -> None:
    emulator.add_customer(id="gb-3", email="old@example.com", locale="de_DE")
    data = {**form_values(agent.get("/customers/gb-3/edit").get_data(as_text=True))}

    response = agent.post("/customers/gb-3", data={**data, "locale": "xx_YY"})

    assert response.status_code == 422
    assert emulator.customer("gb-3")["locale"] == "de_DE"
    assert emulator.requests_to("POST", "/customers/gb-3") == []


# -- what DR changes by itself ---------------------------------------------------------------------


def _with_pending_vat(dr, emulator, customer_id: str) -> None:
    emulator.add_customer(id=customer_id, email="before@example.com")
    emulator.verify_later = True
    customer = dr.add_tax_identifier(customer_id, "de", "DE123456789")
    [identifier] = customer.tax_identifiers
    assert identifier.state == "pending"


def test_a_tax_identifier_dr_verifies_meanwhile_does_not_make_the_edit_form_stale(
    agent, dr, emulator
) -> None:
    _with_pending_vat(dr, emulator, "vat-1")
    data = {**form_values(agent.get("/customers/vat-1/edit").get_data(as_text=True))}
    before = emulator.customer("vat-1")
    assert len(emulator.finish_tax_verifications()) == 1
    after = emulator.customer("vat-1")
    assert after["taxIdentifiers"] != before["taxIdentifiers"]
    assert after.get("updatedTime") == before.get("updatedTime")

    response = agent.post("/customers/vat-1", data={**data, "email": "after@example.com"})

    assert response.status_code == 303, response.get_data(as_text=True)
    assert emulator.customer("vat-1")["email"] == "after@example.com"


def test_a_tax_identifier_dr_verifies_meanwhile_leaves_the_version_as_it_was(dr, emulator) -> None:
    _with_pending_vat(dr, emulator, "vat-2")
    shown = dr.get("vat-2")
    assert len(emulator.finish_tax_verifications()) == 1

    verified = dr.get("vat-2")

    assert verified.tax_identifiers[0].state == "verified"
    assert verified.version == shown.version
    updated = dr.update(
        "vat-2", CustomerUpdate(email="x@example.com"), expected_version=shown.version
    )
    assert updated.email == "x@example.com"
    assert updated.version != shown.version


def test_a_change_someone_else_made_to_what_the_form_edits_still_makes_it_stale(
    agent, dr, emulator
) -> None:
    _with_pending_vat(dr, emulator, "vat-3")
    data = {**form_values(agent.get("/customers/vat-3/edit").get_data(as_text=True))}
    dr.update("vat-3", CustomerUpdate(locale="fr_FR"))  # another console, or DR's own API

    response = agent.post("/customers/vat-3", data={**data, "email": "after@example.com"})

    assert response.status_code == 409
    assert emulator.customer("vat-3")["email"] == "before@example.com"


# -- metadata DR holds as JSON -----------------------------------------------------------------

JSON_METADATA = {"vip": True, "count": 5, "prefs": {"lang": "de"}, "note": "plain"}


def test_metadata_that_is_not_text_is_shown_as_json(agent, emulator) -> None:
    emulator.add_customer(id="js-1", email="js@example.com", metadata=JSON_METADATA)

    page = agent.get("/customers/js-1").get_data(as_text=True)

    assert "<dt>vip</dt><dd><code>true</code></dd>" in page
    assert "<dt>count</dt><dd><code>5</code></dd>" in page
    assert "<dt>prefs</dt><dd><code>{&#34;lang&#34;: &#34;de&#34;}</code></dd>" in page
    assert "<dt>note</dt><dd>plain</dd>" in page
    assert "True" not in page and "{&#39;lang&#39;" not in page
    assert "Values of “count”, “prefs”, “vip” are JSON on Digital River" in page
    edit_page = agent.get("/customers/js-1/edit").get_data(as_text=True)
    assert "Values of “count”, “prefs”, “vip” are JSON on Digital River" in edit_page
    edit = form_values(edit_page)
    shown = {edit[f"metadata-{i}-key"]: edit[f"metadata-{i}-value"] for i in range(4)}
    assert shown == {"count": "5", "note": "plain", "prefs": '{"lang": "de"}', "vip": "true"}


def test_json_metadata_is_edited_as_json_and_left_alone_when_unchanged(agent, emulator) -> None:
    emulator.add_customer(id="js-2", email="old@example.com", metadata=JSON_METADATA)
    data = form_values(agent.get("/customers/js-2/edit").get_data(as_text=True))
    index = {data[f"metadata-{i}-key"]: i for i in range(4)}

    unchanged = agent.post("/customers/js-2", data={**data, "email": "new@example.com"})

    assert unchanged.status_code == 303
    [first] = emulator.requests_to("POST", "/customers/js-2")
    assert "metadata" not in first.json
    assert emulator.customer("js-2")["metadata"] == JSON_METADATA

    data = form_values(agent.get("/customers/js-2/edit").get_data(as_text=True))
    prefs = f"metadata-{index['prefs']}-value"
    changed = agent.post("/customers/js-2", data={**data, prefs: '{"lang": "fr", "dark": true}'})

    assert changed.status_code == 303, changed.get_data(as_text=True)
    assert emulator.customer("js-2")["metadata"]["prefs"] == {"lang": "fr", "dark": True}
    assert emulator.customer("js-2")["metadata"]["vip"] is True


def test_json_metadata_that_is_no_longer_json_is_refused_next_to_the_metadata(
    agent, emulator
) -> None:
    emulator.add_customer(id="js-3", email="old@example.com", metadata=JSON_METADATA)
    data = form_values(agent.get("/customers/js-3/edit").get_data(as_text=True))
    index = {data[f"metadata-{i}-key"]: i for i in range(4)}
    typed = {**data, f"metadata-{index['vip']}-value": "yes please"}

    response = agent.post("/customers/js-3", data=typed)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The value of &#39;vip&#39; is JSON on Digital River: enter valid JSON" in body
    assert_kept(body, typed)
    assert emulator.requests_to("POST", "/customers/js-3") == []
    assert emulator.customer("js-3")["metadata"] == JSON_METADATA
