"""Digital River's rules for a customer, applied by the local store (and usable as a
pre-check elsewhere). Each broken rule becomes an ErrorDetail with DR's code and parameter."""

from __future__ import annotations

import base64
import re
import secrets
import unicodedata
from collections.abc import Mapping

from email_validator import EmailNotValidError, validate_email

from . import geography
from .customers import (
    CUSTOMER_ID_MAX_LENGTH,
    CUSTOMER_TYPES,
    DISABLE_REASONS,
    ENABLE_REASONS,
    METADATA_MAX_KEY_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_MAX_VALUE_LENGTH,
    SHIPPING_MAX_LENGTHS,
    TAX_CERTIFICATE_MAX_BYTES,
    TAX_IDENTIFIER_TYPES,
    US_STATES,
    NewTaxCertificate,
    Shipping,
)
from .errors import ErrorDetail, InvalidParameter

_LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
# The id is a URL path segment: refuse whitespace, separators and control characters.
_UNSAFE_ID = re.compile(r"[\s/?#%\\\x00-\x1f\x7f-\x9f]")


def customer_id_problem(customer_id: str) -> ErrorDetail | None:
    if customer_id == "":
        return ErrorDetail("invalid_parameter", "The id cannot be empty.", "id")
    if len(customer_id) > CUSTOMER_ID_MAX_LENGTH:
        return ErrorDetail(
            "invalid_parameter",
            f"The id must be at most {CUSTOMER_ID_MAX_LENGTH} characters "
            f"(this one has {len(customer_id)}).",
            "id",
        )
    if _UNSAFE_ID.search(customer_id) or customer_id in (".", ".."):
        return ErrorDetail(
            "invalid_parameter",
            "The id cannot contain spaces, '/', '?', '#', '%' or control characters.",
            "id",
        )
    return None


# email-validator refuses special-use domains (RFC 6761: .local, .test, .invalid, …) even
# without its deliverability check; DR does not, and holds addresses such as
# orders@warehouse.local. Its special-use refusal is its domain check's last step, so an
# address refused for that alone has passed every syntax rule.
_SPECIAL_USE_DOMAIN = "The part after the @-sign is a special-use or reserved name"
# Said in the form's words, not the library's (which quotes the address back in API style).
EMAIL_INVALID = "Enter an email address like name@example.com."


def email_problem(email: str, parameter: str) -> ErrorDetail | None:
    """DR's rule for an email address: its syntax only (as email-validator reads RFC 5321 and
    5322), no deliverability check and no refusal of special-use domains."""
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        if not str(error).startswith(_SPECIAL_USE_DOMAIN):
            return ErrorDetail("email_invalid", EMAIL_INVALID, parameter)
    return None


def shipping_values(shipping: Shipping) -> dict[str, str | None]:
    """The shipping block's text values by DR parameter (the country aside)."""
    address, extra = shipping.address, shipping.additional_address_info
    return {
        "shipping.name": shipping.name,
        "shipping.phone": shipping.phone,
        "shipping.organization": shipping.organization,
        "shipping.address.line1": address.line1,
        "shipping.address.line2": address.line2,
        "shipping.address.city": address.city,
        "shipping.address.postalCode": address.postal_code,
        "shipping.address.state": address.state,
        "shipping.additionalAddressInfo.neighborhood": extra.neighborhood,
        "shipping.additionalAddressInfo.division": extra.division,
        "shipping.additionalAddressInfo.phoneticName": extra.phonetic_name,
    }


def shipping_problems(shipping: Shipping, before: Shipping | None = None) -> list[ErrorDetail]:
    """DR's rules for a shipping block; with ``before`` (what is stored), only for the values
    that change: a value DR already holds is not refused for a change next to it."""
    problems: list[ErrorDetail] = []
    held = shipping_values(before) if before is not None else {}
    for parameter, value in shipping_values(shipping).items():
        limit = SHIPPING_MAX_LENGTHS[parameter]
        if value and len(value) > limit and value != held.get(parameter):
            problems.append(
                ErrorDetail(
                    "invalid_parameter",
                    f"At most {limit} characters (this one has {len(value)}).",
                    parameter,
                )
            )
    if shipping.email and (before is None or shipping.email != before.email):
        problem = email_problem(shipping.email, "shipping.email")
        if problem:
            problems.append(problem)
    address = shipping.address
    has_address = not address.is_empty() or not shipping.additional_address_info.is_empty()
    address_changes = before is None or (address, shipping.additional_address_info) != (
        before.address,
        before.additional_address_info,
    )
    if has_address and not address.country and address_changes:
        problems.append(
            ErrorDetail(
                "missing_parameter",
                "Country is required when an address is given.",
                "shipping.address.country",
            )
        )
    country_changes = before is None or address.country != before.address.country
    if address.country and country_changes and not geography.is_country(address.country):
        problems.append(
            ErrorDetail(
                "invalid_parameter",
                f"'{address.country}' is not a country: give a two-letter ISO 3166-1 code "
                "such as US or DE.",
                "shipping.address.country",
            )
        )
    return problems


def metadata_problems(merged: Mapping[str, str], changes: Mapping[str, str]) -> list[ErrorDetail]:
    """Check the changed keys and the size of the merged result."""
    problems: list[ErrorDetail] = []
    for key, value in changes.items():
        if not key or not key.strip():
            problems.append(
                ErrorDetail("invalid_metadata_key", "A metadata key cannot be empty.", "metadata")
            )
        elif len(key) > METADATA_MAX_KEY_LENGTH:
            problems.append(
                ErrorDetail(
                    "invalid_metadata_key",
                    f"Metadata key '{key[:20]}…' is longer than {METADATA_MAX_KEY_LENGTH} "
                    "characters.",
                    f"metadata.{key}",
                )
            )
        if value is not None and len(str(value)) > METADATA_MAX_VALUE_LENGTH:
            problems.append(
                ErrorDetail(
                    "invalid_metadata_value",
                    f"The value of '{key[:40]}' is longer than {METADATA_MAX_VALUE_LENGTH} "
                    "characters.",
                    f"metadata.{key}",
                )
            )
    if len(merged) > METADATA_MAX_KEYS:
        problems.append(
            ErrorDetail(
                "too_many_metadata_pairs",
                f"A customer can have at most {METADATA_MAX_KEYS} metadata keys "
                f"(this change makes {len(merged)}).",
                "metadata",
            )
        )
    return problems


def merge_metadata(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """DR's merge: new keys are added, existing ones replaced, an empty value removes the key."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


def check_fields(
    *,
    email: str | None = None,
    shipping: Shipping | None = None,
    type_: str | None = None,
    locale: str | None = None,
    before: Shipping | None = None,
) -> list[ErrorDetail]:
    """DR's rules for the values given; ``before``: the stored shipping block, whose values
    are not checked again."""
    problems: list[ErrorDetail] = []
    if email:
        problem = email_problem(email, "email")
        if problem:
            problems.append(problem)
    if shipping is not None:
        problems.extend(shipping_problems(shipping, before))
    if type_ is not None and type_ not in CUSTOMER_TYPES:
        problems.append(
            ErrorDetail("invalid_parameter", "Type must be individual or business.", "type")
        )
    if locale is not None and not _LOCALE.match(locale):
        problems.append(
            ErrorDetail("invalid_parameter", "Locale must look like en_US (ll_CC).", "locale")
        )
    return problems


def raise_if(problems: list[ErrorDetail]) -> None:
    if problems:
        raise InvalidParameter(errors=problems)


RESERVED_ID_PREFIX = "cd_"


def generate_customer_id() -> str:
    """An id the console reserves for a customer it creates: ``cd_`` and 80 random bits in
    lower-case base32. DR generates numeric ids, so a reserved id can never be one DR gave
    somebody else."""
    random_part = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
    return RESERVED_ID_PREFIX + random_part


def disable_problems(enabled: bool, reason_code: str | None, note: str | None) -> list[ErrorDetail]:
    """Disabling needs a reason from DISABLE_REASONS, enabling one from ENABLE_REASONS, and
    Other a note (already stripped)."""
    reasons = ENABLE_REASONS if enabled else DISABLE_REASONS
    if reason_code not in reasons:
        why = "enabled again" if enabled else "disabled"
        return [ErrorDetail("missing_parameter", f"Choose why the customer is {why}.", "reason")]
    if reason_code == "other" and not note:
        return [
            ErrorDetail(
                "missing_parameter", "Say why in the note when the reason is Other.", "note"
            )
        ]
    return []


def file_type(content: bytes) -> str | None:
    """pdf, png or jpg by the file's own bytes (not its name), else None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    return None


# What a stored file name may not hold besides control and format characters (NUL, newlines,
# right-to-left overrides, which make "cert\u202efdp.exe" look like "certexe.pdf"): path
# separators, quotes and the other characters Windows refuses in a name.
_NAME_RESERVED = frozenset('/\\<>:"|?*')
FILE_NAME_MAX_LENGTH = 128


def _name_char(char: str) -> bool:
    category = unicodedata.category(char)
    return char not in _NAME_RESERVED and category[0] != "C" and category not in ("Zl", "Zp")


def stored_file_name(uploaded: str | None, kind: str) -> str:
    """The name a certificate file is stored and served under: the uploaded name's last path
    part without unsafe characters, at most FILE_NAME_MAX_LENGTH characters, ending in the
    extension of its checked content ``kind`` (pdf, png or jpg), so a PDF uploaded as
    ``cert.html`` is ``cert.pdf``; ``certificate.<kind>`` when nothing usable is left."""
    name = re.split(r"[/\\]", uploaded or "")[-1]
    name = "".join(filter(_name_char, name)).strip(" .")
    stem = name.rsplit(".", 1)[0].rstrip(" .") if "." in name else name
    suffix = f".{kind}"
    stem = stem[: FILE_NAME_MAX_LENGTH - len(suffix)].rstrip(" .")
    return f"{stem or 'certificate'}{suffix}"


def tax_certificate_problems(certificate: NewTaxCertificate) -> list[ErrorDetail]:
    problems: list[ErrorDetail] = []
    if not certificate.company_name.strip():
        problems.append(
            ErrorDetail(
                "missing_parameter", "Enter the company name.", "taxCertificate.companyName"
            )
        )
    if certificate.tax_authority not in US_STATES:
        problems.append(
            ErrorDetail(
                "invalid_parameter",
                "Choose the US state that issued the certificate.",
                "taxCertificate.taxAuthority",
            )
        )
    if certificate.end_date <= certificate.start_date:
        problems.append(
            ErrorDetail(
                "invalid_parameter",
                "The end date must be after the start date.",
                "taxCertificate.endDate",
            )
        )
    if len(certificate.content) > TAX_CERTIFICATE_MAX_BYTES:
        problems.append(
            ErrorDetail(
                "invalid_parameter",
                f"The file is {len(certificate.content) / 1024 / 1024:.1f} MB; at most 10 MB.",
                "file",
            )
        )
    elif file_type(certificate.content) is None:
        problems.append(
            ErrorDetail("invalid_parameter", "The file must be a PDF, JPG or PNG document.", "file")
        )
    return problems


# The formats DR's tax identifier guide shows for these types; the others get a loose check
# (the same as the DR emulator's, so both backends accept and refuse the same values).
_TAX_VALUE_FORMATS = {
    "be": re.compile(r"^BE\d{10}$"),
    "de": re.compile(r"^DE\d{9}$"),
    "it": re.compile(r"^IT\d{11}$"),
    "it_natural": re.compile(r"^IT\d{11}$"),
}
_TAX_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/]{3,29}$")
# What a valid value of each checked type looks like, for the refusal's wording.
_TAX_VALUE_EXAMPLES = {
    "be": "BE0123456789",
    "de": "DE123456789",
    "it": "IT12345678901",
    "it_natural": "IT12345678901",
}
TAX_VALUE_LOOSE = (
    "Enter the tax ID as printed: 4 to 30 letters, digits, dots, dashes or slashes, with no spaces."
)


def tax_identifier_problems(type_: str, value: str) -> list[ErrorDetail]:
    problems: list[ErrorDetail] = []
    if type_ not in TAX_IDENTIFIER_TYPES:
        problems.append(ErrorDetail("invalid_parameter", "Choose a tax identifier type.", "type"))
    if not _TAX_VALUE_FORMATS.get(type_, _TAX_VALUE).match(value):
        example = _TAX_VALUE_EXAMPLES.get(type_)
        message = f"Enter a tax ID like {example}." if example else TAX_VALUE_LOOSE
        problems.append(ErrorDetail("invalid_parameter", message, "value"))
    return problems
