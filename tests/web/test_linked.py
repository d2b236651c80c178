"""The customer page's linked-customers panel: fraud officers see who shares what, group by
group; everyone else sees how many; masked roles see masked values; the fragment route."""

from __future__ import annotations

import uuid

import pytest

from app.services.customers import Address, NewCustomer, Shipping

from .conftest import HX, html
from .dom import Element, fragment_root


def panel(client, customer_id: str) -> Element:
    return html(client.get(f"/customers/{customer_id}")).by_id("linked")


@pytest.fixture
def ring(service) -> list[str]:
    """Four customers: the first shares a mailbox with two (one disabled) and a phone with
    one of them and the fourth."""
    tag = uuid.uuid4().hex[:6]
    phone = "+44 20 7946 0111"

    def make(email: str, phone: str | None = None, **kwargs) -> str:
        shipping = Shipping(name=f"Ring {email[:3]}", phone=phone, address=Address(country="GB"))
        return service.create(NewCustomer(email=email, shipping=shipping, **kwargs)).id

    return [
        make(f"ring.{tag}@gmail.com", phone),
        make(f"ring{tag}+2@gmail.com", phone),
        make(f"RING.{tag}@gmail.com", enabled=False),
        make(f"other.{tag}@example.com", "020 7946 0111"),
    ]


def groups(block: Element) -> dict[str, list[str]]:
    """{reason: [member ids]} of the panel, in order."""
    out = {}
    for group in block.find_all("section", "link-group"):
        reason = group.find("h3").get("data-reason")
        out[reason] = [a.text for a in group.find("tbody").find_all("a")]
    return out


def test_a_fraud_officer_sees_each_reason_with_its_customers_newest_first(client_as, ring):
    block = panel(client_as("fraud"), ring[0])

    assert groups(block) == {"email": [ring[2], ring[1]], "phone": [ring[3], ring[1]]}
    assert (
        block.by_id("linked-count").text == "3 other customers share something with this customer."
    )
    email = block.find_all("section", "link-group")[0]
    assert email.find("h3").text.startswith("Same email")
    assert email.find("p", "link-summary").text == "2 other customers · 1 disabled"
    assert [b.text for b in email.find_all("span", "badge--bad")] == ["Disabled"]
    links = [a.get("href") for a in email.find("tbody").find_all("a")]
    assert links == [f"/customers/{ring[2]}", f"/customers/{ring[1]}"]


def test_an_admin_sees_the_groups_too(client_as, ring):
    assert list(groups(panel(client_as("admin"), ring[0]))) == ["email", "phone"]


@pytest.mark.parametrize("role", ["viewer", "agent", "privacy"])
def test_other_roles_see_only_how_many(client_as, ring, role):
    block = panel(client_as(role), ring[0])

    assert block.by_id("linked-count").text.startswith("3 other customers share")
    assert not block.has("section", "link-group")
    assert all(customer_id not in block.text for customer_id in ring[1:])


def test_a_customer_sharing_nothing_says_what_was_checked(client_as, service):
    tag = uuid.uuid4().hex[:6]
    lone = service.create(NewCustomer(email=f"lone.{tag}@example.com")).id

    block = panel(client_as("fraud"), lone)

    assert block.find("p", "empty").text == "No other customer shares this customer’s email."


def test_the_panel_alone_is_a_fragment(client_as, ring):
    response = client_as("fraud").get(f"/customers/{ring[0]}/linked", headers=HX)

    root = fragment_root(response.get_data(as_text=True))
    assert response.status_code == 200 and root.id == "linked"
    assert ring[1] in root.text


@pytest.fixture
def extra_config(request) -> dict[str, object]:
    config: dict[str, object] = {"FORGET_FOUR_EYES": False}
    if "masked" in request.node.name:
        config["UNMASKED_ROLES"] = ["agent"]
    return config


def test_a_masked_fraud_officer_sees_masked_values_until_revealing(client_as, ring, service):
    block = panel(client_as("fraud"), ring[0])

    email = block.find_all("section", "link-group")[0]
    shown = email.find("span", "link-value").text
    assert shown != service.get(ring[0]).email and "•" in shown
    cells = [td.text for td in email.find("tbody").find_all("td", "email")]
    assert all("•" in cell for cell in cells)
