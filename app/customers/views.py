"""Customer pages: search (home), detail, create and edit, and the detail page's inline
changes (enable/disable, payment sources, tax identifiers and certificates, metadata)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from .. import htmx
from ..auth.permissions import EDITORS, can, current_actor, roles_required
from ..context import audit_log, customer_service, privacy_log
from ..errors import render_error
from ..services.customers import (
    TAX_CERTIFICATE_MAX_BYTES,
    Cursor,
    Customer,
    CustomerUpdate,
    SearchQuery,
    Source,
)
from ..services.errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerForgotten,
    InvalidParameter,
    ServiceError,
    StaleVersion,
)
from ..services.rules import generate_customer_id
from .forms import (
    MB,
    AttachSourceForm,
    CustomerForm,
    DisableForm,
    EnableForm,
    InlineForm,
    MetadataForm,
    SearchForm,
    TaxCertificateForm,
    TaxIdentifierForm,
    inline_forms,
    search_args,
)

bp = Blueprint("customers", __name__)

F = TypeVar("F", bound=InlineForm)


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
        forget_request=privacy_log().for_customer(customer.id),
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
    if customer.request_to_be_forgotten:
        return render_error(409, CustomerForgotten.default_message)
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
        except CustomerForgotten as error:
            return render_error(409, error.message)
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


# -- inline changes on the detail page ---------------------------------------------------------
#
# Each section of the detail page is a partial with its own forms, every one carrying the
# customer version it was based on. A change that goes through answers with the whole customer
# fragment (retargeted to #customer), because every form on the page must now carry the new
# version and the badges, banner and activity change too; a search row's toggle answers with
# the row's toggle. A change that is refused answers with its section alone: the errors in
# place, what was typed kept, and the version it was based on (so a stale form stays stale
# until reloaded). Without JavaScript: 303 to the detail page with a flash, or the whole page
# again with the section's errors.

SECTIONS = {
    "enabled": "customers/_enabled.html",
    "sources": "customers/_sources.html",
    "tax-identifiers": "customers/_tax_identifiers.html",
    "tax-certificates": "customers/_tax_certificates.html",
    "metadata": "customers/_metadata.html",
}
# The forms each section renders (they share the version the section was based on).
SECTION_FORMS = {
    "enabled": ("disable", "enable"),
    "sources": ("attach",),
    "tax-identifiers": ("tax_identifier",),
    "tax-certificates": ("tax_certificate",),
    "metadata": ("metadata",),
}
FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


@bp.app_template_global()
def source_label(source: Source) -> str:
    """How a source is named on buttons and in messages: "Visa 4242", else type and id."""
    if source.brand and source.last_four:
        return f"{source.brand} {source.last_four}"
    return f"{source.type} {source.id}"


bp.add_app_template_global(inline_forms, "inline_forms")


def _detail_context(customer: Customer, inline: object = None) -> dict[str, Any]:
    """What the detail page (or its #customer fragment) renders."""
    audit = audit_log()
    try:
        sharing = customer_service().sharing_email(customer)
    except (BackendUnavailable, BackendRefused):
        sharing = ()
    return {
        "customer": customer,
        "sharing": sharing,
        "timeline": audit.for_customer(customer.id),
        "disabled_event": None
        if customer.enabled
        else audit.latest(customer.id, "customer.disable"),
        "forget_request": privacy_log().for_customer(customer.id),
        "inline": inline or inline_forms(customer),
    }


def _current(customer_id: str) -> Customer | None:
    """The customer as stored now, or None while the backend fails (the section then shows
    its forms and the problem, without the list)."""
    try:
        return customer_service().get(customer_id)
    except (BackendUnavailable, BackendRefused):
        return None


def _place(form: DisableForm | EnableForm) -> str:
    return "row" if form.place.data == "row" else "detail"


def _inline_change(
    customer_id: str,
    section: str,
    name: str,
    form: InlineForm,
    change: Callable[[], Customer],
    *,
    done: str | Callable[[Customer], str],
    fields: Mapping[str, str] | None = None,
    valid: bool | None = None,
    place: str = "detail",
) -> Response:
    """Validate, make the one change, answer. ``valid`` overrides the form's own validation
    (button-only actions only check the version); ``fields`` maps DR parameters to fields."""
    status = 422
    if form.validate() if valid is None else valid:
        try:
            customer = change()
        except CustomerForgotten as error:
            # Nothing about the customer may change: say so plainly, not as a form error.
            return render_error(409, error.message)
        except StaleVersion as error:
            form.refuse(error, "stale")
            status = 409
        except Conflict as error:
            form.apply_service_error(error, fields or {})
            status = 409
        except InvalidParameter as error:
            form.apply_service_error(error, fields or {})
        except (BackendUnavailable, BackendRefused) as error:
            form.refuse(error, "backend")
            status = 502 if isinstance(error, BackendRefused) else 503
        else:
            message = done(customer) if callable(done) else done
            return _changed(customer, message, section, place)
    return _section_again(customer_id, section, name, form, status, place=place)


def _changed(customer: Customer, message: str, section: str, place: str) -> Response:
    """After a change: the whole customer (or the search row's toggle) with a flash for htmx;
    303 back to the section of the detail page otherwise."""
    anchor = f"enabled-{customer.id}" if section == "enabled" else section
    if not htmx.is_htmx():
        flash(message, "success")
        return redirect(url_for("customers.show", customer_id=customer.id, _anchor=anchor), 303)
    notice = render_template("customers/_notice.html", message=message)
    if place == "row":
        body = render_template("customers/_enabled.html", customer=customer, place="row")
        return htmx.vary(Response(body + notice))
    body = render_template("customers/_detail.html", **_detail_context(customer))
    return htmx.retarget(htmx.vary(Response(body + notice)), "#customer")


def _section_again(
    customer_id: str,
    section: str,
    name: str,
    form: InlineForm,
    status: int,
    *,
    place: str = "detail",
) -> Response:
    """The section once more with ``form`` as submitted: its fragment for htmx, else the page."""
    customer = _current(customer_id)
    inline = inline_forms(customer, place=place, **{name: form})
    for other in SECTION_FORMS[section]:
        getattr(inline, other).version.data = form.version.data
    if htmx.is_htmx():
        body = render_template(
            SECTIONS[section],
            customer=customer,
            customer_id=customer_id,
            inline=inline,
            place=place,
            expanded=True,
        )
        return htmx.vary(Response(body, status=status))
    if customer is None:
        problem = form.problem
        return render_error(status, problem.message if problem else None)
    body = render_template("customers/show.html", **_detail_context(customer, inline))
    return htmx.vary(Response(body, status=status))


def _button_form(cls: type[F]) -> F:
    """The section's form for a button-only action: only the version comes from the request."""
    form = cls(formdata=MultiDict({"version": request.form.get("version", "")}))
    form.retry_url = request.path
    return form


@bp.get("/customers/<customer_id>/enabled")
@roles_required("fraud")
def confirm_toggle(customer_id: str) -> Response:
    """The enable or disable form of a search row (which does not know the version)."""
    if not htmx.is_htmx():
        return redirect(
            url_for("customers.show", customer_id=customer_id, _anchor=f"enabled-{customer_id}"),
            303,
        )
    customer = customer_service().get(customer_id)
    body = render_template(
        "customers/_enabled.html",
        customer=customer,
        inline=inline_forms(customer, place="row"),
        place="row",
        expanded=True,
    )
    return htmx.vary(Response(body))


@bp.post("/customers/<customer_id>/disable")
@roles_required("fraud")
def disable(customer_id: str) -> Response:
    """Disable the customer, saying why."""
    form = DisableForm()
    place = _place(form)
    if place == "row":
        form.suffix_ids(customer_id)
    return _inline_change(
        customer_id,
        "enabled",
        "disable",
        form,
        lambda: customer_service().set_enabled(
            customer_id,
            False,
            reason_code=form.reason.data,
            note=form.note.data or None,
            expected_version=form.expected_version(),
            actor=current_actor(),
        ),
        done=f"Customer {customer_id} disabled.",
        fields={"reason": "reason", "note": "note"},
        place=place,
    )


@bp.post("/customers/<customer_id>/enable")
@roles_required("fraud")
def enable(customer_id: str) -> Response:
    """Enable the customer again."""
    form = EnableForm()
    place = _place(form)
    return _inline_change(
        customer_id,
        "enabled",
        "enable",
        form,
        lambda: customer_service().set_enabled(
            customer_id, True, expected_version=form.expected_version(), actor=current_actor()
        ),
        done=f"Customer {customer_id} enabled.",
        place=place,
    )


SOURCE_FIELDS = {"sourceId": "source_id"}


def _after_source_change(message: str) -> Callable[[Customer], str]:
    def done(customer: Customer) -> str:
        if customer.sources and not customer.default_source_id:
            return f"{message} The customer has no default source now: choose one."
        return message

    return done


@bp.post("/customers/<customer_id>/sources")
@roles_required(*EDITORS)
def attach_source(customer_id: str) -> Response:
    """Attach an existing source to the customer by its id."""
    form = AttachSourceForm()
    return _inline_change(
        customer_id,
        "sources",
        "attach",
        form,
        lambda: customer_service().attach_source(
            customer_id,
            form.source_id.data or "",
            expected_version=form.expected_version(),
            actor=current_actor(),
        ),
        done=f"Source {form.source_id.data} attached.",
        fields=SOURCE_FIELDS,
    )


@bp.post("/customers/<customer_id>/sources/<source_id>/detach")
@roles_required(*EDITORS)
def detach_source(customer_id: str, source_id: str) -> Response:
    """Detach a source, which cancels it for good."""
    form = _button_form(AttachSourceForm)
    return _inline_change(
        customer_id,
        "sources",
        "attach",
        form,
        lambda: customer_service().detach_source(
            customer_id, source_id, expected_version=form.expected_version(), actor=current_actor()
        ),
        done=_after_source_change(f"Source {source_id} detached; it is cancelled for good."),
        valid=form.version.validate(form),
    )


@bp.post("/customers/<customer_id>/sources/<source_id>/default")
@roles_required(*EDITORS)
def set_default_source(customer_id: str, source_id: str) -> Response:
    """Make one of the customer's sources the default."""
    form = _button_form(AttachSourceForm)
    return _inline_change(
        customer_id,
        "sources",
        "attach",
        form,
        lambda: customer_service().set_default_source(
            customer_id, source_id, expected_version=form.expected_version(), actor=current_actor()
        ),
        done=f"Source {source_id} is now the default.",
        valid=form.version.validate(form),
    )


@bp.post("/customers/<customer_id>/tax-identifiers")
@roles_required(*EDITORS)
def add_tax_identifier(customer_id: str) -> Response:
    """Add a tax identifier (one per type)."""
    form = TaxIdentifierForm()
    return _inline_change(
        customer_id,
        "tax-identifiers",
        "tax_identifier",
        form,
        lambda: customer_service().add_tax_identifier(
            customer_id,
            form.type.data or "",
            form.value.data or "",
            expected_version=form.expected_version(),
            actor=current_actor(),
        ),
        done=f"Tax identifier {form.value.data} added.",
        fields={"type": "type", "value": "value"},
    )


@bp.post("/customers/<customer_id>/tax-identifiers/<tax_identifier_id>/remove")
@roles_required(*EDITORS)
def remove_tax_identifier(customer_id: str, tax_identifier_id: str) -> Response:
    """Remove one of the customer's tax identifiers."""
    form = _button_form(TaxIdentifierForm)
    return _inline_change(
        customer_id,
        "tax-identifiers",
        "tax_identifier",
        form,
        lambda: customer_service().remove_tax_identifier(
            customer_id,
            tax_identifier_id,
            expected_version=form.expected_version(),
            actor=current_actor(),
        ),
        done="Tax identifier removed.",
        valid=form.version.validate(form),
    )


TAX_CERTIFICATE_FIELDS = {
    "taxCertificate.companyName": "company_name",
    "taxCertificate.taxAuthority": "tax_authority",
    "taxCertificate.startDate": "start_date",
    "taxCertificate.endDate": "end_date",
    "file": "file",
    "fileId": "file",
}


@bp.post("/customers/<customer_id>/tax-certificates")
@roles_required(*EDITORS)
def add_tax_certificate(customer_id: str) -> Response:
    """Upload a tax-exemption certificate and add it to the customer."""
    form = TaxCertificateForm()
    return _inline_change(
        customer_id,
        "tax-certificates",
        "tax_certificate",
        form,
        lambda: customer_service().add_tax_certificate(
            customer_id,
            form.new_certificate(),
            expected_version=form.expected_version(),
            actor=current_actor(),
        ),
        done=f"Tax certificate for {form.company_name.data} added.",
        fields=TAX_CERTIFICATE_FIELDS,
    )


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> Response:
    """A body over MAX_CONTENT_LENGTH is never read; for a certificate upload say so next to
    the file field (htmx swaps 422, not 413) instead of showing a bare error page."""
    if request.endpoint != "customers.add_tax_certificate":
        return render_error(413)
    if not can(*EDITORS):
        return render_error(403)
    customer_id = (request.view_args or {}).get("customer_id", "")
    form = TaxCertificateForm(formdata=None)
    size = (request.content_length or 0) / MB
    form.file.errors = [
        f"The upload was {size:.1f} MB, more than this app accepts, so it was not read and "
        f"nothing was saved. A certificate file may be at most "
        f"{TAX_CERTIFICATE_MAX_BYTES // MB} MB: enter the certificate again with a smaller file."
    ]
    customer = customer_service().get(customer_id)
    form.based_on(customer)
    return _section_again(
        customer_id, "tax-certificates", "tax_certificate", form, 422 if htmx.is_htmx() else 413
    )


@bp.get("/customers/<customer_id>/files/<file_id>")
def download_file(customer_id: str, file_id: str) -> Response:
    """Download a file of one of the customer's tax certificates."""
    service = customer_service()
    customer = service.get(customer_id)
    if file_id not in {c.file_id for c in customer.tax_certificates}:
        abort(404)
    stored = service.get_file(file_id)
    kind = stored.type.lower()
    response = send_file(
        io.BytesIO(stored.content),
        mimetype=kind if "/" in kind else FILE_TYPES.get(kind, "application/octet-stream"),
        as_attachment=True,
        download_name=stored.file_name or f"{file_id}.{kind}",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/customers/<customer_id>/metadata")
@roles_required(*EDITORS)
def update_metadata(customer_id: str) -> Response:
    """Save the metadata rows (an empty value removes the key); "Add row" only adds a row."""
    form = MetadataForm()
    if "add_row" in request.form:
        form.add_blank_row()
        form.keep_open = True
        return _section_again(customer_id, "metadata", "metadata", form, 200)
    outcome = {"message": "Metadata saved."}

    def change() -> Customer:
        service = customer_service()
        current = service.get(customer_id)
        changes = form.changes(current.metadata)
        if not changes:
            outcome["message"] = "No metadata changed."
            return current
        return service.update(
            customer_id,
            CustomerUpdate(metadata=changes),
            expected_version=form.expected_version(),
            actor=current_actor(),
            action="metadata.update",
        )

    return _inline_change(
        customer_id,
        "metadata",
        "metadata",
        form,
        change,
        done=lambda _customer: outcome["message"],
        fields={"metadata": "metadata", "metadata.": "metadata"},
    )


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
