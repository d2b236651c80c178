"""Requests to be forgotten: the confirmation step on a customer, and the privacy page."""

from .views import bp

__all__ = ["bp"]
