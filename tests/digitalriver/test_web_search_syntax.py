"""Search qualifiers on Digital River: what its list can filter on (id:, a whole email:,
created:) is sent to it; anything else is shown as not available there, with the hint."""

from __future__ import annotations

from app.services.customers import NewCustomer
from tests.web.conftest import html


def rows(page) -> list[str]:
    results = page.by_id("results")
    return (
        [r.find("a").text for r in results.find("tbody").find_all("tr")]
        if results.has("tbody")
        else []
    )


def test_the_help_marks_the_qualifiers_dr_cannot_search(agent) -> None:
    help_ = html(agent.get("/")).by_id("search-help")
    unavailable = [
        row.find("th").text.strip()
        for row in help_.find("tbody").find_all("tr")
        if "Not on Digital River" in row.text
    ]
    assert "city:" in unavailable and "last4:" in unavailable and "meta.KEY:" in unavailable
    assert not {"id:", "email:", "created:"} & set(unavailable)


def test_a_qualifier_dr_cannot_search_is_named_with_the_hint(agent) -> None:
    body = agent.get("/?q=city:leeds last4:4242").get_data(as_text=True)

    assert "Not available on Digital River: city:, last4:." in body
    assert "search the local store for the rest" in body


def test_id_email_and_created_qualifiers_are_sent_to_dr(agent, service) -> None:
    ada = service.create(NewCustomer(id="cus-ada-1", email="ada@example.com"))
    service.create(NewCustomer(id="cus-bob-1", email="bob@example.com"))
    day = ada.created_time.date().isoformat()

    assert rows(html(agent.get("/?q=id:cus-ada-1"))) == ["cus-ada-1"]
    assert rows(html(agent.get("/?q=email:ada@example.com"))) == ["cus-ada-1"]
    assert rows(html(agent.get(f"/?q=email:ada@example.com created:{day}"))) == ["cus-ada-1"]
    assert rows(html(agent.get("/?q=email:ada@example.com created:<2001"))) == []
