"""Staff accounts of the console: roles, argon2id password hashes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import rules
from .errors import Conflict, ErrorDetail, InvalidParameter, ServiceError
from .local.db import make_session_factory, write_session
from .local.models import StaffRow, StaffSessionRow
from .local.store import aware, utcnow

ROLES = ("viewer", "agent", "fraud", "privacy", "admin")
ROLE_LABELS = {
    "viewer": "Viewer (read-only)",
    "agent": "Support agent",
    "fraud": "Fraud analyst",
    "privacy": "Privacy officer",
    "admin": "Administrator",
}
MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 6
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    active: bool
    created_time: dt.datetime
    last_login_time: dt.datetime | None = None

    def has_any(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles.intersection(roles))


class StaffNotFound(ServiceError):
    default_code = "not_found"
    default_message = "No such staff account."


def _role_problems(roles: list[str]) -> list[ErrorDetail]:
    if roles and all(r in ROLES for r in roles):
        return []
    return [
        ErrorDetail(
            "invalid_parameter", f"Roles must be one or more of {', '.join(ROLES)}.", "roles"
        )
    ]


def to_staff(row: StaffRow) -> Staff:
    return Staff(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        roles=frozenset(r for r in row.roles.split() if r),
        active=row.active,
        created_time=aware(row.created_time),  # type: ignore[arg-type]
        last_login_time=aware(row.last_login_time),
    )


def end_sessions(session: Session, staff_id: int) -> int:
    """End every open session of ``staff_id`` in ``session``'s transaction (every cookie that
    carries one of them stops working); how many were open."""
    result = session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.staff_id == staff_id, StaffSessionRow.revoked_time.is_(None))
        .values(revoked_time=utcnow())
    )
    return result.rowcount or 0


def password_problems(password: str, username: str = "") -> list[ErrorDetail]:
    """What makes ``password`` too easy to guess: short, few distinct characters (such as
    ``aaaaaaaaaa`` or ``1212121212``), or the username in it."""
    message = None
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"Passwords need at least {MIN_PASSWORD_LENGTH} characters."
    elif len(set(password.lower())) < MIN_DISTINCT_CHARACTERS:
        message = (
            f"Use at least {MIN_DISTINCT_CHARACTERS} different characters; repeated "
            "characters and short patterns are guessed first."
        )
    elif username and len(username) >= 3 and username.lower() in password.lower():
        message = "A password must not contain the username."
    return [ErrorDetail("invalid_parameter", message, "password")] if message else []


class StaffService:
    """Create, authenticate and manage staff accounts."""

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self._sessions = make_session_factory(engine)
        self._hasher = hasher or PasswordHasher()
        # Verified against when the username is unknown, so timing does not tell.
        self._dummy_hash = self._hasher.hash("not-a-real-password")

    def create(
        self, username: str, password: str, roles: Iterable[str], display_name: str | None = None
    ) -> Staff:
        username = username.strip().lower()
        role_set = sorted(set(roles))
        problems: list[ErrorDetail] = []
        if not _USERNAME.match(username):
            problems.append(
                ErrorDetail(
                    "invalid_parameter",
                    "Usernames are 2–63 lower-case letters, digits, '.', '_' or '-'.",
                    "username",
                )
            )
        problems += password_problems(password, username)
        problems += _role_problems(role_set)
        if problems:
            raise InvalidParameter(errors=problems)
        with self._sessions() as session:
            row = StaffRow(
                username=username,
                display_name=(display_name or username).strip(),
                password_hash=self._hasher.hash(password),
                roles=" ".join(role_set),
                active=True,
                created_time=utcnow(),
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError as exc:
                raise Conflict(
                    f"Staff account '{username}' already exists.", parameter="username"
                ) from exc
            return to_staff(row)

    def authenticate(self, username: str, password: str) -> Staff | None:
        """The active account with these credentials, or None."""
        with self._sessions() as session:
            row = session.scalar(
                select(StaffRow).where(StaffRow.username == username.strip().lower())
            )
            if row is None:
                self._verify(self._dummy_hash, password)
                return None
            if not self._verify(row.password_hash, password) or not row.active:
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            row.last_login_time = utcnow()
            session.commit()
            return to_staff(row)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def get(self, staff_id: int) -> Staff | None:
        with self._sessions() as session:
            row = session.get(StaffRow, staff_id)
            return to_staff(row) if row else None

    def get_by_username(self, username: str) -> Staff:
        with self._sessions() as session:
            return to_staff(self._row(session, username))

    def set_active(self, username: str, active: bool) -> Staff:
        return self.update(username, active=active)

    def set_roles(self, username: str, roles: Iterable[str]) -> Staff:
        return self.update(username, roles=roles)

    def update(
        self, username: str, *, roles: Iterable[str] | None = None, active: bool | None = None
    ) -> Staff:
        """Change roles and/or status in one transaction; never leave no active admin."""
        role_set = sorted(set(roles)) if roles is not None else None
        if role_set is not None:
            problems = _role_problems(role_set)
            if problems:
                raise InvalidParameter(errors=problems)
        with write_session(self._sessions) as session:
            row = self._row(session, username)
            keeps_admin = (active is not False) and (
                "admin" in (role_set if role_set is not None else row.roles.split())
            )
            if not keeps_admin:
                self._keep_an_admin(session, row)
            if role_set is not None:
                row.roles = " ".join(role_set)
            if active is not None:
                row.active = active
            if active is False:
                end_sessions(session, row.id)
            session.commit()
            return to_staff(row)

    def set_password(self, username: str, password: str) -> Staff:
        """Set a new password (the staff member's own change, or an administrator's reset);
        every session of the account ends, so a stolen cookie goes with the old password."""
        with write_session(self._sessions) as session:
            row = self._row(session, username)
            rules.raise_if(password_problems(password, row.username))
            row.password_hash = self._hasher.hash(password)
            end_sessions(session, row.id)
            session.commit()
            return to_staff(row)

    def check_password(self, username: str, password: str) -> bool:
        """Whether ``password`` is the account's (to confirm a change of one's own)."""
        with self._sessions() as session:
            row = self._row(session, username)
            return self._verify(row.password_hash, password)

    def sign_out_everywhere(self, username: str) -> int:
        """End every session of the account; how many were open."""
        with write_session(self._sessions) as session:
            row = self._row(session, username)
            count = end_sessions(session, row.id)
            session.commit()
            return count

    @staticmethod
    def _row(session: Session, username: str) -> StaffRow:
        row = session.scalar(select(StaffRow).where(StaffRow.username == username.strip().lower()))
        if row is None:
            raise StaffNotFound(f"No staff account '{username}'.", parameter="username")
        return row

    @staticmethod
    def _keep_an_admin(session: Session, row: StaffRow) -> None:
        """Refuse a change that would leave no active administrator. Every active admin is
        locked, in id order, so two admins demoting each other at once are taken one after
        the other (and the second sees the first's change) rather than both going through."""
        if "admin" not in row.roles.split() or not row.active:
            return
        admins = session.scalars(
            select(StaffRow.id)
            .where(StaffRow.active == true(), StaffRow.roles.contains("admin"))
            .order_by(StaffRow.id)
            .with_for_update()
        ).all()
        if not [a for a in admins if a != row.id]:
            raise Conflict(
                "This is the last active administrator; make someone else an administrator first.",
                code="last_admin",
                parameter="roles",
            )

    def list(self) -> list[Staff]:
        with self._sessions() as session:
            return [
                to_staff(r) for r in session.scalars(select(StaffRow).order_by(StaffRow.username))
            ]

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(StaffRow)) or 0
