"""Roles: only agents (and admins) create and edit; everyone signed in searches and reads."""

from __future__ import annotations

import pytest

from app.services.errors import CustomerNotFound
from tests.conftest import csrf_token

from .conftest import HX, html
from .dom import fragment_root

READ_ONLY_ROLES = [("viewer",), ("fraud",), ("privacy",), ("fraud", "privacy", "viewer")]
EDITOR_ROLES = [("agent",), ("admin",), ("viewer", "agent"), ("fraud", "agent")]
FORBIDDEN = "Your role does not allow this action."


@pytest.fixture
def existing(make_customer):
    return make_customer(id="cus-1", email="before@example.com", metadata={"tier": "gold"})


def attempts(client, token: str) -> dict[str, object]:
    return {
        "GET /new-customer": client.get("/new-customer"),
        "POST /customers": client.post(
            "/customers", data={"csrf_token": token, "id": "cus-new", "email": "n@example.com"}
        ),
        "GET /customers/cus-1/edit": client.get("/customers/cus-1/edit"),
        "POST /customers/cus-1": client.post(
            "/customers/cus-1",
            data={"csrf_token": token, "version": "1", "email": "after@example.com"},
        ),
    }


@pytest.mark.parametrize("roles", READ_ONLY_ROLES, ids="+".join)
def test_read_only_roles_get_403_on_every_create_and_edit_request_and_nothing_changes(
    client_as, service, existing, roles
) -> None:
    client = client_as(*roles)
    token = csrf_token(client, "/")

    statuses = {name: r.status_code for name, r in attempts(client, token).items()}

    assert statuses == dict.fromkeys(statuses, 403)
    with pytest.raises(CustomerNotFound):
        service.get("cus-new")
    assert service.get("cus-1") == existing


@pytest.mark.parametrize("roles", EDITOR_ROLES, ids="+".join)
def test_agents_admins_and_staff_holding_agent_among_other_roles_may_create_and_edit(
    client_as, service, existing, roles
) -> None:
    client = client_as(*roles)
    token = csrf_token(client, "/")

    statuses = {name: r.status_code for name, r in attempts(client, token).items()}

    assert statuses == {
        "GET /new-customer": 200,
        "POST /customers": 303,
        "GET /customers/cus-1/edit": 200,
        "POST /customers/cus-1": 303,
    }
    assert service.get("cus-new").email == "n@example.com"
    assert service.get("cus-1").email == "after@example.com"


def test_the_403_page_says_the_role_does_not_allow_it(viewer) -> None:
    response = viewer.get("/new-customer")

    assert response.status_code == 403
    assert "<html" in response.get_data(as_text=True)
    assert FORBIDDEN in html(response).by_id("main").text


def test_an_htmx_403_is_the_error_fragment(viewer, existing) -> None:
    response = viewer.get("/customers/cus-1/edit", headers=HX)

    assert response.status_code == 403
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "error"
    assert FORBIDDEN in root.text


def test_every_role_can_search_and_read_the_detail_page(client_as, existing, any_role) -> None:
    client = client_as(any_role)

    search = client.get("/?q=before@example.com")
    detail = client.get("/customers/cus-1")

    assert search.status_code == 200
    assert html(search).by_id("results").has("a", href="/customers/cus-1")
    assert detail.status_code == 200
    # A viewer reads it masked until they reveal it (test_masking).
    shown = "b•••@example.com" if any_role == "viewer" else "before@example.com"
    assert shown in html(detail).by_id("customer").text


@pytest.mark.parametrize(
    ("roles", "may_edit"),
    [
        (("viewer",), False),
        (("fraud",), False),
        (("privacy",), False),
        (("agent",), True),
        (("admin",), True),
        (("viewer", "agent"), True),
    ],
    ids=lambda v: "+".join(v) if isinstance(v, tuple) else str(v),
)
def test_edit_and_new_customer_controls_show_only_for_roles_that_may_use_them(
    client_as, existing, roles, may_edit
) -> None:
    client = client_as(*roles)

    detail = html(client.get("/customers/cus-1"))
    search = html(client.get("/"))

    assert detail.has("a", href="/customers/cus-1/edit") is may_edit
    assert ("Edit customer" in detail.by_id("customer").text) is may_edit
    for page in (detail, search):
        nav = page.find("nav", aria_label="Main")
        assert nav.has("a", href="/new-customer") is may_edit
        assert ("New customer" in nav.text) is may_edit
