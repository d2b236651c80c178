"""Batches on their way from a generating worker to the writing process, as one string per
table rather than ~30 Python objects per row: the writer is the bottleneck of a big load, and
unpickling a million customers' objects cost it about five seconds.

* SQLite: a table's values joined by ``SEP``, a NULL written as ``NUL``; the writer splits the
  text, regroups the values into rows and inserts them through ``NULLIF(?, char(1))``.
* PostgreSQL: the bytes of ``COPY … FROM STDIN`` in its text format, written as they are.

Tables with binary values (the certificates' files) travel as rows. The generated values hold
no control characters; packing checks that none of its markers occurs inside a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .rows import TABLES, Batch

SEP, NUL, EOL = "\x00", "\x01", "\x02"
# COPY's text format escapes these (str.replace, unlike str.translate, runs at memory speed).
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_PLAIN = {"files"}  # tables with bytes values

Payload = str | bytes | list[tuple[Any, ...]]


@dataclass(frozen=True)
class Packed:
    customers: int
    tables: tuple[Payload, ...]  # in the order of rows.TABLES


def _texts(rows: Sequence[tuple[Any, ...]]) -> list[str]:
    return [NUL if v is None else v if v.__class__ is str else str(v) for row in rows for v in row]


def _checked(text: str, values: list[str]) -> str:
    separators = len(values) - 1 if values else 0
    if text.count(SEP) + text.count(EOL) != separators or text.count(NUL) != values.count(NUL):
        raise ValueError("a generated value holds a control character")
    return text


def sqlite_text(rows: Sequence[tuple[Any, ...]]) -> str:
    values = _texts(rows)
    return _checked(SEP.join(values), values)


def sqlite_rows(text: str, columns: int) -> Iterable[tuple[str, ...]]:
    """The rows of a packed table (NULLs still as ``NUL``)."""
    values = text.split(SEP)
    return zip(*[iter(values)] * columns, strict=True)


def copy_data(rows: Sequence[tuple[Any, ...]], columns: int) -> bytes:
    """The rows in COPY's text format: tab-separated, ``\\N`` for NULL, backslash escapes."""
    values = _texts(rows)
    lines = [SEP.join(values[i : i + columns]) for i in range(0, len(values), columns)]
    text = _checked(EOL.join(lines), values)
    for char, escaped in _COPY_ESCAPES:
        text = text.replace(char, escaped)
    text = text.replace(SEP, "\t").replace(EOL, "\n").replace(NUL, "\\N")
    return (text + "\n").encode() if rows else b""


def pack(batch: Batch, dialect: str) -> Packed:
    tables: list[Payload] = []
    for (table, columns), rows in zip(TABLES, batch.tables(), strict=True):
        if table in _PLAIN or not rows:
            tables.append(rows)
        elif dialect == "postgresql":
            tables.append(copy_data(rows, len(columns)))
        else:
            tables.append(sqlite_text(rows))
    return Packed(len(batch.customers), tuple(tables))
