"""Helpers for the inline-change tests: submit a form of the customer page as a browser would
(with or without htmx), and make the records those forms act on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.services.audit import Actor
from app.services.local.models import SourceRow

from .conftest import HX, html
from .dom import Element, form_values, parse

MALLORY = Actor(99, "mallory", "Mallory Smith")


def detail(client: FlaskClient, customer_id: str = "cus-1") -> Element:
    """The customer page as a tree."""
    response = client.get(f"/customers/{customer_id}")
    assert response.status_code == 200
    return html(response)


def form_at(page: Element, action: str) -> Element:
    """The form posting to ``action``."""
    return page.find("form", action=action)


def submit(
    client: FlaskClient,
    form: Element,
    changes: dict[str, Any] | None = None,
    *,
    htmx: bool = False,
    drop: tuple[str, ...] = (),
) -> Any:
    """Post ``form`` with what it holds, changed by ``changes`` (a tuple value is a file)."""
    values: dict[str, Any] = {**form_values(form), **(changes or {})}
    for name in drop:
        values.pop(name, None)
    headers = HX if htmx else {}
    if not any(isinstance(v, tuple) for v in values.values()):
        return client.post(form.get("action"), data=values, headers=headers)
    # Encode a multipart body in memory: the test client spools a large one to a temporary
    # file it never closes (a ResourceWarning, which this suite treats as an error).
    fields = {
        k: FileStorage(stream=v[0], filename=v[1]) if isinstance(v, tuple) else v
        for k, v in values.items()
    }
    boundary, body = encode_multipart(fields)
    return client.post(
        form.get("action"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def post(
    client: FlaskClient, page: Element, action: str, changes: dict | None = None, **kw: Any
) -> Any:
    """Submit the form of ``page`` that posts to ``action``."""
    return submit(client, form_at(page, action), changes, **kw)


def swapped(response: Any) -> tuple[Element, Element | None]:
    """The main element of an htmx answer and its out-of-band flash (if any)."""
    document = parse(response.get_data(as_text=True))
    assert not document.problems, document.problems
    elements = document.elements
    flash = next((e for e in elements if e.get("hx-swap-oob")), None)
    main = [e for e in elements if e is not flash]
    assert len(main) == 1, [e.tag for e in main]
    return main[0], flash


def source(
    source_id: str,
    customer_id: str | None = None,
    *,
    type_: str = "creditCard",
    state: str = "chargeable",
    brand: str | None = "Visa",
    last_four: str | None = "1111",
) -> SourceRow:
    """A payment source row (sources exist before they are attached)."""
    return SourceRow(
        id=source_id,
        customer_id=customer_id,
        type=type_,
        state=state,
        reusable=customer_id is not None,
        brand=brand,
        last_four=last_four,
        expiration_month=12 if brand else None,
        expiration_year=2030 if brand else None,
        created_time=dt.datetime(2025, 1, 1) + dt.timedelta(minutes=len(source_id)),
    )


def raising(error: Exception) -> Callable[..., Any]:
    """A stand-in service method that fails with ``error``."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


def versions(root: Element) -> set[str]:
    """The customer versions the forms under ``root`` are based on."""
    return {
        i.get("value") or ""
        for i in root.find_all("input", type="hidden")
        if i.get("name") == "version"
    }


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
