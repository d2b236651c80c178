"""Inputs no page renders never cause a 500: each answers 4xx with a message where it belongs
(or, for a valid value at the edge, the page itself), and changes nothing. Hidden versions,
the rows of a list and how many there are, dates at the calendar's ends, keyset tokens, the
page size, values longer than the store keeps (PostgreSQL refused them with a 500), and a NUL
in an upload's file name. Each case once failed; they run on the engine of the test run."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from sqlalchemy import String
from sqlalchemy.orm import InstrumentedAttribute

from app.admin.forms import NewStaffForm
from app.auth.forms import SignInForm
from app.customers.customer_form import PARAMETER_FIELDS, CustomerForm
from app.customers.section_forms import (
    METADATA_MAX_ROWS,
    AttachSourceForm,
    TaxCertificateForm,
    TaxIdentifierForm,
)
from app.privacy.forms import ForgetForm
from app.services.customers import (
    SHIPPING_MAX_LENGTHS,
    CustomerUpdate,
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

from .conftest import HX, html
from .dom import field_error, form_values, fragment_root
from .inline_helpers import MALLORY, PDF, detail, post, source


@pytest.fixture
def admin(client_as):
    return client_as("admin")


@pytest.fixture
def customer(make_customer, insert_rows, service):
    """cus-1 with metadata, an attached source and a tax identifier."""
    make_customer(id="cus-1", email="one@example.com", metadata={"tier": "gold"})
    insert_rows(source("src-visa", "cus-1"))
    return service.add_tax_identifier("cus-1", "de", "DE123456789")


@pytest.fixture
def versioned(customer, set_columns, request):
    """cus-1 as the form named by the test's ``name`` needs it (disabled, to be enabled)."""
    if request.node.callspec.params.get("name") == "enable":
        set_columns("cus-1", enabled=False)
    return customer


def token(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def edit_values(client, customer_id: str = "cus-1") -> dict[str, str]:
    page = html(client.get(f"/customers/{customer_id}/edit"))
    return form_values(page.find("form", action=f"/customers/{customer_id}"))


def banner(response) -> str:
    """The message above the form: the edit page's error summary, else a section's banner."""
    root = fragment_root(response.get_data(as_text=True))
    summary = "error-summary" if root.has("div", "error-summary") else "banner--bad"
    return root.find("div", summary).text


# -- versions ---------------------------------------------------------------------------------

# What each form posts besides its version (the list: edit, disable, enable, metadata,
# tax identifier).
VERSIONED = {
    "edit": ("/customers/cus-1", None),
    "disable": ("/customers/cus-1/disable", {"reason": "other", "note": "Per bank"}),
    "enable": ("/customers/cus-1/enable", {"reason": "blocked_in_error"}),
    "metadata": ("/customers/cus-1/metadata", {"metadata-0-value": "silver"}),
    "tax-identifier": ("/customers/cus-1/tax-identifiers", {"type": "at", "value": "ATU1234567"}),
}
NOT_VERSIONS = {"superscript-two": "²", "5000-digits": "9" * 5000, "2**64": str(2**64)}


def post_versioned(client, name: str, version: str) -> Any:
    action, typed = VERSIONED[name]
    if typed is None:
        return client.post(action, data={**edit_values(client), "version": version}, headers=HX)
    return post(client, detail(client), action, {**typed, "version": version}, htmx=True)


@pytest.mark.parametrize("version", NOT_VERSIONS.values(), ids=NOT_VERSIONS)
@pytest.mark.parametrize("name", VERSIONED)
def test_a_version_that_is_no_number_is_refused_with_422_and_a_message(
    admin, service, versioned, name, version
) -> None:
    before = service.get("cus-1")

    response = post_versioned(admin, name, version)

    assert response.status_code == 422
    assert "version of this form is not a number" in banner(response)
    assert service.get("cus-1") == before


@pytest.mark.parametrize("name", VERSIONED)
def test_a_stale_version_far_past_the_current_one_is_refused_with_409(
    admin, service, versioned, name
) -> None:
    service.update("cus-1", CustomerUpdate(email="theirs@example.com"), actor=MALLORY)
    before = service.get("cus-1")

    response = post_versioned(admin, name, "9" * 18)

    assert response.status_code == 409
    assert "Nothing was saved" in banner(response) or "changed this customer" in banner(response)
    assert service.get("cus-1") == before


# -- rows of a list ---------------------------------------------------------------------------


@pytest.mark.parametrize("index", ["²", "٣", "9" * 5000, "-1", "1x"])
def test_an_edit_with_a_metadata_row_no_page_shows_is_refused_next_to_the_metadata(
    agent, service, customer, index
) -> None:
    before = service.get("cus-1")
    values = {**edit_values(agent), f"metadata-{index}-key": "k", f"metadata-{index}-value": "v"}

    response = agent.post("/customers/cus-1", data=values)

    assert response.status_code == 422
    message = html(response).by_id("metadata-error").text
    assert "a row this page never shows" in message
    assert "nothing was saved" in message
    assert service.get("cus-1") == before


def test_an_edit_with_more_metadata_rows_than_the_form_holds_is_refused(
    agent, service, customer
) -> None:
    before = service.get("cus-1")
    values = {k: v for k, v in edit_values(agent).items() if not k.startswith("metadata-")}
    values |= {f"metadata-{i}-key": f"k{i}" for i in range(26)}
    values |= {f"metadata-{i}-value": "v" for i in range(26)}

    response = agent.post("/customers/cus-1", data=values)

    assert response.status_code == 422
    assert "more than 25 rows" in html(response).by_id("metadata-error").text
    assert service.get("cus-1") == before


def test_a_far_metadata_row_index_is_just_a_row(agent, service, customer) -> None:
    values = {**edit_values(agent), "metadata-99999-key": "far", "metadata-99999-value": "away"}

    response = agent.post("/customers/cus-1", data=values)

    assert response.status_code == 303
    assert service.get("cus-1").metadata == {"tier": "gold", "far": "away"}


@pytest.mark.parametrize("index", ["²", "9" * 5000])
def test_the_inline_metadata_form_refuses_a_row_no_page_shows(
    agent, service, customer, index
) -> None:
    before = service.get("cus-1")

    response = post(
        agent,
        detail(agent),
        "/customers/cus-1/metadata",
        {f"metadata-{index}-key": "k", f"metadata-{index}-value": "v"},
        htmx=True,
    )

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert "a row this page never shows" in root.by_id("metadata-error").text
    assert service.get("cus-1") == before


def full_metadata_form(rows: int) -> dict[str, str]:
    values = {f"metadata-{i}-key": f"k{i}" for i in range(rows)}
    return values | {f"metadata-{i}-value": "v" for i in range(rows)}


def test_add_row_on_a_full_metadata_form_says_no_more_rows_fit(agent, service, customer) -> None:
    before = service.get("cus-1")
    page = detail(agent)

    response = post(
        agent,
        page,
        "/customers/cus-1/metadata",
        {**full_metadata_form(METADATA_MAX_ROWS), "add_row": "1"},
        htmx=True,
    )

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert f"No more rows fit: at most {METADATA_MAX_ROWS}" in root.by_id("metadata-error").text
    assert len(root.by_id("metadata-form").find("tbody").find_all("tr")) == METADATA_MAX_ROWS
    assert service.get("cus-1") == before


def test_saving_more_metadata_rows_than_the_form_holds_is_refused(agent, service, customer):
    before = service.get("cus-1")

    response = post(
        agent,
        detail(agent),
        "/customers/cus-1/metadata",
        full_metadata_form(METADATA_MAX_ROWS + 1),
        htmx=True,
    )

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert f"more than {METADATA_MAX_ROWS} rows" in root.by_id("metadata-error").text
    assert service.get("cus-1") == before


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


# -- dates at the calendar's ends -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [{"created_to": "9999-12-31"}, {"created_from": "0001-01-01"},
     {"created_from": "0001-01-01", "created_to": "9999-12-31"}],
    ids=["to-9999-12-31", "from-0001-01-01", "both"],
)  # fmt: skip
def test_a_search_range_to_the_ends_of_the_calendar_lists_the_customers(viewer, customer, args):
    response = viewer.get("/", query_string=args)

    assert response.status_code == 200
    assert "cus-1" in html(response).by_id("results").text


@pytest.mark.parametrize("day", ["10000-01-01", "0000-12-31", "2025-02-30", "²⁰²⁵-01-01"])
def test_a_search_date_that_is_no_date_is_refused_at_its_field(viewer, customer, day) -> None:
    response = viewer.get("/", query_string={"created_to": day})

    assert response.status_code == 422
    assert "Not a valid date" in field_error(html(response), "created_to")


@pytest.mark.parametrize("path", ["/audit", "/audit.csv", "/privacy", "/privacy.csv"])
def test_the_audit_and_privacy_filters_take_the_ends_of_the_calendar(admin, customer, path):
    response = admin.get(path, query_string={"since": "0001-01-01", "until": "9999-12-31"})

    assert response.status_code == 200
    response.get_data()


@pytest.mark.parametrize("path", ["/audit", "/privacy"])
def test_an_audit_or_privacy_date_that_is_no_date_is_refused_at_its_field(admin, path):
    response = admin.get(path, query_string={"until": "10000-01-01"})

    assert response.status_code == 422
    assert "Not a valid date" in field_error(html(response), "until")


# -- keyset tokens and the page size ----------------------------------------------------------

DAMAGED_KEYS = {
    "25-digit-id": token("2025-01-01T00:00:00|" + "9" * 25),
    "negative-id": token("2025-01-01T00:00:00|-" + "9" * 25),
    "superscript-id": token("2025-01-01T00:00:00|²"),
    "year-1-with-offset": token("0001-01-01T00:00:00+05:00|1"),
    "year-9999-with-offset": token("9999-12-31T23:59:59-05:00|1"),
    "nul": token("2025-01-01T00:00:00|1\x00"),
    "not-base64": "%%%",
    "huge": "A" * 20_000,
}


@pytest.mark.parametrize("after", DAMAGED_KEYS.values(), ids=DAMAGED_KEYS)
@pytest.mark.parametrize("path", ["/audit", "/privacy"])
def test_a_damaged_audit_or_privacy_token_starts_from_the_newest(admin, path, after) -> None:
    assert admin.get(path, query_string={"after": after}).status_code == 200


@pytest.mark.parametrize("key", ["after", "before"])
@pytest.mark.parametrize(
    "value",
    [*DAMAGED_KEYS.values(), token("2025-01-01T00:00:00|" + "x" * 5000)],
    ids=[*DAMAGED_KEYS, "5000-character-id"],
)
def test_a_damaged_or_odd_search_token_answers_a_page(viewer, customer, key, value) -> None:
    """A search position's id part is any text (customer ids are), so some of these are
    positions, just far ones; the others start from the newest."""
    response = viewer.get("/", query_string={key: value, "q": "one@example.com"})

    assert response.status_code == 200
    assert html(response).has("main")


@pytest.mark.parametrize("limit", ["²", "٣", "9" * 5000, str(2**64), "-5", "+5", " 5", "1e3"])
def test_a_page_size_that_is_no_number_is_the_default(viewer, customer, limit) -> None:
    assert viewer.get("/", query_string={"limit": limit}).status_code == 200


def test_a_page_size_past_a_hundred_is_a_hundred(viewer, make_customer) -> None:
    for i in range(101):
        make_customer(id=f"c{i:03d}")

    page = html(viewer.get("/", query_string={"limit": "100000"}))

    assert len(page.by_id("results").find("tbody").find_all("tr")) == 100


# -- the file name of an upload ---------------------------------------------------------------


def certificate_upload(name: str) -> dict[str, Any]:
    return {
        "company_name": "Hopper Industries",
        "tax_authority": "VA",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "file": (io.BytesIO(PDF), name),
    }


@pytest.mark.parametrize(
    ("name", "stored"),
    [("cert\x00.html", "cert.pdf"), ("\x00", "certificate.pdf"), ("../b/c\t.pdf", "c.pdf")],
    ids=repr,
)
def test_a_nul_or_a_path_in_an_upload_name_is_dropped_from_the_stored_name(
    agent, service, customer, name, stored
) -> None:
    response = post(
        agent, detail(agent), "/customers/cus-1/tax-certificates", certificate_upload(name)
    )

    assert response.status_code == 303
    [added] = service.get("cus-1").tax_certificates
    assert service.get_file(added.file_id).file_name == stored


# -- the confirmation of a request to be forgotten --------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [{"confirm_id": "²"}, {"confirm_id": "x" * 5000}, {"confirm_id": "cus-1", "reason": "r" * 501},
     {"confirm_id": "cus-1", "reason": "ok", "version": "9" * 5000}],
    ids=["superscript-id", "long-id", "long-reason", "a-version-it-never-carries"],
)  # fmt: skip
def test_the_forget_confirmation_refuses_hostile_values_at_their_fields(
    client_as, service, customer, typed
) -> None:
    officer = client_as("privacy")
    values = {"csrf_token": csrf_token(officer, "/customers/cus-1/forget"), "reason": "Ticket 1"}

    response = officer.post("/customers/cus-1/forget", data={**values, **typed})

    if "version" in typed:
        # The confirmation carries no version (a second request is refused by the first's
        # record, not by a version); an extra field is ignored like any other.
        assert response.status_code == 303
        return
    assert response.status_code == 422
    page = html(response)
    field = "reason" if "reason" in typed else "confirm_id"
    assert field_error(page, field)
    assert not service.get("cus-1").request_to_be_forgotten


# -- a multipart part without a readable name -------------------------------------------------


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
def test_an_upload_with_a_part_whose_name_cannot_be_read_is_refused_with_400(
    agent, service, customer, with_token
) -> None:
    """A line break in a part's name leaves Werkzeug without a name for it (found by the
    fuzzer: the NUL check then failed on the missing name; and without a token, the CSRF
    check, which looks for it among the fields' names, ran first and failed on it)."""
    before = service.get("cus-1")
    boundary = "b0undary"
    token = [("csrf_token", csrf_token(agent, "/"))] if with_token else []
    parts = [("version", str(before.version)), *token, ("\n", "")]
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'
        for name, text in parts
    )
    response = agent.post(
        "/customers/cus-1/tax-certificates",
        data=f"{body}--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code == 400
    assert "could not be understood" in html(response).by_id("main").text
    assert service.get("cus-1") == before
