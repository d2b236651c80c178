"""How the clean-up after a forget behaves under load: the SQLite checkpoint gives up quickly
while someone reads (writers wait for a waiting checkpoint) and says so; PostgreSQL's
background VACUUMs run one at a time, however many requests come in meanwhile."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from app.services.local import erasure
from app.services.local.db import make_engine
from app.services.local.erasure import Erasure, checkpoint


def test_a_checkpoint_blocked_by_a_reader_gives_up_and_says_so(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (v TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('old')"))
    reader = engine.connect()
    reader.execute(text("BEGIN"))
    reader.execute(text("SELECT * FROM t")).all()  # a read transaction on the old snapshot
    with engine.begin() as connection:
        connection.execute(text("UPDATE t SET v = 'new'"))
    try:
        assert checkpoint(engine, attempts=2) is False
    finally:
        reader.rollback()
        reader.close()
    assert checkpoint(engine) is True
    assert (tmp_path / "wal.db-wal").stat().st_size == 0
    engine.dispose()


def test_background_vacuums_run_one_at_a_time_and_note_every_request(tmp_path, monkeypatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'v.db'}")
    running, most, calls = 0, 0, 0
    lock = threading.Lock()

    def slow_vacuum(_engine, *, full: bool) -> None:
        nonlocal running, most, calls
        with lock:
            running += 1
            calls += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1

    noted: dict[int, str] = {}
    monkeypatch.setattr(erasure, "vacuum", slow_vacuum)
    cleaner = Erasure(engine)
    monkeypatch.setattr(
        cleaner, "_note", lambda request_id, residue: noted.update({request_id: residue})
    )

    for request_id in range(1, 7):
        cleaner.queue_vacuum(request_id)
    cleaner.wait(timeout=30)

    assert most == 1
    assert calls <= 3  # the first request's round, then one for all that came meanwhile
    assert sorted(noted) == [1, 2, 3, 4, 5, 6]
    assert all("VACUUM of the affected tables finished" in r for r in noted.values())
    engine.dispose()
