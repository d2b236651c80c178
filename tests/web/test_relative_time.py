"""Times shown relative to now ("3 days ago") with the absolute UTC time on hover."""

from __future__ import annotations

import datetime as dt

import pytest

from app.web.filters import relative_text, relative_time, request_now

NOW = dt.datetime(2026, 12, 4, 14, 3, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=0), "just now"),
        (dt.timedelta(seconds=59), "just now"),
        (dt.timedelta(seconds=-30), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(minutes=45), "45 minutes ago"),
        (dt.timedelta(hours=1, minutes=59), "1 hour ago"),
        (dt.timedelta(days=3), "3 days ago"),
        (dt.timedelta(days=29), "29 days ago"),
        (dt.timedelta(days=61), "2 months ago"),
        (dt.timedelta(days=800), "2 years ago"),
        (dt.timedelta(hours=-2), "in 2 hours"),
        (dt.timedelta(days=-1), "in 1 day"),
    ],
)
def test_a_time_reads_as_how_long_ago_or_how_soon(delta, text) -> None:
    assert relative_text(NOW - delta, NOW) == text


def test_the_element_carries_the_machine_time_and_the_utc_time_on_hover() -> None:
    moment = dt.datetime(2026, 12, 1, 13, 3, 5, tzinfo=dt.UTC)

    assert str(relative_time(moment, NOW)) == (
        '<time datetime="2026-12-01T13:03:05+00:00" title="2026-12-01 13:03 UTC">3 days ago</time>'
    )


def test_a_naive_time_is_utc_another_zone_is_converted_and_none_is_nothing() -> None:
    naive = dt.datetime(2026, 12, 4, 12, 3)
    plus_two = dt.datetime(2026, 12, 4, 16, 3, tzinfo=dt.timezone(dt.timedelta(hours=2)))

    assert 'title="2026-12-04 12:03 UTC">2 hours ago<' in str(relative_time(naive, NOW))
    assert 'title="2026-12-04 14:03 UTC">just now<' in str(relative_time(plus_two, NOW))
    assert str(relative_time(None, NOW)) == ""


def test_every_time_on_a_page_is_measured_from_one_now(app) -> None:
    with app.test_request_context("/"):
        first = request_now()
        # Read after the page's "now": measured from it, this is not yet three hours ago.
        later = relative_time(dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
        assert request_now() is first
    with app.test_request_context("/"):
        assert request_now() is not first

    assert ">2 hours ago<" in str(later)
