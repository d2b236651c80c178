"""Browser tests: the real app served over HTTP, driven by Debian's Chromium through Playwright.

Every test in this folder is marked ``browser``. Chromium must be installed at
``/usr/bin/chromium`` (``apt-get install chromium``); without it the tests fail, they never skip.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
HERE = Path(__file__).parent

# What axe checks: WCAG 2.0 and 2.1, levels A and AA, plus Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Give htmx swaps and server round trips time on a slow CI machine, but fail well before the
# test-level timeouts a CI might impose.
expect.set_options(timeout=10_000)


# The every-page matrix (each page at three widths and in dark mode, with axe) checks layout, which
# does not depend on the database: it runs on one engine, SQLite. On PostgreSQL it is deselected,
# not skipped, so it never counts as passed there; FULL_MATRIX=1 runs it on PostgreSQL too.
MATRIX = HERE / "test_every_page.py"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in tests/browser as ``browser`` (so ``-m "not browser"`` skips them)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
    if os.environ.get("TEST_DATABASE_URL") and os.environ.get("FULL_MATRIX") != "1":
        dropped = [item for item in items if item.path == MATRIX]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if item.path != MATRIX]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium: `playwright install` cannot download a browser here."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing: the browser tests need {CHROMIUM} "
            "(install it with `apt-get install chromium`).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # bypass_csp only so the axe checks can inject the vendored axe-core script: the app's
    # CSP (script-src 'self') would block it. The app's own scripts need no bypass.
    return {
        **browser_context_args,
        "bypass_csp": True,
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture
def a11y() -> Callable[..., None]:
    """``a11y(page)``: run axe-core on the page as it is now and fail on any violation."""
    return check_a11y


@pytest.fixture
def sign_in(live_server: str) -> Callable[..., None]:
    """Sign ``page`` in through the sign-in form (checking the form with axe on the way)."""

    def do(page: Page, username: str, *, path: str = "/login", check: bool = True) -> None:
        if path:
            page.goto(live_server + path)
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        if check:
            check_a11y(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        # htmx starts on DOMContentLoaded (its script is deferred); typing before then would
        # not trigger active search, so wait until the page has loaded.
        page.wait_for_load_state("load")

    return do


def check_a11y(page: Page, *, context: str | None = None) -> None:
    """Run axe-core on the page as it is now; fail listing every violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async ([tags, context]) => {
            const result = await axe.run(context ? document.querySelector(context) : document, {
                runOnly: { type: "tag", values: tags },
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
            }));
        }""",
        [AXE_TAGS, context],
    )
    if results:
        lines = [f"axe found {len(results)} violation(s) on {page.url}:"]
        for v in results:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for node in v["nodes"]:
                lines.append(f"    at {json.dumps(node['target'])}")
                for summary_line in (node["summary"] or "").splitlines():
                    lines.append(f"      {summary_line}")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every journey runs on the local store and on Digital River's API (the emulator)."""
    return request.param
