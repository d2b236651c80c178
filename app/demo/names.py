"""People's names, drawn once from Faker's person providers into pools.

A name part is kept as written, in Latin letters (for building an email address) and, for
Japanese, in katakana (DR's ``phoneticName``). Japanese names come from Faker's kanji / kana /
romaji pairs; Chinese ones pair Faker's characters with its romanised names; Korean ones
have no romanisation in Faker, so their email addresses use Faker's own user names."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from faker import Faker

# (as written, in Latin letters or None, katakana reading or None)
Part = tuple[str, str | None, str | None]

# Cultures that write the family name first, and with what between the two names.
FAMILY_FIRST = {"ja_JP": " ", "zh_CN": "", "zh_TW": "", "ko_KR": ""}
# How often a second family name is carried (Spanish and Portuguese naming).
DOUBLE_SURNAME = {"es_ES": 0.3, "es_MX": 0.3, "pt_BR": 0.35}
MIDDLE_INITIAL = {"en_US": 0.03, "en_CA": 0.02}
_ASCII_FOLDS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "oe", "æ": "ae", "å": "aa", "ł": "l"}
)


@functools.lru_cache(maxsize=64)
def _faker(locale: str) -> Faker:
    # Building a Faker takes ~20 ms; each use reseeds the one instance of its locale.
    return Faker(locale)


def seeded_faker(locale: str, seed: str) -> Faker:
    """The process's Faker for ``locale``, reseeded (the same seed draws the same values)."""
    fake = _faker(locale)
    fake.seed_instance(seed)
    return fake


@functools.cache
def fold(text: str) -> str:
    """Email-safe ASCII: umlauts spelt out, other accents dropped, the rest removed (cached:
    the names come from pools)."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_ASCII_FOLDS))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


@dataclass(frozen=True, eq=False)
class Culture:
    locale: str
    male: tuple[Part, ...]
    female: tuple[Part, ...]
    last_male: tuple[Part, ...]
    last_female: tuple[Part, ...]
    family_first: str | None  # the separator when the family name comes first
    double_surname: float = 0.0
    middle_initial: float = 0.0
    user_names: tuple[str, ...] = ()  # email local parts when names have no Latin spelling


def _latin(fake: Faker, method: str, draws: int) -> tuple[Part, ...]:
    return tuple((v, v, None) for v in (getattr(fake, method)() for _ in range(draws)))


def _japanese(fake: Faker, method: str, draws: int) -> tuple[Part, ...]:
    # Faker's pairs are (kanji, katakana, romaji).
    return tuple((k, r, kana) for k, kana, r in (getattr(fake, method)() for _ in range(draws)))


def _chinese(fake: Faker, native: str, roman: str, draws: int) -> tuple[Part, ...]:
    parts = []
    for _ in range(draws):
        romanised = getattr(fake, roman)()
        parts.append((getattr(fake, native)(), romanised.title(), None))
    return tuple(parts)


def build_culture(locale: str, seed: int, draws: int) -> Culture:
    """The name pools of one Faker locale, ``draws`` values per list (repeats keep Faker's
    weights: common names stay common)."""
    fake = seeded_faker(locale, f"{seed}/names/{locale}")
    user_names: tuple[str, ...] = ()
    if locale == "ja_JP":
        male = _japanese(fake, "first_name_male_pair", draws)
        female = _japanese(fake, "first_name_female_pair", draws)
        last_male = last_female = _japanese(fake, "last_name_pair", draws)
    elif locale in ("zh_CN", "zh_TW"):
        male = _chinese(fake, "first_name_male", "first_romanized_name", draws)
        female = _chinese(fake, "first_name_female", "first_romanized_name", draws)
        last_male = last_female = _chinese(fake, "last_name", "last_romanized_name", draws)
    else:
        male = _latin(fake, "first_name_male", draws)
        female = _latin(fake, "first_name_female", draws)
        last_male = _latin(fake, "last_name_male", draws)
        last_female = _latin(fake, "last_name_female", draws)
        if locale == "ko_KR":
            male, female, last_male, last_female = (
                tuple((p[0], None, None) for p in parts)
                for parts in (male, female, last_male, last_female)
            )
            user_names = tuple(fold(fake.user_name()) for _ in range(draws))
    return Culture(
        locale,
        male,
        female,
        last_male,
        last_female,
        FAMILY_FIRST.get(locale),
        DOUBLE_SURNAME.get(locale, 0.0),
        MIDDLE_INITIAL.get(locale, 0.0),
        user_names,
    )
