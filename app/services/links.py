"""Linked customers: the other customers that share something with one customer, each thing
shared its own reason: the same email (normalised), phone (E.164), shipping address, card,
tax identifier value, or metadata value of a configured key.

What a customer shares is reduced to *link keys*: a reason and the SHA-256 of the value in
its normal form. The local store keeps each customer's keys in a table with an index on
(key, created time), so the customers behind a key are an index range, newest first, at any
size; the keys are digests, so the table holds no personal data in the clear (and a
forgotten customer's keys are deleted with the rest). This module is the one place the
normal forms are defined: the store, the demo loader and the tests all derive keys here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import phones
from .customers import LINK_COUNT_CAP as COUNT_CAP
from .customers import LINK_GROUP_LIMIT as GROUP_LIMIT
from .customers import LINK_REASONS as REASONS
from .customers import Customer, LinkGroup, Links, source_name

# Providers that deliver every ``local+tag@`` to ``local@`` (so a fraudster's
# ``ann+1@gmail.com`` and ``ann+2@gmail.com`` are one inbox), and the ones that also ignore
# dots in the local part. Other domains keep their local part as typed (lower-cased).
PLUS_TAG_DOMAINS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "fastmail.com",
        "fastmail.fm",
    }
)
DOT_BLIND_DOMAINS = frozenset({"gmail.com"})
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}

# Street words written in more than one way, to one spelling.
_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "court": "ct",
    "square": "sq",
    "apartment": "apt",
    "suite": "ste",
}
_NOT_WORD = re.compile(r"[\W_]+")
_APOSTROPHES = re.compile(r"['’`]")
_TAX_NOISE = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class LinkKey:
    """One thing a customer shares: ``reason``, the digest ``key`` of its normal form, and
    ``shown``, the value as the customer holds it (the group's heading names it)."""

    reason: str
    key: str
    shown: str
    # The metadata key (for reason ``metadata``): which keys link is configuration, so the
    # store keeps every pair and the panel asks for the configured ones.
    metadata_key: str | None = None


def digest(reason: str, normal: str) -> str:
    """The link key of a normal form: 128 bits of its SHA-256, hex."""
    return hashlib.sha256(f"{reason}\x1f{normal}".encode()).hexdigest()[:32]


def _fold(value: str) -> str:
    """Case-folded, accents dropped, compatibility forms unified (ｆｕｌｌ → full)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normal_email(email: str | None) -> str | None:
    """An email as the mailbox it reaches: lower-cased; at the providers that ignore them,
    without its ``+tag`` (and, at Gmail, without dots in the local part)."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.strip().lower().rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if not local or not domain:
        return None
    if domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOT_BLIND_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def normal_address(line1: str | None, postal_code: str | None, country: str | None) -> str | None:
    """A shipping address as line 1 + postcode + country: words folded (case, accents,
    punctuation; apostrophes join: Queen's = Queens), common street words to one spelling
    (Street → st, Straße → str), the postcode without spaces or dashes. None without line 1
    or country."""
    if not line1 or not country:
        return None
    words = []
    for word in _NOT_WORD.split(_APOSTROPHES.sub("", _fold(line1))):
        if not word:
            continue
        word = _STREET_WORDS.get(word, word)
        if word.endswith("strasse"):
            word = word[: -len("strasse")] + "str"
        words.append(word)
    if not words:
        return None
    postcode = _NOT_WORD.sub("", _fold(postal_code or "")).upper()
    return f"{' '.join(words)}|{postcode}|{country.strip().upper()}"


def normal_card(
    brand: str | None, last_four: str | None, month: int | None, year: int | None
) -> str | None:
    """A card as brand + last four + expiry; None when any of them is missing."""
    if not brand or not last_four or not month or not year:
        return None
    return f"{brand.strip().casefold()}|{last_four.strip()}|{int(month):02d}/{int(year)}"


def normal_tax_value(value: str | None) -> str | None:
    """A tax identifier's value in capitals without spaces, dots or dashes."""
    normal = _TAX_NOISE.sub("", (value or "").upper())
    return normal if len(normal) >= 4 else None


def keys_of_parts(
    *,
    email: str | None,
    phone: str | None,
    country: str | None,
    line1: str | None,
    postal_code: str | None,
    cards: Iterable[tuple[str | None, str | None, int | None, int | None]] = (),
    tax_values: Iterable[str | None] = (),
    metadata: Mapping[str, str] | None = None,
    e164: str | None | bool = False,
) -> list[LinkKey]:
    """The link keys of a customer given as its parts (the demo loader's rows), each once.
    ``e164``: the phone in E.164 when the caller has it already (False: derive it)."""
    keys: dict[str, LinkKey] = {}

    def add(reason: str, normal: str | None, shown: str, metadata_key: str | None = None) -> None:
        if normal:
            key = digest(reason, normal)
            keys.setdefault(key, LinkKey(reason, key, shown, metadata_key))

    add("email", normal_email(email), (email or "").strip())
    number = phones.e164(phone, country) if e164 is False else e164
    add("phone", number or None, (phone or "").strip())
    address = normal_address(line1, postal_code, country)
    add("address", address, ", ".join(p.strip() for p in (line1, postal_code, country) if p))
    for brand, last_four, month, year in cards:
        card = normal_card(brand, last_four, month, year)
        add("card", card, source_name("creditCard", brand, last_four, month, year))
    for value in tax_values:
        add("tax_id", normal_tax_value(value), (value or "").strip())
    for name, value in (metadata or {}).items():
        text = str(value).strip() if value is not None else ""
        if text:
            add("metadata", f"{name}\x1f{text}", f"{name}: {text}", name)
    return list(keys.values())


def keys_of(customer: Customer) -> list[LinkKey]:
    """The link keys of ``customer``; none for one that asked to be forgotten."""
    if customer.request_to_be_forgotten:
        return []
    ship = customer.shipping
    return keys_of_parts(
        email=customer.email,
        phone=ship.phone,
        country=ship.address.country,
        line1=ship.address.line1,
        postal_code=ship.address.postal_code,
        cards=(
            (s.brand, s.last_four, s.expiration_month, s.expiration_year)
            for s in customer.sources
            if s.type == "creditCard"
        ),
        tax_values=(t.value for t in customer.tax_identifiers),
        metadata=customer.metadata,
    )


def asked_keys(customer: Customer, metadata_keys: Sequence[str]) -> list[LinkKey]:
    """The keys the panel looks up: every reason's, metadata only for the configured keys."""
    wanted = set(metadata_keys)
    return [k for k in keys_of(customer) if k.reason != "metadata" or k.metadata_key in wanted]


def ordered(groups: Iterable[LinkGroup]) -> tuple[LinkGroup, ...]:
    """Groups in the panel's order: by reason, then as the customer holds the values."""
    order = {reason: index for index, reason in enumerate(REASONS)}
    return tuple(sorted(groups, key=lambda g: order[g.reason]))


__all__ = [
    "COUNT_CAP",
    "GROUP_LIMIT",
    "REASONS",
    "LinkGroup",
    "LinkKey",
    "Links",
    "asked_keys",
    "digest",
    "keys_of",
    "keys_of_parts",
    "normal_address",
    "normal_card",
    "normal_email",
    "normal_tax_value",
]
