"""Requests per second of the app's pages under gunicorn and wrk, beside a bare Flask route.

    .venv/bin/python bench/http_bench.py [--customers 1000000] [--engines sqlite,postgresql]
        [--seconds 10] [--warmup 2] [--connections 32] [--term smith]
        [--accept-encoding 'br, gzip'] [--pg-port 55434]

For each engine: a throwaway database (a SQLite file in a temporary folder; PostgreSQL in a
cluster of its own started with ``.ci/pg-cluster.sh`` on ``--pg-port`` and stopped afterwards),
migrated and seeded with ``--customers`` demo customers, a viewer and an agent; then ``make
serve``'s command (``gunicorn -c gunicorn.conf.py wsgi:app``: 2 workers × 4 threads unless
``--workers``/``--threads`` say otherwise) on a free port of 127.0.0.1, signed in once per
role. Debian's ``wrk`` then loads each page for ``--seconds`` at ``--connections``, after a
short warm-up, back to back with a bare Flask route (``bench/bare_app.py`` under the same
gunicorn settings) measured in the same run:

    bare Flask route           GET /                                  (bench/bare_app.py)
    customer detail            GET /customers/<id>        viewer      a random id each request
    customer detail (agent)    GET /customers/<id>        agent       (every inline form built)
    search page 1              GET /                      viewer
    search substring           GET /?q=<term>             viewer
    search fragment            GET /?q=<term> HX-Request  viewer      what active search asks
    edit form                  GET /customers/<id>/edit   agent       a random id each request

It prints, per engine, req/s, the ratio to the bare route (the mean of its runs first and
last), p50 and p99 latency (wrk
``--latency``), the body size, and ``uptime`` before and after (the machine's load matters:
wrk and gunicorn share its cores). Every page is fetched once before and after its run with
wrk's exact headers and must answer 200 with the page (not the sign-in form): wrk itself does
not count redirects as errors.

Everything listens on 127.0.0.1 only, every wait is bounded, and everything started (gunicorn,
PostgreSQL, temporary files) is stopped and removed on the way out, on errors and on Ctrl-C.
This is a measuring tool, not a test."""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402

from app.migrate import upgrade  # noqa: E402
from app.services.local import make_engine  # noqa: E402
from app.services.staff import StaffService  # noqa: E402

GUNICORN = Path(sys.executable).with_name("gunicorn")
PG_CLUSTER = ROOT / ".ci" / "pg-cluster.sh"
USER_AGENT = "customer-desk-http-bench"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# wrk picks a path at random from a list, one Lua state per wrk thread (seeded apart).
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end
function request()
  return wrk.format(nil, paths[math.random(#paths)])
end
"""


@dataclass(frozen=True)
class Page:
    label: str
    paths: list[str]
    role: str | None  # None: the bare app
    htmx: bool = False
    marker: str = ""  # text the page must hold (so a sign-in form is not measured)


@dataclass
class Measure:
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    body_bytes: int
    problems: str  # non-2xx/3xx answers and socket errors, as wrk reports them

    def ratio(self, bare: float) -> float:
        return self.requests_per_second / bare if bare else 0.0


@dataclass
class EngineRun:
    engine: str
    customers: int
    load_before: str
    load_after: str
    measures: list[Measure]


# -- processes we start and must stop -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()


@contextlib.contextmanager
def postgresql(port: int) -> Iterator[str]:
    """A throwaway cluster on 127.0.0.1:``port`` with a database ``bench``; its URL."""
    if not port_is_free(port):
        chosen = free_port()
        print(f"  port {port} is taken (another cluster?): PostgreSQL goes on {chosen}")
        port = chosen
    directory = Path(tempfile.mkdtemp(prefix="customer-desk-http-bench-pg."))
    try:
        started = subprocess.run(
            [str(PG_CLUSTER), "start", str(directory), str(port), "bench"],
            timeout=120,
            check=False,
        )
        if started.returncode != 0:
            log = directory / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1:{port}\n{tail}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run([str(PG_CLUSTER), "stop", str(directory)], timeout=120, check=False)
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def gunicorn(
    target: str, log: Path, workers: int, threads: int, env: dict[str, str]
) -> Iterator[str]:
    """``gunicorn -c gunicorn.conf.py TARGET`` on a free port of 127.0.0.1; its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    with log.open("ab") as out:
        # Its own session: a Ctrl-C reaches this script, which then stops it in order.
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", target],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {target} exited; see {log}")
            try:
                return httpx.get(base_url + "/healthz", timeout=2).status_code < 500
            except httpx.HTTPError:
                return False

        wait_until(up, 60, f"gunicorn {target}")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- the database --------------------------------------------------------------------------------


def seed(engine: Engine, count: int, random_seed: int) -> None:
    try:
        from app.demo import seed_customers
    except ImportError:  # before the demo package existed
        from app.services.seed import seed_customers  # type: ignore[import-not-found,no-redef]

    started = time.perf_counter()
    step = max(count // 10, 1)
    shown = [0]

    def progress(done: int) -> None:
        if done - shown[0] >= step or done == count:
            shown[0] = done
            print(f"  seeded {done:,} / {count:,} ({time.perf_counter() - started:.0f} s)")

    seed_customers(engine, count, random_seed=random_seed, progress=progress)
    print(f"  seeding took {time.perf_counter() - started:.1f} s")


def sample_ids(engine: Engine, n: int, rng: random.Random) -> list[str]:
    """About ``n`` customer ids spread over the whole table (by random primary keys), none of
    them forgotten (their edit form rightly answers 409)."""
    with engine.connect() as connection:
        top = connection.execute(text("SELECT max(pk) FROM customers")).scalar() or 0
        keys = sorted({rng.randint(1, top) for _ in range(n)}) if top else []
        ids = [
            row[0]
            for row in connection.execute(
                text(
                    f"SELECT id FROM customers WHERE pk IN ({','.join(map(str, keys))}) "
                    "AND NOT request_to_be_forgotten"
                )
            )
        ]
    if not ids:
        raise RuntimeError("the database holds no customers")
    return ids


# -- signing in and checking a page --------------------------------------------------------------


def headers_for(cookie: str | None, page: Page, accept_encoding: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if page.htmx:
        headers["HX-Request"] = "true"
    if accept_encoding:
        headers["Accept-Encoding"] = accept_encoding
    return headers


def sign_in(base_url: str, username: str, password: str) -> str:
    """A session cookie header value for ``username``, as a browser holds it after its first
    page; the same User-Agent as wrk sends (Flask-Login's strong session protection ties a
    session to it)."""
    with httpx.Client(base_url=base_url, headers={"User-Agent": USER_AGENT}, timeout=30) as c:
        match = CSRF.search(c.get("/login").text)
        if not match:
            raise RuntimeError("no CSRF token on the sign-in page")
        answer = c.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": match.group(1)},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in as {username} answered {answer.status_code}")
        # The first page after signing in stores the session's CSRF token in the cookie; a
        # browser keeps that cookie, so wrk sends it too (else every request would be the
        # first and sign a new cookie).
        c.get("/")
        return "; ".join(f"{name}={value}" for name, value in c.cookies.items())


def check(base_url: str, page: Page, headers: dict[str, str]) -> int:
    """Fetch the page as wrk will; it must be a 200 holding the page. Its size on the wire."""
    # httpx would ask for compression by itself; wrk asks only when told to.
    sent = {"Accept-Encoding": "identity", **headers}
    response = httpx.get(base_url + page.paths[0], headers=sent, timeout=30)
    if response.status_code != 200 or page.marker not in response.text:
        raise RuntimeError(
            f"{page.label}: {page.paths[0]} answered {response.status_code} without "
            f"{page.marker!r} (signed out?)"
        )
    return int(response.headers.get("Content-Length") or len(response.content))


# -- wrk -----------------------------------------------------------------------------------------


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(
    base_url: str,
    page: Page,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    threads: int,
    workdir: Path,
) -> str:
    paths = workdir / "paths.txt"
    paths.write_text("\n".join(page.paths) + "\n")
    script = workdir / "paths.lua"
    script.write_text(LUA % paths)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(base_url + page.paths[0])
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return done.stdout


def parse_wrk(label: str, output: str, body_bytes: int) -> Measure:
    latency = {p: float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(output)}
    rps = _RPS.search(output)
    if rps is None or set(latency) != {"50", "99"}:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    problems = [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith(("Non-2xx", "Socket errors"))
    ]
    return Measure(
        label, float(rps.group(1)), latency["50"], latency["99"], body_bytes, "; ".join(problems)
    )


def measure(
    base_url: str,
    page: Page,
    cookie: str | None,
    args: argparse.Namespace,
    workdir: Path,
    log: Path | None = None,
) -> Measure:
    headers = headers_for(cookie, page, args.accept_encoding)
    body_bytes = check(base_url, page, headers)
    if args.warmup:
        wrk(base_url, page, headers, args.warmup, args.connections, args.wrk_threads, workdir)
    since = log.stat().st_size if log else 0
    output = wrk(base_url, page, headers, args.seconds, args.connections, args.wrk_threads, workdir)
    check(base_url, page, headers)  # still signed in at the end: nothing measured a redirect
    result = parse_wrk(page.label, output, body_bytes)
    if log and result.problems:
        result.problems += f" [server log: {server_problems(log, since) or 'nothing'}]"
    print(f"  {format_row(result, None)}")
    return result


_REQUEST_LINE = re.compile(r" (GET|POST) (\S+) (\d{3}) [\d.]+ms ")


def server_problems(log: Path, since: int) -> str:
    """Answers other than 2xx/3xx in the app's request log (from byte ``since``), by route
    and status, and the first error line: wrk only counts them."""
    with log.open("rb") as file:
        file.seek(since)
        text_ = file.read().decode(errors="replace")
    counts: dict[str, int] = {}
    for method, route, status in _REQUEST_LINE.findall(text_):
        if not status.startswith(("2", "3")):
            key = f"{status} {method} {route}"
            counts[key] = counts.get(key, 0) + 1
    first_error = next(
        (line for line in text_.splitlines() if " ERROR " in line or "Traceback" in line), ""
    )
    found = ", ".join(f"{n}× {key}" for key, n in sorted(counts.items()))
    return "; ".join(part for part in (found, first_error.strip()[:300]) if part)


# -- one engine ----------------------------------------------------------------------------------


def pages(ids: list[str], term: str) -> list[Page]:
    detail = [f"/customers/{i}" for i in ids]
    return [
        Page("customer detail", detail, "viewer", marker='id="customer-id"'),
        Page("customer detail (agent)", detail, "agent", marker='id="customer-id"'),
        Page("search page 1", ["/"], "viewer", marker='id="results"'),
        Page(f"search {term!r}", [f"/?q={term}"], "viewer", marker='id="results"'),
        Page(f"search fragment {term!r}", [f"/?q={term}"], "viewer", True, 'id="results"'),
        Page("edit form", [f"/customers/{i}/edit" for i in ids], "agent", marker='name="version"'),
    ]


def bench_engine(
    engine_name: str, url: str, bare_url: str, args: argparse.Namespace, workdir: Path
) -> EngineRun:
    print(f"\n== {engine_name}: migrating and seeding {args.customers:,} customers")
    upgrade(url)
    engine = make_engine(url)
    try:
        seed(engine, args.customers, args.random_seed)
        password = secrets.token_urlsafe(18)
        staff = StaffService(engine, PasswordHasher())
        staff.create("bench-viewer", password, ["viewer"], display_name="Bench Viewer")
        staff.create("bench-agent", password, ["agent"], display_name="Bench Agent")
        ids = sample_ids(engine, args.ids, random.Random(args.random_seed))
    finally:
        engine.dispose()

    env = {
        "FLASK_DATABASE_URL": url,
        "FLASK_SECRET_KEY": secrets.token_urlsafe(32),
    }
    log = workdir / f"gunicorn-{engine_name}.log"
    with gunicorn("wsgi:app", log, args.workers, args.threads, env) as base_url:
        cookies = {role: sign_in(base_url, f"bench-{role}", password) for role in ROLES}
        load_before = uptime()
        print(f"  load before: {load_before}")
        bare = Page("bare Flask route", ["/"], None, marker="ok")
        measures = [measure(bare_url, bare, None, args, workdir)]
        for page in pages(ids, args.term):
            assert page.role is not None
            measures.append(measure(base_url, page, cookies[page.role], args, workdir, log))
        measures.append(measure(bare_url, Page("bare Flask route (again)", ["/"], None), None,
                                args, workdir))  # fmt: skip
        load_after = uptime()
        print(f"  load after:  {load_after}")
    return EngineRun(engine_name, args.customers, load_before, load_after, measures)


ROLES = ("viewer", "agent")


# -- the report ----------------------------------------------------------------------------------


HEADER = f"{'page':<30} {'req/s':>8} {'÷ bare':>7} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8}"


def format_row(m: Measure, bare: float | None) -> str:
    ratio = f"{m.ratio(bare):7.3f}" if bare else f"{'':7}"
    row = (
        f"{m.label:<30} {m.requests_per_second:8.1f} {ratio} {m.p50_ms:8.1f} {m.p99_ms:8.1f} "
        f"{m.body_bytes:8,}"
    )
    return row + (f"  ({m.problems})" if m.problems else "")


def report(runs: list[EngineRun], args: argparse.Namespace) -> None:
    encoding = args.accept_encoding or "none (identity)"
    print(
        f"\n== results: gunicorn {args.workers} workers × {args.threads} threads, wrk "
        f"{args.connections} connections × {args.seconds} s per page ({args.wrk_threads} wrk "
        f"threads), Accept-Encoding: {encoding}, {os.cpu_count()} cores"
    )
    for run in runs:
        # The bare route runs first and last: the ratio is to their mean, so a drift in the
        # machine's load during the run shows in the two bare rows rather than in the ratios.
        bare = (run.measures[0].requests_per_second + run.measures[-1].requests_per_second) / 2
        print(f"\n{run.engine}, {run.customers:,} customers")
        print(f"load before: {run.load_before}")
        print(HEADER)
        for m in run.measures:
            print(format_row(m, bare))
        print(f"load after:  {run.load_after}")


# -- main ----------------------------------------------------------------------------------------


def _stop_on_sigterm() -> None:
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--warmup", type=int, default=2, help="wrk warm-up seconds per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--term", default="smith", help="the search substring")
    parser.add_argument("--ids", type=int, default=1000, help="customer ids to pick from")
    parser.add_argument("--accept-encoding", default=None, help="e.g. 'br, gzip'; none: plain")
    parser.add_argument("--pg-port", type=int, default=55434, help="another if it is taken")
    parser.add_argument("--keep", action="store_true", help="keep the logs (gunicorn's)")
    parser.add_argument("--random-seed", type=int, default=20250301)
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if set(engines) - {"sqlite", "postgresql"}:
        parser.error("engines are sqlite and postgresql")
    if not 1 <= args.seconds <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--seconds is 1 to 600, --warmup 0 to 60")
    if shutil.which("wrk") is None:
        parser.error("wrk is missing (apt-get install -y wrk)")

    _stop_on_sigterm()
    runs: list[EngineRun] = []
    started = time.perf_counter()
    print(f"load at start: {uptime()}")
    workdir = Path(tempfile.mkdtemp(prefix="customer-desk-http-bench."))
    try:
        bare_log = workdir / "gunicorn-bare.log"
        with gunicorn("bench.bare_app:app", bare_log, args.workers, args.threads, {}) as bare:
            for name in engines:
                with contextlib.ExitStack() as stack:
                    if name == "sqlite":
                        url = f"sqlite:///{workdir / 'bench.db'}"
                    else:
                        url = stack.enter_context(postgresql(args.pg_port))
                    runs.append(bench_engine(name, url, bare, args, workdir))
    except KeyboardInterrupt:
        print("\ninterrupted: everything started has been stopped", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.SubprocessError) as error:
        print(f"\nbench-http failed: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            for database in workdir.glob("bench.db*"):
                database.unlink()
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report(runs, args)
    print(f"\nload at end:   {uptime()}")
    print(f"took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
