"""The audit filters (a GET form: no CSRF token) and their mapping to an AuditQuery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..services.audit import ACTIONS, SYSTEM, AuditQuery
from ..services.customers import CUSTOMER_ID_MAX_LENGTH
from ..services.staff import Staff
from ..web.filters import DayRangeFilters
from ..web.widgets import FastSelectField

FILTER_KEYS = ("actor", "action", "customer", "batch", "since", "until")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AuditFilterForm(DayRangeFilters, FlaskForm):
    """Who, what, which customer and when."""

    class Meta:
        csrf = False

    actor = FastSelectField("Staff member", default="")
    action = FastSelectField(
        "Action",
        choices=[SelectChoice("", "Any action")]
        + [SelectChoice(code, label) for code, label in ACTIONS.items()],
        default="",
    )
    customer = StringField(
        "Customer id",
        filters=[_strip],
        validators=[Optional(), Length(max=CUSTOMER_ID_MAX_LENGTH)],
    )
    batch = StringField("Bulk block", filters=[_strip], validators=[Optional(), Length(max=32)])
    since = DateField("From (UTC)", validators=[Optional()])
    until = DateField("To (UTC)", validators=[Optional()])

    def __init__(self, formdata: Mapping[str, str], *, staff: Iterable[Staff]) -> None:
        super().__init__(formdata)
        choices = [SelectChoice("", "Anyone")]
        choices += [
            SelectChoice(s.username, f"{s.display_name} ({s.username})")
            for s in sorted(staff, key=lambda s: s.username)
        ]
        choices.append(SelectChoice(SYSTEM.username, f"{SYSTEM.display_name} (CLI, seed)"))
        # A link may name someone no longer listed (an account renamed away, say): keep it.
        wanted = self.actor.data
        if wanted and wanted not in {c.value for c in choices}:
            choices.append(SelectChoice(wanted, wanted))
        self.actor.choices = choices

    def query(self, *, after: tuple[dt.datetime, int] | None = None, limit: int = 50) -> AuditQuery:
        """The filters as a query; both dates are whole UTC days, the end day included."""
        since, until = self.day_range()
        return AuditQuery(
            actor=self.actor.data or None,
            action=self.action.data or None,
            customer_id=self.customer.data or None,
            batch_id=self.batch.data or None,
            since=since,
            until=until,
            after=after,
            limit=limit,
        )
