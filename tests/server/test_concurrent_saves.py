"""Two staff members save the same customer at the same instant, over real HTTP to a threaded
server: exactly one save goes through, the other is refused as stale, and nothing is lost.

Each round both open the form at the same version, wait at a barrier and post together. On
every engine one of them must get 303 and the other 409, the record must hold the winner's
values, and no two audit events may claim the same version."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from app.services.customers import NewCustomer
from tests.conftest import PASSWORD

ROUNDS = 50


def _signed_in(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30.0)
    token = _token(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or re.search(
        r'"X-CSRFToken": "([^"]+)"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def _version(page: str, form_id: str | None = None) -> str:
    if form_id is not None:
        page = page[page.index(f'id="{form_id}"') :]
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page
    )
    assert match, "no version on the page"
    return match.group(1)


def _race(clients: list[httpx.Client], path: str, forms: list[dict[str, str]]) -> list[int]:
    """Post each client's form to ``path`` at the same instant; the status codes, in order."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def run(index: int) -> None:
        barrier.wait()
        statuses[index] = clients[index].post(path, data=forms[index]).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.fixture
def two_agents(live_server: str, make_staff) -> Iterator[list[httpx.Client]]:
    clients = [_signed_in(live_server, make_staff("agent")) for _ in range(2)]
    yield clients
    for client in clients:
        client.close()


def _assert_no_lost_update(service, customer_id: str, outcomes: list[list[int]]) -> None:
    tally = Counter(tuple(sorted(o)) for o in outcomes)
    assert tally == Counter({(303, 409): ROUNDS}), tally
    events = service.audit.for_customer(customer_id, limit=10 * ROUNDS)
    versions = [e.version_after for e in events]
    assert len(versions) == len(set(versions)), Counter(versions).most_common(3)


def test_simultaneous_edits_keep_exactly_one(service, two_agents) -> None:
    service.create(NewCustomer(id="cus_race", email="start@example.com"))
    outcomes = []
    for round_ in range(ROUNDS):
        pages = [c.get("/customers/cus_race/edit").text for c in two_agents]
        versions = [_version(p) for p in pages]
        assert versions[0] == versions[1]
        emails = [f"round{round_}-agent{i}@example.com" for i in range(2)]
        forms = [
            {"csrf_token": _token(pages[i]), "version": versions[i], "email": emails[i]}
            for i in range(2)
        ]
        statuses = _race(two_agents, "/customers/cus_race", forms)
        outcomes.append(statuses)
        winner = statuses.index(303) if 303 in statuses else None
        if winner is not None:
            assert service.get("cus_race").email == emails[winner]
    _assert_no_lost_update(service, "cus_race", outcomes)
    assert service.get("cus_race").version == ROUNDS + 1


def test_simultaneous_metadata_saves_keep_exactly_one(service, two_agents) -> None:
    service.create(NewCustomer(id="cus_race_meta", metadata={"ticket": "T-0"}))
    outcomes = []
    for round_ in range(ROUNDS):
        pages = [c.get("/customers/cus_race_meta").text for c in two_agents]
        versions = [_version(p, "metadata-form") for p in pages]
        assert versions[0] == versions[1]
        values = [f"T-{round_}-{i}" for i in range(2)]
        forms = [
            {
                "csrf_token": _token(pages[i]),
                "version": versions[i],
                "metadata-0-original": "ticket",
                "metadata-0-key": "ticket",
                "metadata-0-value": values[i],
            }
            for i in range(2)
        ]
        statuses = _race(two_agents, "/customers/cus_race_meta/metadata", forms)
        outcomes.append(statuses)
        if 303 in statuses:
            winner = statuses.index(303)
            assert service.get("cus_race_meta").metadata == {"ticket": values[winner]}
    _assert_no_lost_update(service, "cus_race_meta", outcomes)
