"""What the search box's text means (shared by every backend): free text and qualifiers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.customers import SearchQuery
from app.services.index_text import compact, fold, layout
from app.services.terms import SUBSTRING_MIN_LENGTH, SearchSyntaxError, Way, digits, parse_terms

UTC = dt.UTC


def text_ways(text: str) -> list[Way]:
    (clause,) = parse_terms(text).clauses
    return [w for w in clause.ways if w.kind == "text"]


def test_an_empty_box_means_every_customer() -> None:
    terms = parse_terms("   ")
    assert terms.is_empty and terms.clauses == () and terms.notice is None


def test_a_term_with_an_at_sign_is_an_email_prefix_or_a_part_of_the_emails() -> None:
    terms = parse_terms("  Grace@Example.COM ")
    assert terms.email_only
    assert terms.text == "Grace@Example.COM"
    (clause,) = terms.clauses
    assert clause.ways == (
        Way("email_prefix", value="grace@example.com"),
        Way("text", needles=("grace@example.com",), tag="e"),
    )


def test_a_domain_with_its_at_sign_is_looked_for_in_the_emails() -> None:
    assert text_ways("@acme.com") == [Way("text", needles=("@acme.com",), tag="e")]


def test_a_word_is_looked_up_lower_cased_as_a_substring_anywhere() -> None:
    terms = parse_terms("Hopper")
    assert not terms.email_only
    assert terms.exact_id == "Hopper"
    assert text_ways("Hopper") == [Way("text", needles=("hopper",))]


def test_words_are_looked_for_each_in_any_order_accents_folded() -> None:
    assert text_ways("Gonçalves MARIA") == [Way("text", needles=("goncalves", "maria"))]


def test_a_short_word_beside_a_long_one_is_tested_on_the_row_only() -> None:
    assert text_ways("li wei") == [Way("text", needles=("wei",), extra=("li",))]


def test_short_words_that_make_a_long_term_are_looked_for_whole() -> None:
    assert text_ways("Li Na") == [Way("text", needles=("li na",))]


def test_a_phone_like_term_is_looked_up_as_digits_and_as_typed() -> None:
    assert text_ways("+1 (555) 010") == [
        Way("text", needles=("1555010",)),
        Way("text", needles=("+1 (555) 010",)),
    ]
    assert text_ways("00-950") == [
        Way("text", needles=("00950",)),
        Way("text", needles=("00-950",)),
    ]


def test_digits_only_is_looked_up_once() -> None:
    assert text_ways("4242") == [Way("text", needles=("4242",))]


def test_a_spaced_tax_id_is_also_looked_for_compacted_among_tax_ids() -> None:
    ways = text_ways("DE 123 456 789")
    assert Way("text", needles=("de123456789",), tag="t") in ways


@pytest.mark.parametrize("term", ["ab", "a-", "12"])
def test_a_short_term_looks_up_no_substrings_and_says_why(term: str) -> None:
    terms = parse_terms(term)
    assert text_ways(term) == []
    assert terms.notice is not None and str(SUBSTRING_MIN_LENGTH) in terms.notice


# -- qualifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "way"),
    [
        ("email:Acme.COM", Way("text", needles=("acme.com",), tag="e")),
        ("name:Gonçalves", Way("text", needles=("goncalves",), tag="n")),
        ('name:"maria gonçalves"', Way("text", needles=("maria", "goncalves"), tag="n")),
        ("phone:+44-7700", Way("text", needles=("447700",), tag="p")),
        ("org:globex", Way("text", needles=("globex",), tag="o")),
        ("city:Zürich", Way("text", needles=("zurich",), tag="c")),
        ('city:"New York"', Way("text", needles=("new york",), tag="c")),
        ("state:virginia", Way("text", needles=("virginia",), tag="s")),
        ("postcode:LS1", Way("text", needles=("ls1",), tag="z")),
        ("zip:LS1", Way("text", needles=("ls1",), tag="z")),
        ("last4:4242", Way("text", needles=("\x1e4242\x1e",), tag="l")),
        ('tax:"DE 123.456"', Way("text", needles=("de123456",), tag="t")),
        ("meta.order:A-10", Way("text", needles=("\x1eorder:a-10",), tag="m")),
        ("meta.order:", Way("text", needles=("\x1eorder:",), tag="m")),
        ("id:cus_1", Way("id", value="cus_1")),
    ],
)
def test_each_qualifier_looks_in_its_own_field(text: str, way: Way) -> None:
    (clause,) = parse_terms(text).clauses
    assert clause.ways[0] == way
    assert clause.name is not None


def test_an_unknown_word_before_a_colon_is_a_metadata_key_or_an_id() -> None:
    terms = parse_terms("order:A-1043")
    (clause,) = terms.clauses
    assert clause.ways == (
        Way("text", needles=("\x1eorder:a-1043",), tag="m"),
        Way("id", value="order:A-1043"),
    )
    assert terms.unknown == ("order",)


def test_qualifiers_and_free_text_combine_as_every_one_of_them() -> None:
    terms = parse_terms("visa city:leeds last4:4242")
    assert [c.name for c in terms.clauses] == [None, "city", "last4"]
    assert terms.free == "visa"
    assert terms.exact_id is None


def test_an_id_qualifier_is_the_exact_hit() -> None:
    assert parse_terms("id:cus_1 city:leeds").exact_id == "cus_1"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("created:>2025-01-01", dt.datetime(2025, 1, 2, tzinfo=UTC), None),
        ("created:>=2025-01-01", dt.datetime(2025, 1, 1, tzinfo=UTC), None),
        ("created:<2025-03", None, dt.datetime(2025, 3, 1, tzinfo=UTC)),
        ("created:<=2025-02", None, dt.datetime(2025, 3, 1, tzinfo=UTC)),
        (
            "created:2024-02",
            dt.datetime(2024, 2, 1, tzinfo=UTC),
            dt.datetime(2024, 3, 1, tzinfo=UTC),
        ),
        ("created:2025", dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC)),
        (
            "created:>2025-01-01 created:<2025-02-01",
            dt.datetime(2025, 1, 2, tzinfo=UTC),
            dt.datetime(2025, 2, 1, tzinfo=UTC),
        ),
    ],
)
def test_created_is_a_period(text: str, start, end) -> None:
    terms = parse_terms(text)
    assert (terms.created_from, terms.created_to) == (start, end)
    assert terms.is_empty  # a period narrows the filters, it matches no field


def test_created_narrows_the_querys_own_period_and_never_widens_it() -> None:
    query = SearchQuery(
        created_from=dt.datetime(2025, 1, 10, tzinfo=UTC),
        created_to=dt.datetime(2025, 6, 1, tzinfo=UTC),
    )
    narrowed = parse_terms("created:2025-03").narrow(query)
    assert (narrowed.created_from, narrowed.created_to) == (
        dt.datetime(2025, 3, 1, tzinfo=UTC),
        dt.datetime(2025, 4, 1, tzinfo=UTC),
    )
    wider = parse_terms("created:2025").narrow(query)
    assert (wider.created_from, wider.created_to) == (query.created_from, query.created_to)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("last4:424", "last four digits"),
        ("last4:42a2", "last four digits"),
        ("created:yesterday", "YYYY-MM-DD"),
        ("created:2025-13", "YYYY-MM-DD"),
        ("created:>2025-02-30", "YYYY-MM-DD"),
        ("city:", "a value"),
        ("city:ab", "at least 3"),
        ("phone:12", "at least 3 digits"),
        ("name:x", "at least 3"),
        ("meta.:x", "a key"),
        ("id:", "a value"),
    ],
)
def test_a_malformed_qualifier_is_refused_with_how_to_write_it(text: str, says: str) -> None:
    with pytest.raises(SearchSyntaxError) as refused:
        parse_terms(text)
    assert says in str(refused.value)


def test_a_misspelt_qualifier_suggests_the_nearest_one() -> None:
    suggestion = parse_terms("emial:grace").suggestion()
    assert suggestion is not None and "email:" in suggestion


def test_free_text_suggests_a_qualifier_to_narrow_it() -> None:
    suggestion = parse_terms("leeds").suggestion()
    assert suggestion is not None and "city:leeds" in suggestion


# -- the index text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Zürich", "zurich"),
        ("Gonçalves", "goncalves"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Øresund", "oresund"),
        ("Ærø", "aero"),
        ("山田 太郎", "山田 太郎"),
        ("Ελλάδα", "ελλάδα"),
    ],
)
def test_folding_drops_latin_accents_and_keeps_other_scripts(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_compacting_keeps_letters_and_digits() -> None:
    assert compact(" DE 123.456-789 ") == "de123456789"


def test_the_layout_has_a_segment_per_field_and_drops_control_characters() -> None:
    assert layout({"n": ["Ann\x1fa ", "ANNA"], "e": [None, ""], "c": ["Zürich"]}) == (
        "\x1fn\x1eanna\x1e\x1fc\x1ezurich\x1e\x1f"
    )
    assert layout({"n": [None]}) == ""


def test_digits_drops_everything_but_digits() -> None:
    assert digits("+44 (0)7700-900 123") == "4407700900123"
    assert digits(None) == ""


# -- any text --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_parses_or_is_refused_and_every_needle_can_use_the_index(text: str) -> None:
    try:
        terms = parse_terms(text)
    except SearchSyntaxError as refused:
        assert refused.parameter == "q" and refused.message
        return
    for clause in terms.clauses:
        assert clause.ways
        for way in clause.ways:
            if way.kind == "text":
                assert way.needles
                assert all(len(n) >= SUBSTRING_MIN_LENGTH for n in way.needles)
                assert all("\x1f" not in n for n in way.needles)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(["email", "name", "city", "last4", "tax", "meta.k", "created", "phone", "x"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters=' "'), max_size=20),
)
def test_any_qualifier_value_parses_or_is_refused(name: str, value: str) -> None:
    try:
        parse_terms(f"{name}:{value}")
    except SearchSyntaxError as refused:
        assert refused.message.startswith(f"{name}:")


@pytest.mark.parametrize(
    ("needle", "lookup"),
    [
        ("smith", "smith"),
        ("ada.lovelace@example.com", "ada.lovelace"),
        ("williamsberg", "williamsberg"),
        ("4407700900123", "407700900123"),
        ("\x1ecrmid:crm-1234567", "crm-1234567"),
        ("\x1eorder:", "\x1eorder:"),
        ("\x1e4242\x1e", "\x1e4242\x1e"),
    ],
)
def test_a_long_needle_is_looked_up_by_its_telling_part_and_checked_whole(needle, lookup) -> None:
    way = Way("text", needles=(needle,))
    assert way.lookup == (lookup,)
    assert way.index_is_exact == (lookup == needle)


def test_words_with_a_few_digits_are_not_taken_for_a_tax_id() -> None:
    assert all(w.tag != "t" for w in text_ways("mastercard 0653"))
    assert Way("text", needles=("de123456789",), tag="t") in text_ways("DE 123.456.789")
