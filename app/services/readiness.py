"""Whether the console's own database answers now (readiness probes, outage pages)."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from .errors import BackendUnavailable


def check_database(engine: Engine) -> None:
    """Return when the database answers a query now; BackendUnavailable when it does not."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        raise BackendUnavailable(
            "The database is unreachable; nothing was changed.", code="database_unavailable"
        ) from error


__all__ = ["check_database"]
