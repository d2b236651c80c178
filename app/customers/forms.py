"""Forms for searching, creating and editing customers, and their mapping to service values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from ..services.customers import (
    CUSTOMER_ID_MAX_LENGTH,
    CUSTOMER_TYPES,
    DISABLE_REASONS,
    METADATA_MAX_KEY_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_MAX_VALUE_LENGTH,
    SUPPORTED_LOCALES,
    TAX_CERTIFICATE_MAX_BYTES,
    TAX_IDENTIFIER_TYPES,
    US_STATES,
    AdditionalAddressInfo,
    Address,
    Customer,
    CustomerUpdate,
    NewCustomer,
    NewTaxCertificate,
    Shipping,
)
from ..services.errors import ServiceError
from ..services.rules import file_type

BLANK_METADATA_ROWS = 3


def _choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


TYPES = [(t, t.capitalize()) for t in CUSTOMER_TYPES]
LOCALES = [(code, code) for code in sorted(SUPPORTED_LOCALES)]
TYPE_CHOICES = _choices(("", "Not set"), *TYPES)
LOCALE_CHOICES = _choices(("", "Not set"), *LOCALES)
TRISTATE = _choices(("", "Any"), ("yes", "Yes"), ("no", "No"))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SearchForm(FlaskForm):
    """The search box and its filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Search", filters=[_strip], validators=[Optional(), Length(max=320)])
    enabled = SelectField(
        "Enabled", choices=_choices(("", "Any"), ("yes", "Enabled"), ("no", "Disabled")), default=""
    )
    type = SelectField("Type", choices=_choices(("", "Any"), *TYPES), default="")
    locale = SelectField("Locale", choices=_choices(("", "Any"), *LOCALES), default="")
    forget = SelectField("Forget requested", choices=TRISTATE, default="")
    created_from = DateField("Created from", validators=[Optional()])
    created_to = DateField("Created to", validators=[Optional()])

    def validate_created_to(self, field: DateField) -> None:
        if field.data and self.created_from.data and field.data < self.created_from.data:
            raise ValidationError("The end date is before the start date.")


class MetadataRow(Form):
    key = StringField("Key", filters=[_strip], validators=[Optional(), Length(max=40)])
    value = StringField("Value", validators=[Optional(), Length(max=500)])


# Form field name for each DR parameter (dotted path), so backend errors land on their field.
PARAMETER_FIELDS = {
    "id": "id",
    "email": "email",
    "type": "type",
    "locale": "locale",
    "shipping.name": "ship_name",
    "shipping.phone": "ship_phone",
    "shipping.email": "ship_email",
    "shipping.organization": "ship_organization",
    "shipping.address.line1": "line1",
    "shipping.address.line2": "line2",
    "shipping.address.city": "city",
    "shipping.address.postalCode": "postal_code",
    "shipping.address.state": "state",
    "shipping.address.country": "country",
    "shipping.additionalAddressInfo.neighborhood": "neighborhood",
    "shipping.additionalAddressInfo.division": "division",
    "shipping.additionalAddressInfo.phoneticName": "phonetic_name",
}


# A customer version as forms carry it: ASCII digits, small enough for a 64-bit column (the
# local store counts from 1; on DR it is updatedTime in seconds with six fingerprint digits).
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


class CustomerForm(FlaskForm):
    """Every editable field of a customer; ``id`` only on create."""

    id = StringField(
        "Customer id",
        filters=[_strip],
        description=f"Optional. At most {CUSTOMER_ID_MAX_LENGTH} characters; "
        "leave empty to have one generated. It cannot be changed later.",
    )
    version = HiddenField()
    # The id this form uses when the id field is left empty, fixed when the form is first
    # shown, so a repeated submit (after a timeout, say) can never create a second customer.
    draft_id = HiddenField()
    email = StringField("Email", filters=[_strip])
    type = SelectField("Type", choices=TYPE_CHOICES, default="")
    locale = SelectField("Locale", choices=LOCALE_CHOICES, default="")
    ship_name = StringField("Name", filters=[_strip])
    ship_phone = StringField("Phone", filters=[_strip])
    ship_email = StringField("Shipping email", filters=[_strip])
    ship_organization = StringField("Organization", filters=[_strip])
    line1 = StringField("Address line 1", filters=[_strip])
    line2 = StringField("Address line 2", filters=[_strip])
    city = StringField("City", filters=[_strip])
    postal_code = StringField("Postal code", filters=[_strip])
    state = StringField("State / region", filters=[_strip])
    country = StringField(
        "Country",
        filters=[_strip, lambda v: v.upper() if isinstance(v, str) else v],
        description="Two-letter ISO code, e.g. US. Required when any address field is set.",
    )
    neighborhood = StringField("Neighborhood", filters=[_strip])
    division = StringField("Division", filters=[_strip])
    phonetic_name = StringField("Phonetic name", filters=[_strip])
    metadata = FieldList(FormField(MetadataRow), min_entries=0, max_entries=METADATA_MAX_KEYS + 5)

    def __init__(self, *args: object, creating: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            del self.id
            del self.draft_id
        self.form_errors_extra: list[str] = []
        self.already_created: str | None = None
        self.backend_problem: ServiceError | None = None

    def validate(self, extra_validators: object = None) -> bool:
        """The fields' own checks; an edit must also say which version it was based on (a
        save without one could overwrite a change it never saw)."""
        valid = super().validate(extra_validators)  # type: ignore[arg-type]
        if not self.creating and self.expected_version() is None:
            self.form_errors_extra.append(
                VERSION_NOT_A_NUMBER if self.version.data else VERSION_MISSING
            )
            return False
        return valid

    # -- filling -------------------------------------------------------------------------------

    def fill_from(self, customer: Customer) -> None:
        self.version.data = str(customer.version)
        self.email.data = customer.email or ""
        self.type.data = customer.type or ""
        self.locale.data = customer.locale or ""
        s = customer.shipping
        self.ship_name.data = s.name or ""
        self.ship_phone.data = s.phone or ""
        self.ship_email.data = s.email or ""
        self.ship_organization.data = s.organization or ""
        self.line1.data = s.address.line1 or ""
        self.line2.data = s.address.line2 or ""
        self.city.data = s.address.city or ""
        self.postal_code.data = s.address.postal_code or ""
        self.state.data = s.address.state or ""
        self.country.data = s.address.country or ""
        self.neighborhood.data = s.additional_address_info.neighborhood or ""
        self.division.data = s.additional_address_info.division or ""
        self.phonetic_name.data = s.additional_address_info.phonetic_name or ""
        while self.metadata.entries:
            self.metadata.pop_entry()
        for key, value in customer.metadata.items():
            self.metadata.append_entry({"key": key, "value": value})

    def add_blank_metadata_rows(self) -> None:
        room = METADATA_MAX_KEYS - len(self.metadata.entries)
        for _ in range(max(0, min(BLANK_METADATA_ROWS, room))):
            self.metadata.append_entry({"key": "", "value": ""})

    # -- reading -------------------------------------------------------------------------------

    def shipping(self) -> Shipping | None:
        shipping = Shipping(
            name=self.ship_name.data or None,
            phone=self.ship_phone.data or None,
            email=self.ship_email.data or None,
            organization=self.ship_organization.data or None,
            address=Address(
                line1=self.line1.data or None,
                line2=self.line2.data or None,
                city=self.city.data or None,
                postal_code=self.postal_code.data or None,
                state=self.state.data or None,
                country=self.country.data or None,
            ),
            additional_address_info=AdditionalAddressInfo(
                neighborhood=self.neighborhood.data or None,
                division=self.division.data or None,
                phonetic_name=self.phonetic_name.data or None,
            ),
        )
        return None if shipping.is_empty() else shipping

    def metadata_rows(self) -> dict[str, str]:
        rows: dict[str, str] = {}
        for entry in self.metadata.entries:
            key = entry.form.key.data
            if key:
                rows[key] = entry.form.value.data or ""
        return rows

    def validate_metadata(self, field: FieldList) -> None:
        seen: set[str] = set()
        for entry in field.entries:
            key = entry.form.key.data
            if not key and entry.form.value.data:
                entry.form.key.errors = [*entry.form.key.errors, "Give this value a key."]
                raise ValidationError("A metadata value has no key.")
            if key in seen:
                entry.form.key.errors = [*entry.form.key.errors, "This key appears twice."]
                raise ValidationError(f"The key '{key}' appears twice.")
            if key:
                seen.add(key)
        if len(seen) > METADATA_MAX_KEYS:
            raise ValidationError(f"At most {METADATA_MAX_KEYS} metadata keys.")

    def new_customer(self) -> NewCustomer:
        return NewCustomer(
            id=self.id.data or self.draft_id.data or None,
            email=self.email.data or None,
            shipping=self.shipping(),
            type=self.type.data or None,
            locale=self.locale.data or None,
            metadata={k: v for k, v in self.metadata_rows().items() if v},
        )

    def changes(self, current: Customer) -> CustomerUpdate:
        """The update: every field as the form shows it; metadata keys removed from the form
        are sent with an empty value, which removes them."""
        metadata = self.metadata_rows()
        for key in current.metadata:
            metadata.setdefault(key, "")
        return CustomerUpdate(
            email=self.email.data or None,
            shipping=self.shipping(),
            type=self.type.data or None,
            locale=self.locale.data or None,
            metadata=metadata,
        )

    def expected_version(self) -> int | None:
        return parse_version(self.version.data)

    # -- errors --------------------------------------------------------------------------------

    def apply_service_error(self, error: ServiceError) -> None:
        """Put each of the backend's errors next to its field; the rest above the form."""
        for detail in error.errors:
            name = PARAMETER_FIELDS.get(detail.parameter or "")
            if detail.parameter and detail.parameter.startswith("metadata"):
                name = "metadata"
            field = getattr(self, name, None) if name else None
            if field is not None:
                if isinstance(field.errors, tuple):
                    field.errors = list(field.errors)
                field.errors.append(detail.message)
            else:
                self.form_errors_extra.append(detail.message)


def search_args(args: Mapping[str, str]) -> dict[str, str]:
    """The query-string parameters that define a search (for links that keep it)."""
    keys = ("q", "enabled", "type", "locale", "forget", "created_from", "created_to")
    return {k: args[k] for k in keys if args.get(k)}


# -- inline forms of the detail page --------------------------------------------------------


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


DISABLE_REASON_CHOICES = _choices(("", "Choose a reason"), *DISABLE_REASONS.items())


class DisableForm(InlineForm):
    """Disable a customer: why, and a note (required for Other)."""

    reason = SelectField(
        "Reason",
        choices=DISABLE_REASON_CHOICES,
        default="",
        id="disable-reason",
        validators=[InputRequired("Choose why the customer is disabled.")],
    )
    note = TextAreaField(
        "Note",
        id="disable-note",
        filters=[_strip],
        description="Required when the reason is Other.",
        validators=[Length(max=500)],
    )
    place = HiddenField(default="detail")
    submit_label = "Disable"

    def validate_note(self, field: TextAreaField) -> None:
        if self.reason.data == "other" and not field.data:
            raise ValidationError("Say why in the note when the reason is Other.")


class EnableForm(InlineForm):
    """Enable a customer again: one button."""

    place = HiddenField(default="detail")
    submit_label = "Enable"


class AttachSourceForm(InlineForm):
    """Attach an existing, chargeable source by its id."""

    source_id = StringField(
        "Source id",
        id="attach-source-id",
        filters=[_strip],
        description="A chargeable, reusable source that belongs to no customer yet.",
        validators=[InputRequired("Enter the id of the source to attach."), Length(max=64)],
    )
    submit_label = "Attach source"


TAX_IDENTIFIER_CHOICES = _choices(("", "Choose a type"), *((t, t) for t in TAX_IDENTIFIER_TYPES))


class TaxIdentifierForm(InlineForm):
    """Add a tax identifier (one per type)."""

    type = SelectField(
        "Type",
        choices=TAX_IDENTIFIER_CHOICES,
        default="",
        id="taxid-type",
        validators=[InputRequired("Choose a tax identifier type.")],
    )
    value = StringField(
        "Value",
        id="taxid-value",
        filters=[_strip],
        description="As issued, e.g. DE123456789.",
        validators=[InputRequired("Enter the tax identifier."), Length(max=64)],
    )
    submit_label = "Add tax identifier"


TAX_AUTHORITY_CHOICES = _choices(("", "Choose a state"), *((s, s) for s in US_STATES))
MB = 1024 * 1024


class TaxCertificateForm(InlineForm):
    """Add a US tax-exemption certificate with its file (PDF, JPG or PNG, at most 10 MB)."""

    company_name = StringField(
        "Company name",
        id="taxcert-company",
        filters=[_strip],
        validators=[InputRequired("Enter the company name."), Length(max=255)],
    )
    tax_authority = SelectField(
        "Tax authority",
        choices=TAX_AUTHORITY_CHOICES,
        default="",
        id="taxcert-authority",
        validators=[InputRequired("Choose the US state that issued the certificate.")],
    )
    start_date = DateField(
        "Valid from",
        id="taxcert-start",
        validators=[InputRequired("Enter the first day the certificate is valid.")],
    )
    end_date = DateField(
        "Valid until",
        id="taxcert-end",
        validators=[InputRequired("Enter the last day the certificate is valid.")],
    )
    file = FileField(
        "Certificate file",
        id="taxcert-file",
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
        description=f"PDF, JPG or PNG, at most {TAX_CERTIFICATE_MAX_BYTES // MB} MB.",
        validators=[FileRequired("Choose the certificate file.")],
    )
    submit_label = "Add certificate"
    retry_note = "Choose the file again: a browser never keeps a chosen file across a reply."

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.content: bytes = b""

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError("The end date must be after the start date.")

    def validate_file(self, field: FileField) -> None:
        self.content = field.data.read() if field.data else b""
        if len(self.content) > TAX_CERTIFICATE_MAX_BYTES:
            raise ValidationError(
                f"The file is {len(self.content) / MB:.1f} MB; "
                f"at most {TAX_CERTIFICATE_MAX_BYTES // MB} MB."
            )
        if file_type(self.content) is None:
            raise ValidationError("The file must be a PDF, JPG or PNG document.")

    def new_certificate(self) -> NewTaxCertificate:
        def midnight(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)

        raw_name = (self.file.data.filename or "") if self.file.data else ""
        file_name = raw_name.replace("\\", "/").rsplit("/", 1)[-1][-255:]
        return NewTaxCertificate(
            company_name=self.company_name.data or "",
            tax_authority=self.tax_authority.data or "",
            start_date=midnight(self.start_date.data),
            end_date=midnight(self.end_date.data),
            file_name=file_name,
            content=self.content,
        )


class MetadataEditRow(Form):
    # The key this row showed when the page was rendered ("" for a new row): changing or
    # clearing the key removes that one; other keys are never touched.
    original = HiddenField()
    key = StringField(
        "Key",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=METADATA_MAX_KEY_LENGTH, message="At most %(max)d characters."),
        ],
    )
    value = StringField(
        "Value",
        validators=[
            Optional(),
            Length(max=METADATA_MAX_VALUE_LENGTH, message="At most %(max)d characters."),
        ],
    )


class MetadataForm(InlineForm):
    """The customer's metadata as key/value rows; an empty value removes a key."""

    metadata = FieldList(FormField(MetadataEditRow), min_entries=0, max_entries=100)
    submit_label = "Save metadata"

    def fill_from(self, customer: Customer) -> MetadataForm:
        while self.metadata.entries:
            self.metadata.pop_entry()
        for key, value in sorted(customer.metadata.items()):
            self.metadata.append_entry({"original": key, "key": key, "value": value})
        self.add_blank_row()
        return self

    def add_blank_row(self) -> None:
        self.metadata.append_entry({"original": "", "key": "", "value": ""})

    def validate_metadata(self, field: FieldList) -> None:
        seen: set[str] = set()
        for entry in field.entries:
            row = entry.form
            key, original = row.key.data or "", row.original.data or ""
            if not key and not original and row.value.data:
                row.key.errors = [*row.key.errors, "Give this value a key."]
                raise ValidationError("A metadata value has no key.")
            if key and not original and not row.value.data:
                row.value.errors = [*row.value.errors, "Give the new key a value."]
                raise ValidationError(f"The new key '{key}' has no value.")
            if key in seen:
                row.key.errors = [*row.key.errors, "This key appears twice."]
                raise ValidationError(f"The key '{key}' appears twice.")
            if key:
                seen.add(key)

    def changes(self, current: Mapping[str, str]) -> dict[str, str]:
        """What differs from ``current``: changed and new keys with their value, removed or
        renamed keys with an empty value (DR's merge removes those)."""
        wanted: dict[str, str] = {}
        for entry in self.metadata.entries:
            row = entry.form
            original, key = row.original.data or "", row.key.data or ""
            if original and original != key:
                wanted.setdefault(original, "")
            if key:
                wanted[key] = row.value.data or ""
        return {k: v for k, v in wanted.items() if current.get(k, "") != v}


@dataclass
class InlineForms:
    """Every inline form of the detail page; ``failed`` names the one being shown again."""

    disable: DisableForm
    enable: EnableForm
    attach: AttachSourceForm
    tax_identifier: TaxIdentifierForm
    tax_certificate: TaxCertificateForm
    metadata: MetadataForm
    failed: str | None = None


INLINE_FORM_CLASSES: dict[str, type[InlineForm]] = {
    "disable": DisableForm,
    "enable": EnableForm,
    "attach": AttachSourceForm,
    "tax_identifier": TaxIdentifierForm,
    "tax_certificate": TaxCertificateForm,
    "metadata": MetadataForm,
}


def inline_forms(
    customer: Customer | None, *, place: str = "detail", **bound: InlineForm
) -> InlineForms:
    """Fresh forms based on ``customer``'s version, except those given in ``bound`` (the
    submitted ones, with what was typed and their errors). ``place`` "row": the toggle of a
    search row, whose control ids must not clash with the other rows'."""
    forms: dict[str, Any] = {}
    for name, cls in INLINE_FORM_CLASSES.items():
        if name in bound:
            forms[name] = bound[name]
            continue
        form = cls(formdata=None).based_on(customer)
        if isinstance(form, MetadataForm) and customer is not None:
            form.fill_from(customer)
        if isinstance(form, DisableForm | EnableForm):
            form.place.data = place
            if place == "row" and customer is not None:
                form.suffix_ids(customer.id)
        forms[name] = form
    return InlineForms(**forms, failed=next(iter(bound), None))
