"""The seeded history: audit events agree with the rows they describe (versions, times and
field values), disabled customers say who disabled them and why, forgotten ones are erased
as a request to be forgotten erases them, and big loads record a bounded sample."""

from __future__ import annotations

import pytest

from app.demo import generator, load
from app.services.audit import customer_fields
from app.services.customers import DISABLE_REASONS

from .conftest import SEED

COUNT = 300


@pytest.fixture
def audit(app):
    """The app's audit log."""
    return app.extensions["customer_desk"].audit


def timeline(audit, customer_id: str) -> list:
    """The customer's events, oldest first."""
    return list(reversed(audit.for_customer(customer_id, limit=100)))


def replay(events) -> dict[str, str | None]:
    """The fields as the events leave them, from nothing."""
    fields: dict[str, str | None] = {}
    for event in events:
        for change in event.changes:
            assert fields.get(change.field) == change.before, (event.action, change)
            fields[change.field] = change.after
    return {k: v for k, v in fields.items() if v is not None}


def test_every_customer_of_a_small_load_has_its_history_and_its_version_agrees(
    seed, service, audit, read
) -> None:
    seed(COUNT)
    edited = 0
    for row in read("customers"):
        customer = service.get(row["id"])
        events = timeline(audit, customer.id)
        assert events[0].action == "customer.create"
        assert events[0].actor_username == "system"
        assert events[0].occurred_time == customer.created_time
        assert [e.version_after for e in events] == list(range(1, customer.version + 1))
        assert [e.occurred_time for e in events] == sorted(e.occurred_time for e in events)
        if customer.version > 1:
            edited += 1
            assert customer.updated_time == events[-1].occurred_time
        else:
            assert customer.updated_time is None
    assert 0.2 * COUNT < edited < 0.5 * COUNT


def test_replaying_a_customers_events_gives_the_customer(seed, service, audit, read) -> None:
    seed(COUNT)
    actions = set()
    for row in read("customers"):
        if row["request_to_be_forgotten"]:
            continue
        customer = service.get(row["id"])
        events = timeline(audit, customer.id)
        actions.update(e.action for e in events)
        assert all(e.changes for e in events), "every event changed something"
        assert replay(events) == {
            k: v for k, v in customer_fields(customer).items() if v is not None
        }
    assert {"customer.create", "customer.update", "customer.disable"} <= actions


def test_a_disabled_customer_says_who_disabled_it_and_why(seed, service, audit, read) -> None:
    seed(COUNT)
    disabled = [r for r in read("customers") if not r["enabled"]]
    assert disabled
    for row in disabled:
        event = audit.latest(row["id"], "customer.disable")
        assert event is not None and event.actor_username == "fraud"
        assert event.reason_code in DISABLE_REASONS
        assert event.reason_code != "other" or event.note
        assert [(c.field, c.before, c.after) for c in event.changes] == [("enabled", "yes", "no")]


def test_a_forgotten_customer_is_erased_with_its_request_recorded(
    seed, service, audit, read, monkeypatch
) -> None:
    monkeypatch.setattr(generator, "FORGOTTEN", 0.1)
    seed(COUNT)
    forgotten = [r for r in read("customers") if r["request_to_be_forgotten"]]
    requests = {r["customer_id"]: r for r in read("forget_requests")}
    assert forgotten and set(requests) == {r["id"] for r in forgotten}
    owners = {s["customer_id"]: s for s in read("sources") if s["customer_id"]}
    for row in forgotten:
        customer = service.get(row["id"])
        assert customer.email is None and customer.metadata == {}
        assert customer.shipping.name is None and customer.shipping.address.country is None
        assert customer.tax_identifiers == () and customer.tax_certificates == ()
        assert row["search_text"] == ""
        if row["id"] in owners:
            assert owners[row["id"]]["owner_name"] is None
        request = requests[row["id"]]
        assert (request["status"], request["requested_by"]) == ("erased", "privacy")
        events = timeline(audit, customer.id)
        assert events[-1].action == "customer.forget"
        assert events[-1].version_after == customer.version
        assert events[-1].note == request["reason"]
        for event in events:
            assert all(c.before is None and c.after is None for c in event.changes)
            assert event.note is None or event is events[-1]


def test_a_big_load_records_a_sample_of_histories_and_every_disable(
    seed, service, audit, read, monkeypatch
) -> None:
    monkeypatch.setattr(load, "FULL_HISTORY_MAX", 30)
    seed(COUNT)
    created = {e["customer_id"] for e in read("audit_events") if e["action"] == "customer.create"}
    assert 5 < len(created) < 80
    for row in read("customers"):
        events = timeline(audit, row["id"])
        if not row["enabled"]:
            assert "customer.disable" in {e.action for e in events}
        if events:
            assert events[-1].version_after == row["version"]
        elif row["version"] > 1:
            assert row["updated_time"] is not None


@pytest.mark.parametrize("second_seed", [SEED, SEED + 1], ids=["same seed", "another seed"])
def test_a_second_load_adds_customers_with_their_own_history(seed, read, second_seed) -> None:
    seed(60)
    seed(60, random_seed=second_seed)
    customers = read("customers")
    assert len({r["id"] for r in customers}) == 120
    created = [e["customer_id"] for e in read("audit_events") if e["action"] == "customer.create"]
    assert sorted(created) == sorted(r["id"] for r in customers)
