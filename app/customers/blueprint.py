"""The customers blueprint, which every page module of the area adds its routes to, and the
area's template filter for times."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint

bp = Blueprint("customers", __name__)


@bp.app_template_filter("when")
def format_when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
