"""The probes: /healthz (process up) and /readyz (database, and DR on that backend), open to
signed-out callers, without data, never cached."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from app.services.readiness import check_database


def test_healthz_answers_signed_out_without_data(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_answers_ready_when_the_database_answers(client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_answers_503_when_the_database_does_not(client, app, monkeypatch) -> None:
    engine = app.extensions["customer_desk"].engine

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(engine, "connect", refuse)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
    assert "refused" not in response.get_data(as_text=True)


def test_check_database_says_unavailable_in_plain_words(app, monkeypatch) -> None:
    from app.services.errors import BackendUnavailable

    engine = app.extensions["customer_desk"].engine
    monkeypatch.setattr(
        engine, "connect", lambda: (_ for _ in ()).throw(OperationalError("x", {}, Exception()))
    )
    with pytest.raises(BackendUnavailable, match="database is unreachable"):
        check_database(engine)
