"""Inputs no page renders never cause a 500: each answers 4xx with a message where it belongs,
and changes nothing. Values longer than the store keeps (PostgreSQL refused them with a
500). Each case once failed; they run on the engine of the test run."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import String
from sqlalchemy.orm import InstrumentedAttribute

from app.admin.forms import NewStaffForm
from app.auth.forms import SignInForm
from app.customers.customer_form import PARAMETER_FIELDS, CustomerForm
from app.customers.section_forms import (
    AttachSourceForm,
    TaxCertificateForm,
    TaxIdentifierForm,
)
from app.privacy.forms import ForgetForm
from app.services.customers import (
    SHIPPING_MAX_LENGTHS,
    SearchQuery,
)
from app.services.local.models import (
    CustomerRow,
    ForgetRequestRow,
    SourceRow,
    StaffRow,
    TaxCertificateRow,
    TaxIdentifierRow,
)
from tests.conftest import csrf_token

from .conftest import html
from .dom import field_error, form_values
from .inline_helpers import source


@pytest.fixture
def customer(make_customer, insert_rows, service):
    """cus-1 with metadata, an attached source and a tax identifier."""
    make_customer(id="cus-1", email="one@example.com", metadata={"tier": "gold"})
    insert_rows(source("src-visa", "cus-1"))
    return service.add_tax_identifier("cus-1", "de", "DE123456789")


def edit_values(client, customer_id: str = "cus-1") -> dict[str, str]:
    page = html(client.get(f"/customers/{customer_id}/edit"))
    return form_values(page.find("form", action=f"/customers/{customer_id}"))


# -- values longer than the store keeps -------------------------------------------------------

SHIPPING_FIELDS = {PARAMETER_FIELDS[p]: limit for p, limit in SHIPPING_MAX_LENGTHS.items()}


@pytest.mark.parametrize(("field", "limit"), SHIPPING_FIELDS.items())
def test_an_edit_with_a_shipping_value_longer_than_the_store_keeps_is_refused_at_the_field(
    agent, service, customer, field, limit
) -> None:
    before = service.get("cus-1")
    values = {**edit_values(agent), "country": "DE", field: "x" * (limit + 1)}

    response = agent.post("/customers/cus-1", data=values)

    assert response.status_code == 422
    expected = f"At most {limit} characters (this one has {limit + 1})."
    assert field_error(html(response), field) == expected
    assert service.get("cus-1") == before


@pytest.mark.parametrize(("field", "limit"), SHIPPING_FIELDS.items())
def test_a_shipping_value_as_long_as_the_store_keeps_is_saved(
    agent, service, customer, field, limit
) -> None:
    values = {**edit_values(agent), "country": "DE", field: "x" * limit}

    response = agent.post("/customers/cus-1", data=values)

    assert response.status_code == 303
    assert "x" * limit in html(agent.get("/customers/cus-1")).by_id("customer").text


@pytest.mark.parametrize(
    ("field", "length"),
    [("ship_organization", 300), ("ship_name", 300), ("ship_phone", 65), ("state", 65),
     ("postal_code", 33)],
)  # fmt: skip
def test_creating_with_a_value_longer_than_the_store_keeps_is_refused_at_the_field(
    agent, service, field, length
) -> None:
    data = {"csrf_token": csrf_token(agent, "/new-customer"), "country": "DE"}

    response = agent.post("/customers", data={**data, field: "x" * length})

    assert response.status_code == 422
    assert "At most" in field_error(html(response), field)
    assert service.search(SearchQuery()).items == ()


def length_of(column: InstrumentedAttribute) -> int:
    kind = column.property.columns[0].type
    assert isinstance(kind, String)
    return kind.length


def form_limit(form: Any, name: str) -> int:
    [limit] = [v.max for v in getattr(form, name).validators if hasattr(v, "max")]
    return limit


SHIPPING_COLUMNS = {
    "ship_name": CustomerRow.ship_name,
    "ship_phone": CustomerRow.ship_phone,
    "ship_organization": CustomerRow.ship_organization,
    "line1": CustomerRow.addr_line1,
    "line2": CustomerRow.addr_line2,
    "city": CustomerRow.addr_city,
    "postal_code": CustomerRow.addr_postal_code,
    "state": CustomerRow.addr_state,
    "neighborhood": CustomerRow.addr_neighborhood,
    "division": CustomerRow.addr_division,
    "phonetic_name": CustomerRow.addr_phonetic_name,
}


def test_every_text_field_of_every_form_is_as_long_as_its_column_at_most(app) -> None:
    with app.test_request_context():
        customer_form = CustomerForm(formdata=None, creating=False)
        pairs = [
            (form_limit(customer_form, field), length_of(column))
            for field, column in SHIPPING_COLUMNS.items()
        ]
        assert sorted(SHIPPING_COLUMNS) == sorted(SHIPPING_FIELDS)
        assert all(SHIPPING_FIELDS[f] == length_of(c) for f, c in SHIPPING_COLUMNS.items())
        pairs += [
            (form_limit(AttachSourceForm(formdata=None), "source_id"), length_of(SourceRow.id)),
            (
                form_limit(TaxIdentifierForm(formdata=None), "value"),
                length_of(TaxIdentifierRow.value),
            ),
            (
                form_limit(TaxCertificateForm(formdata=None), "company_name"),
                length_of(TaxCertificateRow.company_name),
            ),
            (form_limit(ForgetForm(formdata=None), "reason"), length_of(ForgetRequestRow.reason)),
            (
                form_limit(NewStaffForm(formdata=None), "display_name"),
                length_of(StaffRow.display_name),
            ),
        ]
        assert [(form, column) for form, column in pairs if form != column] == []
        # A username is stored as typed; the sign-in form takes no longer one.
        assert form_limit(NewStaffForm(formdata=None), "username") <= length_of(StaffRow.username)
        assert form_limit(SignInForm(formdata=None), "username") <= length_of(StaffRow.username)
