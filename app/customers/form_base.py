"""What every customer form builds on: choices, input clean-up, the customer version a form
carries, and the base of the detail page's inline forms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Regexp

from ..services.customers import CUSTOMER_TYPES, SUPPORTED_LOCALES, Customer
from ..services.errors import ServiceError


def select_choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


TYPES = [(t, t.capitalize()) for t in CUSTOMER_TYPES]
LOCALES = [(code, code) for code in sorted(SUPPORTED_LOCALES)]


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


# A customer version as forms carry it: ASCII digits, small enough for a 64-bit column (the
# local store counts from 1; on DR it is a 56-bit fingerprint of what the forms change).
VERSION_PATTERN = r"^[0-9]{1,18}$"
VERSION_MISSING = (
    "This form does not say which version of the customer it edits; reload the page and try again."
)
VERSION_NOT_A_NUMBER = (
    "The customer version of this form is not a number; reload the page and try again."
)


def parse_version(value: object) -> int | None:
    """The version a form was based on, or None when it is missing or not a version."""
    text = value if isinstance(value, str) else ""
    return int(text) if re.fullmatch(VERSION_PATTERN, text) else None


# A row index as forms render them: ASCII digits, few enough for any list a page shows.
ROW_INDEX_PATTERN = re.compile(r"[0-9]{1,6}")


class RowList(FieldList):
    """A FieldList that takes only rows a page could have rendered: ``name-<index>-…`` with an
    index of ASCII digits. A row it cannot read (``metadata-²-key``, a 5,000-digit index) or
    more rows than ``max_entries`` are refused with a message next to the list, rather than
    failing, or dropping what was typed without a word."""

    def _rows(self, formdata: Iterable[str]) -> Iterator[tuple[str, int | None]]:
        """Each posted name of a row of this list, with its index (None when unreadable)."""
        start = self.name + self._separator
        for key in formdata:
            if key.startswith(start):
                index = key[len(start) :].split(self._field_separator, 1)[0]
                yield key, int(index) if ROW_INDEX_PATTERN.fullmatch(index) else None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        rows = list(self._rows(formdata)) if formdata else []
        self.unreadable = [key for key, index in rows if index is None]
        indices = {index for _, index in rows if index is not None}
        self.overflow = bool(self.max_entries) and len(indices) > self.max_entries
        super().process(formdata, data, extra_filters)

    def _extract_indices(self, prefix: str, formdata: Any) -> Iterator[int]:
        return (index for _, index in self._rows(formdata) if index is not None)

    @property
    def full(self) -> bool:
        return bool(self.max_entries) and len(self.entries) >= self.max_entries

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        valid = super().validate(form, extra_validators)
        refusals = []
        if self.unreadable:
            name = self.unreadable[0]
            shown = name if len(name) <= 40 else f"{name[:37]}…"
            refusals.append(
                f"The form sent a row this page never shows ({shown}); nothing was saved. "
                "Reload the page and try again."
            )
        if self.overflow:
            refusals.append(
                f"The form sent more than {self.max_entries} rows, more than it holds; "
                "nothing was saved. Reload the page and try again."
            )
        if refusals:
            self.errors = [*self.errors, *refusals]
            return False
        return valid


class InlineForm(FlaskForm):
    """Base of the detail page's inline forms: each carries the customer version it was based
    on. CSRFProtect checks every POST app-wide (token field or X-CSRFToken header), so these
    forms render the token themselves, without an id, and skip WTForms' second check."""

    class Meta:
        csrf = False

    version = HiddenField(
        validators=[
            InputRequired(VERSION_MISSING),
            Regexp(VERSION_PATTERN, message=VERSION_NOT_A_NUMBER),
        ]
    )

    submit_label = "Save"
    # What the user has to do again after a failure, beyond pressing the button.
    retry_note = ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.form_errors_extra: list[str] = []
        # A refusal shown as a banner: a stale version, or the backend failing.
        self.problem: ServiceError | None = None
        self.problem_kind: str | None = None
        # For a failed button-only action (detach, make default, remove): where "Try again"
        # posts; None means the form itself is resubmitted.
        self.retry_url: str | None = None
        # Shown open although nothing went wrong (after "Add row").
        self.keep_open = False

    def based_on(self, customer: Customer | None) -> InlineForm:
        if customer is not None:
            self.version.data = str(customer.version)
        return self

    def expected_version(self) -> int | None:
        return parse_version(self.version.data)

    @property
    def general_errors(self) -> list[str]:
        """Errors that belong to no visible field."""
        return [*self.version.errors, *self.form_errors_extra]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.form_errors_extra or self.problem)

    def apply_service_error(self, error: ServiceError, fields: Mapping[str, str]) -> None:
        """Put each of the backend's errors next to its field (by DR parameter, or by prefix
        ending in '.'); the rest above the form."""
        for detail in error.errors:
            parameter = detail.parameter or ""
            name = fields.get(parameter) or next(
                (f for p, f in fields.items() if p.endswith(".") and parameter.startswith(p)),
                None,
            )
            field = getattr(self, name, None) if name else None
            if field is not None:
                field.errors = [*field.errors, detail.message]
            else:
                self.form_errors_extra.append(detail.message)

    def refuse(self, error: ServiceError, kind: str) -> None:
        self.problem, self.problem_kind = error, kind

    def suffix_ids(self, suffix: str) -> None:
        """Make the controls' ids unique where several copies of the form share a page."""
        for field in self:
            field.id = f"{field.id}-{suffix}"
            field.label.field_id = field.id
