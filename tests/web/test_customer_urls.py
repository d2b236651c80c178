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


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        ("customers.index", {}),
        ("auth.logout", {}),
        ("static", {"filename": "app.css"}),
        ("static", {"filename": "no-such-file.txt"}),
        ("customers.show", {"customer_id": "cus-1"}),
        ("customers.index", {"q": "a b", "_anchor": "results"}),
    ],
)
@pytest.mark.parametrize("root", ["http://localhost/", "http://localhost/desk"])
def test_the_templates_url_for_is_url_for_asked_twice(app, endpoint, values, root) -> None:
    template_url_for = app.jinja_env.globals["url_for"]
    with app.test_request_context("/", base_url=root):
        expected = url_for(endpoint, **values)
        assert template_url_for(endpoint, **values) == expected
        assert template_url_for(endpoint, **values) == expected


def test_the_templates_url_for_remembers_a_url_per_script_root(app) -> None:
    template_url_for = app.jinja_env.globals["url_for"]
    with app.test_request_context("/"):
        assert template_url_for("customers.index") == "/"
    with app.test_request_context("/", base_url="http://localhost/desk"):
        assert template_url_for("customers.index") == "/desk/"
