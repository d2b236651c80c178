"""What the search box typed means, whatever backend answers it.

One parse for every backend: the local store turns the terms into index lookups, Digital
River's client into the list endpoint's exact filters (``email=``, ``ids=``), and each says
through its ``SearchCapabilities`` which kinds it cannot search."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .phones import digits, international_digits

# Substrings shorter than this are not looked up (a trigram index needs three characters).
SUBSTRING_MIN_LENGTH = 3
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")


@dataclass(frozen=True)
class SearchTerms:
    """The box's text, parsed.

    ``text`` is the term as typed (stripped); empty means "every customer, newest first".
    A term is always tried as an exact ``id``. With an ``@`` it is an email and nothing else
    (``email_only``): exact on DR, an exact or prefix match (any case) on the local store.
    Otherwise it is also an email prefix, and, from three characters, the ``needles``: the
    lower-cased substrings looked for in names, phones, organizations and postal codes (a
    phone-like term both as its digits and as typed). ``notice`` says why a short term looks
    up no substrings."""

    text: str
    email_only: bool
    needles: tuple[str, ...]
    notice: str | None = None

    @property
    def lowered(self) -> str:
        """The term lower-cased: the email (or email prefix) looked for."""
        return self.text.lower()

    @property
    def is_empty(self) -> bool:
        return not self.text


SHORT_TERM_NOTICE = (
    f"Type at least {SUBSTRING_MIN_LENGTH} characters to search names, phones, "
    "organizations and postal codes; shorter terms match ids and email prefixes."
)


def parse_terms(text: str) -> SearchTerms:
    """Parse what was typed into the search box."""
    term = text.strip()
    if not term:
        return SearchTerms(text="", email_only=False, needles=())
    if "@" in term:
        return SearchTerms(text=term, email_only=True, needles=())
    lowered = term.lower()
    needle = lowered
    if _PHONE_LIKE.match(term) and len(digits(term)) >= SUBSTRING_MIN_LENGTH:
        needle = digits(term)
    if len(needle) < SUBSTRING_MIN_LENGTH:
        return SearchTerms(text=term, email_only=False, needles=(), notice=SHORT_TERM_NOTICE)
    # A phone-like term also as typed (postal codes such as 00-950 are not indexed as
    # digits) and, when it is an international number, as E.164 digits (so the "(0)" of
    # "+44 (0)7700 900123" does not get in the way).
    needles = [needle] if needle == lowered else [needle, lowered]
    international = international_digits(term) if needle != lowered else None
    if international and international not in needles:
        needles.append(international)
    return SearchTerms(text=term, email_only=False, needles=tuple(needles))


__all__ = ["SUBSTRING_MIN_LENGTH", "SearchTerms", "digits", "parse_terms"]
