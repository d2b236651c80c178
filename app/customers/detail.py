"""The customer page, and the download of a tax certificate's file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from flask import Response, abort, send_file

from ..auth.permissions import signed_in_staff
from ..context import audit_log, customer_service, recent_views
from ..services.customers import Customer, CustomerSummary, source_type_name
from ..services.errors import BackendRefused, BackendUnavailable
from ..services.geography import country_name
from ..services.rules import file_type, stored_file_name
from ..web.pages import page_or_fragment
from .blueprint import bp

bp.add_app_template_global(country_name, "country_name")
bp.add_app_template_global(source_type_name, "source_type_name")

FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def detail_context(
    customer: Customer, sharing: Sequence[CustomerSummary], inline: object = None
) -> dict[str, Any]:
    """What the detail page (or its #customer fragment) renders; without ``inline`` the page
    makes fresh inline forms."""
    audit = audit_log()
    context = {
        "customer": customer,
        "sharing": sharing,
        "timeline": audit.for_customer(customer.id),
        "disabled_event": None
        if customer.enabled
        else audit.latest(customer.id, "customer.disable"),
        # The customer was just read: an unknown request's outcome is settled by it.
        "forget_request": customer_service().check_forget(customer.id, customer=customer),
    }
    if inline is not None:
        context["inline"] = inline
    return context


def sharing_if_available(customer: Customer) -> Sequence[CustomerSummary]:
    """The other customers with this email; none while the backend fails (after a change,
    which went through, the page must not fail on this aside)."""
    try:
        return customer_service().sharing_email(customer)
    except (BackendUnavailable, BackendRefused):
        return ()


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
        **detail_context(customer, service.sharing_email(customer)),
    )


@bp.get("/customers/<customer_id>/files/<file_id>")
def download_file(customer_id: str, file_id: str) -> Response:
    """Download a file of one of the customer's tax certificates."""
    service = customer_service()
    customer = service.get(customer_id)
    if file_id not in {c.file_id for c in customer.tax_certificates}:
        abort(404)
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
