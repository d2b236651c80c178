"""The search box and its filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..web.widgets import FastSelectField
from .form_base import LOCALES, TYPES, select_choices, strip

TRISTATE = select_choices(("", "Any"), ("yes", "Yes"), ("no", "No"))
# The query-string parameters that define a search (for links that keep it).
SEARCH_KEYS = ("q", "enabled", "type", "locale", "forget", "created_from", "created_to")


class SearchForm(FlaskForm):
    """The search box and its filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Search", filters=[strip], validators=[Optional(), Length(max=320)])
    enabled = FastSelectField(
        "Enabled",
        choices=select_choices(("", "Any"), ("yes", "Enabled"), ("no", "Disabled")),
        default="",
    )
    type = FastSelectField("Type", choices=select_choices(("", "Any"), *TYPES), default="")
    locale = FastSelectField("Locale", choices=select_choices(("", "Any"), *LOCALES), default="")
    forget = FastSelectField("Forget requested", choices=TRISTATE, default="")
    created_from = DateField("Created from", validators=[Optional()])
    created_to = DateField("Created to", validators=[Optional()])

    def validate_created_to(self, field: DateField) -> None:
        if field.data and self.created_from.data and field.data < self.created_from.data:
            raise ValidationError("The end date is before the start date.")
