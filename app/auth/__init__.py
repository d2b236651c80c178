"""Signing in and out, the current staff member, and permissions."""

from .views import bp, register

__all__ = ["bp", "register"]
