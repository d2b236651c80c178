"""Masked personal data: what a staff member whose roles do not need the values sees
(``j•••@acme.com``, ``+44 •••• ••0123``), until they reveal a customer with a reason.

Masked: emails (the customer's and the shipping one), the shipping phone, the address lines,
tax identifier values, and payment-source owner details. Kept: the name (it is how a caller
is recognised), organization, city, postcode, state and country, ids, and everything else.
Masking works on copies of the records the pages render; searches still run on the values.
"""

from __future__ import annotations

import dataclasses
import re

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from .audit import AuditEvent
from .customers import Customer, CustomerSummary, Shipping, Source, TaxIdentifier

DOT = "•"


def mask_email(value: str | None) -> str | None:
    """``jane.doe@acme.com`` → ``j•••@acme.com``: the first letter and the domain."""
    if not value:
        return value
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_words(value)
    return f"{local[:1]}{DOT * 3}@{domain}"


def mask_phone(value: str | None) -> str | None:
    """``+44 20 7946 0123`` → ``+44 •••• ••0123``: the country code (when written) and the last
    four digits; the rest as dots in groups of four."""
    if not value:
        return value
    text = value.strip()
    prefix = ""
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("+"):
        code = country_code_of(digits)
        if code:
            prefix = f"+{code} "
            digits = digits[len(code) :]
    if len(digits) <= 4:
        return prefix + DOT * len(digits)
    hidden = len(digits) - 4
    groups = [DOT * min(4, hidden - start) for start in range(0, hidden, 4)]
    groups[-1] += digits[-4:]
    return prefix + " ".join(groups)


_NOT_DIGIT = re.compile(r"\D")


def country_code_of(digits: str) -> str:
    """The calling code that ``digits`` (an international number's, without the ``+``) begin
    with, or "": calling codes are one to three digits and none is a prefix of another, so
    the first of the three that is assigned is the one (phonenumbers' own table)."""
    if not digits.isdigit() or digits.startswith("0"):  # no calling code begins with 0
        return ""
    for length in (1, 2, 3):
        head = digits[:length]
        if len(head) == length and int(head) in COUNTRY_CODE_TO_REGION_CODE:
            return head
    return ""


def mask_words(value: str | None) -> str | None:
    """``12 Babbage Street`` → ``1• B•••••• S•••••``: the first character of each word."""
    if not value:
        return value
    return " ".join(word[:1] + DOT * (len(word) - 1) for word in value.split())


def mask_code(value: str | None) -> str | None:
    """A tax identifier value: ``DE123456789`` → ``DE•••••••89`` (its first and last two)."""
    if not value:
        return value
    if len(value) <= 4:
        return DOT * len(value)
    return value[:2] + DOT * (len(value) - 4) + value[-2:]


def mask_customer(customer: Customer) -> Customer:
    """A copy of ``customer`` with its personal data masked."""
    shipping: Shipping = customer.shipping
    address = dataclasses.replace(
        shipping.address,
        line1=mask_words(shipping.address.line1),
        line2=mask_words(shipping.address.line2),
    )
    masked_shipping = dataclasses.replace(
        shipping,
        email=mask_email(shipping.email),
        phone=mask_phone(shipping.phone),
        address=address,
    )
    return dataclasses.replace(
        customer,
        email=mask_email(customer.email),
        shipping=masked_shipping,
        sources=tuple(_source(s) for s in customer.sources),
        tax_identifiers=tuple(_tax_identifier(t) for t in customer.tax_identifiers),
    )


def _source(source: Source) -> Source:
    return dataclasses.replace(
        source, owner_name=mask_words(source.owner_name), owner_email=mask_email(source.owner_email)
    )


def _tax_identifier(tax_id: TaxIdentifier) -> TaxIdentifier:
    return dataclasses.replace(tax_id, value=mask_code(tax_id.value) or tax_id.value)


def mask_summary(summary: CustomerSummary) -> CustomerSummary:
    """A copy of a search row with its personal data masked (built directly: a page masks
    dozens, and ``dataclasses.replace`` costs several times the masking)."""
    s = summary
    return CustomerSummary(
        s.id,
        s.created_time,
        mask_email(s.email),
        s.name,
        s.organization,
        mask_phone(s.phone),
        s.postal_code,
        s.country,
        s.type,
        s.locale,
        s.enabled,
        s.request_to_be_forgotten,
        mask_words(s.line1),
        mask_words(s.line2),
        s.city,
        s.state,
    )


# How each masked field's recorded values are masked in a customer's timeline.
_FIELD_MASKS = {
    "email": mask_email,
    "shipping.email": mask_email,
    "shipping.phone": mask_phone,
    "shipping.address.line1": mask_words,
    "shipping.address.line2": mask_words,
}


def mask_event(event: AuditEvent) -> AuditEvent:
    """A copy of an audit event with the recorded values of masked fields masked."""
    changes = []
    for change in event.changes:
        mask = _FIELD_MASKS.get(change.field)
        if mask is None and change.field.startswith("taxIdentifiers."):
            mask = mask_code
        if mask is not None:
            change = dataclasses.replace(
                change, before=mask(change.before), after=mask(change.after)
            )
        changes.append(change)
    return dataclasses.replace(event, changes=tuple(changes))


def masked_fields(customer: Customer) -> tuple[str, ...]:
    """The names of the fields masking hides on this customer (what a reveal shows)."""
    s = customer.shipping
    fields = [
        ("email", customer.email),
        ("shipping.email", s.email),
        ("shipping.phone", s.phone),
        ("shipping.address.line1", s.address.line1),
        ("shipping.address.line2", s.address.line2),
    ]
    fields += [(f"taxIdentifiers.{t.type}", t.value) for t in customer.tax_identifiers]
    fields += [
        (f"sources.{src.id}.owner", src.owner_name or src.owner_email) for src in customer.sources
    ]
    return tuple(name for name, value in fields if value)
