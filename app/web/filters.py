"""What the filter forms of the list pages share, and the template filter that shows a time
relative to now ("3 days ago") with the absolute UTC time on hover."""

from __future__ import annotations

import datetime as dt

from flask import g, has_app_context
from markupsafe import Markup
from wtforms import DateField
from wtforms.validators import ValidationError

# (seconds in the unit, its name), largest first; a month is 30 days, a year 365.
_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)
_TIME = Markup('<time datetime="{}" title="{}">{}</time>')


def request_now() -> dt.datetime:
    """One "now" per request (every relative time of a page is measured from the same
    moment, and the clock is read once)."""
    if not has_app_context():
        return dt.datetime.now(dt.UTC)
    now = g.get("relative_now")
    if now is None:
        now = g.relative_now = dt.datetime.now(dt.UTC)
    return now


def relative_text(moment: dt.datetime, now: dt.datetime) -> str:
    """``moment`` from ``now`` in words: "just now", "3 days ago", "in 2 hours"."""
    seconds = (now - moment).total_seconds()
    distance = abs(seconds)
    for size, unit in _UNITS:
        if distance >= size:
            count = int(distance // size)
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"{words} ago" if seconds > 0 else f"in {words}"
    return "just now"


def relative_time(value: dt.datetime | None, now: dt.datetime | None = None) -> Markup:
    """A ``<time>`` reading "3 days ago" whose title is the absolute UTC time; nothing for
    None. A naive time is taken as UTC (the store keeps UTC)."""
    if value is None:
        return Markup("")
    moment = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    text = relative_text(moment, now or request_now())
    return _TIME.format(moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M UTC"), text)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight UTC at the start of ``day``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def day_after(day: dt.date) -> dt.datetime | None:
    """Midnight UTC at the end of ``day``, the bound of a range that includes it; None for
    the last day of the calendar (9999-12-31), after which nothing can be."""
    return day_start(day + dt.timedelta(days=1)) if day < dt.date.max else None


class DayRangeFilters:
    """For a filter form with the date fields ``since`` and ``until`` (each form declares
    them, so its fields keep their order): whole UTC days, the end day included."""

    since: DateField
    until: DateField

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")

    def day_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The start of ``since`` and the end of ``until`` (None where a date is not set, or
        where the day after ``until`` does not exist)."""
        since = day_start(self.since.data) if self.since.data else None
        until = day_after(self.until.data) if self.until.data else None
        return since, until
