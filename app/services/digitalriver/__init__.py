"""The Digital River backend: the customer service on DR's Customers API."""

from .client import DigitalRiverCustomerService, build_http_client

__all__ = ["DigitalRiverCustomerService", "build_http_client"]
