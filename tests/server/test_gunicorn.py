"""`make serve`: the app under gunicorn, with its probes; /readyz follows the database down and
back up, and the pool recovers by itself."""

from __future__ import annotations

import httpx

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
