"""The customer page, and the download of a tax certificate's file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ..auth.permissions import current_actor, signed_in_staff
from ..context import (
    audit_log,
    customer_service,
    forget_proposals,
    read_access_log,
    recent_views,
)
from ..errors import render_error
from ..services.audit import AuditEvent
from ..services.customers import Customer, source_type_name
from ..services.errors import InvalidParameter
from ..services.field_names import label
from ..services.geography import country_name
from ..services.masking import mask_event, masked_fields
from ..services.rules import file_type, stored_file_name
from ..web.masking import (
    masks_personal_data,
    remember_reveal,
    revealed,
    session_reason,
    shown_customer,
)
from ..web.pages import page_or_fragment
from .blueprint import bp
from .linked import linked_context

bp.add_app_template_global(country_name, "country_name")
bp.add_app_template_global(source_type_name, "source_type_name")

FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def detail_context(customer: Customer, inline: object = None) -> dict[str, Any]:
    """What the detail page (or its #customer fragment) renders; without ``inline`` the page
    makes fresh inline forms. Personal data is masked for the roles that see it so, unless
    they revealed this customer in this session."""
    audit = audit_log()
    shown = shown_customer(customer)
    context = {
        "customer": shown,
        "masked": shown is not customer,
        "revealed_here": masks_personal_data() and revealed(customer.id),
        "masked_field_names": [label(f) for f in masked_fields(customer)],
        "reveal_reason": session_reason(),
        **linked_context(customer),
        "timeline": shown_events(audit.for_customer(customer.id), masked=shown is not customer),
        "disabled_event": None
        if customer.enabled
        else audit.latest(customer.id, "customer.disable"),
        # The customer was just read: an unknown request's outcome is settled by it.
        "forget_request": customer_service().check_forget(customer.id, customer=customer),
        "forget_proposal": forget_proposals().open_for(customer.id),
    }
    if inline is not None:
        context["inline"] = inline
    return context


def shown_events(events: Sequence[AuditEvent], *, masked: bool) -> Sequence[AuditEvent]:
    return tuple(mask_event(e) for e in events) if masked else events


@bp.get("/customers/<customer_id>")
def show(customer_id: str) -> Response:
    """Everything about one customer."""
    service = customer_service()
    customer = service.get(customer_id)
    staff = signed_in_staff()
    if staff is not None and not customer.request_to_be_forgotten:
        recent_views().record(staff.id, customer.id)
    return page_or_fragment(
        "customers/show.html",
        "customers/_detail.html",
        **detail_context(customer),
    )


@bp.post("/customers/<customer_id>/reveal")
def reveal(customer_id: str) -> Response:
    """Show a masked customer's personal data to this staff member for the rest of the
    session, recording who saw which fields, and why (asked once a session)."""
    service = customer_service()
    customer = service.get(customer_id)
    if masks_personal_data() and not revealed(customer.id):
        reason = (request.form.get("reason") or "").strip() or session_reason()
        try:
            read_access_log().record(
                customer.id, masked_fields(customer), reason=reason or "", actor=current_actor()
            )
        except InvalidParameter as error:
            body = render_template(
                "customers/show.html",
                **detail_context(customer),
                reveal_error=error.message,
            )
            return Response(body, status=422)
        remember_reveal(customer.id, reason or "")
        flash("Revealed for the rest of your session; the access is recorded.", "success")
    return redirect(url_for("customers.show", customer_id=customer.id), 303)


@bp.get("/customers/<customer_id>/files/<file_id>")
def download_file(customer_id: str, file_id: str) -> Response:
    """Download a file of one of the customer's tax certificates."""
    service = customer_service()
    customer = service.get(customer_id)
    if file_id not in {c.file_id for c in customer.tax_certificates}:
        abort(404)
    if masks_personal_data() and not revealed(customer.id):
        # A certificate names the company and its address: masked data, revealed first.
        return render_error(
            403, "Reveal this customer's personal data (on the customer page) to download it."
        )
    stored = service.get_file(file_id)
    # Named and typed by its content, whatever it was uploaded as (a PDF sent as cert.html
    # downloads as cert.pdf); content that is none of the three is served as plain bytes.
    kind = file_type(stored.content)
    response = send_file(
        io.BytesIO(stored.content),
        mimetype=FILE_TYPES.get(kind or "", "application/octet-stream"),
        as_attachment=True,
        download_name=stored_file_name(stored.file_name or file_id, kind or "bin"),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
