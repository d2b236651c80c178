"""Fixtures shared by every test layer.

The database is SQLite by default. With ``TEST_DATABASE_URL`` set (a PostgreSQL URL) the
whole suite runs on PostgreSQL instead; ``.ci/run`` runs it both ways."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.migrate import upgrade
from app.services.audit_chain import GENESIS
from app.services.local.db import make_engine
from app.services.staff import ROLES

pytest_plugins = ["tests.emulator.fixtures"]

PASSWORD = "correct-horse-battery"
BACKENDS = ("local", "digitalriver")
TABLES = (
    "sign_in_throttle",
    "staff_sessions",
    "forget_requests",
    "forget_proposals",
    "read_access_events",
    "customer_links",
    "unblock_proposals",
    "customer_blocks",
    "block_batch_items",
    "block_batches",
    "audit_events",
    "audit_chain",
    "tax_certificates",
    "tax_identifiers",
    "sources",
    "files",
    "customers",
    "staff",
)


TESTS = Path(__file__).resolve().parent
# Digital River's customers live in the API (here its emulator), not in the database: the
# tests of that backend and of the emulator itself run on one engine, SQLite. What they keep
# in the database (staff, sessions, the audit trail) goes through the same code as the local
# store's tests, which run on PostgreSQL too. Deselected there, not skipped, so they never
# count as passed on PostgreSQL; TEST_ALL_ON_POSTGRESQL=1 runs them there as well.
ONE_ENGINE_DIRECTORIES = (TESTS / "digitalriver", TESTS / "emulator_tests")


def runs_on_digital_river(item: pytest.Item) -> bool:
    """Whether the test is about the Digital River backend (or its emulator) alone."""
    if any(folder in item.path.parents for folder in ONE_ENGINE_DIRECTORIES):
        return True
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("backend") == "digitalriver":
        return True
    return "dr_emulator" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("TEST_DATABASE_URL") or os.environ.get("TEST_ALL_ON_POSTGRESQL") == "1":
        return
    dropped = [item for item in items if runs_on_digital_river(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        kept = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in kept]


@pytest.fixture(scope="session")
def engine_name() -> str:
    """Which database engine this run uses: sqlite or postgresql."""
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> str:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    if engine_name == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    upgrade(url)
    return url


@pytest.fixture
def database_url(_migrated: str, engine_name: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if engine_name == "sqlite":
        path = tmp_path / "desk.db"
        shutil.copyfile(_migrated.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    engine = make_engine(_migrated)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        connection.execute(
            text(f"INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '{GENESIS}')")
        )
    engine.dispose()
    yield _migrated


@pytest.fixture
def backend() -> str:
    """The customer backend of the app under test; parametrise it (indirect) to run a test
    on Digital River's API through the emulator as well as on the local store."""
    return "local"


@pytest.fixture
def backend_config(backend: str, request: pytest.FixtureRequest) -> dict[str, object]:
    """App settings for the chosen backend; the DR backend talks to a fresh emulator."""
    if backend == "local":
        return {"CUSTOMER_BACKEND": "local"}
    emulator = request.getfixturevalue("dr_emulator")
    return {
        "CUSTOMER_BACKEND": "digitalriver",
        "DR_BASE_URL": emulator.base_url,
        "DR_API_KEY": request.getfixturevalue("dr_api_key"),
        "DR_CONNECT_TIMEOUT": 1.0,
        "DR_READ_TIMEOUT": 1.0,
        "DR_MAX_RETRY_AFTER": 2.0,
    }


@pytest.fixture
def extra_config() -> dict[str, object]:
    """Settings a test module adds to the app's (override the fixture). Requests to be
    forgotten take one step unless a module turns four-eyes erasure (the default) back on."""
    return {"FORGET_FOUR_EYES": False}


@pytest.fixture
def app(
    database_url: str,
    tmp_path: Path,
    backend_config: dict[str, object],
    extra_config: dict[str, object],
) -> Iterator[Flask]:
    """The app on a fresh database, CSRF protection on."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            # A cheaper argon2id so tests stay quick; still the same scheme.
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_COST": 1024,
            "PASSWORD_HASH_PARALLELISM": 1,
            **backend_config,
            **extra_config,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    services = app.extensions["customer_desk"]
    erasure = getattr(services.customers, "erasure", None)
    if erasure is not None:  # a background VACUUM after a forget (PostgreSQL) ends first
        erasure.wait(timeout=120)
    services.engine.dispose()
    http = getattr(services.customers, "http", None)
    if http is not None:
        http.close()


@pytest.fixture
def service(app: Flask):
    """The app's customer service."""
    return app.extensions["customer_desk"].customers


@pytest.fixture
def staff(app: Flask):
    """The app's staff service."""
    return app.extensions["customer_desk"].staff


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A signed-out test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page renders for this client's session."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or re.search(
        r'"X-CSRFToken": "([^"]+)"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)


@pytest.fixture
def make_staff(staff) -> Callable[..., str]:
    """Create a staff account holding ``roles``; returns its username."""
    counter = iter(range(1, 10_000))

    def make(*roles: str, username: str | None = None) -> str:
        name = username or f"{'-'.join(roles) or 'none'}{next(counter)}"
        staff.create(name, PASSWORD, roles, display_name=name.title())
        return name

    return make


@pytest.fixture
def client_as(app: Flask, make_staff) -> Callable[..., FlaskClient]:
    """A test client signed in as a new staff member with ``roles``."""

    def signed_in(*roles: str) -> FlaskClient:
        client = app.test_client()
        sign_in(client, make_staff(*roles))
        return client

    return signed_in


@pytest.fixture(params=ROLES)
def any_role(request: pytest.FixtureRequest) -> str:
    """Each role in turn."""
    return request.param


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free local port for the length of one test; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
