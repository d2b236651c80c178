"""Creating a customer and correcting one: the whole form, never a lost update."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for

from .. import htmx
from ..auth.permissions import EDITORS, current_actor, roles_required
from ..context import customer_service
from ..errors import render_error
from ..services.customers import Customer, NewCustomer
from ..services.errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerForgotten,
    CustomerNotFound,
    InvalidParameter,
    ServiceError,
    StaleVersion,
)
from ..services.rules import generate_customer_id
from ..web.pages import page_or_fragment
from .blueprint import bp
from .conflict import APPLIED_AFTER_CONFLICT, resolve
from .customer_form import CustomerForm


def _form_page(form: CustomerForm, *, customer_id: str | None, status: int = 200) -> Response:
    """The create form (``customer_id`` None) or the edit form of that customer."""
    form.label_metadata_rows()
    return page_or_fragment(
        "customers/form.html",
        "customers/_form.html",
        status=status,
        form=form,
        customer_id=customer_id,
    )


@bp.get("/new-customer")
@roles_required(*EDITORS)
def new() -> Response:
    """The form for a new customer."""
    form = CustomerForm(creating=True)
    form.draft_id.data = generate_customer_id()
    form.add_blank_metadata_rows()
    return _form_page(form, customer_id=None)


@bp.post("/customers")
@roles_required(*EDITORS)
def create() -> Response:
    """Create the customer, or show the form again with the errors next to their fields."""
    form = CustomerForm(creating=True)
    if form.validate():
        new = form.new_customer()
        tried = _unclear_attempt(form)
        try:
            customer = customer_service().create(new, actor=current_actor())
        except Conflict as error:
            if error.code != "already_exists":
                form.apply_service_error(error)
            else:
                refused = _reconcile(form, new, error, tried)
                if refused is not None:
                    return refused
        except InvalidParameter as error:
            form.apply_service_error(error)
        except (BackendUnavailable, BackendRefused) as error:
            if getattr(error, "uncertain", False):
                _remember_unclear_attempt(form, new)
            return _backend_problem(form, error, customer_id=None)
        else:
            flash(f"Customer {customer.id} created.", "success")
            _warn_about_phone(form)
            return _navigate(url_for("customers.show", customer_id=customer.id))
    return _form_again(form, customer_id=None)


# The creates whose outcome DR left unclear, per form (its reserved id is the form's token):
# the id each one asked for. Kept in the signed session, the newest few only.
UNCLEAR_ATTEMPTS = "unclear_creates"
UNCLEAR_ATTEMPTS_KEPT = 8
RESERVED_ID_TAKEN = (
    "The id reserved for this form belongs to another customer. A new id is reserved: "
    "press “Create customer” again."
)


def _unclear_attempt(form: CustomerForm) -> str | None:
    """The id an earlier submit of this form asked for, when DR left its outcome unclear."""
    attempts = session.get(UNCLEAR_ATTEMPTS)
    if not isinstance(attempts, dict) or not form.draft_id.data:
        return None
    tried = attempts.get(form.draft_id.data)
    return tried if isinstance(tried, str) else None


def _remember_unclear_attempt(form: CustomerForm, new: NewCustomer) -> None:
    if not form.draft_id.data or new.id is None:
        return
    attempts = session.get(UNCLEAR_ATTEMPTS)
    kept = dict(attempts) if isinstance(attempts, dict) else {}
    kept.pop(form.draft_id.data, None)
    kept[form.draft_id.data] = new.id
    session[UNCLEAR_ATTEMPTS] = dict(list(kept.items())[-UNCLEAR_ATTEMPTS_KEPT:])


def _reconcile(
    form: CustomerForm, new: NewCustomer, clash: Conflict, tried: str | None
) -> Response | None:
    """The id is taken. It is this form's customer when it holds what the form sends, or
    when an earlier submit of this form asked for that id and DR left the outcome unclear
    (typed values may have been corrected since); otherwise it is somebody else's. A
    response when the check itself cannot be made."""
    assert new.id is not None
    try:
        existing = customer_service().get(new.id)
    except (BackendUnavailable, BackendRefused) as error:
        return _backend_problem(form, error, customer_id=None)
    except CustomerNotFound:
        existing = None
    if existing is not None and (new.describes(existing) or tried == new.id):
        form.already_created = new.id
        form.already_created_differs = not new.describes(existing)
    elif not form.id.data:
        form.draft_id.data = generate_customer_id()
        form.form_errors_extra.append(RESERVED_ID_TAKEN)
    else:
        form.apply_service_error(clash)
    return None


@bp.get("/customers/<customer_id>/edit")
@roles_required(*EDITORS)
def edit(customer_id: str) -> Response:
    """The form to correct a customer."""
    customer = customer_service().get(customer_id)
    if customer.request_to_be_forgotten:
        return render_error(409, CustomerForgotten.default_message)
    form = CustomerForm(creating=False)
    form.fill_from(customer)
    form.add_blank_metadata_rows()
    return _form_page(form, customer_id=customer.id)


@bp.post("/customers/<customer_id>")
@roles_required(*EDITORS)
def update(customer_id: str) -> Response:
    """Save the corrections. A save based on an outdated version is refused showing what
    changed since on each side, the form holding the newer version with the agent's changes
    on top, ready to apply. Whatever fails (DR cannot even be read, say), the form comes back
    with everything that was typed."""
    service = customer_service()
    form = CustomerForm(creating=False)
    try:
        customer = service.get(customer_id)
    except (BackendUnavailable, BackendRefused) as error:
        form.offer_current(None)
        return _backend_problem(form, error, customer_id=customer_id)
    form.offer_current(customer)
    if form.validate():
        try:
            customer = service.update(
                customer_id,
                form.changes(customer),
                expected_version=form.expected_version(),
                actor=current_actor(),
                note=APPLIED_AFTER_CONFLICT if form.resolving.data else None,
            )
        except CustomerForgotten as error:
            return render_error(409, error.message)
        except StaleVersion as error:
            return _conflict(form, customer, error)
        except Conflict as error:
            form.form_errors_extra.append(error.message)
            return _form_again(form, customer_id=customer_id, status=409)
        except InvalidParameter as error:
            form.apply_service_error(error)
        except (BackendUnavailable, BackendRefused) as error:
            return _backend_problem(form, error, customer_id=customer_id)
        else:
            flash("Changes saved.", "success")
            _warn_about_phone(form)
            return _navigate(url_for("customers.show", customer_id=customer.id))
    return _form_again(form, customer_id=customer_id)


def _conflict(form: CustomerForm, read: Customer, refusal: StaleVersion) -> Response:
    """Show what changed on each side; the form is rebased on the version stored now."""
    customer_id = read.id
    try:
        current = customer_service().get(customer_id)
    except (BackendUnavailable, BackendRefused):
        current = read  # the version read before the save: the best known
    if current.request_to_be_forgotten:
        return render_error(409, CustomerForgotten.default_message)
    form.conflict = resolve(form, current, refusal)
    return _form_again(form, customer_id=customer_id, status=409)


def _warn_about_phone(form: CustomerForm) -> None:
    """A saved phone that is not a number of the shipping country: kept, but say so."""
    if form.phone_warning:
        flash(f"Phone {form.ship_phone.data}: {form.phone_warning}", "warning")


@bp.get("/forms/state-field")
@roles_required(*EDITORS)
def state_field() -> Response:
    """The state field for the country just picked: that country's select, or free text."""
    form = CustomerForm(formdata=request.args, creating=True)
    body = render_template("customers/_state_field.html", form=form)
    return htmx.vary(Response(body))


def _form_again(form: CustomerForm, *, customer_id: str | None, status: int = 422) -> Response:
    if len(form.metadata.entries) == 0:
        form.add_blank_metadata_rows()
    return _form_page(form, customer_id=customer_id, status=status)


def _backend_problem(
    form: CustomerForm, error: ServiceError, *, customer_id: str | None
) -> Response:
    """The backend failed: say so above the form, keeping everything that was typed."""
    form.backend_problem = error
    status = 502 if isinstance(error, BackendRefused) else 503
    return _form_again(form, customer_id=customer_id, status=status)


def _navigate(url: str) -> Response:
    """303 for a plain form post; an htmx post is told to load the whole page instead
    (HX-Location would fetch it as an htmx request, get the fragment, and lose the layout
    and the flash message)."""
    if htmx.is_htmx():
        return htmx.redirect_header(Response(status=204), url)
    return redirect(url, code=303)
