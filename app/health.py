"""Probes for a process manager or load balancer: no sign-in, no data, never cached.

``/healthz`` answers 200 while the process serves requests. ``/readyz`` answers 200 when the
database answers (and Digital River, on that backend), 503 otherwise, naming which check
failed but nothing about why."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .context import customer_service, services
from .services.errors import ServiceError
from .services.readiness import check_database

bp = Blueprint("health", __name__)

PUBLIC_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


def _probe(response: Response, status: int) -> Response:
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return _probe(jsonify(status="ok"), 200)


@bp.get("/readyz")
def readyz() -> Response:
    """The process can serve: its database (and DR, when that is the backend) answer now."""
    checks: dict[str, str] = {}
    try:
        check_database(services().engine)
        checks["database"] = "ok"
    except ServiceError:
        checks["database"] = "unavailable"
    service = customer_service()
    if service.backend_name != "local":
        try:
            service.ping()
            checks[service.backend_name] = "ok"
        except ServiceError:
            checks[service.backend_name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    body = jsonify(status="ready" if ready else "unavailable", checks=checks)
    return _probe(body, 200 if ready else 503)
