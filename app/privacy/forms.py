"""The confirmation form of a request to be forgotten, and the privacy page's filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..services.customers import CUSTOMER_ID_MAX_LENGTH
from ..services.privacy import STATUSES, ForgetQuery
from ..web.filters import DayRangeFilters
from ..web.widgets import FastSelectField

FILTER_KEYS = ("customer", "requested_by", "status", "since", "until")
REASON_MAX_LENGTH = 500


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ForgetForm(FlaskForm):
    """Type the customer id exactly, and say why (a reason or a ticket reference)."""

    confirm_id = StringField(
        "Type the customer id to confirm",
        filters=[_strip],
        validators=[
            DataRequired("Type the customer id exactly as shown above."),
            Length(max=CUSTOMER_ID_MAX_LENGTH),
        ],
    )
    reason = TextAreaField(
        "Reason or ticket reference",
        filters=[_strip],
        validators=[
            DataRequired("Give the reason or the ticket reference of the request."),
            Length(max=REASON_MAX_LENGTH),
        ],
    )

    def check_id(self, customer_id: str) -> bool:
        """Whether the typed id is exactly the customer's; if not, say so next to the field."""
        if self.confirm_id.data == customer_id:
            return True
        if self.confirm_id.data:
            self.confirm_id.errors = [
                *self.confirm_id.errors,
                f"That is not this customer's id: type {customer_id} exactly. Nothing changed.",
            ]
        return False


class PrivacyFilterForm(DayRangeFilters, FlaskForm):
    """Which customer, who asked, status and when."""

    class Meta:
        csrf = False

    customer = StringField(
        "Customer id", filters=[_strip], validators=[Optional(), Length(max=CUSTOMER_ID_MAX_LENGTH)]
    )
    requested_by = StringField(
        "Requested by (username)", filters=[_strip], validators=[Optional(), Length(max=64)]
    )
    status = FastSelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(code, label) for code, label in STATUSES.items()],
        default="",
    )
    since = DateField("From (UTC)", validators=[Optional()])
    until = DateField("To (UTC)", validators=[Optional()])

    def __init__(self, formdata: Mapping[str, str]) -> None:
        super().__init__(formdata)

    def query(
        self, *, after: tuple[dt.datetime, int] | None = None, limit: int = 50
    ) -> ForgetQuery:
        """The filters as a query; both dates are whole UTC days, the end day included."""
        since, until = self.day_range()
        return ForgetQuery(
            customer_id=self.customer.data or None,
            requested_by=self.requested_by.data or None,
            status=self.status.data or None,
            since=since,
            until=until,
            after=after,
            limit=limit,
        )
