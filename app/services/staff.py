"""Staff accounts of the console: roles, argon2id password hashes."""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
    "viewer": "Viewer",
    "agent": "Support agent",
    "fraud": "Fraud analyst",
    "privacy": "Privacy officer",
    "admin": "Administrator",
}
# What each role may do, in one line (every role can search and read).
ROLE_EXPLANATIONS = {
    "viewer": "Searches and reads every customer; changes nothing.",
    "agent": "Creates customers and corrects their details, payment sources, tax data and "
    "metadata; downloads searches as CSV.",
    "fraud": "Disables and re-enables customers, always with a reason; reads the audit trail.",
    "privacy": "Records and tracks customers' requests to be forgotten; reads the audit trail.",
    "admin": "Manages staff accounts and their roles; can do everything the others can.",
}
# NIST SP 800-63B: at least 8 characters, more recommended; 12 here. No composition rules.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME_LENGTH = 128
PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters; a few unrelated words make a good one. "
    "Not a common password, not your username."
)
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
# What people add before or after a common password ("password123!", "2024monkey").
_DECORATION = string.digits + string.punctuation + string.whitespace
# Runs along a keyboard row or the alphabet, either way ("abcdefghijkl", "0987654321…").
_SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
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
    # A one-time password (set by an administrator) must be replaced before anything else.
    must_change_password: bool = False

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
            "invalid_parameter",
            f"Choose one or more roles: {', '.join(ROLE_LABELS[r] for r in ROLES)}.",
            "roles",
        )
    ]


def role_names(roles: Iterable[str]) -> str:
    """The roles by name, in the order of ROLES ("Support agent, Fraud analyst")."""
    held = set(roles)
    return ", ".join(ROLE_LABELS[r] for r in ROLES if r in held) or "none"


def describe_change(before: Staff, after: Staff) -> str:
    """What an administrator changed on an account, for the audit trail ("" when nothing)."""
    parts = []
    if before.display_name != after.display_name:
        parts.append(f"display name “{before.display_name}” → “{after.display_name}”")
    if before.roles != after.roles:
        parts.append(f"roles {role_names(before.roles)} → {role_names(after.roles)}")
    if before.active != after.active:
        parts.append("enabled" if after.active else "disabled (every session ended)")
    return "; ".join(parts)


def _display_name_problems(display_name: str) -> list[ErrorDetail]:
    if len(display_name.strip()) <= MAX_DISPLAY_NAME_LENGTH:
        return []
    return [
        ErrorDetail(
            "invalid_parameter",
            f"Display names have at most {MAX_DISPLAY_NAME_LENGTH} characters.",
            "display_name",
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
        must_change_password=bool(row.must_change_password),
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


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (read once per process)."""
    with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _repetitive(password: str) -> bool:
    """One short piece said over and over ("aaaaaaaaaaaa", "121212121212", "abcabcabcabc"),
    or a run along the alphabet or a keyboard row ("abcdefghijklm", "987654321098")."""
    lowered = password.lower()
    for period in range(1, 5):
        if len(lowered) > period and lowered == (lowered[:period] * len(lowered))[: len(lowered)]:
            return True
    return any(lowered in run or lowered in run[::-1] for run in _SEQUENCES)


def password_problems(password: str, username: str = "") -> list[ErrorDetail]:
    """What makes ``password`` too easy to guess, by NIST SP 800-63B's rules: shorter than
    MIN_PASSWORD_LENGTH, on the shipped list of common passwords (whatever its case), one
    character or short piece repeated or a keyboard/alphabet run, or the username in it.
    A common password with digits or symbols stuck on before or after counts as common.
    No composition rules (no demands for digits, capitals or symbols)."""
    message = None
    lowered = password.strip().lower()
    core = lowered.strip(_DECORATION)
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"Passwords need at least {MIN_PASSWORD_LENGTH} characters."
    elif len(password) > MAX_PASSWORD_LENGTH:
        message = f"Passwords have at most {MAX_PASSWORD_LENGTH} characters."
    elif lowered in common_passwords():
        message = (
            "That is one of the most common passwords, tried first by attackers; choose another."
        )
    elif len(core) >= 4 and core in common_passwords():
        message = (
            "That is a common password with digits or symbols added, tried early by "
            "attackers; choose another."
        )
    elif _repetitive(password):
        message = (
            "Repeated characters, patterns and keyboard runs are guessed first; choose "
            "something less predictable."
        )
    elif username and len(username) >= 3 and username.lower() in lowered:
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
        self,
        username: str,
        password: str,
        roles: Iterable[str],
        display_name: str | None = None,
        *,
        one_time: bool = False,
    ) -> Staff:
        """A new active account; with ``one_time`` its password must be changed at the first
        sign-in (an administrator chose it, so it should not stay in use)."""
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
        problems += _display_name_problems(display_name or username)
        if problems:
            raise InvalidParameter(errors=problems)
        with self._sessions() as session:
            row = StaffRow(
                username=username,
                display_name=(display_name or "").strip() or username,
                password_hash=self._hasher.hash(password),
                roles=" ".join(role_set),
                active=True,
                created_time=utcnow(),
                must_change_password=one_time,
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
        self,
        username: str,
        *,
        roles: Iterable[str] | None = None,
        active: bool | None = None,
        display_name: str | None = None,
    ) -> Staff:
        """Change roles, status and/or display name in one transaction; never leave no
        active admin. A blank display name falls back to the username."""
        role_set = sorted(set(roles)) if roles is not None else None
        problems = _role_problems(role_set) if role_set is not None else []
        if display_name is not None:
            problems += _display_name_problems(display_name)
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
            if display_name is not None:
                row.display_name = display_name.strip() or row.username
            if active is False:
                end_sessions(session, row.id)
            session.commit()
            return to_staff(row)

    def set_password(self, username: str, password: str, *, one_time: bool = False) -> Staff:
        """Set a new password (an administrator's reset, or the command line); with
        ``one_time`` the staff member must choose their own at the next sign-in. Every
        session of the account ends, so a stolen cookie goes with the old password."""
        with write_session(self._sessions) as session:
            row = self._row(session, username)
            rules.raise_if(password_problems(password, row.username))
            row.password_hash = self._hasher.hash(password)
            row.must_change_password = one_time
            end_sessions(session, row.id)
            session.commit()
            return to_staff(row)

    def change_password(self, username: str, new: str, *, current: str | None = None) -> Staff:
        """The staff member's own change: ``current`` must be their password, except when
        they are replacing a one-time password (they have just signed in with it). The new
        one must pass the rules and differ from the old. Every session of the account ends
        (the caller opens a new one for the browser that asked)."""
        with write_session(self._sessions) as session:
            row = self._row(session, username)
            if current is None and not row.must_change_password:
                raise InvalidParameter(
                    "Enter your current password.", code="missing_parameter", parameter="current"
                )
            if current is not None and not self._verify(row.password_hash, current):
                raise InvalidParameter("That is not your current password.", parameter="current")
            rules.raise_if(password_problems(new, row.username))
            if self._verify(row.password_hash, new):
                which = "one-time" if row.must_change_password else "current"
                raise InvalidParameter(
                    f"The new password must differ from your {which} password.",
                    parameter="password",
                )
            row.password_hash = self._hasher.hash(new)
            row.must_change_password = False
            end_sessions(session, row.id)
            session.commit()
            return to_staff(row)

    def check_password(self, username: str, password: str) -> bool:
        """Whether ``password`` is the account's."""
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
