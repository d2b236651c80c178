"""The audit trail: every change records who made it, when, why and field by field what changed;
failed attempts on DR are recorded as failed; a stale change names who changed what since; the
log is searched with filters and keyset pages and streamed whole for exports.

The change tests run on the local store and on DR's API (a fresh emulator). The audit table is
not emptied between tests on PostgreSQL, so every test works with customers and actors of its
own (unique ids and names) and never counts the whole table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.audit import (
    Actor,
    AuditEvent,
    AuditLog,
    AuditQuery,
    FieldChange,
)
from app.services.customers import Customer, CustomerUpdate, NewCustomer, NewTaxCertificate
from app.services.errors import BackendUnavailable, Conflict, InvalidParameter, StaleVersion
from app.services.local.db import make_engine
from app.services.local.models import CustomerRow, SourceRow

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def audit(app) -> AuditLog:
    """The app's audit log (the DR backend records into the same SQL database)."""
    return app.extensions["customer_desk"].audit


@pytest.fixture
def alice() -> Actor:
    return Actor(7001, "alice-" + uuid.uuid4().hex[:6], "Alice")


@pytest.fixture
def bob() -> Actor:
    return Actor(7002, "bob-" + uuid.uuid4().hex[:6], "Bob")


@pytest.fixture
def customer(service, alice) -> Customer:
    new = NewCustomer(id="cus-" + uuid.uuid4().hex[:12], email="before@example.com")
    return service.create(new, actor=alice)


@pytest.fixture
def source(backend, service, request) -> Callable[[], str]:
    """A new chargeable card, not attached to anyone; returns its id."""
    if backend == "digitalriver":
        emulator = request.getfixturevalue("dr_emulator").app
        return lambda: emulator.add_source()["id"]

    def on_local() -> str:
        source_id = str(uuid.uuid4())
        with Session(service.engine) as session:
            session.add(
                SourceRow(
                    id=source_id,
                    type="creditCard",
                    state="chargeable",
                    brand="Visa",
                    last_four="1111",
                    created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                )
            )
            session.commit()
        return source_id

    return on_local


def events(audit: AuditLog, customer_id: str) -> list[AuditEvent]:
    """The customer's events, oldest first."""
    return list(reversed(audit.for_customer(customer_id, limit=500)))


def changed(event: AuditEvent) -> dict[str, tuple[str | None, str | None]]:
    return {c.field: (c.before, c.after) for c in event.changes}


# -- every change records one event -----------------------------------------------------------


def test_a_create_records_who_created_the_customer_with_every_field(audit, customer, alice):
    [event] = events(audit, customer.id)
    assert (event.action, event.outcome, event.actor_username, event.actor_id) == (
        "customer.create",
        "succeeded",
        alice.username,
        alice.id,
    )
    assert changed(event)["email"] == (None, "before@example.com")
    assert event.version_after == customer.version


def test_an_email_change_records_before_and_after(service, audit, customer, bob):
    after = service.update(
        customer.id, CustomerUpdate(email="after@example.com"), actor=bob, expected_version=None
    )
    event = events(audit, customer.id)[-1]
    assert (event.action, event.actor_username, event.backend) == (
        "customer.update",
        bob.username,
        service.backend_name,
    )
    assert event.changes == (FieldChange("email", "before@example.com", "after@example.com"),)
    assert event.version_after == after.version
    assert event.occurred_time.tzinfo is not None


def test_a_metadata_edit_is_recorded_under_its_own_action(service, audit, customer, bob):
    service.update(
        customer.id, CustomerUpdate(metadata={"tier": "gold"}), actor=bob, action="metadata.update"
    )
    event = events(audit, customer.id)[-1]
    assert event.action == "metadata.update"
    assert changed(event) == {"metadata.tier": (None, "gold")}


def test_a_disable_records_enabled_yes_to_no_with_reason_and_note(service, audit, customer, bob):
    after = service.set_enabled(
        customer.id, False, reason_code="suspected_fraud", note="Three cards in an hour", actor=bob
    )
    event = events(audit, customer.id)[-1]
    assert (event.action, event.action_label) == ("customer.disable", "Disabled")
    assert (event.reason_code, event.note) == ("suspected_fraud", "Three cards in an hour")
    assert changed(event) == {"enabled": ("yes", "no")}
    assert event.version_after == after.version
    assert audit.latest(customer.id, "customer.disable") == event


def test_an_enable_records_no_to_yes_with_its_reason_and_note(service, audit, customer, bob):
    service.set_enabled(customer.id, False, reason_code="chargeback", actor=bob)
    service.set_enabled(
        customer.id, True, reason_code="fraud_review_cleared", note="Bank confirmed", actor=bob
    )
    event = events(audit, customer.id)[-1]
    assert (event.action, event.reason_code, event.note) == (
        "customer.enable",
        "fraud_review_cleared",
        "Bank confirmed",
    )
    assert changed(event) == {"enabled": ("no", "yes")}


def test_each_inline_change_records_one_event_with_its_fields(
    service, audit, customer, bob, source, backend
):
    card = source()
    # A source is recorded by its readable name (the emulator's card has an expiry).
    name = "Visa •••• 1111 · 07/27" if backend == "digitalriver" else "Visa •••• 1111"
    steps: list[tuple[str, Callable[[], Customer], set[str]]] = [
        (
            "source.attach",
            lambda: service.attach_source(customer.id, card, actor=bob),
            {f"sources.{card}", "defaultSourceId"},
        ),
        (
            "tax_identifier.add",
            lambda: service.add_tax_identifier(customer.id, "de", "DE123456789", actor=bob),
            {"taxIdentifiers.de"},
        ),
        (
            "tax_certificate.add",
            lambda: service.add_tax_certificate(
                customer.id,
                NewTaxCertificate(
                    "Hopper Industries",
                    "VA",
                    dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                    dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
                    "c.pdf",
                    PDF,
                ),
                actor=bob,
            ),
            {"taxCertificates.0"},
        ),
        (
            "tax_identifier.remove",
            lambda: service.remove_tax_identifier(
                customer.id, service.get(customer.id).tax_identifiers[0].id, actor=bob
            ),
            {"taxIdentifiers.de"},
        ),
        (
            "source.detach",
            lambda: service.detach_source(customer.id, card, actor=bob),
            {f"sources.{card}", "defaultSourceId"},
        ),
    ]
    for action, change, fields in steps:
        count = len(events(audit, customer.id))
        after = change()
        new = events(audit, customer.id)[count:]
        assert [(e.action, e.outcome, e.actor_username) for e in new] == [
            (action, "succeeded", bob.username)
        ], action
        assert set(changed(new[0])) == fields, action
        assert new[0].version_after == after.version
    attach, *_, detach = events(audit, customer.id)[1:]
    assert changed(attach) == {
        f"sources.{card}": (None, f"{name} (chargeable)"),
        "defaultSourceId": (None, name),
    }
    assert changed(detach) == {
        f"sources.{card}": (f"{name} (chargeable)", None),
        "defaultSourceId": (name, None),
    }


def test_setting_the_default_source_records_the_old_and_new_default(
    service, audit, customer, bob, source
):
    first, second = source(), source()
    service.attach_source(customer.id, first, actor=bob)
    service.attach_source(customer.id, second, actor=bob)
    service.set_default_source(customer.id, second, actor=bob)
    event = events(audit, customer.id)[-1]
    assert event.action == "source.default"
    # Both are the same card by name: the change is recorded even so, by name.
    name = service.get(customer.id).sources[0].display_name
    assert changed(event) == {"defaultSourceId": (name, name)}


def test_a_change_refused_by_the_rules_records_nothing(service, audit, customer, bob):
    count = len(events(audit, customer.id))
    with pytest.raises(InvalidParameter):
        service.update(customer.id, CustomerUpdate(email="not an email"), actor=bob)
    with pytest.raises(InvalidParameter):
        service.set_enabled(customer.id, False, actor=bob)
    with pytest.raises(InvalidParameter):
        service.add_tax_identifier(customer.id, "de", "DE12", actor=bob)
    assert len(events(audit, customer.id)) == count
    assert service.get(customer.id) == customer


# -- stale versions ---------------------------------------------------------------------------


def test_a_stale_change_names_who_changed_which_fields_and_records_nothing(
    service, audit, customer, alice, bob
):
    seen = service.get(customer.id)
    service.update(
        customer.id,
        CustomerUpdate(email="bob@example.com", metadata={"crm": "A-1"}),
        actor=bob,
    )
    count = len(events(audit, customer.id))
    with pytest.raises(StaleVersion) as caught:
        service.set_enabled(
            customer.id, False, reason_code="chargeback", expected_version=seen.version, actor=alice
        )
    stale = caught.value
    assert stale.code == "stale_version"
    assert stale.changed_by == bob.username
    assert stale.fields == ("email", "metadata.crm")
    assert bob.username in stale.message
    # Human field names, never DR's parameter paths.
    assert "(Email, Metadata “crm”)" in stale.message
    assert "metadata.crm" not in stale.message
    assert len(events(audit, customer.id)) == count


def test_a_stale_change_names_every_change_since_newest_first(
    service, customer, alice, bob, source
):
    seen = service.get(customer.id)
    service.update(customer.id, CustomerUpdate(email="x@example.com"), actor=alice)
    service.attach_source(customer.id, source(), actor=bob)
    with pytest.raises(StaleVersion) as caught:
        service.update(customer.id, CustomerUpdate(type="business"), expected_version=seen.version)
    assert caught.value.changed_by == bob.username
    assert "email" in caught.value.fields
    assert "defaultSourceId" in caught.value.fields


# -- local store: the event is written in the change's own transaction ------------------------


@pytest.mark.parametrize("backend", ["local"])
def test_on_local_a_failure_before_commit_leaves_neither_the_change_nor_the_event(
    service, audit, customer, bob, monkeypatch
):
    record = AuditLog.add

    def add_then_fail(session: Session, event: AuditEvent) -> None:
        record(session, event)
        session.flush()  # the customer row and the event are both written, not yet committed
        written = session.scalar(select(CustomerRow.enabled).where(CustomerRow.id == customer.id))
        assert written is False
        raise RuntimeError("the database went away before the commit")

    monkeypatch.setattr(service.audit, "add", add_then_fail)
    count = len(events(audit, customer.id))
    with pytest.raises(RuntimeError):
        service.set_enabled(customer.id, False, reason_code="chargeback", actor=bob)
    monkeypatch.undo()
    assert len(events(audit, customer.id)) == count
    assert service.get(customer.id) == customer


@pytest.mark.parametrize("backend", ["local"])
def test_on_local_the_event_and_the_change_commit_together(service, audit, customer, bob):
    after = service.set_enabled(customer.id, False, reason_code="chargeback", actor=bob)
    event = events(audit, customer.id)[-1]
    assert (event.version_after, after.version, after.enabled) == (after.version, 2, False)


# -- Digital River: failed attempts ------------------------------------------------------------


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_failed_attempt_is_recorded_as_failed_with_the_request_id(
    service, audit, customer, bob, dr_emulator
):
    emulator = dr_emulator.app
    emulator.fail_next(503, method="POST", path_prefix=f"/customers/{customer.id}")
    with pytest.raises(BackendUnavailable) as caught:
        service.set_enabled(
            customer.id, False, reason_code="account_takeover", note="Reported by phone", actor=bob
        )
    [refused] = emulator.requests_to("POST", f"/customers/{customer.id}")
    event = events(audit, customer.id)[-1]
    assert (event.action, event.outcome, event.actor_username, event.backend) == (
        "customer.disable",
        "failed",
        bob.username,
        "digitalriver",
    )
    assert (event.reason_code, event.note) == ("account_takeover", "Reported by phone")
    assert event.request_id == refused.request_id == caught.value.request_id
    assert event.error is not None and event.error.startswith("unavailable: ")
    assert event.changes == ()
    assert event.version_after is None
    assert service.get(customer.id) == customer
    assert emulator.customer(customer.id)["enabled"] is True


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_failed_attempt_never_counts_as_a_change_for_stale_checks(
    service, audit, customer, alice, bob, dr_emulator
):
    dr_emulator.app.fail_next(503, method="POST", path_prefix=f"/customers/{customer.id}")
    with pytest.raises(BackendUnavailable):
        service.update(customer.id, CustomerUpdate(email="lost@example.com"), actor=bob)
    assert audit.changes_after(customer.id, customer.version) == ()
    after = service.set_enabled(
        customer.id,
        False,
        reason_code="chargeback",
        actor=alice,
        expected_version=customer.version,
    )
    assert after.enabled is False


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_refusal_by_dr_itself_is_recorded_as_failed(
    service, audit, customer, bob, dr_emulator
):
    other = service.create(NewCustomer(id="cus-" + uuid.uuid4().hex[:12]))
    card = dr_emulator.app.add_source()["id"]
    service.attach_source(other.id, card)
    with pytest.raises(Conflict) as caught:
        service.attach_source(customer.id, card, actor=bob)
    event = events(audit, customer.id)[-1]
    assert (event.action, event.outcome) == ("source.attach", "failed")
    assert event.error.startswith("source_in_use: ")
    assert event.request_id == caught.value.request_id


# -- searching the log ------------------------------------------------------------------------


@pytest.fixture
def log(database_url: str):
    """An audit log on the test database, apart from any app or backend."""
    engine = make_engine(database_url)
    yield AuditLog(engine)
    engine.dispose()


@pytest.fixture
def recorded(log: AuditLog) -> dict[str, object]:
    """Twelve events an hour apart, by two actors on two customers, with this test's names, on
    a day far in the future that no other test writes in."""
    tag = uuid.uuid4().hex[:8]
    base = dt.datetime(2100, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=uuid.uuid4().int % 10**6)
    actors = [f"ann-{tag}", f"ben-{tag}"]
    customers = [f"c1-{tag}", f"c2-{tag}"]
    actions = ["customer.update", "customer.disable", "source.attach"]
    made = []
    for i in range(12):
        event = AuditEvent(
            occurred_time=base + dt.timedelta(hours=i),
            actor_username=actors[i % 2],
            action=actions[i % 3],
            customer_id=customers[(i // 2) % 2],
            changes=(FieldChange("email", f"{i}@a.example", f"{i}@b.example"),),
            version_after=i + 2,
        )
        log.record(event)
        made.append(event)
    return {"tag": tag, "base": base, "actors": actors, "customers": customers, "events": made}


def mine(recorded: dict[str, object], **filters) -> AuditQuery:
    """A query limited to this test's events (a time window no other test writes in)."""
    base = recorded["base"]
    window = {"since": base, "until": base + dt.timedelta(hours=12)}
    return AuditQuery(**{**window, **filters})


def hours(recorded: dict[str, object], events: Iterable[AuditEvent]) -> list[int]:
    """The events as hours after the first of this test's events."""
    return [int((e.occurred_time - recorded["base"]).total_seconds() // 3600) for e in events]


def test_search_filters_by_actor_action_customer_and_time(log, recorded):
    ann, ben = recorded["actors"]
    c1, c2 = recorded["customers"]
    assert hours(recorded, log.search(mine(recorded, actor=ann)).events) == [10, 8, 6, 4, 2, 0]
    assert hours(
        recorded, log.search(mine(recorded, actor=ben, action="source.attach")).events
    ) == [11, 5]
    assert hours(recorded, log.search(mine(recorded, customer_id=c2)).events) == [
        11,
        10,
        7,
        6,
        3,
        2,
    ]
    assert hours(recorded, log.search(mine(recorded, actor=ann, customer_id=c1)).events) == [
        8,
        4,
        0,
    ]
    window = mine(
        recorded,
        actor=ann,
        since=recorded["base"] + dt.timedelta(hours=2),
        until=recorded["base"] + dt.timedelta(hours=8),
    )
    assert hours(recorded, log.search(window).events) == [
        6,
        4,
        2,
    ]  # since inclusive, until exclusive
    assert log.search(mine(recorded, actor=f"nobody-{recorded['tag']}")).events == ()


def test_search_keeps_what_was_recorded(log, recorded):
    [event] = log.search(
        mine(
            recorded,
            actor=recorded["actors"][1],
            action="customer.disable",
            since=recorded["base"] + dt.timedelta(hours=1),
            until=recorded["base"] + dt.timedelta(hours=2),
        )
    ).events
    original = recorded["events"][1]
    assert event.id is not None
    assert event.occurred_time == original.occurred_time
    assert (event.customer_id, event.changes, event.version_after, event.outcome) == (
        original.customer_id,
        original.changes,
        original.version_after,
        "succeeded",
    )


def test_search_pages_by_keyset_newest_first_without_gaps_or_repeats(log, recorded):
    seen: list[AuditEvent] = []
    after = None
    while True:
        page = log.search(mine(recorded, after=after, limit=5))
        seen.extend(page.events)
        if page.next_key is None:
            break
        assert len(page.events) == 5
        after = page.next_key
    assert hours(recorded, seen) == list(range(11, -1, -1))
    assert len({e.id for e in seen}) == 12


def test_events_in_the_same_instant_page_apart_by_id(log):
    tag = uuid.uuid4().hex[:8]
    moment = dt.datetime(2002, 1, 1, tzinfo=dt.UTC)
    for i in range(7):
        log.record(AuditEvent(moment, f"tie-{tag}", "customer.update", f"c-{tag}-{i}"))
    query = AuditQuery(actor=f"tie-{tag}", limit=3)
    first = log.search(query)
    second = log.search(AuditQuery(actor=f"tie-{tag}", limit=3, after=first.next_key))
    third = log.search(AuditQuery(actor=f"tie-{tag}", limit=3, after=second.next_key))
    ids = [e.id for e in (*first.events, *second.events, *third.events)]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 7
    assert third.next_key is None


def test_iterate_streams_every_matching_event_in_search_order(log, recorded):
    everything = list(log.iterate(mine(recorded), batch=4))
    assert hours(recorded, everything) == list(range(11, -1, -1))
    assert [e.id for e in everything] == [
        e.id for e in log.search(mine(recorded, limit=500)).events
    ]
    ann = recorded["actors"][0]
    assert hours(recorded, log.iterate(mine(recorded, actor=ann), batch=2)) == [10, 8, 6, 4, 2, 0]


def test_changes_after_lists_successful_changes_since_a_version(log):
    tag = uuid.uuid4().hex[:8]
    customer_id = f"cv-{tag}"
    for version, outcome, who in [
        (1, "succeeded", "a"),
        (2, "succeeded", "b"),
        (None, "failed", "c"),
        (3, "succeeded", "d"),
    ]:
        log.record(
            AuditEvent(
                dt.datetime.now(dt.UTC),
                f"{who}-{tag}",
                "customer.update",
                customer_id,
                outcome=outcome,
                version_after=version,
            )
        )
    assert [e.actor_username for e in log.changes_after(customer_id, 1)] == [f"d-{tag}", f"b-{tag}"]
    assert log.changes_after(customer_id, 3) == ()
