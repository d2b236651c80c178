"""The audit trail page and its CSV export: who may see it, filters, paging, fragments, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from app.services.audit import Actor, AuditEvent, FieldChange
from app.services.customers import CustomerUpdate

from .conftest import HX, html, login_target
from .dom import Element, control_value, fragment_root

AUDIT_READERS = [("fraud",), ("privacy",), ("admin",), ("viewer", "fraud")]
NOT_READERS = [("viewer",), ("agent",), ("agent", "viewer")]
CSV_HEADER = [
    "occurred_time",
    "actor",
    "action",
    "customer_id",
    "outcome",
    "backend",
    "reason_code",
    "note",
    "request_id",
    "error",
    "changes",
    "batch_id",
]


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def record(app) -> Callable[..., AuditEvent]:
    """Write one audit event directly; keyword arguments are AuditEvent's."""

    def write(**fields: object) -> AuditEvent:
        values: dict[str, object] = {
            "occurred_time": at(1),
            "actor_username": "ada",
            "action": "customer.update",
            "customer_id": "cus-1",
        }
        values.update(fields)
        event = AuditEvent(**values)  # type: ignore[arg-type]
        app.extensions["customer_desk"].audit.record(event)
        return event

    return write


@pytest.fixture
def fraud(client_as):
    return client_as("fraud")


@pytest.fixture
def trail(record) -> None:
    """Five events by two people on two customers over five days (notes name them)."""
    record(occurred_time=at(1), actor_username="ada", action="customer.create", note="e1")
    record(occurred_time=at(2), actor_username="bob", action="customer.update", note="e2")
    record(
        occurred_time=at(3),
        actor_username="ada",
        action="customer.disable",
        customer_id="cus-2",
        reason_code="suspected_fraud",
        note="e3",
    )
    record(occurred_time=at(4), actor_username="bob", action="metadata.update", note="e4")
    record(occurred_time=at(5), actor_username="ada", action="customer.enable", note="e5")


def rows(document: Element) -> list[Element]:
    return document.by_id("audit-results").find_all("tr", "audit-event")


def notes(document: Element) -> list[str]:
    """The note of each shown event, top to bottom."""
    return [row.find("p", "audit-note").text.strip("“”") for row in rows(document)]


def cells(row: Element) -> dict[str, Element]:
    """A row's cells by their column header."""
    headers = [th.text for th in row.closest("table").find("thead").find_all("th")]
    return dict(zip(headers, row.find_all("td"), strict=True))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# -- who may see it ----------------------------------------------------------------------------


@pytest.mark.parametrize("roles", AUDIT_READERS, ids="+".join)
@pytest.mark.parametrize("path", ["/audit", "/audit.csv"])
def test_fraud_privacy_and_admin_staff_may_read_the_trail_and_export_it(
    client_as, roles, path
) -> None:
    response = client_as(*roles).get(path)

    assert response.status_code == 200


@pytest.mark.parametrize("roles", NOT_READERS, ids="+".join)
@pytest.mark.parametrize("path", ["/audit", "/audit.csv"])
def test_viewers_and_agents_get_403_on_the_trail_and_its_export(client_as, roles, path) -> None:
    response = client_as(*roles).get(path)

    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/audit", "/audit.csv?action=customer.update"])
def test_a_signed_out_visitor_is_sent_to_sign_in_first(client, path) -> None:
    response = client.get(path)

    assert response.status_code == 303
    assert login_target(response.headers["Location"]) == path


@pytest.mark.parametrize(
    ("roles", "shown"),
    [(("fraud",), True), (("privacy",), True), (("admin",), True)]
    + [(("viewer",), False), (("agent",), False)],
)
def test_the_main_navigation_links_to_the_trail_only_for_those_who_may_read_it(
    client_as, roles, shown
) -> None:
    nav = html(client_as(*roles).get("/")).find("nav", aria_label="Main")

    assert nav.has("a", href="/audit") is shown


# -- the page ------------------------------------------------------------------------------------


def test_events_are_listed_newest_first(fraud, trail) -> None:
    document = html(fraud.get("/audit"))

    assert notes(document) == ["e5", "e4", "e3", "e2", "e1"]


def test_a_row_shows_when_who_what_which_customer_outcome_reason_request_id_and_changes(
    fraud, record
) -> None:
    record(
        occurred_time=at(3, 9, 30),
        actor_username="ada",
        action="customer.disable",
        customer_id="cus-9",
        backend="digitalriver",
        reason_code="chargeback",
        note="bank called",
        request_id="req-123",
        changes=(FieldChange("enabled", "yes", "no"), FieldChange("email", None, "a@b.example")),
    )

    row = cells(rows(html(fraud.get("/audit")))[0])

    assert row["When (UTC)"].find("time").get("datetime") == "2025-03-03T09:30:00+00:00"
    assert row["When (UTC)"].find("time").text == "2025-03-03 09:30 UTC"
    # The absolute time leads; how long ago follows, the exact time on hover.
    ago = row["When (UTC)"].find("span", "audit-ago").find("time")
    assert ago.text.endswith(" ago")
    assert ago.get("title") == "2025-03-03 09:30 UTC"
    assert row["Staff member"].text == "ada"
    assert row["Action"].find("span", "audit-action").text == "Disabled"
    assert row["Customer"].find("a").get("href") == "/customers/cus-9"
    assert row["Action"].find("p", "audit-reason").text == "Chargeback"
    assert row["Action"].find("p", "audit-note").text == "“bank called”"
    assert row["Action"].find("p", "audit-meta").text == "Digital River · request req-123"
    assert not row["Action"].has("span", "badge--bad")
    changes = [li.text for li in row["Changes"].find_all("li")]
    assert changes == ["Enabled: yes → no", "Email: set to a@b.example"]


def test_a_failed_attempt_is_highlighted_with_its_error(fraud, record) -> None:
    record(action="customer.update", outcome="failed", error="Digital River timed out.")
    record(occurred_time=at(2), action="customer.update", note="fine")

    failed, succeeded = reversed(rows(html(fraud.get("/audit"))))

    assert "row--failed" in failed.classes
    assert "row--failed" not in succeeded.classes
    outcome = cells(failed)["Action"]
    assert outcome.find("span", "badge--bad").text == "Failed"
    assert outcome.find("p", "audit-error").text == "Digital River timed out."


def test_a_change_made_through_the_customer_service_appears_field_by_field(
    fraud, make_customer, service
) -> None:
    make_customer(id="cus-1", email="old@example.com")
    service.update(
        "cus-1", CustomerUpdate(email="new@example.com"), actor=Actor(7, "grace", "Grace")
    )

    first = cells(rows(html(fraud.get("/audit?action=customer.update")))[0])

    assert first["Staff member"].text == "grace"
    assert first["Action"].find("span", "audit-action").text == "Edited"
    assert "Email: old@example.com → new@example.com" in first["Changes"].text


def test_an_empty_trail_says_so(fraud) -> None:
    results = html(fraud.get("/audit")).by_id("audit-results")

    assert results.find("p", "empty").text == "No events match these filters."
    assert not results.has("table")


# -- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=ada", ["e5", "e3", "e1"]),
        ("actor=bob", ["e4", "e2"]),
        ("action=customer.disable", ["e3"]),
        ("action=metadata.update", ["e4"]),
        ("customer=cus-2", ["e3"]),
        ("customer=+cus-2+", ["e3"]),
        ("since=2025-03-04", ["e5", "e4"]),
        ("until=2025-03-02", ["e2", "e1"]),
        ("since=2025-03-02&until=2025-03-04", ["e4", "e3", "e2"]),
        ("since=2025-03-03&until=2025-03-03", ["e3"]),
        ("actor=ada&customer=cus-1", ["e5", "e1"]),
        ("actor=nobody", []),
        ("", ["e5", "e4", "e3", "e2", "e1"]),
    ],
)
def test_each_filter_narrows_the_events(fraud, trail, query, expected) -> None:
    response = fraud.get(f"/audit?{query}")

    assert response.status_code == 200
    assert notes(html(response)) == expected


def test_the_to_date_includes_the_whole_day(fraud, record) -> None:
    record(occurred_time=at(2, 23, 59), note="late")
    record(occurred_time=at(3, 0, 0), note="next day")

    assert notes(html(fraud.get("/audit?until=2025-03-02"))) == ["late"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2025-03-05&until=2025-03-01", "until", "The end date is before the start date."),
        ("since=yesterday", "since", "Not a valid date value."),
        ("action=customer.explode", "action", "Not a valid choice."),
        (f"customer={'x' * 41}", "customer", "Field cannot be longer than 40 characters."),
    ],
)
def test_an_invalid_filter_is_422_with_the_message_next_to_the_field(
    fraud, trail, query, field, message
) -> None:
    response = fraud.get(f"/audit?{query}")

    assert response.status_code == 422
    document = html(response)
    assert message in document.by_id(field).closest("div", "field").find("p", "error").text
    assert not rows(document)


def test_the_staff_member_filter_lists_every_account_and_the_system(
    fraud, make_staff, trail
) -> None:
    make_staff("agent", username="carol")

    select = html(fraud.get("/audit")).by_id("actor")

    values = [o.get("value") for o in select.find_all("option")]
    assert values[0] == ""
    assert "carol" in values
    assert "system" in values
    assert values.index("carol") < values.index("system")


def test_a_staff_member_not_listed_any_more_can_still_be_filtered_by(fraud, trail) -> None:
    document = html(fraud.get("/audit?actor=bob"))

    assert control_value(document.by_id("actor")) == "bob"
    assert notes(document) == ["e4", "e2"]


def test_the_filter_form_keeps_the_chosen_values(fraud, trail) -> None:
    document = html(fraud.get("/audit?action=customer.disable&customer=cus-2&since=2025-03-01"))

    assert control_value(document.by_id("action")) == "customer.disable"
    assert document.by_id("customer").get("value") == "cus-2"
    assert document.by_id("since").get("value") == "2025-03-01"


def test_every_filter_control_has_a_label_and_the_table_a_caption_and_headers(fraud, trail) -> None:
    document = html(fraud.get("/audit"))
    form = document.by_id("audit-filters")

    controls = [c for c in form.iter() if c.tag in ("input", "select")]
    assert {c.id for c in controls} == {"actor", "action", "customer", "batch", "since", "until"}
    for control in controls:
        assert form.find("label", for_=control.id).text
    table = document.by_id("audit-results").find("table")
    assert table.find("caption").text
    assert all(th.get("scope") == "col" for th in table.find("thead").find_all("th"))


# -- htmx: one URL for the page and its fragment -------------------------------------------------


def test_the_filter_form_works_without_javascript_and_filters_actively_with_htmx(
    fraud,
) -> None:
    form = html(fraud.get("/audit")).by_id("audit-filters")

    assert form.get("method") == "get"
    assert form.get("action") == "/audit"
    assert form.get("hx-get") == "/audit"
    assert form.get("hx-target") == "#audit-results"
    assert form.get("hx-push-url") == "true"
    assert "input changed" in (form.get("hx-trigger") or "")


def test_an_htmx_request_gets_only_the_results_fragment_and_a_plain_one_the_page(
    fraud, trail
) -> None:
    fragment = fraud.get("/audit?actor=bob", headers=HX)
    page = fraud.get("/audit?actor=bob")

    root = fragment_root(fragment.get_data(as_text=True))
    assert root.id == "audit-results"
    assert notes(html(fragment)) == ["e4", "e2"]
    assert "<html" in page.get_data(as_text=True)
    assert notes(html(page)) == ["e4", "e2"]
    assert "HX-Request" in fragment.vary
    assert "HX-Request" in page.vary


def test_a_history_restore_gets_the_full_page(fraud, trail) -> None:
    response = fraud.get("/audit", headers={**HX, "HX-History-Restore-Request": "true"})

    assert "<html" in response.get_data(as_text=True)


def test_an_invalid_filter_in_an_htmx_request_gets_the_fragment_with_the_problem(
    fraud, trail
) -> None:
    response = fraud.get("/audit?since=2025-03-05&until=2025-03-01", headers=HX)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert "The end date is before the start date." in root.find("p", "error").text


# -- paging --------------------------------------------------------------------------------------


def older_link(document: Element) -> str | None:
    links = document.by_id("audit-results").find_all("a", rel="next")
    return links[0].get("href") if links else None


def test_older_pages_follow_by_key_until_the_oldest_event(app, fraud, trail) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 2
    seen = []
    url: str | None = "/audit"
    while url:
        document = html(fraud.get(url))
        seen.append(notes(document))
        url = older_link(document)

    assert seen == [["e5", "e4"], ["e3", "e2"], ["e1"]]


def test_the_older_link_keeps_the_filters_and_shows_no_counts(app, fraud, trail) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 2

    document = html(fraud.get("/audit?actor=ada"))

    link = older_link(document)
    assert link is not None
    args = parse_qs(urlsplit(link).query)
    assert args["actor"] == ["ada"]
    assert set(args) == {"actor", "after"}
    assert notes(html(fraud.get(link))) == ["e1"]
    assert " of " not in document.by_id("audit-results").find("nav").text


def test_an_older_page_offers_the_way_back_to_the_newest_and_htmx_pages_the_fragment(
    app, fraud, trail
) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 2
    link = older_link(html(fraud.get("/audit")))
    assert link is not None

    response = fraud.get(link, headers=HX)

    root = fragment_root(response.get_data(as_text=True))
    newest = root.find("nav").find("a")
    assert newest.text == "← Newest"
    assert newest.get("href") == "/audit"
    assert notes(html(response)) == ["e3", "e2"]


def test_the_last_page_has_no_older_link(app, fraud, trail) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 5

    assert older_link(html(fraud.get("/audit"))) is None


@pytest.mark.parametrize("token", ["garbage", "%%%", "MjAyNS0wMy0wMVQxMjowMDowMHxub3Q", "AA"])
def test_a_damaged_page_key_starts_again_from_the_newest_event(fraud, trail, token) -> None:
    response = fraud.get(f"/audit?after={token}")

    assert response.status_code == 200
    assert notes(html(response))[0] == "e5"


# -- CSV export ----------------------------------------------------------------------------------


def test_the_page_links_to_the_export_with_the_same_filters(fraud, trail) -> None:
    document = html(fraud.get("/audit?actor=ada&action=customer.create&after=AA"))

    link = document.by_id("audit-results").find("a", class_="button--secondary")
    assert link.text == "Download CSV"
    parts = urlsplit(link.get("href") or "")
    assert parts.path == "/audit.csv"
    assert parse_qs(parts.query) == {"actor": ["ada"], "action": ["customer.create"]}


def test_the_export_is_a_streamed_csv_attachment(fraud, trail) -> None:
    with fraud.get("/audit.csv") as response:
        assert response.status_code == 200
        assert response.is_streamed
        assert response.mimetype == "text/csv"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert disposition.endswith('.csv"')
        assert response.get_data(as_text=True).startswith("occurred_time,actor,")


def test_the_export_has_the_header_and_one_row_per_event_newest_first(app, fraud, trail) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 2  # the export is never paged

    table = csv_rows(fraud.get("/audit.csv"))

    assert table[0] == CSV_HEADER
    assert [row[CSV_HEADER.index("note")] for row in table[1:]] == ["e5", "e4", "e3", "e2", "e1"]


def test_an_exported_row_holds_every_field_and_the_changes(fraud, record) -> None:
    record(
        occurred_time=dt.datetime(2025, 3, 3, 9, 30, 15, tzinfo=dt.UTC),
        actor_username="ada",
        action="customer.disable",
        customer_id="cus-9",
        outcome="failed",
        backend="digitalriver",
        reason_code="chargeback",
        note="bank called",
        request_id="req-123",
        error="Digital River refused: conflict.",
        changes=(FieldChange("enabled", "yes", "no"), FieldChange("metadata.tier", "gold", None)),
    )

    header, row = csv_rows(fraud.get("/audit.csv"))

    assert dict(zip(header, row, strict=True)) == {
        "occurred_time": "2025-03-03T09:30:15Z",
        "actor": "ada",
        "action": "customer.disable",
        "customer_id": "cus-9",
        "outcome": "failed",
        "backend": "digitalriver",
        "reason_code": "chargeback",
        "note": "bank called",
        "request_id": "req-123",
        "error": "Digital River refused: conflict.",
        "changes": "Enabled: yes → no; Metadata “tier”: gold removed",
        "batch_id": "",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=bob", ["e4", "e2"]),
        ("action=customer.disable", ["e3"]),
        ("customer=cus-2", ["e3"]),
        ("since=2025-03-02&until=2025-03-03", ["e3", "e2"]),
    ],
)
def test_the_export_applies_the_same_filters(fraud, trail, query, expected) -> None:
    table = csv_rows(fraud.get(f"/audit.csv?{query}"))

    assert [row[CSV_HEADER.index("note")] for row in table[1:]] == expected


@pytest.mark.parametrize(
    ("note", "exported"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain note", "plain note"),
        ("a=1", "a=1"),
    ],
)
def test_the_export_defuses_cells_a_spreadsheet_would_run_as_formulas(
    fraud, record, note, exported
) -> None:
    record(note=note, customer_id="=cmd|'/c calc'!A1", actor_username="ada")

    header, row = csv_rows(fraud.get("/audit.csv"))

    assert row[header.index("note")] == exported
    assert row[header.index("customer_id")] == "'=cmd|'/c calc'!A1"


def test_an_export_with_invalid_filters_is_422_and_no_csv(fraud, trail) -> None:
    response = fraud.get("/audit.csv?since=2025-03-05&until=2025-03-01")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers


# -- the customer page's activity and disabled banner --------------------------------------------


def test_the_timeline_links_audit_readers_to_the_customers_full_trail(
    client_as, make_customer
) -> None:
    make_customer(id="cus-1")

    for roles, shown in [(("fraud",), True), (("agent",), False)]:
        timeline = html(client_as(*roles).get("/customers/cus-1")).by_id("timeline")
        assert timeline.has("a", href="/audit?customer=cus-1") is shown


def test_the_timeline_marks_a_failed_attempt_with_its_error(fraud, make_customer, record) -> None:
    make_customer(id="cus-1")
    record(
        occurred_time=dt.datetime.now(dt.UTC),
        outcome="failed",
        error="Digital River is unavailable.",
        request_id="req-9",
        backend="digitalriver",
    )

    timeline = html(fraud.get("/customers/cus-1")).by_id("timeline")

    failed = timeline.find("li", "timeline-item--failed")
    assert failed.find("span", "badge--bad").text == "Failed"
    assert failed.find("p", "error").text == "Digital River is unavailable. Request id req-9."


def test_the_disabled_banner_says_who_when_why_and_that_dr_refuses_orders(
    fraud, make_customer, service
) -> None:
    make_customer(id="cus-1")
    service.set_enabled(
        "cus-1",
        False,
        reason_code="suspected_fraud",
        note="card testing",
        actor=Actor(3, "ada", "Ada"),
    )

    banner = html(fraud.get("/customers/cus-1")).by_id("disabled-banner")

    assert "Digital River refuses any order that references it." in banner.text
    facts = dict(
        zip(
            [dt_.text for dt_ in banner.find_all("dt")],
            [dd.text for dd in banner.find_all("dd")],
            strict=True,
        )
    )
    assert facts["Disabled by"] == "ada"
    assert facts["When"].endswith(" UTC")
    assert facts["Why"] == "Suspected fraud: “card testing”"
