"""Customer Desk: the Flask application factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from flask import Flask

from . import assets, config, middleware
from .context import Services
from .extensions import csrf, login_manager
from .services.customers import CustomerService
from .web import urls, widgets

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, services, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    config.load(app, test_config)
    widgets.install()
    app.extensions["customer_desk"] = _build_services(app)

    csrf.init_app(app)
    login_manager.init_app(app)

    from . import admin, audit, auth, customers, errors, health, privacy
    from .cli import register_cli
    from .fraud.views import bp as fraud_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(customers.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(fraud_bp)
    app.register_blueprint(health.bp)
    errors.register(app)
    auth.register(app)
    register_cli(app)

    middleware.install(app)
    assets.install(app)
    urls.install(app)
    return app


def _build_services(app: Flask) -> Services:
    from .services.audit import AuditLog
    from .services.blocks import Batches, Blocks
    from .services.local import LocalCustomerService, make_engine
    from .services.privacy import PrivacyLog
    from .services.proposals import ForgetProposals
    from .services.reads import ReadAccessLog
    from .services.recent import RecentViews
    from .services.sessions import SessionPolicy, SessionStore
    from .services.staff import StaffService
    from .services.throttle import SignInThrottle, ThrottlePolicy
    from .services.unblocks import UnblockProposals

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
        recent=RecentViews(engine),
        proposals=ForgetProposals(engine, audit, app.config["CUSTOMER_BACKEND"]),
        reads=ReadAccessLog(engine),
        blocks=Blocks(engine, audit, app.config["CUSTOMER_BACKEND"]),
        batches=Batches(engine, app.config["CUSTOMER_BACKEND"]),
        unblocks=UnblockProposals(engine, audit, app.config["CUSTOMER_BACKEND"]),
    )
