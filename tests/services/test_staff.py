"""Staff accounts: roles, validation, argon2id passwords, sign-in and disabling."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

import app as app_package
from app.migrate import downgrade, upgrade
from app.services.errors import Conflict, InvalidParameter
from app.services.local.models import StaffRow
from app.services.staff import COMMON_PASSWORDS, ROLES, Staff, common_passwords

PASSWORD = "correct-horse-battery"


def stored_hash(app, username: str) -> str:
    with app.extensions["customer_desk"].engine.connect() as connection:
        return connection.scalar(
            select(StaffRow.password_hash).where(StaffRow.username == username)
        )


def test_an_account_is_created_with_several_roles(staff):
    created = staff.create("lena", PASSWORD, ["agent", "fraud"], display_name="Lena Berg")

    assert (created.username, created.display_name) == ("lena", "Lena Berg")
    assert created.roles == frozenset({"agent", "fraud"})
    assert created.active is True
    assert [(s.username, s.roles) for s in staff.list()] == [("lena", {"agent", "fraud"})]


def test_an_account_without_a_display_name_is_shown_by_its_username(staff):
    assert staff.create("omar", PASSWORD, ["viewer"]).display_name == "omar"


def test_usernames_are_stored_in_lower_case(staff):
    created = staff.create("  Lena.Berg ", PASSWORD, ["agent"])

    assert created.username == "lena.berg"
    assert staff.authenticate("LENA.BERG", PASSWORD) is not None


@pytest.mark.parametrize(
    ("username", "password", "roles", "parameters"),
    [
        pytest.param("a", PASSWORD, ["agent"], {"username"}, id="one-character-username"),
        pytest.param("has space", PASSWORD, ["agent"], {"username"}, id="space-in-username"),
        pytest.param("-lead", PASSWORD, ["agent"], {"username"}, id="leading-dash"),
        pytest.param("ann@desk", PASSWORD, ["agent"], {"username"}, id="at-sign"),
        pytest.param("a" * 64, PASSWORD, ["agent"], {"username"}, id="64-character-username"),
        pytest.param("", PASSWORD, ["agent"], {"username"}, id="empty-username"),
        pytest.param("lena", "plum-kite-4", ["agent"], {"password"}, id="11-character-password"),
        pytest.param("lena", "", ["agent"], {"password"}, id="empty-password"),
        pytest.param("lena", PASSWORD, ["boss"], {"roles"}, id="unknown-role"),
        pytest.param("lena", PASSWORD, ["agent", "root"], {"roles"}, id="one-unknown-role"),
        pytest.param("lena", PASSWORD, [], {"roles"}, id="no-role"),
        pytest.param("a", "short", ["boss"], {"username", "password", "roles"}, id="all-three"),
    ],
)
def test_an_invalid_account_is_refused_on_the_offending_fields(
    staff, username, password, roles, parameters
):
    with pytest.raises(InvalidParameter) as caught:
        staff.create(username, password, roles)

    assert {d.parameter for d in caught.value.errors} == parameters
    assert {d.code for d in caught.value.errors} == {"invalid_parameter"}
    assert staff.count() == 0


def test_a_12_character_password_and_a_63_character_username_are_accepted(staff):
    created = staff.create("a" * 63, "plum-kite-47", ["viewer"])

    assert staff.authenticate("a" * 63, "plum-kite-47") == staff.get(created.id)


def test_a_duplicate_username_is_refused_as_a_conflict(staff):
    staff.create("lena", PASSWORD, ["agent"])

    with pytest.raises(Conflict) as caught:
        staff.create("LENA", "another-password", ["admin"])

    assert (caught.value.code, caught.value.parameter) == ("already_exists", "username")
    assert staff.count() == 1
    assert staff.authenticate("lena", "another-password") is None


def test_the_right_password_signs_in_and_records_the_time(staff):
    created = staff.create("lena", PASSWORD, ["agent"])

    signed_in = staff.authenticate("lena", PASSWORD)

    assert signed_in is not None
    assert signed_in.id == created.id
    assert created.last_login_time is None
    assert signed_in.last_login_time is not None
    assert signed_in.last_login_time >= created.created_time


@pytest.mark.parametrize(
    ("username", "password"),
    [("lena", "wrong-password"), ("lena", PASSWORD.upper()), ("nobody", PASSWORD), ("lena", "")],
)
def test_a_wrong_password_or_unknown_user_does_not_sign_in(staff, username, password):
    created = staff.create("lena", PASSWORD, ["agent"])

    assert staff.authenticate(username, password) is None
    assert staff.get(created.id).last_login_time is None


def test_a_disabled_account_cannot_sign_in_until_enabled_again(staff):
    staff.create("lena", PASSWORD, ["agent"])

    disabled = staff.set_active("lena", False)
    refused = staff.authenticate("lena", PASSWORD)
    staff.set_active("lena", True)

    assert disabled.active is False
    assert refused is None
    assert staff.authenticate("lena", PASSWORD) is not None


def test_the_password_is_stored_as_an_argon2id_hash(app, staff):
    staff.create("lena", PASSWORD, ["agent"])

    password_hash = stored_hash(app, "lena")

    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash
    staff.create("omar", PASSWORD, ["agent"])
    assert stored_hash(app, "omar") != password_hash


@pytest.mark.parametrize(
    ("roles", "asked", "expected"),
    [
        ({"agent"}, ("agent",), True),
        ({"agent"}, ("fraud",), False),
        ({"agent"}, ("fraud", "agent"), True),
        ({"agent", "fraud"}, ("privacy",), False),
        ({"agent", "fraud"}, ("fraud",), True),
        ({"viewer"}, ("agent", "fraud", "privacy", "admin"), False),
        ({"admin"}, ("agent",), True),
        ({"admin"}, ("fraud",), True),
        ({"admin"}, ("privacy",), True),
        ({"admin"}, ("viewer",), True),
        (set(), ("viewer",), False),
    ],
)
def test_has_any_is_true_for_a_shared_role_and_always_for_admin(roles, asked, expected):
    member = Staff(1, "x", "X", frozenset(roles), True, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))

    assert member.has_any(*asked) is expected


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_be_given_to_an_account(staff, role):
    created = staff.create(f"{role}-user", PASSWORD, [role])

    assert staff.authenticate(f"{role}-user", PASSWORD).roles == {role}
    assert created.has_any(role)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "at least 12 characters"),
        ("plum-kite-4", "at least 12 characters"),
        ("password1234", "most common passwords"),
        ("PassWord1234", "most common passwords"),
        ("  qwertyuiop123  ", "most common passwords"),
        ("Password123!", "common password with digits or symbols added"),
        ("2024!!sunshine", "common password with digits or symbols added"),
        ("aaaaaaaaaaaa", "Repeated characters"),
        ("121212121212", "Repeated characters"),
        ("abcabcabcabc", "Repeated characters"),
        ("xyz!xyz!xyz!", "Repeated characters"),
        ("abcdefghijklmn", "keyboard runs"),
        ("9876543210987", "keyboard runs"),
        ("asdfghjklzxc", "keyboard runs"),
        ("my-alice-password", "must not contain the username"),
        ("x" * 257, "at most 256 characters"),
    ],
)
def test_an_easily_guessed_password_is_refused(staff, password, message):
    with pytest.raises(InvalidParameter) as caught:
        staff.create("alice", password, ["admin"])
    assert message in caught.value.message
    assert [d.parameter for d in caught.value.errors] == ["password"]


def test_set_password_changes_it_and_refuses_a_weak_one(staff):
    staff.create("bob", "correct-horse-battery", ["agent"])

    staff.set_password("bob", "another-long-passphrase")

    assert staff.authenticate("bob", "another-long-passphrase") is not None
    assert staff.authenticate("bob", "correct-horse-battery") is None
    with pytest.raises(InvalidParameter):
        staff.set_password("bob", "aaaaaaaaaaaa")


@pytest.mark.parametrize(
    "password",
    [
        "correct-horse-battery",
        "plum kite forty seven",
        "alllowercaseletters",
        "ünïcödé-pässwörd",
        "Tr0ub4dor&3xyz",
        "  spaces count too  ",
    ],
)
def test_a_long_uncommon_password_needs_no_digits_capitals_or_symbols(staff, password):
    staff.create("alice", password, ["viewer"])

    assert staff.authenticate("alice", password) is not None


def test_the_common_password_list_ships_with_the_app_and_is_lower_case():
    passwords = common_passwords()

    assert COMMON_PASSWORDS.is_relative_to(Path(app_package.__file__).parent)
    assert len(passwords) >= 19_000
    assert {"password", "123456789123", "qwerty123456"} <= passwords
    assert all(p == p.lower() for p in passwords)


def test_an_account_is_created_with_a_permanent_password_unless_it_is_one_time(staff):
    assert not staff.create("lena", PASSWORD, ["agent"]).must_change_password
    assert staff.create("omar", PASSWORD, ["agent"], one_time=True).must_change_password
    assert staff.authenticate("omar", PASSWORD).must_change_password


def test_a_one_time_reset_marks_the_account_and_a_plain_one_does_not(staff):
    staff.create("bob", PASSWORD, ["agent"])

    assert staff.set_password("bob", "one-time-plum-kite", one_time=True).must_change_password
    assert staff.get_by_username("bob").must_change_password
    assert not staff.set_password("bob", "permanent-plum-kite").must_change_password


def test_changing_ones_password_needs_the_current_one_and_a_different_new_one(staff):
    staff.create("bob", PASSWORD, ["agent"])

    with pytest.raises(InvalidParameter) as wrong:
        staff.change_password("bob", "brand-new-passphrase", current="not-the-password")
    with pytest.raises(InvalidParameter) as same:
        staff.change_password("bob", PASSWORD, current=PASSWORD)
    with pytest.raises(InvalidParameter) as missing:
        staff.change_password("bob", "brand-new-passphrase")
    with pytest.raises(InvalidParameter) as weak:
        staff.change_password("bob", "password1234", current=PASSWORD)

    assert (wrong.value.parameter, wrong.value.message) == (
        "current",
        "That is not your current password.",
    )
    assert same.value.parameter == "password" and "differ from your current" in same.value.message
    assert missing.value.parameter == "current"
    assert weak.value.parameter == "password" and "most common" in weak.value.message
    assert staff.authenticate("bob", PASSWORD) is not None
    staff.change_password("bob", "brand-new-passphrase", current=PASSWORD)
    assert staff.authenticate("bob", "brand-new-passphrase") is not None


def test_a_one_time_password_is_replaced_without_asking_for_it_again(staff):
    staff.create("bob", PASSWORD, ["agent"])
    staff.set_password("bob", "one-time-plum-kite", one_time=True)

    with pytest.raises(InvalidParameter) as same:
        staff.change_password("bob", "one-time-plum-kite")
    changed = staff.change_password("bob", "chose-his-own-phrase")

    assert "differ from your one-time password" in same.value.message
    assert not changed.must_change_password
    assert staff.authenticate("bob", "one-time-plum-kite") is None
    assert staff.authenticate("bob", "chose-his-own-phrase") is not None


def test_a_password_change_ends_every_session_of_the_account(app, staff):
    bob = staff.create("bob", PASSWORD, ["agent"])
    sessions = app.extensions["customer_desk"].sessions
    token = sessions.open(bob.id, remembered=False)

    staff.change_password("bob", "brand-new-passphrase", current=PASSWORD)

    assert sessions.resume(bob.id, token) is None


def test_a_resumed_session_knows_the_password_must_be_changed(app, staff):
    bob = staff.create("bob", PASSWORD, ["agent"], one_time=True)
    sessions = app.extensions["customer_desk"].sessions

    resumed = sessions.resume(bob.id, sessions.open(bob.id, remembered=False))

    assert resumed is not None and resumed.staff.must_change_password


@pytest.mark.parametrize(
    ("name", "stored"),
    [("  Lena Berg ", "Lena Berg"), ("", "lena"), ("   ", "lena"), ("x" * 128, "x" * 128)],
)
def test_a_display_name_is_changed_and_a_blank_one_is_the_username(staff, name, stored):
    staff.create("lena", PASSWORD, ["agent"], display_name="Lena")

    assert staff.update("lena", display_name=name).display_name == stored
    assert staff.get_by_username("lena").display_name == stored


def test_a_display_name_longer_than_128_characters_is_refused(staff):
    staff.create("lena", PASSWORD, ["agent"], display_name="Lena")

    with pytest.raises(InvalidParameter) as caught:
        staff.update("lena", display_name="x" * 129)

    assert caught.value.parameter == "display_name"
    assert staff.get_by_username("lena").display_name == "Lena"


def test_the_migration_keeps_existing_accounts_passwords_permanent(app, database_url):
    engine = app.extensions["customer_desk"].engine
    engine.dispose()
    downgrade(database_url, "0007")
    try:
        assert "must_change_password" not in {
            c["name"] for c in inspect(engine).get_columns("staff")
        }
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff (username, display_name, password_hash, roles, active, "
                    "created_time) VALUES ('old', 'Old', 'x', 'viewer', true, :now)"
                ),
                {"now": dt.datetime(2026, 1, 1)},
            )
    finally:
        upgrade(database_url)
    engine.dispose()
    with engine.connect() as connection:
        flag = connection.scalar(
            select(StaffRow.must_change_password).where(StaffRow.username == "old")
        )
    assert flag is False
