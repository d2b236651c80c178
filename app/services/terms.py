"""What the search box typed means, whatever backend answers it.

One parse for every backend. The box holds free text and **qualifiers** (``city:leeds``,
``last4:4242``, ``meta.order:A-1043``, ``created:>2025-01-01``), combined with spaces: a
customer must match every part (AND). Each part is a ``Clause``: the ways it can match (any
of them will do). The local store turns the ways into index lookups over the customer's
index text (``app.services.index_text``); Digital River's client sends what its list
endpoint can filter on (exact ``ids``, exact ``email``, ``createdTime``) and says what it
cannot search. A malformed qualifier raises ``SearchSyntaxError`` with the message the page
shows under the box."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .errors import InvalidParameter
from .index_text import VALUE, compact, fold
from .phones import digits, international_digits

if TYPE_CHECKING:
    from .customers import SearchQuery

# Substrings shorter than this are not looked up (a trigram index needs three characters).
SUBSTRING_MIN_LENGTH = 3
# A free-text term with this many digits (and as many as letters) is also a tax id.
_TAX_MIN_LENGTH = 5
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")
_QUALIFIER = re.compile(r"(meta\.[^\s:]*|[A-Za-z][A-Za-z0-9_]*):")
_CREATED = re.compile(r"^(>=|<=|>|<)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LAST4 = re.compile(r"^\d{4}$")


class SearchSyntaxError(InvalidParameter):
    """A qualifier the box cannot search by; the message says how to write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, parameter="q")


@dataclass(frozen=True)
class Way:
    """One way a clause matches a customer.

    ``id``: the id is exactly ``value``. ``email_prefix``: the lower-cased email starts with
    ``value``. ``text``: every one of ``needles`` is a substring of the customer's index text
    (within the segment of field ``tag``, when given); ``extra`` are words too short for
    the index, tested on the row only."""

    kind: str
    value: str = ""
    needles: tuple[str, ...] = ()
    tag: str | None = None
    extra: tuple[str, ...] = ()

    @property
    def lookup(self) -> tuple[str, ...]:
        """What the substring index is asked for: each needle, or its most telling part
        when it is long (a trigram index reads a posting list per three characters, so a
        24-character email costs eight times what its first eight do); the row test then
        checks the whole needle."""
        return tuple(_telling_part(n) for n in self.needles)

    @property
    def index_is_exact(self) -> bool:
        """Whether what the index finds for this way is exactly what matches."""
        if self.kind != "text":
            return True
        return self.tag is None and not self.extra and self.lookup == self.needles


# The longest part of a needle the index is asked for.
LOOKUP_LENGTH = 12


def _telling_part(needle: str) -> str:
    """The part of ``needle`` to look up: a metadata needle's value (the key is common), the
    last digits of a number (its first ones are a country or area code), else the start."""
    if needle.startswith(VALUE) and ":" in needle:
        value = needle.split(":", 1)[1]
        if len(value) >= SUBSTRING_MIN_LENGTH:
            needle = value
    if len(needle) <= LOOKUP_LENGTH:
        return needle
    return needle[-LOOKUP_LENGTH:] if needle.isdigit() else needle[:LOOKUP_LENGTH]


@dataclass(frozen=True)
class Clause:
    """One part of the box (free text, or one qualifier): ``name`` is the qualifier (None for
    free text), ``value`` what it was given."""

    name: str | None
    value: str
    ways: tuple[Way, ...]


@dataclass(frozen=True)
class Qualifier:
    """What a qualifier is for, as the help popover and the refusals say it."""

    name: str
    tag: str | None
    example: str
    says: str


QUALIFIERS = (
    Qualifier("email", "e", "email:acme.com", "a part of the email address (any case)"),
    Qualifier("name", "n", "name:gonçalves", "words of the shipping name, in any order"),
    Qualifier("phone", "p", "phone:7700900", "digits of the phone, in any of its forms"),
    Qualifier("org", "o", "org:acme", "words of the organization"),
    Qualifier("city", "c", "city:zurich", "a part of the city (accents folded)"),
    Qualifier("state", "s", "state:virginia", "a part of the state or region, or its code"),
    Qualifier("postcode", "z", "postcode:LS1", "a part of the postal code"),
    Qualifier("last4", "l", "last4:4242", "the last four digits of a saved card"),
    Qualifier("tax", "t", "tax:DE123456789", "a tax identifier, with or without spaces or dots"),
    Qualifier("meta.KEY", "m", "meta.order:A-1043", "a metadata value (its start) for one key"),
    Qualifier("id", None, "id:cus_123", "the customer id, exactly"),
    Qualifier(
        "created",
        None,
        "created:>2025-01-01",
        "created after (>, >=), before (<, <=) or in a day, month or year (created:2025-03)",
    ),
)
_BY_NAME = {q.name: q for q in QUALIFIERS}
# What Digital River's customer list filters on: exact ids, the exact email, createdTime.
DR_QUALIFIERS = frozenset({"id", "email", "created"})
_ALIASES = {"zip": "postcode", "postal": "postcode", "organization": "org", "company": "org"}


@dataclass(frozen=True)
class SearchTerms:
    """The box's text, parsed.

    ``text``: as typed (stripped). ``free``: the part that is not a qualifier. ``clauses``:
    what a customer must match, every one. ``created_from`` / ``created_to``: the ``created:``
    qualifiers' period (to narrow the query's own). ``exact_id``: the id an exact hit is
    looked up for. ``notice``: why a short term looks up no substrings."""

    text: str
    clauses: tuple[Clause, ...] = ()
    free: str = ""
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    notice: str | None = None
    unknown: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """No clause: every customer (within the filters), newest first."""
        return not self.clauses

    @property
    def qualifiers(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.name is not None)

    @property
    def exact_id(self) -> str | None:
        """The free text when it stands alone (a pasted id), else an ``id:`` qualifier's."""
        ids = [c.value for c in self.clauses if c.name == "id"]
        if ids:
            return ids[0]
        if self.free and len(self.clauses) == 1:
            return self.free
        return None

    @property
    def email_only(self) -> bool:
        """Free text with an ``@`` and nothing else: an email (DR's exact ``email=``)."""
        return bool(self.free) and "@" in self.free and len(self.clauses) == 1

    def narrow(self, query: SearchQuery) -> SearchQuery:
        """``query`` with the ``created:`` period laid over its own created filters."""
        start, end = query.created_from, query.created_to
        if self.created_from is not None:
            start = self.created_from if start is None else max(start, self.created_from)
        if self.created_to is not None:
            end = self.created_to if end is None else min(end, self.created_to)
        if (start, end) == (query.created_from, query.created_to):
            return query
        return replace(query, created_from=start, created_to=end)

    def suggestion(self) -> str | None:
        """For an empty result: the qualifier nearest to a word typed before a colon, or,
        for free text, the qualifier that would narrow it."""
        names = [q.name for q in QUALIFIERS if q.name != "meta.KEY"]
        for word in self.unknown:
            near = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.75)
            if near:
                return f"Did you mean {near[0]}:? “{word}:” was searched as a metadata key."
        if self.free and not self.qualifiers:
            value = self.free if " " not in self.free else f'"{self.free}"'
            if _PHONE_LIKE.match(self.free):
                return f"To search one field, use a qualifier: phone:{value} or last4:…"
            return f"To search one field, use a qualifier: name:{value}, city:{value}, email:…"
        return None


SHORT_TERM_NOTICE = (
    f"Type at least {SUBSTRING_MIN_LENGTH} characters to search names, emails, phones, "
    "places, cards, tax ids and metadata; shorter terms match ids and email prefixes."
)


def _tokens(text: str) -> list[tuple[str | None, str]]:
    """(qualifier, value) pairs and free words (qualifier None), in order. A qualifier's
    value may be quoted to hold spaces (``city:"new york"``)."""
    out: list[tuple[str | None, str]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        qualifier = _QUALIFIER.match(text, i) if i == 0 or text[i - 1].isspace() else None
        if qualifier is not None and qualifier.group(1)[:1].isalpha():
            i = qualifier.end()
            if i < n and text[i] == '"' and '"' in text[i + 1 :]:
                close = text.index('"', i + 1)
                out.append((qualifier.group(1), text[i + 1 : close]))
                i = close + 1
                continue
            j = i
            while j < n and not text[j].isspace():
                j += 1
            out.append((qualifier.group(1), text[i:j]))
            i = j
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        out.append((None, text[i:j]))
        i = j
    return out


def _words_way(value: str, tag: str | None) -> Way | None:
    """Every word of ``value`` (any order), folded; words too short for the index are
    checked on the row. A value whose every word is short is looked for whole."""
    words = list(dict.fromkeys(fold(w) for w in value.split()))
    long = tuple(w for w in words if len(w) >= SUBSTRING_MIN_LENGTH)
    if long:
        return Way("text", needles=long, tag=tag, extra=tuple(w for w in words if w not in long))
    whole = fold(" ".join(value.split()))
    if len(whole) >= SUBSTRING_MIN_LENGTH:
        return Way("text", needles=(whole,), tag=tag)
    return None


def _free_clause(free: str) -> tuple[Clause, str | None]:
    """The free text's clause and its notice."""
    lowered = free.lower()
    if "@" in free:
        # An email, or the part of one from the @ (a domain).
        ways = [Way("email_prefix", value=lowered)]
        if len(free) >= SUBSTRING_MIN_LENGTH:
            ways.append(Way("text", needles=(fold(free),), tag="e"))
        return Clause(None, free, tuple(ways)), None
    ways = [Way("id", value=free), Way("email_prefix", value=lowered)]
    if _PHONE_LIKE.match(free) and len(digits(free)) >= SUBSTRING_MIN_LENGTH:
        # A phone-like term as its digits, as typed (postal codes such as 00-950 are not
        # indexed as digits) and, when it is an international number, as E.164 digits (so
        # the "(0)" of "+44 (0)7700 900123" does not get in the way).
        needles = list(dict.fromkeys([digits(free), lowered, international_digits(free) or ""]))
        ways += [Way("text", needles=(n,)) for n in needles if n]
        return Clause(None, free, tuple(dict.fromkeys(ways))), None
    words = _words_way(free, None)
    if words is None:
        return Clause(None, free, tuple(ways)), SHORT_TERM_NOTICE
    ways.append(words)
    # A tax id typed with spaces or dots (DE 123 456 789): mostly digits, looked for
    # compacted among the tax ids (not "mastercard 0653", which is words).
    squeezed = compact(free)
    figures = sum(ch.isdigit() for ch in squeezed)
    if (
        figures >= _TAX_MIN_LENGTH
        and figures * 2 >= len(squeezed)
        and squeezed not in words.needles
    ):
        ways.append(Way("text", needles=(squeezed,), tag="t"))
    return Clause(None, free, tuple(ways)), None


def _period(name: str, value: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The [from, to) of a ``created:`` value."""
    found = _CREATED.match(value)
    problem = SearchSyntaxError(
        f"{name}: takes a date as YYYY-MM-DD, YYYY-MM or YYYY, after >, >=, < or <= "
        f"(created:>2025-01-01, created:2025-03), not “{value}”."
    )
    if not found:
        raise problem
    op, year, month, day = found.groups()
    try:
        if day:
            start = dt.datetime(int(year), int(month), int(day), tzinfo=dt.UTC)
            end = start + dt.timedelta(days=1)
        elif month:
            start = dt.datetime(int(year), int(month), 1, tzinfo=dt.UTC)
            days = calendar.monthrange(int(year), int(month))[1]
            end = start + dt.timedelta(days=days)
        else:
            start = dt.datetime(int(year), 1, 1, tzinfo=dt.UTC)
            end = start.replace(year=start.year + 1)
    except (ValueError, OverflowError):
        raise problem from None
    if op == ">":
        return end, None
    if op == ">=":
        return start, None
    if op == "<":
        return None, start
    if op == "<=":
        return None, end
    return start, end


def _needs(name: str, example: str, what: str) -> SearchSyntaxError:
    return SearchSyntaxError(f"{name}: needs {what} ({example}).")


def _qualifier_clause(name: str, value: str) -> Clause:
    """The clause of one qualifier (``name`` lower-cased, known or ``meta.KEY``)."""
    if name.startswith("meta."):
        key = fold(name[5:])
        return Clause(
            name, value, (Way("text", needles=(VALUE + key + ":" + fold(value),), tag="m"),)
        )
    q = _BY_NAME[name]
    if name == "id":
        return Clause(name, value, (Way("id", value=value),))
    if name == "last4":
        if not _LAST4.match(value):
            raise _needs(name, q.example, "the card's last four digits, exactly four")
        return Clause(name, value, (Way("text", needles=(VALUE + value + VALUE,), tag="l"),))
    if name == "phone":
        found = digits(value)
        if len(found) < SUBSTRING_MIN_LENGTH:
            raise _needs(name, q.example, f"at least {SUBSTRING_MIN_LENGTH} digits")
        forms = dict.fromkeys([found, international_digits(value) or ""])
        return Clause(name, value, tuple(Way("text", needles=(f,), tag="p") for f in forms if f))
    if name in ("name", "org"):
        way = _words_way(value, q.tag)
        if way is None:
            raise _needs(name, q.example, f"at least {SUBSTRING_MIN_LENGTH} characters")
        return Clause(name, value, (way,))
    needle = compact(value) if name == "tax" else fold(" ".join(value.split()))
    if len(needle) < SUBSTRING_MIN_LENGTH:
        raise _needs(name, q.example, f"at least {SUBSTRING_MIN_LENGTH} characters")
    return Clause(name, value, (Way("text", needles=(needle,), tag=q.tag),))


def parse_terms(text: str) -> SearchTerms:
    """Parse what was typed into the search box (``SearchSyntaxError`` if a qualifier is
    malformed)."""
    term = text.strip()
    if not term:
        return SearchTerms(text="")
    clauses: list[Clause] = []
    free_words: list[str] = []
    unknown: list[str] = []
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    for qualifier, value in _tokens(term):
        if qualifier is None:
            free_words.append(value)
            continue
        name = _ALIASES.get(qualifier.lower(), qualifier.lower())
        if name == "created":
            low, high = _period(qualifier, value)
            start = low if start is None or (low is not None and low > start) else start
            end = high if end is None or (high is not None and high < end) else end
            continue
        if name.startswith("meta.") and len(name) == 5:
            raise _needs(qualifier, "meta.order:A-1043", "a key after the dot")
        if name not in _BY_NAME and not name.startswith("meta."):
            # A word before a colon that names no qualifier: a metadata key (order:A-1043),
            # or a customer id with a colon in it.
            unknown.append(qualifier)
            key = VALUE + fold(qualifier) + ":" + fold(value)
            ways = (Way("text", needles=(key,), tag="m"), Way("id", value=f"{qualifier}:{value}"))
            clauses.append(Clause(qualifier, value, ways))
            continue
        if not value and not name.startswith("meta."):
            raise _needs(qualifier, _BY_NAME[name].example, "a value")
        clauses.append(_qualifier_clause(name, value))
    free = " ".join(free_words)
    notice = None
    if free:
        clause, notice = _free_clause(free)
        clauses.insert(0, clause)
    return SearchTerms(
        text=term,
        clauses=tuple(clauses),
        free=free,
        created_from=start,
        created_to=end,
        notice=notice,
        unknown=tuple(unknown),
    )


__all__ = [
    "DR_QUALIFIERS",
    "QUALIFIERS",
    "SUBSTRING_MIN_LENGTH",
    "Clause",
    "SearchSyntaxError",
    "SearchTerms",
    "Way",
    "digits",
    "parse_terms",
]
