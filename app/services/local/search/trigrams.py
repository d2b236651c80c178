"""Which part of a needle to ask SQLite's trigram index for: the part whose trigrams are not
in most customers' text.

FTS5 reads a posting list per trigram of a phrase, and a trigram most customers hold has a
list nearly as long as the table: at a million customers ``@brown.com`` costs ten times what
``@brown.c`` does (``.co`` and ``com`` are in seven customers' text in ten) and finds the
same customers, give or take a few, which the row test then sorts out (it checks the whole
needle). How common each trigram is comes from a sample of the customers' index text (about
30 ms at a million), taken by the first search of a process and again, in the background
while the last shares serve, once they are ``REFRESH`` seconds old; a table too small for
the lists to matter keeps every needle whole.

(PostgreSQL's pg_trgm pads each word of a pattern, so a part cut out of a needle brings in
word-start trigrams as common as the ones it leaves out; its planner asks for whole needles.)"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Mapping

from sqlalchemy import Connection, Engine, text

# How many customers' text the shares are learnt from, and how often again.
SAMPLE = 1000
REFRESH = 900.0
# Below this many customers every needle is asked for whole.
MIN_CUSTOMERS = 50_000
# A trigram in at least this share of customers' text is left out of a lookup when it can be
# (the email's ".co", "com", "mai", "ail" and the layout's own; not "ter" or "ern", whose
# leaving out costs more in candidates than their lists do).
COMMON = 0.3


def trigrams(value: str) -> list[str]:
    return [value[i : i + 3] for i in range(len(value) - 2)]


def rare_part(needle: str, shares: Mapping[str, float], longest: int) -> str:
    """The longest part of ``needle`` (at most ``longest`` characters) none of whose
    trigrams is common, the one whose trigrams are rarest where several are as long; the
    needle itself when every trigram of it is common (a broad term, found by walking)."""
    grams = trigrams(needle)
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, gram in enumerate(grams):
        if shares.get(gram, 0.0) < COMMON:
            start = i if start is None else start
        elif start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(grams)))
    if not runs:
        return needle
    most = max(1, longest - 2)  # trigrams in a part of at most ``longest`` characters
    best: tuple[int, float, int] | None = None
    for first, end in runs:
        width = min(most, end - first)
        for at in range(first, end - width + 1):
            rarity = -sum(shares.get(g, 0.0) for g in grams[at : at + width])
            if best is None or (width, rarity) > best[:2]:
                best = (width, rarity, at)
    assert best is not None
    width, _, at = best
    return needle[at : at + width + 2]


class Shares:
    """The share of customers whose index text holds each common trigram, per database,
    learnt from a sample (an empty mapping for a small table)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._learnt: dict[str, tuple[float, dict[str, float]]] = {}
        self._refreshing: set[str] = set()

    def of(self, connection: Connection) -> Mapping[str, float]:
        key = str(connection.engine.url)
        learnt = self._learnt.get(key)
        if learnt is None:
            with self._lock:
                learnt = self._learnt.get(key)
                if learnt is None:
                    learnt = (time.monotonic(), sample_shares(connection))
                    self._learnt[key] = learnt
        elif time.monotonic() - learnt[0] >= REFRESH and key not in self._refreshing:
            self._refreshing.add(key)
            engine = connection.engine
            threading.Thread(target=self._refresh, args=(key, engine), daemon=True).start()
        return learnt[1]

    def _refresh(self, key: str, engine: Engine) -> None:
        try:
            with engine.connect() as connection:
                self._learnt[key] = (time.monotonic(), sample_shares(connection))
        finally:
            self._refreshing.discard(key)


def sample_shares(connection: Connection) -> dict[str, float]:
    """The trigrams in at least a hundredth of ``SAMPLE`` customers' index text, with their
    share (primary keys drawn at random between the lowest and the highest): the common ones
    are left out of lookups, the rest tell which part of a long needle is rarest."""
    # Two subqueries: SQLite answers a lone min() or max() from the end of the index, but
    # both in one select by scanning it.
    low, high = connection.execute(
        text("SELECT (SELECT min(pk) FROM customers), (SELECT max(pk) FROM customers)")
    ).one()
    if low is None or high - low + 1 < MIN_CUSTOMERS:
        return {}
    # The same sample for the same keys: every process asks for the same parts.
    pks = random.Random(0).sample(range(low, high + 1), min(SAMPLE, high - low + 1))
    rows = connection.execute(
        text("SELECT search_text FROM customers WHERE pk IN (SELECT value FROM json_each(:pks))"),
        {"pks": "[" + ",".join(map(str, pks)) + "]"},
    ).scalars()
    counts: Counter[str] = Counter()
    seen = 0
    for value in rows:
        seen += 1
        counts.update(set(trigrams(value)))
    if not seen:
        return {}
    return {gram: n / seen for gram, n in counts.items() if n * 100 >= seen}


SHARES = Shares()

__all__ = ["COMMON", "SHARES", "Shares", "rare_part", "sample_shares", "trigrams"]
