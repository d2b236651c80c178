"""The CSV export of a search on Digital River (the emulator): DR's pages of 100 followed
through its cursor, the address from DR's shipping block, and DR failing before or during."""

from __future__ import annotations

import csv
import io

from app.customers.export import COLUMNS
from app.services.audit import AuditQuery


def table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_an_export_follows_drs_pages_to_the_last_match(agent, emulator) -> None:
    for n in range(130):
        emulator.add_customer(
            id=f"exp-{n:03d}",
            email="shared@example.com",
            shipping={"name": f"Buyer {n}", "address": {"city": "Leeds", "country": "GB"}},
        )
    emulator.add_customer(id="exp-other", email="other@example.com")

    response = agent.get("/customers.csv?q=shared@example.com")

    assert response.status_code == 200
    header, *rows = table(response)
    assert tuple(header) == COLUMNS
    assert sorted(r[0] for r in rows) == [f"exp-{n:03d}" for n in range(130)]
    assert {r[COLUMNS.index("city")] for r in rows} == {"Leeds"}
    lists = emulator.requests_to("GET", "/customers")
    assert len([r for r in lists if r.path == "/customers"]) == 2  # 100, then 30


def test_dr_down_before_the_first_row_answers_the_search_page_with_the_banner(
    agent, service, emulator
) -> None:
    emulator.add_customer(id="exp-1", email="shared@example.com")
    emulator.fail_next(503, times=service.retries + 1, method="GET")

    response = agent.get("/customers.csv?q=shared@example.com")

    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Digital River is unavailable (HTTP 503)." in response.get_data(as_text=True)


def test_dr_failing_part_way_ends_the_file_with_a_row_that_says_it_is_incomplete(
    agent, service, emulator, app
) -> None:
    for n in range(120):
        emulator.add_customer(id=f"exp-{n:03d}", email="shared@example.com")

    class FailSecondPage:
        """Let the first list request through, fail every later one."""

        def __init__(self) -> None:
            self.seen = 0

        def __call__(self, request) -> None:
            if request.url.path == "/customers":
                self.seen += 1
                if self.seen == 2:
                    emulator.fail_next(503, times=1000, method="GET")

    hook = FailSecondPage()
    service.http.event_hooks = {
        **service.http.event_hooks,
        "request": [*service.http.event_hooks["request"], hook],
    }
    try:
        body = agent.get("/customers.csv?q=shared@example.com").get_data(as_text=True)
    finally:
        service.http.event_hooks = {
            **service.http.event_hooks,
            "request": [h for h in service.http.event_hooks["request"] if h is not hook],
        }
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 1 + 100 + 1
    assert rows[-1][0].startswith("INCOMPLETE: the export stopped after 100 rows:")
    audit = app.extensions["customer_desk"].audit
    [event] = audit.search(AuditQuery(action="customer.export")).events
    assert event.outcome == "failed"
    assert event.note == (
        "Search q='shared@example.com': 100 rows, stopped by the backend (unavailable)."
    )
