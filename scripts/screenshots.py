"""Screenshots of the customer page (390 and 1440 px wide) and the search page for the README.

    .venv/bin/python scripts/screenshots.py [--out docs]

Builds a throwaway SQLite store with the repeatable demo data (random seed 2021), serves the
app on 127.0.0.1 with a free port, signs in with Debian's Chromium through Playwright and saves
``customer-390.png``, ``customer-1440.png`` and ``screenshot.png`` (search) under ``--out``.
The customer shown is the newest demo customer with a shipping name, a card, a tax identifier
and metadata, so every part of the page is on the picture."""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import exists, select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app import migrate as migrations  # noqa: E402
from app.context import services  # noqa: E402
from app.demo import seed_customers  # noqa: E402
from app.services.local.models import CustomerRow, SourceRow, TaxIdentifierRow  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
USERNAME = "screenshots"
WIDTHS = {"customer-390.png": (390, 844), "customer-1440.png": (1440, 900)}


def showcase_customer() -> str:
    """The newest customer with a name, a card, a tax identifier and metadata."""
    query = (
        select(CustomerRow.id)
        .where(
            CustomerRow.ship_name.is_not(None),
            CustomerRow.meta.is_not(None),
            exists().where(SourceRow.customer_id == CustomerRow.id),
            exists().where(TaxIdentifierRow.customer_id == CustomerRow.id),
        )
        .order_by(CustomerRow.created_time.desc())
        .limit(1)
    )
    with services().engine.connect() as connection:
        found = connection.scalar(query)
    if found is None:
        raise SystemExit("no demo customer has a card, a tax identifier and metadata")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--customers", type=int, default=400)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screenshots.db"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32)})
        with app.app_context():
            migrations.upgrade(url)
            seed_customers(services().engine, args.customers, random_seed=2021)
            services().staff.create(USERNAME, password, ["agent", "fraud", "privacy"], "Sam Lee")
            customer_id = showcase_customer()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            shoot(base, password, customer_id, args.out)
        finally:
            server.shutdown()


def shoot(base: str, password: str, customer_id: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base}/login")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        for name, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/customers/{customer_id}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name), full_page=True)
            print(f"wrote {out / name}")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{base}/?q=smith")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "screenshot.png"))
        print(f"wrote {out / 'screenshot.png'}")
        browser.close()


if __name__ == "__main__":
    main()
