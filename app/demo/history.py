"""The seeded customers' past: audit events that agree with their rows, so that a customer's
activity timeline is not empty and its version is what its events say.

A customer was created (by the system: an import), and may since have been edited by an
agent (30%: one to three edits of its email, phone, address, locale, type or metadata),
disabled by the fraud team with a reason (the disabled ones), and erased at its request by
the privacy team (the forgotten ones: their personal data is gone, their earlier events keep
only field names, and a request to be forgotten records it). The customer's version counts
those changes, and the latest event's ``version_after`` equals it.

The history is walked backwards from the customer as generated: each edit's "after" is the
value the edit left, its "before" a value drawn from the same pools, and the create event
holds what remains once every edit is undone.

Events cost rows (a create event carries every field). Every disable and forget event is
written; the create and edit events of a load of many customers only for a share of them
(``history_share``, set by the loader), the others having a version and updated time but no
recorded past.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from ..services.customers import SUPPORTED_LOCALES, source_name
from .contact import phone, pick, street
from .pools import LocalePool
from .rows import (
    AUDIT_COLUMNS,
    FALSE,
    SHIPPING_COLUMNS,
    TRUE,
    Batch,
    C,
    parse_timestamp,
    timestamp,
)

SHIPPING_FIELDS = {
    "ship_name": "shipping.name",
    "ship_phone": "shipping.phone",
    "ship_email": "shipping.email",
    "ship_organization": "shipping.organization",
    "addr_line1": "shipping.address.line1",
    "addr_line2": "shipping.address.line2",
    "addr_city": "shipping.address.city",
    "addr_postal_code": "shipping.address.postalCode",
    "addr_state": "shipping.address.state",
    "addr_country": "shipping.address.country",
    "addr_neighborhood": "shipping.additionalAddressInfo.neighborhood",
    "addr_division": "shipping.additionalAddressInfo.division",
    "addr_phonetic_name": "shipping.additionalAddressInfo.phoneticName",
}
DISABLE_REASONS = (
    ("suspected_fraud", 40),
    ("chargeback", 25),
    ("customer_request", 15),
    ("account_takeover", 10),
    ("other", 10),
)
OTHER_NOTES = (
    "Duplicate account",
    "Reseller account closed",
    "Payment dispute under review",
    "Asked by the merchant's compliance team",
)
EDITED = 0.3  # share of customers edited since they were created
EDITABLE = ("email", "ship_phone", "addr_line1", "locale", "type")
Fields = dict[str, str | None]


def snapshot(row: list[Any], sources: list, tax_ids: list, certificates: list) -> Fields:
    """The customer as the audit trail names its fields (``audit.customer_fields``)."""
    fields: Fields = {
        "email": row[C["email"]],
        "type": row[C["type"]],
        "locale": row[C["locale"]],
        "enabled": "yes",
        "requestToBeForgotten": "no",
        "defaultSourceId": None,
    }
    for column in SHIPPING_COLUMNS:
        fields[SHIPPING_FIELDS[column]] = row[C[column]]
    for key, value in json.loads(row[C["metadata"]] or "{}").items():
        fields[f"metadata.{key}"] = value
    for source_id, brand, last_four, month, year in sources:
        name = source_name("creditCard", brand, last_four, month, year)
        fields[f"sources.{source_id}"] = f"{name} (chargeable)"
        if source_id == row[C["default_source_id"]]:
            fields["defaultSourceId"] = name
    for kind, value in tax_ids:
        fields[f"taxIdentifiers.{kind}"] = value
    for index, (company, authority, start, end) in enumerate(certificates):
        fields[f"taxCertificates.{index}"] = f"{company} ({authority}, {start.date()}–{end.date()})"
    return {k: v for k, v in fields.items() if v not in (None, "")}


class History:
    def __init__(self, rng: random.Random, now: dt.datetime, share: float) -> None:
        self.rng = rng
        self.now = now
        self.share = share
        self.reasons = [code for code, weight in DISABLE_REASONS for _ in range(weight)]

    def times(self, created_time: str, count: int) -> list[str]:
        created = parse_timestamp(created_time)
        span = (self.now - created).total_seconds()
        r = self.rng.random
        moments = sorted(created + dt.timedelta(seconds=1 + r() * (span - 1)) for _ in range(count))
        return [timestamp(m) for m in moments]

    def write(
        self,
        batch: Batch,
        row: list[Any],
        pool: LocalePool,
        sources: list,
        tax_ids: list,
        certificates: list,
    ) -> None:
        """Set the row's version and updated time from its history; add the events that are
        recorded (and, for a forgotten customer, erase the row and record the request)."""
        r = self.rng.random
        edits = 1 + int(r() * 3) if r() < EDITED else 0
        if edits and not any(row[C[k]] for k in EDITABLE):
            edits = 0
        disabled = row[C["enabled"]] == FALSE
        forgotten = row[C["request_to_be_forgotten"]] == TRUE
        recorded = r() < self.share
        changes = edits + disabled + forgotten
        if not changes and not recorded:
            return
        times = self.times(row[C["created_time"]], changes)
        row[C["version"]] = 1 + changes
        row[C["updated_time"]] = times[-1] if times else None
        events: list[list[Any]] = []
        fields = snapshot(row, sources, tax_ids, certificates) if recorded or forgotten else {}
        if recorded:
            events += self.past(row, pool, fields, times[:edits])
        if disabled:
            events.append(self.disable(row, times[edits], 1 + edits + 1))
        if forgotten:
            events = self.forget(batch, row, fields, events, times[-1])
        batch.audit_events.extend(tuple(e) for e in events)

    @staticmethod
    def event(
        row: list[Any],
        when: str,
        actor: str,
        action: str,
        changes: list[dict[str, Any]],
        version: int,
        reason: str | None = None,
        note: str | None = None,
    ) -> list[Any]:
        """An audit event of the customer, in the column order of ``rows.AUDIT_COLUMNS``."""
        changes.sort(key=lambda c: c["field"])
        encoded = json.dumps(changes) if changes else None
        customer_id = row[C["id"]]
        return [when, None, actor, action, customer_id, "succeeded", "local", reason, note] + [
            encoded,
            version,
            None,
            None,
        ]

    def past(self, row: list[Any], pool: LocalePool, fields: Fields, times: list[str]) -> list:
        """The create event and the edits, oldest first; undoes the edits on ``fields``."""
        state = dict(fields)
        edits = []
        for version, when in reversed(list(enumerate(times, start=2))):
            action, changes = self.edit(state, pool)
            edits.append(self.event(row, when, "agent", action, changes, version))
        created = [{"field": k, "before": None, "after": v} for k, v in state.items()]
        when = row[C["created_time"]]
        create = self.event(row, when, "system", "customer.create", created, 1)
        return [create, *reversed(edits)]

    def edit(self, state: Fields, pool: LocalePool) -> tuple[str, list]:
        """One edit that left ``state`` as it is: its action and changes; ``state`` becomes
        what it was before."""
        for _ in range(4):  # an edit that would change nothing is drawn again
            action, befores = self.edit_of(state, pool)
            changes = []
            for key, before in befores.items():
                after = state.get(key)
                if before == after:
                    continue
                changes.append({"field": key, "before": before, "after": after})
                if before is None:
                    state.pop(key, None)
                else:
                    state[key] = before
            if changes:
                break
        return action, changes

    def edit_of(self, state: Fields, pool: LocalePool) -> tuple[str, Fields]:
        """An edit's action and the values of the fields before it. Edits of the email,
        phone, address, locale and type change a value (the field stays), so a customer
        with one of them can be edited any number of times."""
        r = self.rng.random
        metadata = [k for k in state if k.startswith("metadata.")]
        kinds = [k for k in ("email", "shipping.phone", "locale", "type") if k in state]
        kinds += ["move"] * ("shipping.address.line1" in state) + ["metadata"] * bool(metadata)
        kind = pick(r, kinds or ["locale"])
        if kind == "metadata":
            return "metadata.update", {pick(r, metadata): None}
        if kind == "move":
            city, state_code, postcode = pick(r, pool.places)
            return "customer.update", {
                "shipping.address.line1": street(r, pool),
                "shipping.address.line2": None,
                "shipping.address.city": city,
                "shipping.address.postalCode": postcode,
                "shipping.address.state": state_code,
            }
        if kind == "email":
            local, _, domain = (state["email"] or "").partition("@")
            others = [d for d in pool.email_domains if d != domain] or ["example.net"]
            return "customer.update", {"email": f"{local}@{pick(r, others)}"}
        if kind == "shipping.phone":
            return "customer.update", {kind: phone(r, pool)[0]}
        if kind == "type":
            return "customer.update", {
                "type": ("individual", "business")[state["type"] == "individual"]
            }
        others = [loc for loc in SUPPORTED_LOCALES if loc != state.get("locale")]
        return "customer.update", {"locale": pick(r, others)}

    def disable(self, row: list[Any], when: str, version: int) -> list:
        r = self.rng.random
        reason = pick(r, self.reasons)
        note = pick(r, OTHER_NOTES) if reason == "other" else None
        if note is None and r() < 0.4:
            note = f"Ticket FRD-{int(r() * 90000) + 10000}"
        changes = [{"field": "enabled", "before": "yes", "after": "no"}]
        return self.event(row, when, "fraud", "customer.disable", changes, version, reason, note)

    def forget(self, batch: Batch, row: list[Any], fields: Fields, events: list, when: str) -> list:
        """Erase the row as a request to be forgotten does; strip the values (and notes)
        from the earlier events; record the request and its event."""
        changes_at, note_at = AUDIT_COLUMNS.index("changes"), AUDIT_COLUMNS.index("note")
        for event in events:
            if event[changes_at] is not None:
                names = [c["field"] for c in json.loads(event[changes_at])]
                stripped = [{"field": n, "before": None, "after": None} for n in names]
                event[changes_at] = json.dumps(stripped)
            event[note_at] = None
        erased = [k for k in fields if k in ("email",) or k.startswith(("shipping.", "metadata."))]
        changes = [{"field": n, "before": None, "after": None} for n in erased]
        changes.append({"field": "requestToBeForgotten", "before": None, "after": None})
        reason = f"PRIV-{when[:4]}-{int(self.rng.random() * 9000) + 1000}"
        version = row[C["version"]]
        event = self.event(row, when, "privacy", "customer.forget", changes, version, note=reason)
        for column in ("email", "email_lower", "metadata", *SHIPPING_COLUMNS):
            row[C[column]] = None
        row[C["search_text"]] = ""
        batch.forget_requests.append(
            (row[C["id"]], "privacy", None, when, reason, "local", "erased", when, None, None)
        )
        return [*events, event]
