"""Requests to be forgotten, as every backend promises them: a reason is required; the request
is recorded once; afterwards every write is refused by the service and reads still work.

Each test runs on the local store and on DR's API (a fresh emulator). Where the backends
differ, the test says so: the local store erases the personal data at once (status
``erased``); DR is sent the request and logs it (status ``requested``), keeping the data
under its own retention policy (the emulator keeps it).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.audit import Actor, AuditQuery
from app.services.customers import (
    Address,
    Customer,
    CustomerUpdate,
    NewCustomer,
    NewTaxCertificate,
    SearchQuery,
    Shipping,
)
from app.services.errors import (
    BackendUnavailable,
    Conflict,
    CustomerForgotten,
    CustomerNotFound,
    InvalidParameter,
    ServiceError,
    StaleVersion,
)
from app.services.local.models import ForgetRequestRow
from app.services.privacy import ForgetRequest, PrivacyLog

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
OFFICER = Actor(7, "priya", "Priya Privacy")


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def audit(app):
    return app.extensions["customer_desk"].audit


@pytest.fixture
def privacy(app) -> PrivacyLog:
    return app.extensions["customer_desk"].privacy


@pytest.fixture
def customer(service) -> Customer:
    tag = uuid.uuid4().hex[:8]
    return service.create(
        NewCustomer(
            id="cus-" + uuid.uuid4().hex[:12],
            email=f"grace.{tag}@example.com",
            shipping=Shipping(
                name=f"Grace Hopper{tag}",
                phone="+1 555 0100",
                address=Address(line1="1 Navy Way", city="Arlington", country="US"),
            ),
            metadata={"crm": f"grace-{tag}"},
        )
    )


def _request_rows(service, customer_id: str) -> int:
    engine = service.engine if hasattr(service, "engine") else service.audit.engine
    with Session(engine) as session:
        return session.scalar(
            select(func.count())
            .select_from(ForgetRequestRow)
            .where(ForgetRequestRow.customer_id == customer_id)
        )


def test_a_blank_reason_is_refused_and_changes_nothing(service, customer, privacy):
    for reason in ("", "   "):
        with pytest.raises(InvalidParameter) as caught:
            service.request_forget(customer.id, reason=reason, actor=OFFICER)
        assert (caught.value.code, caught.value.parameter) == ("missing_parameter", "reason")
    assert service.get(customer.id) == customer
    assert privacy.for_customer(customer.id) is None


def test_an_unknown_customer_is_not_found_and_nothing_is_recorded(service, privacy):
    nobody = "cus-nobody-" + uuid.uuid4().hex[:6]
    with pytest.raises(CustomerNotFound):
        service.request_forget(nobody, reason="T-1", actor=OFFICER)
    assert privacy.for_customer(nobody) is None


def test_a_stale_version_is_refused(service, customer, privacy):
    with pytest.raises(StaleVersion):
        service.request_forget(
            customer.id, reason="T-2", actor=OFFICER, expected_version=customer.version + 5
        )
    assert privacy.for_customer(customer.id) is None
    assert not service.get(customer.id).request_to_be_forgotten


def test_forgetting_sets_the_flag_and_records_the_request(
    service, customer, backend, privacy, audit
):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    request = service.request_forget(
        customer.id, reason="  PRIV-42  ", actor=OFFICER, expected_version=customer.version
    )
    assert isinstance(request, ForgetRequest)
    assert request.customer_id == customer.id
    assert request.requested_by == "priya"
    assert request.reason == "PRIV-42"
    assert request.backend == backend
    assert request.requested_time >= before
    assert request.error is None
    assert request.completed_time is not None and request.completed_time >= before
    if backend == "local":
        assert request.status == "erased"
    else:
        assert request.status == "requested"
        assert request.request_id
    assert privacy.for_customer(customer.id) == request

    after = service.get(customer.id)
    assert after.request_to_be_forgotten
    assert after.id == customer.id and after.created_time == customer.created_time

    event = audit.latest(customer.id, "customer.forget")
    assert event is not None and event.outcome == "succeeded"
    assert event.actor_username == "priya" and event.action_label == "Requested to be forgotten"
    assert event.note == "PRIV-42"
    assert "requestToBeForgotten" in {c.field for c in event.changes}
    assert all(c.before is None and c.after is None for c in event.changes)


def test_a_second_request_is_refused_as_already_forgotten(service, customer):
    service.request_forget(customer.id, reason="PRIV-1", actor=OFFICER)
    other = Actor(8, "olga", "Olga")
    with pytest.raises(Conflict) as caught:
        service.request_forget(customer.id, reason="PRIV-2", actor=other)
    assert caught.value.code == "already_forgotten"
    assert "priya" in caught.value.message and "UTC" in caught.value.message
    assert _request_rows(service, customer.id) == 1


def test_every_write_afterwards_is_refused_and_changes_nothing(service, customer, backend):
    service.request_forget(customer.id, reason="PRIV-3", actor=OFFICER)
    forgotten = service.get(customer.id)
    certificate = NewTaxCertificate(
        company_name="Hopper Inc",
        tax_authority="VA",
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        end_date=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
        file_name="x.pdf",
        content=PDF,
    )
    writes = [
        lambda: service.update(customer.id, CustomerUpdate(email="new@example.com")),
        lambda: service.update(customer.id, CustomerUpdate(metadata={"k": "v"})),
        lambda: service.set_enabled(customer.id, False, reason_code="chargeback"),
        lambda: service.set_enabled(customer.id, True, reason_code="blocked_in_error"),
        lambda: service.attach_source(customer.id, "src-any"),
        lambda: service.detach_source(customer.id, "src-any"),
        lambda: service.set_default_source(customer.id, "src-any"),
        lambda: service.add_tax_identifier(customer.id, "de", "DE123456789"),
        lambda: service.remove_tax_identifier(customer.id, "tax-any"),
        lambda: service.add_tax_certificate(customer.id, certificate),
    ]
    for write in writes:
        with pytest.raises(CustomerForgotten) as caught:
            write()
        assert caught.value.code == "customer_forgotten"
        assert isinstance(caught.value, ServiceError)
    assert service.get(customer.id) == forgotten


def test_by_id_it_is_still_found(service, customer):
    service.request_forget(customer.id, reason="PRIV-4", actor=OFFICER)
    assert service.get(customer.id).id == customer.id
    page = service.search(SearchQuery(text=customer.id))
    assert page.exact_id_match is not None and page.exact_id_match.id == customer.id
    flagged = service.search(SearchQuery(text=customer.id, forget_requested=True))
    assert [item.id for item in flagged.items] == [customer.id]


def test_by_former_email_or_name_it_is_not_found_on_the_local_store(service, customer, backend):
    service.request_forget(customer.id, reason="PRIV-5", actor=OFFICER)
    after = service.get(customer.id)
    if backend == "digitalriver":
        # DR keeps the data under its retention policy; what it promises is the flag.
        assert after.request_to_be_forgotten
        return
    assert after.email is None and after.shipping.is_empty() and not after.metadata
    for term in (customer.email, customer.shipping.name, customer.shipping.name.split()[1]):
        page = service.search(SearchQuery(text=term))
        assert customer.id not in {item.id for item in page.items}, term
    assert service.search(SearchQuery(text=customer.id)).exact_id_match is not None


def test_two_officers_at_once_yield_one_request(service, customer):
    barrier = threading.Barrier(2)
    results: list[object] = []

    def submit(actor: Actor) -> None:
        barrier.wait()
        try:
            results.append(service.request_forget(customer.id, reason="PRIV-6", actor=actor))
        except ServiceError as error:
            results.append(error)

    threads = [threading.Thread(target=submit, args=(Actor(i, f"officer{i}", ""),)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    done = [r for r in results if isinstance(r, ForgetRequest)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(done) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], Conflict), results
    assert refused[0].code in ("already_forgotten", "customer_forgotten")
    assert _request_rows(service, customer.id) == 1
    assert service.get(customer.id).request_to_be_forgotten


# -- DR only: a failed send is recorded as failed and retried on the same record ---------------


@pytest.mark.parametrize("backend", ["digitalriver"], indirect=True)
def test_a_failed_send_is_recorded_as_failed_and_a_retry_reuses_the_record(
    service, customer, backend, dr_emulator, privacy, audit
):
    # DR only: the local store erases in one transaction and sends nothing.
    dr_emulator.app.fail_next(503, method="POST", path_prefix="/customers/")
    with pytest.raises(BackendUnavailable):
        service.request_forget(customer.id, reason="PRIV-7", actor=OFFICER)
    failed = privacy.for_customer(customer.id)
    assert failed is not None and failed.status == "failed"
    assert failed.status_label == "Failed — retry"
    assert failed.error and failed.error.startswith("unavailable")
    assert failed.request_id
    assert failed.completed_time is None
    assert not service.get(customer.id).request_to_be_forgotten
    event = audit.latest(customer.id, "customer.forget")
    assert event is not None and event.outcome == "failed" and event.request_id

    retry = service.request_forget(customer.id, reason="PRIV-7b", actor=OFFICER)
    assert retry.id == failed.id
    assert retry.status == "requested" and retry.error is None and retry.request_id
    assert retry.reason == "PRIV-7b"
    assert _request_rows(service, customer.id) == 1
    assert service.get(customer.id).request_to_be_forgotten
    events = audit.search(AuditQuery(customer_id=customer.id, action="customer.forget")).events
    assert [e.outcome for e in events] == ["succeeded", "failed"]
