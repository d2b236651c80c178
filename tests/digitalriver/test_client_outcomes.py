"""The DR client on values DR holds that the console would not write, and on writes whose
outcome DR leaves unclear (the web layer's side is tests/digitalriver/test_web_outcomes.py)."""

from __future__ import annotations

import pytest

from app.services.customers import CustomerUpdate, NewCustomer
from app.services.errors import BackendUnavailable, InvalidParameter


def test_an_update_leaves_out_a_locale_outside_the_consoles_list_that_it_does_not_change(
    dr, emulator
) -> None:
    emulator.add_customer(id="gb-1", email="old@example.com", locale="en_GB")

    updated = dr.update(
        "gb-1", CustomerUpdate(email="new@example.com", locale="en_GB"), expected_version=None
    )

    [post] = emulator.requests_to("POST", "/customers/gb-1")
    assert post.json == {"email": "new@example.com"}
    assert (updated.email, updated.locale) == ("new@example.com", "en_GB")


def test_metadata_dr_holds_as_json_reads_as_json_text_and_goes_back_as_json(dr, emulator) -> None:
    emulator.add_customer(id="js-1", metadata={"vip": True, "prefs": {"lang": "de"}, "n": "x"})

    customer = dr.get("js-1")

    assert dict(customer.metadata) == {"vip": "true", "prefs": '{"lang": "de"}', "n": "x"}
    assert customer.metadata_json == {"vip", "prefs"}
    dr.update("js-1", CustomerUpdate(metadata={**customer.metadata, "prefs": '{"lang": "fr"}'}))
    [post] = emulator.requests_to("POST", "/customers/js-1")
    assert post.json == {"metadata": {"prefs": {"lang": "fr"}}}
    assert emulator.customer("js-1")["metadata"] == {
        "vip": True,
        "prefs": {"lang": "fr"},
        "n": "x",
    }


def test_json_metadata_changed_to_text_that_is_not_json_is_refused_before_sending(
    dr, emulator
) -> None:
    emulator.add_customer(id="js-2", metadata={"vip": True})

    with pytest.raises(InvalidParameter) as refused:
        dr.update("js-2", CustomerUpdate(metadata={"vip": "yes"}))

    assert [(e.code, e.parameter) for e in refused.value.errors] == [
        ("invalid_metadata_value", "metadata")
    ]
    assert emulator.requests_to("POST") == []


@pytest.mark.parametrize("kind", ["503-applied", "slow-applied", "refused"])
def test_an_unclear_create_says_a_repeat_is_safe_and_a_refused_one_that_nothing_changed(
    make_service, emulator, refuse, kind
) -> None:
    dr = make_service(retries=0)
    if kind == "503-applied":
        emulator.fail_next(503, method="POST", applied=True)
    elif kind == "slow-applied":
        emulator.slow_next(1.5, method="POST", applied=True)
    else:
        refuse(dr.http, times=1, method="POST")

    with pytest.raises(BackendUnavailable) as caught:
        dr.create(NewCustomer(id="acc-f-typed", email="a@example.com"))

    assert caught.value.uncertain is (kind != "refused")
    if kind == "refused":
        assert "Nothing was changed" in caught.value.message
    else:
        assert "pressing Create again is safe" in caught.value.message
        assert "reload the customer" not in caught.value.message


def test_a_source_reads_with_its_owner_currency_and_flow(dr, emulator) -> None:
    owner = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada.owner@example.com",
        "address": {"line1": "12 St James's Sq", "city": "London", "country": "GB"},
    }
    emulator.add_customer(id="src-1", email="ada@example.com")
    source_id = emulator.add_source(owner=owner, currency="EUR", flow="redirect")["id"]
    dr.attach_source("src-1", source_id)

    [source] = dr.get("src-1").sources

    assert (source.owner_name, source.owner_email) == ("Ada Lovelace", "ada.owner@example.com")
    assert (source.currency, source.flow) == ("EUR", "redirect")
