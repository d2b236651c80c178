"""The one sequence every inline change of a customer runs, whichever backend holds it:

1. read the customer as it is now (the local store: in a write transaction, the row locked;
   Digital River: a fresh, retried GET);
2. refuse if it asked to be forgotten (nothing about it may change any more);
3. refuse if it moved on from the version the change was based on (who changed what since);
4. let the operation check its own rules against what is there and make the change;
5. record it in the audit trail (the local store: in the same transaction; DR: once DR
   confirmed it, or the attempt as failed).

A backend provides steps 1 and 5 as ``open_change``; ``guarded`` adds steps 2 and 3 around
the operation's body, which is step 4."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from . import rules
from .actors import SYSTEM, Actor
from .audit import AuditLog, stale_version
from .customers import Customer
from .errors import CustomerForgotten, CustomerNotFound


@dataclass
class Change:
    """A change under way: the customer ``before`` it (None for a create), and ``after``
    once made."""

    before: Customer | None
    after: Customer | None = None

    @property
    def result(self) -> Customer:
        """The customer after the change (set by the backend, or by the operation)."""
        if self.after is None:  # pragma: no cover - every backend sets it or raises
            raise RuntimeError("the change was not completed")
        return self.after


C = TypeVar("C", bound=Change)


def refuse_unwritable(current: Customer, expected_version: int | None, audit: Any) -> Customer:
    """Steps 2 and 3: CustomerForgotten, or StaleVersion saying who changed what since."""
    if current.request_to_be_forgotten:
        raise CustomerForgotten()
    if expected_version is not None and current.version != expected_version:
        raise stale_version(audit, current.id, expected_version)
    return current


class GuardedChanges(ABC, Generic[C]):
    """Mixed into a backend's customer service."""

    audit: AuditLog | None

    @contextmanager
    def guarded(
        self,
        customer_id: str,
        expected_version: int | None,
        action: str,
        actor: Actor,
        *,
        reason_code: str | None = None,
        note: str | None = None,
    ) -> Iterator[C]:
        """``with self.guarded(…) as change:`` the operation's checks and writes; afterwards
        ``change.result`` is the customer as the change left it."""
        with self.open_change(
            customer_id, action, actor, reason_code=reason_code, note=note
        ) as change:
            if change.before is None:  # pragma: no cover - open_change reads it or raises
                raise CustomerNotFound(f"Customer '{customer_id}' not found.", parameter="id")
            refuse_unwritable(change.before, expected_version, self.audit)
            yield change

    def set_enabled(
        self,
        customer_id: str,
        enabled: bool,
        *,
        reason_code: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        """Enable or disable the customer, either with a reason (and a note for "other"),
        recorded in the audit trail. Re-disabling with a new reason is recorded too."""
        note = (note or "").strip() or None
        rules.raise_if(rules.disable_problems(enabled, reason_code, note))
        action = "customer.enable" if enabled else "customer.disable"
        with self.guarded(
            customer_id, expected_version, action, actor, reason_code=reason_code, note=note
        ) as change:
            self.write_enabled(customer_id, change, enabled)
        return change.result

    @abstractmethod
    def write_enabled(self, customer_id: str, change: C, enabled: bool) -> None:
        """Set the customer's ``enabled`` flag (and, where the backend answers with the
        customer, ``change.after``)."""

    @abstractmethod
    def open_change(
        self,
        customer_id: str,
        action: str,
        actor: Actor,
        *,
        reason_code: str | None,
        note: str | None,
    ) -> AbstractContextManager[C]:
        """Steps 1 and 5: yield the change with the customer as it is now; when the body is
        done, complete and record it (or, on an error, record what must be recorded)."""


__all__ = ["Change", "GuardedChanges", "refuse_unwritable"]
