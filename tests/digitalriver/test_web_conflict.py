"""An edit conflict on Digital River when the other change never went through this console
(another console, DR's own API): no audit event names it, yet the page still shows it field by
field, from the values the form was based on, and applies the agent's changes on top."""

from __future__ import annotations

from app.services.customers import CustomerUpdate
from tests.web.dom import parse

from .test_web_faults import form_values


def conflict_rows(body: str) -> list[str]:
    """The conflict table's rows, each as its text (field, their value, your value, who)."""
    table = parse(body).by_id("conflict").find("tbody")
    return [row.text for row in table.find_all("tr")]


def test_a_change_made_outside_the_console_is_shown_and_mine_applied_on_top(
    agent, dr, emulator, app
) -> None:
    emulator.add_customer(id="out-1", email="before@example.com", locale="en_US")
    data = form_values(agent.get("/customers/out-1/edit").get_data(as_text=True))
    dr.update("out-1", CustomerUpdate(locale="fr_FR"))  # no audit trail in this app

    refused = agent.post("/customers/out-1", data={**data, "email": "after@example.com"})

    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert conflict_rows(body) == [
        "Email before@example.com after@example.com Only you changed it",
        "Locale fr_FR en_US Only they changed it",
    ]
    answer = form_values(body)
    assert answer["locale"] == "fr_FR"
    assert answer["email"] == "after@example.com"

    applied = agent.post("/customers/out-1", data=answer)

    assert applied.status_code == 303
    stored = emulator.customer("out-1")
    assert (stored["email"], stored["locale"]) == ("after@example.com", "fr_FR")
    event = app.extensions["customer_desk"].audit.latest("out-1", "customer.update")
    assert event.note == "Applied on top of a newer version after an edit conflict."
    assert [c.field for c in event.changes] == ["email"]


def test_discarding_mine_on_digital_river_shows_what_dr_holds_now(agent, dr, emulator) -> None:
    emulator.add_customer(id="out-2", email="before@example.com", locale="en_US")
    data = form_values(agent.get("/customers/out-2/edit").get_data(as_text=True))
    dr.update("out-2", CustomerUpdate(locale="fr_FR"))
    refused = agent.post("/customers/out-2", data={**data, "email": "after@example.com"})
    assert refused.status_code == 409
    assert 'href="/customers/out-2/edit"' in refused.get_data(as_text=True)

    reloaded = form_values(agent.get("/customers/out-2/edit").get_data(as_text=True))

    assert (reloaded["email"], reloaded["locale"]) == ("before@example.com", "fr_FR")
    assert emulator.customer("out-2")["email"] == "before@example.com"
