"""The fraud team's forms: the review date a disable offers, a bulk block's reason, and a
review's "keep blocked until" or lift."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import DateField, Form, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..context import blocks
from ..services.blocks import REVIEW_CHOICES, review_date
from ..services.customers import DISABLE_REASONS, ENABLE_REASONS
from ..services.errors import InvalidParameter
from ..web.widgets import FastSelectField

NOTE_MAX_LENGTH = 500


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _choices(prompt: str, reasons: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice("", prompt), *(SelectChoice(k, v) for k, v in reasons.items())]


class ReviewFields(Form):
    """When the block is to be reviewed: none, in 7, 30 or 90 days, or on a date."""

    review = FastSelectField(
        "Review by",
        choices=[SelectChoice(v, label) for v, label in REVIEW_CHOICES],
        default="",
        description="The block shows in the review queue on that day. Nothing unblocks by itself.",
        validators=[Optional()],
    )
    review_on = DateField(
        "Review date",
        validators=[Optional()],
        description="When “On a date” is chosen.",
    )

    def validate_review_on(self, field: DateField) -> None:
        try:
            review_date(self.review.data, field.data, today=blocks().today())
        except InvalidParameter as error:
            if error.parameter == "review":
                self.review.errors = [*self.review.errors, error.message]
            else:
                raise ValidationError(error.message) from None

    def review_by(self) -> dt.date | None:
        """The chosen review date (the form being valid)."""
        return review_date(self.review.data, self.review_on.data, today=blocks().today())


def reason_fields(reasons: dict[str, str], missing: str) -> type[Form]:
    """Why: a reason of ``reasons`` (``missing`` when none is chosen), and a note (required
    for Other)."""

    class Reasons(Form):
        reason = FastSelectField(
            "Reason",
            choices=_choices("Choose a reason", reasons),
            default="",
            validators=[InputRequired(missing)],
        )
        note = TextAreaField(
            "Note",
            filters=[_strip],
            description="Required when the reason is Other.",
            validators=[Length(max=NOTE_MAX_LENGTH)],
        )

        def validate_note(self, field: TextAreaField) -> None:
            if self.reason.data == "other" and not field.data:
                raise ValidationError("Say why in the note when the reason is Other.")

    return Reasons


ReasonFields = reason_fields(DISABLE_REASONS, "Choose why these customers are disabled.")
LiftFields = reason_fields(ENABLE_REASONS, "Choose why the customer is enabled again.")


class BlockForm(ReasonFields, ReviewFields, FlaskForm):
    """A bulk block: one reason and review date for every customer previewed."""


class KeepForm(FlaskForm):
    """A review that keeps the block: until when, and why."""

    until = DateField(
        "Keep blocked until",
        validators=[InputRequired("Enter the date of the next review.")],
    )
    note = TextAreaField(
        "Why it stays blocked",
        filters=[_strip],
        validators=[
            InputRequired("Say why the block stays."),
            Length(max=NOTE_MAX_LENGTH),
        ],
    )


class LiftForm(LiftFields, FlaskForm):
    """A review that lifts the block: the customer is enabled again, saying why."""
