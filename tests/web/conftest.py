"""Fixtures and helpers for the test-client tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.services.customers import (
    AdditionalAddressInfo,
    Address,
    Customer,
    NewCustomer,
    Shipping,
)
from app.services.local.models import CustomerRow

from .dom import Element, parse

HX = {"HX-Request": "true"}


def html(response: Any) -> Element:
    """The response body as a tree, insisting it is well formed."""
    document = parse(response.get_data(as_text=True))
    assert not document.problems, document.problems
    return document


def login_target(location: str | None) -> str | None:
    """The ``next`` of a redirect to the sign-in page (asserting it is one)."""
    assert location is not None
    parts = urlsplit(location)
    assert parts.path == "/login", location
    assert not parts.netloc, location
    values = parse_qs(parts.query).get("next")
    return values[0] if values else None


def token_of(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token exactly as <body hx-headers> renders it for this session."""
    body = html(client.get(path)).find("body")
    headers = json.loads(body.get("hx-headers") or "{}")
    assert headers.get("X-CSRFToken"), "no X-CSRFToken in <body hx-headers>"
    return headers["X-CSRFToken"]


def full_shipping(**changes: Any) -> Shipping:
    values: dict[str, Any] = {
        "name": "Grace Hopper",
        "phone": "+1 (555) 010-9876",
        "email": "grace.ship@example.net",
        "organization": "Navy Computing Lab",
        "address": Address(
            line1="1 Harbor Way",
            line2="Suite 9",
            city="Arlington",
            postal_code="22201",
            state="VA",
            country="US",
        ),
        "additional_address_info": AdditionalAddressInfo(
            neighborhood="Colonia Roma", division="Division Nine", phonetic_name="Gureisu"
        ),
    }
    values.update(changes)
    return Shipping(**values)


@pytest.fixture
def make_customer(service) -> Callable[..., Customer]:
    """Create a customer through the service; keyword arguments are NewCustomer's."""

    def make(**fields: Any) -> Customer:
        return service.create(NewCustomer(**fields))

    return make


@pytest.fixture
def set_columns(app: Flask) -> Callable[..., None]:
    """Write columns of a customer row directly (state the service cannot set)."""

    def write(customer_id: str, **values: Any) -> None:
        engine = app.extensions["customer_desk"].engine
        with engine.begin() as connection:
            result = connection.execute(
                update(CustomerRow).where(CustomerRow.id == customer_id).values(**values)
            )
            assert result.rowcount == 1

    return write


@pytest.fixture
def insert_rows(app: Flask) -> Callable[..., None]:
    """Insert ORM rows (sources, tax identifiers, certificates) into the app's database."""

    def insert(*rows: Any) -> None:
        with Session(app.extensions["customer_desk"].engine) as session:
            session.add_all(rows)
            session.commit()

    return insert


@pytest.fixture
def agent(client_as) -> FlaskClient:
    return client_as("agent")


@pytest.fixture
def viewer(client_as) -> FlaskClient:
    return client_as("viewer")


def naive(year: int, month: int, day: int, *rest: int) -> dt.datetime:
    """A stored (naive UTC) timestamp."""
    return dt.datetime(year, month, day, *rest)
