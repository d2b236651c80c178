"""An edit refused because someone else changed the customer since the form was opened: what
they changed and what the agent changed, field by field, and the form made ready to apply the
agent's changes on top of the newer version."""

from __future__ import annotations

from dataclasses import dataclass

from ..services.customers import Customer
from ..services.errors import StaleVersion
from ..services.field_names import label
from .customer_form import EDITED_FIELDS, CustomerForm, customer_values

# What the audit trail notes about a save made from a conflict's answer.
APPLIED_AFTER_CONFLICT = "Applied on top of a newer version after an edit conflict."


@dataclass(frozen=True)
class ConflictRow:
    """One field either side changed: ``kind`` is ``both`` (a clash: each changed it, to
    different values), ``same`` (each made the same change), ``theirs`` or ``yours``."""

    field: str
    label: str
    theirs: str
    yours: str
    kind: str

    @property
    def who(self) -> str:
        return {
            "both": "Both changed it",
            "same": "Both made the same change",
            "theirs": "Only they changed it",
            "yours": "Only you changed it",
        }[self.kind]


@dataclass(frozen=True)
class EditConflict:
    """Who changed the customer since the form was opened, when, and the fields at stake."""

    changed_by: str | None
    changed_at: object
    rows: tuple[ConflictRow, ...]

    @property
    def clashes(self) -> int:
        return sum(1 for row in self.rows if row.kind == "both")

    @property
    def summary(self) -> str:
        """``olivia changed this customer at 2026-… UTC``: as much as is known."""
        if self.changed_by and self.changed_at is not None:
            return (
                f"{self.changed_by} changed this customer at {self.changed_at:%Y-%m-%d %H:%M} UTC"
            )
        return "Someone else changed this customer since you opened it"


def _order(path: str) -> tuple[int, str]:
    """The form's order: its fields first, then metadata keys alphabetically."""
    positions = list(EDITED_FIELDS)
    return (positions.index(path), "") if path in positions else (len(positions), path)


def resolve(form: CustomerForm, current: Customer, refusal: StaleVersion) -> EditConflict:
    """Compare what the form was based on, what is stored now and what was typed; make the form
    show the stored version with the agent's changes on top (each field only they changed
    takes their value), based on the version stored now. Without a base the form can vouch
    for (an old or altered form), the fields the audit trail says changed count as theirs and
    every field typed otherwise as the agent's."""
    now = customer_values(current)
    typed = form.values()
    base = form.based_on()
    rows = []
    for path in sorted(set(now) | set(typed) | set(base or {}), key=_order):
        theirs, yours = now.get(path, ""), typed.get(path, "")
        if base is not None:
            they_changed = base.get(path, "") != theirs
            you_changed = base.get(path, "") != yours
        else:
            they_changed = path in refusal.fields
            you_changed = yours != theirs
        if not (they_changed or you_changed):
            continue
        if they_changed and you_changed:
            kind = "same" if theirs == yours else "both"
        elif they_changed:
            kind = "theirs"
            form.show_value(path, theirs)
        else:
            kind = "yours"
        rows.append(ConflictRow(path, label(path), theirs, yours, kind))
    form.version.data = str(current.version)
    form.sign_base(now)
    form.resolving.data = "1"
    form.offer_current(current)
    return EditConflict(refusal.changed_by, refusal.changed_at, tuple(rows))
