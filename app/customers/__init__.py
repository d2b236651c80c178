"""The customers area, one blueprint: search (home), the detail page, create and edit, and the
detail page's inline changes. Each page module adds its routes to ``bp`` when imported."""

from . import detail, edit, export, inline, inline_tax, search
from .blueprint import bp

__all__ = ["bp", "detail", "edit", "export", "inline", "inline_tax", "search"]
