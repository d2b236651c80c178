"""The pages on Digital River's API (the emulator) when DR fails: no 500s, banners that say
what happened, forms that keep every typed value, and resubmits that create one customer."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

# What an agent types into the new-customer form (id left empty: the draft id is used).
NEW_FORM = {
    "id": "",
    "email": "grace@example.com",
    "type": "business",
    "locale": "de_DE",
    "ship_name": "Grace O'Hopper",
    "ship_phone": "+1 555 010 9876",
    "ship_email": "grace.ship@example.net",
    "ship_organization": "Smith & Söhne <GmbH>",
    "line1": "1 Harbor Way",
    "line2": "Suite 9",
    "city": "Arlington",
    "postal_code": "22201",
    "state": "VA",
    "country": "US",
    "neighborhood": "Colonia Roma",
    "division": "Division Nine",
    "phonetic_name": "Gureisu",
    "metadata-0-key": "coupon",
    "metadata-0-value": "iOS",
    "metadata-1-key": "tier",
    "metadata-1-value": "gold",
}

# What the agent changes on the edit form of EDITED.
EDITED = {
    "id": "edit-1",
    "email": "before@example.com",
    "type": "individual",
    "locale": "en_US",
    "shipping": {
        "name": "Ada Lovelace",
        "phone": "+44 20 7946 0000",
        "address": {"line1": "12 St James's Sq", "city": "London", "country": "GB"},
    },
    "metadata": {"coupon": "iOS"},
}
EDIT_CHANGES = {
    "email": "after@example.com",
    "type": "business",
    "ship_organization": "Analytical & Engines <Ltd>",
    "city": "Richmond",
    "postal_code": "TW9 1AA",
    "metadata-1-key": "tier",
    "metadata-1-value": "gold",
}

MESSAGES = {
    "slow": "Digital River did not answer in time.",
    "malformed": "Digital River sent an unreadable answer.",
    "drop": "Digital River closed the connection without answering.",
    "refused": "Digital River could not be reached.",
}
REFUSED = "Digital River refused the API key"


class _FormValues(HTMLParser):
    """name -> value of every input, and the selected option of every select."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name:
            self.values[name] = found.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_values(body: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(body)
    return parser.values


def assert_kept(body: str, typed: dict[str, str]) -> None:
    shown = form_values(body)
    for name, value in typed.items():
        if name == "csrf_token":  # signed afresh on every page, not something typed
            continue
        assert shown.get(name) == value, f"{name}: typed {value!r}, shown {shown.get(name)!r}"


def expected_message(fault) -> str:
    if fault.kind == "fail":
        return f"Digital River is unavailable (HTTP {fault.status})."
    return MESSAGES[fault.kind]


def new_form(agent: FlaskClient) -> dict[str, str]:
    """The new-customer form as first shown (token, draft id), filled in with NEW_FORM."""
    shown = form_values(agent.get("/new-customer").get_data(as_text=True))
    assert re.fullmatch(r"cd_[a-z2-7]{16}", shown["draft_id"])
    return {
        "csrf_token": shown["csrf_token"],
        "version": "",
        "draft_id": shown["draft_id"],
        **NEW_FORM,
    }


def edit_form(agent: FlaskClient, customer_id: str) -> dict[str, str]:
    """The edit form as shown (every field), with EDIT_CHANGES typed in."""
    response = agent.get(f"/customers/{customer_id}/edit")
    assert response.status_code == 200
    return {**form_values(response.get_data(as_text=True)), **EDIT_CHANGES}


# -- create form ---------------------------------------------------------------------------------


def test_a_create_hit_by_a_fault_keeps_every_value_and_a_resubmit_makes_one_customer(
    agent, service, emulator, fault
) -> None:
    data = new_form(agent)
    draft_id = data["draft_id"]
    fault.inject(
        emulator, service.http, times=service.retries + 1, method="POST", path_prefix="/customers"
    )

    first = agent.post("/customers", data=data)

    assert first.status_code == 503
    body = first.get_data(as_text=True)
    assert escape(expected_message(fault)) in body
    assert "Your entries are kept below; press “Create customer” to try again." in body
    assert_kept(body, data)
    posts = emulator.requests_to("POST", "/customers")
    assert {p.json["id"] for p in posts} <= {draft_id}
    if fault.sends_request_id:
        assert f"Digital River request id: <code>{posts[-1].request_id}</code>" in body
    assert emulator.customer_count() == (1 if fault.applied else 0)

    fault.clear(emulator, service.http)
    again = agent.post("/customers", data=data)

    assert emulator.customer_count() == 1
    if fault.applied:
        assert again.status_code == 422
        text = again.get_data(as_text=True)
        assert "This form was already submitted and the customer exists" in text
        assert f'<a href="/customers/{draft_id}">open customer {draft_id}</a>' in text
    else:
        assert again.status_code == 303
        assert again.headers["Location"] == f"/customers/{draft_id}"
    stored = emulator.customer(draft_id)
    assert stored["email"] == "grace@example.com"
    assert stored["shipping"]["organization"] == "Smith & Söhne <GmbH>"
    assert stored["metadata"] == {"coupon": "iOS", "tier": "gold"}


def test_a_create_hit_by_a_single_fault_is_saved_through_the_retry_with_one_customer(
    agent, service, emulator
) -> None:
    data = new_form(agent)
    emulator.fail_next(503, method="POST", applied=True)

    response = agent.post("/customers", data=data)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/customers/{data['draft_id']}"
    assert emulator.customer_count() == 1
    page = agent.get(response.headers["Location"])
    assert f"Customer {data['draft_id']} created." in page.get_data(as_text=True)


# -- edit form -----------------------------------------------------------------------------------


def test_an_edit_hit_by_a_fault_keeps_every_value_and_a_resubmit_saves_it_once(
    agent, service, emulator, fault
) -> None:
    emulator.add_customer(**EDITED)
    data = edit_form(agent, "edit-1")
    fault.inject(emulator, service.http, times=1, method="POST", path_prefix="/customers/edit-1")

    first = agent.post("/customers/edit-1", data=data)

    assert first.status_code == 503
    body = first.get_data(as_text=True)
    assert escape(expected_message(fault)) in body
    assert "Your entries are kept below; press “Save changes” to try again." in body
    if fault.applied:
        assert "may not have been saved" in body
    assert_kept(body, data)
    assert emulator.customer("edit-1")["email"] == (
        "after@example.com" if fault.applied else "before@example.com"
    )

    fault.clear(emulator, service.http)
    again = agent.post("/customers/edit-1", data=data)

    assert again.status_code == 303
    assert again.headers["Location"] == "/customers/edit-1"
    assert emulator.customer_count() == 1
    stored = emulator.customer("edit-1")
    assert stored["email"] == "after@example.com"
    assert stored["type"] == "business"
    assert stored["shipping"]["organization"] == "Analytical & Engines <Ltd>"
    assert stored["shipping"]["address"]["city"] == "Richmond"
    assert stored["metadata"] == {"coupon": "iOS", "tier": "gold"}
    posts = emulator.requests_to("POST", "/customers/edit-1")
    assert len(posts) == (2 if fault.reaches_dr and not fault.applied else 1)


# -- search and detail pages ---------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_a_search_hit_by_a_503_shows_the_banner_with_a_try_again_link(
    agent, service, emulator, htmx
) -> None:
    emulator.add_customer(id="s-1", email="jsmith@digitalriver.com")
    emulator.fail_next(503, times=service.retries + 1, method="GET", path_prefix="/customers")
    headers = {"HX-Request": "true"} if htmx else {}

    response = agent.get("/?q=jsmith@digitalriver.com", headers=headers)

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Digital River is unavailable (HTTP 503). Try again in a moment." in body
    assert emulator.requests[-1].request_id in body
    link = re.search(r'<a href="([^"]+)"[^>]*>Try again</a>', body)
    assert link, "no Try again link"
    assert ("<html" in body) is not htmx

    retried = agent.get(link.group(1).replace("&amp;", "&"))

    assert retried.status_code == 200
    assert 'href="/customers/s-1"' in retried.get_data(as_text=True)


def test_a_detail_page_with_a_persistent_503_shows_the_error_page(agent, emulator) -> None:
    emulator.add_customer(id="d-1", email="d@example.com")
    emulator.fail_next(503, times=100, method="GET", path_prefix="/customers/d-1")

    response = agent.get("/customers/d-1")

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert '<h1>Unavailable <span class="muted">(503)</span></h1>' in body
    assert "<p>Digital River is unavailable (HTTP 503). Try again in a moment.</p>" in body
    assert f"<code>{emulator.requests[-1].request_id}</code>" in body
    assert "d@example.com" not in body
    assert "Traceback" not in body


def test_a_detail_page_survives_a_single_503_through_the_retry(agent, emulator) -> None:
    emulator.add_customer(id="d-1", email="d@example.com")
    emulator.fail_next(503, method="GET", path_prefix="/customers/d-1")

    response = agent.get("/customers/d-1")

    assert response.status_code == 200
    assert "d@example.com" in response.get_data(as_text=True)


# -- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("app_api_key", ["wrong"], indirect=True)
def test_a_wrong_api_key_says_dr_refused_the_key_and_never_shows_it(
    agent, emulator, app_api_key
) -> None:
    emulator.add_customer(id="w-1", email="w@example.com")
    form = new_form(agent)

    pages = {
        "search": (agent.get("/?q=w-1"), 502),
        "detail": (agent.get("/customers/w-1"), 502),
        "edit": (agent.get("/customers/w-1/edit"), 502),
        "create": (agent.post("/customers", data=form), 502),
        "new form": (agent.get("/new-customer"), 200),
    }

    for name, (response, status) in pages.items():
        body = response.get_data(as_text=True)
        assert response.status_code == status, name
        assert app_api_key not in body, name
        assert "Bearer" not in body, name
        assert "An authorization error has occurred" not in body, name
        assert "w@example.com" not in body, name
        if status == 502:
            assert f"{REFUSED} (check FLASK_DR_API_KEY)." in body, name
    assert_kept(pages["create"][0].get_data(as_text=True), form)
    assert emulator.requests and all(r.status == 401 for r in emulator.requests)
    assert emulator.customer_count() == 1


def _header(body: str) -> str:
    found = re.search(r"<header\b.*?</header>", body, re.S)
    assert found, "no page header"
    return found.group(0)


@pytest.mark.parametrize("app_api_key", ["test"], indirect=True)
def test_the_header_shows_test_with_a_test_key(agent, emulator, app_api_key) -> None:
    body = agent.get("/").get_data(as_text=True)

    header = _header(body)
    assert header.startswith('<header class="site-header" ')
    assert re.search(r'<span class="badge badge--mode"[^>]*>TEST</span>', header)
    assert "LIVE" not in header
    assert "badge--live" not in header
    assert app_api_key.startswith("sk_test_")
    assert app_api_key not in body
    assert emulator.requests[-1].live_mode is False


@pytest.mark.parametrize("app_api_key", ["live"], indirect=True)
def test_the_header_shows_live_in_a_distinct_style_with_a_live_key(
    agent, emulator, app_api_key, dr_live_api_key
) -> None:
    emulator.add_customer(id="t-1", email="test-mode@example.com")

    body = agent.get("/").get_data(as_text=True)

    header = _header(body)
    assert header.startswith('<header class="site-header site-header--live" ')
    assert re.search(r'<span class="badge badge--live"[^>]*>LIVE</span>', header)
    assert "TEST" not in header
    assert app_api_key == dr_live_api_key
    assert not app_api_key.startswith("sk_test_")
    assert app_api_key not in body
    assert emulator.requests[-1].live_mode is True
    assert "test-mode@example.com" not in body  # the live key sees only live customers


def test_no_page_turns_a_backend_failure_into_a_500(agent, service, emulator) -> None:
    emulator.add_customer(**EDITED)
    form = new_form(agent)
    edit = edit_form(agent, "edit-1")
    emulator.fail_next(500, times=1000)

    responses = [
        agent.get("/?q=before@example.com"),
        agent.get("/customers/edit-1"),
        agent.get("/customers/edit-1/edit"),
        agent.post("/customers", data=form),
        agent.post("/customers/edit-1", data=edit),
    ]

    assert [r.status_code for r in responses] == [503] * 5
    for response in responses:
        assert "Digital River is unavailable (HTTP 500)." in response.get_data(as_text=True)
