"""Configuration: defaults, then ``FLASK_*`` environment variables, then the test mapping."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

BACKENDS = ("local", "digitalriver")

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    # Empty means the embedded SQLite file instance/customer-desk.db.
    "DATABASE_URL": "",
    "CUSTOMER_BACKEND": "local",
    "DR_API_KEY": None,
    "DR_BASE_URL": "https://api.digitalriver.com",
    "DR_CONNECT_TIMEOUT": 3.0,
    "DR_READ_TIMEOUT": 10.0,
    # Reads (and creates with an id) are retried this many times on 5xx/timeouts.
    "DR_RETRIES": 2,
    # The longest Retry-After (seconds) a request waits out before reporting a 429.
    "DR_MAX_RETRY_AFTER": 5.0,
    "SEARCH_PAGE_SIZE": 25,
    "AUDIT_PAGE_SIZE": 50,
    "PRIVACY_PAGE_SIZE": 50,
    # Four-eyes erasure: a request to be forgotten is proposed by one privacy officer and
    # carried out when a second one approves it. False: the one-step flow.
    "FORGET_FOUR_EYES": True,
    # Four-eyes unblocking: re-enabling a customer disabled for suspected fraud or account
    # takeover needs a second fraud officer's approval. Off by default.
    "UNBLOCK_FOUR_EYES": False,
    # Roles that see personal data (emails, phones, address lines, tax ids, source owners) in
    # full; a staff member holding none of them sees it masked until they reveal a customer
    # with a reason (a read-access event). Admins hold every role.
    "UNMASKED_ROLES": ["agent", "fraud", "privacy"],
    # Metadata keys whose shared value links customers (the linked-customers panel), e.g.
    # the device fingerprint a checkout stores; other keys never link.
    "LINK_METADATA_KEYS": ["deviceId", "deviceFingerprint", "ipAddress"],
    # The most rows a CSV export of a search streams.
    "EXPORT_MAX_ROWS": 100_000,
    # argon2id cost; the defaults follow RFC 9106's second recommendation.
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_COST": 65536,
    "PASSWORD_HASH_PARALLELISM": 4,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Sessions: idle timeout and absolute lifetime of a sign-in; remember-me at most this.
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_LIFETIME_HOURS": 12,
    "REMEMBER_DAYS": 30,
    # Sign-in throttling: failures before a lock, per account and per client address.
    "SIGN_IN_MAX_FAILURES": 5,
    "SIGN_IN_MAX_FAILURES_PER_ADDRESS": 20,
    # "https" behind TLS: Secure cookies and HSTS. PROXY_FIX_HOPS: how many reverse proxies
    # set X-Forwarded-For/-Proto/-Host in front of the app (0: none, headers ignored).
    "PREFERRED_URL_SCHEME": "http",
    "PROXY_FIX_HOPS": 0,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
}


class ConfigError(RuntimeError):
    """The app cannot start with this configuration; the message names the variable."""


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FLASK")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        os.makedirs(app.instance_path, exist_ok=True)
        path = Path(app.instance_path) / "customer-desk.db"
        app.config["DATABASE_URL"] = f"sqlite:///{path}"
    if not app.config["SECRET_KEY"]:
        key_file = Path(app.instance_path) / "secret_key"
        if key_file.exists():
            app.config["SECRET_KEY"] = key_file.read_text().strip()
    _derive(app.config)
    _check(app.config)


def _derive(config: Any) -> None:
    """Settings that follow from others."""
    config["REMEMBER_COOKIE_DURATION"] = dt.timedelta(days=config["REMEMBER_DAYS"])
    if config["PREFERRED_URL_SCHEME"] == "https":
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True


def _check(config: Mapping[str, Any]) -> None:
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            "FLASK_SECRET_KEY is not set: set it to a long random string "
            "(`make run` writes one to instance/secret_key)."
        )
    backend = config["CUSTOMER_BACKEND"]
    if backend not in BACKENDS:
        raise ConfigError(
            f"FLASK_CUSTOMER_BACKEND must be one of {', '.join(BACKENDS)} (got {backend!r})."
        )
    if backend == "digitalriver" and not config.get("DR_API_KEY"):
        raise ConfigError("FLASK_DR_API_KEY is required when FLASK_CUSTOMER_BACKEND=digitalriver.")
