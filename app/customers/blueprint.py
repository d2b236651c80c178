"""The customers blueprint, which every page module of the area adds its routes to, and the
area's template filter for times."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint

from ..web.filters import relative_time
from ..web.urls import customer_url

bp = Blueprint("customers", __name__)


@bp.app_template_filter("when")
def format_when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


bp.add_app_template_filter(relative_time, "ago")
bp.add_app_template_global(customer_url, "customer_url")
