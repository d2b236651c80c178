"""Error pages (full page or htmx fragment) and the mapping of domain errors to statuses."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import htmx
from .services.errors import BackendRefused, BackendUnavailable, CustomerNotFound

TITLES = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Sign in required", "Sign in to continue."),
    403: (
        "Not allowed",
        "Your role does not allow this action. Ask an administrator if you need it.",
    ),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    409: ("Conflict", "The change clashes with what is stored now. Reload and try again."),
    413: ("Too large", "The upload is larger than the app accepts."),
    422: ("Check the form", "Some values need your attention."),
    500: (
        "Something went wrong",
        "The error was logged. Try again, or tell the team if it persists.",
    ),
    502: ("Backend error", "The customer backend answered with an error. Try again in a moment."),
    503: ("Unavailable", "The customer backend is unavailable. Try again in a moment."),
}


def render_error(
    status: int, message: str | None = None, request_id: str | None = None
) -> Response:
    """Render the error page, or just its fragment for htmx."""
    title, default = TITLES.get(status, TITLES[500])
    template = "errors/_error.html" if htmx.is_htmx() else "errors/error.html"
    body = render_template(
        template, status=status, title=title, message=message or default, request_id=request_id
    )
    return htmx.vary(Response(body, status=status))


OUTAGE_MESSAGE = "The database is unreachable; nothing was changed."


def render_outage() -> Response:
    """The 503 page (or fragment) of a database outage, rendered without touching the
    database: straight from the template, past the context processors (which would load the
    signed-in staff member)."""
    template = "errors/_outage.html" if htmx.is_htmx() else "errors/outage.html"
    body = current_app.jinja_env.get_template(template).render(
        message=OUTAGE_MESSAGE,
        request_id=g.get("request_id", "-"),
        stylesheet=url_for("static", filename="app.css"),
    )
    response = htmx.vary(Response(body, status=503, mimetype="text/html"))
    response.headers["Retry-After"] = "5"
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        return render_error(
            400, "The form expired or came from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        message = None if status in TITLES else error.description
        response = render_error(status, message)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # RFC 9110: a 405 names the methods the address accepts.
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(CustomerNotFound)
    def _not_found(error: CustomerNotFound) -> Response:
        return render_error(404, error.message)

    @app.errorhandler(BackendUnavailable)
    def _unavailable(error: BackendUnavailable) -> Response:
        return render_error(503, error.message, error.request_id)

    @app.errorhandler(BackendRefused)
    def _refused(error: BackendRefused) -> Response:
        return render_error(502, error.message, error.request_id)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def _database_down(error: Exception) -> Response:
        app.logger.warning("database unreachable: %s", type(error).__name__)
        return render_outage()

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        return render_error(500)
