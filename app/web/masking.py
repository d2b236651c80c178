"""Which staff see personal data masked, and which customers they revealed in this session
(services/masking.py masks; services/reads.py records the reveals)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, session

from ..auth.permissions import can
from ..services.customers import Customer, CustomerSummary
from ..services.masking import mask_customer, mask_summary

REVEALED = "desk_revealed"
REVEAL_REASON = "desk_reveal_reason"
# A session remembers this many revealed customers (the oldest is masked again beyond).
MAX_REVEALED = 50


def masks_personal_data() -> bool:
    """Whether the signed-in staff member's roles see personal data masked."""
    return not can(*current_app.config["UNMASKED_ROLES"])


def revealed(customer_id: str) -> bool:
    return customer_id in session.get(REVEALED, ())


def session_reason() -> str | None:
    """The reason given at this session's first reveal (later reveals reuse it)."""
    return session.get(REVEAL_REASON)


def remember_reveal(customer_id: str, reason: str) -> None:
    ids = [i for i in session.get(REVEALED, ()) if i != customer_id] + [customer_id]
    session[REVEALED] = ids[-MAX_REVEALED:]
    session[REVEAL_REASON] = reason


def shown_customer(customer: Customer) -> Customer:
    """The customer as this staff member may see it now."""
    if masks_personal_data() and not revealed(customer.id):
        return mask_customer(customer)
    return customer


def shown_summaries(items: Sequence[CustomerSummary]) -> list[CustomerSummary]:
    if not masks_personal_data():
        return list(items)
    return [item if revealed(item.id) else mask_summary(item) for item in items]
