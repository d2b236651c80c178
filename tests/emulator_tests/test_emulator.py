"""The DR emulator keeps DR's rules, answers in DR's shapes and injects faults on demand.

Driven over real HTTP with plain httpx, the way the client backend will talk to it."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest

from tests.emulator.app import DigitalRiverEmulator
from tests.emulator.schema import validate_request, validate_response
from tests.emulator.server import EmulatorServer

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# The example request and response of DR's "Creating and updating customers" page
# (shared/seed/creating-and-updating-customers.txt), copied as data.
SEED_REQUEST = {
    "id": "5823594806",
    "email": "jsmith@digitalriver.com",
    "shipping": {
        "address": {
            "line1": "10380 Bren Rd W",
            "line2": "string",
            "city": "Minnetonka",
            "postalCode": "55129",
            "state": "MN",
            "country": "US",
        },
        "name": "John Smith",
        "phone": "952-111-1111",
        "email": "jsmith@digitalriver.com",
        "organization": "Digital River",
    },
    "type": "individual",
    "metadata": {"coupon": "iOS"},
    "locale": "en_US",
    "enabled": True,
}
SEED_RESPONSE = {
    "id": "5823594809",
    "createdTime": "2020-05-06T22:28:01Z",
    "email": "jsmith@digitalriver.com",
    "shipping": {
        "address": {
            "line1": "10380 Bren Rd W",
            "city": "Minnetonka",
            "postalCode": "55129",
            "state": "MN",
            "country": "US",
        },
        "phone": "952-111-1111",
        "email": "jsmith@digitalriver.com",
    },
    "enabled": True,
    "requestToBeForgotten": False,
    "locale": "en_US",
    "type": "individual",
    "liveMode": False,
}

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The single DR error of a response."""
    body = response.json()
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


def codes_of(response: httpx.Response) -> set[tuple[str, str | None]]:
    return {(e.get("code"), e.get("parameter")) for e in response.json()["errors"]}


def create(dr: httpx.Client, **body: Any) -> dict[str, Any]:
    response = dr.post("/customers", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def app(dr_emulator: EmulatorServer) -> DigitalRiverEmulator:
    return dr_emulator.app


@pytest.fixture
def frozen(app: DigitalRiverEmulator) -> DigitalRiverEmulator:
    app.freeze_time("2024-03-01T10:00:00Z")
    return app


# --------------------------------------------------------------------------- auth, headers


def test_requests_without_a_valid_secret_key_get_drs_401(dr_emulator, dr_api_key):
    url = f"{dr_emulator.base_url}/customers"
    for headers in (
        {},
        {"Authorization": "Bearer sk_test_not_a_key_of_this_account"},
        {"Authorization": "Bearer pk_test_0123456789"},
        {"Authorization": dr_api_key},
    ):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "type": "unauthorized",
            "errors": [{"message": "An authorization error has occurred."}],
        }
        assert response.headers["x-dr-requestid"]
    assert dr_emulator.app.customer_count() == 0


def test_basic_auth_with_the_key_as_user_is_accepted(dr_emulator, dr_api_key):
    token = base64.b64encode(f"{dr_api_key}:".encode()).decode()
    response = httpx.get(
        f"{dr_emulator.base_url}/customers", headers={"Authorization": f"Basic {token}"}
    )
    assert response.status_code == 200


def test_every_response_carries_its_own_request_id(dr):
    ids = {dr.get("/customers").headers["x-dr-requestid"] for _ in range(3)}
    ids.add(dr.get("/customers/missing").headers["x-dr-requestid"])
    assert len(ids) == 4


def test_live_and_test_keys_use_separate_stores(dr, dr_emulator, dr_live_api_key):
    live = httpx.Client(
        base_url=dr_emulator.base_url, headers={"Authorization": f"Bearer {dr_live_api_key}"}
    )
    with live:
        created = live.post("/customers", json={"id": "both"})
        assert created.status_code == 201
        assert created.json()["liveMode"] is True
        assert dr.get("/customers/both").status_code == 404
        test_mode = create(dr, id="both")
        assert test_mode["liveMode"] is False
        assert live.get("/customers").json()["data"][0]["liveMode"] is True
    assert dr_emulator.app.customer_count(live=True) == 1
    assert dr_emulator.app.customer_count(live=False) == 1


# --------------------------------------------------------------------------- create


def test_the_seed_documents_example_request_creates_the_seed_documents_customer(dr, app):
    assert validate_request("POST", "/customers", body=SEED_REQUEST) == []
    assert validate_response("POST", "/customers", 201, body=SEED_RESPONSE) == []

    response = dr.post("/customers", json=SEED_REQUEST)

    assert response.status_code == 201
    customer = response.json()
    # Every field of DR's example response is there, with the same kind of value.
    assert set(SEED_RESPONSE) <= set(customer)
    for key, value in SEED_RESPONSE.items():
        assert type(customer[key]) is type(value), key
    assert set(SEED_RESPONSE["shipping"]["address"]) <= set(customer["shipping"]["address"])
    # The example returns id 5823594809 for the id 5823594806 it sent: a typo in DR's page.
    assert customer["id"] == SEED_REQUEST["id"]
    for key in ("email", "enabled", "requestToBeForgotten", "locale", "type", "liveMode"):
        assert customer[key] == SEED_RESPONSE[key], key
    for key, value in SEED_RESPONSE["shipping"]["address"].items():
        assert customer["shipping"]["address"][key] == value
    assert TIMESTAMP.match(customer["createdTime"])
    assert "updatedTime" not in customer
    assert customer["metadata"] == {"coupon": "iOS"}
    assert app.requests[-1].json == SEED_REQUEST


def test_create_without_an_id_generates_a_numeric_id_and_defaults(dr):
    customer = create(dr)
    assert re.fullmatch(r"\d{12}", customer["id"])
    assert customer["enabled"] is True
    assert customer["requestToBeForgotten"] is False
    assert customer["liveMode"] is False
    # unset fields are omitted, not null
    assert set(customer) == {"id", "createdTime", "enabled", "requestToBeForgotten", "liveMode"}
    assert dr.get(f"/customers/{customer['id']}").json() == customer


def test_customer_id_is_at_most_40_characters(dr):
    assert create(dr, id="x" * 40)["id"] == "x" * 40
    response = dr.post("/customers", json={"id": "y" * 41})
    assert response.status_code == 400
    assert response.json()["type"] == "bad_request"
    assert error_of(response)["code"] == "invalid_parameter"
    assert error_of(response)["parameter"] == "id"


def test_a_duplicate_id_is_409_already_exists(dr, app):
    create(dr, id="cust-1")
    response = dr.post("/customers", json={"id": "cust-1", "email": "other@example.com"})
    assert response.status_code == 409
    assert response.json()["type"] == "conflict"
    assert codes_of(response) == {("already_exists", "id")}
    assert app.customer_count() == 1
    assert "email" not in app.customer("cust-1")


def test_request_to_be_forgotten_is_an_unknown_parameter_on_create(dr, app):
    app.expect_invalid_requests()
    response = dr.post("/customers", json={"requestToBeForgotten": True})
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "unknown_parameter",
        "parameter": "requestToBeForgotten",
        "message": "'requestToBeForgotten' is an unknown parameter.",
    }
    assert app.customer_count() == 0
    assert any("requestToBeForgotten" in v for v in app.request_violations)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"email": "not-an-email"}, {("email_invalid", "email")}),
        (
            {"shipping": {"email": "a@b@c", "address": {"country": "US"}}},
            {("email_invalid", "shipping.email")},
        ),
        (
            {"shipping": {"address": {"line1": "Main St 1"}}},
            {("missing_parameter", "shipping.address.country")},
        ),
        (
            {"shipping": {"address": {"country": "USA"}}},
            {("invalid_parameter", "shipping.address.country")},
        ),
        ({"enabled": "yes"}, {("invalid_boolean", "enabled")}),
        ({"type": "company"}, {("invalid_parameter", "type")}),
        ({"locale": "english"}, {("invalid_parameter", "locale")}),
        ({"id": 42}, {("invalid_parameter", "id")}),
        (
            {"shipping": {"address": {"country": "US"}, "fax": "1"}},
            {("unknown_parameter", "shipping.fax")},
        ),
        (
            {"email": "bad", "type": "nope"},
            {("email_invalid", "email"), ("invalid_parameter", "type")},
        ),
    ],
)
def test_invalid_fields_are_rejected_with_drs_codes(dr, app, body, expected):
    app.expect_invalid_requests()
    response = dr.post("/customers", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "bad_request"
    assert codes_of(response) == expected
    assert app.customer_count() == 0


def test_a_body_that_is_not_json_is_400_invalid_format(dr, app):
    app.expect_invalid_requests()
    response = dr.post(
        "/customers", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_format"


def test_nullable_shipping_members_may_be_null_and_are_omitted(dr):
    customer = create(dr, shipping={"name": None, "address": {"country": "DE", "city": None}})
    assert customer["shipping"] == {"address": {"country": "DE"}}


# --------------------------------------------------------------------------- update


def test_update_changes_only_what_is_sent_and_sets_updated_time(dr, frozen):
    created = create(dr, id="c1", email="a@example.com", locale="en_US", type="individual")
    frozen.advance_time(60)
    response = dr.post("/customers/c1", json={"email": "b@example.com"})
    assert response.status_code == 200
    updated = response.json()
    assert updated["email"] == "b@example.com"
    assert updated["locale"] == "en_US" and updated["type"] == "individual"
    assert updated["createdTime"] == created["createdTime"] == "2024-03-01T10:00:00Z"
    assert updated["updatedTime"] == "2024-03-01T10:01:00Z"
    assert dr.get("/customers/c1").json() == updated


def test_update_of_an_unknown_customer_is_404(dr):
    response = dr.post("/customers/nobody", json={"email": "a@example.com"})
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    assert codes_of(response) == {("not_found", "id")}


def test_id_in_an_update_body_is_an_unknown_parameter(dr, app):
    create(dr, id="c1")
    app.expect_invalid_requests()
    response = dr.post("/customers/c1", json={"id": "c2"})
    assert response.status_code == 400
    assert codes_of(response) == {("unknown_parameter", "id")}
    assert app.customer("c1") is not None and app.customer("c2") is None


def test_metadata_merges_and_an_empty_string_removes_a_key(dr):
    create(dr, id="c1", metadata={"a": "1", "b": "2"})
    updated = dr.post("/customers/c1", json={"metadata": {"b": "", "c": 3}}).json()
    assert updated["metadata"] == {"a": "1", "c": 3}
    cleared = dr.post("/customers/c1", json={"metadata": {"a": "", "c": ""}}).json()
    assert "metadata" not in cleared


def test_metadata_limits(dr):
    at_limit = {f"k{i}": "v" for i in range(19)} | {"x" * 40: "y" * 500}
    create(dr, id="c1", metadata=at_limit)
    too_many = dr.post("/customers/c1", json={"metadata": {"one-more": "v"}})
    assert too_many.status_code == 400
    assert codes_of(too_many) == {("too_many_metadata_pairs", "metadata")}
    long_key = dr.post("/customers", json={"metadata": {"k" * 41: "v"}})
    assert codes_of(long_key) == {("invalid_metadata_key", "metadata")}
    long_value = dr.post("/customers", json={"metadata": {"k": "v" * 501}})
    assert codes_of(long_value) == {("invalid_metadata_value", "metadata.k")}
    # replacing a key at the limit is fine
    assert dr.post("/customers/c1", json={"metadata": {"k0": "w"}}).status_code == 200


def test_shipping_is_replaced_wholesale(dr):
    create(
        dr,
        id="c1",
        shipping={"name": "Ann", "phone": "1", "address": {"line1": "A 1", "country": "US"}},
    )
    updated = dr.post("/customers/c1", json={"shipping": {"address": {"country": "DE"}}}).json()
    assert updated["shipping"] == {"address": {"country": "DE"}}


def test_request_to_be_forgotten_is_set_by_update_and_sticks(dr):
    create(dr, id="c1", email="a@example.com")
    response = dr.post("/customers/c1", json={"requestToBeForgotten": True})
    assert response.status_code == 200
    assert response.json()["requestToBeForgotten"] is True
    assert response.json()["enabled"] is True
    assert response.json()["email"] == "a@example.com"
    again = dr.post("/customers/c1", json={"requestToBeForgotten": True})
    assert again.status_code == 200
    undo = dr.post("/customers/c1", json={"requestToBeForgotten": False})
    assert undo.status_code == 400
    assert codes_of(undo) == {("invalid_parameter", "requestToBeForgotten")}
    assert dr.get("/customers/c1").json()["requestToBeForgotten"] is True


def test_enabled_can_be_switched_off_and_on(dr):
    create(dr, id="c1", enabled=False)
    assert dr.get("/customers/c1").json()["enabled"] is False
    assert dr.post("/customers/c1", json={"enabled": True}).json()["enabled"] is True


def test_tax_certificates_accumulate_with_dates_at_midnight(dr, app):
    file = app.add_file()
    certificate = {
        "companyName": "Acme",
        "taxAuthority": "MN",
        "startDate": "2021-04-07T13:47:13Z",
        "endDate": "2022-04-07T13:47:13Z",
        "fileId": file["id"],
    }
    created = create(dr, id="c1", taxCertificate=certificate)
    assert created["taxCertificates"] == [
        certificate | {"startDate": "2021-04-07T00:00:00Z", "endDate": "2022-04-07T00:00:00Z"}
    ]
    second = certificate | {"taxAuthority": "WI"}
    updated = dr.post("/customers/c1", json={"taxCertificate": second}).json()
    assert [c["taxAuthority"] for c in updated["taxCertificates"]] == ["MN", "WI"]
    unknown_file = dr.post("/customers/c1", json={"taxCertificate": certificate | {"fileId": "x"}})
    assert codes_of(unknown_file) == {("invalid_parameter", "taxCertificate.fileId")}


def test_a_tax_certificate_needs_every_member(dr, app):
    app.expect_invalid_requests()
    response = dr.post("/customers", json={"taxCertificate": {"companyName": "Acme"}})
    assert response.status_code == 400
    assert {code for code, _ in codes_of(response)} == {"missing_parameter"}
    assert ("missing_parameter", "taxCertificate.fileId") in codes_of(response)


# --------------------------------------------------------------------------- delete


def test_delete_removes_the_customer(dr, app):
    create(dr, id="c1")
    response = dr.delete("/customers/c1")
    assert response.status_code == 204
    assert response.content == b""
    assert dr.get("/customers/c1").status_code == 404
    assert dr.delete("/customers/c1").status_code == 404
    assert app.customer_count() == 0


# --------------------------------------------------------------------------- list


def make_customers(dr: httpx.Client, app: DigitalRiverEmulator, count: int) -> list[str]:
    """``count`` customers a second apart, oldest first."""
    ids = []
    for number in range(count):
        ids.append(create(dr, id=f"c{number:03d}", email=f"user{number}@example.com")["id"])
        app.advance_time(1)
    return ids


def test_list_is_newest_first_with_a_default_limit_of_10(dr, frozen):
    ids = make_customers(dr, frozen, 12)
    page = dr.get("/customers").json()
    assert set(page) == {"hasMore", "data"}
    assert [c["id"] for c in page["data"]] == ids[::-1][:10]
    assert page["hasMore"] is True
    everything = dr.get("/customers", params={"limit": 100}).json()
    assert len(everything["data"]) == 12 and everything["hasMore"] is False


def test_list_pages_forward_with_starting_after_and_back_with_ending_before(dr, frozen):
    ids = make_customers(dr, frozen, 25)
    newest_first = ids[::-1]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10} | ({"startingAfter": cursor} if cursor else {})
        page = dr.get("/customers", params=params).json()
        seen += [c["id"] for c in page["data"]]
        pages += 1
        if not page["hasMore"]:
            break
        cursor = page["data"][-1]["id"]
    assert seen == newest_first and pages == 3

    back = dr.get("/customers", params={"limit": 10, "endingBefore": newest_first[20]}).json()
    assert [c["id"] for c in back["data"]] == newest_first[10:20]
    assert back["hasMore"] is True
    first = dr.get("/customers", params={"limit": 10, "endingBefore": newest_first[10]}).json()
    assert [c["id"] for c in first["data"]] == newest_first[:10]
    assert first["hasMore"] is False
    both = dr.get(
        "/customers",
        params={"limit": 5, "startingAfter": newest_first[0], "endingBefore": newest_first[10]},
    ).json()
    assert [c["id"] for c in both["data"]] == newest_first[5:10]


def test_customers_seeded_from_python_are_listed_in_time_order(dr, app):
    app.add_customer(id="old", email="old@example.com", createdTime="2020-01-01T00:00:00Z")
    app.add_customer(id="new", createdTime="2023-01-01T00:00:00Z")
    generated = app.add_customer(live=True)
    assert re.fullmatch(r"\d{12}", generated["id"]) and generated["liveMode"] is True
    assert [c["id"] for c in dr.get("/customers").json()["data"]] == ["new", "old"]
    assert [c["id"] for c in app.customers()] == ["new", "old"]
    assert dr.get("/customers/old").json()["email"] == "old@example.com"


def test_files_and_tax_identifiers_are_listed_too(dr, app):
    first = app.add_file(file_name="a.pdf")
    second = app.add_file(PNG, "b.png")
    files = dr.get("/files", params={"limit": 1}).json()
    assert [f["id"] for f in files["data"]] == [second["id"]] and files["hasMore"] is True
    assert [f["id"] for f in dr.get("/files", params={"type": "pdf"}).json()["data"]] == [
        first["id"]
    ]
    tax = app.add_tax_identifier("it", "IT12345678901")
    listed = dr.get("/tax-identifiers", params={"state": "verified", "type": "it"}).json()
    assert [t["id"] for t in listed["data"]] == [tax["id"]]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_a_limit_outside_1_to_100_is_400(dr, app, limit):
    app.expect_invalid_requests()
    response = dr.get("/customers", params={"limit": limit})
    assert response.status_code == 400
    assert codes_of(response) == {("invalid_parameter", "limit")}


def test_an_unknown_cursor_or_query_parameter_is_400(dr, app):
    unknown_cursor = dr.get("/customers", params={"startingAfter": "nobody"})
    assert codes_of(unknown_cursor) == {("invalid_parameter", "startingAfter")}
    app.expect_invalid_requests()
    page = dr.get("/customers", params={"page": 2})
    assert codes_of(page) == {("unknown_parameter", "page")}


def test_list_filters(dr, frozen):
    ids = make_customers(dr, frozen, 5)
    dr.post(f"/customers/{ids[1]}", json={"requestToBeForgotten": True})

    def listed(**params: Any) -> list[str]:
        response = dr.get("/customers", params=params)
        assert response.status_code == 200, response.text
        return sorted(c["id"] for c in response.json()["data"])

    assert listed(ids=f"{ids[0]},{ids[3]},unknown") == [ids[0], ids[3]]
    assert listed(email="user2@example.com") == [ids[2]]
    assert listed(email="USER2@example.com") == []  # exact, case-sensitive
    assert listed(requestToBeForgotten="true") == [ids[1]]
    assert listed(requestToBeForgotten="false") == [ids[0], ids[2], ids[3], ids[4]]
    # created 10:00:00 .. 10:00:04
    assert listed(**{"createdTime[gt]": "2024-03-01T10:00:02Z"}) == ids[3:]
    assert listed(**{"createdTime[gte]": "2024-03-01T10:00:02Z"}) == ids[2:]
    assert listed(**{"createdTime[lt]": "2024-03-01T10:00:02Z"}) == ids[:2]
    assert listed(**{"createdTime[lte]": "2024-03-01T10:00:02Z"}) == ids[:3]
    assert listed(**{"createdTime[eq]": "2024-03-01T10:00:02Z"}) == [ids[2]]
    assert listed(createdTime="2024-03-01T10:00:02Z") == [ids[2]]
    assert (
        listed(
            **{"createdTime[gt]": "2024-03-01T10:00:00Z", "createdTime[lt]": "2024-03-01T10:00:03Z"}
        )
        == ids[1:3]
    )
    assert listed(**{"updatedTime[gte]": "2024-03-01T10:00:00Z"}) == [ids[1]]


def test_a_bad_time_filter_is_400(dr, app):
    app.expect_invalid_requests()
    for params in ({"createdTime[after]": "2024-03-01T10:00:00Z"}, {"createdTime[gt]": "today"}):
        response = dr.get("/customers", params=params)
        assert response.status_code == 400
        assert {code for code, _ in codes_of(response)} == {"invalid_parameter"}


# --------------------------------------------------------------------------- sources


def test_the_first_attached_source_becomes_reusable_and_the_default(dr, app):
    create(dr, id="c1")
    card = app.add_source()
    assert card["reusable"] is False
    response = dr.post(f"/customers/c1/sources/{card['id']}")
    assert response.status_code == 200
    source = response.json()
    assert source["id"] == card["id"]
    assert source["reusable"] is True and source["state"] == "chargeable"
    assert source["customerId"] == "c1"
    customer = dr.get("/customers/c1").json()
    assert customer["defaultSourceId"] == card["id"]
    assert [s["id"] for s in customer["sources"]] == [card["id"]]

    second = app.add_source(details={"brand": "MasterCard", "lastFourDigits": "4444"})
    assert dr.post(f"/customers/c1/sources/{second['id']}").status_code == 200
    customer = dr.get("/customers/c1").json()
    assert customer["defaultSourceId"] == card["id"]
    assert len(customer["sources"]) == 2
    switched = dr.post("/customers/c1", json={"defaultSourceId": second["id"]})
    assert switched.json()["defaultSourceId"] == second["id"]
    # attaching again changes nothing
    assert dr.post(f"/customers/c1/sources/{card['id']}").status_code == 200
    assert len(dr.get("/customers/c1").json()["sources"]) == 2


def test_default_source_must_be_one_of_the_customers_sources(dr, app):
    create(dr, id="c1")
    loose = app.add_source()
    response = dr.post("/customers/c1", json={"defaultSourceId": loose["id"]})
    assert response.status_code == 400
    assert codes_of(response) == {("invalid_parameter", "defaultSourceId")}
    on_create = dr.post("/customers", json={"defaultSourceId": loose["id"]})
    assert codes_of(on_create) == {("invalid_parameter", "defaultSourceId")}


def test_attach_refuses_sources_that_cannot_be_saved(dr, app):
    create(dr, id="c1")
    create(dr, id="c2")
    paypal = app.add_source(type="payPal", details={})
    response = dr.post(f"/customers/c1/sources/{paypal['id']}")
    assert response.status_code == 409
    assert response.json() == {
        "type": "conflict",
        "errors": [
            {
                "code": "nonreusable_source",
                "message": "Only a reusable source may be attached to a customer.",
            }
        ],
    }
    pending = app.add_source(state="pending_redirect")
    response = dr.post(f"/customers/c1/sources/{pending['id']}")
    assert response.status_code == 409
    assert error_of(response) == {
        "code": "source_not_chargeable",
        "parameter": "sourceId",
        "message": f"Source '{pending['id']}' is not chargeable.",
    }
    taken = app.add_source()
    assert dr.post(f"/customers/c2/sources/{taken['id']}").status_code == 200
    response = dr.post(f"/customers/c1/sources/{taken['id']}")
    assert response.status_code == 409
    assert codes_of(response) == {("source_in_use", "sourceId")}
    assert "sources" not in dr.get("/customers/c1").json()


def test_attach_to_unknown_customer_or_source_is_404(dr, app):
    create(dr, id="c1")
    card = app.add_source()
    missing = "00000000-0000-4000-8000-000000000000"
    assert codes_of(dr.post(f"/customers/c1/sources/{missing}")) == {("not_found", "sourceId")}
    assert codes_of(dr.post(f"/customers/nobody/sources/{card['id']}")) == {("not_found", "id")}
    live_card = app.add_source(live=True)
    assert dr.post(f"/customers/c1/sources/{live_card['id']}").status_code == 404


def test_detach_cancels_the_source_for_good_and_clears_the_default(dr, app):
    create(dr, id="c1")
    first, second = app.add_source(), app.add_source()
    dr.post(f"/customers/c1/sources/{first['id']}")
    dr.post(f"/customers/c1/sources/{second['id']}")

    response = dr.delete(f"/customers/c1/sources/{first['id']}")
    assert response.status_code == 204 and response.content == b""
    customer = dr.get("/customers/c1").json()
    assert [s["id"] for s in customer["sources"]] == [second["id"]]
    assert "defaultSourceId" not in customer
    assert dr.get(f"/sources/{first['id']}").json()["state"] == "cancelled"

    again = dr.post(f"/customers/c1/sources/{first['id']}")
    assert again.status_code == 409
    assert codes_of(again) == {("source_not_chargeable", "sourceId")}
    assert dr.delete(f"/customers/c1/sources/{first['id']}").status_code == 404

    third = app.add_source()
    dr.post(f"/customers/c1/sources/{third['id']}")
    assert dr.get("/customers/c1").json()["defaultSourceId"] == third["id"]


def test_sources_can_be_read_and_customer_credit_created_but_never_saved(dr, app):
    create(dr, id="c1")
    card = app.add_source()
    read = dr.get(f"/sources/{card['id']}")
    assert read.status_code == 200 and read.json() == card
    credit = dr.post("/sources", json={"type": "customerCredit", "amount": 10.5})
    assert credit.status_code == 201
    assert credit.json()["type"] == "customerCredit" and credit.json()["reusable"] is False
    assert UUID.match(credit.json()["id"])
    attach = dr.post(f"/customers/c1/sources/{credit.json()['id']}")
    assert codes_of(attach) == {("nonreusable_source", None)}


# --------------------------------------------------------------------------- tax identifiers


def test_tax_identifiers_are_created_verified_attached_and_deleted(dr):
    create(dr, id="c1")
    create(dr, id="c2")
    verified = dr.post("/tax-identifiers", json={"type": "de", "value": "DE123456789"})
    assert verified.status_code == 201
    tax = verified.json()
    assert tax["state"] == "verified" and "customerId" not in tax
    assert set(tax["stateTransitions"]) == {"pending", "verified"}
    pending = dr.post("/tax-identifiers", json={"type": "de", "value": "DE111111111"}).json()
    assert pending["state"] == "pending"

    attached = dr.post(f"/customers/c1/tax-identifiers/{tax['id']}")
    assert attached.status_code == 200
    assert attached.json()["customerId"] == "c1"
    customer = dr.get("/customers/c1").json()
    assert [t["id"] for t in customer["taxIdentifiers"]] == [tax["id"]]

    same_type = dr.post(f"/customers/c1/tax-identifiers/{pending['id']}")
    assert same_type.status_code == 409
    assert codes_of(same_type) == {("already_exists", "type")}
    other_customer = dr.post(f"/customers/c2/tax-identifiers/{tax['id']}")
    assert other_customer.status_code == 409
    assert error_of(other_customer) == {
        "code": "customer_not_updateable",
        "parameter": "customerId",
        "message": "You cannot replace a tax identifier's customer id.",
    }
    belgian = dr.post("/tax-identifiers", json={"type": "be", "value": "BE0000000000"}).json()
    assert dr.post(f"/customers/c1/tax-identifiers/{belgian['id']}").status_code == 200

    listed = dr.get("/tax-identifiers", params={"customerId": "c1"}).json()
    assert sorted(t["id"] for t in listed["data"]) == sorted([tax["id"], belgian["id"]])

    assert dr.delete(f"/tax-identifiers/{tax['id']}").status_code == 204
    assert [t["id"] for t in dr.get("/customers/c1").json()["taxIdentifiers"]] == [belgian["id"]]
    assert dr.get(f"/tax-identifiers/{tax['id']}").status_code == 404
    gone = dr.post(f"/customers/c2/tax-identifiers/{tax['id']}")
    assert gone.status_code == 404
    assert error_of(gone) == {
        "code": "not_found",
        "parameter": "id",
        "message": f"Tax identifier '{tax['id']}' not found.",
    }


def test_a_badly_formed_tax_identifier_is_400(dr, app):
    response = dr.post("/tax-identifiers", json={"type": "de", "value": "DE12"})
    assert response.status_code == 400
    assert response.json() == {
        "type": "bad_request",
        "errors": [
            {
                "code": "invalid_parameter",
                "parameter": "value",
                "message": "Tax identifier 'DE12' invalid.",
            }
        ],
    }
    assert codes_of(dr.post("/tax-identifiers", json={"type": "xx", "value": "XX1234"})) == {
        ("invalid_parameter", "type")
    }
    app.expect_invalid_requests()
    missing = dr.post("/tax-identifiers", json={"type": "de"})
    assert codes_of(missing) == {("missing_parameter", "value")}


def test_live_mode_tax_identifiers_stay_pending_until_verified(app):
    tax = app.add_tax_identifier("de", "DE123456789", live=True)
    assert tax["state"] == "pending"
    app.set_tax_identifier_state(tax["id"], "not_valid", live=True)
    assert app.tax_identifier(tax["id"], live=True)["state"] == "not_valid"


# --------------------------------------------------------------------------- files


def test_files_are_uploaded_read_and_downloaded(dr, dr_emulator):
    response = dr.post(
        "/files",
        data={"purpose": "tax_document_customer_upload", "title": "Exemption"},
        files={"file": ("exemption.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    file = response.json()
    assert file["fileName"] == "exemption.pdf" and file["type"] == "pdf"
    assert file["size"] == len(PDF) and file["title"] == "Exemption"
    assert file["purpose"] == "tax_document_customer_upload" and file["liveMode"] is False
    assert file["url"] == f"{dr_emulator.base_url}/files/{file['id']}/content"
    assert dr.get(f"/files/{file['id']}").json() == file
    content = dr.get(f"/files/{file['id']}/content")
    assert content.status_code == 200 and content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    assert "exemption.pdf" in content.headers["content-disposition"]
    assert dr.get("/files/nothing/content").status_code == 404


def test_file_uploads_as_base64_json_and_type_rules(dr):
    response = dr.post(
        "/files",
        headers={"Content-Type": "application/JSON"},
        content=(
            '{"purpose": "tax_document_customer_upload", "fileName": "scan.png", '
            f'"file": "{base64.b64encode(PNG).decode()}"}}'
        ),
    )
    assert response.status_code == 201, response.text
    assert response.json()["type"] == "png"
    text_file = dr.post(
        "/files",
        data={"purpose": "tax_document_customer_upload"},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert text_file.status_code == 400
    assert codes_of(text_file) == {("invalid_parameter", "file")}


def test_file_upload_without_a_purpose_is_400(dr, app):
    app.expect_invalid_requests()
    response = dr.post("/files", files={"file": ("a.pdf", PDF, "application/pdf")})
    assert response.status_code == 400
    assert codes_of(response) == {("missing_parameter", "purpose")}


# --------------------------------------------------------------------------- faults


def test_fail_next_before_applying_changes_nothing(dr, app):
    app.fail_next(503)
    response = dr.post("/customers", json={"id": "c1"})
    assert response.status_code == 503
    assert response.json()["type"] == "service_unavailable"
    assert response.headers["x-dr-requestid"]
    assert app.customer_count() == 0
    assert dr.post("/customers", json={"id": "c1"}).status_code == 201


def test_fail_next_after_applying_stores_the_change_anyway(dr, app):
    app.fail_next(502, applied=True)
    response = dr.post("/customers", json={"id": "c1", "email": "a@example.com"})
    assert response.status_code == 502
    assert response.json()["type"] == "bad_gateway"
    assert app.customer("c1")["email"] == "a@example.com"
    retry = dr.post("/customers", json={"id": "c1", "email": "a@example.com"})
    assert retry.status_code == 409
    assert app.customer_count() == 1


def test_faults_match_method_path_and_count(dr, app):
    app.fail_next(500, times=2, method="POST", path_prefix="/customers")
    assert dr.get("/customers").status_code == 200
    assert (
        dr.post("/tax-identifiers", json={"type": "de", "value": "DE123456789"}).status_code == 201
    )
    assert dr.post("/customers", json={}).status_code == 500
    assert dr.post("/customers/x", json={}).status_code == 500
    assert dr.post("/customers", json={}).status_code == 201
    assert app.pending_faults == []
    app.fail_next(409, body={"type": "conflict", "errors": [{"code": "already_exists"}]})
    assert codes_of(dr.get("/customers")) == {("already_exists", None)}


def test_rate_limit_next_answers_429_with_retry_after(dr, app):
    app.rate_limit_next(retry_after=2)
    response = dr.post("/customers", json={"id": "c1"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.json()["type"] == "too_many_requests"
    assert app.customer_count() == 0
    assert app.requests[-1].fault == "rate_limit(before applying)"


def test_slow_next_after_applying_stores_what_the_client_gave_up_on(dr, app):
    app.slow_next(2.0)
    with pytest.raises(httpx.ReadTimeout):
        dr.post("/customers", json={"id": "c1"}, timeout=0.3)
    assert app.customer("c1") is not None
    assert dr.get("/customers/c1").status_code == 200


def test_slow_next_before_applying_stores_nothing(dr, app):
    app.slow_next(0.5, applied=False)
    with pytest.raises(httpx.ReadTimeout):
        dr.post("/customers", json={"id": "c1"}, timeout=0.1)
    assert app.customer_count() == 0
    app.slow_next(0.2, applied=False)
    assert dr.post("/customers", json={"id": "c1"}).status_code == 504
    assert app.customer_count() == 0


def test_malformed_next_sends_a_body_that_is_not_json(dr, app):
    app.malformed_next()
    response = dr.post("/customers", json={"id": "c1"})
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError):
        response.json()
    assert app.customer("c1") is not None
    app.malformed_next(applied=False)
    assert dr.post("/customers", json={"id": "c2"}).status_code == 200
    assert app.customer("c2") is None


def test_drop_next_closes_the_connection_without_an_answer(dr, app):
    app.drop_next()
    with pytest.raises(httpx.RemoteProtocolError):
        dr.post("/customers", json={"id": "c1"})
    assert app.customer("c1") is not None
    app.drop_next(applied=False)
    with pytest.raises(httpx.RemoteProtocolError):
        dr.post("/customers", json={"id": "c2"})
    assert app.customer("c2") is None
    assert dr.get("/customers/c1").status_code == 200


def test_a_stopped_emulator_refuses_connections_and_restarts_with_its_state(dr, dr_emulator):
    create(dr, id="c1")
    dr_emulator.stop()
    with pytest.raises(httpx.ConnectError):
        dr.get("/customers/c1")
    dr_emulator.start()
    assert dr.get("/customers/c1").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{EmulatorServer.closed_port_url()}/customers")


# --------------------------------------------------------------------------- records, checks


def test_requests_are_recorded_for_assertions(dr, app, dr_api_key):
    dr.post("/customers", json={"id": "c1"}, headers={"upstream-id": "u-1"})
    dr.get("/customers", params={"ids": "c1,c2", "createdTime[gt]": "2024-01-01T00:00:00Z"})
    post, listing = app.requests
    assert (post.method, post.path, post.json, post.status) == (
        "POST",
        "/customers",
        {"id": "c1"},
        201,
    )
    assert post.headers["authorization"] == f"Bearer {dr_api_key}"
    assert post.headers["upstream-id"] == "u-1"
    assert post.live_mode is False
    assert listing.query == {"ids": ["c1,c2"], "createdTime[gt]": ["2024-01-01T00:00:00Z"]}
    assert app.requests_to("POST", "/customers") == [post]


def test_unknown_paths_and_methods(dr, app):
    app.expect_invalid_requests()
    assert dr.get("/checkouts").status_code == 404
    not_allowed = dr.patch("/customers/c1", json={"email": "a@example.com"})
    assert not_allowed.status_code == 405
    assert not_allowed.json()["type"] == "method_not_allowed"
    assert len(app.request_violations) == 2
    assert app.response_violations == []


def test_invalid_requests_are_collected_as_violations(dr, app):
    dr.post("/customers", json={"enabled": "yes", "shipping": {"address": {}}})
    dr.get("/customers", params={"limit": 500})
    violations = app.take_violations()
    assert any("request body at enabled" in v and "boolean" in v for v in violations)
    assert any("shipping.address" in v and "country" in v for v in violations)
    assert any("query 'limit'" in v for v in violations)
    assert app.schema_violations == []


def test_responses_that_break_the_schema_are_collected(dr, app, monkeypatch):
    create(dr, id="c1")
    monkeypatch.setattr(
        app, "_render_customer", lambda store, record: {"id": 7, "enabled": "sometimes"}
    )
    dr.get("/customers/c1")
    violations = app.take_violations()
    assert any("response 200 body at id" in v for v in violations)
    assert any("response 200 body at enabled" in v for v in violations)
    assert app.response_violations == []


def test_unexpected_violations_fail_the_fixture(dr_api_key):
    app = DigitalRiverEmulator(api_keys={dr_api_key})
    with EmulatorServer(app) as server:
        httpx.post(
            f"{server.base_url}/customers",
            json={"email": 5},
            headers={"Authorization": f"Bearer {dr_api_key}"},
        )
    assert app.unexpected_violations() != []
    app.expect_invalid_requests()
    assert app.unexpected_violations() == []
