"""The edit and create forms on Digital River when DR is down, changes things on its own, or
holds values the console would not have written: nothing typed is lost and nothing is
misreported."""

from __future__ import annotations

import pytest

from .conftest import clear_faults, refuse_connections
from .test_web_faults import EDIT_CHANGES, EDITED, assert_kept, edit_form, new_form

KEPT = "Your entries are kept below; press “Save changes” to try again."


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
@pytest.mark.parametrize("outage", ["refused", "503"])
def test_an_edit_saved_while_dr_cannot_be_read_keeps_every_value_and_saves_once_dr_is_back(
    agent, service, emulator, outage, htmx
) -> None:
    emulator.add_customer(**EDITED)
    data = edit_form(agent, "edit-1")
    if outage == "refused":
        refuse_connections(service.http, times=1000)
    else:
        emulator.fail_next(503, times=1000)
    headers = {"HX-Request": "true"} if htmx else {}

    response = agent.post("/customers/edit-1", data=data, headers=headers)

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert KEPT in body
    expected = (
        "Digital River could not be reached."
        if outage == "refused"
        else "Digital River is unavailable (HTTP 503)."
    )
    assert expected in body
    assert ("<html" in body) is not htmx
    assert 'id="customer-form"' in body
    assert_kept(body, data)
    assert emulator.customer("edit-1")["email"] == "before@example.com"

    clear_faults(emulator, service.http)
    again = agent.post("/customers/edit-1", data=data)

    assert again.status_code == 303
    stored = emulator.customer("edit-1")
    assert stored["email"] == EDIT_CHANGES["email"]
    assert stored["shipping"]["address"]["city"] == EDIT_CHANGES["city"]
    assert stored["metadata"] == {"coupon": "iOS", "tier": "gold"}
    assert len(emulator.requests_to("POST", "/customers/edit-1")) == 1


def test_a_create_with_an_unclear_outcome_says_pressing_create_again_is_safe(
    agent, service, emulator, fault
) -> None:
    data = new_form(agent)
    fault.inject(
        emulator, service.http, times=service.retries + 1, method="POST", path_prefix="/customers"
    )

    response = agent.post("/customers", data=data)

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "reload the customer" not in body
    if fault.kind == "refused":
        assert "Nothing was changed" in body
    else:
        assert "may or may not have been created; pressing Create again is safe" in body
