"""A search as a CSV file: the list's columns and the whole address, streamed a page at a time,
and recorded in the audit trail with the search and how many rows went out."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from flask import Response, current_app, request, url_for

from ..auth.permissions import current_actor, roles_required
from ..context import audit_log, customer_service
from ..services.audit import Actor, AuditEvent
from ..services.audit import now as audit_now
from ..services.customers import CustomerSummary, every_match
from ..services.errors import BackendRefused, BackendUnavailable, ServiceError
from ..web.pages import csv_download, csv_time, page_or_fragment, query_args
from .blueprint import bp
from .search import SEARCH_KEYS, search_query
from .search_form import SearchForm

# Everyone who works with customers' data; a viewer only looks.
EXPORTERS = ("agent", "fraud", "privacy")
EXPORT_ACTION = "customer.export"
COLUMNS = (
    "id",
    "created",
    "email",
    "name",
    "organization",
    "phone",
    "address line 1",
    "address line 2",
    "city",
    "postal code",
    "state",
    "country",
    "type",
    "locale",
    "status",
    "forget requested",
)


def export_row(c: CustomerSummary) -> list[str]:
    return [
        c.id,
        csv_time(c.created_time),
        c.email or "",
        c.name or "",
        c.organization or "",
        c.phone or "",
        c.line1 or "",
        c.line2 or "",
        c.city or "",
        c.postal_code or "",
        c.state or "",
        c.country or "",
        c.type or "",
        c.locale or "",
        "enabled" if c.enabled else "disabled",
        "yes" if c.request_to_be_forgotten else "no",
    ]


def describe(args: dict[str, str]) -> str:
    """The search as the audit trail shows it: each argument as typed."""
    return " ".join(f"{k}={v!r}" for k, v in args.items()) or "every customer"


def _audited(
    rows: Iterable[list[str]], actor: Actor, search: str, limit: int
) -> Iterator[list[str]]:
    """``rows``, recording once they are all out (or the download stopped) how many went. If
    the backend fails part way, a last row says the file is incomplete: the answer is already
    under way and cannot become an error page."""
    sent = 0
    finished = False
    problem = ""
    try:
        for row in rows:
            yield row
            sent += 1
        finished = True
    except (BackendUnavailable, BackendRefused) as error:
        problem = f", stopped by the backend ({error.code})"
        yield [f"INCOMPLETE: the export stopped after {sent:,} rows: {error.message}"]
    finally:
        stopped = problem or ("" if finished else ", stopped before the end")
        capped = f" (the limit of {limit:,})" if finished and sent >= limit else ""
        audit_log().record(
            AuditEvent(
                occurred_time=audit_now(),
                actor_id=actor.id,
                actor_username=actor.username,
                action=EXPORT_ACTION,
                customer_id=None,
                backend=customer_service().backend_name,
                outcome="succeeded" if finished else "failed",
                note=f"Search {search[:400]}: {sent:,} rows{capped}{stopped}.",
            )
        )


def _results_page(
    form: SearchForm, *, status: int, problem: ServiceError | None = None
) -> Response:
    """The search page with the form's errors or the backend's problem, instead of a file."""
    return page_or_fragment(
        "customers/index.html",
        "customers/_results.html",
        status=status,
        form=form,
        page=None,
        problem=problem,
        capabilities=customer_service().capabilities,
        base_args=query_args(request.args, SEARCH_KEYS),
        next_token=None,
        prev_token=None,
    )


@bp.app_template_global()
def export_url() -> str:
    """The CSV of the search on screen: its text and filters, from the first match."""
    args = {k: v for k, v in query_args(request.args, SEARCH_KEYS).items() if v}
    return url_for("customers.export", **args)


@bp.get("/customers.csv")
@roles_required(*EXPORTERS)
def export() -> Response:
    """The customers the search finds, as CSV (at most FLASK_EXPORT_MAX_ROWS of them)."""
    form = SearchForm(request.args)
    if not form.validate():
        return _results_page(form, status=422)
    limit = current_app.config["EXPORT_MAX_ROWS"]
    args = {k: v for k, v in query_args(request.args, SEARCH_KEYS).items() if v}
    matches = every_match(customer_service(), search_query(form, paged=False), limit=limit)
    try:
        # The first page before the file starts: a backend that fails now gets the banner.
        first = list(itertools.islice(matches, 1))
    except (BackendUnavailable, BackendRefused) as error:
        return _results_page(
            form, status=502 if isinstance(error, BackendRefused) else 503, problem=error
        )
    rows = map(export_row, itertools.chain(first, matches))
    return csv_download(
        "customers", COLUMNS, _audited(rows, current_actor(), describe(args), limit)
    )
