"""Staff administration (admin only)."""

from .views import bp

__all__ = ["bp"]
