"""Countries (ISO 3166-1) and their subdivisions (ISO 3166-2), from the ``pycountry`` package.

Digital River takes a shipping country as an ISO 3166-1 alpha-2 code and a state as text; the
console offers a select of the subdivisions for countries whose addresses name one (US states,
Canadian provinces, Brazilian states, …) and free text elsewhere."""

from __future__ import annotations

from functools import cache

import pycountry

# Countries whose postal addresses name a first-level subdivision, offered as a select. The
# value stored is the subdivision's code without the country prefix ("VA" for US-VA), as DR's
# examples and the US tax authorities use it.
STATE_SELECT_COUNTRIES = ("US", "CA", "BR", "AU", "IN")
# US tax-exemption certificates are issued by a state, DC or an inhabited territory: every US
# subdivision but the uninhabited Minor Outlying Islands.
_NO_TAX_AUTHORITY = {"US-UM"}


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (alpha-2 code, common name), sorted by name."""
    named = ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries)
    return tuple(sorted(named, key=lambda pair: pair[1]))


@cache
def _country_names() -> dict[str, str]:
    return dict(countries())


def is_country(code: str | None) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (upper case, as DR takes it)."""
    return bool(code) and code in _country_names()


def country_name(code: str) -> str:
    """The country's common name, or the code itself when it is none."""
    return _country_names().get(code.upper(), code)


@cache
def subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    """The first-level subdivisions a state select offers for ``country``, as (code without
    the country prefix, name) sorted by name; empty where the state is free text."""
    if country not in STATE_SELECT_COUNTRIES:
        return ()
    found = pycountry.subdivisions.get(country_code=country) or ()
    top = ((s.code.split("-", 1)[1], s.name) for s in found if s.parent_code is None)
    return tuple(sorted(top, key=lambda pair: pair[1]))


@cache
def us_tax_authorities() -> tuple[str, ...]:
    """The US states and DC by name, then the inhabited territories by name, as two-letter
    codes (the order a US address form lists them in)."""
    found = pycountry.subdivisions.get(country_code="US") or ()
    kept = [s for s in found if s.code not in _NO_TAX_AUTHORITY]
    ordered = sorted(kept, key=lambda s: (s.type == "Outlying area", s.name))
    return tuple(s.code.split("-", 1)[1] for s in ordered)


__all__ = [
    "STATE_SELECT_COUNTRIES",
    "countries",
    "country_name",
    "is_country",
    "subdivisions",
    "us_tax_authorities",
]
