"""The local backend: the customer service on a SQL database."""

from __future__ import annotations

from typing import Any

__all__ = ["LocalCustomerService", "make_engine"]


def __getattr__(name: str) -> Any:
    # Imported lazily: the audit trail uses this package's models, and the store uses the audit.
    if name == "LocalCustomerService":
        from .store import LocalCustomerService

        return LocalCustomerService
    if name == "make_engine":
        from .db import make_engine

        return make_engine
    raise AttributeError(name)
