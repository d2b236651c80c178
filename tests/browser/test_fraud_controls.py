"""Journeys of the fraud team on the local store: a fraud officer opens a customer of a seeded
ring, sees its links by reason, bulk-blocks 20 of them with one reason after a preview, and
finds the batch in the audit trail; once the clock passes their review date the blocks are in
the review queue, one kept and one lifted, each with a reason; with four-eyes unblocking on,
one officer proposes to enable a customer blocked for fraud and another approves it. Axe
checks each new screen."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from app.demo.ring import make_ring
from app.services.customers import NewCustomer


@pytest.fixture
def backend() -> str:
    """Rings are seeded through the local store's writes (and DR links by email only)."""
    return "local"


def test_a_fraud_officer_bulk_blocks_a_ring_and_reviews_the_blocks(
    page: Page, live_server, app, service, make_staff, sign_in, a11y
) -> None:
    ring = make_ring(service, 30, id_prefix="ring-")
    desk = app.extensions["customer_desk"]
    sign_in(
        page, make_staff("fraud", username="fiona"), path=f"/login?next=/customers/{ring.ids[0]}"
    )

    panel = page.locator("#linked")
    expect(panel.locator("#linked-count")).to_contain_text("29 other customers")
    headings = panel.locator("h3[data-reason]")
    expect(headings.first).to_contain_text("Same email")
    reasons = headings.evaluate_all("els => els.map(e => e.dataset.reason)")
    assert {"email", "phone", "address", "card", "metadata"} <= set(reasons)
    a11y(page)

    email_group = panel.locator("section.link-group").first
    boxes = email_group.locator("tbody input[name='ids']")
    expect(boxes).to_have_count(29)
    chosen = []
    for n in range(20):
        box = boxes.nth(n)
        box.check()
        chosen.append(box.get_attribute("value"))
    # Ticked once, a customer is ticked in every group it appears in, and counted once.
    device_group = panel.locator("section.link-group:has(h3[data-reason='metadata'])")
    expect(device_group.locator(f"input[name='ids'][value='{chosen[0]}']")).to_be_checked()
    expect(panel.locator("[data-selected-count]")).to_have_text("20 selected")
    panel.get_by_role("button", name="Preview a bulk block…").click()

    expect(page.get_by_role("heading", name="Bulk block: preview")).to_be_visible()
    expect(page.locator("#preview-summary")).to_contain_text("20 of 20 selected will be disabled")
    a11y(page)
    assert all(service.get(cid).enabled for cid in chosen)  # the preview changes nothing
    form = page.locator("#block-form")
    form.get_by_label("Reason").select_option(label="Suspected fraud")
    form.get_by_label("Note").fill("Ring 7: one mailbox, one device")
    form.get_by_label("Review by").select_option(label="In 7 days")
    form.get_by_role("button", name="Disable 20 customers").click()

    expect(page.locator("#batch-summary")).to_have_text("20 disabled.")
    expect(page.locator("#batch-failures")).to_have_count(0)
    a11y(page)
    batch_id = page.locator("h1 .mono").inner_text()
    assert not any(service.get(cid).enabled for cid in chosen)
    assert service.get(ring.ids[0]).enabled  # not selected, not disabled

    page.get_by_role("link", name="Every event of this bulk block").click()
    expect(page.locator("#audit-results tbody tr")).to_have_count(20)
    expect(page.locator("#audit-results")).to_contain_text(batch_id)

    # Eight days on, the twenty blocks are due.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    desk.blocks.clock = lambda: later
    page.get_by_role("link", name="Fraud", exact=True).click()
    queue = page.locator("#review-queue")
    expect(queue.get_by_role("heading", level=2)).to_have_text("Due for review (20)")
    a11y(page)

    kept_id, lifted_id = chosen[0], chosen[1]
    kept = desk.blocks.open_for(kept_id)
    row = queue.locator(f"#block-{kept.id}")
    expect(row).to_contain_text("by fiona")
    row.locator("summary").click()
    until = (later.date() + dt.timedelta(days=60)).isoformat()
    row.get_by_label("Keep blocked until").fill(until)
    row.get_by_label("Why it stays blocked").fill("Chargebacks still open")
    row.get_by_role("button", name=f"Keep blocked {kept_id}").click()
    expect(page.locator("#flash")).to_contain_text(f"stays blocked until {until}")
    expect(page.locator("#review-queue h2")).to_have_text("Due for review (19)")

    lifted = desk.blocks.open_for(lifted_id)
    row = page.locator(f"#block-{lifted.id}")
    row.locator("summary").click()
    row.get_by_role("button", name=f"Unblock {lifted_id}").click()
    expect(row.get_by_label("Reason")).to_have_accessible_description(
        "Choose why the customer is enabled again."
    )
    row = page.locator(f"#block-{lifted.id}")
    row.get_by_label("Reason").select_option(label="Blocked in error")
    row.get_by_role("button", name=f"Unblock {lifted_id}").click()
    expect(page.locator("#flash")).to_contain_text(f"Customer {lifted_id} is enabled again")
    expect(page.locator("#review-queue h2")).to_have_text("Due for review (18)")

    assert service.get(lifted_id).enabled
    assert not service.get(kept_id).enabled
    assert desk.blocks.open_for(kept_id).review_by.isoformat() == until
    note = desk.audit.latest(kept_id, "customer.block_reviewed").note
    assert note == f"Kept blocked until {until}: Chargebacks still open"


class TestFourEyes:
    @pytest.fixture
    def extra_config(self) -> dict[str, object]:
        return {"FORGET_FOUR_EYES": False, "UNBLOCK_FOUR_EYES": True}

    def test_two_officers_unblock_a_customer_blocked_for_fraud(
        self, new_context, live_server, app, service, make_staff, sign_in, a11y
    ) -> None:
        cid = "cus-4eyes-unblock"
        service.create(NewCustomer(id=cid, email="ada@example.com"))
        olga, pete = new_context().new_page(), new_context().new_page()
        sign_in(olga, make_staff("fraud", username="olga"), path=f"/login?next=/customers/{cid}")

        olga.get_by_text("Disable this customer…").click()
        olga.get_by_label("Reason").select_option(label="Suspected fraud")
        olga.get_by_label("Review by").select_option(label="In 30 days")
        olga.get_by_role("button", name=f"Disable {cid}").click()
        expect(olga.locator("#flash")).to_contain_text("to be reviewed by")
        expect(olga.locator("#block-facts")).to_contain_text("Blocked by olga")

        olga.get_by_text("Enable this customer again…").click()
        olga.get_by_label("Reason").select_option(label="Fraud review cleared")
        olga.get_by_role("button", name=f"Propose to enable {cid}").click()
        expect(olga.locator("#flash")).to_contain_text("until a second fraud officer approves")
        banner = olga.locator("#unblock-pending")
        expect(banner).to_contain_text("You proposed this")
        expect(banner.get_by_role("button")).to_have_count(0)
        a11y(olga)
        assert not service.get(cid).enabled

        sign_in(pete, make_staff("fraud", username="pete"), path="/login?next=/fraud")
        queue = pete.locator("#unblock-queue")
        expect(queue).to_contain_text("olga")
        a11y(pete)
        queue.get_by_role("button", name=f"Approve and enable customer {cid}").click()
        expect(pete.locator("#flash")).to_contain_text(f"customer {cid} is enabled again")

        assert service.get(cid).enabled
        event = app.extensions["customer_desk"].audit.latest(cid, "customer.enable")
        assert (event.actor_username, event.reason_code) == ("pete", "fraud_review_cleared")


def test_a_search_page_is_selected_at_once_for_a_preview(
    page: Page, live_server, service, make_staff, sign_in
) -> None:
    for n in range(3):
        service.create(NewCustomer(id=f"cus-sel-{n}", email=f"sel{n}@example.com"))
    sign_in(page, make_staff("fraud", username="selma"), path="/login?next=/%3Fq%3Dsel")

    page.get_by_label("Select every customer on this page").check()
    expect(page.locator("[data-selected-count='results-select']")).to_have_text("3 selected")
    page.get_by_role("button", name="Preview a bulk block of the selected…").click()

    expect(page.locator("#preview-summary")).to_contain_text("3 of 3 selected will be disabled")
    ids = page.locator("#block-form input[name='ids']").evaluate_all("els => els.map(e => e.value)")
    assert sorted(ids) == ["cus-sel-0", "cus-sel-1", "cus-sel-2"]
