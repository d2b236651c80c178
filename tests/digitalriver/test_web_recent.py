"""Recently viewed on Digital River: the list's names come from one list request to DR (its
``ids`` filter), and while DR cannot answer the list still shows the ids."""

from __future__ import annotations

import re

from app.services.errors import BackendUnavailable


def test_the_recent_list_names_come_from_one_request_to_dr(agent, emulator) -> None:
    for n in range(3):
        emulator.add_customer(id=f"rv-{n}", shipping={"name": f"Ria {n}"})
        agent.get(f"/customers/rv-{n}")
    emulator.requests.clear()

    body = agent.get("/").get_data(as_text=True)

    assert re.findall(r'<a href="/customers/(rv-\d)">Ria \d</a>', body) == ["rv-2", "rv-1", "rv-0"]
    by_ids = [r for r in emulator.requests if r.path == "/customers" and "ids" in r.query]
    assert len(by_ids) == 1


def test_the_recent_list_shows_the_ids_while_dr_cannot_name_them(
    agent, service, emulator, monkeypatch
) -> None:
    emulator.add_customer(id="rv-9", shipping={"name": "Ria Nine"})
    agent.get("/customers/rv-9")

    def unavailable(ids):
        raise BackendUnavailable("Digital River is unavailable (HTTP 503). Try again in a moment.")

    monkeypatch.setattr(service, "summaries", unavailable)  # the list read fails, not the search

    body = agent.get("/").get_data(as_text=True)

    assert '<a href="/customers/rv-9">rv-9</a>' in body
