"""Erasure down to the bytes, on the engine of the test run (issue 13, point 1).

A customer holding every kind of personal data, with a history, is searched for through the
web (so the request log has had its chance) and forgotten. Then the person's distinctive
values are looked for byte by byte:

- SQLite: in the database file, its ``-wal`` and ``-shm``, the app's instance folder (where
  uploads would go) and everything the app logged: 0 bytes, once the request says done.
- PostgreSQL: once the background VACUUM is done, in every live item of every page of every
  affected table, its TOAST table and every B-tree index (pageinspect), in ``pg_dump`` and in
  the log: 0. The data files still hold the dead tuples' bytes in their free space, as the
  request's record says; after ``privacy compact`` the files hold none either.

Each scan is first shown to find every value before the erasure."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services.audit import Actor
from app.services.local.erasure import AFFECTED_TABLES

OFFICER = Actor(7, "priya", "Priya Privacy")
OFFICER_REASON = "PRIV-2026-0042"


def hits(chunks: Iterable[bytes], needles: set[str]) -> set[str]:
    """The needles found in any chunk (compared lowered, as UTF-8)."""
    lowered = [chunk.lower() for chunk in chunks]
    return {n for n in needles if any(n.encode() in chunk for chunk in lowered)}


def sqlite_files(service, instance: Path) -> list[bytes]:
    path = Path(service.engine.url.database)
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
    files += [p for p in instance.rglob("*") if p.is_file()] if instance.exists() else []
    return [p.read_bytes() for p in files if p.exists()]


def pg(service, statement: str, **params) -> list:
    with service.engine.connect() as connection:
        return connection.execute(text(statement), params).all()


def pg_relations(service) -> list[tuple[str, str]]:
    """(name, kind) of each affected table, its TOAST table and every index of both."""
    rows = pg(
        service,
        "SELECT CAST(CAST(c.oid AS regclass) AS text) AS relname, c.relkind, am.amname "
        "FROM pg_class c "
        "LEFT JOIN pg_am am ON am.oid = c.relam "
        "WHERE c.oid IN ("
        " SELECT t.oid FROM pg_class t WHERE t.relname = ANY(:tables)"
        " UNION SELECT t.reltoastrelid FROM pg_class t WHERE t.relname = ANY(:tables)"
        " UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
        "  WHERE t.relname = ANY(:tables)"
        " UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.reltoastrelid ="
        "  i.indrelid WHERE t.relname = ANY(:tables))",
        tables=list(AFFECTED_TABLES),
    )
    return [(r.relname, r.amname or r.relkind) for r in rows]


def pg_live_items(service) -> list[bytes]:
    """The bytes of every line pointer still in use: heap tuples (live or dead, not yet
    vacuumed) and B-tree entries. (A trigram GIN index holds three-letter pieces only.)"""
    with service.engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    chunks: list[bytes] = []
    for name, kind in pg_relations(service):
        if kind not in ("r", "t", "btree"):
            continue
        pages = pg(service, "SELECT pg_relation_size(CAST(:n AS regclass)) / 8192 AS n", n=name)
        for block in range(1 if kind == "btree" else 0, pages[0].n):
            if kind == "btree":
                rows = pg(
                    service,
                    "SELECT data FROM bt_page_items(get_raw_page(:n, :b))",
                    n=name,
                    b=block,
                )
                chunks += [bytes.fromhex(r.data.replace(" ", "")) for r in rows if r.data]
            else:
                rows = pg(
                    service,
                    "SELECT t_data FROM heap_page_items(get_raw_page(:n, :b))",
                    n=name,
                    b=block,
                )
                chunks += [bytes(r.t_data) for r in rows if r.t_data is not None]
    return chunks


def pg_data_files(service) -> list[bytes]:
    with service.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("CHECKPOINT"))
        root = Path(c.execute(text("SHOW data_directory")).scalar())
    chunks = []
    for name, _ in pg_relations(service):
        relative = pg(service, "SELECT pg_relation_filepath(CAST(:n AS regclass)) AS p", n=name)
        base = root / relative[0].p
        chunks += [p.read_bytes() for p in base.parent.glob(base.name + "*") if p.is_file()]
    return chunks


def pg_dump(service) -> bytes:
    url = service.engine.url.set(drivername="postgresql")
    command = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    dumped = subprocess.run(
        [command, "--data-only", url.render_as_string(hide_password=False)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dumped.stdout


@pytest.fixture
def searched(client_as, person, seeded, caplog):
    """The person searched for by what a caller would say, and opened, through the web."""
    caplog.set_level(logging.DEBUG)
    client = client_as("privacy")
    for term in (person["email"], person["name"], person["phone"], person["postal_code"]):
        assert client.get("/", query_string={"q": term}).status_code == 200
    assert client.get(f"/customers/{seeded.id}").status_code == 200
    return client


def test_the_scans_find_every_value_before_the_erasure(
    service, app, needles, searched, engine_name
) -> None:
    if engine_name == "sqlite":
        found = hits(sqlite_files(service, Path(app.instance_path)), needles)
    else:
        found = hits(pg_live_items(service), needles) | hits([pg_dump(service)], needles)
    assert found == needles


def test_sqlite_keeps_no_byte_and_postgresql_no_live_item_after_the_erasure(
    service, app, person, needles, seeded, searched, caplog, engine_name
) -> None:
    request = service.request_forget(seeded.id, reason=OFFICER_REASON, actor=OFFICER)
    service.erasure.wait(timeout=60)

    if engine_name == "sqlite":
        assert hits(sqlite_files(service, Path(app.instance_path)), needles) == set()
        assert request.residue.startswith("No copy is left in the database")
    else:
        assert hits(pg_live_items(service), needles) == set()
        assert hits([pg_dump(service)], needles) == set()
        # The record says what remains (read again: the vacuum noted its end).
        residue = service.check_forget(seeded.id).residue
        assert "VACUUM of the affected tables finished" in residue
        assert "privacy compact" in residue
    assert hits([caplog.text.encode()], needles) == set()
    assert person["email"].lower() not in caplog.text.lower()


def test_privacy_compact_leaves_no_byte_in_the_data_files(
    service, app, runner, needles, seeded, engine_name
) -> None:
    service.request_forget(seeded.id, reason=OFFICER_REASON, actor=OFFICER)
    service.erasure.wait(timeout=60)

    result = runner.invoke(args=["privacy", "compact"])

    assert result.exit_code == 0, result.output
    assert "Compacted" in result.output
    if engine_name == "sqlite":
        files = sqlite_files(service, Path(app.instance_path))
    else:
        files = pg_data_files(service)
    assert files
    assert hits(files, needles) == set()
