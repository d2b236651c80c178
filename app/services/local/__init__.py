"""The local backend: the customer service on a SQL database."""

from .db import make_engine
from .store import LocalCustomerService

__all__ = ["LocalCustomerService", "make_engine"]
