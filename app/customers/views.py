"""Customer pages: search (home), detail, create and edit."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import htmx
from ..auth.permissions import EDITORS, current_actor, roles_required
from ..context import audit_log, customer_service
from ..services.customers import Cursor, SearchQuery
from ..services.errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    InvalidParameter,
    ServiceError,
)
from ..services.rules import generate_customer_id
from .forms import CustomerForm, SearchForm, search_args

bp = Blueprint("customers", __name__)


def encode_cursor(cursor: Cursor | None) -> str | None:
    if cursor is None:
        return None
    raw = f"{cursor.created_time.isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> Cursor | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, customer_id = raw.split("|", 1)
        if "\x00" in customer_id:  # PostgreSQL refuses NUL even in a comparison
            return None
        created_time = dt.datetime.fromisoformat(created)
        if created_time.tzinfo is not None:
            created_time = created_time.astimezone(dt.UTC)  # overflows near year 1 and 9999
        return Cursor(created_time, customer_id)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None


def _tristate(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None


def _render(template: str, fragment: str, status: int = 200, **context: object) -> Response:
    """The full page, or only its fragment when htmx asks."""
    body = render_template(fragment if htmx.is_htmx() else template, **context)
    return htmx.vary(Response(body, status=status))


@bp.get("/")
def index() -> Response:
    """Search customers: the home page, or the results fragment for active search."""
    form = SearchForm(request.args)
    page = None
    problem: ServiceError | None = None
    status = 200
    if form.validate():
        after = decode_cursor(request.args.get("after"))
        before = decode_cursor(request.args.get("before"))
        query = SearchQuery(
            text=form.q.data or "",
            enabled=_tristate(form.enabled.data),
            type=form.type.data or None,
            locale=form.locale.data or None,
            forget_requested=_tristate(form.forget.data),
            created_from=_day_start(form.created_from.data),
            created_to=_day_start(form.created_to.data + dt.timedelta(days=1))
            if form.created_to.data
            else None,
            after=after,
            before=before if after is None else None,
            limit=request.args.get("limit", type=int) or current_app.config["SEARCH_PAGE_SIZE"],
        )
        try:
            page = customer_service().search(query)
        except (BackendUnavailable, BackendRefused) as error:
            problem, status = error, 502 if isinstance(error, BackendRefused) else 503
    else:
        status = 422
    base_args = search_args(request.args)
    return _render(
        "customers/index.html",
        "customers/_results.html",
        status=status,
        form=form,
        page=page,
        problem=problem,
        capabilities=customer_service().capabilities,
        base_args=base_args,
        next_token=encode_cursor(page.next_cursor) if page else None,
        prev_token=encode_cursor(page.prev_cursor) if page else None,
    )


@bp.get("/customers/<customer_id>")
def show(customer_id: str) -> Response:
    """Everything about one customer."""
    service = customer_service()
    customer = service.get(customer_id)
    audit = audit_log()
    return _render(
        "customers/show.html",
        "customers/_detail.html",
        customer=customer,
        sharing=service.sharing_email(customer),
        timeline=audit.for_customer(customer.id),
        disabled_event=None if customer.enabled else audit.latest(customer.id, "customer.disable"),
    )


@bp.get("/new-customer")
@roles_required(*EDITORS)
def new() -> Response:
    """The form for a new customer."""
    form = CustomerForm(creating=True)
    form.draft_id.data = generate_customer_id()
    form.add_blank_metadata_rows()
    return _render("customers/form.html", "customers/_form.html", form=form, customer=None)


@bp.post("/customers")
@roles_required(*EDITORS)
def create() -> Response:
    """Create the customer, or show the form again with the errors next to their fields."""
    form = CustomerForm(creating=True)
    if form.validate():
        try:
            customer = customer_service().create(form.new_customer(), actor=current_actor())
        except Conflict as error:
            if not form.id.data and error.code == "already_exists":
                # The reserved id is taken: an earlier submit of this very form went through.
                form.already_created = form.draft_id.data
            else:
                form.apply_service_error(error)
        except InvalidParameter as error:
            form.apply_service_error(error)
        except (BackendUnavailable, BackendRefused) as error:
            return _backend_problem(form, error, customer=None)
        else:
            flash(f"Customer {customer.id} created.", "success")
            return _navigate(url_for("customers.show", customer_id=customer.id))
    return _form_again(form, customer=None)


@bp.get("/customers/<customer_id>/edit")
@roles_required(*EDITORS)
def edit(customer_id: str) -> Response:
    """The form to correct a customer."""
    customer = customer_service().get(customer_id)
    form = CustomerForm(creating=False)
    form.fill_from(customer)
    form.add_blank_metadata_rows()
    return _render("customers/form.html", "customers/_form.html", form=form, customer=customer)


@bp.post("/customers/<customer_id>")
@roles_required(*EDITORS)
def update(customer_id: str) -> Response:
    """Save the corrections, refusing a save based on an outdated version."""
    service = customer_service()
    customer = service.get(customer_id)
    form = CustomerForm(creating=False)
    if form.validate():
        try:
            customer = service.update(
                customer_id,
                form.changes(customer),
                expected_version=form.expected_version(),
                actor=current_actor(),
            )
        except Conflict as error:
            form.form_errors_extra.append(error.message)
            return _form_again(form, customer=customer, status=409)
        except InvalidParameter as error:
            form.apply_service_error(error)
        except (BackendUnavailable, BackendRefused) as error:
            return _backend_problem(form, error, customer=customer)
        else:
            flash("Changes saved.", "success")
            return _navigate(url_for("customers.show", customer_id=customer.id))
    return _form_again(form, customer=customer)


def _form_again(form: CustomerForm, *, customer: object, status: int = 422) -> Response:
    if len(form.metadata.entries) == 0:
        form.add_blank_metadata_rows()
    return _render(
        "customers/form.html", "customers/_form.html", status=status, form=form, customer=customer
    )


def _backend_problem(form: CustomerForm, error: ServiceError, *, customer: object) -> Response:
    """The backend failed: say so above the form, keeping everything that was typed."""
    form.backend_problem = error
    status = 502 if isinstance(error, BackendRefused) else 503
    return _form_again(form, customer=customer, status=status)


def _navigate(url: str) -> Response:
    """303 for a plain form post; an htmx post is told to load the whole page instead
    (HX-Location would fetch it as an htmx request, get the fragment, and lose the layout
    and the flash message)."""
    if htmx.is_htmx():
        return htmx.redirect_header(Response(status=204), url)
    return redirect(url, code=303)


@bp.app_template_filter("when")
def format_when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.app_template_global()
def page_url(**changes: str | None) -> str:
    args = search_args(request.args)
    args.update({k: v for k, v in changes.items() if v})
    return url_for("customers.index", **args)


__all__ = ["bp"]
