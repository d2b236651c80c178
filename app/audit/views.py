"""The audit trail page (fraud, privacy and admin staff) and its CSV export."""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
)

from .. import htmx
from ..auth.permissions import roles_required
from ..context import audit_log, staff_service
from ..services.audit import AuditEvent, FieldChange
from .forms import AuditFilterForm, filter_args

bp = Blueprint("audit", __name__)

# Who may read the trail: it names staff and shows customers' personal data before and after.
AUDIT_ROLES = ("fraud", "privacy", "admin")

CSV_COLUMNS = (
    "occurred_time",
    "actor",
    "action",
    "customer_id",
    "outcome",
    "backend",
    "reason_code",
    "note",
    "request_id",
    "error",
    "changes",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def encode_key(key: tuple[dt.datetime, int] | None) -> str | None:
    """The keyset position of the next page as an opaque URL-safe token."""
    if key is None:
        return None
    moment, event_id = key
    raw = f"{moment.isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_key(token: str | None) -> tuple[dt.datetime, int] | None:
    """The position a token names; a damaged token starts from the newest event."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        moment, event_id = raw.split("|", 1)
        when = dt.datetime.fromisoformat(moment)
        if when.tzinfo is not None:
            when = when.astimezone(dt.UTC)  # overflows near year 1 and 9999
        return when, int(event_id)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None


def _filters() -> AuditFilterForm:
    return AuditFilterForm(request.args, staff=staff_service().list())


def _page(form: AuditFilterForm, status: int = 200, **context: object) -> Response:
    """The full page, or only the results fragment when htmx asks."""
    template = "audit/_results.html" if htmx.is_htmx() else "audit/index.html"
    context.setdefault("page", None)
    context.setdefault("next_token", None)
    body = render_template(
        template,
        form=form,
        filters=filter_args(request.args),
        paged=bool(request.args.get("after")),
        **context,
    )
    return htmx.vary(Response(body, status=status))


@bp.get("/audit")
@roles_required(*AUDIT_ROLES)
def index() -> Response:
    """Audit events, newest first, filtered and paged by key ("Older")."""
    form = _filters()
    if not form.validate():
        return _page(form, status=422)
    size = current_app.config["AUDIT_PAGE_SIZE"]
    page = audit_log().search(form.query(after=decode_key(request.args.get("after")), limit=size))
    return _page(form, page=page, next_token=encode_key(page.next_key))


@bp.get("/audit.csv")
@roles_required(*AUDIT_ROLES)
def export() -> Response:
    """Every event matching the filters as CSV, streamed row by row."""
    form = _filters()
    if not form.validate():
        return _page(form, status=422)
    events = audit_log().iterate(form.query())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    response = Response(stream_with_context(csv_lines(events)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The header, then one CSV line per event."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for event in events:
        yield line(safe_cell(cell) for cell in csv_row(event))


def csv_row(event: AuditEvent) -> tuple[str, ...]:
    moment = event.occurred_time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return (
        moment,
        event.actor_username,
        event.action,
        event.customer_id or "",
        event.outcome,
        event.backend,
        event.reason_code or "",
        event.note or "",
        event.request_id or "",
        event.error or "",
        "; ".join(change_text(c) for c in event.changes),
    )


def change_text(change: FieldChange) -> str:
    before = "—" if change.before is None else change.before
    after = "—" if change.after is None else change.after
    return f"{change.field}: {before} → {after}"


def safe_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate as a formula."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


__all__ = ["AUDIT_ROLES", "bp"]
