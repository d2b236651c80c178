"""What the filter forms of the list pages share."""

from __future__ import annotations

import datetime as dt

from wtforms import DateField
from wtforms.validators import ValidationError


def day_start(day: dt.date) -> dt.datetime:
    """Midnight UTC at the start of ``day``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


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
        until = (
            day_start(self.until.data + dt.timedelta(days=1))
            if self.until.data and self.until.data < dt.date.max
            else None
        )
        return since, until
