"""What every request goes through: the reverse proxy's headers, a request id, a log line
without personal data, refused NUL bytes, the security headers, and compression."""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

from flask import Flask, Response, abort, current_app, g, request
from flask_compress import Compress
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .context import services
from .services.local.db import close_scope, open_scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "hid=(), midi=(), accelerometer=(), gyroscope=(), magnetometer=(), display-capture=()"
)
HSTS = "max-age=31536000; includeSubDomains"
# An incoming X-Request-ID (from a proxy) is kept when it is this tame; otherwise a new one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_log = logging.getLogger("customer_desk.requests")

# Flask-Compress: HTML, CSS and JS (and JSON, SVG) in br or gzip, as the client asks, with
# `Vary: Accept-Encoding` on every response. Never a streamed response (the CSV exports go out
# row by row; a compressor would hold rows back); static files are read whole (app/assets.py)
# so they compress like pages and keep their ETag and 304 (the ETag gains `:br`/`:gzip`). Not
# certificate files or images either: PDF, PNG and JPEG are compressed already. Under 1 KB a
# response fits in one packet anyway.
COMPRESSION = {
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_BR_LEVEL": 4,
}


def install(app: Flask) -> None:
    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    _configure_logging(app)
    # First of all the request hooks, whenever this is installed: the sign-in gate, which
    # resumes the staff member's session, then reads on the request's one connection too.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, _start)
    # Then input no view could handle, before anything reads the form (the CSRF check).
    hooks.insert(1, _refuse_nul_bytes)
    app.after_request(_finish)
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    # Registered after _finish, so it runs before it: the log line records the final status
    # (a compressed static file may turn into a 304).
    Compress(app)
    app.teardown_request(_end)


def _configure_logging(app: Flask) -> None:
    if not request_log.handlers and not app.testing:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        request_log.addHandler(handler)
        request_log.propagate = False
    request_log.setLevel(logging.INFO)
    # The development server's own request lines carry query strings (search terms are
    # personal data): keep its lines, without the query.
    logging.getLogger("werkzeug").addFilter(_strip_query_strings)


def _strip_query_strings(record: logging.LogRecord) -> bool:
    if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
        line = record.args[0]
        if line.count(" ") >= 2 and "?" in line:
            method, rest = line.split(" ", 1)
            target, _, protocol = rest.rpartition(" ")
            record.args = (f"{method} {target.split('?', 1)[0]} {protocol}", *record.args[1:])
    return True


def _start() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
    g.started = time.perf_counter()
    # One database connection for the whole request, opened when first needed.
    g.db_scope = open_scope(services().engine)


def _end(_error: BaseException | None) -> None:
    scope = g.pop("db_scope", None)
    if scope is not None:
        close_scope(scope)
    # The customers opened lately, noted in memory, go to the database now and then.
    services = current_app.extensions.get("customer_desk")
    if services is not None:
        services.recent.flush_if_due()


def _refuse_nul_bytes() -> None:
    # No valid input holds a NUL byte, and PostgreSQL refuses one even in a comparison. A
    # multipart part whose name Werkzeug cannot read (a line break in it) has no name at all.
    values = request.values.items(multi=True)
    if "\x00" in request.path or any(k is None or "\x00" in k or "\x00" in v for k, v in values):
        abort(400)


_SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def _finish(response: Response) -> Response:
    headers = response.headers
    # What the view set itself wins; the rest is added in one go (a setdefault per header
    # would look through the headers each time).
    present = {name.lower() for name, _value in headers}
    added = [(k, v) for k, v in _SECURITY_HEADERS if k.lower() not in present]
    if request.endpoint != "static" and "cache-control" not in present:
        # Pages show personal data: no browser or proxy keeps a copy.
        added.append(("Cache-Control", "no-store"))
    if request.is_secure and "strict-transport-security" not in present:
        added.append(("Strict-Transport-Security", HSTS))
    request_id = g.get("request_id")
    if request_id and "x-request-id" not in present:
        added.append(("X-Request-ID", request_id))
    headers.extend(added)
    if request_id:
        _log(response, request_id)
    return response


def _log(response: Response, request_id: str) -> None:
    """One line: method, route (the rule, not the path: no ids, no query), status, time,
    staff id and request id."""
    rule = request.url_rule.rule if request.url_rule is not None else "-"
    took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    staff = _staff_id()
    request_log.info(
        "%s %s %s %.1fms staff=%s rid=%s",
        request.method,
        rule,
        response.status_code,
        took,
        staff,
        request_id,
    )


def _staff_id() -> str:
    """The signed-in staff member's id as already loaded for this request (never a lookup:
    the database may be why this request failed)."""
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return str(current_user.staff.id)


__all__ = ["install"]
