"""Throttled sign-in: failures counted per account and per client address, in the database, so
that every app server on it counts the same.

After ``limit`` failures within ``window`` a key is locked for ``base_delay``, doubling with
every further failure up to ``max_delay``. While either key of an attempt is locked the attempt
is refused without checking the password (the same answer whether the account exists or not,
and whether the password was right). A successful sign-in clears the account's count."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .local.db import make_session_factory, write_session
from .local.models import SignInThrottleRow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ThrottlePolicy:
    account_limit: int = 5
    address_limit: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    base_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the account name typed and the client's address."""

    username: str
    address: str

    @property
    def keys(self) -> tuple[str, str]:
        return (f"user:{self.username.strip().lower()[:64]}", f"addr:{self.address[:64]}")


@dataclass(frozen=True)
class Lockout:
    """A key that just became locked (for the audit trail)."""

    key: str
    failures: int
    until: dt.datetime


class SignInThrottle:
    def __init__(self, engine: Engine, policy: ThrottlePolicy | None = None) -> None:
        self._sessions = make_session_factory(engine)
        self.policy = policy or ThrottlePolicy()

    def retry_after(self, attempt: Attempt) -> int | None:
        """Seconds until ``attempt`` may be tried, or None when it may be tried now."""
        now = _now()
        with self._sessions() as session:
            rows = session.scalars(
                select(SignInThrottleRow).where(SignInThrottleRow.key.in_(attempt.keys))
            ).all()
        waits = [(r.locked_until - now).total_seconds() for r in rows if r.locked_until]
        longest = max((w for w in waits if w > 0), default=0.0)
        return math.ceil(longest) if longest > 0 else None

    def failed(self, attempt: Attempt) -> list[Lockout]:
        """Count a failed attempt on both keys; the keys that it locked."""
        try:
            return self._failed(attempt)
        except IntegrityError:
            # Another server counted the first failure of a key at the same moment (on
            # PostgreSQL); the row is there now.
            return self._failed(attempt)

    def _failed(self, attempt: Attempt) -> list[Lockout]:
        now = _now()
        locked: list[Lockout] = []
        with write_session(self._sessions) as session:
            for key, limit in zip(attempt.keys, self._limits(), strict=True):
                lockout = self._count(session, key, limit, now)
                if lockout is not None:
                    locked.append(lockout)
            session.commit()
        return locked

    def succeeded(self, attempt: Attempt) -> None:
        """Forget the account's failures (the address keeps its count: one good password
        does not vouch for a client trying many accounts)."""
        with write_session(self._sessions) as session:
            row = session.get(SignInThrottleRow, attempt.keys[0])
            if row is not None:
                session.delete(row)
            session.commit()

    def _limits(self) -> Sequence[int]:
        return (self.policy.account_limit, self.policy.address_limit)

    def _count(self, session: Session, key: str, limit: int, now: dt.datetime) -> Lockout | None:
        row = session.get(SignInThrottleRow, key)
        if (
            row is None
            or row.first_failure_time < now - self.policy.window
            and not (row.locked_until and row.locked_until > now)
        ):
            if row is None:
                row = SignInThrottleRow(key=key, failures=0, first_failure_time=now)
                session.add(row)
            row.failures, row.first_failure_time, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures < limit:
            return None
        extra = row.failures - limit
        delay = min(self.policy.base_delay * (2 ** min(extra, 20)), self.policy.max_delay)
        row.locked_until = now + delay
        return Lockout(key, row.failures, row.locked_until)


__all__ = ["Attempt", "Lockout", "SignInThrottle", "ThrottlePolicy"]
