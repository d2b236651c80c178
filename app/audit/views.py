"""The audit trail page (fraud, privacy and admin staff) and its CSV export."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, request

from ..auth.permissions import roles_required
from ..context import audit_log, customer_service, staff_service
from ..htmx import is_htmx
from ..services.audit import AuditEvent, AuditPage
from ..services.errors import BackendRefused, BackendUnavailable
from ..web.pages import ListPage, csv_time
from .forms import FILTER_KEYS, AuditFilterForm
from .readable import change_text, readable_changes

bp = Blueprint("audit", __name__)
bp.add_app_template_global(readable_changes, "readable_changes")

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
    "batch_id",
)


def _filters() -> AuditFilterForm:
    return AuditFilterForm(request.args, staff=staff_service().list())


@bp.get("/audit")
@roles_required(*AUDIT_ROLES)
def index() -> Response:
    """Audit events, newest first, filtered and paged by key ("Older"); the full page says
    whether the hash chain holds (a filter's or a page's fragment does not check again)."""
    chain = None if is_htmx() else audit_log().chain_status()
    return TRAIL.show(_filters(), audit_log(), chain=chain)


@bp.get("/audit.csv")
@roles_required(*AUDIT_ROLES)
def export() -> Response:
    """Every event matching the filters as CSV, streamed row by row."""
    return TRAIL.export(_filters(), audit_log())


def csv_row(event: AuditEvent) -> tuple[str, ...]:
    return (
        csv_time(event.occurred_time),
        event.actor_username,
        event.action,
        event.customer_id or "",
        event.outcome,
        event.backend,
        event.reason_code or "",
        event.note or "",
        event.request_id or "",
        event.error or "",
        "; ".join(change_text(c, event.action) for c in event.changes),
        event.batch_id or "",
    )


def customer_names(page: AuditPage) -> Mapping[str, object]:
    """The page's customers by their readable name (shipping name, else email), read in one
    call for the whole page; none while the customer backend fails (the ids stay shown)."""
    ids = list(dict.fromkeys(e.customer_id for e in page.events if e.customer_id))
    try:
        found = customer_service().summaries(ids) if ids else {}
    except (BackendUnavailable, BackendRefused):
        found = {}
    names = {cid: s.name or s.email for cid, s in found.items()}
    return {"customer_names": {cid: name for cid, name in names.items() if name}}


TRAIL = ListPage(
    area="audit",
    filter_keys=FILTER_KEYS,
    page_size_setting="AUDIT_PAGE_SIZE",
    export_name="audit",
    columns=CSV_COLUMNS,
    row=csv_row,
    context=customer_names,
)

__all__ = ["AUDIT_ROLES", "bp"]
