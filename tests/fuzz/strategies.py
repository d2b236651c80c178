"""Values a hostile or broken client sends: each form field gets a mix of what the page offers
and what no page renders (unicode digits, NUL, right-to-left marks, huge strings and numbers,
dates at the calendar's ends), field names no page renders, and many rows of a list."""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

# Stands for the customer's current version: filled in when the request is sent, so that some
# submissions are valid and go through.
CURRENT = "\x00current-version\x00"

NASTY = (
    "",
    " ",
    "\t",
    "\r\n",
    "²",
    "٣",
    "𝟙𝟚",
    "9" * 5000,
    str(2**64),
    str(2**63),
    str(-(2**63) - 1),
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\u200f",
    "\ufeff",
    "\u2028",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "2025-02-30",
    "x" * 33,
    "x" * 41,
    "x" * 65,
    "x" * 256,
    "x" * 501,
    "é" * 300,
    "x" * 200_000,
    "a@b",
    "@",
    "a" * 300 + "@example.com",
    "null",
    "{}",
)


def nasty() -> st.SearchStrategy[str]:
    """Anything a client could send as one value."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=24),
        st.integers().map(str),
        st.dates().map(dt.date.isoformat),
    )


def value(*good: str) -> st.SearchStrategy[str]:
    """A field's value: one the page offers (twice as likely) or anything at all."""
    if not good:
        return nasty()
    offered = st.sampled_from(good)
    return st.one_of(offered, offered, nasty())


def day() -> st.SearchStrategy[str]:
    """A date field: any real day (0001-01-01 to 9999-12-31), a usual one, or none."""
    return st.one_of(
        st.dates().map(dt.date.isoformat),
        st.sampled_from(["", "0001-01-01", "9999-12-31", "2025-01-01", "2025-12-31"]),
    )


def version() -> st.SearchStrategy[str]:
    """The hidden version: mostly the current one, else any number."""
    return st.one_of(
        st.just(CURRENT),
        st.just(CURRENT),
        st.just(CURRENT),
        st.integers(min_value=-1, max_value=10**20).map(str),
    )


def key_token() -> st.SearchStrategy[str]:
    """A keyset token ("after"/"before"): none, or a well-formed one naming any position
    (any time, with or without an offset, any id part)."""
    moment = st.one_of(
        st.datetimes().map(dt.datetime.isoformat),
        st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat),
        nasty(),
    )
    raw = st.tuples(moment, nasty()).map("|".join)
    encoded = raw.map(lambda text: base64.urlsafe_b64encode(text.encode()).decode().rstrip("="))
    return st.one_of(st.just(""), encoded)


# What follows a list's name in a row's field names.
ROW_INDEXES = ("²", "٣", "99999", "9" * 5000, "-1", "", "0x1", " 1", "1 ")


@dataclass(frozen=True)
class Rows:
    """Rows of a list field: a few drawn cell by cell, and ``bulk`` more of a plain pattern
    (100 rows of "Add row", say) that cost nothing to draw."""

    cells: tuple[tuple[str, str, str], ...] = ()
    bulk: int = 0
    bulk_start: int = 0

    def pairs(self, prefix: str, parts: Sequence[str]) -> list[tuple[str, str]]:
        out = [(f"{prefix}-{index}-{part}", text) for index, part, text in self.cells]
        for i in range(self.bulk_start, self.bulk_start + self.bulk):
            out += [(f"{prefix}-{i}-{part}", f"k{i}" if part != "value" else "v") for part in parts]
        return out


# The edges of the lists' sizes (20 keys, the forms' 25 and 100 rows) now and then: every row
# is rendered again, so a long list is the costliest example there is.
BULK = (0,) * 50 + (1, 19, 20, 21, 25, 26, 99, 100, 101, 150)


def rows(parts: Sequence[str], *good: str) -> st.SearchStrategy[Rows]:
    """Up to three cells (index, part, text) and sometimes a long run of plain rows; the
    shape comes from one draw, each odd text from Hypothesis."""
    indexes = (*(str(i) for i in range(31)), *ROW_INDEXES)
    any_value = nasty()
    shape_seed = st.integers(0, 2**32)

    @st.composite
    def draw_rows(draw: st.DrawFn) -> Rows:
        shape = random.Random(draw(shape_seed))
        cells = []
        for _ in range(shape.choice((0, 0, 1, 2, 3))):
            text = draw(any_value) if shape.random() < 0.3 else shape.choice(good or ("",))
            cells.append((shape.choice(indexes), shape.choice((*parts, "bogus")), text))
        return Rows(tuple(cells), shape.choice(BULK), shape.choice((0, 0, 3, 90)))

    return draw_rows()


def field_name(*names: str) -> st.SearchStrategy[str]:
    """A field name: one of the form's, one no page renders, or anything."""
    odd = ["metadata-²-key", "metadata-99999-key", "metadata-" + "9" * 5000 + "-key", "metadata"]
    return st.one_of(st.sampled_from([*names, *odd]), st.text(max_size=12))


FLAG_VALUES = ("1", "y", "on", "", "²", "0")


@dataclass
class Submission:
    """One request: its form (or query) values, as pairs so a name may repeat."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    htmx: bool = False
    csrf: str = "valid"  # valid, missing, or a bogus token

    def with_version(self, current: int) -> list[tuple[str, str]]:
        return [(k, str(current) if v == CURRENT else v) for k, v in self.pairs]


Fields = dict[str, "tuple[str, ...] | st.SearchStrategy[str]"]


def submission(
    fields: Fields,
    *,
    lists: dict[str, tuple[Sequence[str], st.SearchStrategy[Rows]]] | None = None,
    flags: Sequence[str] = (),
) -> st.SearchStrategy[Submission]:
    """The form's fields, each with a value the page offers (a tuple of them) or drawn from
    its own strategy, except a few that get anything at all and now and then one left out;
    rows of its lists, some of its ``flags`` (buttons, checkboxes), an extra or repeated
    field, htmx or not, and a CSRF token most of the time. Corrupting a few fields of an
    otherwise valid form reaches further into a view than corrupting all of them."""
    # Every strategy is built once here: building them inside each draw costs more than the
    # request the example makes. Draws are few for the same reason: the offered values of all
    # fields, htmx or not and the CSRF token come from one integer.
    names = sorted(fields)
    drawn = {name: spec for name, spec in fields.items() if not isinstance(spec, tuple)}
    any_value = nasty()
    variant = st.integers(0, 2**32)
    row_lists = [(prefix, parts, strategy) for prefix, (parts, strategy) in (lists or {}).items()]
    extra = st.tuples(field_name(*fields), any_value)

    @st.composite
    def draw_submission(draw: st.DrawFn) -> Submission:
        choices = random.Random(draw(variant))
        # Which fields get anything at all: none in a third of the examples (so that some go
        # through), else one to three (their values are drawn by Hypothesis).
        count = min(len(names), choices.choice((0, 0, 1, 1, 2, 3)))
        corrupt = set(choices.sample(names, count))
        left_out = choices.choice(names) if names and choices.random() < 0.1 else None
        pairs = []
        for name, spec in fields.items():
            if name == left_out:
                continue
            if name in corrupt:
                pairs.append((name, draw(any_value)))
            elif name in drawn:
                pairs.append((name, draw(drawn[name])))
            else:
                pairs.append((name, choices.choice(spec)))  # type: ignore[arg-type]
        for prefix, parts, strategy in row_lists:
            pairs += draw(strategy).pairs(prefix, parts)
        pairs += [(flag, choices.choice(FLAG_VALUES)) for flag in flags if choices.random() < 0.3]
        if choices.random() < 0.3:
            pairs.append(draw(extra))
        csrf = choices.choice(["valid"] * 8 + ["missing", "bogus"])
        # Mostly htmx: without it a refusal renders the whole page around the form, the
        # costliest answer there is; one example in six still goes without.
        return Submission(pairs, htmx=choices.random() < 0.83, csrf=csrf)

    return draw_submission()
