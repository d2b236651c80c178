"""Security headers on every response, and pages the CSP can serve unchanged: no inline
script, no inline event handlers, no inline styles; well-formed markup with unique ids."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conftest import csrf_token

from .conftest import HX, full_shipping
from .dom import SCRIPT_TAG, parse

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)


@pytest.fixture
def responses(client, client_as, make_customer) -> Iterator[dict[str, object]]:
    """One response of every kind the app produces, signed out and in, page and fragment."""
    make_customer(
        id="cus-1",
        email="ada@example.com",
        shipping=full_shipping(),
        metadata={"tier": "<script>alert(1)</script>"},
    )
    make_customer(id="cus-2", email="ADA@example.com", enabled=False)
    agent = client_as("agent")
    viewer = client_as("viewer")
    token = csrf_token(agent, "/")
    bad_login = client.post(
        "/login", data={"username": "x", "password": "y", "csrf_token": csrf_token(client)}
    )
    made = {
        "login": client.get("/login"),
        "login 422": bad_login,
        "signed-out redirect": client.get("/"),
        "signed-out htmx 401": client.get("/", headers=HX),
        "static": client.get("/static/app.js"),
        "search": agent.get("/?q=ada"),
        "search fragment": agent.get("/?q=ada", headers=HX),
        "search 422": agent.get("/?created_from=2024-02-02&created_to=2024-01-01"),
        "search with exact hit": agent.get("/?q=cus-1"),
        "detail": agent.get("/customers/cus-1"),
        "detail disabled": agent.get("/customers/cus-2"),
        "detail fragment": agent.get("/customers/cus-1", headers=HX),
        "new customer": agent.get("/new-customer"),
        "new customer fragment": agent.get("/new-customer", headers=HX),
        "create 422": agent.post("/customers", data={"csrf_token": token, "email": "x"}),
        "edit": agent.get("/customers/cus-1/edit"),
        "edit 409": agent.post(
            "/customers/cus-1", data={"csrf_token": token, "version": "0", "email": "a@b.co"}
        ),
        "400": agent.post("/customers"),
        "403": viewer.get("/new-customer"),
        "403 fragment": viewer.get("/new-customer", headers=HX),
        "404": agent.get("/customers/nope"),
        "404 fragment": agent.get("/customers/nope", headers=HX),
        "405": agent.delete("/"),
        "create 303": agent.post("/customers", data={"csrf_token": token, "id": "cus-3"}),
    }
    for response in made.values():
        response.get_data()  # read now: the static file's handle is closed at once
        response.close()
    yield made


def each(responses: dict[str, object]):
    yield from responses.items()


def test_every_response_carries_a_csp_that_allows_only_same_origin_scripts(responses) -> None:
    for name, response in each(responses):
        policy = response.headers.get("Content-Security-Policy", "")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives.get("script-src") == ["'self'"], name
        assert directives.get("object-src") == ["'none'"], name
        assert directives.get("frame-ancestors") == ["'none'"], name
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, name


def test_every_response_says_nosniff_and_same_origin_referrer(responses) -> None:
    for name, response in each(responses):
        assert response.headers.get("X-Content-Type-Options") == "nosniff", name
        assert response.headers.get("Referrer-Policy") == "same-origin", name


def html_bodies(responses: dict[str, object]):
    """The HTML the app renders (not Werkzeug's stock redirect page)."""
    for name, response in each(responses):
        if response.mimetype == "text/html" and response.get_data() and not response.location:
            yield name, response.get_data(as_text=True)


def test_the_sweep_covers_pages_and_fragments(responses) -> None:
    names = [name for name, _ in html_bodies(responses)]

    assert len(names) >= 18
    assert "search fragment" in names
    assert "404 fragment" in names


def test_no_page_or_fragment_has_an_inline_script(responses) -> None:
    for name, body in html_bodies(responses):
        for attributes, content in SCRIPT_TAG.findall(body):
            assert re.search(r'\ssrc="/static/[^"]+"', attributes), (name, attributes)
            assert content.strip() == "", (name, content[:80])
        assert len(SCRIPT_TAG.findall(body)) == body.lower().count("<script"), name


def test_no_page_has_an_inline_event_handler_or_inline_style(responses) -> None:
    for name, body in html_bodies(responses):
        assert not INLINE_HANDLER.search(body), (name, INLINE_HANDLER.search(body))
        assert not INLINE_STYLE.search(body), (name, INLINE_STYLE.search(body))


def test_user_data_is_escaped_not_executed(responses) -> None:
    detail = responses["detail"].get_data(as_text=True)

    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


def test_every_page_is_well_formed_with_unique_ids(responses) -> None:
    for name, body in html_bodies(responses):
        document = parse(body)
        assert not document.problems, (name, document.problems)
        ids = Counter(e.id for e in document.iter() if e.id)
        assert [i for i, n in ids.items() if n > 1] == [], name


def test_every_label_points_at_an_existing_control(responses) -> None:
    for name, body in html_bodies(responses):
        document = parse(body)
        ids = {e.id for e in document.iter() if e.id}
        for label in document.find_all("label"):
            assert label.get("for") in ids, (name, label.get("for"))
        for element in document.iter():
            for target in (element.get("aria-describedby") or "").split():
                assert target in ids, (name, element.tag, target)


def test_every_page_says_no_store_and_limits_what_the_browser_may_do(agent) -> None:
    response = agent.get("/")

    assert response.headers["Cache-Control"] == "no-store"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    assert len(response.headers["X-Request-ID"]) == 16


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent(app, make_staff) -> None:
    from app import create_app
    from tests.conftest import PASSWORD, csrf_token

    proxied = create_app({**app.config, "PREFERRED_URL_SCHEME": "https", "PROXY_FIX_HOPS": 1})
    try:
        client = proxied.test_client()
        forwarded = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.9",
            "Referer": "https://localhost/login",
        }
        page = client.get("/login", headers=forwarded)
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        token = csrf_token(client, "/login")
        username = make_staff("viewer")
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token, "remember": "y"},
            headers=forwarded,
        )
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies and all("Secure" in c for c in cookies)
    finally:
        proxied.extensions["customer_desk"].engine.dispose()
