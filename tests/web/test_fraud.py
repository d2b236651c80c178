"""The fraud page and its forms: a disable's review date, the review queue (keep or lift,
saying why), bulk blocks from a preview with a retry for failures, and four-eyes unblocking."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from werkzeug.datastructures import MultiDict

from app.services.audit import Actor, AuditQuery
from app.services.customers import BlockOutcome, NewCustomer
from tests.conftest import csrf_token, sign_in

from .conftest import html
from .dom import control_value, field_error, form_values
from .inline_helpers import detail, form_at, post, submit

OFFICER = Actor(None, "someone")


@pytest.fixture
def desk(app):
    return app.extensions["customer_desk"]


@pytest.fixture
def fraud(app, make_staff):
    client = app.test_client()
    sign_in(client, make_staff("fraud", username="frieda"))
    return client


@pytest.fixture
def second(app, make_staff):
    client = app.test_client()
    sign_in(client, make_staff("fraud", username="gustav"))
    return client


@pytest.fixture
def make(service):
    def create(**kwargs) -> str:
        kwargs.setdefault("email", f"f.{uuid.uuid4().hex[:8]}@example.com")
        return service.create(NewCustomer(**kwargs)).id

    return create


def move_clock(desk, days: int) -> dt.datetime:
    moved = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    desk.blocks.clock = lambda: moved
    return moved


def disable(client, customer_id: str, **changes):
    page = detail(client, customer_id)
    values = {"reason": "suspected_fraud", "note": "ring", **changes}
    return post(client, page, f"/customers/{customer_id}/disable", values)


# -- a disable's review date -------------------------------------------------------------------


def test_disabling_with_a_review_date_records_the_block_and_the_page_says_so(
    fraud, make, desk, service
) -> None:
    cid = make()

    response = disable(fraud, cid, review="7")

    assert response.status_code == 303
    assert not service.get(cid).enabled
    block = desk.blocks.open_for(cid)
    assert block.reason_code == "suspected_fraud"
    assert block.blocked_by == "frieda"
    assert block.review_by == desk.blocks.today() + dt.timedelta(days=7)
    facts = detail(fraud, cid).by_id("block-facts").text
    assert f"To be reviewed by {block.review_by.isoformat()}" in facts
    assert "Blocked by frieda" in facts


def test_a_review_date_in_the_past_is_refused_next_to_the_field(fraud, make, service) -> None:
    cid = make()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()

    response = disable(fraud, cid, review="date", review_on=yesterday)

    assert response.status_code == 422
    page = html(response)
    assert field_error(page, "review_on") == "The review date must be after today."
    assert form_values(form_at(page, f"/customers/{cid}/disable"))["note"].strip() == "ring"
    assert service.get(cid).enabled


def test_on_a_date_without_a_date_asks_for_one(fraud, make, service) -> None:
    cid = make()

    response = disable(fraud, cid, review="date")

    assert response.status_code == 422
    assert field_error(html(response), "review_on") == "Enter the review date."
    assert service.get(cid).enabled


def test_enabling_lifts_the_block(fraud, make, desk) -> None:
    cid = make()
    disable(fraud, cid, review="30", reason="chargeback")

    response = post(
        fraud, detail(fraud, cid), f"/customers/{cid}/enable", {"reason": "fraud_review_cleared"}
    )

    assert response.status_code == 303
    assert desk.blocks.open_for(cid) is None


# -- the review queue --------------------------------------------------------------------------


def test_a_block_shows_in_the_queue_only_once_due_oldest_first(fraud, make, desk) -> None:
    first, later, never = make(), make(), make()
    disable(fraud, first, review="7")
    disable(fraud, later, review="30")
    disable(fraud, never)

    assert html(fraud.get("/fraud")).by_id("review-queue").find("p", "empty").text == (
        "No block is due for review."
    )

    move_clock(desk, 8)
    queue = html(fraud.get("/fraud")).by_id("review-queue")
    assert [row.find("a", "id").text for row in queue.find_all("tr", "due-block")] == [first]
    assert "1 day overdue" in queue.text

    move_clock(desk, 31)
    queue = html(fraud.get("/fraud")).by_id("review-queue")
    assert [row.find("a", "id").text for row in queue.find_all("tr", "due-block")] == [
        first,
        later,
    ]
    assert queue.find("h2").text == "Due for review (2)"


def test_the_queue_row_says_who_blocked_why_and_how_many_are_linked(fraud, make, desk) -> None:
    mailbox = f"ring.{uuid.uuid4().hex[:6]}"
    cid = make(email=f"{mailbox}@gmail.com")
    make(email=f"{mailbox}+two@gmail.com")
    make(email=f"{mailbox.replace('.', '')}@googlemail.com")
    disable(fraud, cid, review="7", reason="account_takeover", note="Reported by the bank")
    move_clock(desk, 8)

    row = html(fraud.get("/fraud")).by_id(f"block-{desk.blocks.open_for(cid).id}")

    assert "by frieda" in row.text
    assert "Account takeover" in row.text
    assert "Reported by the bank" in row.text
    assert row.find("td", "linked-total").text == "2"


def test_keeping_a_block_needs_a_reason_and_a_later_date(fraud, make, desk) -> None:
    cid = make()
    disable(fraud, cid, review="7")
    move_clock(desk, 8)
    block = desk.blocks.open_for(cid)
    queue = html(fraud.get("/fraud"))

    refused = submit(fraud, queue.by_id(f"keep-{block.id}"), {f"keep-{block.id}-note": ""})

    assert refused.status_code == 422
    assert field_error(html(refused), f"keep-{block.id}-note") == "Say why the block stays."
    assert desk.blocks.get(block.id).review_by == block.review_by

    past = desk.blocks.today().isoformat()
    refused = submit(
        fraud,
        queue.by_id(f"keep-{block.id}"),
        {f"keep-{block.id}-until": past, f"keep-{block.id}-note": "still suspicious"},
    )
    assert refused.status_code == 422
    assert field_error(html(refused), f"keep-{block.id}-until") == (
        "Keep it until a date after today."
    )


def test_keeping_a_block_moves_its_review_date_and_is_audited(fraud, make, desk) -> None:
    cid = make()
    disable(fraud, cid, review="7")
    move_clock(desk, 8)
    block = desk.blocks.open_for(cid)
    until = desk.blocks.today() + dt.timedelta(days=60)

    response = submit(
        fraud,
        html(fraud.get("/fraud")).by_id(f"keep-{block.id}"),
        {f"keep-{block.id}-until": until.isoformat(), f"keep-{block.id}-note": "chargeback"},
    )

    assert response.status_code == 303
    kept = desk.blocks.get(block.id)
    assert (kept.review_by, kept.reviewed_by, kept.review_note) == (until, "frieda", "chargeback")
    assert not html(fraud.get("/fraud")).by_id("review-queue").has("tr", "due-block")
    event = desk.audit.latest(cid, "customer.block_reviewed")
    assert event.note == f"Kept blocked until {until.isoformat()}: chargeback"
    assert event.actor_username == "frieda"


def test_lifting_a_block_enables_the_customer_with_the_reason(fraud, make, desk, service) -> None:
    cid = make()
    disable(fraud, cid, review="7", reason="chargeback")
    move_clock(desk, 8)
    block = desk.blocks.open_for(cid)
    form = html(fraud.get("/fraud")).by_id(f"lift-{block.id}")

    refused = submit(fraud, form, {})
    assert refused.status_code == 422
    assert field_error(html(refused), f"lift-{block.id}-reason") == (
        "Choose why the customer is enabled again."
    )
    assert not service.get(cid).enabled

    response = submit(fraud, form, {f"lift-{block.id}-reason": "fraud_review_cleared"})

    assert response.status_code == 303
    assert service.get(cid).enabled
    assert desk.blocks.get(block.id).status == "lifted"
    assert desk.audit.latest(cid, "customer.enable").reason_code == "fraud_review_cleared"
    assert not html(fraud.get("/fraud")).by_id("review-queue").has("tr", "due-block")


# -- bulk blocks -------------------------------------------------------------------------------


def submit_all(client, form, changes=None):
    """Post ``form`` as a browser would, every value of a repeated name (the ids) kept."""
    pairs = []
    for control in form.iter():
        name = control.get("name")
        if control.tag not in ("input", "select", "textarea") or not name:
            continue
        if control.get("type") in ("submit", "button", "reset"):
            continue
        value = control_value(control)
        if value is not None and name not in (changes or {}):
            pairs.append((name, value))
    pairs += list((changes or {}).items())
    return client.post(form.get("action"), data=MultiDict(pairs))


def preview(client, ids, **extra):
    token = csrf_token(client, "/fraud")
    return client.post("/fraud/block/preview", data={"csrf_token": token, "ids": ids, **extra})


def test_the_preview_says_exactly_who_will_be_disabled_and_who_is_skipped(
    fraud, make, service
) -> None:
    will = [make(), make()]
    off = make(enabled=False)
    gone = make()
    service.request_forget(gone, reason="GDPR-1", actor=OFFICER)

    page = html(preview(fraud, [will[0], off, gone, "cus-nobody", will[1], will[0]]))

    kinds = {
        row.find("td").text: row.get("data-kind")
        for row in page.by_id("preview-table").find("tbody").find_all("tr")
    }
    assert kinds == {
        will[0]: "will_disable",
        off: "disabled",
        gone: "forgotten",
        "cus-nobody": "not_found",
        will[1]: "will_disable",
    }
    assert page.by_id("preview-summary").text.startswith("2 of 5 selected will be disabled")
    form = page.by_id("block-form")
    assert [i.get("value") for i in form.find_all("input", name="ids")] == will
    assert service.get(will[0]).enabled  # a preview changes nothing


def test_a_preview_of_nobody_goes_back_with_a_message(fraud) -> None:
    response = preview(fraud, [], next="/customers/cus-x")

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-x"


def test_a_bulk_block_disables_each_with_its_own_audit_event_tied_to_one_batch(
    fraud, make, desk, service
) -> None:
    ids = [make() for _ in range(5)]
    form = html(preview(fraud, ids)).by_id("block-form")

    response = submit_all(
        fraud, form, {"reason": "suspected_fraud", "note": "ring 42", "review": "30"}
    )

    assert response.status_code == 303
    batch_id = re.fullmatch(r"/fraud/batches/(B-[0-9A-F]+)", response.headers["Location"])[1]
    assert not any(service.get(cid).enabled for cid in ids)
    events = desk.audit.search(AuditQuery(batch_id=batch_id)).events
    assert sorted(e.customer_id for e in events) == sorted(ids)
    assert {(e.action, e.reason_code, e.note, e.actor_username) for e in events} == {
        ("customer.disable", "suspected_fraud", "ring 42", "frieda")
    }
    review = desk.blocks.today() + dt.timedelta(days=30)
    assert {desk.blocks.open_for(cid).review_by for cid in ids} == {review}
    assert {desk.blocks.open_for(cid).batch_id for cid in ids} == {batch_id}

    page = html(fraud.get(response.headers["Location"]))
    assert page.by_id("batch-summary").text == "5 disabled."
    assert not page.has("div", id="batch-failures")
    assert page.by_id("batch-audit").get("href") == f"/audit?batch={batch_id}"
    trail = html(fraud.get(f"/audit?batch={batch_id}")).by_id("audit-results")
    assert all(cid in trail.text for cid in ids)


def test_a_bulk_block_without_a_reason_is_refused_and_nothing_changes(
    fraud, make, service, desk
) -> None:
    ids = [make(), make()]
    form = html(preview(fraud, ids)).by_id("block-form")

    response = submit_all(fraud, form, {"reason": "", "note": "typed"})

    assert response.status_code == 422
    page = html(response)
    assert field_error(page, "reason") == "Choose why these customers are disabled."
    assert form_values(page.by_id("block-form"))["note"].strip() == "typed"
    assert all(service.get(cid).enabled for cid in ids)
    assert desk.batches.recent() == ()


def test_failures_are_listed_with_a_retry_that_sends_only_them(
    fraud, make, service, monkeypatch
) -> None:
    ids = [make() for _ in range(4)]
    real = service.disable_many
    sent: list[list[str]] = []

    def flaky(customer_ids, **kwargs):
        sent.append(list(customer_ids))
        if len(sent) > 1:
            return real(customer_ids, **kwargs)
        done = real(customer_ids[:2], **kwargs)
        failed = tuple(
            BlockOutcome(cid, "failed", "Digital River did not answer in time.")
            for cid in customer_ids[2:]
        )
        return done + failed

    monkeypatch.setattr(service, "disable_many", flaky)
    form = html(preview(fraud, ids)).by_id("block-form")
    location = submit_all(fraud, form, {"reason": "suspected_fraud"}).headers["Location"]

    page = html(fraud.get(location))
    assert page.by_id("batch-summary").text == "2 disabled; 2 failed."
    outcomes = [r.get("data-outcome") for r in page.by_id("batch-items").find_all("tr")[1:]]
    assert outcomes == ["disabled", "disabled", "failed", "failed"]
    assert "Digital River did not answer in time." in page.by_id("batch-items").text
    assert [service.get(cid).enabled for cid in ids] == [False, False, True, True]

    retried = submit(fraud, page.by_id("batch-failures").find("form"))

    assert retried.status_code == 303
    assert sent[1] == ids[2:]
    page = html(fraud.get(location))
    assert page.by_id("batch-summary").text == "4 disabled."
    assert not any(service.get(cid).enabled for cid in ids)


def test_the_linked_panel_and_the_search_rows_select_for_a_bulk_block(
    fraud, client_as, make
) -> None:
    mailbox = f"sel.{uuid.uuid4().hex[:6]}"
    cid = make(email=f"{mailbox}@gmail.com")
    other = make(email=f"{mailbox}+x@gmail.com")

    panel = detail(fraud, cid).by_id("linked-select")
    assert panel.get("action") == "/fraud/block/preview"
    assert {i.get("value") for i in panel.find_all("input", name="ids")} == {cid, other}

    results = html(fraud.get(f"/?q={mailbox}")).by_id("results")
    boxes = results.find_all("input", name="ids")
    assert boxes and all(b.get("form") == "results-select" for b in boxes)
    assert results.by_id("results-select").get("action") == "/fraud/block/preview"

    viewer = html(client_as("viewer").get(f"/?q={mailbox}")).by_id("results")
    assert not viewer.has("input", name="ids")
    assert not detail(client_as("agent"), cid).has("form", id="linked-select")


# -- four-eyes unblocking ----------------------------------------------------------------------


class TestFourEyes:
    @pytest.fixture
    def extra_config(self):
        return {"FORGET_FOUR_EYES": False, "UNBLOCK_FOUR_EYES": True}

    def test_enabling_a_fraud_block_is_a_proposal_the_proposer_cannot_approve(
        self, fraud, second, make, desk, service
    ) -> None:
        cid = make()
        disable(fraud, cid, reason="suspected_fraud")
        page = detail(fraud, cid)
        assert "a second fraud officer must approve it" in page.by_id(f"enabled-{cid}").text

        response = post(
            fraud,
            page,
            f"/customers/{cid}/enable",
            {"reason": "fraud_review_cleared", "note": "cleared"},
        )

        assert response.status_code == 303
        assert not service.get(cid).enabled
        proposal = desk.unblocks.open_for(cid)
        assert (proposal.proposed_by, proposal.reason_code) == ("frieda", "fraud_review_cleared")
        mine = detail(fraud, cid).by_id("unblock-pending")
        assert "You proposed this" in mine.text
        assert not mine.has("form")

        token = csrf_token(fraud, "/fraud")
        refused = fraud.post(f"/fraud/unblocks/{proposal.id}/approve", data={"csrf_token": token})
        assert refused.status_code == 303
        assert not service.get(cid).enabled

        theirs = detail(second, cid).by_id("unblock-pending")
        approved = submit(second, form_at(theirs, f"/fraud/unblocks/{proposal.id}/approve"))

        assert approved.status_code == 303
        assert service.get(cid).enabled
        assert desk.blocks.open_for(cid) is None
        event = desk.audit.latest(cid, "customer.enable")
        assert (event.actor_username, event.reason_code, event.note) == (
            "gustav",
            "fraud_review_cleared",
            "cleared",
        )
        assert desk.audit.latest(cid, "customer.unblock_approved").actor_username == "gustav"

    def test_a_rejection_needs_a_reason_and_keeps_the_customer_disabled(
        self, fraud, second, make, desk, service
    ) -> None:
        cid = make()
        disable(fraud, cid, reason="account_takeover")
        post(
            fraud,
            detail(fraud, cid),
            f"/customers/{cid}/enable",
            {"reason": "fraud_review_cleared"},
        )
        proposal = desk.unblocks.open_for(cid)
        queue = html(second.get("/fraud")).by_id("unblock-queue")
        form = form_at(queue, f"/fraud/unblocks/{proposal.id}/reject")

        submit(second, form, {"note": ""})
        assert desk.unblocks.get(proposal.id).status == "open"

        submit(second, form, {"note": "the bank confirmed the takeover"})

        assert desk.unblocks.get(proposal.id).status == "rejected"
        assert not service.get(cid).enabled
        assert desk.blocks.open_for(cid) is not None

    def test_other_reasons_enable_at_once(self, fraud, make, service, desk) -> None:
        cid = make()
        disable(fraud, cid, reason="chargeback")

        post(
            fraud,
            detail(fraud, cid),
            f"/customers/{cid}/enable",
            {"reason": "fraud_review_cleared"},
        )

        assert service.get(cid).enabled
        assert desk.unblocks.open_for(cid) is None

    def test_lifting_from_the_queue_proposes_too(self, fraud, make, desk, service) -> None:
        cid = make()
        disable(fraud, cid, reason="suspected_fraud", review="7")
        move_clock(desk, 8)
        block = desk.blocks.open_for(cid)

        submit(
            fraud,
            html(fraud.get("/fraud")).by_id(f"lift-{block.id}"),
            {f"lift-{block.id}-reason": "fraud_review_cleared"},
        )

        assert not service.get(cid).enabled
        assert desk.unblocks.open_for(cid).proposed_by == "frieda"
        row = f"unblock-{desk.unblocks.open_for(cid).id}"
        assert html(fraud.get("/fraud")).by_id("unblock-queue").has("tr", id=row)


def test_a_fraud_officer_sees_the_fraud_page_in_the_menu_others_do_not(client_as) -> None:
    assert html(client_as("fraud").get("/")).find("nav").has("a", href="/fraud")
    assert not html(client_as("agent").get("/")).find("nav").has("a", href="/fraud")


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_digital_river_a_refused_customer_is_listed_and_the_retry_disables_it(
    fraud, make, service, desk, dr_emulator, backend
) -> None:
    ids = [make() for _ in range(3)]
    form = html(preview(fraud, ids)).by_id("block-form")
    # Updates are not retried by the client: one refused POST is that customer's failure.
    dr_emulator.app.fail_next(500, times=1, method="POST", path_prefix=f"/customers/{ids[1]}")

    location = submit_all(fraud, form, {"reason": "chargeback", "review": "7"}).headers["Location"]

    page = html(fraud.get(location))
    assert page.by_id("batch-summary").text == "2 disabled; 1 failed."
    failed = page.by_id("batch-items").find("tr", **{"data-outcome": "failed"})
    assert ids[1] in failed.text
    assert [service.get(cid).enabled for cid in ids] == [False, True, False]
    assert desk.blocks.open_for(ids[1]) is None  # no block for a customer not disabled

    submit(fraud, page.by_id("batch-failures").find("form"))

    assert html(fraud.get(location)).by_id("batch-summary").text == "3 disabled."
    assert not service.get(ids[1]).enabled
    assert desk.blocks.open_for(ids[1]).review_by == desk.blocks.today() + dt.timedelta(days=7)
