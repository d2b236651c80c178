"""An edit refused because someone else saved the customer first: the page shows, field by
field and by human name, what they changed and what the agent changed, keeps everything typed,
and either applies the agent's changes on top of the newer version (audited as such) or
discards them. On the local store and on Digital River."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.customers.conflict import APPLIED_AFTER_CONFLICT
from app.services.audit import Actor
from app.services.customers import CustomerUpdate, NewCustomer

from .conftest import HX, full_shipping, html
from .dom import Element, field_error, form_values, fragment_root

OLIVIA = Actor(None, "olivia")


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each test runs on the local store and on Digital River (the emulator)."""
    return request.param


@pytest.fixture
def grace(service):
    """A customer with a full shipping block and two metadata keys."""
    return service.create(
        NewCustomer(
            id="cus-g",
            email="grace@example.com",
            type="individual",
            locale="en_US",
            shipping=full_shipping(),
            metadata={"tier": "gold", "crm-id": "A-77"},
        )
    )


@pytest.fixture
def audit_log(app):
    """The audit trail the app writes."""
    return app.extensions["customer_desk"].audit


def opened(agent) -> dict[str, str]:
    """The edit form of cus-g as the agent opened it."""
    response = agent.get("/customers/cus-g/edit")
    assert response.status_code == 200
    return form_values(html(response).find("form", action="/customers/cus-g"))


def they_change(service, **address: str) -> None:
    """Olivia saves the customer meanwhile, changing these address fields."""
    current = service.get("cus-g").shipping
    changed = replace(current, address=replace(current.address, **address))
    service.update("cus-g", CustomerUpdate(shipping=changed), actor=OLIVIA)


def conflict_rows(page: Element) -> dict[str, tuple[str, str, str]]:
    """Each row of the conflict table: field label -> (their value, your value, kind)."""
    rows = {}
    for row in page.by_id("conflict").find_all("tr", "conflict__row"):
        cells = row.find_all("td")
        kind = next(c for c in row.classes if c.startswith("conflict__row--"))
        rows[row.find("th").text] = (
            cells[0].text,
            cells[1].text,
            kind.removeprefix("conflict__row--"),
        )
    return rows


def submitted(page: Element) -> dict[str, str]:
    return form_values(page.find("form", action="/customers/cus-g"))


def test_a_stale_save_shows_by_field_name_what_each_side_changed_and_keeps_what_was_typed(
    agent, service, grace
) -> None:
    values = opened(agent)
    they_change(service, city="York")

    response = agent.post("/customers/cus-g", data={**values, "ship_phone": "+1 555 010 1111"})

    assert response.status_code == 409
    page = html(response)
    assert conflict_rows(page) == {
        "City": ("York", "Arlington", "theirs"),
        "Phone": ("+1 (555) 010-9876", "+1 555 010 1111", "yours"),
    }
    assert "olivia changed this customer at" in page.by_id("conflict").text
    body = response.get_data(as_text=True)
    assert "shipping.address.city" not in body and "shipping.phone" not in body
    shown = submitted(page)
    # Typed values kept; a field only they changed shows their value; based on the new version.
    assert shown["ship_phone"] == "+1 555 010 1111"
    assert shown["city"] == "York"
    assert shown["version"] == str(service.get("cus-g").version)
    form = page.find("form", action="/customers/cus-g")
    assert form.find("button", type="submit").text == "Apply my changes to the new version"
    assert page.find("a", href="/customers/cus-g/edit").text == "Discard mine"
    assert service.get("cus-g").shipping.phone == "+1 (555) 010-9876"


def test_applying_my_changes_saves_them_on_top_of_theirs_and_the_audit_trail_says_so(
    agent, service, grace, audit_log
) -> None:
    values = opened(agent)
    they_change(service, city="York")
    refused = agent.post("/customers/cus-g", data={**values, "ship_phone": "+1 555 010 1111"})
    assert refused.status_code == 409

    applied = agent.post("/customers/cus-g", data=submitted(html(refused)))

    assert applied.status_code == 303, applied.get_data(as_text=True)
    stored = service.get("cus-g")
    assert (stored.shipping.address.city, stored.shipping.phone) == ("York", "+1 555 010 1111")
    assert stored.metadata == {"tier": "gold", "crm-id": "A-77"}
    event = audit_log.latest("cus-g", "customer.update")
    assert event.actor_username != "olivia"
    assert event.note == APPLIED_AFTER_CONFLICT
    assert [c.field for c in event.changes] == ["shipping.phone"]


def test_a_field_both_changed_is_marked_as_a_clash_and_applying_keeps_mine(
    agent, service, grace
) -> None:
    values = opened(agent)
    they_change(service, city="York")
    refused = agent.post(
        "/customers/cus-g", data={**values, "city": "Leeds", "ship_phone": "+1 555 010 1111"}
    )

    assert refused.status_code == 409
    page = html(refused)
    assert conflict_rows(page)["City"] == ("York", "Leeds", "both")
    assert "Clash" in page.by_id("conflict").text
    assert submitted(page)["city"] == "Leeds"

    applied = agent.post("/customers/cus-g", data=submitted(page))

    assert applied.status_code == 303
    stored = service.get("cus-g")
    assert (stored.shipping.address.city, stored.shipping.phone) == ("Leeds", "+1 555 010 1111")


def test_metadata_they_added_or_changed_appears_in_the_form_and_survives_applying(
    agent, service, grace
) -> None:
    values = opened(agent)
    service.update(
        "cus-g", CustomerUpdate(metadata={"tier": "platinum", "vip": "yes"}), actor=OLIVIA
    )
    refused = agent.post("/customers/cus-g", data={**values, "email": "grace@navy.example"})

    assert refused.status_code == 409
    page = html(refused)
    rows = conflict_rows(page)
    assert rows["Metadata “tier”"] == ("platinum", "gold", "theirs")
    assert rows["Metadata “vip”"][2] == "theirs"
    assert rows["Email"] == ("grace@example.com", "grace@navy.example", "yours")

    assert agent.post("/customers/cus-g", data=submitted(page)).status_code == 303
    stored = service.get("cus-g")
    assert stored.email == "grace@navy.example"
    assert stored.metadata == {"tier": "platinum", "vip": "yes", "crm-id": "A-77"}


def test_discarding_mine_reloads_the_form_as_stored_now(agent, service, grace) -> None:
    values = opened(agent)
    they_change(service, city="York")
    refused = agent.post("/customers/cus-g", data={**values, "ship_phone": "+1 555 010 1111"})
    discard = html(refused).find("a", href="/customers/cus-g/edit")

    reloaded = agent.get(discard.get("href"))

    shown = submitted(html(reloaded))
    assert (shown["city"], shown["ship_phone"]) == ("York", "+1 (555) 010-9876")
    assert shown["version"] == str(service.get("cus-g").version)
    assert not html(reloaded).has(id="conflict")


def test_a_change_made_while_the_conflict_was_shown_is_refused_again_not_overwritten(
    agent, service, grace
) -> None:
    values = opened(agent)
    they_change(service, city="York")
    refused = agent.post("/customers/cus-g", data={**values, "ship_phone": "+1 555 010 1111"})
    they_change(service, postal_code="10001")

    again = agent.post("/customers/cus-g", data=submitted(html(refused)))

    assert again.status_code == 409
    assert conflict_rows(html(again))["Postal code"] == ("10001", "22201", "theirs")
    assert service.get("cus-g").shipping.phone == "+1 (555) 010-9876"
    assert agent.post("/customers/cus-g", data=submitted(html(again))).status_code == 303
    stored = service.get("cus-g").shipping
    assert (stored.address.city, stored.address.postal_code, stored.phone) == (
        "York",
        "10001",
        "+1 555 010 1111",
    )


def test_applied_changes_are_validated_again_with_errors_next_to_their_fields(
    agent, service, grace
) -> None:
    values = opened(agent)
    they_change(service, city="York")
    refused = agent.post("/customers/cus-g", data={**values, "ship_phone": "+1 555 010 1111"})
    answer = {**submitted(html(refused)), "email": "grace@"}

    invalid = agent.post("/customers/cus-g", data=answer)

    assert invalid.status_code == 422
    page = html(invalid)
    assert field_error(page, "email") == "Enter an email address like name@example.com."
    assert submitted(page)["ship_phone"] == "+1 555 010 1111"
    fixed = agent.post("/customers/cus-g", data={**submitted(page), "email": "g@example.com"})
    assert fixed.status_code == 303
    assert service.get("cus-g").shipping.phone == "+1 555 010 1111"


def test_a_form_without_a_base_it_can_vouch_for_counts_what_the_audit_trail_names_as_a_clash(
    agent, service, grace
) -> None:
    values = opened(agent)
    they_change(service, city="York")

    response = agent.post("/customers/cus-g", data={**values, "base": "tampered"})

    assert response.status_code == 409
    page = html(response)
    assert conflict_rows(page) == {"City": ("York", "Arlington", "both")}
    assert submitted(page)["city"] == "Arlington"


def test_a_stale_htmx_save_swaps_in_the_form_with_the_conflict(agent, service, grace) -> None:
    values = opened(agent)
    they_change(service, city="York")

    response = agent.post(
        "/customers/cus-g", data={**values, "ship_phone": "+1 555 010 1111"}, headers=HX
    )

    assert response.status_code == 409
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "customer-form"
    assert "City" in root.by_id("conflict").text
