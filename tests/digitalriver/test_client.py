"""DigitalRiverCustomerService against the DR emulator: what goes on the wire, how DR's answers
and failures are read, and that no fault creates a customer twice or repeats an update."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.services.customers import (
    Address,
    Cursor,
    CustomerUpdate,
    NewCustomer,
    SearchQuery,
    Shipping,
)
from app.services.digitalriver import DigitalRiverCustomerService
from app.services.digitalriver.client import APPLICATION_ID
from app.services.errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerNotFound,
    InvalidParameter,
)
from tests.emulator.schema import validate_request, validate_response

# DR's "Creating and updating customers" page: the example request body, as published.
SEED_REQUEST: dict[str, Any] = {
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

# ... and the 201 answer it shows (trimmed by DR; its id differs from the request's by a typo).
SEED_RESPONSE: dict[str, Any] = {
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

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
REFUSED_KEY_MESSAGE = "Digital River refused the API key (check FLASK_DR_API_KEY)."


def seed_customer() -> NewCustomer:
    """The seed example as the domain value the app passes to the service."""
    shipping = SEED_REQUEST["shipping"]
    address = shipping["address"]
    return NewCustomer(
        id=SEED_REQUEST["id"],
        email=SEED_REQUEST["email"],
        shipping=Shipping(
            name=shipping["name"],
            phone=shipping["phone"],
            email=shipping["email"],
            organization=shipping["organization"],
            address=Address(
                line1=address["line1"],
                line2=address["line2"],
                city=address["city"],
                postal_code=address["postalCode"],
                state=address["state"],
                country=address["country"],
            ),
        ),
        type=SEED_REQUEST["type"],
        locale=SEED_REQUEST["locale"],
        enabled=SEED_REQUEST["enabled"],
        metadata=dict(SEED_REQUEST["metadata"]),
    )


def keep_answers(answers: list[httpx.Response]) -> Callable[[httpx.Response], None]:
    """A response hook keeping every answer (read) the client received."""

    def hook(response: httpx.Response) -> None:
        response.read()
        answers.append(response)

    return hook


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- the seed example ----------------------------------------------------------------------------


def test_the_seed_example_is_created_with_201_and_answered_in_the_seed_response_shape(
    make_service, emulator
) -> None:
    answers: list[httpx.Response] = []
    service = make_service(event_hooks={"response": [keep_answers(answers)]})

    created = service.create(seed_customer())

    [post] = emulator.requests_to("POST", "/customers")
    assert post.status == 201
    [answer] = answers
    assert answer.status_code == 201
    body = answer.json()
    assert set(SEED_RESPONSE) <= set(body)
    for key, example in SEED_RESPONSE.items():
        assert type(body[key]) is type(example), key
    assert body["id"] == SEED_REQUEST["id"]
    assert ISO_UTC.match(body["createdTime"])
    assert "updatedTime" not in body
    for key in ("email", "enabled", "requestToBeForgotten", "locale", "type", "liveMode"):
        assert body[key] == SEED_RESPONSE[key], key
    for key, value in SEED_RESPONSE["shipping"]["address"].items():
        assert body["shipping"]["address"][key] == value, key
    assert body["shipping"] == SEED_REQUEST["shipping"]
    assert body["metadata"] == SEED_REQUEST["metadata"]
    assert validate_response("POST", "/customers", 201, body=body) == []
    assert created.id == SEED_REQUEST["id"]
    assert created.created_time == utc(body["createdTime"])
    assert created.email == "jsmith@digitalriver.com"
    assert created.shipping == seed_customer().shipping
    assert (created.type, created.locale) == ("individual", "en_US")
    assert created.metadata == {"coupon": "iOS"}
    assert created.enabled is True
    assert created.request_to_be_forgotten is False
    assert created.live_mode is False


def test_the_request_sent_for_the_seed_example_is_its_body_and_validates_against_dr_schema(
    dr, emulator
) -> None:
    dr.create(seed_customer())

    [post] = emulator.requests_to("POST", "/customers")
    # enabled: true is DR's default; the client leaves it out and sends everything else as is.
    assert post.json == {k: v for k, v in SEED_REQUEST.items() if k != "enabled"}
    assert post.json.get("enabled", True) is SEED_REQUEST["enabled"]
    assert post.headers["content-type"] == "application/json"
    assert (
        validate_request(
            "POST", "/customers", body=post.json, content_type=post.headers["content-type"]
        )
        == []
    )
    # The validator would notice a field DR does not take on create.
    assert validate_request("POST", "/customers", body={**post.json, "requestToBeForgotten": True})
    assert emulator.schema_violations == []


def test_the_app_service_is_built_from_the_configuration_and_talks_to_the_emulator(
    service, emulator, dr_emulator
) -> None:
    assert isinstance(service, DigitalRiverCustomerService)
    assert service.live_mode is False
    assert (service.retries, service.max_retry_after) == (2, 2.0)
    assert str(service.http.base_url).rstrip("/") == dr_emulator.base_url
    assert service.http.timeout.read == 1.0

    created = service.create(seed_customer())

    assert service.get(created.id).email == SEED_REQUEST["email"]
    assert emulator.customer_count() == 1


# -- what goes on the wire -----------------------------------------------------------------------


def test_every_request_carries_the_bearer_key_json_headers_and_upstream_ids(
    dr, emulator, dr_api_key
) -> None:
    created = dr.create(NewCustomer(email="ada@example.com"))
    dr.get(created.id)
    dr.update(created.id, CustomerUpdate(email="ada.l@example.com"))
    dr.search(SearchQuery(text="ada.l@example.com"))

    recorded = emulator.requests
    path = f"/customers/{created.id}"
    assert [(r.method, r.path) for r in recorded] == [
        ("POST", "/customers"),
        ("GET", path),
        ("GET", path),
        ("POST", path),
        ("GET", "/customers"),
    ]
    for request in recorded:
        assert request.headers["authorization"] == f"Bearer {dr_api_key}"
        assert request.headers["accept"] == "application/json"
        assert request.headers["upstream-application-id"] == APPLICATION_ID
        assert re.fullmatch(r"[a-z][a-z0-9-]*/\d+\.\d+\.\d+", APPLICATION_ID)
        assert uuid.UUID(request.headers["upstream-id"])
        assert request.live_mode is False
        if request.method == "POST":
            assert request.headers["content-type"] == "application/json"
    assert len({r.headers["upstream-id"] for r in recorded}) == len(recorded)


def test_a_create_with_only_an_email_sends_the_email_and_a_generated_id(dr, emulator) -> None:
    created = dr.create(NewCustomer(email="only@example.com"))

    [post] = emulator.requests_to("POST", "/customers")
    assert post.json == {"id": created.id, "email": "only@example.com"}
    assert re.fullmatch(r"cd_[a-z2-7]{16}", created.id)
    assert emulator.customer(created.id)["email"] == "only@example.com"


def test_a_create_leaves_out_every_member_that_is_not_set(dr, emulator) -> None:
    dr.create(
        NewCustomer(
            id="partial-1",
            shipping=Shipping(name="Ada", address=Address(city="London", country="GB")),
            metadata={"kept": "yes", "blank": ""},
        )
    )

    [post] = emulator.requests_to("POST", "/customers")
    assert post.json == {
        "id": "partial-1",
        "shipping": {"name": "Ada", "address": {"city": "London", "country": "GB"}},
        "metadata": {"kept": "yes"},
    }


def test_a_disabled_new_customer_sends_enabled_false(dr, emulator) -> None:
    created = dr.create(NewCustomer(id="off-1", enabled=False))

    [post] = emulator.requests_to("POST", "/customers")
    assert post.json == {"id": "off-1", "enabled": False}
    assert created.enabled is False
    assert emulator.customer("off-1")["enabled"] is False


def test_an_update_sends_only_the_changed_fields_never_the_id_or_the_forget_flag(
    dr, emulator
) -> None:
    john = dr.create(seed_customer())

    dr.update(
        john.id,
        CustomerUpdate(
            email="john.smith@example.com",
            shipping=john.shipping,
            type="individual",
            locale="en_US",
            metadata={"coupon": "iOS"},
        ),
    )
    dr.update(john.id, CustomerUpdate(metadata={"coupon": "", "tier": "gold"}))
    dr.update(john.id, CustomerUpdate(shipping=replace(john.shipping, phone="952-222-2222")))
    dr.update(john.id, CustomerUpdate(type="business", locale="de_DE"))

    posts = emulator.requests_to("POST", f"/customers/{john.id}")
    assert [p.json for p in posts] == [
        {"email": "john.smith@example.com"},
        {"metadata": {"coupon": "", "tier": "gold"}},
        {"shipping": {**SEED_REQUEST["shipping"], "phone": "952-222-2222"}},
        {"type": "business", "locale": "de_DE"},
    ]
    for post in posts:
        assert "id" not in post.json
        assert "requestToBeForgotten" not in post.json
    stored = emulator.customer(john.id)
    assert stored["metadata"] == {"tier": "gold"}
    assert stored["requestToBeForgotten"] is False
    assert (stored["type"], stored["locale"]) == ("business", "de_DE")


def test_an_update_that_changes_nothing_sends_no_post(dr, emulator) -> None:
    john = dr.create(seed_customer())

    same = dr.update(
        john.id,
        CustomerUpdate(email=john.email, shipping=john.shipping, metadata={"coupon": "iOS"}),
    )

    assert same.id == john.id
    assert emulator.requests_to("POST", f"/customers/{john.id}") == []


def test_creates_and_updates_are_posts_never_patch_or_put(dr, emulator) -> None:
    created = dr.create(NewCustomer(id="team:a+b@x", email="escaped@example.com"))
    dr.update(created.id, CustomerUpdate(locale="fr_FR"))

    writes = [(r.method, r.path) for r in emulator.requests if r.method != "GET"]
    assert writes == [("POST", "/customers"), ("POST", "/customers/team:a+b@x")]
    assert not any(r.method in ("PATCH", "PUT") for r in emulator.requests)
    assert emulator.customer("team:a+b@x")["locale"] == "fr_FR"


# -- list queries --------------------------------------------------------------------------------


def test_a_search_for_an_email_sends_it_as_the_email_filter(dr, emulator) -> None:
    emulator.add_customer(id="c-1", email="jsmith@digitalriver.com")
    emulator.add_customer(id="c-2", email="other@example.com")

    page = dr.search(SearchQuery(text="  jsmith@digitalriver.com "))

    [request] = emulator.requests_to("GET", "/customers")
    assert request.query == {"email": ["jsmith@digitalriver.com"], "limit": ["25"]}
    assert [c.id for c in page.items] == ["c-1"]


def test_a_search_for_other_text_sends_it_as_the_ids_filter(dr, emulator) -> None:
    emulator.add_customer(id="c-1", email="jsmith@digitalriver.com")
    emulator.add_customer(id="c-2", email="other@example.com")

    page = dr.search(SearchQuery(text="c-2"))

    [request] = emulator.requests_to("GET", "/customers")
    assert request.query == {"ids": ["c-2"], "limit": ["25"]}
    assert [c.id for c in page.items] == ["c-2"]
    assert page.exact_id_match is not None and page.exact_id_match.id == "c-2"


@pytest.mark.parametrize(("asked", "sent"), [(500, "100"), (101, "100"), (0, "1"), (7, "7")])
def test_the_page_size_sent_stays_between_1_and_100(dr, emulator, asked, sent) -> None:
    dr.search(SearchQuery(limit=asked))

    [request] = emulator.requests_to("GET", "/customers")
    assert request.query == {"limit": [sent]}
    assert request.status == 200


def test_paging_sends_starting_after_and_ending_before_cursors(dr, emulator) -> None:
    start = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
    for n in range(5):
        emulator.add_customer(id=f"p-{n}", createdTime=start + dt.timedelta(minutes=n))

    first = dr.search(SearchQuery(limit=2))
    second = dr.search(SearchQuery(limit=2, after=first.next_cursor))
    back = dr.search(SearchQuery(limit=2, before=second.prev_cursor))

    assert [c.id for c in first.items] == ["p-4", "p-3"]
    assert [c.id for c in second.items] == ["p-2", "p-1"]
    assert [c.id for c in back.items] == ["p-4", "p-3"]
    assert [r.query for r in emulator.requests_to("GET", "/customers")] == [
        {"limit": ["2"]},
        {"limit": ["2"], "startingAfter": ["p-3"]},
        {"limit": ["2"], "endingBefore": ["p-2"]},
    ]


def test_created_date_filters_are_sent_as_created_time_gte_and_lt_in_utc(dr, emulator) -> None:
    for customer_id, created in [
        ("before", "2024-01-01T23:59:59Z"),
        ("first", "2024-01-02T00:00:00Z"),
        ("last", "2024-01-02T23:59:59Z"),
        ("after", "2024-01-03T00:00:00Z"),
    ]:
        emulator.add_customer(id=customer_id, createdTime=created)
    plus_two = dt.timezone(dt.timedelta(hours=2))

    page = dr.search(
        SearchQuery(
            created_from=dt.datetime(2024, 1, 2, 2, 0, tzinfo=plus_two),
            created_to=dt.datetime(2024, 1, 3, tzinfo=dt.UTC),
        )
    )

    [request] = emulator.requests_to("GET", "/customers")
    assert request.query == {
        "limit": ["25"],
        "createdTime[gte]": ["2024-01-02T00:00:00Z"],
        "createdTime[lt]": ["2024-01-03T00:00:00Z"],
    }
    assert [c.id for c in page.items] == ["last", "first"]


@pytest.mark.parametrize(
    ("wanted", "sent", "found"), [(True, "true", "gone"), (False, "false", "kept")]
)
def test_the_forget_filter_is_sent_as_request_to_be_forgotten(
    dr, emulator, wanted, sent, found
) -> None:
    emulator.add_customer(id="gone", requestToBeForgotten=True)
    emulator.add_customer(id="kept")

    page = dr.search(SearchQuery(forget_requested=wanted))

    [request] = emulator.requests_to("GET", "/customers")
    assert request.query == {"limit": ["25"], "requestToBeForgotten": [sent]}
    assert [c.id for c in page.items] == [found]


def test_filters_dr_cannot_apply_are_not_sent_and_the_page_says_so(dr, emulator) -> None:
    page = dr.search(SearchQuery(enabled=False, type="business", locale="en_US"))

    [request] = emulator.requests_to("GET", "/customers")
    assert request.query == {"limit": ["25"]}
    assert page.notice == "Ignored on Digital River: enabled, type, locale."


# -- tolerant reader -----------------------------------------------------------------------------


def test_a_customer_with_unknown_fields_and_enum_values_reads_without_error(dr, emulator) -> None:
    emulator.add_customer(
        id="odd-1",
        email="odd@example.com",
        type="reseller",
        loyaltyTier="platinum",
        shipping={
            "name": "Odd Shop",
            "address": {"line1": "1 Strange St", "country": "US", "plusCode": "849VCWC8+R9"},
            "deliveryNotes": "back door",
        },
        metadata={"visits": 3, "note": "vip"},
    )
    wallet = emulator.add_source(
        type="cryptoWallet",
        supports_reuse=True,
        details={"network": "lightning"},
        walletAddress="lnbc1-not-a-real-wallet",
    )
    tax = emulator.add_tax_identifier("de", "DE123456789")
    # States DR may add later, set through the emulator's internals (its API refuses them).
    store = emulator._stores[False]
    store.sources[wallet["id"]]["state"] = "frozen"
    store.tax_identifiers[tax["id"]]["state"] = "under_review"
    record = store.customers["odd-1"]
    record["_sources"].append(wallet["id"])
    record["defaultSourceId"] = wallet["id"]
    record["_taxIdentifiers"].append(tax["id"])

    customer = dr.get("odd-1")
    page = dr.search(SearchQuery(text="odd@example.com"))

    assert customer.type == "reseller"
    assert customer.shipping.name == "Odd Shop"
    assert customer.shipping.address.line1 == "1 Strange St"
    assert customer.metadata == {"visits": "3", "note": "vip"}
    [source] = customer.sources
    assert (source.id, source.type, source.state) == (wallet["id"], "cryptoWallet", "frozen")
    assert source.brand is None
    assert customer.default_source_id == wallet["id"]
    [identifier] = customer.tax_identifiers
    assert (identifier.value, identifier.state) == ("DE123456789", "under_review")
    assert [(c.id, c.type) for c in page.items] == [("odd-1", "reseller")]
    # The emulator itself notices these answers go beyond DR's document; that is the point.
    violations = emulator.take_violations()
    for word in ("reseller", "cryptoWallet", "frozen", "under_review"):
        assert any(word in v for v in violations), word


# -- error mapping -------------------------------------------------------------------------------


def test_a_400_naming_shipping_address_country_is_invalid_parameter_on_that_parameter(
    dr, emulator
) -> None:
    emulator.fail_next(
        400,
        method="POST",
        body={
            "type": "bad_request",
            "errors": [
                {
                    "code": "invalid_parameter",
                    "parameter": "shipping.address.country",
                    "message": "Country 'KP' is not supported.",
                },
                {"code": "missing_parameter", "message": "A parameter is missing."},
            ],
        },
    )

    with pytest.raises(InvalidParameter) as caught:
        dr.create(NewCustomer(id="kp-1", shipping=Shipping(address=Address(country="KP"))))

    error = caught.value
    assert (error.code, error.parameter, error.message) == (
        "invalid_parameter",
        "shipping.address.country",
        "Country 'KP' is not supported.",
    )
    assert [(d.code, d.parameter) for d in error.errors] == [
        ("invalid_parameter", "shipping.address.country"),
        ("missing_parameter", None),
    ]
    [post] = emulator.requests_to("POST", "/customers")
    assert error.request_id == post.request_id
    assert emulator.customer_count() == 0


def test_an_unknown_page_cursor_refused_by_dr_is_invalid_parameter_naming_it(dr, emulator) -> None:
    with pytest.raises(InvalidParameter) as caught:
        dr.search(SearchQuery(after=Cursor(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "nobody")))

    assert (caught.value.code, caught.value.parameter) == ("invalid_parameter", "startingAfter")
    [request] = emulator.requests_to("GET", "/customers")
    assert request.status == 400
    assert caught.value.request_id == request.request_id


def test_an_unknown_customer_is_customer_not_found_and_not_retried(dr, emulator) -> None:
    with pytest.raises(CustomerNotFound) as caught:
        dr.get("nobody-here")

    assert (caught.value.code, caught.value.parameter) == ("not_found", "id")
    [request] = emulator.requests_to("GET")
    assert request.status == 404
    assert caught.value.request_id == request.request_id


def test_updating_an_unknown_customer_is_customer_not_found_and_posts_nothing(dr, emulator) -> None:
    with pytest.raises(CustomerNotFound):
        dr.update("nobody-here", CustomerUpdate(email="x@example.com"))

    assert emulator.requests_to("POST") == []


def test_a_typed_id_that_already_exists_is_a_conflict_on_the_id(dr, emulator) -> None:
    emulator.add_customer(id="taken-1", email="first@example.com")

    with pytest.raises(Conflict) as caught:
        dr.create(NewCustomer(id="taken-1", email="second@example.com"))

    assert (caught.value.code, caught.value.parameter) == ("already_exists", "id")
    [post] = emulator.requests_to("POST", "/customers")
    assert post.status == 409
    assert emulator.requests_to("GET") == []  # nothing to reconcile: the answer was clear
    assert emulator.customer("taken-1")["email"] == "first@example.com"
    assert emulator.customer_count() == 1


def _operations() -> list[tuple[str, Callable[[DigitalRiverCustomerService], object]]]:
    return [
        ("get", lambda s: s.get("k-1")),
        ("create", lambda s: s.create(NewCustomer(id="k-2", email="k@example.com"))),
        ("update", lambda s: s.update("k-1", CustomerUpdate(email="new@example.com"))),
        ("search", lambda s: s.search(SearchQuery(text="k@example.com"))),
    ]


@pytest.mark.parametrize(("name", "call"), _operations(), ids=[n for n, _ in _operations()])
def test_a_wrong_key_is_backend_refused_without_leaking_the_key_or_dr_s_answer(
    make_service, emulator, wrong_api_key, waits, name, call
) -> None:
    emulator.add_customer(id="k-1", email="k@example.com")
    service = make_service(api_key=wrong_api_key)

    with pytest.raises(BackendRefused) as caught:
        call(service)

    error = caught.value
    assert error.code == "unauthorized"
    assert error.message == REFUSED_KEY_MESSAGE
    assert [(d.code, d.message, d.parameter) for d in error.errors] == [
        ("unauthorized", REFUSED_KEY_MESSAGE, None)
    ]
    shown = " ".join([str(error), repr(error), repr(error.errors), repr(error.args)])
    assert wrong_api_key not in shown
    assert "Bearer" not in shown
    assert "An authorization error has occurred" not in shown
    [request] = emulator.requests  # refused at once: never retried
    assert request.status == 401
    assert error.request_id == request.request_id
    assert waits == []
    assert emulator.customer("k-1")["email"] == "k@example.com"
    assert emulator.customer_count() == 1


def test_a_403_is_backend_refused_without_dr_s_message(dr, emulator, dr_api_key) -> None:
    emulator.fail_next(403)

    with pytest.raises(BackendRefused) as caught:
        dr.create(NewCustomer(id="f-403", email="f@example.com"))

    error = caught.value
    assert (error.code, error.message) == ("forbidden", REFUSED_KEY_MESSAGE)
    assert "Injected" not in str(error)
    assert dr_api_key not in repr(error.errors)
    [post] = emulator.requests
    assert error.request_id == post.request_id
    assert emulator.customer_count() == 0


@pytest.mark.parametrize(
    ("status", "error_class"), [(400, InvalidParameter), (404, CustomerNotFound), (409, Conflict)]
)
def test_an_error_status_with_an_empty_body_is_still_that_error(
    make_service, status, error_class
) -> None:
    # A proxy in front of DR may answer with no body at all; the emulator never does.
    transport = httpx.MockTransport(
        lambda request: httpx.Response(status, headers={"x-dr-requestid": "req-empty"})
    )
    service = make_service(transport=transport)

    with pytest.raises(error_class) as caught:
        service.get("anyone")

    assert caught.value.request_id == "req-empty"


# -- 429 -----------------------------------------------------------------------------------------


def test_a_read_limited_with_429_waits_retry_after_then_succeeds(dr, emulator, waits) -> None:
    emulator.add_customer(id="r-1", email="r@example.com")
    emulator.rate_limit_next(retry_after=1)

    assert dr.get("r-1").email == "r@example.com"

    assert waits == [1.0]
    assert [r.status for r in emulator.requests_to("GET")] == [429, 200]


def test_a_create_limited_with_429_waits_then_creates_exactly_once(dr, emulator, waits) -> None:
    emulator.rate_limit_next(retry_after=2, method="POST")

    created = dr.create(NewCustomer(email="rate@example.com"))

    assert waits == [2.0]
    posts = emulator.requests_to("POST", "/customers")
    assert [p.status for p in posts] == [429, 201]
    assert [p.json["id"] for p in posts] == [created.id, created.id]
    assert emulator.customer_count() == 1


def test_an_update_limited_with_429_waits_then_applies_once(dr, emulator, waits) -> None:
    emulator.add_customer(id="r-1", email="before@example.com")
    emulator.rate_limit_next(retry_after=1, method="POST")

    updated = dr.update("r-1", CustomerUpdate(email="after@example.com"))

    assert updated.email == "after@example.com"
    assert waits == [1.0]
    assert [p.status for p in emulator.requests_to("POST", "/customers/r-1")] == [429, 200]


def test_429_waits_that_add_up_to_the_bound_are_waited_out(dr, emulator, waits) -> None:
    emulator.add_customer(id="r-1")
    emulator.rate_limit_next(retry_after=1, times=2)

    dr.get("r-1")

    assert waits == [1.0, 1.0]


def test_429_waits_beyond_the_bound_end_in_too_many_requests(dr, emulator, waits) -> None:
    emulator.add_customer(id="r-1")
    emulator.rate_limit_next(retry_after=1, times=3)

    with pytest.raises(BackendUnavailable) as caught:
        dr.get("r-1")

    assert caught.value.code == "too_many_requests"
    assert waits == [1.0, 1.0]
    requests = emulator.requests_to("GET")
    assert [r.status for r in requests] == [429, 429, 429]
    assert caught.value.request_id == requests[-1].request_id


def test_a_retry_after_beyond_the_bound_is_too_many_requests_and_creates_nothing(
    dr, emulator, waits
) -> None:
    new = NewCustomer(id="rl-1", email="rl@example.com")
    emulator.rate_limit_next(retry_after=3, method="POST")

    with pytest.raises(BackendUnavailable) as caught:
        dr.create(new)

    assert caught.value.code == "too_many_requests"
    assert "3 seconds" in caught.value.message
    assert waits == []
    [post] = emulator.requests_to("POST")
    assert caught.value.request_id == post.request_id
    assert emulator.customer_count() == 0

    assert dr.create(new).id == "rl-1"
    assert emulator.customer_count() == 1


def test_a_429_without_retry_after_is_reported_at_once(dr, emulator, waits) -> None:
    emulator.fail_next(429, method="GET")

    with pytest.raises(BackendUnavailable) as caught:
        dr.search(SearchQuery())

    assert caught.value.code == "too_many_requests"
    assert waits == []
    assert len(emulator.requests) == 1


def test_endless_429s_with_retry_after_zero_end_in_too_many_requests(dr, emulator, waits) -> None:
    emulator.add_customer(id="r-1")
    emulator.rate_limit_next(retry_after=0, times=200)

    with pytest.raises(BackendUnavailable) as caught:
        dr.get("r-1")

    assert caught.value.code == "too_many_requests"
    assert 1 <= len(emulator.requests) <= 10


# -- faults: reads -------------------------------------------------------------------------------

EXPECTED_CODES = {
    "fail": "unavailable",
    "slow": "timeout",
    "malformed": "bad_response",
    "drop": "connection_error",
    "refused": "connection_error",
}


def _check_request_id(error: BackendUnavailable, fault, requests) -> None:
    if fault.sends_request_id:
        assert error.request_id is not None
        assert error.request_id == requests[-1].request_id
    else:
        assert error.request_id is None


def test_a_read_hit_by_a_fault_once_is_retried_and_succeeds(dr, emulator, fault, waits) -> None:
    emulator.add_customer(id="f-1", email="f@example.com")
    fault.inject(emulator, dr.http, times=1, method="GET", path_prefix="/customers/f-1")

    assert dr.get("f-1").email == "f@example.com"

    gets = emulator.requests_to("GET", "/customers/f-1")
    assert len(gets) == (2 if fault.reaches_dr else 1)
    assert waits == [0.25]


def test_a_read_hit_by_a_persistent_fault_is_backend_unavailable(
    dr, emulator, fault, waits
) -> None:
    emulator.add_customer(id="f-1", email="f@example.com")
    fault.inject(emulator, dr.http, times=3, method="GET", path_prefix="/customers/f-1")

    with pytest.raises(BackendUnavailable) as caught:
        dr.get("f-1")

    assert caught.value.code == EXPECTED_CODES[fault.kind]
    gets = emulator.requests_to("GET", "/customers/f-1")
    assert len(gets) == (3 if fault.reaches_dr else 0)
    assert waits == [0.25, 0.5]
    _check_request_id(caught.value, fault, gets)


def test_a_search_hit_by_a_fault_once_is_retried_and_succeeds(dr, emulator, fault) -> None:
    emulator.add_customer(id="f-1", email="f@example.com")
    fault.inject(emulator, dr.http, times=1, method="GET", path_prefix="/customers")

    page = dr.search(SearchQuery(text="f@example.com"))

    assert [c.id for c in page.items] == ["f-1"]


# -- faults: creates -----------------------------------------------------------------------------


def test_a_create_hit_by_a_fault_once_is_retried_with_the_same_id_and_stored_once(
    dr, emulator, fault
) -> None:
    new = NewCustomer(
        email="once@example.com",
        shipping=Shipping(name="Once", address=Address(city="Oslo", country="NO")),
        metadata={"source": "retry-test"},
    )
    fault.inject(emulator, dr.http, times=1, method="POST", path_prefix="/customers")

    created = dr.create(new)

    assert emulator.customer_count() == 1
    stored = emulator.customer(created.id)
    assert stored is not None
    assert created.email == stored["email"] == "once@example.com"
    assert created.shipping == new.shipping
    assert created.metadata == {"source": "retry-test"}
    assert created.created_time == utc(stored["createdTime"])
    posts = emulator.requests_to("POST", "/customers")
    assert len(posts) == (2 if fault.reaches_dr else 1)
    assert {p.json["id"] for p in posts} == {created.id}
    reconciled = emulator.requests_to("GET", f"/customers/{created.id}")
    assert len(reconciled) == (1 if fault.applied else 0)


def test_a_create_hit_by_a_persistent_fault_is_unavailable_and_a_resubmit_stores_it_once(
    dr, emulator, fault
) -> None:
    new = NewCustomer(id="draft-7", email="persist@example.com")
    fault.inject(emulator, dr.http, times=3, method="POST", path_prefix="/customers")

    with pytest.raises(BackendUnavailable) as caught:
        dr.create(new)

    assert caught.value.code == EXPECTED_CODES[fault.kind]
    posts = emulator.requests_to("POST", "/customers")
    assert [p.json["id"] for p in posts] == ["draft-7"] * (3 if fault.reaches_dr else 0)
    assert emulator.customer_count() == (1 if fault.applied else 0)
    _check_request_id(caught.value, fault, posts)

    fault.clear(emulator, dr.http)
    if fault.applied:
        with pytest.raises(Conflict) as again:
            dr.create(new)
        assert (again.value.code, again.value.parameter) == ("already_exists", "id")
    else:
        assert dr.create(new).id == "draft-7"
    assert emulator.customer_count() == 1
    assert emulator.customer("draft-7")["email"] == "persist@example.com"


def test_an_ambiguous_create_answered_409_for_someone_else_s_customer_is_a_conflict(
    dr, emulator
) -> None:
    emulator.add_customer(id="clash-1", email="theirs@example.com")
    emulator.fail_next(503, method="POST")

    with pytest.raises(Conflict) as caught:
        dr.create(NewCustomer(id="clash-1", email="mine@example.com"))

    assert caught.value.code == "already_exists"
    assert emulator.customer("clash-1")["email"] == "theirs@example.com"
    assert emulator.customer_count() == 1


# -- faults: updates -----------------------------------------------------------------------------


def test_an_update_hit_by_a_fault_is_not_retried_and_is_backend_unavailable(
    dr, emulator, fault, waits
) -> None:
    emulator.add_customer(id="u-1", email="before@example.com")
    fault.inject(emulator, dr.http, times=1, method="POST", path_prefix="/customers/u-1")

    with pytest.raises(BackendUnavailable) as caught:
        dr.update("u-1", CustomerUpdate(email="after@example.com"))

    error = caught.value
    assert error.code == EXPECTED_CODES[fault.kind]
    posts = emulator.requests_to("POST", "/customers/u-1")
    assert len(posts) == (1 if fault.reaches_dr else 0)
    assert waits == []
    assert emulator.customer("u-1")["email"] == (
        "after@example.com" if fault.applied else "before@example.com"
    )
    if fault.applied:
        assert "Nothing was changed" not in error.message
        assert "may not have been saved" in error.message
    _check_request_id(error, fault, posts)


# -- refused connections -------------------------------------------------------------------------


def test_a_stopped_emulator_refuses_reads_and_creates_and_nothing_is_stored(
    make_service, dr_emulator, emulator, waits
) -> None:
    emulator.add_customer(id="s-1")
    dr_emulator.stop()
    service = make_service()

    with pytest.raises(BackendUnavailable) as read:
        service.get("s-1")
    with pytest.raises(BackendUnavailable) as write:
        service.create(NewCustomer(id="s-2", email="s@example.com"))

    for error in (read.value, write.value):
        assert error.code == "connection_error"
        assert error.request_id is None
    assert waits == [0.25, 0.5, 0.25, 0.5]
    assert emulator.customer_count() == 1
    assert len(emulator.requests) == 0


def test_a_create_succeeds_once_when_the_emulator_is_back_before_the_retry(
    make_service, dr_emulator, emulator
) -> None:
    dr_emulator.stop()
    service = make_service(sleep=lambda seconds: dr_emulator.start())

    created = service.create(NewCustomer(email="back@example.com"))

    assert emulator.customer(created.id)["email"] == "back@example.com"
    assert emulator.customer_count() == 1
    assert len(emulator.requests_to("POST", "/customers")) == 1


def test_a_closed_port_is_backend_unavailable_for_every_operation(make_service, dr_emulator):
    service = make_service(base_url=dr_emulator.closed_port_url())

    for name, call in _operations():
        with pytest.raises(BackendUnavailable) as caught:
            call(service)
        assert caught.value.code == "connection_error", name
    assert dr_emulator.app.requests == []


def test_the_emulator_log_shows_no_schema_violation_after_a_full_round(dr, emulator) -> None:
    created = dr.create(replace(seed_customer(), id=None))
    dr.update(created.id, CustomerUpdate(metadata={"coupon": "", "campaign": "spring"}))
    dr.search(SearchQuery(text=created.id, forget_requested=False))
    dr.sharing_email(dr.get(created.id))

    assert emulator.schema_violations == []
    assert all(r.status is not None and r.status < 300 for r in emulator.requests)


def test_a_408_from_dr_is_unavailable_and_a_read_is_retried(dr, emulator) -> None:
    created = dr.create(NewCustomer(email="slowpoke@example.com"))
    emulator.fail_next(408, method="GET")

    assert dr.get(created.id).email == "slowpoke@example.com"

    emulator.fail_next(408, times=3, method="GET")
    with pytest.raises(BackendUnavailable):
        dr.get(created.id)
