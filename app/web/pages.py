"""One URL, the full page or its fragment: what the customers, audit and privacy pages share.

- ``page_or_fragment``: render the page, or only the fragment htmx asked for (``Vary:
  HX-Request`` either way, so no cache hands one to the other).
- ``encode_key`` / ``decode_key``: a keyset position (a tuple such as ``(time, id)``) as an
  opaque URL-safe token, and back; a damaged token decodes to None (start from the newest).
- ``csv_download``: a header and rows streamed as a CSV attachment, every cell safe to open
  in a spreadsheet.
- ``ListPage``: a filtered list, newest first, paged by key ("Older") and exported as CSV.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Response, current_app, render_template, request, stream_with_context

from .. import htmx

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def page_or_fragment(
    template: str, fragment: str, /, *, status: int = 200, **context: object
) -> Response:
    """The full page ``template``, or only its ``fragment`` when htmx asks."""
    body = render_template(fragment if htmx.is_htmx() else template, **context)
    return htmx.vary(Response(body, status=status))


def query_args(args: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """The non-empty query-string parameters among ``keys`` (for links that keep them)."""
    return {k: args[k] for k in keys if args.get(k)}


# -- keyset positions as URL tokens -------------------------------------------------------------


def encode_key(key: Sequence[object] | None) -> str | None:
    """A keyset position as an opaque token: its parts joined by "|" (times in ISO 8601),
    base64url without padding."""
    if key is None:
        return None
    raw = "|".join(p.isoformat() if isinstance(p, dt.datetime) else str(p) for p in key)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_key(token: str | None, *parts: Callable[[str], Any]) -> tuple[Any, ...] | None:
    """The position a token names, each part read by its parser (the last part may hold "|");
    None for a missing or damaged token."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if "\x00" in raw:  # PostgreSQL refuses NUL even in a comparison
            return None
        texts = raw.split("|", len(parts) - 1)
        if len(texts) != len(parts):
            return None
        return tuple(parse(text) for parse, text in zip(parts, texts, strict=True))
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None


def row_id(text: str) -> int:
    """The id part of a key: a database row id, ASCII digits that fit a 64-bit column."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValueError(f"not a row id: {text[:20]!r}")
    return int(text)


def moment(text: str) -> dt.datetime:
    """The time part of a key: ISO 8601, turned to UTC when it carries an offset."""
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)  # overflows near year 1 and 9999
    return when


# -- CSV exports -----------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate as a formula."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def csv_time(value: dt.datetime | None) -> str:
    """A time as a CSV cell: ISO 8601 in UTC with "Z"; empty when there is none."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def csv_lines(header: Sequence[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """The header, then one CSV line per row with every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(header)
    for row in rows:
        yield line(safe_cell(cell) for cell in row)


def csv_download(name: str, header: Sequence[str], rows: Iterable[Iterable[str]]) -> Response:
    """The rows as a CSV attachment ``<name>-<UTC time>.csv``, streamed line by line."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    response = Response(stream_with_context(csv_lines(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- filtered list pages ---------------------------------------------------------------------


class KeysetPage(Protocol):
    """A page of records: where the next (older) page starts, if there is one."""

    @property
    def next_key(self) -> tuple[Any, ...] | None: ...


class Records(Protocol):
    """A record log that a filter query searches a page at a time, or iterates whole."""

    def search(self, query: Any) -> KeysetPage: ...

    def iterate(self, query: Any) -> Iterable[Any]: ...


class Filters(Protocol):
    """A filter form: its fields (``validate``) and the query they make."""

    def validate(self) -> bool: ...

    def query(self, *, after: Any = None, limit: int = ...) -> Any: ...


@dataclass(frozen=True)
class ListPage:
    """The records a filter form selects, newest first: paged by an opaque "after" key token
    ("Older"), exported whole as CSV. ``<area>/index.html`` and its fragment
    ``<area>/_results.html`` get ``form``, ``filters`` (the query-string filters, for links),
    ``paged`` (not the first page), ``page`` and ``next_token``."""

    area: str
    filter_keys: tuple[str, ...]
    page_size_setting: str
    export_name: str
    columns: tuple[str, ...]
    row: Callable[[Any], Sequence[str]]
    key_parts: tuple[Callable[[str], Any], ...] = (moment, row_id)
    # What else a page of records renders with (looked up once per page, never per row).
    context: Callable[[Any], Mapping[str, Any]] | None = None

    def render(
        self,
        form: Filters,
        *,
        status: int = 200,
        page: KeysetPage | None = None,
        next_token: str | None = None,
        **extra: Any,
    ) -> Response:
        """The page or its results fragment."""
        return page_or_fragment(
            f"{self.area}/index.html",
            f"{self.area}/_results.html",
            status=status,
            form=form,
            filters=query_args(request.args, self.filter_keys),
            paged=bool(request.args.get("after")),
            page=page,
            next_token=next_token,
            **extra,
        )

    def show(self, form: Filters, records: Records, **more: Any) -> Response:
        """The page of ``records`` the filters and the "after" token select, or the filters'
        errors (422); ``more`` goes to the template as it is."""
        if not form.validate():
            return self.render(form, status=422, **more)
        after = decode_key(request.args.get("after"), *self.key_parts)
        limit = current_app.config[self.page_size_setting]
        page = records.search(form.query(after=after, limit=limit))
        extra = self.context(page) if self.context is not None else {}
        return self.render(form, page=page, next_token=encode_key(page.next_key), **extra, **more)

    def export(self, form: Filters, records: Records) -> Response:
        """Every record the filters select as CSV, or the filters' errors (422, no CSV)."""
        if not form.validate():
            return self.render(form, status=422)
        selected = records.iterate(form.query())
        return csv_download(self.export_name, self.columns, map(self.row, selected))
