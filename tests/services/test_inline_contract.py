"""The inline workflows' contract: enable/disable, payment sources, tax identifiers and tax
certificates, with DR's rules as every backend must honour them.

Each test runs on the local store (SQLite, or PostgreSQL with TEST_DATABASE_URL) and on DR's API
through a fresh emulator, with the same assertions. Only the ``sources`` fixture reaches under
the protocol: a payment source is created by DigitalRiver.js in the browser, never by this
app, so the test puts one where each backend keeps them (a row of the local store's sources
table; the emulator's ``add_source``). A few tests at the end are about DR alone: what the
client leaves behind when DR fails half-way through a two-step change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from app.services.customers import (
    Customer,
    CustomerService,
    CustomerUpdate,
    NewCustomer,
    NewTaxCertificate,
)
from app.services.errors import (
    BackendUnavailable,
    Conflict,
    CustomerNotFound,
    InvalidParameter,
    ServiceError,
    StaleVersion,
)
from app.services.local.models import SourceRow

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)) + b"\xff\xd9"


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every test runs on the local store and on DR's API (a fresh emulator)."""
    return request.param


@pytest.fixture
def sources(backend: str, service, request: pytest.FixtureRequest) -> Callable[..., str]:
    """``sources(type=, state=)``: a new payment source, not attached to anyone, as
    DigitalRiver.js would create it (single use until attached); returns its id."""
    if backend == "digitalriver":
        emulator = request.getfixturevalue("dr_emulator").app

        def on_dr(*, type: str = "creditCard", state: str = "chargeable") -> str:  # noqa: A002
            return emulator.add_source(type=type, state=state)["id"]

        return on_dr

    def on_local(*, type: str = "creditCard", state: str = "chargeable") -> str:  # noqa: A002
        source_id = str(uuid.uuid4())
        with Session(service.engine) as session:
            session.add(
                SourceRow(
                    id=source_id,
                    type=type,
                    state=state,
                    reusable=False,
                    brand="Visa" if type == "creditCard" else None,
                    last_four="1111" if type == "creditCard" else None,
                    expiration_month=7 if type == "creditCard" else None,
                    expiration_year=2027 if type == "creditCard" else None,
                    currency="USD",
                    created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                )
            )
            session.commit()
        return source_id

    return on_local


@pytest.fixture
def customer(service: CustomerService) -> Customer:
    """A fresh customer with a unique id (the emulator's generated ids repeat across tests)."""
    return service.create(NewCustomer(id="cus-" + uuid.uuid4().hex[:12], email="a@example.com"))


def problems(error: ServiceError) -> set[tuple[str, str | None]]:
    return {(detail.code, detail.parameter) for detail in error.errors}


def certificate(
    content: bytes = PDF,
    file_name: str = "exemption.pdf",
    start: dt.datetime = dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    end: dt.datetime = dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
) -> NewTaxCertificate:
    return NewTaxCertificate(
        company_name="Hopper Industries",
        tax_authority="VA",
        start_date=start,
        end_date=end,
        file_name=file_name,
        content=content,
    )


# -- enable / disable -------------------------------------------------------------------------


def test_disabling_without_a_reason_is_refused_on_the_reason_and_changes_nothing(service, customer):
    for reason in (None, "", "not-a-reason"):
        with pytest.raises(InvalidParameter) as caught:
            service.set_enabled(customer.id, False, reason_code=reason)
        assert problems(caught.value) == {("missing_parameter", "reason")}
    assert service.get(customer.id) == customer


def test_the_reason_other_needs_a_note(service, customer):
    for note in (None, "", "   "):
        with pytest.raises(InvalidParameter) as caught:
            service.set_enabled(customer.id, False, reason_code="other", note=note)
        assert problems(caught.value) == {("missing_parameter", "note")}
    assert service.get(customer.id) == customer
    disabled = service.set_enabled(
        customer.id, False, reason_code="other", note="  Asked by legal "
    )
    assert disabled.enabled is False


def test_disable_then_enable_round_trip(service, customer):
    disabled = service.set_enabled(
        customer.id, False, reason_code="suspected_fraud", expected_version=customer.version
    )
    assert disabled.enabled is False
    assert service.get(customer.id) == disabled
    enabled = service.set_enabled(
        customer.id, True, reason_code="blocked_in_error", expected_version=disabled.version
    )
    assert enabled.enabled is True
    assert service.get(customer.id) == enabled
    assert disabled.version not in (customer.version, enabled.version)


@pytest.mark.parametrize("reason", [None, "", "chargeback", "nonsense"])
def test_enabling_needs_a_reason_of_its_own(service, customer, reason):
    disabled = service.set_enabled(customer.id, False, reason_code="chargeback")
    with pytest.raises(InvalidParameter) as caught:
        service.set_enabled(disabled.id, True, reason_code=reason)
    assert problems(caught.value) == {("missing_parameter", "reason")}
    assert service.get(customer.id) == disabled


def test_enabling_for_the_reason_other_needs_a_note(service, customer):
    disabled = service.set_enabled(customer.id, False, reason_code="chargeback")
    with pytest.raises(InvalidParameter) as caught:
        service.set_enabled(disabled.id, True, reason_code="other", note="  ")
    assert problems(caught.value) == {("missing_parameter", "note")}
    enabled = service.set_enabled(disabled.id, True, reason_code="other", note="Bank agreed")
    assert enabled.enabled is True


# -- payment sources --------------------------------------------------------------------------


def test_the_first_attached_source_becomes_the_default_and_later_ones_do_not(
    service, customer, sources
):
    first, second = sources(), sources()
    after_first = service.attach_source(customer.id, first)
    assert [s.id for s in after_first.sources] == [first]
    assert after_first.default_source_id == first
    attached = after_first.sources[0]
    assert (attached.state, attached.reusable, attached.type) == ("chargeable", True, "creditCard")
    assert (attached.brand, attached.last_four) == ("Visa", "1111")
    after_second = service.attach_source(customer.id, second)
    assert [s.id for s in after_second.sources] == [first, second]
    assert after_second.default_source_id == first
    assert service.get(customer.id) == after_second


@pytest.mark.parametrize("state", ["pending_redirect", "requires_action", "failed", "consumed"])
def test_only_chargeable_sources_can_be_attached(service, customer, sources, state):
    source = sources(state=state)
    with pytest.raises(Conflict) as caught:
        service.attach_source(customer.id, source)
    assert problems(caught.value) == {("source_not_chargeable", "sourceId")}
    assert service.get(customer.id) == customer


@pytest.mark.parametrize("kind", ["payPal", "googlePay", "wireTransfer", "konbini"])
def test_single_use_payment_methods_cannot_be_saved(service, customer, sources, kind):
    with pytest.raises(Conflict) as caught:
        service.attach_source(customer.id, sources(type=kind))
    assert problems(caught.value) == {("nonreusable_source", "sourceId")}
    assert service.get(customer.id) == customer


@pytest.mark.parametrize("kind", ["payPalBilling", "directDebit", "klarnaCreditRecurring"])
def test_every_saveable_payment_method_can_be_attached(service, customer, sources, kind):
    source = sources(type=kind)
    assert [s.type for s in service.attach_source(customer.id, source).sources] == [kind]


def test_a_source_of_another_customer_is_refused_as_in_use(service, customer, sources):
    other = service.create(NewCustomer(id="cus-" + uuid.uuid4().hex[:12]))
    source = sources()
    service.attach_source(other.id, source)
    with pytest.raises(Conflict) as caught:
        service.attach_source(customer.id, source)
    assert problems(caught.value) == {("source_in_use", "sourceId")}
    assert service.get(customer.id) == customer
    assert [s.id for s in service.get(other.id).sources] == [source]


def test_an_unknown_source_is_refused_as_not_found_on_the_source(service, customer):
    for unknown in (str(uuid.uuid4()), ""):
        with pytest.raises(InvalidParameter) as caught:
            service.attach_source(customer.id, unknown)
        assert problems(caught.value) == {("not_found", "sourceId")}
    assert service.get(customer.id) == customer


def test_attaching_a_source_twice_is_refused_as_already_exists(service, customer, sources):
    source = sources()
    attached = service.attach_source(customer.id, source)
    with pytest.raises(Conflict) as caught:
        service.attach_source(customer.id, source)
    assert problems(caught.value) == {("already_exists", "sourceId")}
    assert service.get(customer.id) == attached


def test_a_detached_source_is_cancelled_for_good(service, customer, sources):
    source = sources()
    service.attach_source(customer.id, source)
    detached = service.detach_source(customer.id, source)
    assert detached.sources == ()
    assert service.get(customer.id) == detached
    with pytest.raises(Conflict) as caught:
        service.attach_source(customer.id, source)
    assert problems(caught.value) == {("source_not_chargeable", "sourceId")}


def test_detaching_the_default_source_leaves_no_default(service, customer, sources):
    first, second = sources(), sources()
    service.attach_source(customer.id, first)
    service.attach_source(customer.id, second)
    after = service.detach_source(customer.id, first)
    assert [s.id for s in after.sources] == [second]
    assert after.default_source_id is None
    # Nothing is promoted; the next source attached while there is no default becomes it.
    third = sources()
    assert service.attach_source(customer.id, third).default_source_id == third


def test_detaching_another_source_keeps_the_default(service, customer, sources):
    first, second = sources(), sources()
    service.attach_source(customer.id, first)
    service.attach_source(customer.id, second)
    after = service.detach_source(customer.id, second)
    assert after.default_source_id == first


def test_detaching_a_source_the_customer_does_not_hold_is_refused(service, customer, sources):
    loose = sources()
    for source in (loose, str(uuid.uuid4())):
        with pytest.raises(InvalidParameter) as caught:
            service.detach_source(customer.id, source)
        assert problems(caught.value) == {("not_found", "sourceId")}
    assert service.get(customer.id) == customer


def test_the_default_source_must_be_an_attached_one(service, customer, sources):
    first, second, loose = sources(), sources(), sources()
    service.attach_source(customer.id, first)
    attached = service.attach_source(customer.id, second)
    for source in (loose, str(uuid.uuid4())):
        with pytest.raises(InvalidParameter) as caught:
            service.set_default_source(customer.id, source)
        assert problems(caught.value) == {("invalid_parameter", "defaultSourceId")}
    assert service.get(customer.id) == attached
    changed = service.set_default_source(customer.id, second)
    assert changed.default_source_id == second
    assert service.get(customer.id) == changed


# -- tax identifiers --------------------------------------------------------------------------


def test_a_tax_identifier_is_added_pending_and_dr_test_values_verify(service, customer):
    pending = service.add_tax_identifier(customer.id, "at", "ATU12345678")
    assert [(t.type, t.value, t.state) for t in pending.tax_identifiers] == [
        ("at", "ATU12345678", "pending")
    ]
    verified = service.add_tax_identifier(customer.id, "de", " DE 123 456 789 ")
    assert [(t.type, t.value, t.state) for t in verified.tax_identifiers] == [
        ("at", "ATU12345678", "pending"),
        ("de", "DE123456789", "verified"),
    ]
    assert all(t.id for t in verified.tax_identifiers)
    assert service.get(customer.id) == verified


def test_a_verifying_value_under_another_type_stays_pending(service, customer):
    added = service.add_tax_identifier(customer.id, "at", "DE123456789")
    assert [t.state for t in added.tax_identifiers] == ["pending"]


def test_a_customer_holds_one_tax_identifier_per_type(service, customer):
    first = service.add_tax_identifier(customer.id, "de", "DE123456789")
    with pytest.raises(Conflict) as caught:
        service.add_tax_identifier(customer.id, "de", "DE000000000")
    assert problems(caught.value) == {("already_exists", "type")}
    assert service.get(customer.id) == first


def test_a_removed_tax_identifier_is_gone_and_its_type_free_again(service, customer):
    added = service.add_tax_identifier(customer.id, "de", "DE123456789")
    removed = service.remove_tax_identifier(customer.id, added.tax_identifiers[0].id)
    assert removed.tax_identifiers == ()
    assert service.get(customer.id) == removed
    again = service.add_tax_identifier(customer.id, "de", "DE000000000")
    assert [t.value for t in again.tax_identifiers] == ["DE000000000"]


def test_removing_a_tax_identifier_the_customer_does_not_hold_is_refused(service, customer):
    other = service.create(NewCustomer(id="cus-" + uuid.uuid4().hex[:12]))
    theirs = service.add_tax_identifier(other.id, "de", "DE123456789").tax_identifiers[0].id
    for tax_id in (theirs, str(uuid.uuid4())):
        with pytest.raises(InvalidParameter) as caught:
            service.remove_tax_identifier(customer.id, tax_id)
        assert problems(caught.value) == {("not_found", "id")}
    assert [t.id for t in service.get(other.id).tax_identifiers] == [theirs]


@pytest.mark.parametrize(
    ("type_", "value"),
    [("de", "DE12"), ("de", "DE1234567890"), ("be", "BE123"), ("it", "IT1"), ("at", "x!y?z")],
)
def test_a_malformed_tax_identifier_is_refused_on_the_value(service, customer, type_, value):
    with pytest.raises(InvalidParameter) as caught:
        service.add_tax_identifier(customer.id, type_, value)
    assert problems(caught.value) == {("invalid_parameter", "value")}
    assert service.get(customer.id) == customer


def test_an_unknown_tax_identifier_type_is_refused_on_the_type(service, customer):
    with pytest.raises(InvalidParameter) as caught:
        service.add_tax_identifier(customer.id, "xx", "XX12345678")
    assert ("invalid_parameter", "type") in problems(caught.value)
    assert service.get(customer.id) == customer


# -- tax certificates and files ---------------------------------------------------------------


@pytest.mark.parametrize(("content", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPG, "jpg")])
def test_a_certificate_is_accepted_by_its_content_and_its_file_read_back(
    service, customer, content, kind
):
    added = service.add_tax_certificate(
        customer.id, certificate(content=content, file_name="scan-from-the-copier")
    )
    [stored] = added.tax_certificates
    assert (stored.company_name, stored.tax_authority) == ("Hopper Industries", "VA")
    assert stored.file_id
    assert service.get(customer.id) == added
    file = service.get_file(stored.file_id)
    assert (file.id, file.type, file.size, file.content) == (
        stored.file_id,
        kind,
        len(content),
        content,
    )
    assert file.file_name == f"scan-from-the-copier.{kind}"


@pytest.mark.parametrize(
    ("file_name", "stored"),
    [
        ("Zoë Hopper exemption (2025).pdf", "Zoë Hopper exemption (2025).pdf"),
        ("ñ;filename=x.pdf", "ñ;filename=x.pdf"),
        ('Zoë "Hopper".pdf', "Zoë Hopper.pdf"),
        ("cert.html", "cert.pdf"),
        ("scan.PDF", "scan.pdf"),
        ("C:\\Users\\grace\\scan.pdf", "scan.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("cert\x00.html", "cert.pdf"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("cert\u202efdp.exe", "certfdp.pdf"),
        ("...", "certificate.pdf"),
        ("", "certificate.pdf"),
        ("x" * 300 + ".pdf", "x" * 124 + ".pdf"),
    ],
    ids=repr,
)
def test_a_certificate_file_keeps_its_name_made_safe_with_the_extension_of_its_content(
    service, customer, file_name, stored
):
    added = service.add_tax_certificate(customer.id, certificate(file_name=file_name))
    assert service.get_file(added.tax_certificates[0].file_id).file_name == stored


def test_certificate_dates_are_kept_as_whole_days(service, customer):
    added = service.add_tax_certificate(
        customer.id,
        certificate(
            start=dt.datetime(2025, 3, 4, 13, 47, 13, tzinfo=dt.UTC),
            end=dt.datetime(2026, 3, 3, 23, 59, tzinfo=dt.UTC),
        ),
    )
    [stored] = added.tax_certificates
    assert stored.start_date == dt.datetime(2025, 3, 4, tzinfo=dt.UTC)
    assert stored.end_date == dt.datetime(2026, 3, 3, tzinfo=dt.UTC)


def test_a_customer_accumulates_certificates(service, customer):
    service.add_tax_certificate(customer.id, certificate())
    added = service.add_tax_certificate(customer.id, certificate(content=PNG))
    assert len(added.tax_certificates) == 2
    assert len({c.file_id for c in added.tax_certificates}) == 2


@pytest.mark.parametrize(
    ("content", "file_name"),
    [(b"just some text, not a PDF\n", "certificate.pdf"), (b"GIF89a" + bytes(32), "scan.png")],
)
def test_a_file_is_judged_by_its_content_not_its_name(service, customer, content, file_name):
    with pytest.raises(InvalidParameter) as caught:
        service.add_tax_certificate(customer.id, certificate(content=content, file_name=file_name))
    assert problems(caught.value) == {("invalid_parameter", "file")}
    assert service.get(customer.id) == customer


def test_a_file_over_10_mb_is_refused(service, customer):
    big = PDF + b"\0" * (11 * 1024 * 1024)
    with pytest.raises(InvalidParameter) as caught:
        service.add_tax_certificate(customer.id, certificate(content=big))
    assert problems(caught.value) == {("invalid_parameter", "file")}
    assert service.get(customer.id) == customer


@pytest.mark.parametrize("days", [0, -1])
def test_a_certificate_must_end_after_it_starts(service, customer, days):
    start = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    with pytest.raises(InvalidParameter) as caught:
        service.add_tax_certificate(
            customer.id, certificate(start=start, end=start + dt.timedelta(days=days))
        )
    assert problems(caught.value) == {("invalid_parameter", "taxCertificate.endDate")}
    assert service.get(customer.id) == customer


def test_a_certificate_needs_a_company_and_a_us_state(service, customer):
    bad = NewTaxCertificate(
        company_name="  ",
        tax_authority="ZZ",
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        end_date=dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
        file_name="c.pdf",
        content=PDF,
    )
    with pytest.raises(InvalidParameter) as caught:
        service.add_tax_certificate(customer.id, bad)
    assert problems(caught.value) == {
        ("missing_parameter", "taxCertificate.companyName"),
        ("invalid_parameter", "taxCertificate.taxAuthority"),
    }


def test_an_unknown_file_is_not_found_on_the_file_id(service):
    with pytest.raises(CustomerNotFound) as caught:
        service.get_file(str(uuid.uuid4()))
    assert caught.value.parameter == "fileId"


# -- every operation: versions, stale versions, unknown customers ----------------------------


@pytest.fixture
def prepared(service, customer, sources) -> tuple[Customer, dict[str, str]]:
    """The customer with two attached sources (the first the default), a 'de' tax
    identifier, and a loose chargeable source ready to attach."""
    ids = {"first": sources(), "second": sources(), "loose": sources()}
    service.attach_source(customer.id, ids["first"])
    service.attach_source(customer.id, ids["second"])
    current = service.add_tax_identifier(customer.id, "de", "DE123456789")
    ids["tax"] = current.tax_identifiers[0].id
    return current, ids


OPERATIONS: dict[str, Callable[..., Customer]] = {
    "disable": lambda s, c, ids, **kw: s.set_enabled(c, False, reason_code="chargeback", **kw),
    "attach": lambda s, c, ids, **kw: s.attach_source(c, ids["loose"], **kw),
    "detach": lambda s, c, ids, **kw: s.detach_source(c, ids["second"], **kw),
    "default": lambda s, c, ids, **kw: s.set_default_source(c, ids["second"], **kw),
    "add-tax-id": lambda s, c, ids, **kw: s.add_tax_identifier(c, "it", "IT12345678901", **kw),
    "remove-tax-id": lambda s, c, ids, **kw: s.remove_tax_identifier(c, ids["tax"], **kw),
    "certificate": lambda s, c, ids, **kw: s.add_tax_certificate(c, certificate(), **kw),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_changes_the_version(service, prepared, operation):
    before, ids = prepared
    after = OPERATIONS[operation](service, before.id, ids, expected_version=before.version)
    assert after.version != before.version
    assert after != before
    assert service.get(before.id) == after


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_on_a_stale_version_is_refused_and_changes_nothing(
    service, prepared, operation
):
    seen, ids = prepared
    moved_on = service.update(seen.id, CustomerUpdate(email="someone.else@example.com"))
    with pytest.raises(StaleVersion):
        OPERATIONS[operation](service, seen.id, ids, expected_version=seen.version)
    assert service.get(seen.id) == moved_on


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_on_an_unknown_customer_raises_customer_not_found(
    service, prepared, operation
):
    _, ids = prepared
    with pytest.raises(CustomerNotFound):
        OPERATIONS[operation](service, "cus-" + uuid.uuid4().hex[:12], ids)


# -- Digital River only: nothing half-written when DR fails between two steps -----------------


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_tax_identifier_whose_attach_fails_is_deleted_again(service, customer, dr_emulator):
    emulator = dr_emulator.app
    emulator.fail_next(503, method="POST", path_prefix=f"/customers/{customer.id}/tax-identifiers")
    with pytest.raises(BackendUnavailable):
        service.add_tax_identifier(customer.id, "de", "DE123456789")
    [created] = emulator.requests_to("POST", "/tax-identifiers")
    assert created.status == 201
    [deleted] = emulator.requests_to("DELETE", "/tax-identifiers/")
    assert deleted.status == 204
    assert service.get(customer.id) == customer
    # Nothing is left over, so the type is free and the same value can be added.
    added = service.add_tax_identifier(customer.id, "de", "DE123456789")
    assert [t.value for t in added.tax_identifiers] == ["DE123456789"]


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_file_whose_certificate_is_refused_is_deleted_again(service, customer, dr_emulator):
    emulator = dr_emulator.app
    emulator.fail_next(409, method="POST", path_prefix=f"/customers/{customer.id}")
    with pytest.raises(Conflict):
        service.add_tax_certificate(customer.id, certificate())
    [uploaded] = emulator.requests_to("POST", "/files")
    assert uploaded.status == 201
    assert uploaded.headers["content-type"].startswith("multipart/form-data; boundary=")
    [deleted] = emulator.requests_to("DELETE", "/files/")
    assert deleted.status == 204
    assert service.get(customer.id) == customer


@pytest.mark.parametrize("backend", ["digitalriver"])
def test_on_dr_a_file_is_kept_when_the_certificate_may_have_been_saved(
    service, customer, dr_emulator
):
    emulator = dr_emulator.app
    emulator.fail_next(503, method="POST", path_prefix=f"/customers/{customer.id}", applied=True)
    with pytest.raises(BackendUnavailable):
        service.add_tax_certificate(customer.id, certificate())
    assert emulator.requests_to("DELETE", "/files/") == []
    [saved] = service.get(customer.id).tax_certificates
    assert service.get_file(saved.file_id).content == PDF


@pytest.mark.parametrize("backend", ["digitalriver"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_on_dr_no_inline_write_is_retried(service, prepared, dr_emulator, operation):
    before, ids = prepared
    emulator = dr_emulator.app
    sent = len(emulator.requests)
    emulator.fail_next(503, times=5, method="POST")
    emulator.fail_next(503, times=5, method="DELETE")
    with pytest.raises(BackendUnavailable):
        OPERATIONS[operation](service, before.id, ids)
    writes = [r for r in emulator.requests[sent:] if r.method != "GET"]
    assert [r.fault for r in writes] == ["fail(before applying)"]  # sent once, then given up
    emulator.clear_faults()
    assert service.get(before.id) == before
