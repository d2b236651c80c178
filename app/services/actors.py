"""Who makes a change: a staff member, or the system."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a staff member, or the system (CLI, seed)."""

    id: int | None
    username: str
    display_name: str = ""


SYSTEM = Actor(None, "system", "System")

__all__ = ["SYSTEM", "Actor"]
