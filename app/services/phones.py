"""Phone numbers, through Google's libphonenumber rules (the ``phonenumbers`` package).

Digital River stores a shipping phone as any text, and so does the console: nothing here
refuses a number. It normalises one for search (so ``+44 7700 900123``, ``07700 900123`` and
``447700900123`` find the same customer) and says when a number is not valid for the shipping
country, as a warning."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from . import geography

# libphonenumber refuses longer input anyway; this bounds the work on hostile text.
_MAX_LENGTH = 64
# Digits and the punctuation numbers are written with. Text with letters is not parsed:
# libphonenumber would read "desk" as the keypad digits 3375.
_NUMBER_LIKE = re.compile(r"^[\d\s().+\-/]+$")


def digits(value: str | None) -> str:
    """The digits of ``value`` (for phone numbers typed with spaces or punctuation)."""
    return re.sub(r"\D", "", value or "")


def _parsed(phone: str | None, country: str | None) -> phonenumbers.PhoneNumber | None:
    if not phone or len(phone) > _MAX_LENGTH or not _NUMBER_LIKE.match(phone):
        return None
    region = country.upper() if country and geography.is_country(country) else None
    try:
        return phonenumbers.parse(phone, region)
    except NumberParseException:
        return None


def search_forms(phone: str | None, country: str | None) -> tuple[str, ...]:
    """The digit strings a phone is found by: as typed, international (E.164 without the
    ``+``) and national (with its trunk prefix, e.g. the UK's 0), leaving out a form that
    stands inside another."""
    forms = [digits(phone)]
    number = _parsed(phone, country)
    if number is not None:
        forms.append(digits(phonenumbers.format_number(number, PhoneNumberFormat.E164)))
        forms.append(digits(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)))
    kept: list[str] = []
    for form in forms:
        # A form inside one already kept is found through it (substring search).
        if form and not any(form in other for other in kept):
            kept.append(form)
    return tuple(kept)


def international_digits(term: str) -> str | None:
    """A typed term that is an international number (``+44 (0)7700 900123``) as E.164
    digits, or None."""
    number = _parsed(term, None) if term.lstrip().startswith("+") else None
    if number is None:
        return None
    return digits(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def e164(phone: str | None, country: str | None) -> str | None:
    """``phone`` in E.164 (``+442079460000``) when it reads as a possible number (in
    ``country`` when it has no country code), else None."""
    number = _parsed(phone, country)
    if number is None or not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def warning(phone: str | None, country: str | None) -> str | None:
    """Why ``phone`` does not look like a number for ``country``, or None when it does (or
    when there is nothing to compare it with)."""
    if not phone or not country or not geography.is_country(country):
        return None
    name = geography.country_name(country)
    number = _parsed(phone, country)
    if number is None:
        return f"This does not look like a phone number for {name}; it is kept as typed."
    if not phonenumbers.is_valid_number_for_region(number, country.upper()):
        return f"This is not a valid phone number for {name}; it is kept as typed."
    return None


__all__ = ["digits", "e164", "international_digits", "search_forms", "warning"]
