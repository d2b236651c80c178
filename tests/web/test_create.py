"""Creating a customer: redirects, htmx, and every validation error next to its field."""

from __future__ import annotations

import re

import pytest

from app.services.customers import SearchQuery
from app.services.errors import CustomerNotFound

from .conftest import HX, html
from .dom import field_error, form_values, fragment_root

TYPED = {
    "id": "cus-new-1",
    "email": "ada@example.com",
    "type": "business",
    "locale": "en_US",
    "ship_name": "Ada Lovelace",
    "ship_phone": "+44 20 7946 0000",
    "ship_email": "ada.ship@example.com",
    "ship_organization": "Analytical Engines Ltd",
    "line1": "12 St James's Square",
    "line2": "Floor 2",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "state": "Greater London",
    "country": "GB",
    "neighborhood": "St James's",
    "division": "Westminster",
    "phonetic_name": "Eida",
    "metadata-0-key": "tier",
    "metadata-0-value": "gold",
    "metadata-1-key": "crm-id",
    "metadata-1-value": "A-77",
    "metadata-2-key": "",
    "metadata-2-value": "",
}


def new_form(client) -> dict[str, str]:
    """What the new-customer form submits untouched (token and reserved id included)."""
    response = client.get("/new-customer")
    assert response.status_code == 200
    return form_values(html(response).find("form", action="/customers"))


def post_new(client, headers: dict[str, str] | None = None, **changes: str):
    data = {**new_form(client), **changes}
    return client.post("/customers", data=data, headers=headers or {})


def customer_count(service) -> int:
    return len(service.search(SearchQuery(limit=100)).items)


def test_the_new_customer_form_offers_every_field_and_three_blank_metadata_rows(agent) -> None:
    values = new_form(agent)

    assert set(TYPED) | {"csrf_token", "version", "draft_id"} == set(values)
    assert re.fullmatch(r"cd_[a-z2-7]{16}", values["draft_id"])


def test_creating_a_customer_redirects_303_to_its_page_which_shows_the_values(
    agent, service
) -> None:
    response = post_new(agent, **TYPED)

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-new-1"
    page = html(agent.get(response.headers["Location"]))
    assert "Customer cus-new-1 created." in page.by_id("flash").text
    shown = page.by_id("customer").text
    for name, value in TYPED.items():
        if name not in ("id", "metadata-2-key", "metadata-2-value"):
            assert value in shown, name
    customer = service.get("cus-new-1")
    assert customer.shipping.additional_address_info.phonetic_name == "Eida"
    assert dict(customer.metadata) == {"tier": "gold", "crm-id": "A-77"}


def test_an_htmx_create_answers_204_telling_htmx_to_load_the_new_page(agent, service) -> None:
    response = post_new(agent, HX, **TYPED)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert response.headers["HX-Redirect"] == "/customers/cus-new-1"
    assert service.get("cus-new-1").email == "ada@example.com"


def test_an_empty_form_creates_a_customer_with_the_reserved_generated_id(agent, service) -> None:
    blank = new_form(agent)

    response = agent.post("/customers", data=blank)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/customers/{blank['draft_id']}"
    customer = service.get(blank["draft_id"])
    assert customer.email is None
    assert customer.shipping.is_empty()
    assert dict(customer.metadata) == {}


def test_an_empty_form_without_a_reserved_id_still_gets_a_generated_id(agent, service) -> None:
    blank = {k: v for k, v in new_form(agent).items() if k != "draft_id"}

    response = agent.post("/customers", data=blank)

    customer_id = response.headers["Location"].removeprefix("/customers/")
    assert response.status_code == 303
    assert re.fullmatch(r"cd_[a-z2-7]{16}", customer_id)
    assert service.get(customer_id).id == customer_id


def test_submitting_the_same_form_twice_creates_one_customer(agent, service) -> None:
    blank = new_form(agent)
    first = agent.post("/customers", data={**blank, "email": "once@example.com"})

    again = agent.post("/customers", data={**blank, "email": "once@example.com"})

    assert first.status_code == 303
    assert again.status_code == 422
    assert f"/customers/{blank['draft_id']}" in again.get_data(as_text=True)
    assert customer_count(service) == 1


def test_the_id_is_trimmed_and_the_country_upper_cased(agent, service) -> None:
    response = post_new(agent, id="  cus-trim  ", line1="1 Main St", country=" us ")

    assert response.headers["Location"] == "/customers/cus-trim"
    assert service.get("cus-trim").shipping.address.country == "US"


FIELD_ERRORS = [
    ("id", {"id": "x" * 41}, "at most 40 characters (this one has 41)"),
    ("id", {"id": "has space"}, "cannot contain spaces"),
    ("id", {"id": "a/b"}, "cannot contain spaces, '/'"),
    ("email", {"email": "not-an-email"}, "Enter an email address like name@example.com."),
    ("ship_email", {"ship_email": "ship@"}, "Enter an email address like name@example.com."),
    ("country", {"country": ""}, "Country is required when an address is given."),
    ("country", {"country": "GBR"}, "two-letter ISO 3166-1 code"),
    ("type", {"type": "robot"}, "Not a valid choice."),
    ("locale", {"locale": "en_GB"}, "Not a valid choice."),
    ("metadata-0-key", {"metadata-0-key": "k" * 41}, "cannot be longer than 40 characters"),
    ("metadata-1-value", {"metadata-1-value": "v" * 501}, "cannot be longer than 500 characters"),
    (
        "metadata-2-key",
        {"metadata-2-value": "orphan"},
        "Give this value a key, or clear the value to remove the row.",
    ),
    ("metadata-2-key", {"metadata-2-key": "tier", "metadata-2-value": "x"}, "appears twice"),
]


@pytest.mark.parametrize(
    ("field", "changes", "message"), FIELD_ERRORS, ids=[f"{f}-{m[:24]}" for f, _, m in FIELD_ERRORS]
)
def test_a_bad_value_is_refused_with_422_and_the_error_next_to_its_field(
    agent, service, field, changes, message
) -> None:
    posted = {**TYPED, **changes}

    response = post_new(agent, **posted)
    page = html(response)

    assert response.status_code == 422
    assert message in field_error(page, field)
    assert page.by_id(field).get("aria-invalid") == "true"
    assert "The customer was not saved." in page.by_id("customer-form").text
    others = {name: error for name in TYPED if name != field if (error := field_error(page, name))}
    assert others == {}
    assert customer_count(service) == 0


# A select cannot show a value that is not one of its options; a browser never sends one.
TYPED_ERRORS = [case for case in FIELD_ERRORS if case[0] not in ("type", "locale")]


@pytest.mark.parametrize(
    ("field", "changes", "message"), TYPED_ERRORS, ids=[f"{f}-{m[:24]}" for f, _, m in TYPED_ERRORS]
)
def test_a_refused_form_keeps_every_typed_value(agent, field, changes, message) -> None:
    posted = {**TYPED, **changes}

    page = html(post_new(agent, **posted))
    shown = form_values(page.find("form", action="/customers"))

    assert {name: shown[name] for name in posted} == posted


def test_a_refused_htmx_post_gets_the_form_fragment_with_the_errors(agent, service) -> None:
    response = post_new(agent, HX, **{**TYPED, "id": "x" * 41})

    root = fragment_root(response.get_data(as_text=True))
    assert response.status_code == 422
    assert root.id == "customer-form"
    assert "at most 40 characters" in field_error(root, "id")
    assert form_values(root.find("form"))["email"] == TYPED["email"]


def test_an_id_that_already_exists_is_refused_on_the_id_field(
    agent, service, make_customer
) -> None:
    make_customer(id="cus-new-1", email="first@example.com")

    response = post_new(agent, **TYPED)

    assert response.status_code == 422
    assert field_error(html(response), "id") == "Customer 'cus-new-1' already exists."
    assert service.get("cus-new-1").email == "first@example.com"
    assert customer_count(service) == 1


def metadata_rows(count: int) -> dict[str, str]:
    rows: dict[str, str] = {}
    for i in range(count):
        rows[f"metadata-{i}-key"] = f"key{i:02d}"
        rows[f"metadata-{i}-value"] = f"value {i}"
    return rows


def test_twenty_one_metadata_keys_are_refused_with_a_metadata_error(agent, service) -> None:
    response = post_new(agent, id="cus-meta", **metadata_rows(21))

    page = html(response)
    assert response.status_code == 422
    assert page.by_id("metadata-error").text == "At most 20 metadata keys."
    shown = form_values(page.find("form", action="/customers"))
    assert {k: v for k, v in shown.items() if k.startswith("metadata-")} == metadata_rows(21)
    with pytest.raises(CustomerNotFound):
        service.get("cus-meta")


def test_twenty_metadata_keys_are_accepted(agent, service) -> None:
    response = post_new(agent, id="cus-meta", **metadata_rows(20))

    assert response.status_code == 303
    assert len(service.get("cus-meta").metadata) == 20


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        ({"metadata-0-key": "k" * 40, "metadata-0-value": "v" * 500}, {"k" * 40: "v" * 500}),
        ({"metadata-0-key": "  padded  ", "metadata-0-value": "x"}, {"padded": "x"}),
        ({"metadata-0-key": "no-value", "metadata-0-value": ""}, {}),
    ],
    ids=["longest", "trimmed-key", "empty-value-dropped"],
)
def test_metadata_at_the_limits_is_stored(agent, service, changes, stored) -> None:
    response = post_new(agent, id="cus-meta", **changes)

    assert response.status_code == 303
    assert dict(service.get("cus-meta").metadata) == stored
