"""The detail page's inline changes of state, payment sources and metadata (each answered as
``changes`` describes); the search row's enable/disable toggle."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, redirect, render_template, request, url_for

from .. import htmx
from ..auth.permissions import EDITORS, current_actor, roles_required
from ..context import customer_service
from ..fraud import actions as fraud_actions
from ..services.customers import Customer, CustomerUpdate, Source
from ..services.errors import StaleVersion
from ..web.masking import shown_customer
from .blueprint import bp
from .changes import button_change, inline_change, section_again
from .section_forms import (
    AttachSourceForm,
    DisableForm,
    EnableForm,
    MetadataForm,
    inline_forms,
)

SOURCE_FIELDS = {"sourceId": "source_id"}

bp.add_app_template_global(inline_forms, "inline_forms")


@bp.app_template_global()
def source_label(source: Source) -> str:
    """How a source is named on buttons and in messages: "Visa •••• 4242 · 04/30"."""
    return source.display_name


def source_name(customer: Customer | None, source_id: str) -> str:
    """The name of the customer's source ``source_id``; "Source <id>" when it has no such
    source."""
    for source in customer.sources if customer is not None else ():
        if source.id == source_id:
            return source.display_name
    return f"Source {source_id}"


def _place(form: DisableForm | EnableForm) -> str:
    return "row" if form.place.data == "row" else "detail"


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
        customer=shown_customer(customer),
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
    return inline_change(
        customer_id,
        "enabled",
        "disable",
        form,
        lambda: fraud_actions.disable(
            customer_id,
            reason_code=form.reason.data,
            note=form.note.data or None,
            review_by=form.review_by(),
            expected_version=form.expected_version(),
            actor=current_actor(),
        ),
        done=_disabled_message(form),
        fields={"reason": "reason", "note": "note", "review": "review", "review_on": "review_on"},
        place=place,
    )


@bp.post("/customers/<customer_id>/enable")
@roles_required("fraud")
def enable(customer_id: str) -> Response:
    """Enable the customer again."""
    form = EnableForm()
    place = _place(form)
    if place == "row":
        form.suffix_ids(customer_id)
    proposed: list[bool] = []

    def change() -> Customer:
        customer = customer_service().get(customer_id) if fraud_actions.four_eyes() else None
        if customer is not None and fraud_actions.needs_approval(customer):
            if form.expected_version() not in (None, customer.version):
                raise StaleVersion()
            fraud_actions.propose_enable(
                customer_id,
                reason_code=form.reason.data,
                note=form.note.data or None,
                actor=current_actor(),
            )
            proposed.append(True)
            return customer
        return fraud_actions.enable(
            customer_id,
            reason_code=form.reason.data,
            note=form.note.data or None,
            expected_version=form.expected_version(),
            actor=current_actor(),
        )

    def done(customer: Customer) -> str:
        if proposed:
            return (
                f"Proposed to enable customer {customer_id}: it stays disabled until a second "
                "fraud officer approves it."
            )
        return f"Customer {customer_id} enabled."

    return inline_change(
        customer_id,
        "enabled",
        "enable",
        form,
        change,
        done=done,
        fields={"reason": "reason", "note": "note"},
        place=place,
    )


def _disabled_message(form: DisableForm) -> Callable[[Customer], str]:
    def done(customer: Customer) -> str:
        review_by = form.review_by()
        if review_by is not None:
            return (
                f"Customer {customer.id} disabled; the block is to be reviewed by "
                f"{review_by:%Y-%m-%d}."
            )
        return f"Customer {customer.id} disabled."

    return done


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
    return inline_change(
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
        done=lambda customer: f"{source_name(customer, form.source_id.data or '')} attached.",
        fields=SOURCE_FIELDS,
    )


@bp.post("/customers/<customer_id>/sources/<source_id>/detach")
@roles_required(*EDITORS)
def detach_source(customer_id: str, source_id: str) -> Response:
    """Detach a source, which cancels it for good."""
    # A detached source leaves the customer: it is named from the customer as it was.
    named = {"name": f"Source {source_id}"}

    def detach(version: int | None) -> Customer:
        service = customer_service()
        named["name"] = source_name(service.get(customer_id), source_id)
        return service.detach_source(
            customer_id, source_id, expected_version=version, actor=current_actor()
        )

    return button_change(
        customer_id,
        "sources",
        "attach",
        AttachSourceForm,
        detach,
        done=lambda customer: _after_source_change(
            f"{named['name']} detached; it is cancelled for good."
        )(customer),
    )


@bp.post("/customers/<customer_id>/sources/<source_id>/default")
@roles_required(*EDITORS)
def set_default_source(customer_id: str, source_id: str) -> Response:
    """Make one of the customer's sources the default."""
    return button_change(
        customer_id,
        "sources",
        "attach",
        AttachSourceForm,
        lambda version: customer_service().set_default_source(
            customer_id, source_id, expected_version=version, actor=current_actor()
        ),
        done=lambda customer: f"{source_name(customer, source_id)} is now the default.",
    )


@bp.post("/customers/<customer_id>/metadata")
@roles_required(*EDITORS)
def update_metadata(customer_id: str) -> Response:
    """Save the metadata rows (an empty value removes the key); "Add row" only adds a row."""
    form = MetadataForm()
    if "add_row" in request.form:
        added = form.add_blank_row()
        form.keep_open = True
        return section_again(customer_id, "metadata", "metadata", form, 200 if added else 422)
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

    return inline_change(
        customer_id,
        "metadata",
        "metadata",
        form,
        change,
        done=lambda _customer: outcome["message"],
        fields={"metadata": "metadata", "metadata.": "metadata"},
    )
