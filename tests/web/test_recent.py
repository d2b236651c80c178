"""Recently viewed customers on the empty search page: the signed-in staff member's latest ten,
newest first, kept server-side (they follow the person to another machine), never shown while
searching, and gone for a customer asked to be forgotten."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services.customers import NewCustomer, Shipping
from app.services.local.models import RecentViewRow
from tests.conftest import csrf_token, sign_in

from .conftest import html


def recent_list(client) -> list[str]:
    """Where the links of the "Recently viewed" list go, top first (none: no list)."""
    sections = html(client.get("/")).find_all("section", class_="recent")
    assert len(sections) <= 1
    return [a.get("href") for s in sections for a in s.find_all("a")]


def stored_views(app) -> list[tuple[int, str]]:
    engine = app.extensions["customer_desk"].engine
    with engine.connect() as connection:
        rows = connection.execute(select(RecentViewRow.staff_id, RecentViewRow.customer_id))
        return sorted((r.staff_id, r.customer_id) for r in rows)


@pytest.fixture
def three(service):
    return [
        service.create(
            NewCustomer(
                id=f"cus-recent-{n}",
                email=f"r{n}@example.com",
                shipping=Shipping(name=f"Reese {n}"),
            )
        )
        for n in range(3)
    ]


def test_the_customers_opened_show_newest_first_under_the_empty_search(agent, three) -> None:
    for customer in (three[0], three[2], three[1]):
        assert agent.get(f"/customers/{customer.id}").status_code == 200

    page = html(agent.get("/"))

    section = page.find("section", class_="recent")
    assert section.find("h2").text == "Recently viewed"
    links = section.find_all("a")
    assert [a.get("href") for a in links] == [
        "/customers/cus-recent-1",
        "/customers/cus-recent-2",
        "/customers/cus-recent-0",
    ]
    assert [a.text for a in links] == ["Reese 1", "Reese 2", "Reese 0"]


def test_opening_one_again_moves_it_to_the_top_and_only_ten_are_kept(app, agent, service) -> None:
    ids = [service.create(NewCustomer(id=f"cus-many-{n:02d}")).id for n in range(12)]
    for customer_id in ids:
        agent.get(f"/customers/{customer_id}")
    agent.get(f"/customers/{ids[3]}")

    shown = recent_list(agent)

    assert len(shown) == 10
    assert shown[0] == f"/customers/{ids[3]}"
    assert shown[1:] == [f"/customers/{i}" for i in [*reversed(ids[4:]), ids[2]]]
    assert len(stored_views(app)) == 10


def test_the_list_follows_the_staff_member_to_another_machine(app, make_staff, three) -> None:
    name = make_staff("viewer")
    desk, laptop = app.test_client(), app.test_client()
    sign_in(desk, name)
    sign_in(laptop, name)

    desk.get(f"/customers/{three[0].id}")

    assert recent_list(laptop) == [f"/customers/{three[0].id}"]


def test_each_staff_member_sees_only_their_own(client_as, three) -> None:
    first, second = client_as("agent"), client_as("agent")
    first.get(f"/customers/{three[0].id}")

    assert recent_list(second) == []
    assert recent_list(first) == [f"/customers/{three[0].id}"]


@pytest.mark.parametrize("query", ["?q=reese", "?type=business", "?enabled=yes"])
def test_the_list_is_not_shown_while_searching(agent, three, query) -> None:
    agent.get(f"/customers/{three[0].id}")

    body = agent.get("/" + query).get_data(as_text=True)

    assert "Recently viewed" not in body
    assert "Recently viewed" in agent.get("/").get_data(as_text=True)


def test_a_customer_asked_to_be_forgotten_leaves_every_list(app, client_as, three) -> None:
    agent = client_as("agent")
    agent.get(f"/customers/{three[1].id}")
    agent.get(f"/customers/{three[0].id}")
    assert len(recent_list(agent)) == 2
    officer = client_as("privacy")
    confirm = f"/customers/{three[0].id}/forget"
    answer = officer.post(
        confirm,
        data={
            "confirm_id": three[0].id,
            "reason": "T-1",
            "csrf_token": csrf_token(officer, confirm),
        },
    )
    assert answer.status_code == 303

    assert recent_list(agent) == [f"/customers/{three[1].id}"]
    assert all(customer_id != three[0].id for _, customer_id in stored_views(app))
