"""A payment source's readable name, the one the page, the messages and the audit trail use."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.customers import Source, source_type_name

CREATED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        (
            {"brand": "Visa", "last_four": "2930", "expiration_month": 4, "expiration_year": 2030},
            "Visa •••• 2930 · 04/30",
        ),
        ({"brand": "Mastercard", "last_four": "0653"}, "Mastercard •••• 0653"),
        ({"brand": "Visa"}, "Visa"),
        ({"type": "wireTransfer"}, "Wire transfer"),
        ({"type": "payPalBilling"}, "PayPal billing"),
        ({"type": "klarnaCredit"}, "Klarna credit"),
        ({"type": "creditCard", "last_four": "1111"}, "Card •••• 1111"),
        ({"type": "creditCard", "expiration_month": 12}, "Card"),
    ],
)
def test_a_source_is_named_by_brand_last_four_and_expiry_or_by_its_type(fields, name) -> None:
    values = {"id": "src-1", "type": "creditCard", "state": "chargeable", "reusable": True}
    source = Source(created_time=CREATED, **{**values, **fields})

    assert source.display_name == name


def test_an_empty_type_still_gets_a_name() -> None:
    assert source_type_name("") == "Payment source"
