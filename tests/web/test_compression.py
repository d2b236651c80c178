"""Compressed responses: HTML, CSS and JS in br or gzip when the client asks, plain otherwise;
tiny responses, CSV exports and certificate files left alone; ETag and 304 still work."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re

import brotli
import pytest
from flask import url_for

from app import ROOT
from app.services.audit import AuditEvent
from app.services.customers import Address

from .conftest import HX, full_shipping
from .inline_helpers import PDF
from .test_inline_tax import certificate

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
# A page renders a fresh CSRF token each time: compare pages with the tokens blanked.
_TOKENS = re.compile(r'("X-CSRFToken": "|name="csrf_token" (?:type="hidden" )?value=")[^"]+')


def same_page(markup: bytes) -> str:
    return _TOKENS.sub(r"\1…", markup.decode())


@pytest.fixture
def customers(make_customer) -> None:
    """Enough customers named Smith for a search page of a few kilobytes."""
    for n in range(30):
        make_customer(
            id=f"cus-{n:02}",
            email=f"smith{n}@example.com",
            shipping=full_shipping(
                name=f"Ada Smith {n}",
                address=Address(line1=f"{n} Main Street", city="Springfield", country="US"),
            ),
        )


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_search_page_comes_back_compressed_and_decodes_to_the_same_html(
    viewer, customers, encoding
) -> None:
    plain = viewer.get("/?q=smith")
    response = viewer.get("/?q=smith", headers={"Accept-Encoding": encoding})

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.vary
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body) < len(plain.get_data()) / 3
    assert same_page(DECODE[encoding](body)) == same_page(plain.get_data())
    assert "Ada Smith 29" in same_page(plain.get_data())


def test_br_is_chosen_when_the_client_takes_both(viewer, customers) -> None:
    response = viewer.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})

    assert response.headers["Content-Encoding"] == "br"


def test_without_accept_encoding_a_page_is_plain_and_says_it_varies(viewer, customers) -> None:
    response = viewer.get("/?q=smith")

    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    assert "Accept-Encoding" in response.vary
    assert response.headers["Cache-Control"] == "no-store"


def test_an_htmx_fragment_is_compressed_and_varies_on_both_headers(viewer, customers) -> None:
    response = viewer.get("/?q=smith", headers={**HX, "Accept-Encoding": "br"})

    assert response.headers["Content-Encoding"] == "br"
    assert {"HX-Request", "Accept-Encoding"} <= set(response.vary)
    assert brotli.decompress(response.get_data()).decode().lstrip().startswith("<")


@pytest.mark.parametrize(
    ("filename", "mimetype"),
    [("app.css", "text/css"), ("app.js", "text/javascript"),
     ("vendor/htmx-2.0.11.min.js", "text/javascript")],
)  # fmt: skip
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_css_and_js_come_back_compressed(app, client, filename, mimetype, encoding) -> None:
    content = (ROOT / "static" / filename).read_bytes()

    with client.get(static_url(app, filename), headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Vary"] == "Accept-Encoding"
        assert DECODE[encoding](response.get_data()) == content


def test_a_compressed_static_file_answers_304_to_its_own_etag(app, client) -> None:
    url = static_url(app, "app.css")
    with client.get(url, headers={"Accept-Encoding": "br"}) as first:
        etag = first.headers["ETag"]
    assert etag.endswith(':br"')

    with client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.get_data() == b""

    # The plain copy has its own ETag: a cache never mixes the two.
    with client.get(url) as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.headers["ETag"] != etag
    with client.get(url, headers={"If-None-Match": plain.headers["ETag"]}) as plain_again:
        assert plain_again.status_code == 304


def test_a_tiny_response_is_not_compressed(client) -> None:
    response = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})

    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_json() == {"status": "ok"}


def test_the_csv_export_still_streams_plain_and_complete(app, client_as) -> None:
    audit = app.extensions["customer_desk"].audit
    for n in range(200):
        audit.record(
            AuditEvent(
                occurred_time=dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
                actor_username="ada",
                action="customer.update",
                customer_id=f"cus-{n}",
                note=f"event {n}",
            )
        )
    fraud = client_as("fraud")
    plain = fraud.get("/audit.csv").get_data(as_text=True)

    with fraud.get("/audit.csv", headers={"Accept-Encoding": "br, gzip"}) as response:
        assert response.status_code == 200
        assert response.is_streamed
        assert response.mimetype == "text/csv"
        assert "Content-Encoding" not in response.headers
        assert response.get_data(as_text=True) == plain
    rows = list(csv.reader(io.StringIO(plain)))
    assert rows[0][:2] == ["occurred_time", "actor"]
    assert len(rows) == 201 and len(plain) > 10_000


def test_a_certificate_download_is_sent_as_stored(client_as, service, make_customer) -> None:
    reader = client_as("fraud")  # (a viewer would reveal the customer first: test_masking)
    make_customer(id="cus-1")
    pdf = PDF.replace(b"%%EOF", b"%" + b"x" * 4000 + b"\n%%EOF")
    file_id = service.add_tax_certificate("cus-1", certificate(pdf)).tax_certificates[0].file_id

    response = reader.get(f"/customers/cus-1/files/{file_id}", headers={"Accept-Encoding": "br"})

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == pdf
