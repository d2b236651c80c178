"""Four-eyes erasure (on by default): one privacy officer proposes a request to be forgotten,
a second approves (the request is carried out then) or rejects it with a reason; the proposer
cannot decide their own; the privacy page shows the queue. On both backends."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.services.audit import AuditQuery
from app.services.customers import NewCustomer
from tests.conftest import PASSWORD, csrf_token, sign_in

from .conftest import html

CID = "cus-4eyes"
CONFIRM = f"/customers/{CID}/forget"


@pytest.fixture
def extra_config() -> dict[str, object]:
    return {"FORGET_FOUR_EYES": True}


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def customer(service):
    return service.create(NewCustomer(id=CID, email="ada.4eyes@example.com"))


@pytest.fixture
def officers(app, staff) -> tuple[FlaskClient, FlaskClient]:
    """Two privacy officers, olga and pete, signed in."""
    clients = []
    for name in ("olga", "pete"):
        staff.create(name, PASSWORD, ["privacy"], display_name=name.title())
        client = app.test_client()
        sign_in(client, name)
        clients.append(client)
    return clients[0], clients[1]


def propose(client: FlaskClient, reason: str = "TICKET-4") -> object:
    token = csrf_token(client, CONFIRM)
    return client.post(CONFIRM, data={"confirm_id": CID, "reason": reason, "csrf_token": token})


def decide(client: FlaskClient, proposal_id: int, verb: str, **data: str) -> object:
    token = csrf_token(client, f"/customers/{CID}")
    return client.post(
        f"/privacy/proposals/{proposal_id}/{verb}", data={**data, "csrf_token": token}
    )


def open_proposal(app):
    return app.extensions["customer_desk"].proposals.open_for(CID)


def actions(app) -> list[str]:
    audit = app.extensions["customer_desk"].audit
    return [e.action for e in audit.iterate(AuditQuery(customer_id=CID))][::-1]


def test_four_eyes_is_on_unless_turned_off(database_url, tmp_path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": database_url})
    try:
        assert app.config["FORGET_FOUR_EYES"] is True
    finally:
        app.extensions["customer_desk"].engine.dispose()


def test_confirming_proposes_and_erases_nothing(app, service, officers, customer) -> None:
    olga, _ = officers
    page = html(olga.get(CONFIRM))
    assert "Propose to forget this customer" in page.text
    assert page.has(id="four-eyes-note")

    response = propose(olga)

    assert response.status_code == 303
    assert service.get(CID).email == "ada.4eyes@example.com"
    assert app.extensions["customer_desk"].privacy.for_customer(CID) is None
    proposal = open_proposal(app)
    assert (proposal.proposed_by, proposal.reason, proposal.status) == ("olga", "TICKET-4", "open")
    assert actions(app)[-1] == "customer.forget_proposed"
    banner = html(olga.get(f"/customers/{CID}")).by_id("proposal-banner")
    assert "olga proposed it" in banner.text
    assert "You proposed this" in banner.text
    assert not banner.has("button")


def test_the_proposer_cannot_approve_their_own(app, service, officers, customer) -> None:
    olga, _ = officers
    propose(olga)
    proposal = open_proposal(app)

    response = decide(olga, proposal.id, "approve")

    assert response.status_code == 303
    assert "You proposed this erasure" in olga.get(f"/customers/{CID}").get_data(as_text=True)
    assert open_proposal(app).status == "open"
    assert service.get(CID).email == "ada.4eyes@example.com"


def test_a_second_officer_approves_and_the_request_is_carried_out(
    app, service, officers, customer, backend
) -> None:
    olga, pete = officers
    propose(olga)
    proposal = open_proposal(app)
    assert (
        html(pete.get(f"/customers/{CID}"))
        .by_id("proposal-banner")
        .has("button", None, type="submit")
    )

    response = decide(pete, proposal.id, "approve")

    assert response.status_code == 303
    assert open_proposal(app) is None
    decided = app.extensions["customer_desk"].proposals.get(proposal.id)
    assert (decided.status, decided.decided_by) == ("approved", "pete")
    request = app.extensions["customer_desk"].privacy.for_customer(CID)
    assert request.reason == "TICKET-4"
    assert request.status == ("erased" if backend == "local" else "requested")
    if backend == "local":
        assert service.get(CID).email is None
    assert actions(app)[-3:] == [
        "customer.forget_proposed",
        "customer.forget_approved",
        "customer.forget",
    ]


def test_a_rejection_needs_a_reason_and_erases_nothing(app, service, officers, customer) -> None:
    olga, pete = officers
    propose(olga)
    proposal = open_proposal(app)

    decide(pete, proposal.id, "reject", note="  ")
    assert open_proposal(app).status == "open"

    decide(pete, proposal.id, "reject", note="Not the customer who wrote in")

    assert open_proposal(app) is None
    decided = app.extensions["customer_desk"].proposals.get(proposal.id)
    assert (decided.status, decided.decision_note) == ("rejected", "Not the customer who wrote in")
    assert service.get(CID).email == "ada.4eyes@example.com"
    assert actions(app)[-1] == "customer.forget_rejected"
    # A new proposal may follow a rejected one.
    assert propose(olga, "TICKET-5").status_code == 303
    assert open_proposal(app).reason == "TICKET-5"


def test_a_second_proposal_while_one_is_open_is_refused_naming_the_first(
    app, officers, customer
) -> None:
    olga, pete = officers
    propose(olga)

    response = propose(pete, "TICKET-9")

    assert response.status_code in (200, 409)
    text = response.get_data(as_text=True)
    assert "olga proposed to forget this customer" in text
    assert open_proposal(app).reason == "TICKET-4"


def test_a_decided_proposal_cannot_be_decided_again(app, officers, customer, staff) -> None:
    olga, pete = officers
    propose(olga)
    proposal = open_proposal(app)
    decide(pete, proposal.id, "reject", note="Wrong person")
    staff.create("rita", PASSWORD, ["privacy"])
    rita = app.test_client()
    sign_in(rita, "rita")

    decide(rita, proposal.id, "approve")

    assert "pete already decided this proposal" in rita.get(f"/customers/{CID}").get_data(
        as_text=True
    )
    assert app.extensions["customer_desk"].privacy.for_customer(CID) is None


def test_the_privacy_page_lists_the_queue_oldest_first(app, officers, make_customer) -> None:
    olga, pete = officers
    make_customer(id=CID, email="a@example.com")
    propose(olga)
    queue = html(pete.get("/privacy")).by_id("proposal-queue")

    assert "Awaiting a second officer (1)" in queue.text
    row = queue.find("tr", id=f"proposal-{open_proposal(app).id}")
    assert CID in row.text and "olga" in row.text and "TICKET-4" in row.text
    assert "You proposed this" in html(olga.get("/privacy")).by_id("proposal-queue").text


@pytest.mark.parametrize("roles", [("viewer",), ("agent",), ("fraud",)])
def test_only_privacy_officers_may_decide(app, client_as, officers, customer, roles) -> None:
    olga, _ = officers
    propose(olga)
    proposal = open_proposal(app)
    client = client_as(*roles)
    token = csrf_token(client, "/")

    for verb in ("approve", "reject"):
        response = client.post(
            f"/privacy/proposals/{proposal.id}/{verb}", data={"csrf_token": token, "note": "x"}
        )
        assert response.status_code == 403
    assert open_proposal(app).status == "open"


def test_an_approval_the_backend_fails_before_recording_leaves_the_proposal_open(
    app, service, officers, customer, monkeypatch
) -> None:
    from app.services.errors import BackendUnavailable

    olga, pete = officers
    propose(olga)
    proposal = open_proposal(app)

    def unavailable(*args, **kwargs):
        raise BackendUnavailable("Digital River is unavailable (HTTP 503).")

    monkeypatch.setattr(service, "request_forget", unavailable)

    decide(pete, proposal.id, "approve")

    assert open_proposal(app).id == proposal.id  # open again: never lost
    assert app.extensions["customer_desk"].privacy.for_customer(CID) is None
    assert "the proposal is open again" in pete.get(f"/customers/{CID}").get_data(as_text=True)
