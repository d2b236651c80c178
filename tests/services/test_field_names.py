import datetime as dt

import pytest

from app.services.audit import customer_fields
from app.services.customers import (
    AdditionalAddressInfo,
    Address,
    Customer,
    Shipping,
    Source,
    TaxCertificate,
    TaxIdentifier,
)
from app.services.field_names import label, labels


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("shipping.address.city", "City"),
        ("shipping.address.postalCode", "Postal code"),
        ("email", "Email"),
        ("metadata.crmId", "Metadata “crmId”"),
        ("sources.0f3a-uuid", "Payment source"),
        ("taxIdentifiers.de", "Tax ID (de)"),
        ("taxCertificates.0", "Tax certificate 1"),
        ("somethingElse", "somethingElse"),
        ("metadata.", "metadata."),
    ],
)
def test_label(path, expected):
    assert label(path) == expected


def _full_customer() -> Customer:
    when = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    return Customer(
        id="cus_1",
        created_time=when,
        email="a@example.com",
        shipping=Shipping(
            name="Ann",
            phone="+44 20 7946 0000",
            email="s@example.com",
            organization="Acme",
            address=Address("1 High St", "Flat 2", "Leeds", "LS1 1AA", "WYK", "GB"),
            additional_address_info=AdditionalAddressInfo("Centre", "North", "An"),
        ),
        type="business",
        locale="en_GB",
        default_source_id="src",
        sources=(Source("src", "creditCard", "chargeable", True, when, "Visa", "4242"),),
        tax_identifiers=(TaxIdentifier("t1", "uk", "GB123", "verified", when),),
        tax_certificates=(TaxCertificate("Acme", "NY", when, when, "file"),),
        metadata={"crmId": "CRM-1"},
    )


def test_every_flattened_field_has_a_human_name():
    paths = customer_fields(_full_customer())
    assert len(paths) == 23
    for path in paths:
        assert label(path) != path, path
        assert "shipping." not in label(path) and "SourceId" not in label(path), path


def test_labels_keep_order_and_drop_repeats():
    assert labels(["sources.a", "email", "sources.b"]) == ["Payment source", "Email"]
