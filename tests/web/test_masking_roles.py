"""Which roles see personal data in full is a setting (UNMASKED_ROLES): here agents see it
masked too, fraud officers in full."""

from __future__ import annotations

import pytest

from app.services.customers import NewCustomer

CID = "cus-mask-roles"
EMAIL = "grace.hopper@example.com"


@pytest.fixture
def customer(service):
    return service.create(NewCustomer(id=CID, email=EMAIL))


@pytest.fixture
def extra_config() -> dict[str, object]:
    return {"FORGET_FOUR_EYES": False, "UNMASKED_ROLES": ["fraud", "privacy"]}


def test_which_roles_see_the_values_is_configurable(client_as, customer) -> None:
    body = client_as("agent").get(f"/customers/{CID}").get_data(as_text=True)

    assert EMAIL not in body and "masked-banner" in body
    assert EMAIL in client_as("fraud").get(f"/customers/{CID}").get_data(as_text=True)
