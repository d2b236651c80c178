"""Fixtures for tests that run the app as it runs in production: under gunicorn, as its own
process, on 127.0.0.1, against a database the test controls (a throwaway PostgreSQL cluster
it can stop and start)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PG_CLUSTER = ROOT / ".ci" / "pg-cluster.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


@dataclass
class Gunicorn:
    base_url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, **env: str) -> Iterator[Gunicorn]:
    """`make serve`'s command (gunicorn -c gunicorn.conf.py wsgi:app) on a free port."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "FLASK_DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": "server-test-secret",
        "FLASK_PASSWORD_HASH_TIME_COST": "1",
        "FLASK_PASSWORD_HASH_MEMORY_COST": "1024",
        "FLASK_PASSWORD_HASH_PARALLELISM": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(f"http://127.0.0.1:{port}", process, log)
    try:

        def up() -> bool:
            assert process.poll() is None, server.output()
            try:
                return httpx.get(server.base_url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class PostgresCluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/desk"

    def start(self) -> None:
        subprocess.run(
            [str(PG_CLUSTER), "start", str(self.directory), str(self.port), "desk"],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [str(PG_CLUSTER), "stop", str(self.directory)], check=True, capture_output=True
        )


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this module's own, migrated, that a test may stop and start."""
    from app.migrate import upgrade

    directory = Path(tempfile.mkdtemp(prefix="customer-desk-outage-"))
    cluster = PostgresCluster(directory, free_port())
    try:
        cluster.start()
        upgrade(cluster.url)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
