"""No personal data in logs: after a journey through search, detail and edit under gunicorn, the
log names methods, routes, statuses, times, staff ids and request ids, and none of the emails,
names, phones or postcodes that were searched for, shown or typed. The SQLite database and
its WAL are readable by their owner only."""

from __future__ import annotations

import logging
import os
import re
import stat

import httpx
from argon2 import PasswordHasher

from app.middleware import _strip_query_strings
from app.services.customers import Address, NewCustomer, Shipping
from app.services.local import LocalCustomerService, make_engine
from app.services.staff import StaffService
from tests.conftest import PASSWORD

from .conftest import gunicorn

PERSONAL = {
    "email": "wilhelmina.quist@example.org",
    "name": "Wilhelmina Quist",
    "phone": "+44 7700 900461",
    "postcode": "LS1 4DT",
    "new_email": "w.quist.new@example.org",
}


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_journey_leaves_no_personal_value_in_the_log(database_url, tmp_path) -> None:
    engine = make_engine(database_url)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    StaffService(engine, hasher).create("log-agent", PASSWORD, ["agent"])
    LocalCustomerService(engine).create(
        NewCustomer(
            id="cus-log",
            email=PERSONAL["email"],
            shipping=Shipping(
                name=PERSONAL["name"],
                phone=PERSONAL["phone"],
                address=Address(city="Leeds", postal_code=PERSONAL["postcode"], country="GB"),
            ),
        )
    )
    engine.dispose()

    with gunicorn(database_url, tmp_path) as server, httpx.Client(base_url=server.base_url) as c:
        c.post(
            "/login",
            data={
                "username": "log-agent",
                "password": PASSWORD,
                "csrf_token": _token(c.get("/login").text),
            },
        )
        for term in ("email", "name", "phone", "postcode"):
            assert "cus-log" in c.get("/", params={"q": PERSONAL[term]}).text
            c.get("/", params={"q": PERSONAL[term]}, headers={"HX-Request": "true"})
        assert PERSONAL["name"] in c.get("/customers/cus-log").text
        form = c.get("/customers/cus-log/edit").text
        saved = c.post(
            "/customers/cus-log",
            data={
                "csrf_token": _token(form),
                "version": "1",
                "email": PERSONAL["new_email"],
                "ship_name": PERSONAL["name"],
                "ship_phone": PERSONAL["phone"],
                "city": "Leeds",
                "postal_code": PERSONAL["postcode"],
                "country": "GB",
            },
        )
        assert saved.status_code == 303
        log = server.output()

    assert "GET / 200" in log and "POST /customers/<customer_id> 303" in log
    assert re.search(r"staff=\d+ rid=[0-9a-f]{16}", log)
    for label, value in PERSONAL.items():
        for spelling in {value, value.replace(" ", "+"), value.replace("@", "%40")}:
            assert spelling not in log, f"the {label} is in the log"
    assert "cus-log" not in log


def test_the_development_server_log_line_loses_its_query_string() -> None:
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /?q=wilhelmina.quist%40example.org HTTP/1.1", "200", "-"),
        None,
    )
    assert _strip_query_strings(record)
    assert record.getMessage() == '"GET / HTTP/1.1" 200 -'


def test_the_sqlite_database_and_its_wal_are_readable_by_their_owner_only(tmp_path) -> None:
    path = tmp_path / "private" / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    try:
        for name in ("desk.db", "desk.db-wal", "desk.db-shm"):
            mode = stat.S_IMODE(os.stat(path.parent / name).st_mode)
            assert mode == 0o600, f"{name} is {oct(mode)}"
    finally:
        engine.dispose()
