"""The audit trail of changes made through Digital River: a failed change shows DR's request
id on its row's secondary line (a local change never shows one)."""

from __future__ import annotations

from tests.web.conftest import html

from .test_web_faults import EDITED, edit_form


def test_a_change_dr_refused_shows_its_request_id_on_the_audit_row(
    agent, client_as, service, emulator
) -> None:
    emulator.add_customer(**EDITED)
    data = edit_form(agent, "edit-1")
    emulator.fail_next(503, times=5, method="POST", path_prefix="/customers/edit-1")

    assert agent.post("/customers/edit-1", data=data).status_code == 503

    sent = emulator.requests_to("POST", "/customers/edit-1")[-1].request_id
    assert sent
    trail = html(client_as("fraud").get("/audit?customer=edit-1")).by_id("audit-results")
    failed = trail.find("tr", "row--failed")
    assert failed.find("p", "audit-meta").text == f"Digital River · request {sent}"
    assert failed.find("span", "badge--bad").text == "Failed"
