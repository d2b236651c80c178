"""What the search box's text means (shared by every backend)."""

from __future__ import annotations

import pytest

from app.services.terms import SUBSTRING_MIN_LENGTH, digits, parse_terms


def test_an_empty_box_means_every_customer() -> None:
    terms = parse_terms("   ")
    assert terms.is_empty and terms.needles == () and terms.notice is None


def test_a_term_with_an_at_sign_is_an_email_and_nothing_else() -> None:
    terms = parse_terms("  Grace@Example.COM ")
    assert terms.email_only
    assert terms.text == "Grace@Example.COM"
    assert terms.lowered == "grace@example.com"
    assert terms.needles == ()


def test_a_word_is_looked_up_lower_cased_as_a_substring() -> None:
    terms = parse_terms("Hopper")
    assert not terms.email_only
    assert terms.needles == ("hopper",)


def test_a_phone_like_term_is_looked_up_as_digits_and_as_typed() -> None:
    assert parse_terms("+1 (555) 010").needles == ("1555010", "+1 (555) 010")
    assert parse_terms("00-950").needles == ("00950", "00-950")


def test_digits_only_is_looked_up_once() -> None:
    assert parse_terms("4242").needles == ("4242",)


@pytest.mark.parametrize("term", ["ab", "a-", "12"])
def test_a_short_term_looks_up_no_substrings_and_says_why(term: str) -> None:
    terms = parse_terms(term)
    assert terms.needles == ()
    assert terms.notice is not None and str(SUBSTRING_MIN_LENGTH) in terms.notice


def test_digits_drops_everything_but_digits() -> None:
    assert digits("+44 (0)7700-900 123") == "4407700900123"
    assert digits(None) == ""
