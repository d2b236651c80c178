"""Requests to be forgotten (privacy officers and admins): the confirmation step on a
customer, the request itself, a retry after a failure, and the privacy page with its CSV
export."""

from __future__ import annotations

import datetime as dt
import re

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
from ..auth.permissions import current_actor, roles_required
from ..context import (
    audit_log,
    customer_service,
    forget_proposals,
    privacy_log,
    read_access_log,
)
from ..errors import render_error
from ..services import subject_access
from ..services.audit import customer_fields
from ..services.customers import Customer
from ..services.errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerForgotten,
    CustomerNotFound,
    InvalidParameter,
    ServiceError,
)
from ..services.field_names import label, labels
from ..services.privacy import CheckedRequests, ForgetRequest
from ..services.subject_access import SubjectAccess
from ..web.pages import ListPage, csv_time
from .forms import FILTER_KEYS, ForgetForm, PrivacyFilterForm

bp = Blueprint("privacy", __name__)
bp.add_app_template_global(labels, "field_labels")

# Admins hold every role, so this is privacy officers and admins.
PRIVACY_ROLES = ("privacy",)

CSV_COLUMNS = (
    "requested_time",
    "customer_id",
    "requested_by",
    "reason",
    "backend",
    "status",
    "completed_time",
    "request_id",
    "error",
)


def _backend() -> str:
    return current_app.config["CUSTOMER_BACKEND"]


def is_done(customer: Customer, existing: ForgetRequest | None) -> bool:
    """Whether the customer already asked to be forgotten (a failed request is not done)."""
    if existing is not None:
        return existing.status != "failed"
    return customer.request_to_be_forgotten


def already_message(existing: ForgetRequest | None) -> str:
    if existing is None:
        return "This customer already asked to be forgotten. Nothing changed."
    when = existing.requested_time.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"This customer already asked to be forgotten: requested on {when} by "
        f"{existing.requested_by}. Nothing changed."
    )


def _confirm_page(
    customer: Customer,
    form: ForgetForm,
    *,
    existing: ForgetRequest | None,
    status: int = 200,
    problem: ServiceError | str | None = None,
    refusal: str | None = None,
    unsure: ForgetRequest | None = None,
) -> Response:
    body = render_template(
        "privacy/confirm.html",
        customer=customer,
        form=form,
        existing=existing,
        done=is_done(customer, existing),
        four_eyes=four_eyes(),
        proposal=forget_proposals().open_for(customer.id),
        backend_name=_backend(),
        problem=problem,
        refusal=refusal,
        unsure=unsure,
    )
    return htmx.vary(Response(body, status=status))


@bp.get("/customers/<customer_id>/forget")
@roles_required(*PRIVACY_ROLES)
def confirm(customer_id: str) -> Response:
    """What forgetting this customer does on this backend, and the form that confirms it."""
    service = customer_service()
    customer = service.get(customer_id)
    existing = service.check_forget(customer.id, customer=customer)
    return _confirm_page(customer, ForgetForm(formdata=None), existing=existing)


@bp.post("/customers/<customer_id>/forget")
@roles_required(*PRIVACY_ROLES)
def forget(customer_id: str) -> Response:
    """Record the request and carry it out, after checking the typed id and the reason."""
    service = customer_service()
    customer = service.get(customer_id)
    existing = service.check_forget(customer.id, customer=customer)
    form = ForgetForm()
    if is_done(customer, existing):
        return _confirm_page(
            customer, form, existing=existing, status=409, refusal=already_message(existing)
        )
    valid = form.validate()
    if not form.check_id(customer.id) or not valid:
        return _confirm_page(customer, form, existing=existing, status=422)
    if four_eyes():
        return _propose(customer, form, existing)
    try:
        outcome = service.request_forget(
            customer.id, reason=form.reason.data or "", actor=current_actor()
        )
    except InvalidParameter as error:
        target = form.reason if error.parameter == "reason" else None
        if target is not None:
            target.errors = [*target.errors, error.message]
            return _confirm_page(customer, form, existing=existing, status=422)
        return _confirm_page(customer, form, existing=existing, status=422, problem=error)
    except (CustomerForgotten, Conflict) as error:
        existing = privacy_log().for_customer(customer.id)
        message = already_message(existing) if existing else error.message
        return _confirm_page(customer, form, existing=existing, status=409, refusal=message)
    except (BackendUnavailable, BackendRefused) as error:
        status = 502 if isinstance(error, BackendRefused) else 503
        existing = privacy_log().for_customer(customer.id)
        return _confirm_page(customer, form, existing=existing, status=status, problem=error)
    if outcome.status == "failed":
        message = outcome.error or "Digital River did not take the request."
        return _confirm_page(customer, form, existing=outcome, status=503, problem=message)
    if outcome.status == "unknown":
        # Neither done nor failed: said as such, with no form to send it again meanwhile.
        return _confirm_page(customer, form, existing=outcome, status=202, unsure=outcome)
    flash(_done_message(outcome), "success")
    return redirect(url_for("customers.show", customer_id=customer.id), 303)


def four_eyes() -> bool:
    return bool(current_app.config["FORGET_FOUR_EYES"])


def _propose(customer: Customer, form: ForgetForm, existing: ForgetRequest | None) -> Response:
    """Four-eyes: record the proposal; a second privacy officer carries it out."""
    try:
        forget_proposals().propose(
            customer.id, reason=form.reason.data or "", actor=current_actor()
        )
    except InvalidParameter as error:
        form.reason.errors = [*form.reason.errors, error.message]
        return _confirm_page(customer, form, existing=existing, status=422)
    except Conflict as error:
        return _confirm_page(customer, form, existing=existing, status=409, refusal=error.message)
    flash(
        f"Proposed to forget customer {customer.id}: nothing is erased until a second privacy "
        "officer approves it.",
        "success",
    )
    return redirect(url_for("customers.show", customer_id=customer.id), 303)


@bp.post("/privacy/proposals/<int:proposal_id>/approve")
@roles_required(*PRIVACY_ROLES)
def approve(proposal_id: int) -> Response:
    """A second officer approves a proposal: the request is carried out now, with the
    proposal's reason (its outcome is the request's, as in the one-step flow)."""
    proposals = forget_proposals()
    back = _back_to()
    try:
        proposal = proposals.get(proposal_id)
        proposals.decide(proposal_id, approve=True, actor=current_actor())
    except CustomerNotFound:
        return render_error(404, "There is no such proposal.")
    except Conflict as error:
        flash(error.message, "error")
        return redirect(back or url_for("privacy.index"), 303)
    try:
        outcome = customer_service().request_forget(
            proposal.customer_id, reason=proposal.reason, actor=current_actor()
        )
    except (CustomerForgotten, Conflict):
        flash(already_message(privacy_log().for_customer(proposal.customer_id)), "info")
    except (BackendUnavailable, BackendRefused) as error:
        if _reopened_unless_recorded(proposal.id, proposal.customer_id):
            flash(
                f"The request could not be made: {error.message} Nothing was recorded or "
                "erased, so the proposal is open again: approve it once the backend is back.",
                "error",
            )
        else:
            flash(
                f"Approved, but the request did not go through: {error.message} It is listed "
                "as failed on the privacy page, with a retry.",
                "error",
            )
    except Exception:
        _reopened_unless_recorded(proposal.id, proposal.customer_id)
        raise
    else:
        if outcome.status == "failed":
            flash(
                f"Approved, but the request did not go through: "
                f"{outcome.error or 'Digital River did not take it.'} It is listed as failed, "
                "with a retry.",
                "error",
            )
        elif outcome.status == "unknown":
            flash(UNSURE.format(id=proposal.customer_id), "warning")
        else:
            flash(_done_message(outcome), "success")
    return redirect(back or url_for("customers.show", customer_id=proposal.customer_id), 303)


@bp.post("/privacy/proposals/<int:proposal_id>/reject")
@roles_required(*PRIVACY_ROLES)
def reject(proposal_id: int) -> Response:
    """A second officer rejects a proposal, saying why; nothing is erased."""
    proposals = forget_proposals()
    back = _back_to()
    try:
        proposal = proposals.decide(
            proposal_id, approve=False, actor=current_actor(), note=request.form.get("note")
        )
    except CustomerNotFound:
        return render_error(404, "There is no such proposal.")
    except (Conflict, InvalidParameter) as error:
        flash(f"The proposal was not rejected: {error.message}", "error")
        return redirect(back or url_for("privacy.index"), 303)
    flash(
        f"Rejected the proposal to forget customer {proposal.customer_id}; nothing was erased.",
        "success",
    )
    return redirect(back or url_for("privacy.index"), 303)


def _reopened_unless_recorded(proposal_id: int, customer_id: str) -> bool:
    """After a failed approval: open the proposal again when no request was recorded (the
    backend failed before), so it is never lost between "approved" and "requested"."""
    if privacy_log().for_customer(customer_id) is not None:
        return False
    forget_proposals().reopen(proposal_id)
    return True


def _back_to() -> str | None:
    """The page a form came from (``next``), when it is a path of this site."""
    back = request.form.get("next") or ""
    return back if back.startswith("/") and not back.startswith(("//", "/\\")) else None


def _done_message(outcome: ForgetRequest) -> str:
    if outcome.status == "erased":
        return f"Customer {outcome.customer_id} is forgotten: their personal data was erased."
    return (
        f"The request to forget customer {outcome.customer_id} was sent to Digital River, "
        "which removes the data under its retention policy."
    )


UNSURE = (
    "Digital River did not confirm the request to forget customer {id}, and whether it holds "
    "it could not be checked: it may or may not have been applied. It is listed as “Unknown "
    "— checking” and is checked again whenever this customer or the privacy page is shown."
)


@bp.post("/customers/<customer_id>/forget/retry")
@roles_required(*PRIVACY_ROLES)
def retry(customer_id: str) -> Response:
    """Send a failed request again (with its original reason); an unknown one is checked
    with Digital River instead, never sent again."""
    existing = privacy_log().for_customer(customer_id)
    if existing is None:
        return render_error(404, "There is no request to be forgotten for this customer.")
    if existing.status not in ("failed", "unknown"):
        return render_error(409, already_message(existing))
    target = _back_to()
    if existing.status == "unknown":
        _flash_check(customer_service().check_forget(customer_id) or existing)
        return redirect(target or url_for("privacy.index"), 303)
    try:
        outcome = customer_service().request_forget(
            customer_id, reason=existing.reason, actor=current_actor()
        )
    except (CustomerForgotten, Conflict):
        flash(already_message(privacy_log().for_customer(customer_id)), "info")
    except (BackendUnavailable, BackendRefused) as error:
        flash(f"The retry failed again: {error.message} The request stays failed.", "error")
    else:
        if outcome.status == "failed":
            flash(
                f"The retry failed again: {outcome.error or 'Digital River did not take it.'} "
                "The request stays failed.",
                "error",
            )
        elif outcome.status == "unknown":
            flash(UNSURE.format(id=customer_id), "warning")
        else:
            flash(_done_message(outcome), "success")
    return redirect(target or url_for("privacy.index"), 303)


def _flash_check(outcome: ForgetRequest) -> None:
    """What checking an unknown request with Digital River found."""
    if outcome.status == "requested":
        flash(
            f"Digital River holds the request to forget customer {outcome.customer_id}: it "
            "went through, and Digital River removes the data under its retention policy.",
            "success",
        )
    elif outcome.status == "failed":
        flash(
            f"Digital River does not hold the request to forget customer "
            f"{outcome.customer_id}: it did not go through and is now listed as failed. Retry "
            "it to send it again.",
            "error",
        )
    else:
        flash(
            "Digital River still cannot be asked whether it holds the request to forget "
            f"customer {outcome.customer_id}; it stays “Unknown — checking”. Nothing was sent.",
            "warning",
        )


# -- subject access (GDPR Art. 15) ------------------------------------------------------------


def _subject_access(customer_id: str, export_format: str) -> SubjectAccess:
    return subject_access.gather(
        customer_service(),
        audit_log(),
        privacy_log(),
        read_access_log(),
        customer_id,
        actor=current_actor(),
        backend=_backend(),
        export_format=export_format,
    )


@bp.get("/customers/<customer_id>/subject-access")
@roles_required(*PRIVACY_ROLES)
def subject_access_summary(customer_id: str) -> Response:
    """Everything held about the customer, to read or print, with the JSON download; the
    export is audited."""
    export = _subject_access(customer_id, "summary")
    fields = [(label(path), value) for path, value in customer_fields(export.customer).items()]
    body = render_template("privacy/subject_access.html", export=export, fields=fields)
    response = Response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/customers/<customer_id>/subject-access.json")
@roles_required(*PRIVACY_ROLES)
def subject_access_json(customer_id: str) -> Response:
    """Everything held about the customer as one JSON document (a download); audited."""
    export = _subject_access(customer_id, "JSON")
    safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", export.customer.id)
    name = f"subject-access-{safe_id}-{export.generated_time:%Y%m%d-%H%M%S}.json"
    response = Response(export.json_chunks(), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the privacy page ----------------------------------------------------------------------


def _filters() -> PrivacyFilterForm:
    return PrivacyFilterForm(request.args)


@bp.get("/privacy")
@roles_required(*PRIVACY_ROLES)
def index() -> Response:
    """Requests to be forgotten, newest first, filtered and paged by key ("Older"); the shown
    requests whose outcome is unknown are checked with the backend first."""
    queue = None if htmx.is_htmx() else forget_proposals().open_queue()
    return REQUESTS.show(
        _filters(),
        CheckedRequests(privacy_log(), customer_service().check_forget_requests),
        queue=queue,
        four_eyes=four_eyes(),
    )


@bp.get("/privacy/reads")
@roles_required(*PRIVACY_ROLES)
def reads() -> Response:
    """Read-access events (who revealed which masked fields of whom, when, why), newest
    first, all or of one customer."""
    customer = (request.args.get("customer") or "").strip()[:40]
    events = read_access_log().newest(customer or None)
    return Response(
        render_template("privacy/reads.html", events=events, customer=customer, limit=200)
    )


@bp.get("/privacy.csv")
@roles_required(*PRIVACY_ROLES)
def export() -> Response:
    """Every request matching the filters as CSV, streamed row by row."""
    return REQUESTS.export(_filters(), privacy_log())


def csv_row(item: ForgetRequest) -> tuple[str, ...]:
    return (
        csv_time(item.requested_time),
        item.customer_id,
        item.requested_by,
        item.reason,
        item.backend,
        item.status,
        csv_time(item.completed_time),
        item.request_id or "",
        item.error or "",
    )


REQUESTS = ListPage(
    area="privacy",
    filter_keys=FILTER_KEYS,
    page_size_setting="PRIVACY_PAGE_SIZE",
    export_name="forget-requests",
    columns=CSV_COLUMNS,
    row=csv_row,
)

__all__ = ["PRIVACY_ROLES", "bp"]
