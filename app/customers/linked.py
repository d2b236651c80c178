"""The customer page's linked-customers panel (``services.links``): who shares an email,
phone, address, card, tax identifier or device with the customer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from flask import Response, current_app, render_template

from .. import htmx
from ..context import customer_service
from ..services.customers import Customer
from ..services.errors import BackendRefused, BackendUnavailable
from ..services.links import COUNT_CAP
from ..services.masking import mask_code, mask_email, mask_phone, mask_words
from ..web.masking import masks_personal_data, revealed, shown_summaries
from .blueprint import bp

# How a group names what is shared, for a viewer who sees this customer masked.
MASKED_LINK = {
    "email": mask_email,
    "phone": mask_phone,
    "address": mask_words,
    "card": str,  # brand, last four and expiry are what every role sees
    "tax_id": mask_code,
    "metadata": mask_words,
}


# The reasons as a sentence names them ("email, phone and card").
REASON_WORDS = {
    "email": "email",
    "phone": "phone",
    "address": "shipping address",
    "card": "cards",
    "tax_id": "tax identifiers",
    "metadata": "device and metadata values",
}


@bp.app_template_global()
def links_reason_list(reasons: Iterable[str]) -> str:
    words = [REASON_WORDS[r] for r in reasons]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


@bp.app_template_global()
def linked_count(total: int, cap: int = COUNT_CAP) -> str:
    """ "1 other customer", "12 other customers", "More than 1,000 other customers"."""
    if total > cap:
        return f"More than {cap:,} other customers"
    return f"{total:,} other customer{'' if total == 1 else 's'}"


def linked_context(customer: Customer) -> dict[str, Any]:
    """The linked-customers panel's ``links`` (members masked for the roles that see personal
    data masked), or None with ``links_error`` while the backend fails: the page (and a
    change that went through) must not fail on this aside; the panel offers a retry."""
    try:
        found = customer_service().linked(
            customer, metadata_keys=current_app.config["LINK_METADATA_KEYS"]
        )
    except (BackendUnavailable, BackendRefused) as error:
        return {"links": None, "links_error": error.message}
    if masks_personal_data():
        own = revealed(customer.id)
        found = replace(
            found,
            groups=tuple(
                replace(
                    g,
                    shown=g.shown if own else MASKED_LINK[g.reason](g.shown),
                    members=tuple(shown_summaries(g.members)),
                )
                for g in found.groups
            ),
        )
    return {"links": found}


@bp.get("/customers/<customer_id>/linked")
def linked(customer_id: str) -> Response:
    """The linked-customers panel alone (its retry, and what the benchmark times)."""
    customer = customer_service().get(customer_id)
    body = render_template("customers/_linked.html", customer=customer, **linked_context(customer))
    return htmx.vary(Response(body))
