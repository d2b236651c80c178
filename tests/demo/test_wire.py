"""Packed batches reach the database as the rows they were: tabs, newlines, backslashes,
accents, empty strings, NULLs and numbers all survive the engine's wire format."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from app.demo.wire import NUL, copy_data, sqlite_rows, sqlite_text

ROWS = [
    ("tab\there", None, 3, "back\\slash \\N"),
    ("", "new\nline\r", None, 'Zürich 東京 {"a": "\\u00f3"}'),
    ("plain", "x", 0, "y"),
]


def read_back(engine: Engine) -> list[tuple]:
    """ROWS written through the engine's wire format into a scratch table, and read back."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("CREATE TEMPORARY TABLE wire_probe (a TEXT, b TEXT, c INTEGER, d TEXT)")
        if engine.dialect.name == "postgresql":
            with cur.copy("COPY wire_probe (a, b, c, d) FROM STDIN") as copy:
                copy.write(copy_data(ROWS, 4))
        else:
            statement = (
                "INSERT INTO wire_probe VALUES ("
                + ", ".join([f"NULLIF(?, char({ord(NUL)}))"] * 4)
                + ")"
            )
            cur.executemany(statement, sqlite_rows(sqlite_text(ROWS), 4))
        cur.execute("SELECT a, b, c, d FROM wire_probe")
        return [tuple(row) for row in cur.fetchall()]
    finally:
        raw.rollback()
        raw.close()


def test_packed_rows_reach_the_database_as_they_were(engine) -> None:
    assert sorted(read_back(engine), key=repr) == sorted(ROWS, key=repr)


@pytest.mark.parametrize("value", ["a\x00b", "a\x01", "\x02"])
def test_a_value_holding_a_marker_is_refused(value) -> None:
    with pytest.raises(ValueError, match="control character"):
        sqlite_text([(value, "x")])
    with pytest.raises(ValueError, match="control character"):
        copy_data([(value, "x")], 2)


def test_an_empty_table_packs_to_nothing() -> None:
    assert copy_data([], 3) == b""
