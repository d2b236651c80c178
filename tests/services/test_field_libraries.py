"""Countries, subdivisions and phone numbers come from pycountry and phonenumbers."""

from __future__ import annotations

import pytest

from app.services import geography, phones
from app.services.customers import US_STATES


def test_every_iso_country_is_offered_with_its_name_and_no_other() -> None:
    offered = dict(geography.countries())
    assert len(offered) == 249
    assert offered["GB"] == "United Kingdom"
    assert offered["DE"] == "Germany"
    assert "ZZ" not in offered and "UK" not in offered
    names = [name for _, name in geography.countries()]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("code", "known"), [("US", True), ("GB", True), ("ZZ", False), ("", False)]
)
def test_is_country(code: str, known: bool) -> None:
    assert geography.is_country(code) is known


def test_a_state_select_is_offered_where_addresses_name_a_state() -> None:
    us = dict(geography.subdivisions("US"))
    assert us["VA"] == "Virginia" and us["DC"] == "District of Columbia"
    assert dict(geography.subdivisions("CA"))["QC"] == "Quebec"
    assert dict(geography.subdivisions("BR"))["SP"] == "São Paulo"
    assert geography.subdivisions("GB") == ()
    assert geography.subdivisions("ZZ") == ()


def test_the_tax_authorities_are_the_us_states_dc_and_territories() -> None:
    assert len(US_STATES) == 56
    assert {"VA", "DC", "PR", "GU"} <= set(US_STATES)
    assert "UM" not in US_STATES


@pytest.mark.parametrize(
    ("phone", "country", "forms"),
    [
        ("07700 900123", "GB", ("07700900123", "447700900123")),
        ("+44 7700 900123", "GB", ("447700900123", "07700900123")),
        ("+1 (202) 555-0143", "US", ("12025550143",)),
        ("030 1234567", None, ("0301234567",)),
        ("call me", "US", ()),
    ],
)
def test_phone_search_forms(phone, country, forms) -> None:
    assert phones.search_forms(phone, country) == forms


def test_a_phone_that_is_not_valid_for_the_country_gets_a_warning_not_a_refusal() -> None:
    assert phones.warning("(202) 555-0143", "US") is None
    assert "not a valid phone number for United States" in phones.warning("+1 555 010 9876", "US")
    assert "does not look like a phone number for Germany" in phones.warning("call me", "DE")
    assert phones.warning("+1 555 010 9876", None) is None
    assert phones.warning("1" * 5000, "US") is not None
