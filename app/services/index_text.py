"""The text the local store's substring index holds for a customer, field by field.

One string per customer (``customers.search_text``), indexed for substrings by SQLite's FTS5
trigram table and PostgreSQL's pg_trgm GIN index. It is laid out in *segments*, one per
field, so a qualifier (``city:leeds``) can tell which field a substring was found in::

    \\x1f n \\x1e maria goncalves \\x1e \\x1f e \\x1e maria@acme.com \\x1e ... \\x1f

A segment is ``SEGMENT`` + its tag + ``VALUE``, then each value followed by ``VALUE``; the
text ends with ``SEGMENT``. Values are lower-cased with Latin accents folded (``fold``), so
``zurich`` finds ``Zürich`` and ``goncalves`` finds ``Gonçalves``. A free-text substring is
looked for anywhere; a qualifier's substring must fall inside its field's segment; an exact
value (a card's last four) is its value with ``VALUE`` on both sides.

The tags, in the order they are laid out: ``n`` name, ``e`` emails (the customer's and the
shipping one), ``p`` phone (as typed and in its usual forms, ``phones.search_forms``), ``o``
organization, ``z`` postal code, ``c`` city, ``s`` state (its code and, where ISO 3166-2
names it, its name), ``t`` tax identifier values (letters and digits only), ``m`` metadata
as ``key:value``, ``l`` cards (the last four, and ``brand last4``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from . import phones

if TYPE_CHECKING:
    from .customers import Customer

SEGMENT = "\x1f"
VALUE = "\x1e"
TAGS = ("n", "e", "p", "o", "z", "c", "s", "t", "m", "l")

# Letters NFKD does not take apart into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"}
)
# Characters no value may carry into the index (they would break the layout).
_CONTROLS = dict.fromkeys(range(32))


def fold(value: str) -> str:
    """``value`` lower-cased, with the accents of Latin letters dropped (``Zürich`` →
    ``zurich``, ``Straße`` → ``strasse``); other scripts are kept as they are (a Japanese
    name is searched as typed)."""
    lowered = value.lower()
    if lowered.isascii():
        return lowered
    lowered = lowered.translate(_LETTERS)
    out = []
    for ch in unicodedata.normalize("NFKD", lowered):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue  # a mark on a Latin letter
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def compact(value: str) -> str:
    """Letters and digits only, folded: how a tax identifier is indexed and looked for
    (``DE 123.456.789`` → ``de123456789``)."""
    return "".join(ch for ch in fold(value) if ch.isalnum())


@lru_cache(maxsize=4096)
def state_names(country: str | None, state: str | None) -> tuple[str, ...]:
    """A state as indexed: as typed and, when it is an ISO 3166-2 code of the country
    (``VA``, ``ZH``), the subdivision's name too (so ``virginia`` finds ``VA``)."""
    if not state:
        return ()
    names = [state]
    if country:
        import pycountry

        found = pycountry.subdivisions.get(code=f"{country.upper()}-{state.upper()}")
        if found is not None:
            names.append(found.name)
    return tuple(names)


def layout(fields: Mapping[str, Iterable[str | None]]) -> str:
    """The index text of these fields (tag -> values; empty values and empty fields are
    left out, each value folded once and kept once)."""
    parts: list[str] = []
    for tag in TAGS:
        seen: list[str] = []
        for value in fields.get(tag, ()):
            if not value:
                continue
            value = fold(value.strip()).translate(_CONTROLS)
            if value and value not in seen:
                seen.append(value)
        if seen:
            parts.append(SEGMENT + tag + VALUE + VALUE.join(seen) + VALUE)
    return "".join(parts) + SEGMENT if parts else ""


def card_values(cards: Iterable[tuple[str | None, str | None]]) -> list[str]:
    """The ``l`` values of (brand, last four) pairs."""
    values: list[str] = []
    for brand, last4 in cards:
        if last4:
            values.append(last4)
            if brand:
                values.append(f"{brand} {last4}")
    return values


def metadata_values(metadata: Mapping[str, str]) -> list[str]:
    return [f"{key}:{value}" for key, value in metadata.items() if value]


def customer_fields(
    *,
    name: str | None = None,
    emails: Sequence[str | None] = (),
    phone_forms: Sequence[str] = (),
    organization: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    country: str | None = None,
    state: str | None = None,
    tax_values: Iterable[str] = (),
    metadata: Mapping[str, str] | None = None,
    cards: Iterable[tuple[str | None, str | None]] = (),
) -> dict[str, list[str | None]]:
    """Every field's values, by tag (the one place that says what goes where)."""
    return {
        "n": [name],
        "e": list(emails),
        "p": list(phone_forms),
        "o": [organization],
        "z": [postal_code],
        "c": [city],
        "s": list(state_names(country, state)),
        "t": [compact(v) for v in tax_values if v],
        "m": list(metadata_values(metadata or {})),
        "l": list(card_values(cards)),
    }


def phone_forms(phone: str | None, country: str | None) -> list[str]:
    """A phone as typed and in its usual forms (all of them found by substring)."""
    if not phone or not phone.strip():
        return []
    return [phone.strip(), *phones.search_forms(phone, country)]


def index_text_of(customer: Customer) -> str:
    """The index text of a customer as stored; nothing for a forgotten one."""
    if customer.request_to_be_forgotten:
        return ""
    ship = customer.shipping
    address = ship.address
    return layout(
        customer_fields(
            name=ship.name,
            emails=(customer.email, ship.email),
            phone_forms=phone_forms(ship.phone, address.country),
            organization=ship.organization,
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
            state=address.state,
            tax_values=(t.value for t in customer.tax_identifiers),
            metadata=customer.metadata,
            cards=((s.brand, s.last_four) for s in customer.sources),
        )
    )


__all__ = [
    "SEGMENT",
    "TAGS",
    "VALUE",
    "compact",
    "customer_fields",
    "fold",
    "index_text_of",
    "layout",
    "phone_forms",
]
