"""The audit trail: every change and failed attempt, filtered, paged and exported as CSV."""

from .views import bp

__all__ = ["bp"]
