"""Search, detail, create and edit pages for customers."""

from .views import bp

__all__ = ["bp"]
