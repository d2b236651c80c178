"""The privacy page: who may see it, filters, keyset paging, the htmx fragment, CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from app.services.local.models import ForgetRequestRow

from .conftest import HX, html, naive

READERS = [("privacy",), ("admin",), ("viewer", "privacy")]
NOT_READERS = [("viewer",), ("agent",), ("fraud",), ("agent", "fraud")]


@pytest.fixture
def requests_made(insert_rows) -> None:
    """Four requests by two officers over four days; one failed, one with a formula reason."""
    insert_rows(
        ForgetRequestRow(
            customer_id="cus-1",
            requested_by="olga",
            requested_time=naive(2025, 3, 1, 9),
            reason="TICKET-1",
            backend="local",
            status="erased",
            completed_time=naive(2025, 3, 1, 9),
        ),
        ForgetRequestRow(
            customer_id="cus-2",
            requested_by="pete",
            requested_time=naive(2025, 3, 2, 9),
            reason='=HYPERLINK("http://evil")',
            backend="digitalriver",
            status="requested",
            request_id="req-2",
        ),
        ForgetRequestRow(
            customer_id="cus-3",
            requested_by="olga",
            requested_time=naive(2025, 3, 3, 9),
            reason="TICKET-3",
            backend="digitalriver",
            status="failed",
            error="unavailable: Digital River is unavailable (HTTP 503).",
        ),
        ForgetRequestRow(
            customer_id="cus-4",
            requested_by="pete",
            requested_time=naive(2025, 3, 4, 9),
            reason="TICKET-4",
            backend="local",
            status="erased",
        ),
    )


@pytest.fixture
def officer(client_as):
    return client_as("privacy")


def listed(response) -> list[str]:
    page = html(response)
    return [row.find("a").text for row in page.find_all("tr", class_="forget-request")]


@pytest.mark.parametrize("roles", READERS)
def test_privacy_officers_and_admins_see_the_page_and_the_nav_link(client_as, roles) -> None:
    client = client_as(*roles)
    response = client.get("/privacy")
    assert response.status_code == 200
    assert html(response).find("nav").has("a", href="/privacy")
    assert client.get("/privacy.csv").status_code == 200


@pytest.mark.parametrize("roles", NOT_READERS)
def test_everyone_else_gets_403_and_no_link(client_as, roles) -> None:
    client = client_as(*roles)
    assert client.get("/privacy").status_code == 403
    assert client.get("/privacy.csv").status_code == 403
    assert not html(client.get("/")).find("nav").has("a", href="/privacy")


def test_the_page_lists_every_request_newest_first_with_failed_ones_marked(
    officer, requests_made
) -> None:
    response = officer.get("/privacy")
    assert listed(response) == ["cus-4", "cus-3", "cus-2", "cus-1"]
    page = html(response)
    failed = [r for r in page.find_all("tr", class_="forget-request") if "row--failed" in r.classes]
    assert [r.find("a").text for r in failed] == ["cus-3"]
    assert failed[0].has("form", action="/customers/cus-3/forget/retry")
    assert "Retry" in failed[0].text
    row1 = page.find_all("tr", class_="forget-request")[3]
    for text in ("olga", "TICKET-1", "Local", "Erased", "2025-03-01 09:00 UTC"):
        assert text in row1.text
    assert page.by_id("privacy-results")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customer=cus-2", ["cus-2"]),
        ("requested_by=olga", ["cus-3", "cus-1"]),
        ("status=failed", ["cus-3"]),
        ("status=erased", ["cus-4", "cus-1"]),
        ("since=2025-03-02&until=2025-03-03", ["cus-3", "cus-2"]),
        ("requested_by=pete&status=requested", ["cus-2"]),
        ("customer=cus-nobody", []),
    ],
)
def test_filters(officer, requests_made, query, expected) -> None:
    response = officer.get(f"/privacy?{query}")
    assert response.status_code == 200
    assert listed(response) == expected


def test_bad_filters_are_422_with_the_reason(officer, requests_made) -> None:
    response = officer.get("/privacy?since=2025-03-05&until=2025-03-01")
    assert response.status_code == 422
    assert "before the start date" in response.get_data(as_text=True)
    assert officer.get("/privacy?status=bogus").status_code == 422


def test_htmx_gets_the_results_fragment_and_every_answer_varies_on_hx_request(
    officer, requests_made
) -> None:
    full = officer.get("/privacy")
    fragment = officer.get("/privacy?status=failed", headers=HX)

    assert "HX-Request" in full.headers["Vary"]
    assert "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="privacy-results"')
    assert "<html" not in body
    assert listed(fragment) == ["cus-3"]


def test_keyset_paging_keeps_the_filters(app, officer, requests_made) -> None:
    app.config["PRIVACY_PAGE_SIZE"] = 2
    first = html(officer.get("/privacy"))
    assert [r.find("a").text for r in first.find_all("tr", class_="forget-request")] == [
        "cus-4",
        "cus-3",
    ]
    older = first.find("a", rel="next").get("href")

    second = officer.get(older)
    assert listed(second) == ["cus-2", "cus-1"]
    assert not html(second).has("a", rel="next")

    filtered = html(officer.get("/privacy?requested_by=olga"))
    assert not filtered.has("a", rel="next")
    assert officer.get("/privacy?after=garbage").status_code == 200  # from the newest


def test_the_csv_export_streams_every_matching_request_with_formulas_neutralised(
    officer, requests_made
) -> None:
    response = officer.get("/privacy.csv?backend=x")

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="forget-requests-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "requested_time",
        "customer_id",
        "requested_by",
        "reason",
        "backend",
        "status",
        "completed_time",
        "request_id",
        "error",
    ]
    assert [r[1] for r in rows[1:]] == ["cus-4", "cus-3", "cus-2", "cus-1"]
    assert rows[3][3] == '\'=HYPERLINK("http://evil")'
    assert rows[4][0] == "2025-03-01T09:00:00Z"
    assert rows[2][5] == "failed"


def test_the_csv_export_keeps_the_filters_of_the_page(officer, requests_made) -> None:
    page = html(officer.get("/privacy?requested_by=olga"))
    href = page.find("a", href="/privacy.csv?requested_by=olga").get("href")
    rows = list(csv.reader(io.StringIO(officer.get(href).get_data(as_text=True))))
    assert [r[1] for r in rows[1:]] == ["cus-3", "cus-1"]
