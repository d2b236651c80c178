"""The inline forms of the detail page, one or two per section, and the set of them a page
renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..fraud.forms import ReviewFields
from ..services.customers import (
    DISABLE_REASONS,
    ENABLE_REASONS,
    METADATA_MAX_KEY_LENGTH,
    METADATA_MAX_VALUE_LENGTH,
    TAX_CERTIFICATE_MAX_BYTES,
    TAX_IDENTIFIER_TYPES,
    US_STATES,
    Customer,
    NewTaxCertificate,
)
from ..services.rules import file_type
from ..web.widgets import FastSelectField
from .form_base import InlineForm, RowList, select_choices, strip

DISABLE_REASON_CHOICES = select_choices(("", "Choose a reason"), *DISABLE_REASONS.items())
ENABLE_REASON_CHOICES = select_choices(("", "Choose a reason"), *ENABLE_REASONS.items())


class DisableForm(InlineForm, ReviewFields):
    """Disable a customer: why, a note (required for Other), and when the block is to be
    reviewed."""

    reason = FastSelectField(
        "Reason",
        choices=DISABLE_REASON_CHOICES,
        default="",
        id="disable-reason",
        validators=[InputRequired("Choose why the customer is disabled.")],
    )
    note = TextAreaField(
        "Note",
        id="disable-note",
        filters=[strip],
        description="Required when the reason is Other.",
        validators=[Length(max=500)],
    )
    place = HiddenField(default="detail")
    submit_label = "Disable"

    def validate_note(self, field: TextAreaField) -> None:
        if self.reason.data == "other" and not field.data:
            raise ValidationError("Say why in the note when the reason is Other.")


class EnableForm(InlineForm):
    """Enable a customer again: why, and a note (required for Other), as when disabling."""

    reason = FastSelectField(
        "Reason",
        choices=ENABLE_REASON_CHOICES,
        default="",
        id="enable-reason",
        validators=[InputRequired("Choose why the customer is enabled again.")],
    )
    note = TextAreaField(
        "Note",
        id="enable-note",
        filters=[strip],
        description="Required when the reason is Other.",
        validators=[Length(max=500)],
    )
    place = HiddenField(default="detail")
    submit_label = "Enable"

    def validate_note(self, field: TextAreaField) -> None:
        if self.reason.data == "other" and not field.data:
            raise ValidationError("Say why in the note when the reason is Other.")


class AttachSourceForm(InlineForm):
    """Attach an existing, chargeable source by its id."""

    source_id = StringField(
        "Source id",
        id="attach-source-id",
        filters=[strip],
        description="A chargeable, reusable source that belongs to no customer yet.",
        validators=[InputRequired("Enter the id of the source to attach."), Length(max=64)],
    )
    submit_label = "Attach source"


TAX_IDENTIFIER_CHOICES = select_choices(
    ("", "Choose a type"), *((t, t) for t in TAX_IDENTIFIER_TYPES)
)


class TaxIdentifierForm(InlineForm):
    """Add a tax identifier (one per type)."""

    type = FastSelectField(
        "Type",
        choices=TAX_IDENTIFIER_CHOICES,
        default="",
        id="taxid-type",
        validators=[InputRequired("Choose a tax identifier type.")],
    )
    value = StringField(
        "Value",
        id="taxid-value",
        filters=[strip],
        description="As issued, e.g. DE123456789.",
        validators=[InputRequired("Enter the tax identifier."), Length(max=64)],
    )
    submit_label = "Add tax identifier"


TAX_AUTHORITY_CHOICES = select_choices(("", "Choose a state"), *((s, s) for s in US_STATES))
MB = 1024 * 1024


class TaxCertificateForm(InlineForm):
    """Add a US tax-exemption certificate with its file (PDF, JPG or PNG, at most 10 MB)."""

    company_name = StringField(
        "Company name",
        id="taxcert-company",
        filters=[strip],
        validators=[InputRequired("Enter the company name."), Length(max=255)],
    )
    tax_authority = FastSelectField(
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

        # As uploaded: the store names the file by rules.stored_file_name.
        file_name = (self.file.data.filename or "") if self.file.data else ""
        return NewTaxCertificate(
            company_name=self.company_name.data or "",
            tax_authority=self.tax_authority.data or "",
            start_date=midnight(self.start_date.data),
            end_date=midnight(self.end_date.data),
            file_name=file_name,
            content=self.content,
        )


# Rows the editor holds at once: every key renamed or removed and as many new ones, and room
# for blank rows.
METADATA_MAX_ROWS = 100


class MetadataEditRow(Form):
    # The key this row showed when the page was rendered ("" for a new row): changing or
    # clearing the key removes that one; other keys are never touched.
    original = HiddenField()
    key = StringField(
        "Key",
        filters=[strip],
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

    metadata = RowList(FormField(MetadataEditRow), min_entries=0, max_entries=METADATA_MAX_ROWS)
    submit_label = "Save metadata"

    def fill_from(self, customer: Customer) -> MetadataForm:
        while self.metadata.entries:
            self.metadata.pop_entry()
        for key, value in sorted(customer.metadata.items()):
            self.metadata.append_entry({"original": key, "key": key, "value": value})
        self.add_blank_row()
        return self

    def add_blank_row(self) -> bool:
        """One more empty row, unless the list is full (then say so next to it)."""
        if self.metadata.full:
            self.metadata.errors = [
                *self.metadata.errors,
                f"No more rows fit: at most {METADATA_MAX_ROWS}. Save these first.",
            ]
            return False
        self.metadata.append_entry({"original": "", "key": "", "value": ""})
        return True

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


INLINE_FORM_CLASSES: dict[str, type[InlineForm]] = {
    "disable": DisableForm,
    "enable": EnableForm,
    "attach": AttachSourceForm,
    "tax_identifier": TaxIdentifierForm,
    "tax_certificate": TaxCertificateForm,
    "metadata": MetadataForm,
}


class InlineForms:
    """The inline forms of the detail page, each built the first time a section asks for it
    (a section only renders the forms the staff member's role may use, so a viewer's page
    builds none); ``failed`` names the one being shown again."""

    disable: DisableForm
    enable: EnableForm
    attach: AttachSourceForm
    tax_identifier: TaxIdentifierForm
    tax_certificate: TaxCertificateForm
    metadata: MetadataForm

    def __init__(self, customer: Customer | None, place: str, bound: dict[str, InlineForm]) -> None:
        self._customer = customer
        self._place = place
        self.__dict__.update(bound)
        self.failed = next(iter(bound), None)

    def __getattr__(self, name: str) -> InlineForm:
        # Only called for a form not built yet (built ones live in the instance dict).
        cls = INLINE_FORM_CLASSES.get(name)
        if cls is None:
            raise AttributeError(name)
        customer = self._customer
        form = cls(formdata=None).based_on(customer)
        if isinstance(form, MetadataForm) and customer is not None:
            form.fill_from(customer)
        if isinstance(form, DisableForm | EnableForm):
            form.place.data = self._place
            if self._place == "row" and customer is not None:
                form.suffix_ids(customer.id)
        self.__dict__[name] = form
        return form


def inline_forms(
    customer: Customer | None, *, place: str = "detail", **bound: InlineForm
) -> InlineForms:
    """Forms based on ``customer``'s version, except those given in ``bound`` (the submitted
    ones, with what was typed and their errors). ``place`` "row": the toggle of a search row,
    whose control ids must not clash with the other rows'."""
    return InlineForms(customer, place, bound)
