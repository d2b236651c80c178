"""Under gunicorn, over real HTTP: pages and static files compressed as the client asks, static
files under hashed names cached for a year, and the CSV export still streamed, uncompressed."""

from __future__ import annotations

import re

import httpx
from argon2 import PasswordHasher

from app import ROOT
from app.services.local import make_engine
from app.services.staff import StaffService
from tests.conftest import PASSWORD

from .conftest import gunicorn

STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_pages_and_static_files_are_compressed_and_static_files_cached(database_url, tmp_path):
    with gunicorn(database_url, tmp_path) as server, httpx.Client(base_url=server.base_url) as c:
        login = c.get("/login", headers={"Accept-Encoding": "br"})
        assert login.headers["Content-Encoding"] == "br"
        assert "Sign in" in login.text  # httpx decodes br (brotli is installed)

        urls = STATIC_URL.findall(login.text)
        assert len(urls) == 3
        for url in urls:
            static = c.get(url, headers={"Accept-Encoding": "gzip"})
            assert static.status_code == 200
            assert static.headers["Content-Encoding"] == "gzip"
            assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert static.headers["Vary"] == "Accept-Encoding"
            assert "Set-Cookie" not in static.headers
            name = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", url.removeprefix("/static/"))
            assert static.content == (ROOT / "static" / name).read_bytes()


def test_the_csv_export_streams_in_chunks_uncompressed(database_url, tmp_path) -> None:
    engine = make_engine(database_url)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    StaffService(engine, hasher).create("csv-fraud", PASSWORD, ["fraud"])
    engine.dispose()

    with gunicorn(database_url, tmp_path) as server, httpx.Client(base_url=server.base_url) as c:
        token = re.search(
            r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', c.get("/login").text
        )
        assert token
        signed_in = c.post(
            "/login",
            data={"username": "csv-fraud", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed_in.status_code == 303

        with c.stream("GET", "/audit.csv", headers={"Accept-Encoding": "br, gzip"}) as export:
            assert export.status_code == 200
            assert export.headers["Content-Type"].startswith("text/csv")
            assert "Content-Encoding" not in export.headers
            assert export.headers["Transfer-Encoding"] == "chunked"
            body = export.read().decode()
    assert body.startswith("occurred_time,actor,")
