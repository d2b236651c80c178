"""CSRF protection: every state-changing POST needs the session's token."""

from __future__ import annotations

import pytest

from app.services.customers import SearchQuery
from app.services.errors import CustomerNotFound
from tests.conftest import csrf_token

from .conftest import HX, html, token_of
from .dom import fragment_root

CSRF_MESSAGE = "The form expired or came from elsewhere. Reload the page and try again."


def nothing_created(service) -> bool:
    return service.search(SearchQuery()).items == ()


@pytest.mark.parametrize(
    "token",
    [None, "", "not-a-token", "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.x.y"],
)
def test_creating_a_customer_without_a_valid_token_is_refused_with_400(
    agent, service, token
) -> None:
    data = {"id": "cus-forged", "email": "forged@example.com"}
    if token is not None:
        data["csrf_token"] = token

    response = agent.post("/customers", data=data)

    assert response.status_code == 400
    assert html(response).find("h1").text.startswith("Bad request")
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert nothing_created(service)
    with pytest.raises(CustomerNotFound):
        service.get("cus-forged")


def test_a_token_from_another_session_is_refused(client_as, service) -> None:
    other_token = csrf_token(client_as("agent"), "/new-customer")
    agent = client_as("agent")

    response = agent.post("/customers", data={"id": "cus-x", "csrf_token": other_token})

    assert response.status_code == 400
    assert nothing_created(service)


def test_an_htmx_post_without_a_token_gets_the_400_error_fragment(agent, service) -> None:
    response = agent.post("/customers", data={"id": "cus-forged"}, headers=HX)

    assert response.status_code == 400
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "error"
    assert CSRF_MESSAGE in root.text
    assert nothing_created(service)


def test_an_htmx_post_with_the_token_from_body_hx_headers_works(agent, service) -> None:
    token = token_of(agent, "/new-customer")

    response = agent.post(
        "/customers",
        data={"id": "cus-htmx", "email": "htmx@example.com"},
        headers={**HX, "X-CSRFToken": token},
    )

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/customers/cus-htmx"
    assert service.get("cus-htmx").email == "htmx@example.com"


def test_the_hx_headers_token_also_works_for_a_plain_post_header(agent, service) -> None:
    token = token_of(agent, "/")

    response = agent.post("/customers", data={"id": "cus-hdr"}, headers={"X-CSRFToken": token})

    assert response.status_code == 303
    assert service.get("cus-hdr").id == "cus-hdr"


def test_editing_without_a_token_is_refused_and_changes_nothing(
    agent, service, make_customer
) -> None:
    make_customer(id="cus-1", email="before@example.com")

    response = agent.post("/customers/cus-1", data={"email": "after@example.com", "version": "1"})

    assert response.status_code == 400
    assert service.get("cus-1").email == "before@example.com"
    assert service.get("cus-1").version == 1


def test_signing_in_without_a_token_is_refused(client, make_staff) -> None:
    username = make_staff("agent")

    response = client.post("/login", data={"username": username, "password": "whatever-pw"})

    assert response.status_code == 400
    assert client.get("/").status_code == 303


def test_search_is_a_get_that_needs_no_token(agent, make_customer) -> None:
    make_customer(id="cus-1", email="ada@example.com")

    response = agent.get("/?q=ada@example.com")
    search_form = html(agent.get("/")).by_id("search")

    assert response.status_code == 200
    assert "/customers/cus-1" in response.get_data(as_text=True)
    assert search_form.get("method") == "get"
    assert not search_form.has("input", name="csrf_token")
