"""Server-side sessions of staff members: what makes a cookie worth anything.

Signing in opens a session record and hands the browser a random token (inside the signed
Flask session cookie, and inside the remember-me cookie when asked for). Every request looks
the token up with the staff account in one query; the session is over when it was revoked
(signing out, a password change, the account disabled, "sign out everywhere"), when it was
idle too long (not for remember-me), or when its absolute lifetime ran out. A copied cookie
is worth nothing once its session is over. Only the token's SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, select, true, update

from .local.db import make_session_factory, read_connection
from .local.models import StaffRow, StaffSessionRow
from .staff import Staff, end_sessions, to_staff

# last_seen_time is written at most this often, so that a page view is not also a write.
TOUCH_EVERY = dt.timedelta(seconds=60)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta = dt.timedelta(minutes=30)
    lifetime: dt.timedelta = dt.timedelta(hours=12)
    remember: dt.timedelta = dt.timedelta(days=30)


@dataclass(frozen=True)
class Resumed:
    """A session that is still good: its staff member, and whether it is remembered."""

    staff: Staff
    token: str
    remembered: bool


class SessionStore:
    def __init__(self, engine: Engine, policy: SessionPolicy | None = None) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)
        self.policy = policy or SessionPolicy()

    def open(self, staff_id: int, *, remembered: bool) -> str:
        """A new session for ``staff_id``; the token for the browser."""
        now = _now()
        lifetime = self.policy.remember if remembered else self.policy.lifetime
        return self._insert(staff_id, remembered, now, now + lifetime)

    def _insert(
        self, staff_id: int, remembered: bool, created: dt.datetime, expires: dt.datetime
    ) -> str:
        token = secrets.token_urlsafe(32)
        with self._sessions() as session:
            session.add(
                StaffSessionRow(
                    id=_digest(token),
                    staff_id=staff_id,
                    remembered=remembered,
                    created_time=created,
                    last_seen_time=_now(),
                    expires_time=expires,
                )
            )
            session.commit()
        return token

    def resume(self, staff_id: int, token: str) -> Resumed | None:
        """The session's staff member when the session is still good (one indexed query, and
        a write only when last-seen is older than TOUCH_EVERY), else None."""
        now = _now()
        digest = _digest(token)
        with read_connection(self.engine) as connection:
            found = connection.execute(
                _RESUME, {"digest": digest, "staff_id": staff_id, "now": now}
            ).first()
        if found is None:
            return None
        if not found.remembered and found.last_seen_time < now - self.policy.idle:
            return None
        if found.last_seen_time < now - TOUCH_EVERY:
            with self._sessions() as session:
                session.execute(_TOUCH, {"digest": digest, "now": now})
                session.commit()
        return Resumed(to_staff(found), token, found.remembered)

    def rotate(self, staff_id: int, token: str) -> str | None:
        """Replace a remembered session by a new one with the same expiry (a remember-me
        cookie is used once); None when the old one is no longer good."""
        now = _now()
        with self._sessions() as session:
            record = session.get(StaffSessionRow, _digest(token))
            if (
                record is None
                or record.staff_id != staff_id
                or record.revoked_time is not None
                or record.expires_time <= now
            ):
                return None
            record.revoked_time = now
            created, expires, remembered = record.created_time, record.expires_time, True
            session.commit()
        return self._insert(staff_id, remembered, created, expires)

    def revoke(self, token: str) -> None:
        """End one session (signing out)."""
        with self._sessions() as session:
            session.execute(
                update(StaffSessionRow)
                .where(StaffSessionRow.id == _digest(token), StaffSessionRow.revoked_time.is_(None))
                .values(revoked_time=_now())
            )
            session.commit()

    def revoke_all(self, staff_id: int) -> int:
        """End every session of ``staff_id``; how many were open."""
        with self._sessions() as session:
            count = end_sessions(session, staff_id)
            session.commit()
            return count

    def open_count(self, staff_id: int) -> int:
        now = _now()
        with self._sessions() as session:
            rows = session.scalars(
                select(StaffSessionRow.id).where(
                    StaffSessionRow.staff_id == staff_id,
                    StaffSessionRow.revoked_time.is_(None),
                    StaffSessionRow.expires_time > now,
                )
            ).all()
            return len(rows)


_SESSIONS = StaffSessionRow.__table__.c
_STAFF = StaffRow.__table__.c
# The session with its staff account, when neither is over (built once).
_RESUME = (
    select(
        _STAFF.id,
        _STAFF.username,
        _STAFF.display_name,
        _STAFF.roles,
        _STAFF.active,
        _STAFF.created_time,
        _STAFF.last_login_time,
        _STAFF.must_change_password,
        _SESSIONS.remembered,
        _SESSIONS.last_seen_time,
    )
    .join_from(StaffSessionRow.__table__, StaffRow.__table__, _STAFF.id == _SESSIONS.staff_id)
    .where(
        _SESSIONS.id == bindparam("digest"),
        _SESSIONS.staff_id == bindparam("staff_id"),
        _SESSIONS.revoked_time.is_(None),
        _SESSIONS.expires_time > bindparam("now"),
        _STAFF.active == true(),
    )
)
_TOUCH = (
    update(StaffSessionRow.__table__)
    .where(_SESSIONS.id == bindparam("digest"))
    .values(last_seen_time=bindparam("now"))
)

__all__ = ["Resumed", "SessionPolicy", "SessionStore"]
