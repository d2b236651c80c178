"""The audit trail's hash chain (services/audit_chain.py), on the engine of the test run: every
event is chained as it is recorded; ``audit verify`` passes on a fresh database, on one with
10,000 events including erased ones, and after erasure; and it names the first event that
does not match when a row is changed, removed, added or erased by SQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from app.demo import seed_customers
from app.migrate import downgrade, upgrade
from app.services import audit_chain
from app.services.audit import Actor
from app.services.customers import CustomerUpdate, NewCustomer
from app.services.local.models import AuditChainRow, AuditEventRow

EDITOR = Actor(3, "eddie", "Eddie Editor")
OFFICER = Actor(7, "priya", "Priya Privacy")


def walk(service) -> audit_chain.Report:
    with service.engine.connect() as connection:
        return audit_chain.verify(connection)


def sql(service, statement: str, **params) -> None:
    with service.engine.begin() as connection:
        connection.execute(text(statement), params)


def events(service) -> list:
    with service.engine.connect() as connection:
        return connection.execute(
            select(AuditEventRow.id, AuditEventRow.seq, AuditEventRow.salt).order_by(
                AuditEventRow.seq
            )
        ).all()


@pytest.fixture
def history(service) -> list[int]:
    """Two customers with a few changes each; the ids of their events in chain order."""
    for n in (1, 2):
        service.create(NewCustomer(id=f"cus-{n}", email=f"c{n}@example.com"), actor=EDITOR)
        service.update(f"cus-{n}", CustomerUpdate(email=f"new{n}@example.com"), actor=EDITOR)
        service.set_enabled(f"cus-{n}", False, reason_code="other", note="Per bank", actor=EDITOR)
    return [row.id for row in events(service)]


def test_a_fresh_database_verifies_with_no_events(service) -> None:
    report = walk(service)

    assert report.ok, report.problem
    assert (report.checked, report.last_seq, report.last_hash) == (0, 0, audit_chain.GENESIS)


def test_each_event_is_numbered_in_turn_and_the_head_is_the_last(service, history) -> None:
    rows = events(service)
    with service.engine.connect() as connection:
        head = connection.execute(select(AuditChainRow)).one()

    assert [row.seq for row in rows] == list(range(1, 7))
    assert all(row.salt for row in rows)
    assert head.seq == 6
    report = walk(service)
    assert report.ok, report.problem
    assert (report.checked, report.last_event_id, report.last_hash) == (6, history[-1], head.hash)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("UPDATE audit_events SET note = 'Per phone' WHERE id = :id", "its values do not match"),
        (
            "UPDATE audit_events SET changes = NULL WHERE id = :id",
            "its values do not match",
        ),
        ("UPDATE audit_events SET actor_username = 'mallory' WHERE id = :id", "its hash"),
        ("UPDATE audit_events SET reason_code = 'fraud' WHERE id = :id", "its hash"),
        (
            "UPDATE audit_events SET occurred_time = occurred_time + INTERVAL '1 hour'"
            " WHERE id = :id",
            "its hash",
        ),
    ],
    ids=["note", "changes", "actor", "reason", "time"],
)
def test_a_row_changed_by_sql_is_named(service, history, change, says, engine_name) -> None:
    target = history[2]
    if "INTERVAL" in change and engine_name == "sqlite":
        change = (
            "UPDATE audit_events SET occurred_time = datetime(occurred_time, '+1 hour')"
            " WHERE id = :id"
        )
    sql(service, change, id=target)

    report = walk(service)

    assert not report.ok
    assert report.event_id == target
    assert says in report.problem and str(target) in report.problem


def test_a_row_removed_from_the_middle_is_named_by_the_gap(service, history) -> None:
    sql(service, "DELETE FROM audit_events WHERE id = :id", id=history[3])

    report = walk(service)

    assert not report.ok
    assert "missing" in report.problem
    assert report.event_id == history[4]


def test_the_last_row_removed_is_found_by_the_head(service, history) -> None:
    sql(service, "DELETE FROM audit_events WHERE id = :id", id=history[-1])

    report = walk(service)

    assert not report.ok
    assert "last 1 event(s) are missing" in report.problem


def test_a_row_added_by_sql_is_named(service, history) -> None:
    sql(
        service,
        "INSERT INTO audit_events (occurred_time, actor_username, action, customer_id,"
        " outcome, backend) VALUES (CURRENT_TIMESTAMP, 'mallory', 'customer.enable', 'cus-1',"
        " 'succeeded', 'local')",
    )
    with service.engine.connect() as connection:
        added = connection.scalar(select(func.max(AuditEventRow.id)))

    report = walk(service)

    assert not report.ok
    assert report.event_id == added
    assert "not in the chain" in report.problem


def test_values_erased_by_sql_without_a_request_to_be_forgotten_are_named(service, history) -> None:
    sql(service, "UPDATE audit_events SET salt = NULL, note = NULL WHERE id = :id", id=history[2])

    report = walk(service)

    assert not report.ok
    assert report.event_id == history[2]
    assert "no request to be forgotten" in report.problem


def test_a_request_to_be_forgotten_erases_the_salts_and_the_chain_still_verifies(
    service, history
) -> None:
    service.request_forget("cus-1", reason="PRIV-1", actor=OFFICER)

    with service.engine.connect() as connection:
        rows = connection.execute(
            select(AuditEventRow.customer_id, AuditEventRow.action, AuditEventRow.salt)
        ).all()
    report = walk(service)

    erased = [r for r in rows if r.customer_id == "cus-1" and r.action != "customer.forget"]
    assert erased and all(r.salt is None for r in erased)
    assert all(r.salt for r in rows if r.customer_id == "cus-2")
    assert report.ok, report.problem
    assert report.checked == 7


def test_an_erased_event_changed_afterwards_is_still_named(service, history) -> None:
    """What erasure keeps (who, when, which fields) stays sealed."""
    service.request_forget("cus-1", reason="PRIV-1", actor=OFFICER)
    sql(service, "UPDATE audit_events SET actor_username = 'mallory' WHERE id = :id", id=history[1])

    report = walk(service)

    assert not report.ok
    assert report.event_id == history[1]


def test_changes_made_at_once_from_many_threads_form_one_chain(service) -> None:
    for n in range(4):
        service.create(NewCustomer(id=f"cus-t{n}", email=f"t{n}@example.com"), actor=EDITOR)
    errors: list[BaseException] = []

    def edit(n: int) -> None:
        try:
            for round_ in range(8):
                service.update(
                    f"cus-t{n}", CustomerUpdate(email=f"t{n}.{round_}@example.com"), actor=EDITOR
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = walk(service)
    assert report.ok, report.problem
    assert report.checked == 4 + 4 * 8


def test_a_seeded_history_is_chained_as_it_loads(service) -> None:
    seed_customers(service.engine, 300, random_seed=5)
    service.create(NewCustomer(id="cus-after", email="after@example.com"), actor=EDITOR)

    report = walk(service)

    assert report.ok, report.problem
    assert report.checked == len(events(service)) > 300


def test_audit_verify_passes_on_10000_events_with_erased_ones_and_names_a_changed_row(
    service, runner
) -> None:
    count = 6000
    while True:
        seed_customers(service.engine, count, random_seed=count)
        if len(events(service)) >= 10_000:
            break
        count = 2000
    forgotten = [f"cus-e{n}" for n in range(3)]
    for customer_id in forgotten:
        service.create(
            NewCustomer(id=customer_id, email=f"{customer_id}@example.com"), actor=EDITOR
        )
        service.update(
            customer_id, CustomerUpdate(email=f"x.{customer_id}@example.com"), actor=EDITOR
        )
        service.request_forget(customer_id, reason="PRIV-9", actor=OFFICER)
    total = len(events(service))

    passed = runner.invoke(args=["audit", "verify"])

    assert passed.exit_code == 0, passed.output
    assert f"Audit chain verified: {total} events" in passed.output
    middle = events(service)[total // 2].id
    sql(service, "UPDATE audit_events SET customer_id = 'cus-other' WHERE id = :id", id=middle)

    failed = runner.invoke(args=["audit", "verify"])

    assert failed.exit_code == 1
    assert f"Event {middle} was changed" in failed.output


def test_the_migration_chains_the_events_recorded_before_it(service, database_url, history):
    service.engine.dispose()
    downgrade(database_url, "0008")
    upgrade(database_url)

    report = walk(service)

    assert report.ok, report.problem
    assert report.checked == len(history) == 6
