"""The search page on Digital River claims no count (DR's list never says how many) and an
empty result says what DR could search."""

from __future__ import annotations


def test_on_dr_no_count_is_claimed_and_an_empty_result_says_what_dr_searched(agent) -> None:
    body = agent.get("/?q=nobody@example.com").get_data(as_text=True)

    assert 'class="results-count"' not in body
    assert "Searched exact customer ids and whole email addresses for “nobody@example.com”." in body
