"""What the filter forms of the list pages share."""

from __future__ import annotations

import datetime as dt

from wtforms import DateField
from wtforms.validators import ValidationError


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
