"""Search, the home page: the results fragment for active search, keyset paging both ways."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from flask import Response, current_app, request, url_for

from ..auth.permissions import signed_in_staff
from ..context import customer_service, recent_views
from ..services.customers import COUNT_CAP, Cursor, CustomerSummary, SearchPage, SearchQuery
from ..services.errors import BackendRefused, BackendUnavailable, ServiceError
from ..services.terms import QUALIFIERS, Qualifier, parse_terms
from ..web.filters import day_after
from ..web.masking import shown_summaries
from ..web.pages import decode_key, encode_key, moment, page_or_fragment, query_args
from .blueprint import bp
from .search_form import SEARCH_KEYS, SearchForm


def encode_cursor(cursor: Cursor | None) -> str | None:
    """A search position as the token of an "Older" or "Newer" link."""
    return encode_key(None if cursor is None else (cursor.created_time, cursor.id))


def decode_cursor(token: str | None) -> Cursor | None:
    """The position a token names; a damaged token starts from the newest customer."""
    key = decode_key(token, moment, str)
    return None if key is None else Cursor(*key)


def _tristate(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None


# Rows a page may ask for with ``limit`` (DR's own maximum per page).
MAX_PAGE_SIZE = 100


def page_size(value: str | None, default: int) -> int:
    """The ``limit`` argument: ASCII digits, at most MAX_PAGE_SIZE; anything else (0, a
    sign, '²', 5,000 digits) is the default."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 6:
        return default
    return min(int(value), MAX_PAGE_SIZE) or default


def search_query(form: SearchForm, *, paged: bool = True) -> SearchQuery:
    """The search the valid form (and, ``paged``, the paging arguments) ask for."""
    after = decode_cursor(request.args.get("after")) if paged else None
    before = decode_cursor(request.args.get("before")) if paged else None
    return SearchQuery(
        text=form.q.data or "",
        enabled=_tristate(form.enabled.data),
        type=form.type.data or None,
        locale=form.locale.data or None,
        forget_requested=_tristate(form.forget.data),
        created_from=_day_start(form.created_from.data),
        created_to=day_after(form.created_to.data) if form.created_to.data else None,
        after=after,
        before=before if after is None else None,
        limit=page_size(request.args.get("limit"), current_app.config["SEARCH_PAGE_SIZE"]),
        oldest_first=form.order.data == "oldest",
    )


@dataclass(frozen=True)
class RecentItem:
    """A customer the staff member opened lately: its summary (None while the backend cannot
    say) and when it was opened."""

    id: str
    viewed_time: dt.datetime
    summary: CustomerSummary | None


def recently_viewed(form: SearchForm) -> list[RecentItem]:
    """The signed-in staff member's latest customers, for the empty search page only (no
    text, no filter, first page); forgotten ones and ones the backend no longer holds left
    out."""
    staff = signed_in_staff()
    searching = any(form[name].data for name in SEARCH_KEYS) or request.args.get("after")
    if staff is None or searching or request.args.get("before"):
        return []
    newest = recent_views().newest(staff.id)
    if not newest:
        return []
    try:
        found: dict[str, CustomerSummary] | None = customer_service().summaries(
            [customer_id for customer_id, _ in newest]
        )
    except (BackendUnavailable, BackendRefused):
        found = None  # the ids alone, then
    if found is not None:
        # Masked once for the list (the role is asked once, not once a row).
        kept = [s for s in found.values() if not s.request_to_be_forgotten]
        found = {s.id: s for s in shown_summaries(kept)}
    items = []
    for customer_id, viewed in newest:
        summary = found.get(customer_id) if found is not None else None
        if found is not None and summary is None:
            continue
        items.append(RecentItem(customer_id, viewed, summary))
    return items


def shown_page(page: SearchPage) -> SearchPage:
    """The page with personal data masked for the roles that see it so."""
    exact = page.exact_id_match
    return dataclasses.replace(
        page,
        items=tuple(shown_summaries(page.items)),
        exact_id_match=shown_summaries([exact])[0] if exact is not None else None,
    )


def _suggestion(form: SearchForm, page: SearchPage | None) -> str | None:
    """For a search that found nobody: the qualifier that may have been meant."""
    if page is None or page.items or not form.q.data:
        return None
    return parse_terms(form.q.data).suggestion()


@bp.get("/")
def index() -> Response:
    """Search customers: the home page, or the results fragment for active search."""
    form = SearchForm(request.args)
    page: SearchPage | None = None
    problem: ServiceError | None = None
    status = 200
    if form.validate():
        try:
            page = customer_service().search(search_query(form))
            page = shown_page(page)
        except (BackendUnavailable, BackendRefused) as error:
            problem, status = error, 502 if isinstance(error, BackendRefused) else 503
    else:
        status = 422
    return page_or_fragment(
        "customers/index.html",
        "customers/_results.html",
        status=status,
        form=form,
        page=page,
        recent=recently_viewed(form) if page is not None else [],
        count_cap=COUNT_CAP,
        problem=problem,
        capabilities=customer_service().capabilities,
        suggestion=_suggestion(form, page),
        base_args=query_args(request.args, SEARCH_KEYS),
        next_token=encode_cursor(page.next_cursor) if page else None,
        prev_token=encode_cursor(page.prev_cursor) if page else None,
    )


@bp.app_template_global()
def search_qualifiers() -> tuple[Qualifier, ...]:
    """The qualifiers, for the search help."""
    return QUALIFIERS


@bp.app_template_global()
def page_url(**changes: str | None) -> str:
    args = query_args(request.args, SEARCH_KEYS)
    args.update({k: v for k, v in changes.items() if v})
    return url_for("customers.index", **args)
