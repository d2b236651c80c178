"""Masking personal data (services/masking.py): the formats staff see, and properties that
hold for any value (hypothesis, a fixed example budget)."""

from __future__ import annotations

import datetime as dt

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.customers import (
    Address,
    Customer,
    CustomerSummary,
    Shipping,
    Source,
    TaxIdentifier,
)
from app.services.masking import (
    DOT,
    country_code_of,
    mask_code,
    mask_customer,
    mask_email,
    mask_phone,
    mask_summary,
    mask_words,
    masked_fields,
)

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_the_formats() -> None:
    assert mask_email("jane.doe@acme.com") == "j•••@acme.com"
    assert mask_phone("+44 20 7946 0123") == "+44 •••• ••0123"
    assert mask_phone("+442079460123") == "+44 •••• ••0123"
    assert mask_phone("+1 202 555 0147") == "+1 •••• ••0147"
    assert mask_words("12 Babbage Street") == "1• B•••••• S•••••"
    assert mask_code("DE123456789") == "DE•••••••89"
    assert mask_email(None) is None and mask_phone("") == ""


def test_a_masked_search_row_changes_its_personal_fields_and_keeps_every_other():
    from dataclasses import fields

    row = CustomerSummary(
        id="cus-1",
        created_time=NOW,
        email="jane.doe@acme.com",
        name="Jane Doe",
        organization="Acme",
        phone="+44 20 7946 0123",
        postal_code="N1 9GU",
        country="GB",
        type="business",
        locale="en_GB",
        enabled=False,
        request_to_be_forgotten=True,
        line1="12 Babbage Street",
        line2="Flat 2",
        city="London",
        state="Greater London",
    )
    masked = mask_summary(row)
    expected = {
        "email": "j•••@acme.com",
        "phone": "+44 •••• ••0123",
        "line1": "1• B•••••• S•••••",
        "line2": "F••• 2",
    }
    for f in fields(CustomerSummary):
        assert getattr(masked, f.name) == expected.get(f.name, getattr(row, f.name)), f.name


EXAMPLES = {
    region: number
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    if (number := phonenumbers.example_number(region)) is not None
}


@pytest.mark.parametrize("region", EXAMPLES)
def test_the_calling_code_kept_is_the_one_phonenumbers_reads(region: str) -> None:
    """Every region's example number, written internationally: the code kept before the dots
    is the one phonenumbers parses (read here from its table, without a parse per row)."""
    number = EXAMPLES[region]
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    parsed = phonenumbers.parse(written, None).country_code
    assert country_code_of("".join(ch for ch in written if ch.isdigit())) == str(parsed)
    assert mask_phone(written).startswith(f"+{parsed} ")  # type: ignore[union-attr]


def test_digits_that_begin_with_no_calling_code_keep_none() -> None:
    assert country_code_of("0123456789") == ""
    assert country_code_of("") == ""
    assert mask_phone("+0 1234 5678") == "•••• •5678"


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_an_email_keeps_its_domain_and_never_its_local_part(email: str) -> None:
    local, _, domain = email.rpartition("@")
    masked = mask_email(email)

    assert masked.endswith("@" + domain)
    assert masked.startswith(local[0])
    if len(local) > 1:
        assert local not in masked.removesuffix("@" + domain)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 -", min_size=5, max_size=20))
def test_a_phone_shows_at_most_its_last_four_digits(phone: str) -> None:
    digits = "".join(c for c in phone if c.isdigit())
    masked = mask_phone(phone)

    shown = "".join(c for c in masked if c.isdigit())
    assert shown == (digits[-4:] if len(digits) > 4 else "")
    assert masked.count(DOT) == max(len(digits) - 4, 0) or len(digits) <= 4


def test_a_customer_is_masked_where_it_identifies_and_kept_elsewhere() -> None:
    customer = Customer(
        id="cus-1",
        created_time=NOW,
        email="ada@example.org",
        shipping=Shipping(
            name="Ada Lovelace",
            phone="+44 20 7946 0958",
            email="ship@example.org",
            organization="Engines Ltd",
            address=Address(line1="12 Babbage Street", city="London", postal_code="NW1 6XE"),
        ),
        sources=(
            Source(
                id="src-1",
                type="creditCard",
                state="chargeable",
                reusable=True,
                created_time=NOW,
                brand="Visa",
                last_four="1111",
                owner_name="Augusta King",
                owner_email="augusta@example.org",
            ),
        ),
        tax_identifiers=(TaxIdentifier("tax-1", "de", "DE123456789", "verified", NOW),),
    )

    masked = mask_customer(customer)

    assert masked.email == "a•••@example.org"
    assert masked.shipping.phone == "+44 •••• ••0958"
    assert masked.shipping.email == "s•••@example.org"
    assert masked.shipping.address.line1 == "1• B•••••• S•••••"
    assert masked.sources[0].owner_name == "A•••••• K•••"
    assert masked.sources[0].owner_email == "a•••@example.org"
    assert masked.tax_identifiers[0].value == "DE•••••••89"
    kept = (masked.shipping.name, masked.shipping.organization, masked.shipping.address.city)
    assert kept == ("Ada Lovelace", "Engines Ltd", "London")
    assert masked.sources[0].last_four == "1111"
    assert masked_fields(customer) == (
        "email",
        "shipping.email",
        "shipping.phone",
        "shipping.address.line1",
        "taxIdentifiers.de",
        "sources.src-1.owner",
    )
