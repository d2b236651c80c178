"""Value pools, built once per process from the field libraries and then picked from.

Faker is slow per call (microseconds to a tenth of a millisecond), far too slow for a million
customers; so each process draws a few thousand values per locale once, seeded with the
load's random seed (the same seed gives the same pools), and the generator picks from them
with ``random``. Values that must not repeat much (phone numbers, VAT numbers) are kept as
templates whose last four digits the generator draws afresh.

* Faker: names (see ``names``), street addresses, cities, postcodes (US ZIP codes and Canadian
  postal codes within the chosen state or province), company names, phone numbers, free
  email domains, top-level domains, VAT numbers.
* pycountry: the countries (every market is an ISO 3166-1 country) and the ISO 3166-2
  subdivisions whose codes become the state of US, CA, BR, AU, IT and CH addresses.
* phonenumbers: keeps only the phone numbers that are valid in the country, in the forms
  people type them (as Faker wrote them, national, international or E.164).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
import pycountry
from faker import Faker

from ..services import phones, rules
from ..services.customers import SUPPORTED_LOCALES
from ..services.index_text import VALUE, phone_forms
from .markets import LOCALE_STATES, MARKETS, TAX_FORMATS, Market
from .names import Culture, build_culture, fold, seeded_faker

POOL_SIZE = 1000  # the scale of a big load's pools (places and streets get half of it)
MIN_POOL_SIZE = 100
_PHONE_FORMATS = (
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.E164,
)
_CONNECTORS = {"and", "und", "e", "et", "y", "en", "og", "och", "i", "a", "of", "the", "de"}


def pool_size(count: int) -> int:
    """Values per pool for a load of ``count`` customers: small loads need fewer."""
    return max(MIN_POOL_SIZE, min(POOL_SIZE, count))


def digit_template(text: str, digits: int = 4) -> str | None:
    """``text`` as a %-template whose last ``digits`` digits are ``%s`` placeholders (None
    when it has fewer digits)."""
    out = text.replace("%", "%%")
    for _ in range(digits):
        match = re.search(r"\d(?=\D*$)", out.replace("%s", "xx"))
        if match is None:
            return None
        out = out[: match.start()] + "%s" + out[match.end() :]
    return out


def number_template(text: str) -> tuple[str, int, int]:
    """``text`` as a %-template with a ``%d`` for its first run of digits (the house number),
    and that run's range (lowest, how many values): the generator draws new house numbers
    of the same length."""
    match = re.search(r"\d+", text)
    if match is None:  # no number: used as it is
        return text, 0, 0
    digits = len(match.group())
    before, after = text[: match.start()], text[match.end() :]
    template = before.replace("%", "%%") + "%d" + after.replace("%", "%%")
    return template, 10 ** (digits - 1), 9 * 10 ** (digits - 1)


def _templates(values: list[str]) -> tuple[str, ...]:
    return tuple(t for v in values if (t := digit_template(v)) is not None)


# The pools compare and hash by identity: they hold tuples of thousands of values, and the
# weighted tuples repeat them.
@dataclass(frozen=True, eq=False)
class LocalePool:
    """Addresses, phones and companies of one Faker locale of a market."""

    locale: str
    dr_locale: str  # the customer locale (one DR supports)
    places: tuple[tuple[str, str | None, str], ...]  # (city, state, postcode)
    streets: tuple[tuple[str, int, int], ...]  # see number_template
    line2: tuple[str, ...]
    neighborhoods: tuple[str, ...]
    phones: tuple[tuple[str, str, int, str], ...]  # see _phone_forms
    companies: tuple[tuple[str, str], ...]  # (name, domain label)
    email_domains: tuple[str, ...]
    tlds: tuple[str, ...]
    cultures: tuple[Culture, ...]  # weighted: pick one at random for a person living here


@dataclass(frozen=True, eq=False)
class MarketPool:
    market: Market
    locales: tuple[LocalePool, ...]  # weighted
    tax_ids: tuple[str, ...]  # digit templates of VAT numbers


@dataclass(frozen=True, eq=False)
class Pools:
    markets: tuple[MarketPool, ...]  # weighted
    cultures: tuple[Culture, ...]  # every culture, for people of no particular market


def weighted(pairs: list[tuple[object, float]], size: int = 100) -> tuple:
    """A tuple to pick from at random in which each value appears as often as its weight."""
    total = sum(w for _, w in pairs)
    out: list[object] = []
    for value, weight in pairs:
        out.extend([value] * max(1, round(weight / total * size)))
    return tuple(out)


def iso_states(country: str) -> tuple[str, ...]:
    """The country's lowest-level ISO 3166-2 subdivisions (states, provinces, cantons,
    Italian provinces; not outlying areas), without the country prefix."""
    subdivisions = list(pycountry.subdivisions.get(country_code=country) or ())
    parents = {s.parent_code for s in subdivisions if s.parent_code}
    return tuple(
        sorted(
            s.code.split("-", 1)[1]
            for s in subdivisions
            if s.code not in parents and s.type != "Outlying area"
        )
    )


def _state(fake: Faker, market: Market, locale: str, states: tuple[str, ...]) -> str | None:
    if market.states == "iso":
        return fake.random_element(LOCALE_STATES.get(locale, states))
    if market.states == "faker":
        return fake.prefecture() if locale == "ja_JP" else fake.province()
    return None


def _place(fake: Faker, market: Market, locale: str, states: tuple[str, ...]) -> tuple:
    state = _state(fake, market, locale, states)
    if market.code == "US" and state is not None:
        postcode = fake.postcode_in_state(state)
    elif market.code == "CA" and state is not None:
        postcode = fake.postalcode_in_province(state)
    else:
        postcode = fake.zipcode() if locale == "ja_JP" else fake.postcode()
    city = fake.city_name() + "市" if locale == "zh_CN" else fake.city()
    return " ".join(city.split()), state, postcode.strip()


def _street(fake: Faker, locale: str) -> str:
    if locale == "ja_JP":
        return fake.town() + fake.chome() + fake.ban() + fake.gou()
    if locale == "zh_CN":
        return f"{fake.street_name()}{fake.random_int(1, 999)}号"
    if locale == "ko_KR":
        return fake.road()
    return " ".join(fake.street_address().replace("\n", ", ").split())


def _line2(fake: Faker, locale: str) -> str | None:
    if locale == "ja_JP":
        return fake.building_name() + fake.building_number()
    if locale == "ko_KR":
        return fake.address_detail()
    if hasattr(fake, "secondary_address") and locale != "zh_TW":
        return fake.secondary_address().strip()
    return None


def _valid_phone(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return number if phonenumbers.region_code_for_number(number) == region else None


def _phone_forms(text: str, region: str) -> tuple[str, str, int, str] | None:
    """A phone as (template, template of its part of the search text, how many forms that
    part has, template of its E.164 form): the index holds a phone as typed and in its usual
    forms, and the linked-customers keys its E.164 form, all ending in the same four digits,
    so the generator fills every template with the same new digits."""
    template = digit_template(text)
    forms = phone_forms(text, region)
    form_templates = [digit_template(form) for form in forms]
    e164 = phones.e164(text, region)
    e164_template = digit_template(e164) if e164 else None
    if template is None or e164_template is None or None in form_templates:
        return None
    return template, VALUE.join(form_templates), len(forms), e164_template  # type: ignore[arg-type]


def _phones(fake: Faker, region: str, wanted: int) -> tuple[tuple[str, str, int, str], ...]:
    """Valid numbers of the region as people type them: Faker's own forms, or national,
    international and E.164. Where few of Faker's numbers are valid (it draws Canadian area
    codes at random, say) it draws more, and tops up from phonenumbers' example numbers."""
    phones: list[str] = []
    for _ in range(wanted * 4):
        if len(phones) >= wanted:
            break
        text = fake.phone_number()
        number = _valid_phone(text, region)
        if number is None:
            continue
        if number.extension or fake.random.random() < 0.4:
            number.extension = None
            text = phonenumbers.format_number(number, fake.random.choice(_PHONE_FORMATS))
        phones.append(text)
    kinds = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
    examples = [e for k in kinds if (e := phonenumbers.example_number_for_type(region, k))]
    for _ in range(wanted * 4 if examples and len(phones) < wanted // 4 else 0):
        example = fake.random.choice(examples)
        national = str(example.national_number)
        number = _valid_phone(
            f"+{example.country_code}{national[:-6]}{fake.numerify('#' * 6)}", region
        )
        if number is not None:
            phones.append(phonenumbers.format_number(number, fake.random.choice(_PHONE_FORMATS)))
        if len(phones) >= wanted // 4:
            break
    return tuple(forms for p in phones if (forms := _phone_forms(p, region)) is not None)


def _company(fake: Faker, suffix_words: set[str]) -> tuple[str, str]:
    """A company name and the label of its domain (from its first words)."""
    name = " ".join(fake.company().split())
    words = [
        w
        for w in re.findall(r"[^\W\d_]+", name)
        if w.lower() not in suffix_words and w.lower() not in _CONNECTORS
    ]
    label = fold(words[0]) if words else ""
    if len(words) > 1 and fake.random.random() < 0.3:
        label = f"{label}-{fold(words[1])}"
    if len(label.strip("-")) < 3:  # a name in another script: a romanised user name
        label = "".join(ch for ch in fake.user_name() if ch.isalpha()) or "shop"
    return name, label


def _tax_ids(market: Market, seed: int, draws: int) -> tuple[str, ...]:
    """VAT numbers DR's rules accept for the market's tax identifier type."""
    if market.tax_type is None:
        return ()
    fake = seeded_faker(market.locales[0][0], f"{seed}/tax/{market.code}")
    values = []
    for _ in range(draws):
        if market.tax_type == "br":
            value = fake.cnpj()
        elif market.tax_type in TAX_FORMATS:
            value = fake.numerify(TAX_FORMATS[market.tax_type])
        else:
            value = fake.vat_id().replace(" ", "").upper()
        if not rules.tax_identifier_problems(market.tax_type, value):
            values.append(value)
    return _templates(values)


def _dr_locale(locale: str, market: Market) -> str:
    return locale if locale in SUPPORTED_LOCALES else market.fallback_locale


def _locale_pool(
    market: Market, locale: str, seed: int, size: int, cultures: dict[str, Culture]
) -> LocalePool:
    fake = seeded_faker(locale, f"{seed}/{market.code}/{locale}")
    states = iso_states(market.code) if market.states == "iso" else ()
    suffix_words = {w.lower() for _ in range(50) for w in fake.company_suffix().split()}
    line2 = (_line2(fake, locale) for _ in range(size // 5))
    neighborhoods = [fake.bairro() for _ in range(size // 5)] if locale == "pt_BR" else []
    extra = sum(w for _, w in market.names)
    mix = [(cultures[locale], max(0.0, 100 - extra))] + [(cultures[n], w) for n, w in market.names]
    return LocalePool(
        locale=locale,
        dr_locale=_dr_locale(locale, market),
        places=tuple(_place(fake, market, locale, states) for _ in range(size // 2)),
        streets=tuple(number_template(_street(fake, locale)) for _ in range(size // 2)),
        line2=tuple(v for v in line2 if v),
        neighborhoods=tuple(neighborhoods),
        phones=_phones(fake, market.code, min(size, 100)),
        companies=tuple(_company(fake, suffix_words) for _ in range(size // 4)),
        email_domains=tuple(fake.free_email_domain() for _ in range(100)),
        tlds=tuple(fake.tld() for _ in range(30)),
        cultures=weighted(mix),
    )


@functools.lru_cache(maxsize=4)
def build_pools(seed: int, size: int = POOL_SIZE) -> Pools:
    """Every market's pools for this seed (built once per process and seed)."""
    locales = {loc for m in MARKETS for loc, _ in m.locales} | {
        loc for m in MARKETS for loc, _ in m.names
    }
    draws = min(size, 300)
    cultures = {loc: build_culture(loc, seed, draws) for loc in sorted(locales)}
    markets = []
    for market in MARKETS:
        assert pycountry.countries.get(alpha_2=market.code) is not None, market.code
        pools = [(_locale_pool(market, loc, seed, size, cultures), w) for loc, w in market.locales]
        tax_ids = _tax_ids(market, seed, min(size, 100))
        markets.append((MarketPool(market, weighted(pools), tax_ids), market.weight))
    return Pools(weighted(markets, 1000), tuple(cultures[k] for k in sorted(cultures)))
