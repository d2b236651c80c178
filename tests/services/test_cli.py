"""The command line: migrate, staff accounts, seed and demo."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from app.demo.ring import DEMO_RING_SIZE
from app.migrate import downgrade, upgrade
from app.services.customers import SearchQuery
from app.services.local.models import Base, CustomerRow
from app.services.staff import ROLES, password_problems

PASSWORD = "correct-horse-battery"


def customer_count(app) -> int:
    with app.extensions["customer_desk"].engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(CustomerRow))


def every_customer_id(service) -> list[str]:
    """Walk every search page, oldest page last."""
    seen: list[str] = []
    page = service.search(SearchQuery(limit=20))
    seen += [item.id for item in page.items]
    while page.next_cursor is not None:
        assert len(seen) < 10_000, "next_cursor never ran out"
        page = service.search(SearchQuery(limit=20, after=page.next_cursor))
        seen += [item.id for item in page.items]
    return seen


# -- migrate ---------------------------------------------------------------------------------


def test_migrate_creates_the_schema_on_an_empty_database(app, runner, database_url):
    engine = app.extensions["customer_desk"].engine
    engine.dispose()
    downgrade(database_url, "base")
    try:
        assert "customers" not in inspect(engine).get_table_names()

        result = runner.invoke(args=["migrate"])

        assert result.exit_code == 0, result.output
        assert "Database is up to date." in result.output
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        upgrade(database_url)


def test_migrate_on_an_up_to_date_database_changes_nothing(runner, staff):
    staff.create("lena", PASSWORD, ["agent"])

    result = runner.invoke(args=["migrate"])

    assert result.exit_code == 0, result.output
    assert [s.username for s in staff.list()] == ["lena"]


# -- staff -----------------------------------------------------------------------------------


def test_staff_create_makes_an_account_with_every_role_given(runner, staff):
    result = runner.invoke(
        args=["staff", "create", "lena", "--role", "agent", "--role", "fraud",
              "--password", PASSWORD, "--name", "Lena Berg"]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Created lena (agent, fraud)." in result.output
    signed_in = staff.authenticate("lena", PASSWORD)
    assert signed_in is not None
    assert (signed_in.roles, signed_in.display_name) == ({"agent", "fraud"}, "Lena Berg")


def test_staff_create_prompts_for_the_password_twice_without_echo(runner, staff):
    result = runner.invoke(
        args=["staff", "create", "omar", "--role", "privacy"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert staff.authenticate("omar", PASSWORD).roles == {"privacy"}


def test_staff_create_refuses_a_short_password(runner, staff):
    result = runner.invoke(
        args=["staff", "create", "lena", "--role", "agent", "--password", "short"]
    )

    assert result.exit_code == 1
    assert "Passwords need at least 12 characters." in result.output
    assert staff.count() == 0


def test_staff_create_refuses_an_unknown_role(runner, staff):
    result = runner.invoke(
        args=["staff", "create", "lena", "--role", "boss", "--password", PASSWORD]
    )

    assert result.exit_code == 2
    assert "boss" in result.output
    assert staff.count() == 0


def test_staff_create_refuses_an_existing_username(runner, staff):
    staff.create("lena", PASSWORD, ["agent"])

    result = runner.invoke(
        args=["staff", "create", "lena", "--role", "admin", "--password", "another-password"]
    )

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert staff.authenticate("lena", PASSWORD).roles == {"agent"}


def test_staff_disable_stops_the_account_signing_in(runner, staff):
    staff.create("lena", PASSWORD, ["agent"])

    result = runner.invoke(args=["staff", "disable", "lena"])

    assert result.exit_code == 0, result.output
    assert "Disabled lena." in result.output
    assert staff.authenticate("lena", PASSWORD) is None


def test_staff_enable_lets_a_disabled_account_sign_in_again(runner, staff):
    staff.create("lena", PASSWORD, ["agent"])
    staff.set_active("lena", False)

    result = runner.invoke(args=["staff", "enable", "lena"])

    assert result.exit_code == 0, result.output
    assert staff.authenticate("lena", PASSWORD) is not None


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_staff_disable_and_enable_report_an_unknown_account(runner, command):
    result = runner.invoke(args=["staff", command, "nobody"])

    assert result.exit_code == 1
    assert "No staff account 'nobody'." in result.output


def test_staff_list_shows_each_account_with_its_state_and_roles(runner, staff):
    staff.create("omar", PASSWORD, ["privacy"])
    staff.create("lena", PASSWORD, ["fraud", "agent"])
    staff.set_active("omar", False)

    result = runner.invoke(args=["staff", "list"])

    assert result.exit_code == 0, result.output
    rows = [line.split(None, 2) for line in result.output.splitlines()]
    assert rows == [["lena", "active", "agent, fraud"], ["omar", "disabled", "privacy"]]


# -- seed and demo ---------------------------------------------------------------------------


def test_seed_loads_the_number_of_customers_asked_for(app, runner, service):
    result = runner.invoke(args=["seed", "--customers", "50", "--random-seed", "7"])

    assert result.exit_code == 0, result.output
    assert "Loaded 50 customers." in result.output
    assert customer_count(app) == 50
    seen = every_customer_id(service)
    assert len(seen) == len(set(seen)) == 50
    assert service.get(seen[0]).id == seen[0]


def test_seed_adds_to_customers_already_there(app, runner):
    assert runner.invoke(args=["seed", "--customers", "10"]).exit_code == 0

    result = runner.invoke(args=["seed", "--customers", "5"])

    assert result.exit_code == 0, result.output
    assert customer_count(app) == 15


def demo_accounts(app) -> dict[str, str]:
    """username -> password, from the credentials file demo writes."""
    lines = (Path(app.instance_path) / "demo-accounts.txt").read_text().splitlines()
    accounts = {}
    for line in lines:
        username, password, role = line.split()
        assert username == role
        accounts[username] = password
    return accounts


def test_demo_loads_customers_and_one_account_per_role_and_prints_the_credentials(
    app, runner, staff
):
    result = runner.invoke(args=["demo", "--customers", "30"])

    assert result.exit_code == 0, result.output
    assert customer_count(app) == 30 + DEMO_RING_SIZE
    assert sorted((s.username, tuple(s.roles)) for s in staff.list()) == sorted(
        (role, (role,)) for role in ROLES
    )
    credentials = Path(app.instance_path) / "demo-accounts.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    accounts = demo_accounts(app)
    assert sorted(accounts) == sorted(ROLES)
    for username, password in accounts.items():
        assert password in result.output
        assert password_problems(password, username) == []
        signed_in = staff.authenticate(username, password)
        assert signed_in.roles == {username}
        assert not signed_in.must_change_password, "the demo's printed passwords keep working"


def test_demo_seeds_a_linked_ring_with_blocks_due_for_review(app, runner, service):
    result = runner.invoke(args=["demo", "--customers", "30"])

    assert result.exit_code == 0, result.output
    desk = app.extensions["customer_desk"]
    links = service.linked(service.get("ring-001"), metadata_keys=("deviceId",))
    by_reason = {g.reason: g.total for g in links.groups}
    assert by_reason["email"] == DEMO_RING_SIZE - 1
    assert by_reason["metadata"] == DEMO_RING_SIZE - 1
    assert {"phone", "address", "card"} <= set(by_reason)
    due = desk.blocks.due()
    assert len(due) == 5
    assert all(not service.get(b.customer_id).enabled for b in due)
    assert [b.review_by for b in due] == sorted(b.review_by for b in due)


def test_running_demo_again_adds_no_customers_or_accounts(app, runner, staff):
    first = runner.invoke(args=["demo", "--customers", "30"])
    accounts = demo_accounts(app)

    second = runner.invoke(args=["demo", "--customers", "30"])

    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert customer_count(app) == 30 + DEMO_RING_SIZE
    assert staff.count() == len(ROLES)
    assert demo_accounts(app) == accounts
    assert all(password in second.output for password in accounts.values())


def test_staff_password_sets_a_new_one_and_refuses_a_weak_one(app, runner, staff):
    staff.create("carol", PASSWORD, ["agent"])

    weak = runner.invoke(args=["staff", "password", "carol", "--password", "aaaaaaaaaaaa"])
    strong = runner.invoke(args=["staff", "password", "carol", "--password", "new-long-passphrase"])

    assert weak.exit_code != 0 and "Repeated characters" in weak.output
    assert strong.exit_code == 0, strong.output
    assert staff.authenticate("carol", "new-long-passphrase") is not None


@pytest.mark.parametrize("one_time", [False, True])
def test_staff_password_and_create_can_set_a_one_time_password(runner, staff, one_time):
    flag = ["--one-time"] if one_time else []
    created = runner.invoke(
        args=["staff", "create", "dora", "--role", "agent", "--password", PASSWORD, *flag]
    )
    assert created.exit_code == 0, created.output
    assert staff.get_by_username("dora").must_change_password is one_time

    staff.change_password("dora", "picked-this-myself", current=PASSWORD)
    reset = runner.invoke(
        args=["staff", "password", "dora", "--password", "new-long-passphrase", *flag]
    )
    assert reset.exit_code == 0, reset.output
    assert staff.get_by_username("dora").must_change_password is one_time


def test_staff_sign_out_ends_the_sessions(app, runner, staff):
    carol = staff.create("carol", PASSWORD, ["agent"])
    sessions = app.extensions["customer_desk"].sessions
    token = sessions.open(carol.id, remembered=True)

    result = runner.invoke(args=["staff", "sign-out", "carol"])

    assert result.exit_code == 0 and "1 session(s) ended" in result.output
    assert sessions.resume(carol.id, token) is None
