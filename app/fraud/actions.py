"""Disabling and enabling one customer with the fraud team's records kept alongside: the block
(its reason and review date) follows each disable, is lifted by each enable, and with
four-eyes unblocking on, enabling a customer blocked for fraud or account takeover becomes a
proposal for a second fraud officer."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from ..context import audit_log, blocks, customer_service, unblock_proposals
from ..services.actors import Actor
from ..services.customers import Customer
from ..services.unblocks import UnblockProposal, needs_second_officer

DISABLE_ACTION = "customer.disable"


def four_eyes() -> bool:
    return bool(current_app.config["UNBLOCK_FOUR_EYES"])


def disable_reason(customer_id: str) -> str | None:
    """Why the customer is disabled: its open block's reason, else the last disable's."""
    block = blocks().open_for(customer_id)
    if block is not None:
        return block.reason_code
    event = audit_log().latest(customer_id, DISABLE_ACTION)
    return event.reason_code if event is not None else None


def needs_approval(customer: Customer) -> bool:
    """Whether enabling ``customer`` is a proposal for a second officer, not done at once."""
    if not four_eyes() or customer.enabled:
        return False  # (and no lookup of why it was disabled)
    return needs_second_officer(customer.enabled, disable_reason(customer.id))


def disable(
    customer_id: str,
    *,
    reason_code: str,
    note: str | None,
    review_by: dt.date | None,
    expected_version: int | None,
    actor: Actor,
) -> Customer:
    """Disable the customer, then give it its block (reason, review date)."""
    customer = customer_service().set_enabled(
        customer_id,
        False,
        reason_code=reason_code,
        note=note,
        expected_version=expected_version,
        actor=actor,
    )
    blocks().record(
        customer_id, reason_code=reason_code, note=note, review_by=review_by, actor=actor
    )
    return customer


def enable(
    customer_id: str,
    *,
    reason_code: str,
    note: str | None,
    expected_version: int | None,
    actor: Actor,
) -> Customer:
    """Enable the customer again, then lift its block."""
    customer = customer_service().set_enabled(
        customer_id,
        True,
        reason_code=reason_code,
        note=note,
        expected_version=expected_version,
        actor=actor,
    )
    blocks().lift(customer_id, actor=actor, note=note)
    return customer


def propose_enable(
    customer_id: str, *, reason_code: str, note: str | None, actor: Actor
) -> UnblockProposal:
    """Four-eyes: record the proposal to enable the customer; nothing changes yet."""
    return unblock_proposals().propose(customer_id, reason_code=reason_code, note=note, actor=actor)


__all__ = ["disable", "disable_reason", "enable", "four_eyes", "needs_approval", "propose_enable"]
