"""A demo customer's person, company, email and shipping block, picked from the pools.

These run once per customer (a million times in a big load): they only pick from tuples with
``random`` and glue strings, never call Faker."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..services.index_text import VALUE
from .markets import ROLE_MAILBOXES
from .names import Culture, fold
from .pools import LocalePool

_INITIALS = "ABCDEFGHJKLMNPRSTW"
RECENT_EMAILS = 50_000


class Person(NamedTuple):
    name: str
    first: str | None  # in Latin letters, for the email address
    last: str | None
    phonetic: str | None  # katakana reading of a Japanese name
    user_name: str | None  # the email's local part when the name has no Latin spelling


def pick(r: Any, values: Sequence[Any]) -> Any:
    return values[int(r() * len(values))]


def person(r: Any, culture: Culture, at_home: bool) -> Person:
    """Someone of ``culture``; at home, East Asian names are written natively (family name
    first) half the time, Korean ones always."""
    female = r() < 0.5
    firsts, lasts = (
        (culture.female, culture.last_female) if female else (culture.male, culture.last_male)
    )
    # Inline picks: this runs a million times.
    first = firsts[int(r() * len(firsts))]
    last = lasts[int(r() * len(lasts))]
    user_name = pick(r, culture.user_names) if culture.user_names else None
    if culture.family_first is not None and at_home and (first[1] is None or r() < 0.5):
        phonetic = f"{last[2]} {first[2]}" if last[2] and first[2] and r() < 0.7 else None
        name = last[0] + culture.family_first + first[0]
        return Person(name, first[1], last[1], phonetic, user_name)
    first_name, last_name = first[1] or first[0], last[1] or last[0]
    if culture.double_surname and r() < culture.double_surname:
        extra = pick(r, lasts)[1]
        if extra and extra != last_name:
            last_name = f"{last_name} {extra}"
    name = f"{first_name} {last_name}"
    if culture.middle_initial and r() < culture.middle_initial:
        name = f"{first_name} {pick(r, _INITIALS)}. {last_name}"
    return Person(name, first[1], last_name if last[1] else None, None, user_name)


def organization(r: Any, pool: LocalePool) -> tuple[str, str]:
    """A company of the locale and the label of its own email domain."""
    return pick(r, pool.companies)


@dataclass
class RecentEmails:
    """Earlier customers' emails (with who had them), so that a few customers share one:
    the same person again, or a colleague, typed in another case."""

    rng: random.Random
    entries: list[tuple[str, str, Person]] = field(default_factory=list)

    def remember(self, email: str, country: str, who: Person) -> None:
        if len(self.entries) < RECENT_EMAILS:
            self.entries.append((email, country, who))
        elif self.rng.random() < 0.05:
            self.entries[int(self.rng.random() * RECENT_EMAILS)] = (email, country, who)

    def reuse(self) -> tuple[str, str, Person] | None:
        if not self.entries or self.rng.random() >= 0.03:
            return None
        email, country, who = pick(self.rng.random, self.entries)
        return recase(self.rng.random(), email), country, who


def recase(r: float, email: str) -> str:
    """The same address typed in another case."""
    local, _, domain = email.partition("@")
    if r < 0.4:
        changed = ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + domain
    elif r < 0.6:
        changed = email.upper()
    elif r < 0.8:
        changed = local[:1].upper() + local[1:] + "@" + domain
    else:
        changed = local + "@" + domain.capitalize()
    if changed == email:
        changed = email.upper() if email != email.upper() else email.lower()
    return changed


def _local_part(r: Any, who: Person) -> str:
    if who.first is None or who.last is None:
        return who.user_name or f"user{int(r() * 10**6)}"
    f, last = fold(who.first), fold(who.last)
    pick_ = r()
    if pick_ < 0.45:
        return f"{f}.{last}"
    if pick_ < 0.6:
        return f"{f}{last}"
    if pick_ < 0.7:
        return f"{f[:1]}{last}"
    if pick_ < 0.77:
        return f"{f}_{last}"
    if pick_ < 0.82:
        return f"{last}.{f}"
    if pick_ < 0.95:
        return f"{f}.{last}{int(r() * 100)}"
    return f"{f}{1950 + int(r() * 56)}"


def email(r: Any, pool: LocalePool, who: Person, company_label: str | None) -> str | None:
    """The person's own address: at their company's domain (most business customers) or at
    a consumer mail provider of their country; a few customers have none."""
    if r() < 0.02:
        return None
    if company_label is not None and r() < 0.85:
        domain = f"{company_label}.{pick(r, pool.tlds)}"
        if r() < 0.15:
            return f"{pick(r, ROLE_MAILBOXES)}@{domain}"
        if who.first and who.last:
            f, last = fold(who.first), fold(who.last)
            local = f"{f}.{last}" if r() < 0.7 else f"{f[:1]}{last}"
            return f"{local}@{domain}"
        return f"{_local_part(r, who)}@{domain}"
    address = f"{_local_part(r, who)}@{pool.email_domains[int(r() * len(pool.email_domains))]}"
    return recase(r(), address) if r() < 0.04 else address


def street(r: Any, pool: LocalePool) -> str:
    """A street address of the locale with new house numbers."""
    template, low, span = pool.streets[int(r() * len(pool.streets))]
    return template % (low + int(r() * span)) if span else template


def phone(r: Any, pool: LocalePool) -> tuple[str, list[str], str]:
    """A phone of the country, its forms in the index text (``index_text.phone_forms``) and
    its E.164 form, filled in from the pool's templates rather than parsed again: a million
    phonenumbers parses cost a minute."""
    template, search_template, forms, e164 = pool.phones[int(r() * len(pool.phones))]
    digits = tuple(f"{int(r() * 10000):04d}")
    return template % digits, (search_template % (digits * forms)).split(VALUE), e164 % digits


def shipping(
    r: Any,
    pool: LocalePool,
    country: str,
    who: Person,
    company: str | None,
    address: str | None,
) -> tuple[tuple[Any, ...], list[str], str | None]:
    """The shipping block (in the column order of ``rows.SHIPPING_COLUMNS``), the phone's
    forms in the index text and its E.164 form."""
    has_phone = r() < (0.97 if company else 0.85)
    number, forms, e164 = phone(r, pool) if has_phone else (None, [], None)
    city, state, postcode = pool.places[int(r() * len(pool.places))]
    if country == "US" and r() < 0.1:
        postcode = f"{postcode}-{int(r() * 10000):04d}"
    line2 = pick(r, pool.line2) if pool.line2 and r() < 0.15 else None
    neighborhood = pick(r, pool.neighborhoods) if pool.neighborhoods else None
    block = (
        who.name,
        number,
        address if r() < 0.6 else None,
        company,
        street(r, pool),
        line2,
        city,
        postcode,
        state,
        country,
        neighborhood,
        None,
        who.phonetic,
    )
    return block, forms, e164
