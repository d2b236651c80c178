"""Static files under content-hashed names: every rendered static URL names its content and is
cached for a year; other names still work, revalidated each time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, url_for

from app import ROOT, assets
from app.errors import render_outage

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"^/static/(?:[\w-]+/)*[\w.-]+\.[0-9a-f]{12}\.(?:css|js)$")


def static_urls(markup: str) -> list[str]:
    return STATIC_URL.findall(markup)


def bare_app(folder: Path, *, debug: bool = False) -> Flask:
    """A Flask app serving ``folder`` as its static files, hashed as Customer Desk does."""
    app = Flask(__name__, static_folder=str(folder))
    app.debug = debug
    assets.install(app)
    return app


def url_of(app: Flask, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "vendor").mkdir(parents=True)
    (static / "app.css").write_text("body { color: black; }\n")
    (static / "vendor" / "lib-1.2.min.js").write_text("void 0;\n")
    return static


# -- the names ---------------------------------------------------------------------------------


def test_the_hash_goes_before_the_extension_and_follows_the_content() -> None:
    one = assets.hashed_name("vendor/lib-1.2.min.js", b"a")

    assert re.fullmatch(r"vendor/lib-1\.2\.min\.[0-9a-f]{12}\.js", one)
    assert assets.hashed_name("vendor/lib-1.2.min.js", b"a") == one
    assert assets.hashed_name("vendor/lib-1.2.min.js", b"b") != one
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{12}", assets.hashed_name("LICENSE", b"a"))


def test_the_url_changes_when_the_file_content_changes(folder: Path) -> None:
    before = url_of(bare_app(folder), "app.css")
    assert url_of(bare_app(folder), "app.css") == before

    (folder / "app.css").write_text("body { color: navy; }\n")
    after = url_of(bare_app(folder), "app.css")

    assert after != before
    assert re.fullmatch(r"/static/app\.[0-9a-f]{12}\.css", after)
    assert url_of(bare_app(folder), "vendor/lib-1.2.min.js").startswith("/static/vendor/lib-1.2.")


def test_the_hashes_are_computed_once_when_the_app_is_built(folder: Path) -> None:
    app = bare_app(folder)
    before = url_of(app, "app.css")

    (folder / "app.css").write_text("body { color: navy; }\n")

    assert url_of(app, "app.css") == before


def test_hidden_files_are_not_hashed(folder: Path) -> None:
    (folder / ".gitkeep").write_text("")

    assert ".gitkeep" not in assets.build_manifest(folder).hashed


def test_with_debug_the_plain_names_are_used(folder: Path) -> None:
    assert url_of(bare_app(folder, debug=True), "app.css") == "/static/app.css"


# -- serving -----------------------------------------------------------------------------------


def test_a_hashed_url_is_cached_for_a_year_and_immutable(folder: Path) -> None:
    app = bare_app(folder)

    with app.test_client().get(url_of(app, "app.css")) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.get_data() == (folder / "app.css").read_bytes()


def test_an_unhashed_url_works_but_is_revalidated(folder: Path) -> None:
    app = bare_app(folder)

    with app.test_client().get("/static/app.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.get_data() == (folder / "app.css").read_bytes()


def test_a_stale_hash_serves_the_current_file_without_caching_it_for_a_year(folder: Path) -> None:
    stale = url_of(bare_app(folder), "app.css")
    (folder / "app.css").write_text("body { color: navy; }\n")
    app = bare_app(folder)
    assert url_of(app, "app.css") != stale

    with app.test_client().get(stale) as response:
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert "max-age" not in response.headers["Cache-Control"]
        assert response.get_data() == b"body { color: navy; }\n"


def test_an_unknown_file_is_404_hashed_or_not(folder: Path) -> None:
    client = bare_app(folder).test_client()

    assert client.get("/static/nope.css").status_code == 404
    assert client.get("/static/nope.0123456789ab.css").status_code == 404


# -- the app's pages ---------------------------------------------------------------------------


@pytest.fixture
def admin(client_as):
    return client_as("admin")


@pytest.mark.parametrize(
    "path", ["/", "/?q=ada", "/customers/cus-1", "/customers/cus-1/edit", "/customers/new",
             "/audit", "/privacy", "/admin", "/customers/no-such-customer"],
)  # fmt: skip
def test_every_static_url_on_a_page_is_hashed_and_answers_200(
    app, admin, make_customer, path
) -> None:
    make_customer(id="cus-1", email="ada@example.com")

    markup = admin.get(path).get_data(as_text=True)

    urls = static_urls(markup)
    assert len(urls) == 3, urls
    for url in urls:
        assert HASHED.match(url), url
        with admin.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == IMMUTABLE
    assert "<script>" not in markup


def test_the_sign_in_page_uses_hashed_urls(client) -> None:
    urls = static_urls(client.get("/login").get_data(as_text=True))

    assert urls and all(HASHED.match(url) for url in urls)
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200


def test_the_outage_page_uses_the_hashed_stylesheet(app, client) -> None:
    with app.test_request_context("/"):
        markup = render_outage().get_data(as_text=True)

    urls = static_urls(markup)
    assert urls and all(HASHED.match(url) for url in urls)
    with client.get(urls[0]) as response:
        assert response.status_code == 200
        assert response.get_data() == (ROOT / "static" / "app.css").read_bytes()


def test_a_static_file_carries_no_session_and_pages_stay_uncached(admin) -> None:
    page = admin.get("/")
    url = static_urls(page.get_data(as_text=True))[0]

    with admin.get(url) as response:
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.vary
    assert page.headers["Cache-Control"] == "no-store"
    assert "Cookie" in page.vary
