"""An audit event's changes as staff read them: human field names and one short phrase each
("City: Leeds → York", "Phone: set to +44 …", "Metadata “crmId”: 42 removed").

A forgotten customer's earlier events keep which fields changed but none of the values (see
services/forget.py): such a change says "erased", or "kept" for the fields the erasure leaves on
the customer (type, locale, the flags, the default source, the sources' card details)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..services.audit import FieldChange
from ..services.field_names import label

FORGET_ACTION = "customer.forget"
# The fields the erasure leaves on the customer (services/forget.py), by path or prefix.
KEPT_FIELDS = frozenset({"type", "locale", "enabled", "requestToBeForgotten", "defaultSourceId"})
KEPT_PREFIXES = ("sources.",)
# Fields that name one entry of a list: an entry is added or removed, not set or cleared.
ENTRY_PREFIXES = ("sources.", "taxIdentifiers.", "taxCertificates.", "metadata.")


@dataclass(frozen=True)
class ChangeLine:
    label: str
    text: str
    # "changed", "set", "removed", "kept" or "erased" (the page styles the last two).
    kind: str


def change_line(change: FieldChange, action: str = "") -> ChangeLine:
    """One change in words."""
    name = label(change.field)
    before, after = change.before, change.after
    if before is None and after is None:
        if action == FORGET_ACTION and change.field == "requestToBeForgotten":
            return ChangeLine(name, "set to yes", "set")
        kept = action != FORGET_ACTION and (
            change.field in KEPT_FIELDS or change.field.startswith(KEPT_PREFIXES)
        )
        if kept:
            return ChangeLine(name, "kept on the customer", "kept")
        return ChangeLine(name, "erased", "erased")
    entry = change.field.startswith(ENTRY_PREFIXES)
    if before is None:
        return ChangeLine(name, f"{after} added" if entry else f"set to {after}", "set")
    if after is None:
        return ChangeLine(name, f"{before} removed", "removed")
    return ChangeLine(name, f"{before} → {after}", "changed")


def readable_changes(changes: Iterable[FieldChange], action: str = "") -> list[ChangeLine]:
    """Each change of an event in words, in the recorded order."""
    return [change_line(change, action) for change in changes]


def change_text(change: FieldChange, action: str = "") -> str:
    """One change as a line of text ("City: Leeds → York")."""
    line = change_line(change, action)
    return f"{line.label}: {line.text}"
