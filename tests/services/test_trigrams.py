"""The part of a needle SQLite's trigram index is asked for (``trigrams.rare_part``), and the
shares it is chosen by, learnt from a sample of the customers."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from app.services.local.search import trigrams
from app.services.local.search.trigrams import rare_part, sample_shares

COMMON_DOT_COM = {".co": 0.72, "com": 0.70, "@ya": 0.41, "yah": 0.4, "aho": 0.4, "hoo": 0.4}


@pytest.mark.parametrize(
    "needle,part",
    [
        ("@brown.com", "@brown.c"),  # the common ".co" and "com" left out
        ("@yahoo.com.au", "om.au"),  # the longest part with no common trigram
        ("jessica", "jessica"),  # nothing common: whole
        (".com", ".com"),  # every trigram common: whole (a broad term)
        ("abcdefghijklmnopqrstuvwxyz", "abcdefghijkl"),  # never longer than asked
    ],
)
def test_the_part_asked_for_leaves_common_trigrams_out(needle, part):
    assert rare_part(needle, COMMON_DOT_COM, 12) == part


def test_of_parts_as_long_the_one_whose_trigrams_are_rarest_is_asked_for():
    shares = {"abc": 0.15, "bcd": 0.15, "cde": 0.1, "def": 0.01, "efg": 0.01}
    assert rare_part("abcdefg", shares, 4) == "defg"
    assert rare_part("abcdefg", {}, 4) == "abcd"  # no shares: the first


def test_the_part_is_always_inside_the_needle():
    shares = {"aaa": 0.5, "bbb": 0.3}
    for needle in ("aaab", "baaa", "aaabbbc", "cbbbaaa", "xaaay"):
        assert rare_part(needle, shares, 12) in needle


def test_shares_are_learnt_from_the_customers_text(tmp_path, monkeypatch):
    engine = create_engine(f"sqlite:///{tmp_path / 'shares.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (pk INTEGER PRIMARY KEY, search_text)"))
        for pk in range(1, 201):
            value = "@gmail.com" if pk % 2 else f"x{pk:03d}@acme.org"
            connection.execute(
                text("INSERT INTO customers VALUES (:pk, :v)"), {"pk": pk, "v": value}
            )
    monkeypatch.setattr(trigrams, "MIN_CUSTOMERS", 0)
    with engine.connect() as connection:
        shares = sample_shares(connection)
    assert shares["gma"] == pytest.approx(0.5)
    assert shares["@ac"] == pytest.approx(0.5)
    assert shares["x00"] == pytest.approx(0.02)  # x002, x004, x006, x008, among 200
    assert "200" not in shares  # in one customer's text (x200): not kept
    assert all(share >= 0.01 for share in shares.values())
    assert rare_part("7@acme.org", shares, 12) == "7@a"


def test_a_small_table_keeps_every_needle_whole(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'small.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (pk INTEGER PRIMARY KEY, search_text)"))
        connection.execute(text("INSERT INTO customers VALUES (1, '@gmail.com')"))
    with engine.connect() as connection:
        assert sample_shares(connection) == {}
        assert trigrams.Shares().of(connection) == {}


def test_old_shares_serve_while_new_ones_are_learnt_in_the_background(tmp_path, monkeypatch):
    engine = create_engine(f"sqlite:///{tmp_path / 'refresh.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (pk INTEGER PRIMARY KEY, search_text)"))
        connection.execute(text("INSERT INTO customers VALUES (1, 'aaaa'), (2, 'aaaa')"))
    monkeypatch.setattr(trigrams, "MIN_CUSTOMERS", 0)
    shares = trigrams.Shares()
    with engine.connect() as connection:
        assert set(shares.of(connection)) == {"aaa"}
        with engine.begin() as writing:
            writing.execute(text("UPDATE customers SET search_text = 'bbbb'"))
        assert set(shares.of(connection)) == {"aaa"}  # fresh for REFRESH seconds
        monkeypatch.setattr(trigrams, "REFRESH", 0.0)
        assert set(shares.of(connection)) == {"aaa"}  # stale: served while relearnt
        deadline = time.monotonic() + 10
        while set(shares.of(connection)) != {"bbb"}:
            assert time.monotonic() < deadline, "the shares were never learnt again"
            time.sleep(0.01)
