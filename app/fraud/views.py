"""The fraud page (fraud officers and admins): the review queue of blocks that are due, the
unblocks awaiting a second officer and the recent bulk blocks; a bulk block's preview, its
run and its outcomes, with a retry for the failures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import htmx
from ..auth.permissions import current_actor, roles_required
from ..context import batches, blocks, customer_service, unblock_proposals
from ..errors import render_error
from ..services.blocks import Block, run_batch
from ..services.customers import BLOCK_OUTCOMES, BULK_BLOCK_MAX, Customer, CustomerSummary
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
from ..services.unblocks import UnblockProposal
from ..web.masking import shown_summaries
from . import actions
from .forms import BlockForm, KeepForm, LiftForm

bp = Blueprint("fraud", __name__)

# Admins hold every role, so this is fraud officers and admins.
FRAUD_ROLES = ("fraud",)
QUEUE_LIMIT = 50
KEEP_DEFAULT_DAYS = 30

# How the preview sorts what was selected.
PREVIEW_KINDS = {
    "will_disable": "Will be disabled",
    "disabled": "Already disabled: skipped",
    "forgotten": "Forgotten: skipped",
    "not_found": "Not found: skipped",
}


@dataclass(frozen=True)
class Previewed:
    customer_id: str
    kind: str
    summary: CustomerSummary | None

    @property
    def label(self) -> str:
        return PREVIEW_KINDS[self.kind]


def _selected_ids() -> list[str]:
    """The customers a form selected, once each, in the order given."""
    return list(dict.fromkeys(i.strip() for i in request.form.getlist("ids") if i.strip()))


def preview_of(ids: Sequence[str]) -> list[Previewed]:
    """Each selected customer and what a bulk block would do to it (one read)."""
    found = customer_service().summaries(list(ids))
    shown = dict(zip(found, shown_summaries(list(found.values())), strict=True))
    rows = []
    for customer_id in ids:
        summary = found.get(customer_id)
        if summary is None:
            kind = "not_found"
        elif summary.request_to_be_forgotten:
            kind = "forgotten"
        elif not summary.enabled:
            kind = "disabled"
        else:
            kind = "will_disable"
        rows.append(Previewed(customer_id, kind, shown.get(customer_id)))
    return rows


def _back_to() -> str | None:
    """The page a form came from (``next``), when it is a path of this site."""
    back = request.form.get("next") or ""
    return back if back.startswith("/") and not back.startswith(("//", "/\\")) else None


def _preview_page(
    ids: Sequence[str], form: BlockForm, *, status: int = 200, problem: object = None
) -> Response:
    try:
        rows = preview_of(ids)
    except (BackendUnavailable, BackendRefused) as error:
        rows, problem = [], error
        status = 502 if isinstance(error, BackendRefused) else 503
    body = render_template(
        "fraud/preview.html",
        rows=rows,
        ids=ids,
        will=[r for r in rows if r.kind == "will_disable"],
        form=form,
        problem=problem,
        back=_back_to(),
        kinds=PREVIEW_KINDS,
        limit=BULK_BLOCK_MAX,
    )
    return htmx.vary(Response(body, status=status))


@bp.post("/fraud/block/preview")
@roles_required(*FRAUD_ROLES)
def preview() -> Response:
    """Exactly who a bulk block of the selected customers would disable, and the form that
    gives the reason."""
    ids = _selected_ids()
    form = BlockForm(formdata=None)
    if not ids:
        flash("Select the customers to block first.", "error")
        return redirect(_back_to() or url_for("fraud.index"), 303)
    if len(ids) > BULK_BLOCK_MAX:
        return _preview_page(
            ids[:BULK_BLOCK_MAX],
            form,
            status=422,
            problem=f"One bulk block disables at most {BULK_BLOCK_MAX} customers: only the "
            f"first {BULK_BLOCK_MAX} selected are previewed.",
        )
    return _preview_page(ids, form)


@bp.post("/fraud/block")
@roles_required(*FRAUD_ROLES)
def block() -> Response:
    """Run the bulk block: one batch, each customer's own audit event and outcome."""
    ids = _selected_ids()
    form = BlockForm()
    if not ids:
        return _preview_page(ids, form, status=422, problem="Nobody is selected to be disabled.")
    if not form.validate():
        return _preview_page(ids, form, status=422)
    try:
        batch_id = batches().start(
            ids,
            reason_code=form.reason.data,
            note=form.note.data or None,
            review_by=form.review_by(),
            actor=current_actor(),
            now=blocks().clock(),
        )
    except InvalidParameter as error:
        return _preview_page(ids, form, status=422, problem=error)
    _run(batch_id, ids)
    return redirect(url_for("fraud.batch", batch_id=batch_id), 303)


def _run(batch_id: str, ids: Sequence[str]) -> None:
    try:
        run_batch(customer_service(), batches(), blocks(), batch_id, ids, actor=current_actor())
    except (BackendUnavailable, BackendRefused) as error:
        flash(
            f"The bulk block did not finish: {error.message} The customers it did not reach "
            "are listed as not answered, with a retry.",
            "error",
        )


@bp.get("/fraud/batches/<batch_id>")
@roles_required(*FRAUD_ROLES)
def batch(batch_id: str) -> Response:
    """A bulk block's outcome, customer by customer."""
    try:
        found = batches().get(batch_id)
    except CustomerNotFound:
        return render_error(404, f"There is no bulk block {batch_id}.")
    try:
        names = customer_service().summaries([i.customer_id for i in found.items])
        summaries = dict(zip(names, shown_summaries(list(names.values())), strict=True))
    except (BackendUnavailable, BackendRefused):
        summaries = {}
    body = render_template(
        "fraud/batch.html", batch=found, summaries=summaries, outcome_labels=BLOCK_OUTCOMES
    )
    return htmx.vary(Response(body))


@bp.post("/fraud/batches/<batch_id>/retry")
@roles_required(*FRAUD_ROLES)
def retry(batch_id: str) -> Response:
    """Send the batch's failures (and anything never answered) again."""
    try:
        found = batches().get(batch_id)
    except CustomerNotFound:
        return render_error(404, f"There is no bulk block {batch_id}.")
    again = [i.customer_id for i in found.retryable]
    if not again:
        flash("Nothing in this bulk block failed: there is nothing to retry.", "info")
    else:
        _run(batch_id, again)
        after = batches().get(batch_id)
        left = len(after.retryable)
        if left:
            flash(f"Retried {len(again)}: {left} still failed.", "error")
        else:
            flash(f"Retried {len(again)}: every one is done now.", "success")
    return redirect(url_for("fraud.batch", batch_id=batch_id), 303)


# -- the review queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DueBlock:
    block: Block
    summary: CustomerSummary | None
    linked: int | None  # None: the count could not be read
    keep: KeepForm
    lift: LiftForm


def keep_form(block_id: int, *, formdata: object = None) -> KeepForm:
    """The keep form of one row of the queue (its fields named apart from the other rows')."""
    return KeepForm(formdata=formdata, prefix=f"keep-{block_id}")


def lift_form(block_id: int, *, formdata: object = None) -> LiftForm:
    return LiftForm(formdata=formdata, prefix=f"lift-{block_id}")


def _linked_count(customer_id: str) -> int | None:
    service = customer_service()
    try:
        customer = service.get(customer_id)
        return service.linked(
            customer, metadata_keys=current_app.config["LINK_METADATA_KEYS"]
        ).total
    except (BackendUnavailable, BackendRefused, CustomerNotFound, CustomerForgotten):
        return None


def _queue(
    failed: KeepForm | LiftForm | None, failed_id: int | None
) -> tuple[list[DueBlock], ServiceError | None]:
    due = blocks().due(limit=QUEUE_LIMIT)
    keep_until = blocks().today() + dt.timedelta(days=KEEP_DEFAULT_DAYS)
    problem = None
    try:
        found = customer_service().summaries([b.customer_id for b in due]) if due else {}
        summaries = dict(zip(found, shown_summaries(list(found.values())), strict=True))
    except (BackendUnavailable, BackendRefused) as error:
        summaries, problem = {}, error
    rows = [
        DueBlock(
            b,
            summaries.get(b.customer_id),
            _linked_count(b.customer_id) if problem is None else None,
            failed
            if isinstance(failed, KeepForm) and failed_id == b.id
            else _keep(b.id, keep_until),
            failed if isinstance(failed, LiftForm) and failed_id == b.id else lift_form(b.id),
        )
        for b in due
    ]
    return rows, problem


def _keep(block_id: int, until: dt.date) -> KeepForm:
    form = keep_form(block_id)
    form.until.data = until
    return form


def _index_page(
    *, status: int = 200, failed: KeepForm | LiftForm | None = None, failed_id: int | None = None
) -> Response:
    rows, problem = _queue(failed, failed_id)
    today = blocks().today()
    body = render_template(
        "fraud/index.html",
        rows=rows,
        problem=problem,
        due_total=blocks().count_due(),
        queue_limit=QUEUE_LIMIT,
        today=today,
        proposals=unblock_proposals().open_queue(),
        recent=batches().recent(10),
        four_eyes=actions.four_eyes(),
        failed_id=failed_id if failed is not None else None,
    )
    return htmx.vary(Response(body, status=status))


@bp.get("/fraud")
@roles_required(*FRAUD_ROLES)
def index() -> Response:
    """Blocks due for review, oldest first; unblocks awaiting a second officer; bulk blocks."""
    return _index_page()


def _block_or_404(block_id: int) -> Block:
    try:
        return blocks().get(block_id)
    except CustomerNotFound:
        abort(404)


@bp.post("/fraud/blocks/<int:block_id>/keep")
@roles_required(*FRAUD_ROLES)
def keep(block_id: int) -> Response:
    """Keep a block that is due: until a later date, saying why."""
    found = _block_or_404(block_id)
    form = keep_form(block_id, formdata=request.form)
    if form.validate():
        try:
            blocks().keep(
                block_id, until=form.until.data, note=form.note.data, actor=current_actor()
            )
        except InvalidParameter as error:
            target = form.until if error.parameter == "until" else form.note
            target.errors = [*target.errors, error.message]
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("fraud.index"), 303)
        else:
            flash(
                f"Customer {found.customer_id} stays blocked until {form.until.data:%Y-%m-%d}.",
                "success",
            )
            return redirect(url_for("fraud.index"), 303)
    return _index_page(status=422, failed=form, failed_id=block_id)


@bp.post("/fraud/blocks/<int:block_id>/lift")
@roles_required(*FRAUD_ROLES)
def lift(block_id: int) -> Response:
    """Lift a block that is due: enable the customer again, saying why (or, four-eyes being
    on for its reason, propose it to a second officer)."""
    found = _block_or_404(block_id)
    form = lift_form(block_id, formdata=request.form)
    if found.status != "open":
        flash(f"The block of customer {found.customer_id} was lifted already.", "info")
        return redirect(url_for("fraud.index"), 303)
    if not form.validate():
        return _index_page(status=422, failed=form, failed_id=block_id)
    note = form.note.data or None
    try:
        customer = customer_service().get(found.customer_id)
        if actions.needs_approval(customer):
            actions.propose_enable(
                customer.id, reason_code=form.reason.data, note=note, actor=current_actor()
            )
            flash(
                f"Proposed to enable customer {customer.id}: it stays blocked until a second "
                "fraud officer approves it.",
                "success",
            )
        else:
            actions.enable(
                customer.id,
                reason_code=form.reason.data,
                note=note,
                expected_version=customer.version,
                actor=current_actor(),
            )
            flash(f"Customer {customer.id} is enabled again; the block is lifted.", "success")
    except (Conflict, InvalidParameter, CustomerForgotten) as error:
        flash(f"The block was not lifted: {error.message}", "error")
    except (BackendUnavailable, BackendRefused) as error:
        flash(f"The block was not lifted: {error.message} Nothing changed; try again.", "error")
    return redirect(url_for("fraud.index"), 303)


# -- four-eyes unblocking -----------------------------------------------------------------------


@bp.post("/fraud/unblocks/<int:proposal_id>/approve")
@roles_required(*FRAUD_ROLES)
def approve(proposal_id: int) -> Response:
    """A second officer approves an unblock: the customer is enabled now, with the
    proposal's reason; if that fails the proposal is open again."""
    proposals = unblock_proposals()
    back = _back_to()
    try:
        proposal = proposals.get(proposal_id)
        proposals.decide(proposal_id, approve=True, actor=current_actor())
    except CustomerNotFound:
        return render_error(404, "There is no such unblock proposal.")
    except Conflict as error:
        flash(error.message, "error")
        return redirect(back or url_for("fraud.index"), 303)
    try:
        actions.enable(
            proposal.customer_id,
            reason_code=proposal.reason_code,
            note=proposal.note,
            expected_version=None,
            actor=current_actor(),
        )
    except (BackendUnavailable, BackendRefused, StaleVersion) as error:
        proposals.reopen(proposal_id)
        flash(
            f"The customer could not be enabled: {error.message} Nothing changed, so the "
            "proposal is open again: approve it once the backend is back.",
            "error",
        )
    except (Conflict, InvalidParameter, CustomerForgotten) as error:
        flash(f"Approved, but the customer was not enabled: {error.message}", "error")
    except Exception:
        proposals.reopen(proposal_id)
        raise
    else:
        flash(
            f"Approved {proposal.proposed_by}'s unblock: customer {proposal.customer_id} is "
            "enabled again.",
            "success",
        )
    return redirect(back or url_for("customers.show", customer_id=proposal.customer_id), 303)


@bp.post("/fraud/unblocks/<int:proposal_id>/reject")
@roles_required(*FRAUD_ROLES)
def reject(proposal_id: int) -> Response:
    """A second officer rejects an unblock, saying why; the customer stays disabled."""
    back = _back_to()
    try:
        proposal = unblock_proposals().decide(
            proposal_id, approve=False, actor=current_actor(), note=request.form.get("note")
        )
    except CustomerNotFound:
        return render_error(404, "There is no such unblock proposal.")
    except (Conflict, InvalidParameter) as error:
        flash(f"The unblock was not rejected: {error.message}", "error")
        return redirect(back or url_for("fraud.index"), 303)
    flash(f"Rejected the unblock of customer {proposal.customer_id}; it stays disabled.", "success")
    return redirect(back or url_for("fraud.index"), 303)


@bp.app_template_global()
def open_block(customer_id: str) -> Block | None:
    """The customer's open block (the customer page shows who blocked it and until when)."""
    return blocks().open_for(customer_id)


@bp.app_template_global()
def open_unblock(customer_id: str) -> UnblockProposal | None:
    return unblock_proposals().open_for(customer_id)


@bp.app_template_global()
def enable_needs_approval(customer: Customer) -> bool:
    return actions.needs_approval(customer)


@bp.app_template_global()
def disable_reason_of(customer_id: str) -> str | None:
    return actions.disable_reason(customer_id)


__all__ = ["FRAUD_ROLES", "bp"]
