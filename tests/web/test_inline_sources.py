"""Payment sources in place: attach by id, make default, detach (which cancels for good)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.services.local.models import SourceRow
from tests.conftest import csrf_token

from .conftest import html
from .dom import field_error, form_values, fragment_root
from .inline_helpers import detail, form_at, post, source, swapped

ATTACH = "/customers/cus-1/sources"


def detach_url(source_id: str) -> str:
    return f"/customers/cus-1/sources/{source_id}/detach"


def default_url(source_id: str) -> str:
    return f"/customers/cus-1/sources/{source_id}/default"


@pytest.fixture
def customer(make_customer):
    return make_customer(id="cus-1", email="one@example.com")


@pytest.fixture
def two_cards(customer, make_customer, insert_rows, set_columns, service):
    """cus-1 with Visa 1111 (the default) and Mastercard 2222 attached."""
    insert_rows(
        source("src-visa", "cus-1"),
        source("src-master", "cus-1", brand="Mastercard", last_four="2222"),
    )
    set_columns("cus-1", default_source_id="src-visa")
    return service.get("cus-1")


@pytest.fixture
def loose_sources(make_customer, insert_rows):
    """Sources belonging to no customer (and one of another customer's)."""
    make_customer(id="cus-other")
    insert_rows(
        source("src-free"),
        source("src-pending", state="pending_funds"),
        source("src-wire", type_="wireTransfer", brand=None, last_four=None),
        source("src-theirs", "cus-other"),
    )


def stored_source(app, source_id: str) -> SourceRow:
    with Session(app.extensions["customer_desk"].engine) as session:
        row = session.get(SourceRow, source_id)
        assert row is not None
        return row


def test_an_agent_attaches_a_source_by_id_and_the_first_becomes_the_default(
    agent, service, customer, loose_sources
) -> None:
    response = post(agent, detail(agent), ATTACH, {"source_id": " src-free "}, htmx=True)

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#customer"
    root, flash = swapped(response)
    rows = root.by_id("sources").find("tbody").find_all("tr")
    assert rows[0].find("td").text == "Visa •••• 1111 · 12/30 Default src-free"
    assert flash is not None and flash.text == "Visa •••• 1111 · 12/30 attached."
    stored = service.get("cus-1")
    assert [s.id for s in stored.sources] == ["src-free"]
    assert stored.default_source_id == "src-free"


@pytest.mark.parametrize(
    ("source_id", "status", "message"),
    [
        ("", 422, "Enter the id of the source to attach."),
        ("src-nope", 422, "Source 'src-nope' not found."),
        ("src-theirs", 409, "This source belongs to another customer."),
        ("src-pending", 409, "Only chargeable sources can be attached"),
        ("src-wire", 409, "single-use and cannot be saved to a customer"),
    ],
    ids=["empty", "not-found", "in-use", "not-chargeable", "non-reusable"],
)
def test_a_source_that_cannot_be_attached_is_refused_next_to_the_input(
    agent, service, customer, loose_sources, source_id, status, message
) -> None:
    response = post(agent, detail(agent), ATTACH, {"source_id": source_id}, htmx=True)

    assert response.status_code == status
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "sources"
    assert message in field_error(root, "attach-source-id")
    assert root.by_id("attach-source-id").get("aria-invalid") == "true"
    assert form_values(root.by_id("attach-form"))["source_id"] == source_id
    assert service.get("cus-1") == customer


def test_attaching_a_source_twice_says_it_is_already_attached(agent, two_cards) -> None:
    response = post(agent, detail(agent), ATTACH, {"source_id": "src-visa"}, htmx=True)

    assert response.status_code == 409
    root = fragment_root(response.get_data(as_text=True))
    assert "already attached" in field_error(root, "attach-source-id")


def test_the_table_marks_the_default_and_names_every_button_after_its_source(
    agent, two_cards
) -> None:
    sources = detail(agent).by_id("sources")

    cells = [[td.text for td in tr.find_all("td")][:3] for tr in sources.find("tbody").elements]
    buttons = [b.text for b in sources.find("tbody").find_all("button")]

    assert cells == [
        ["Visa •••• 1111 · 12/30 Default src-visa", "Card", "chargeable"],
        ["Mastercard •••• 2222 · 12/30 src-master", "Card", "chargeable"],
    ]
    assert buttons == [
        "Detach Visa •••• 1111 · 12/30",
        "Make default Mastercard •••• 2222 · 12/30",
        "Detach Mastercard •••• 2222 · 12/30",
    ]


def test_make_default_moves_the_default(agent, service, two_cards) -> None:
    response = post(agent, detail(agent), default_url("src-master"), htmx=True)

    assert response.status_code == 200
    root, flash = swapped(response)
    first_cells = [tr.find("td").text for tr in root.by_id("sources").find("tbody").elements]
    assert first_cells == [
        "Visa •••• 1111 · 12/30 src-visa",
        "Mastercard •••• 2222 · 12/30 Default src-master",
    ]
    assert flash is not None
    assert flash.text == "Mastercard •••• 2222 · 12/30 is now the default."
    assert service.get("cus-1").default_source_id == "src-master"


def test_the_detach_confirmation_says_it_is_final_and_what_happens_to_the_default(
    agent, two_cards
) -> None:
    rows = detail(agent).by_id("sources").find("tbody").elements

    default_confirm = rows[0].find("details", "confirm")
    other_confirm = rows[1].find("details", "confirm")

    assert default_confirm.find("summary").text == "Detach… Visa •••• 1111 · 12/30"
    assert "cancels this source for good" in default_confirm.text
    assert "can never be attached again" in default_confirm.text
    assert "no default until you choose another" in default_confirm.text
    assert "no default" not in other_confirm.text


def test_detaching_the_default_cancels_it_clears_the_default_and_asks_for_a_new_one(
    app, agent, service, two_cards
) -> None:
    response = post(agent, detail(agent), detach_url("src-visa"), htmx=True)

    assert response.status_code == 200
    root, flash = swapped(response)
    sources = root.by_id("sources")
    assert [tr.find("td").text for tr in sources.find("tbody").elements] == [
        "Mastercard •••• 2222 · 12/30 src-master"
    ]
    assert "no default payment source" in sources.find("p", "banner--warn").text
    assert "Make default" in sources.find("tbody").text
    assert flash is not None
    assert flash.text == (
        "Visa •••• 1111 · 12/30 detached; it is cancelled for good. "
        "The customer has no default source now: choose one."
    )
    stored = service.get("cus-1")
    assert stored.default_source_id is None
    assert [s.id for s in stored.sources] == ["src-master"]
    row = stored_source(app, "src-visa")
    assert (row.customer_id, row.state) == (None, "cancelled")


def test_a_detached_source_cannot_be_attached_again(agent, service, two_cards) -> None:
    post(agent, detail(agent), detach_url("src-master"))

    response = post(agent, detail(agent), ATTACH, {"source_id": "src-master"}, htmx=True)

    assert response.status_code == 409
    assert "cancelled" in field_error(
        fragment_root(response.get_data(as_text=True)), "attach-source-id"
    )


def test_detaching_a_source_the_customer_does_not_have_is_refused_in_the_section(
    agent, service, two_cards, loose_sources
) -> None:
    token = csrf_token(agent, "/customers/cus-1")

    response = agent.post(
        detach_url("src-free"),
        data={"csrf_token": token, "version": "1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert "not attached to the customer" in root.find("div", "banner--bad").text
    assert service.get("cus-1") == two_cards


def test_without_javascript_attach_redirects_to_the_sources_with_a_flash(
    agent, customer, loose_sources
) -> None:
    response = post(agent, detail(agent), ATTACH, {"source_id": "src-free"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-1#sources"
    page = html(agent.get(response.headers["Location"]))
    assert page.by_id("flash").text == "Visa •••• 1111 · 12/30 attached."


def test_without_javascript_a_refused_attach_shows_the_page_again(
    agent, customer, loose_sources
) -> None:
    response = post(agent, detail(agent), ATTACH, {"source_id": "src-theirs"})

    assert response.status_code == 409
    page = html(response)
    assert page.has("body")
    assert "belongs to another customer" in field_error(page, "attach-source-id")


@pytest.mark.parametrize("role", ["viewer", "fraud", "privacy"])
def test_readers_see_the_sources_without_controls_and_get_403_on_every_change(
    client_as, service, two_cards, loose_sources, role
) -> None:
    client = client_as(role)
    token = csrf_token(client, "/")
    sources = detail(client).by_id("sources")

    statuses = [
        client.post(
            url, data={"csrf_token": token, "version": "1", "source_id": "src-free"}
        ).status_code
        for url in (ATTACH, detach_url("src-visa"), default_url("src-master"))
    ]

    assert not sources.has("form")
    assert not sources.has("button")
    assert "Actions" not in sources.find("thead").text
    assert statuses == [403, 403, 403]
    assert service.get("cus-1") == two_cards


def test_every_source_form_carries_the_version_and_a_csrf_token(agent, two_cards) -> None:
    sources = detail(agent).by_id("sources")

    forms = sources.find_all("form")

    assert len(forms) == 4
    for form in forms:
        values = form_values(form)
        assert values["version"] == "1"
        assert values["csrf_token"]
        assert form.get("hx-target") == "#sources"
    assert form_at(sources, ATTACH).get("id") == "attach-form"


def test_a_source_without_card_details_is_named_by_its_type(agent, two_cards, insert_rows) -> None:
    insert_rows(source("src-wire", "cus-1", type_="wireTransfer", brand=None, last_four=None))

    response = post(agent, detail(agent), default_url("src-wire"), htmx=True)

    assert response.status_code == 200
    root, flash = swapped(response)
    assert flash is not None and flash.text == "Wire transfer is now the default."
    rows = root.by_id("sources").find("tbody").find_all("tr")
    cells = [[td.text for td in tr.find_all("td")][:2] for tr in rows]
    assert ["Wire transfer Default src-wire", "Wire transfer"] in cells
    account = root.find("section", aria_labelledby="h-account")
    assert "Wire transfer" in account.text
    assert "src-wire" not in account.text
