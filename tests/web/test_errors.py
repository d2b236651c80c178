"""Error pages: a full page for a page load, the #error fragment for htmx."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, abort

from app.services.errors import BackendRefused, BackendUnavailable
from tests.conftest import csrf_token

from .conftest import HX, html
from .dom import fragment_root

SECRET = "db-password=hunter2 at /srv/secret/path"


@pytest.fixture
def app(app: Flask) -> Flask:
    """The app plus test-only routes that fail on purpose (added before any request)."""

    def abort_with(code: int) -> Any:
        abort(code)

    def boom() -> Any:
        raise RuntimeError(SECRET)

    app.add_url_rule("/_test/abort/<int:code>", "test_abort", abort_with)
    app.add_url_rule("/_test/boom", "test_boom", boom)
    return app


def fails_with(service, monkeypatch, error: Exception) -> None:
    def raise_it(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(service, "get", raise_it)


Trigger = Callable[..., Any]

CASES: list[tuple[str, int, str, str, Trigger]] = [
    (
        "csrf",
        400,
        "Bad request",
        "The form expired or came from elsewhere.",
        lambda c, **_: c["agent"].post("/customers", data={"id": "x"}, headers=c["headers"]),
    ),
    (
        "role",
        403,
        "Not allowed",
        "Your role does not allow this action.",
        lambda c, **_: c["viewer"].get("/new-customer", headers=c["headers"]),
    ),
    (
        "unknown-customer",
        404,
        "Not found",
        "Customer 'nope' not found.",
        lambda c, **_: c["agent"].get("/customers/nope", headers=c["headers"]),
    ),
    (
        "unknown-address",
        404,
        "Not found",
        "There is nothing at this address.",
        lambda c, **_: c["agent"].get("/no/such/page", headers=c["headers"]),
    ),
    (
        "method",
        405,
        "Not allowed",
        "This address does not accept that kind of request.",
        lambda c, **_: c["agent"].delete("/", headers=c["headers"]),
    ),
    (
        "conflict",
        409,
        "Conflict",
        "The change clashes with what is stored now.",
        lambda c, **_: c["agent"].get("/_test/abort/409", headers=c["headers"]),
    ),
    (
        "too-large",
        413,
        "Too large",
        "The upload is larger than the app accepts.",
        lambda c, **_: c["agent"].post(
            "/customers", data={"email": "x" * 2000}, headers=c["headers"]
        ),
    ),
    (
        "unprocessable",
        422,
        "Check the form",
        "Some values need your attention.",
        lambda c, **_: c["agent"].get("/_test/abort/422", headers=c["headers"]),
    ),
    (
        "unexpected",
        500,
        "Something went wrong",
        "The error was logged.",
        lambda c, **_: c["agent"].get("/_test/boom", headers=c["headers"]),
    ),
    (
        "service-crash",
        500,
        "Something went wrong",
        "The error was logged.",
        lambda c, service, monkeypatch: (
            fails_with(service, monkeypatch, RuntimeError(SECRET)),
            c["agent"].get("/customers/any", headers=c["headers"]),
        )[1],
    ),
    (
        "backend-refused",
        502,
        "Backend error",
        "The backend refused the API key.",
        lambda c, service, monkeypatch: (
            fails_with(service, monkeypatch, BackendRefused(request_id="req-502")),
            c["agent"].get("/customers/any", headers=c["headers"]),
        )[1],
    ),
    (
        "backend-unavailable",
        503,
        "Unavailable",
        "The customer backend is unavailable.",
        lambda c, service, monkeypatch: (
            fails_with(service, monkeypatch, BackendUnavailable(request_id="req-503")),
            c["agent"].get("/customers/any", headers=c["headers"]),
        )[1],
    ),
]


@pytest.fixture
def clients(app, client_as) -> dict[str, Any]:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    return {"agent": client_as("agent"), "viewer": client_as("viewer")}


@pytest.mark.parametrize(
    ("status", "title", "message", "trigger"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_an_error_on_a_page_load_renders_the_full_error_page(
    clients, service, monkeypatch, status, title, message, trigger
) -> None:
    response = trigger({**clients, "headers": {}}, service=service, monkeypatch=monkeypatch)

    assert response.status_code == status
    assert "<html" in response.get_data(as_text=True)
    main = html(response).by_id("main")
    assert main.find("h1").text == f"{title} ({status})"
    assert message in main.text
    assert main.find("a").get("href") == "/"
    assert "HX-Request" in response.vary


@pytest.mark.parametrize(
    ("status", "title", "message", "trigger"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_an_error_on_an_htmx_request_renders_the_error_fragment(
    clients, service, monkeypatch, status, title, message, trigger
) -> None:
    response = trigger({**clients, "headers": HX}, service=service, monkeypatch=monkeypatch)

    assert response.status_code == status
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "error"
    assert root.get("role") == "alert"
    assert root.find("h2").text == title
    assert message in root.text
    assert "HX-Request" in response.vary


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_the_500_page_does_not_leak_the_exception_text(clients, headers, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="app"):
        response = clients["agent"].get("/_test/boom", headers=headers)

    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "hunter2" not in body
    assert "RuntimeError" not in body
    assert "Traceback" not in body
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert logged, "the exception must be logged"


def test_a_service_crash_on_the_detail_page_does_not_leak_the_exception_text(
    clients, service, monkeypatch
) -> None:
    fails_with(service, monkeypatch, RuntimeError(SECRET))

    response = clients["agent"].get("/customers/any")

    assert response.status_code == 500
    assert "hunter2" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("error", "request_id"), [(BackendRefused, "req-502"), (BackendUnavailable, "req-503")]
)
def test_a_backend_failure_shows_the_request_id_for_support(
    clients, service, monkeypatch, error, request_id
) -> None:
    fails_with(service, monkeypatch, error(request_id=request_id))

    main = html(clients["agent"].get("/customers/any")).by_id("main")

    assert main.find("code").text == request_id


def test_a_405_names_the_methods_the_address_accepts(clients) -> None:
    response = clients["agent"].delete("/")

    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allowed
    assert "DELETE" not in allowed


def test_a_405_on_a_form_address_allows_post(clients) -> None:
    token = csrf_token(clients["agent"], "/")

    response = clients["agent"].put("/customers", data={"csrf_token": token})

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
