"""The detail page's tax identifiers and tax-exemption certificates (each change answered as
``changes`` describes), and what an upload too large to read gets instead."""

from __future__ import annotations

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import htmx
from ..auth.permissions import EDITORS, can, current_actor, roles_required
from ..context import customer_service
from ..errors import render_error
from ..services.customers import TAX_CERTIFICATE_MAX_BYTES
from .blueprint import bp
from .changes import button_change, inline_change, section_again
from .section_forms import MB, TaxCertificateForm, TaxIdentifierForm

TAX_CERTIFICATE_FIELDS = {
    "taxCertificate.companyName": "company_name",
    "taxCertificate.taxAuthority": "tax_authority",
    "taxCertificate.startDate": "start_date",
    "taxCertificate.endDate": "end_date",
    "file": "file",
    "fileId": "file",
}


@bp.post("/customers/<customer_id>/tax-identifiers")
@roles_required(*EDITORS)
def add_tax_identifier(customer_id: str) -> Response:
    """Add a tax identifier (one per type)."""
    form = TaxIdentifierForm()
    return inline_change(
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
    return button_change(
        customer_id,
        "tax-identifiers",
        "tax_identifier",
        TaxIdentifierForm,
        lambda version: customer_service().remove_tax_identifier(
            customer_id, tax_identifier_id, expected_version=version, actor=current_actor()
        ),
        done="Tax identifier removed.",
    )


@bp.post("/customers/<customer_id>/tax-certificates")
@roles_required(*EDITORS)
def add_tax_certificate(customer_id: str) -> Response:
    """Upload a tax-exemption certificate and add it to the customer."""
    form = TaxCertificateForm()
    return inline_change(
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
    return section_again(
        customer_id, "tax-certificates", "tax_certificate", form, 422 if htmx.is_htmx() else 413
    )
