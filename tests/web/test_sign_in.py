"""Signing in (password, next target, disabled accounts) and signing out."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD, csrf_token, sign_in

from .conftest import html, login_target
from .dom import field_error

WRONG_CREDENTIALS = "That username and password do not match an active account."


def post_login(client, username: str, password: str, next_path: str | None = None, **extra):
    token = csrf_token(client, "/login")
    query = {"next": next_path} if next_path is not None else {}
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", query_string=query, data=data)


@pytest.mark.parametrize(
    ("next_path", "location"),
    [
        (None, "/"),
        ("/customers/cus-42", "/customers/cus-42"),
        ("/customers/cus-42/edit", "/customers/cus-42/edit"),
        ("/?q=ada&enabled=no", "/?q=ada&enabled=no"),
        ("//evil.example", "/"),
        ("//evil.example/customers", "/"),
        ("https://evil.example", "/"),
        ("https://evil.example/customers/cus-42", "/"),
        ("http:evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("customers/cus-42", "/"),
        ("", "/"),
    ],
)
def test_the_right_password_redirects_to_next_when_it_is_a_same_site_path(
    client, make_staff, next_path, location
) -> None:
    username = make_staff("viewer")

    response = post_login(client, username, PASSWORD, next_path)

    assert response.status_code == 303
    assert response.headers["Location"] == location


@pytest.mark.parametrize("next_path", ["/\\evil.example", "/\t/evil.example", "/\\/evil.example"])
def test_a_next_that_a_browser_would_read_as_another_host_never_leaves_the_site(
    client, make_staff, next_path
) -> None:
    username = make_staff("viewer")

    location = post_login(client, username, PASSWORD, next_path).headers["Location"]

    # What a browser does to a Location before resolving it: drop tabs and newlines, and
    # read a backslash as a slash.
    as_browser_reads = location.replace("\t", "").replace("\n", "").replace("\\", "/")
    assert urlsplit(as_browser_reads).netloc == ""
    assert not as_browser_reads.startswith("//")


def test_the_sign_in_form_posts_back_to_the_next_it_was_opened_with(client) -> None:
    form = html(client.get("/login?next=/customers/cus-7")).find("form")

    assert login_target(form.get("action")) == "/customers/cus-7"


def test_following_the_redirect_after_sign_in_lands_on_the_page_first_asked_for(
    client, make_staff, make_customer
) -> None:
    make_customer(id="cus-7", email="seven@example.com")
    username = make_staff("viewer")
    next_path = login_target(client.get("/customers/cus-7").headers["Location"])

    response = post_login(client, username, PASSWORD, next_path)
    page = client.get(response.headers["Location"])

    assert response.headers["Location"] == "/customers/cus-7"
    assert page.status_code == 200
    assert "s•••@example.com" in page.get_data(as_text=True)  # (masked for a viewer)


@pytest.mark.parametrize(
    ("username", "password", "field", "message"),
    [
        ("known", "wrong-password-123", "password", WRONG_CREDENTIALS),
        ("nobody-here", PASSWORD, "password", WRONG_CREDENTIALS),
        ("known", "", "password", "Enter your password."),
        ("", PASSWORD, "username", "Enter your username."),
    ],
)
def test_a_failed_sign_in_answers_422_with_the_error_next_to_its_field(
    client, make_staff, username, password, field, message
) -> None:
    make_staff("agent", username="known")

    response = post_login(client, username, password)

    assert response.status_code == 422
    assert field_error(html(response), field) == message


def test_a_wrong_password_keeps_the_username_and_never_echoes_the_password(
    client, make_staff
) -> None:
    username = make_staff("agent")

    response = post_login(client, username, "hunter2-but-longer")
    page = html(response)

    assert page.by_id("username").get("value") == username
    assert page.by_id("password").get("value") in (None, "")
    assert "hunter2-but-longer" not in response.get_data(as_text=True)
    assert client.get("/").status_code == 303


def test_a_wrong_password_keeps_the_next_target_for_the_second_attempt(client, make_staff) -> None:
    username = make_staff("agent")

    form = html(post_login(client, username, "wrong-password-1", "/new-customer")).find("form")

    assert login_target(form.get("action")) == "/new-customer"


def test_disabled_staff_cannot_sign_in(client, make_staff, staff) -> None:
    username = make_staff("viewer")
    staff.set_active(username, False)

    response = post_login(client, username, PASSWORD)

    assert response.status_code == 422
    assert field_error(html(response), "password") == WRONG_CREDENTIALS
    assert client.get("/").status_code == 303


def test_disabling_a_signed_in_staff_member_ends_their_session(client, make_staff, staff) -> None:
    username = make_staff("agent")
    sign_in(client, username)
    assert client.get("/").status_code == 200

    staff.set_active(username, False)
    response = client.get("/")

    assert response.status_code == 303
    assert login_target(response.headers["Location"]) == "/"


def test_a_signed_in_visit_to_the_sign_in_page_goes_to_search(client, make_staff) -> None:
    sign_in(client, make_staff("viewer"))

    response = client.get("/login")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_session_cookie_is_http_only_and_same_site_lax(client, make_staff) -> None:
    username = make_staff("viewer")

    response = post_login(client, username, PASSWORD)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")
    ).lower()

    assert "httponly" in cookie
    assert "samesite=lax" in cookie


@pytest.mark.parametrize(("remember", "expected"), [("y", True), (None, False)])
def test_keep_me_signed_in_sets_the_remember_cookie_only_when_ticked(
    client, make_staff, remember, expected
) -> None:
    username = make_staff("viewer")
    extra = {"remember": remember} if remember else {}

    response = post_login(client, username, PASSWORD, **extra)
    cookies = response.headers.getlist("Set-Cookie")

    assert any(c.startswith("remember_token=") for c in cookies) is expected


def test_sign_out_is_a_post_with_csrf_that_ends_the_session(client, make_staff) -> None:
    sign_in(client, make_staff("agent"))
    token = csrf_token(client, "/")

    response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "You are signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 303
    assert client.get("/", headers={"HX-Request": "true"}).status_code == 401


def test_sign_out_without_a_csrf_token_is_refused_and_the_session_stays(client, make_staff) -> None:
    sign_in(client, make_staff("agent"))

    response = client.post("/logout")

    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_sign_out_by_get_is_not_allowed(client, make_staff) -> None:
    sign_in(client, make_staff("agent"))

    response = client.get("/logout")

    assert response.status_code == 405
    assert client.get("/").status_code == 200
