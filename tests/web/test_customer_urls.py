"""customer_url gives exactly what url_for gives, for any id."""

from __future__ import annotations

import pytest
from flask import url_for

from app.web.urls import customer_url

IDS = ["cus-1", "a b", "ä/ö", "x?y#z", "100%", "semi;colon", "'quote'", "+plus+", "@at"]


@pytest.mark.parametrize("customer_id", IDS)
@pytest.mark.parametrize("endpoint", ["customers.show", "customers.confirm_toggle"])
def test_customer_url_is_url_for(app, customer_id, endpoint) -> None:
    with app.test_request_context("/"):
        assert customer_url(customer_id, endpoint) == url_for(endpoint, customer_id=customer_id)
        assert customer_url(customer_id, endpoint, anchor=f"enabled-{customer_id}") == url_for(
            endpoint, customer_id=customer_id, _anchor=f"enabled-{customer_id}"
        )


def test_customer_url_follows_the_script_root(app) -> None:
    with app.test_request_context("/", base_url="http://localhost/desk"):
        assert (
            customer_url("cus-1")
            == "/desk/customers/cus-1"
            == url_for("customers.show", customer_id="cus-1")
        )
