"""Bulk blocks, blocks with a review date and four-eyes unblock proposals, as services: each
customer's own outcome and audit event tied to the batch, on the local store (one transaction)
and on Digital River (customer by customer); the review queue by the clock; the proposer
cannot approve their own."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.services.actors import Actor
from app.services.audit import AuditQuery
from app.services.blocks import review_date, run_batch
from app.services.customers import NewCustomer
from app.services.errors import Conflict, InvalidParameter
from app.services.unblocks import needs_second_officer

FRED = Actor(11, "fred", "Fred Fraud")
FAY = Actor(12, "fay", "Fay Fraud")


@pytest.fixture(params=["local", "digitalriver"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def fraud(app, service):
    with app.app_context():
        from app.context import services

        held = services()
        yield held.batches, held.blocks, held.unblocks, held.audit


def make(service, n: int, **fields) -> list[str]:
    tag = uuid.uuid4().hex[:6]
    return [
        service.create(NewCustomer(email=f"b{i}.{tag}@example.com", **fields)).id for i in range(n)
    ]


def test_a_bulk_block_disables_each_customer_with_its_own_event_tied_to_the_batch(
    service, fraud, backend
):
    batches, blocks, _, audit = fraud
    enabled = make(service, 4)
    disabled = make(service, 1, enabled=False)
    ids = [*enabled, *disabled, "no-such-customer"]
    batch_id = batches.start(
        ids,
        reason_code="suspected_fraud",
        note="Ring from ticket F-12",
        review_by=dt.date(2031, 1, 1),
        actor=FRED,
        now=dt.datetime.now(dt.UTC),
    )

    batch = run_batch(service, batches, blocks, batch_id, ids, actor=FRED)

    outcomes = {i.customer_id: i.outcome for i in batch.items}
    assert [outcomes[i] for i in enabled] == ["disabled"] * 4
    assert outcomes[disabled[0]] == "skipped_disabled"
    assert outcomes["no-such-customer"] == "not_found"
    assert all(not service.get(i).enabled for i in enabled)
    events = audit.search(AuditQuery(batch_id=batch_id, limit=50)).events
    assert sorted(e.customer_id for e in events) == sorted(enabled)
    assert {(e.action, e.reason_code, e.note) for e in events} == {
        ("customer.disable", "suspected_fraud", "Ring from ticket F-12")
    }
    block = blocks.open_for(enabled[0])
    assert block is not None and block.batch_id == batch_id
    assert block.review_by == dt.date(2031, 1, 1) and block.blocked_by == "fred"
    assert batch.retryable == ()


def test_a_bulk_block_refuses_a_missing_reason_before_anything_changes(service, backend):
    ids = make(service, 2)
    with pytest.raises(InvalidParameter):
        service.disable_many(ids, reason_code="", note=None, actor=FRED, batch_id="B-X")
    assert all(service.get(i).enabled for i in ids)


@pytest.mark.parametrize("backend", ["local"])
def test_the_local_store_blocks_two_hundred_in_one_go(service, fraud, backend):
    batches, blocks, _, _ = fraud
    ids = make(service, 200)
    batch_id = batches.start(
        ids, reason_code="chargeback", note=None, review_by=None, actor=FRED,
        now=dt.datetime.now(dt.UTC),
    )  # fmt: skip

    batch = run_batch(service, batches, blocks, batch_id, ids, actor=FRED)

    assert batch.counts() == {"disabled": 200}


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_failure_is_that_customer_s_outcome_and_can_be_retried(
    service, fraud, backend, dr_emulator
):
    batches, blocks, _, _ = fraud
    ids = make(service, 3)
    batch_id = batches.start(
        ids, reason_code="chargeback", note=None, review_by=None, actor=FRED,
        now=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    # Updates are not retried: one refused POST is that customer's failure.
    dr_emulator.app.fail_next(500, times=1, method="POST", path_prefix=f"/customers/{ids[1]}")

    batch = run_batch(service, batches, blocks, batch_id, ids, actor=FRED)

    outcomes = {i.customer_id: i.outcome for i in batch.items}
    assert outcomes == {ids[0]: "disabled", ids[1]: "failed", ids[2]: "disabled"}
    assert [i.customer_id for i in batch.retryable] == [ids[1]]

    again = run_batch(service, batches, blocks, batch_id, [ids[1]], actor=FRED)

    assert again.counts() == {"disabled": 3}


def test_pending_items_are_settled_from_the_audit_trail(service, fraud, backend):
    batches, _, _, _ = fraud
    ids = make(service, 2)
    batch_id = batches.start(
        ids, reason_code="chargeback", note=None, review_by=None, actor=FRED,
        now=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    # The disables happened but the process died before their outcomes were recorded.
    service.disable_many(
        ids[:1], reason_code="chargeback", note=None, actor=FRED, batch_id=batch_id
    )

    batch = batches.get(batch_id)

    assert [i.outcome for i in batch.items] == ["disabled", "pending"]
    assert [i.customer_id for i in batch.retryable] == [ids[1]]


# -- review dates and the queue --------------------------------------------------------------

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("choice", "on", "expected"),
    [
        ("", None, None),
        ("7", None, dt.date(2026, 12, 10)),
        ("30", None, dt.date(2027, 1, 2)),
        ("90", None, dt.date(2027, 3, 3)),
        ("date", dt.date(2027, 5, 1), dt.date(2027, 5, 1)),
    ],
)
def test_the_review_choices_give_their_dates(choice, on, expected):
    assert review_date(choice, on, today=TODAY) == expected


@pytest.mark.parametrize(
    ("choice", "on", "parameter"),
    [("date", None, "review_on"), ("date", TODAY, "review_on"), ("12", None, "review")],
)
def test_a_bad_review_date_is_refused_at_its_field(choice, on, parameter):
    with pytest.raises(InvalidParameter) as raised:
        review_date(choice, on, today=TODAY)
    assert raised.value.errors[0].parameter == parameter


@pytest.mark.parametrize("backend", ["local"])
def test_a_block_shows_in_the_queue_when_due_and_is_kept_or_lifted(fraud, backend):
    _, blocks, _, audit = fraud
    now = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    blocks.clock = lambda: now
    blocks.record(
        "c-1", reason_code="suspected_fraud", note=None, review_by=dt.date(2026, 12, 10), actor=FRED
    )
    blocks.record(
        "c-2", reason_code="chargeback", note=None, review_by=dt.date(2026, 12, 5), actor=FRED
    )
    blocks.record("c-3", reason_code="chargeback", note=None, review_by=None, actor=FRED)
    assert blocks.due() == ()

    blocks.clock = lambda: now + dt.timedelta(days=8)

    assert [b.customer_id for b in blocks.due()] == ["c-2", "c-1"]
    kept = blocks.keep(
        blocks.due()[0].id, until=dt.date(2027, 1, 31), note="Still disputed", actor=FAY
    )
    assert kept.review_by == dt.date(2027, 1, 31) and kept.reviewed_by == "fay"
    blocks.lift("c-1", actor=FAY, note="Cleared")
    assert blocks.due() == () and blocks.open_for("c-1") is None
    events = audit.search(AuditQuery(action="customer.block_reviewed", limit=5)).events
    assert [e.note for e in events] == ["Kept blocked until 2027-01-31: Still disputed"]


@pytest.mark.parametrize("backend", ["local"])
def test_keeping_a_block_needs_a_reason_and_a_later_date(fraud, backend):
    _, blocks, _, _ = fraud
    blocks.record(
        "c-9", reason_code="chargeback", note=None, review_by=dt.date(2026, 1, 1), actor=FRED
    )
    block = blocks.open_for("c-9")
    with pytest.raises(InvalidParameter):
        blocks.keep(block.id, until=dt.date(2099, 1, 1), note=" ", actor=FAY)
    with pytest.raises(InvalidParameter):
        blocks.keep(block.id, until=blocks.today(), note="x", actor=FAY)


# -- four-eyes unblocking --------------------------------------------------------------------


def test_only_fraud_and_takeover_blocks_need_a_second_officer():
    assert needs_second_officer(False, "suspected_fraud")
    assert needs_second_officer(False, "account_takeover")
    assert not needs_second_officer(False, "chargeback")
    assert not needs_second_officer(True, "suspected_fraud")


@pytest.mark.parametrize("backend", ["local"])
def test_the_proposer_cannot_approve_their_own_unblock(fraud, backend):
    _, _, unblocks, audit = fraud
    proposal = unblocks.propose("c-5", reason_code="fraud_review_cleared", note=None, actor=FRED)
    with pytest.raises(Conflict) as raised:
        unblocks.decide(proposal.id, approve=True, actor=FRED)
    assert raised.value.code == "own_proposal"
    with pytest.raises(Conflict):
        unblocks.propose("c-5", reason_code="fraud_review_cleared", note=None, actor=FAY)

    decided = unblocks.decide(proposal.id, approve=True, actor=FAY)

    assert decided.status == "approved" and decided.decided_by == "fay"
    with pytest.raises(Conflict) as again:
        unblocks.decide(proposal.id, approve=False, actor=FAY, note="No")
    assert again.value.code == "already_decided"
    actions = [e.action for e in audit.search(AuditQuery(customer_id="c-5", limit=5)).events]
    assert actions == ["customer.unblock_approved", "customer.unblock_proposed"]
