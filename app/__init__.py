"""Customer Desk: the Flask application factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from flask import Flask, Response, abort, request

from . import config
from .context import Services
from .extensions import csrf, login_manager
from .services.customers import CustomerService

ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, services, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    config.load(app, test_config)
    app.extensions["customer_desk"] = _build_services(app)

    csrf.init_app(app)
    login_manager.init_app(app)

    from . import admin, audit, auth, customers, errors, health, privacy
    from .cli import register_cli

    app.register_blueprint(auth.bp)
    app.register_blueprint(customers.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(health.bp)
    errors.register(app)
    auth.register(app)
    register_cli(app)

    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No valid input holds a NUL byte, and PostgreSQL refuses one even in a comparison.
        values = request.values.items(multi=True)
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in values):
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


def _build_services(app: Flask) -> Services:
    from .services.audit import AuditLog
    from .services.local import LocalCustomerService, make_engine
    from .services.privacy import PrivacyLog
    from .services.sessions import SessionPolicy, SessionStore
    from .services.staff import StaffService
    from .services.throttle import SignInThrottle, ThrottlePolicy

    engine = make_engine(app.config["DATABASE_URL"])
    hasher = PasswordHasher(
        time_cost=app.config["PASSWORD_HASH_TIME_COST"],
        memory_cost=app.config["PASSWORD_HASH_MEMORY_COST"],
        parallelism=app.config["PASSWORD_HASH_PARALLELISM"],
    )
    audit = AuditLog(engine)
    customers: CustomerService
    if app.config["CUSTOMER_BACKEND"] == "digitalriver":
        from .services.digitalriver import DigitalRiverCustomerService, build_http_client

        key = app.config["DR_API_KEY"]
        http = build_http_client(
            app.config["DR_BASE_URL"],
            key,
            timeout=httpx.Timeout(
                app.config["DR_READ_TIMEOUT"], connect=app.config["DR_CONNECT_TIMEOUT"]
            ),
        )
        customers = DigitalRiverCustomerService(
            http,
            live_mode=not key.startswith("sk_test_"),
            retries=app.config["DR_RETRIES"],
            max_retry_after=app.config["DR_MAX_RETRY_AFTER"],
            audit=audit,
        )
    else:
        customers = LocalCustomerService(engine, audit)
    return Services(
        engine=engine,
        customers=customers,
        staff=StaffService(engine, hasher),
        audit=audit,
        privacy=PrivacyLog(engine),
        sessions=SessionStore(
            engine,
            SessionPolicy(
                idle=dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]),
                lifetime=dt.timedelta(hours=app.config["SESSION_LIFETIME_HOURS"]),
                remember=dt.timedelta(days=app.config["REMEMBER_DAYS"]),
            ),
        ),
        throttle=SignInThrottle(
            engine,
            ThrottlePolicy(
                account_limit=app.config["SIGN_IN_MAX_FAILURES"],
                address_limit=app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
            ),
        ),
    )
