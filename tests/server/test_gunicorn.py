"""`make serve`: the app under gunicorn, with its probes; /readyz follows the database down and
back up, and the pool recovers by itself."""

from __future__ import annotations

import httpx

from app.services.customers import NewCustomer
from tests.conftest import PASSWORD

from .conftest import gunicorn, wait_until


def test_gunicorn_serves_the_app_and_its_probes(database_url, tmp_path) -> None:
    with gunicorn(database_url, tmp_path) as server:
        assert httpx.get(server.base_url + "/healthz").json() == {"status": "ok"}
        ready = httpx.get(server.base_url + "/readyz")
        assert (ready.status_code, ready.json()["checks"]) == (200, {"database": "ok"})
        login = httpx.get(server.base_url + "/login")
        assert login.status_code == 200 and "Sign in" in login.text
        assert "gthread" in server.output()


def test_readyz_answers_503_while_the_database_is_down_and_200_after(pg_cluster, tmp_path):
    with gunicorn(pg_cluster.url, tmp_path) as server:

        def readiness() -> int:
            return httpx.get(server.base_url + "/readyz", timeout=10).status_code

        assert readiness() == 200
        pg_cluster.stop()
        try:
            assert readiness() == 503
            assert httpx.get(server.base_url + "/healthz").status_code == 200
        finally:
            pg_cluster.start()
        wait_until(lambda: readiness() == 200)


def _sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def test_a_database_outage_is_a_503_page_and_the_app_recovers_by_itself(pg_cluster, tmp_path):
    from argon2 import PasswordHasher

    from app.services.local import LocalCustomerService, make_engine
    from app.services.staff import StaffService

    engine = make_engine(pg_cluster.url)
    StaffService(engine, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).create(
        "outage-agent", PASSWORD, ["agent"]
    )
    LocalCustomerService(engine).create(NewCustomer(id="cus-outage", email="o@example.com"))
    engine.dispose()

    with (
        gunicorn(pg_cluster.url, tmp_path) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        _sign_in(client, "outage-agent")
        edit = client.get("/customers/cus-outage/edit")
        assert edit.status_code == 200
        token = edit.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

        pg_cluster.stop()
        try:
            page = client.get("/customers/cus-outage")
            fragment = client.get("/?q=o@example.com", headers={"HX-Request": "true"})
            save = client.post(
                "/customers/cus-outage",
                data={"csrf_token": token, "version": "1", "email": "new@example.com"},
            )
        finally:
            pg_cluster.start()

        assert page.status_code == 503
        assert "The database is unreachable; nothing was changed." in page.text
        assert "<html" in page.text and page.headers["Retry-After"] == "5"
        assert fragment.status_code == 503 and "<html" not in fragment.text
        assert "The database is unreachable" in fragment.text
        assert save.status_code == 503
        assert "Internal Server Error" not in page.text + fragment.text + save.text

        wait_until(lambda: client.get("/customers/cus-outage").status_code == 200)
        assert "o@example.com" in client.get("/customers/cus-outage").text
