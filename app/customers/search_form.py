"""The search box and its filters."""

from __future__ import annotations

from collections.abc import Container

from flask_wtf import FlaskForm
from wtforms import DateField, Field, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..services.terms import SearchSyntaxError, parse_terms
from ..web.widgets import FastSelectField
from .form_base import LOCALES, TYPES, select_choices, strip

TRISTATE = select_choices(("", "Any"), ("yes", "Yes"), ("no", "No"))
# The filters beside the box, in the order the page shows them.
FILTERS = ("enabled", "type", "locale", "forget", "created_from", "created_to")
# The query-string parameters that define a search (for links that keep it); the order is
# not a filter (it narrows nothing, so it does not count as one).
SEARCH_KEYS = ("q", *FILTERS, "order")
ORDERS = select_choices(("", "Newest first"), ("oldest", "Oldest first"))


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
    order = FastSelectField("Order", choices=ORDERS, default="")

    def filters(self) -> list[Field]:
        """The filter fields, in page order."""
        return [self[name] for name in FILTERS]

    def active_filters(self, unavailable: Container[str] = ()) -> list[str]:
        """The filters given a value (valid or not), leaving out those the backend cannot
        apply: the page shows those disabled, and the search ignores them."""
        return [
            name
            for name in FILTERS
            if name not in unavailable and any(str(v).strip() for v in self[name].raw_data or ())
        ]

    def filter_errors(self) -> bool:
        """Whether a filter was refused (the disclosure must then show it)."""
        return any(self[name].errors for name in FILTERS)

    def validate_q(self, field: StringField) -> None:
        """A malformed qualifier (``last4:42``, ``created:yesterday``) is refused here, with
        how to write it, before any backend is asked."""
        if field.data:
            try:
                parse_terms(field.data)
            except SearchSyntaxError as error:
                raise ValidationError(error.message) from None

    def validate_created_to(self, field: DateField) -> None:
        if field.data and self.created_from.data and field.data < self.created_from.data:
            raise ValidationError("The end date is before the start date.")
