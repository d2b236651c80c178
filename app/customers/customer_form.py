"""The form that creates or edits a customer, and its mapping to service values."""

from __future__ import annotations

from flask import current_app, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..services import phones
from ..services.customers import (
    CUSTOMER_ID_MAX_LENGTH,
    METADATA_MAX_KEYS,
    SHIPPING_MAX_LENGTHS,
    AdditionalAddressInfo,
    Address,
    Customer,
    CustomerUpdate,
    NewCustomer,
    Shipping,
)
from ..services.errors import ServiceError
from ..web.widgets import FastSelectField
from .address_fields import CountryField, StateField
from .form_base import (
    LOCALES,
    TYPES,
    VERSION_MISSING,
    VERSION_NOT_A_NUMBER,
    RowList,
    parse_version,
    select_choices,
    strip,
)

BLANK_METADATA_ROWS = 3
# Clearing a value removes its key (as in the inline editor); a value left without a key is
# refused rather than dropped.
METADATA_HINT = (
    "Up to 20 keys; keys at most 40 characters, values at most 500. "
    "Clear a value to remove its key."
)
KEYLESS_VALUE = "Give this value a key, or clear the value to remove the row."
KEYLESS_VALUES = "A metadata value has no key: give it one, or clear the value to remove the row."
TYPE_CHOICES = select_choices(("", "Not set"), *TYPES)
LOCALE_CHOICES = select_choices(("", "Not set"), *LOCALES)


class MetadataRow(Form):
    key = StringField("Key", filters=[strip], validators=[Optional(), Length(max=40)])
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


# The fields the edit form changes, by DR parameter, in the form's order.
EDITED_FIELDS = {path: name for path, name in PARAMETER_FIELDS.items() if path != "id"}
BASE_SALT = "customer-form-base"


def customer_values(customer: Customer) -> dict[str, str]:
    """The customer as the edit form shows it, by DR parameter (``metadata.<key>`` for each
    metadata key); an empty field is ``""``."""
    s = customer.shipping
    address, extra = s.address, s.additional_address_info
    values = {
        "email": customer.email,
        "type": customer.type,
        "locale": customer.locale,
        "shipping.name": s.name,
        "shipping.phone": s.phone,
        "shipping.email": s.email,
        "shipping.organization": s.organization,
        "shipping.address.line1": address.line1,
        "shipping.address.line2": address.line2,
        "shipping.address.city": address.city,
        "shipping.address.postalCode": address.postal_code,
        "shipping.address.state": address.state,
        "shipping.address.country": address.country,
        "shipping.additionalAddressInfo.neighborhood": extra.neighborhood,
        "shipping.additionalAddressInfo.division": extra.division,
        "shipping.additionalAddressInfo.phoneticName": extra.phonetic_name,
    }
    shown = {path: value or "" for path, value in values.items()}
    for key, value in customer.metadata.items():
        shown[f"metadata.{key}"] = value or ""
    return shown


def _base_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=BASE_SALT)


def at_most(parameter: str) -> list[Length]:
    """The length check of a shipping field: as long as the store keeps it."""
    limit = SHIPPING_MAX_LENGTHS[parameter]
    return [Length(max=limit, message=f"At most {limit} characters (this one has %(length)d).")]


class CustomerForm(FlaskForm):
    """Every editable field of a customer; ``id`` only on create."""

    metadata_hint = METADATA_HINT

    id = StringField(
        "Customer id",
        filters=[strip],
        description=f"Optional. At most {CUSTOMER_ID_MAX_LENGTH} characters; "
        "leave empty to have one generated. It cannot be changed later.",
    )
    version = HiddenField()
    # The values the form was filled with (signed): what the agent changed is what differs
    # from them, so an edit refused as stale can be applied on top of the newer version.
    base = HiddenField()
    # Set when the form is the answer to a conflict: its save is audited as such.
    resolving = HiddenField()
    # The id this form uses when the id field is left empty, fixed when the form is first
    # shown, so a repeated submit (after a timeout, say) can never create a second customer.
    draft_id = HiddenField()
    email = StringField("Email", filters=[strip])
    type = FastSelectField("Type", choices=TYPE_CHOICES, default="")
    locale = FastSelectField("Locale", choices=LOCALE_CHOICES, default="")
    ship_name = StringField("Name", filters=[strip], validators=at_most("shipping.name"))
    ship_phone = StringField("Phone", filters=[strip], validators=at_most("shipping.phone"))
    ship_email = StringField("Shipping email", filters=[strip])
    ship_organization = StringField(
        "Organization", filters=[strip], validators=at_most("shipping.organization")
    )
    line1 = StringField(
        "Address line 1", filters=[strip], validators=at_most("shipping.address.line1")
    )
    line2 = StringField(
        "Address line 2", filters=[strip], validators=at_most("shipping.address.line2")
    )
    city = StringField("City", filters=[strip], validators=at_most("shipping.address.city"))
    postal_code = StringField(
        "Postal code", filters=[strip], validators=at_most("shipping.address.postalCode")
    )
    state = StateField(
        "State / region", filters=[strip], validators=at_most("shipping.address.state")
    )
    country = CountryField("Country", description="Required when any address field is set.")
    neighborhood = StringField(
        "Neighborhood",
        filters=[strip],
        validators=at_most("shipping.additionalAddressInfo.neighborhood"),
    )
    division = StringField(
        "Division", filters=[strip], validators=at_most("shipping.additionalAddressInfo.division")
    )
    phonetic_name = StringField(
        "Phonetic name",
        filters=[strip],
        validators=at_most("shipping.additionalAddressInfo.phoneticName"),
    )
    metadata = RowList(FormField(MetadataRow), min_entries=0, max_entries=METADATA_MAX_KEYS + 5)

    def __init__(self, *args: object, creating: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.state.offer(self.country.data)
        # Picking another country fetches that country's state field (htmx).
        self.country.render_kw = {
            "hx-get": url_for("customers.state_field"),
            "hx-trigger": "change",
            "hx-target": "#state-field",
            "hx-swap": "outerHTML",
            "hx-include": "[name='state']",
        }
        if not creating:
            del self.id
            del self.draft_id
        else:
            del self.base
            del self.resolving
        self.form_errors_extra: list[str] = []
        self.already_created: str | None = None
        # The customer already created holds what an earlier submit sent, not this one.
        self.already_created_differs = False
        # Metadata keys DR holds as JSON, not text (their values are edited as JSON).
        self.json_keys: list[str] = []
        self.backend_problem: ServiceError | None = None
        # The edit conflict this form answers (see ``conflict.py``), shown above the form.
        self.conflict: object | None = None

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

    def offer_current(self, customer: Customer | None) -> None:
        """Offer a type or locale the lists do not hold (DR accepts any ll_CC locale, en_GB
        say) as "en_GB (current)": the customer's as stored, or (``None``: it could not be
        read) the one submitted. The form then neither blanks it nor refuses it, and a save
        that leaves it alone sends nothing for it."""
        if customer is not None:
            self.json_keys = sorted(customer.metadata_json)
        for select, stored in ((self.type, "type"), (self.locale, "locale")):
            value = getattr(customer, stored) if customer is not None else select.data
            offered = {choice.value for choice in select.choices}
            if value and isinstance(value, str) and value not in offered:
                select.choices = [*select.choices, *select_choices((value, f"{value} (current)"))]

    def fill_from(self, customer: Customer) -> None:
        self.offer_current(customer)
        values = customer_values(customer)
        self.version.data = str(customer.version)
        for path, name in EDITED_FIELDS.items():
            getattr(self, name).data = values[path]
        self.state.offer(self.country.data)
        while self.metadata.entries:
            self.metadata.pop_entry()
        for key, value in customer.metadata.items():
            self.metadata.append_entry({"key": key, "value": value})
        self.sign_base(values)

    def sign_base(self, values: dict[str, str]) -> None:
        """Carry ``values`` as the values this form is based on."""
        self.base.data = _base_serializer().dumps(values)

    def based_on(self) -> dict[str, str] | None:
        """The values the form was filled with, or None when it carries none it signed."""
        try:
            values = _base_serializer().loads(self.base.data or "")
        except BadSignature:
            return None
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            return None
        return values

    def values(self) -> dict[str, str]:
        """What the form holds now, as ``customer_values`` names it (a metadata row without a
        key or without a value holds nothing)."""
        shown = {path: getattr(self, name).data or "" for path, name in EDITED_FIELDS.items()}
        for entry in self.metadata.entries:
            key, value = entry.form.key.data, entry.form.value.data
            if key and value:
                shown[f"metadata.{key}"] = value
        return shown

    def show_value(self, path: str, value: str) -> None:
        """Put ``value`` in the field of ``path`` (a metadata key: its row, added or cleared)."""
        name = EDITED_FIELDS.get(path)
        if name is not None:
            getattr(self, name).data = value
            if name == "country":
                self.state.offer(value)
            return
        key = path.removeprefix("metadata.")
        row = next((e.form for e in self.metadata.entries if e.form.key.data == key), None)
        if row is None and value:
            row = (
                next(
                    (
                        e.form
                        for e in self.metadata.entries
                        if not (e.form.key.data or e.form.value.data)
                    ),
                    None,
                )
                or self.metadata.append_entry({"key": "", "value": ""}).form
            )
        if row is not None:
            row.key.data = key if value else ""
            row.value.data = value

    def label_metadata_rows(self) -> None:
        """Give each metadata row's fields their own names ("Metadata key 3", "Value of
        metadata key 3"): a screen reader hears which row it is in."""
        for number, entry in enumerate(self.metadata.entries, start=1):
            entry.form.key.label.text = f"Metadata key {number}"
            entry.form.value.label.text = f"Value of metadata key {number}"

    @property
    def phone_warning(self) -> str | None:
        """Why the phone does not look like a number of the shipping country (a warning:
        DR stores any text, and so does the console)."""
        return phones.warning(self.ship_phone.data, self.country.data)

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
                entry.form.key.errors = [*entry.form.key.errors, KEYLESS_VALUE]
                raise ValidationError(KEYLESS_VALUES)
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
