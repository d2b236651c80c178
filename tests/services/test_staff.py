"""Staff accounts: roles, validation, argon2id passwords, sign-in and disabling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.services.errors import Conflict, InvalidParameter
from app.services.local.models import StaffRow
from app.services.staff import ROLES, Staff

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
        pytest.param("lena", "123456789", ["agent"], {"password"}, id="9-character-password"),
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


def test_a_10_character_password_and_a_63_character_username_are_accepted(staff):
    created = staff.create("a" * 63, "1234567890", ["viewer"])

    assert staff.authenticate("a" * 63, "1234567890") == staff.get(created.id)


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
        ("short1!", "at least 10 characters"),
        ("aaaaaaaaaa", "at least 6 different characters"),
        ("1212121212", "at least 6 different characters"),
        ("abcabcabcabc", "at least 6 different characters"),
        ("my-alice-password", "must not contain the username"),
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
        staff.set_password("bob", "aaaaaaaaaa")
