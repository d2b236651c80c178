"""The acceptance matrix: every page, at a phone's, a tablet's and a desktop's width, in light
and in dark mode, fits the viewport (nothing scrolls sideways) and passes axe.

One app on the local store, seeded once for the module, one signed-in browser context per
role; each test names its page, width and colour scheme, so a failure says where to look."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.services.actors import SYSTEM
from app.services.blocks import run_batch
from app.services.customers import Address, NewCustomer, NewTaxCertificate, Shipping
from app.services.local.db import make_engine
from tests.browser.conftest import check_a11y
from tests.browser.test_inline_workflows import png_bytes
from tests.cards import save_card
from tests.conftest import PASSWORD, TABLES

WIDTHS = (390, 768, 1440)
HEIGHTS = {390: 844, 768: 1024, 1440: 900}
SCHEMES = ("light", "dark")
ROLES = ("agent", "fraud", "privacy", "admin")

CID = "cus_matrix_0123456789abcdef0123456789ab"
FORGET_CID = "cus_matrix_to_forget"
FORGOTTEN_CID = "cus_matrix_forgotten"
LONG_EMAIL = "maximiliane.sophie-charlotte.von-und-zu-obermeier-hohenstein@example-enterprises.com"


# -- one seeded app for the module -------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_app(
    _migrated: str, engine_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app on its own database, seeded with customers that fill every page."""
    tmp = tmp_path_factory.mktemp("every-page")
    if engine_name == "sqlite":
        path = tmp / "desk.db"
        shutil.copyfile(_migrated.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        url = _migrated
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        engine.dispose()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": url,
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_COST": 1024,
            "PASSWORD_HASH_PARALLELISM": 1,
            "CUSTOMER_BACKEND": "local",
        }
    )
    app.instance_path = str(tmp / "instance")
    seed(app)
    yield app
    app.extensions["customer_desk"].engine.dispose()


def row_id(n: int) -> str:
    return f"cus_matrix_row_{n}_{'x' * 20}"


def seed(app: Flask) -> None:
    services = app.extensions["customer_desk"]
    customers, staff = services.customers, services.staff
    for role in ROLES:
        staff.create(f"matrix-{role}", PASSWORD, (role,), display_name=f"Matrix {role.title()}")
    customers.create(
        NewCustomer(
            id=CID,
            email=LONG_EMAIL,
            type="business",
            locale="de_DE",
            shipping=Shipping(
                name="Maximiliane Sophie-Charlotte von und zu Obermeier-Hohenstein",
                phone="+49 30 123456789",
                email=LONG_EMAIL,
                organization="Obermeier-Hohenstein Industrieanlagen und Maschinenbau GmbH & Co. KG",
                address=Address(
                    line1="Kurfürstendamm 123, Hinterhaus, Aufgang C, 4. Obergeschoss links",
                    city="Berlin",
                    postal_code="10711",
                    country="DE",
                ),
            ),
            metadata={
                "crmId": "CRM-0000000000000000000000000000001",
                "segment": "enterprise",
                "accountManagerEmail": "account.manager.long.address@example-enterprises.com",
            },
        )
    )
    save_card(customers, CID, "Visa", "4242")
    save_card(customers, CID, "MasterCard", "4444")
    customers.add_tax_identifier(CID, "de", "DE123456789")
    customers.add_tax_certificate(
        CID,
        NewTaxCertificate(
            company_name="Obermeier-Hohenstein Industrieanlagen GmbH",
            tax_authority="VA",
            start_date=dt.datetime(2025, 1, 1),
            end_date=dt.datetime(2025, 12, 31),
            file_name="exemption-certificate-2025.png",
            content=png_bytes(),
        ),
    )
    for n in range(6):
        customers.create(
            NewCustomer(
                id=row_id(n),
                email=f"row.{n}.someone.with.a.long.address@example-enterprises.com",
                shipping=Shipping(name=f"Row {n} Person", phone="+1 555 0100", organization="Acme"),
                enabled=n != 2,
            )
        )
    # The fraud page's queue, a bulk block and an unblock awaiting a second officer.
    blocked = [row_id(3), row_id(4)]
    batch_id = services.batches.start(
        blocked,
        reason_code="suspected_fraud",
        note="Matrix ring: one phone across the rows",
        review_by=services.blocks.today() - dt.timedelta(days=3),
        actor=SYSTEM,
        now=services.blocks.clock(),
    )
    run_batch(customers, services.batches, services.blocks, batch_id, blocked, actor=SYSTEM)
    services.unblocks.propose(
        row_id(4), reason_code="fraud_review_cleared", note="Cleared by the bank", actor=SYSTEM
    )
    customers.create(NewCustomer(id=FORGET_CID, email="to.forget@example.com"))
    customers.create(NewCustomer(id=FORGOTTEN_CID, email="forgotten@example.com"))
    customers.request_forget(FORGOTTEN_CID, reason="TICKET-2026-0001", actor=SYSTEM)


@pytest.fixture(scope="module")
def server(matrix_app: Flask) -> Iterator[str]:
    """The seeded app served for the whole module; its base URL."""
    httpd = make_server("127.0.0.1", 0, matrix_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="matrix-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def contexts(browser: Browser, server: str) -> Iterator[dict[str, BrowserContext]]:
    """One browser context per role, signed in once (and one signed out)."""
    made: dict[str, BrowserContext] = {}
    for role in (None, *ROLES):
        context = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(10_000)
        if role:
            page = context.new_page()
            page.goto(server + "/login")
            page.get_by_label("Username").fill(f"matrix-{role}")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("button", name="Sign out")).to_be_attached()
            page.close()
        made[role or "anonymous"] = context
    yield made
    for context in made.values():
        context.close()


@pytest.fixture(scope="module")
def pages(contexts: dict[str, BrowserContext]) -> Iterator[dict[str, Page]]:
    """One open tab per role, reused by every test of the module."""
    opened = {role: context.new_page() for role, context in contexts.items()}
    yield opened
    for page in opened.values():
        page.close()


# -- the pages ---------------------------------------------------------------------------------


def open_disable_panel(page: Page) -> None:
    page.locator(f"#enabled-{CID} details.disclosure > summary").click()
    expect(page.locator(f"#enabled-{CID} form").first).to_be_visible()


def submit_invalid_email(page: Page) -> None:
    page.locator("#main input[name=email]").fill("not an email")
    page.locator("#main form button[type=submit]").last.click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()


def open_row_menu(page: Page) -> None:
    page.locator("#results details.row-menu > summary").first.click()
    page.locator("#results details.row-menu .toggle-open button").first.click()
    expect(page.locator("#results details.row-menu select").first).to_be_visible()


def open_review(page: Page) -> None:
    page.locator("#review-queue details.disclosure > summary").first.click()
    expect(page.locator("#review-queue form").first).to_be_visible()


def preview_selected(page: Page) -> None:
    boxes = page.locator("#results input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#results-select button").click()
    expect(page.locator("#preview-table")).to_be_visible()


def open_batch(page: Page) -> None:
    page.locator("#recent-batches a.mono").first.click()
    expect(page.locator("#batch-items")).to_be_visible()


@dataclass(frozen=True)
class Visit:
    name: str
    role: str
    path: str
    status: int = 200
    then: Callable[[Page], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


VISITS = (
    Visit("sign-in", "anonymous", "/login"),
    Visit("search-agent", "agent", "/"),
    Visit("search-fraud", "fraud", "/"),
    Visit("search-fraud-row-menu", "fraud", "/", then=open_row_menu),
    Visit("search-no-match", "agent", "/?q=nobody-matches-this"),
    Visit("customer", "agent", f"/customers/{CID}"),
    Visit("customer-fraud-disable-panel", "fraud", f"/customers/{CID}", then=open_disable_panel),
    Visit("customer-forgotten", "privacy", f"/customers/{FORGOTTEN_CID}"),
    Visit("new-customer", "agent", "/new-customer"),
    Visit("edit", "agent", f"/customers/{CID}/edit"),
    Visit("edit-with-errors", "agent", f"/customers/{CID}/edit", then=submit_invalid_email),
    Visit("forget-confirmation", "privacy", f"/customers/{FORGET_CID}/forget"),
    Visit("customer-fraud-linked", "fraud", f"/customers/{row_id(0)}"),
    Visit("fraud-page", "fraud", "/fraud"),
    Visit("fraud-page-review-open", "fraud", "/fraud", then=open_review),
    Visit("bulk-block-preview", "fraud", "/", then=preview_selected),
    Visit("bulk-block-batch", "fraud", "/fraud", then=open_batch),
    Visit("audit", "fraud", "/audit"),
    Visit("privacy", "privacy", "/privacy"),
    Visit("staff-list", "admin", "/admin/staff"),
    Visit("staff-new", "admin", "/admin/staff/new"),
    Visit("staff-edit", "admin", "/admin/staff/matrix-agent"),
    Visit("password", "agent", "/account/password"),
    Visit("not-found", "agent", "/no-such-page", status=404),
    Visit("customer-not-found", "agent", "/customers/cus_nobody", status=404),
    Visit("forbidden", "agent", "/admin/staff", status=403),
)


def page_width(page: Page) -> dict[str, int]:
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )


def widest(page: Page) -> str:
    """The elements that reach past the viewport's right edge (for the failure message)."""
    return page.evaluate(
        """() => {
            const out = [];
            const clipped = (el) => {
                for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return true;
                }
                return false;
            };
            for (const el of document.querySelectorAll('body *')) {
                if (clipped(el)) continue;
                const r = el.getBoundingClientRect();
                const spills = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
                    && getComputedStyle(el).overflowX === 'visible'
                    && r.left + el.scrollWidth > window.innerWidth + 0.5;
                if ((r.right > window.innerWidth + 0.5 && r.width > 0) || spills) {
                    const id = el.id ? '#' + el.id : '';
                    const cls = el.className && typeof el.className === 'string'
                        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                    const where = `right=${Math.round(r.right)} scroll=${el.scrollWidth}`;
                    out.push(`${el.tagName.toLowerCase()}${id}${cls} ${where}`);
                }
            }
            return out.slice(0, 12).join('\\n    ');
        }"""
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.name)
def test_the_page_fits_the_viewport_and_passes_axe(
    pages: dict[str, Page], server: str, visit: Visit, width: int, scheme: str
) -> None:
    page = pages[visit.role]
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
    page.emulate_media(color_scheme=scheme)
    response = page.goto(server + visit.path)
    assert response is not None and response.status == visit.status, (
        f"{visit.name}: {visit.path} answered {response and response.status}"
    )
    page.wait_for_load_state("load")
    if visit.then:
        visit.then(page)

    measured = page_width(page)
    assert measured["scroll"] <= measured["inner"], (
        f"{visit.name} at {width} px ({scheme}) is {measured['scroll']} px wide; past the edge:\n"
        f"    {widest(page)}"
    )
    check_a11y(page)


@pytest.mark.parametrize("width", (360, 1024, 1920))
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.name)
def test_the_page_fits_at_the_other_widths_too(
    pages: dict[str, Page], server: str, visit: Visit, width: int
) -> None:
    page = pages[visit.role]
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme="light")
    page.goto(server + visit.path)
    page.wait_for_load_state("load")
    if visit.then:
        visit.then(page)

    measured = page_width(page)
    assert measured["scroll"] <= measured["inner"], (
        f"{visit.name} at {width} px is {measured['scroll']} px wide; past the edge:\n"
        f"    {widest(page)}"
    )


# -- the header folds, the fraud role's search fits at 1440 --------------------------------------


def test_the_header_folds_its_menu_on_a_phone_and_its_background_spans_the_page(
    pages: dict[str, Page], server: str
) -> None:
    page = pages["admin"]
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Staff")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["x"] == 0 and header["width"] == 390
    check_a11y(page)
    page.keyboard.press("Escape")  # focus is still on the Menu button: nothing to close from
    menu.focus()
    menu.press("Enter")
    expect(nav).to_be_hidden()

    page.set_viewport_size({"width": 1440, "height": 900})
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Staff")).to_be_visible()


def test_the_fraud_roles_search_fits_at_1440_with_the_created_column_and_a_short_row_menu(
    pages: dict[str, Page], server: str
) -> None:
    page = pages["fraud"]
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server + "/")
    created = page.get_by_role("columnheader", name="Created")
    expect(created).to_be_visible()
    box = created.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1440
    menus = page.locator("#results details.row-menu")
    expect(menus).to_have_count(8)  # every customer but the forgotten one
    expect(page.get_by_role("button", name=re.compile(r"^Disable cus_"))).to_have_count(0)
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="cus_matrix_row_2_", exact=False)
    )
    expect(row.locator(".row-state--disabled")).to_be_visible()
    # An enabled customer's row carries no badge at all: only what needs attention shows.
    enabled_row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="cus_matrix_row_1_", exact=False)
    )
    expect(enabled_row.locator(".badge:visible")).to_have_count(0)
    assert page_width(page)["scroll"] <= 1440
