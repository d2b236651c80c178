"""A request to be forgotten whose answer from DR is unclear is settled from what DR holds.

After a timeout, a 5xx, a dropped connection or an unreadable answer the customer is read
back: DR holds ``requestToBeForgotten`` → done (``requested``, one succeeded audit event);
it does not → ``failed`` (one failed event, retry offered). When the read-back fails too the
request is ``unknown`` (no event yet), said so on every page, and settled (with one event)
the next time the customer or the privacy page is shown, or when "Check again" is pressed.
A refused connection is certainly not applied: failed at once, nothing read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.orm import Session

from app.services.audit import Actor, AuditQuery
from app.services.digitalriver.inline import CHECKS_PER_LIST
from app.services.errors import BackendUnavailable
from app.services.local.models import ForgetRequestRow
from app.services.privacy import ForgetQuery
from tests.conftest import csrf_token
from tests.web.conftest import html

from .conftest import FAULTS, FaultCase

CID = "cus-forget-dr"
OFFICER = Actor(7, "priya", "Priya Privacy")
# Faults whose outcome is unclear to the client (all but the refused connection).
UNCLEAR = [f for f in FAULTS if f.reaches_dr]
APPLIED = [f for f in UNCLEAR if f.applied]
NOT_APPLIED = [f for f in UNCLEAR if not f.applied]
SOME_UNCLEAR = [f for f in UNCLEAR if f.name in ("503-applied", "slow-applied", "500-not-applied")]


def by_name(faults: list[FaultCase]) -> dict[str, object]:
    return {"argvalues": faults, "ids": [f.name for f in faults]}


@pytest.fixture
def customer(emulator):
    return emulator.add_customer(id=CID, email="ada.forget@example.com")


@pytest.fixture
def quick(service, monkeypatch):
    """The app's DR service without the backoff between read retries."""
    monkeypatch.setattr(service, "_sleep", lambda seconds: None)
    return service


@pytest.fixture
def privacy(app):
    return app.extensions["customer_desk"].privacy


@pytest.fixture
def audit(app):
    return app.extensions["customer_desk"].audit


def forget_events(audit, customer_id: str = CID):
    return audit.search(AuditQuery(customer_id=customer_id, action="customer.forget")).events


def posts(emulator, customer_id: str = CID):
    return emulator.requests_to("POST", f"/customers/{customer_id}")


def gets(emulator, customer_id: str = CID):
    return emulator.requests_to("GET", f"/customers/{customer_id}")


def reads_fail_after_the_post(
    emulator, http: httpx.Client, times: int, customer_id: str = CID
) -> Callable[[], None]:
    """From the moment the request to be forgotten is sent, the next ``times`` reads of the
    customer answer 503 (the read before it still works). Returns a function that removes
    the hook and any read faults left."""

    def hook(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == f"/customers/{customer_id}":
            emulator.fail_next(
                503, times=times, method="GET", path_prefix=f"/customers/{customer_id}"
            )

    http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks["request"], hook]}

    def remove() -> None:
        http.event_hooks = {
            **http.event_hooks,
            "request": [h for h in http.event_hooks["request"] if h is not hook],
        }
        emulator.clear_faults()

    return remove


def put_request(app, customer_id: str, status: str, **fields) -> None:
    engine = app.extensions["customer_desk"].engine
    with Session(engine) as session:
        session.add(
            ForgetRequestRow(
                customer_id=customer_id,
                requested_by="priya",
                requested_by_id=7,
                requested_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                reason="PRIV-" + customer_id,
                backend="digitalriver",
                status=status,
                **fields,
            )
        )
        session.commit()


# -- the service -------------------------------------------------------------------------------


def test_every_fault_is_recorded_from_what_dr_holds_never_from_the_error_alone(
    quick, emulator, customer, privacy, audit, fault
) -> None:
    fault.inject(emulator, quick.http, method="POST", path_prefix=f"/customers/{CID}")

    if fault.applied:
        request = quick.request_forget(CID, reason="PRIV-1", actor=OFFICER)
    else:
        with pytest.raises(BackendUnavailable) as caught:
            quick.request_forget(CID, reason="PRIV-1", actor=OFFICER)
        request = privacy.for_customer(CID)

    held = emulator.customer(CID)["requestToBeForgotten"]
    assert held is fault.applied
    assert request is not None and request.status == ("requested" if held else "failed")
    assert privacy.for_customer(CID) == request
    events = forget_events(audit)
    assert [e.outcome for e in events] == ["succeeded" if held else "failed"]
    if held:
        assert request.error is None and request.completed_time is not None
        assert {c.field for c in events[0].changes} == {"requestToBeForgotten"}
    elif fault.reaches_dr:
        # Read back: DR does not hold it, so it is said plainly that nothing changed.
        assert "Digital River does not hold the request" in caught.value.message
        assert "may not have been saved" not in caught.value.message
        assert request.error and "nothing was changed" in request.error
    else:
        assert "could not be reached" in caught.value.message
    if fault.sends_request_id:
        assert request.request_id == posts(emulator)[-1].request_id
    assert len(posts(emulator)) == (1 if fault.reaches_dr else 0)
    # One read before sending; one read back after an unclear answer; none after a refusal.
    assert len(gets(emulator)) == (2 if fault.reaches_dr else 1)


@pytest.mark.parametrize("unclear", **by_name(SOME_UNCLEAR))
def test_when_the_read_back_fails_too_the_request_is_unknown_until_a_check_settles_it(
    quick, emulator, customer, privacy, audit, unclear
) -> None:
    unclear.inject(emulator, quick.http, method="POST", path_prefix=f"/customers/{CID}")
    restore = reads_fail_after_the_post(emulator, quick.http, times=quick.retries + 1)

    request = quick.request_forget(CID, reason="PRIV-2", actor=OFFICER)

    assert request.status == "unknown"
    assert request.status_label == "Unknown — checking"
    assert request.completed_time is None and request.error
    assert forget_events(audit) == ()  # no outcome yet, so no event yet
    assert len(gets(emulator)) == 1 + quick.retries + 1  # read back with the usual retries

    # DR still cannot be read: the check changes nothing.
    emulator.fail_next(503, times=quick.retries + 1, method="GET", path_prefix=f"/customers/{CID}")
    assert quick.check_forget(CID) == request
    restore()

    settled = quick.check_forget(CID)

    assert settled is not None and settled.id == request.id
    assert settled.status == ("requested" if unclear.applied else "failed")
    [event] = forget_events(audit)
    assert event.outcome == ("succeeded" if unclear.applied else "failed")
    assert event.actor_username == "priya" and event.actor_id == 7
    assert event.note.startswith("PRIV-2")
    if unclear.applied:
        assert "a later check found Digital River holds it" in event.note
        assert settled.completed_time is not None and settled.error is None
    else:
        assert "does not hold the request (found on a later check)" in settled.error
        assert event.error == settled.error
    assert quick.check_forget(CID) == settled  # settled once: no second event
    assert len(forget_events(audit)) == 1
    assert len(posts(emulator)) == 1


def test_a_refused_connection_is_failed_at_once_without_reading_back(
    quick, emulator, customer, privacy, refuse
) -> None:
    refuse(quick.http, 1, "POST", f"/customers/{CID}")
    reads_fail_after_the_post(emulator, quick.http, times=100)

    with pytest.raises(BackendUnavailable):
        quick.request_forget(CID, reason="PRIV-3", actor=OFFICER)

    assert privacy.for_customer(CID).status == "failed"


def test_a_retry_of_a_failed_request_that_dr_holds_after_all_sends_nothing(
    app, quick, emulator, audit
) -> None:
    # Failed here (say DR applied it late, after the read-back), yet DR holds it.
    emulator.add_customer(id="cus-late", email="late@example.com", requestToBeForgotten=True)
    put_request(app, "cus-late", "failed", error="timeout: Digital River did not answer in time.")

    request = quick.request_forget("cus-late", reason="PRIV-4", actor=OFFICER)

    assert request.status == "requested" and request.error is None
    assert posts(emulator, "cus-late") == []
    [event] = forget_events(audit, "cus-late")
    assert event.outcome == "succeeded"
    assert "the earlier failure was not final" in event.note


def test_a_list_checks_each_unknown_request_once_at_most_a_bounded_number(
    app, quick, emulator, privacy
) -> None:
    count = CHECKS_PER_LIST + 2
    for n in range(count):
        emulator.add_customer(id=f"cus-u{n}", requestToBeForgotten=n % 2 == 0)
        put_request(app, f"cus-u{n}", "unknown", error="timeout: Digital River did not answer.")
    put_request(app, "cus-done", "requested")
    shown = privacy.search(privacy_query()).requests

    checked = quick.check_forget_requests(shown)

    reads = emulator.requests_to("GET", "/customers/")
    assert len(reads) == CHECKS_PER_LIST  # one read per unknown request, no more than the bound
    assert [r.customer_id for r in checked] == [r.customer_id for r in shown]
    statuses = {r.customer_id: r.status for r in checked}
    assert statuses["cus-done"] == "requested"
    read = {r.path.removeprefix("/customers/") for r in reads}
    for n in range(count):
        expected = ("requested" if n % 2 == 0 else "failed") if f"cus-u{n}" in read else "unknown"
        assert statuses[f"cus-u{n}"] == expected, n
        assert privacy.for_customer(f"cus-u{n}").status == expected


def test_a_list_stops_checking_at_the_first_request_dr_does_not_answer(
    app, quick, emulator, privacy
) -> None:
    for n in range(3):
        emulator.add_customer(id=f"cus-d{n}")
        put_request(app, f"cus-d{n}", "unknown")
    emulator.fail_next(503, times=100, method="GET")

    checked = quick.check_forget_requests(privacy.search(privacy_query()).requests)

    assert len(emulator.requests_to("GET", "/customers/")) == 1  # one read, not retried
    assert {r.status for r in checked} == {"unknown"}


def privacy_query() -> ForgetQuery:
    return ForgetQuery(limit=50)


# -- the pages ---------------------------------------------------------------------------------

CONFIRM = f"/customers/{CID}/forget"
RETRY = f"/customers/{CID}/forget/retry"


def post_forget(client, reason: str = "TICKET-9"):
    token = csrf_token(client, CONFIRM)
    return client.post(CONFIRM, data={"confirm_id": CID, "reason": reason, "csrf_token": token})


def privacy_row(client, customer_id: str = CID):
    response = client.get(f"/privacy?customer={customer_id}")
    assert response.status_code == 200
    [row] = html(response).find_all("tr", class_="forget-request")
    return row


def test_the_officer_is_told_what_dr_holds_after_every_fault(
    client_as, quick, emulator, customer, fault
) -> None:
    officer = client_as("privacy")
    fault.inject(emulator, quick.http, method="POST", path_prefix=f"/customers/{CID}")

    response = post_forget(officer)

    if fault.applied:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/customers/{CID}"
        page = html(officer.get(response.headers["Location"]))
        assert f"The request to forget customer {CID} was sent to Digital River" in page.text
        banner = page.by_id("forgotten-banner")
        assert "This customer asked to be forgotten." in banner.text
        assert "Requested from Digital River" in banner.text
        assert "did not go through" not in page.text and "failed" not in banner.text
        row = privacy_row(officer)
        assert "Requested from Digital River" in row.text
        assert "row--failed" not in row.classes and "Retry" not in row.text
    else:
        assert response.status_code == 503
        page = html(response)
        assert "The request did not go through." in page.text
        assert "The customer's data is unchanged." in page.text
        assert page.find("input", name="confirm_id").get("value") == CID
        assert page.find("textarea", name="reason").text == "TICKET-9"
        row = privacy_row(officer)
        assert "Failed — retry" in row.text and "row--failed" in row.classes
    assert emulator.customer(CID)["requestToBeForgotten"] is fault.applied


@pytest.mark.parametrize("unclear", **by_name(SOME_UNCLEAR))
def test_an_unconfirmed_request_says_so_and_the_privacy_page_settles_it_once_dr_answers(
    client_as, quick, emulator, customer, unclear
) -> None:
    officer = client_as("privacy")
    unclear.inject(emulator, quick.http, method="POST", path_prefix=f"/customers/{CID}")
    restore = reads_fail_after_the_post(emulator, quick.http, times=quick.retries + 1)

    response = post_forget(officer)

    assert response.status_code == 202
    page = html(response)
    assert "Digital River did not confirm the request" in page.text
    assert "It may or may not have been applied." in page.text
    assert "“Unknown — checking”" in page.text
    assert "did not go through" not in page.text and "unchanged" not in page.text
    assert not page.has("form", id="forget-form")  # nothing to send again meanwhile

    # DR still does not answer: the privacy page says so, with a way to check again.
    emulator.fail_next(503, times=100, method="GET", path_prefix=f"/customers/{CID}")
    row = privacy_row(officer)
    assert "Unknown — checking" in row.text
    assert "may or may not hold it" in row.text
    assert row.find("button").text == f"Check again the request for customer {CID}"
    assert "Failed" not in row.text and "Requested from" not in row.text
    restore()

    row = privacy_row(officer)

    if unclear.applied:
        assert "Requested from Digital River" in row.text and "row--failed" not in row.classes
    else:
        assert "Failed — retry" in row.text and "row--failed" in row.classes
    assert len(posts(emulator)) == 1


@pytest.mark.parametrize("held", [True, False], ids=["held", "not-held"])
def test_the_customer_page_settles_an_unknown_request_from_the_customer_it_reads(
    app, client_as, emulator, held
) -> None:
    emulator.add_customer(id=CID, email="ada@example.com", requestToBeForgotten=held)
    put_request(app, CID, "unknown", error="timeout: Digital River did not answer in time.")

    page = html(client_as("viewer").get(f"/customers/{CID}"))

    banner = page.by_id("forgotten-banner")
    if held:
        assert "This customer asked to be forgotten." in banner.text
        assert "Requested from Digital River" in banner.text
    else:
        assert "A request to be forgotten failed" in banner.text
    assert "Unknown" not in banner.text
    assert len(gets(emulator)) == 1  # the page's own read; no second one to check
    status = app.extensions["customer_desk"].privacy.for_customer(CID).status
    assert status == ("requested" if held else "failed")


def test_the_customer_page_says_plainly_when_a_request_is_still_unconfirmed(
    app, client_as, quick, emulator, customer, monkeypatch
) -> None:
    put_request(app, CID, "unknown")
    # The page settles an unknown request from the customer it reads, so this state is
    # reached only if settling does not happen (say the record could not be updated): a
    # check that leaves the record as it is stands in for that.
    privacy = app.extensions["customer_desk"].privacy
    monkeypatch.setattr(quick, "check_forget", lambda cid, customer=None: privacy.for_customer(cid))

    page = html(client_as("privacy").get(f"/customers/{CID}"))

    banner = page.by_id("forgotten-banner")
    assert "A request to be forgotten is unconfirmed" in banner.text
    assert "may or may not have been applied" in banner.text
    assert "Unknown — checking" in banner.text
    assert banner.find("button").text == "Check again"
    assert not page.has("a", href=CONFIRM)


@pytest.mark.parametrize(
    ("dr_state", "flash", "status"),
    [
        ("held", "Digital River holds the request to forget customer", "requested"),
        ("not-held", "Digital River does not hold the request to forget customer", "failed"),
        ("down", "Digital River still cannot be asked whether it holds", "unknown"),
    ],
)
def test_check_again_asks_dr_and_never_sends_the_request_again(
    app, client_as, quick, emulator, dr_state, flash, status
) -> None:
    emulator.add_customer(id=CID, requestToBeForgotten=dr_state == "held")
    put_request(app, CID, "unknown", error="timeout: Digital River did not answer in time.")
    officer = client_as("privacy")
    token = csrf_token(officer, "/")  # not the privacy page, which would check it itself
    if dr_state == "down":
        emulator.fail_next(503, times=100, method="GET", path_prefix=f"/customers/{CID}")

    response = officer.post(RETRY, data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["Location"] == "/privacy"
    emulator.clear_faults()
    assert app.extensions["customer_desk"].privacy.for_customer(CID).status == status
    assert posts(emulator) == []
    listing = officer.get("/privacy").get_data(as_text=True)
    assert flash in listing
