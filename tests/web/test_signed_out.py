"""A signed-out visitor reaches only the sign-in page and the static files."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token

from .conftest import HX, login_target

PAGES = [
    ("/", "/"),
    ("/?q=ada&enabled=no", "/?q=ada&enabled=no"),
    ("/new-customer", "/new-customer"),
    ("/customers/cus-1", "/customers/cus-1"),
    ("/customers/cus-1/edit", "/customers/cus-1/edit"),
    ("/customers/does-not-exist", "/customers/does-not-exist"),
    ("/no/such/page", "/no/such/page"),
]


@pytest.mark.parametrize(("path", "next_path"), PAGES)
def test_every_page_redirects_a_signed_out_visitor_to_the_sign_in_page(
    client, path, next_path
) -> None:
    response = client.get(path)

    assert response.status_code == 303
    assert login_target(response.headers["Location"]) == next_path


def test_the_sign_in_page_itself_is_open_to_a_signed_out_visitor(client) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="password"' in response.get_data(as_text=True)


def test_a_post_from_a_signed_out_visitor_is_sent_to_the_sign_in_page_too(client) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/customers", data={"csrf_token": token, "id": "sneaky"})

    assert response.status_code == 303
    assert login_target(response.headers["Location"]) == "/customers"


@pytest.mark.parametrize("path", ["/", "/?q=ada", "/customers/cus-1", "/new-customer"])
def test_an_htmx_request_signed_out_gets_401_and_an_hx_redirect_to_the_sign_in_page(
    client, path
) -> None:
    response = client.get(path, headers=HX)

    assert response.status_code == 401
    assert "Location" not in response.headers
    assert login_target(response.headers["HX-Redirect"]) == path
    assert response.get_data() == b""


def test_an_htmx_history_restore_signed_out_is_redirected_like_a_page_load(client) -> None:
    response = client.get("/", headers={**HX, "HX-History-Restore-Request": "true"})

    assert response.status_code == 303
    assert "HX-Redirect" not in response.headers
    assert login_target(response.headers["Location"]) == "/"


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/static/app.css", "text/css", b"{"),
        ("/static/app.js", "text/javascript", b"htmx:responseError"),
        ("/static/vendor/htmx-2.0.11.min.js", "text/javascript", b"htmx"),
    ],
)
def test_static_files_are_reachable_signed_out(client, path, content_type, marker) -> None:
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.mimetype == content_type
        assert marker in response.get_data()
