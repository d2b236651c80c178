"""Seed N customers into a fresh database on each engine and time every kind of search.

    .venv/bin/python bench/search_bench.py [--customers 1000000] [--engines sqlite,postgresql]
                                           [--runs 200] [--no-flask] [--keep]

SQLite uses a temporary file. PostgreSQL needs ``BENCH_DATABASE_URL`` (for example
``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``): the benchmark drops and recreates
the database ``customer_desk_bench`` on that server and works there.

For each engine: migrate, seed (timed), then time ``LocalCustomerService.search`` (the
service call as the web app makes it: session, SQL, rows to summaries) for each kind of
query, with a different realistic value drawn from the seeded data on every run, after a
warm-up. When the Flask app can be built, the search results fragment (what active search
requests) is timed as well, through Flask's test client signed in as a viewer.

This is a measuring tool, not a test: nothing is cached between runs, every value differs.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, make_url, text  # noqa: E402

from app.config import DEFAULTS  # noqa: E402
from app.demo import seed_customers  # noqa: E402
from app.demo.ring import make_ring  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.services import audit_chain  # noqa: E402
from app.services.customers import COUNT_CAP, Cursor, SearchQuery  # noqa: E402
from app.services.local import LocalCustomerService, make_engine  # noqa: E402
from app.services.local.erasure import compact  # noqa: E402
from app.services.local.store import aware  # noqa: E402

BENCH_DATABASE = "customer_desk_bench"
WARMUP = 20
KINDS = (
    "exact id",
    "email prefix",
    "name substring",
    "phone substring",
    "filters only",
    "deep keyset page",
    "substring, page 2",
    "common email domain",
    "rare email domain",
    "common city",
    "rare city",
    "last four",
    "brand + last four",
    "tax id",
    "metadata value",
    "metadata key:value",
    "qualifiers combined",
    "new kinds, page 2",
)
FILTERS: tuple[dict[str, Any], ...] = (
    {"enabled": False},
    {"type": "business"},
    {"enabled": False, "type": "business"},
    {"locale": "de_DE"},
    {"forget_requested": True},
    {"type": "business", "locale": "ja_JP"},
    {"enabled": True, "type": "individual", "locale": "fr_FR"},
)


@dataclass
class Result:
    seconds: list[float] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)
    # How many matched, as the page's count line says it (COUNT_CAP + 1: "more than").
    matches: list[int] = field(default_factory=list)


@dataclass
class EngineReport:
    name: str
    seed_seconds: float
    service: dict[str, Result]
    flask: dict[str, Result] | None
    export: ExportReport | None = None
    # Housekeeping at this size: a full walk of the audit chain, and privacy compact.
    verify_seconds: float = 0.0
    verified_events: int = 0
    compact_seconds: float = 0.0
    # The linked-customers panel (issue 14): a ring member's, and any customer's.
    linked: dict[str, Result] = field(default_factory=dict)


# -- databases ----------------------------------------------------------------------------------


def sqlite_database(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'bench.db'}"


def postgresql_database() -> str:
    server = os.environ.get("BENCH_DATABASE_URL")
    if not server:
        raise SystemExit(
            "Set BENCH_DATABASE_URL to a PostgreSQL server URL, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"
        )
    url = make_url(server)
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    admin.dispose()
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


# -- query values drawn from the data ------------------------------------------------------------


def sample_rows(engine: Engine, n: int, rng: random.Random) -> list[Any]:
    with engine.connect() as connection:
        low, high = connection.execute(text("SELECT min(pk), max(pk) FROM customers")).one()
        pks = rng.sample(range(low, high + 1), min(n, high - low + 1))
        rows = []
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            rows += connection.execute(
                text(
                    "SELECT id, email, ship_name, ship_phone, addr_city, metadata, created_time "
                    "FROM customers "
                    f"WHERE pk IN ({', '.join(str(pk) for pk in chunk)})"
                )
            ).all()
    rng.shuffle(rows)
    return rows


def keyset_cursor(engine: Engine, offset: int) -> Cursor:
    with engine.connect() as connection:
        created, customer_id = connection.execute(
            text(
                "SELECT created_time, id FROM customers ORDER BY created_time DESC, id DESC "
                "LIMIT 1 OFFSET :offset"
            ),
            {"offset": offset},
        ).one()
    if isinstance(created, str):  # SQLite hands back the stored text
        from datetime import datetime

        created = datetime.fromisoformat(created)
    return Cursor(aware(created), customer_id)  # type: ignore[arg-type]


def surname_fragment(name: str, rng: random.Random) -> str | None:
    """What someone types to find a person by surname: 3-6 letters of it."""
    parts = name.split()
    surname = parts[-1] if len(parts) > 1 else name
    if surname.endswith(".") or len(surname) < 3:
        return None
    size = min(len(surname), rng.choice((3, 4, 4, 5, 5, 6)))
    start = rng.randrange(0, len(surname) - size + 1)
    return surname[start : start + size]


def phone_fragment(phone: str, rng: random.Random) -> str | None:
    """Some consecutive digits of a phone number, as read out on a call."""
    number = re.sub(r"\D", "", phone)
    if len(number) < 6:
        return None
    size = rng.choice((4, 5, 6, 7, 8))
    start = rng.randrange(0, len(number) - size + 1)
    return number[start : start + size]


def build_queries(
    engine: Engine, service: LocalCustomerService, count: int, total: int, rng: random.Random
) -> dict[str, list[SearchQuery]]:
    rows = sample_rows(engine, count * 6, rng)
    ids = [r.id for r in rows]
    emails = [
        r.email[: rng.randint(4, 8)] for r in rows if r.email and len(r.email.split("@")[0]) >= 4
    ]
    names = [f for r in rows if r.ship_name and (f := surname_fragment(r.ship_name, rng))]
    phones = [f for r in rows if r.ship_phone and (f := phone_fragment(r.ship_phone, rng))]
    deep = [
        SearchQuery(after=keyset_cursor(engine, int(total * fraction)))
        for fraction in (0.3, 0.4, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    ]
    second_pages: list[SearchQuery] = []
    for fragment in names[count : count * 2] + phones[count : count * 2]:
        first = service.search(SearchQuery(text=fragment))
        if first.next_cursor is not None:
            second_pages.append(SearchQuery(text=fragment, after=first.next_cursor))
    rng.shuffle(second_pages)
    queries = {
        "exact id": [SearchQuery(text=v) for v in ids],
        "email prefix": [SearchQuery(text=v) for v in emails],
        "name substring": [SearchQuery(text=v) for v in names],
        "phone substring": [SearchQuery(text=v) for v in phones],
        "filters only": [SearchQuery(**FILTERS[i % len(FILTERS)]) for i in range(count * 2)],
        "deep keyset page": [deep[i % len(deep)] for i in range(count * 2)],
        "substring, page 2": second_pages,
        **new_kinds(engine, service, rows, count, rng),
    }
    return {kind: values[: count + WARMUP] for kind, values in queries.items()}


def _spread(values: list[str], size: int, rng: random.Random) -> list[str]:
    """``size`` of ``values`` (repeating them if there are fewer), shuffled."""
    if not values:
        return []
    out = [values[i % len(values)] for i in range(size)]
    rng.shuffle(out)
    return out


def quoted(value: str) -> str:
    return f'"{value}"' if " " in value else value


def new_kinds(
    engine: Engine, service: LocalCustomerService, rows: list[Any], count: int, rng: random.Random
) -> dict[str, list[SearchQuery]]:
    """Search v2's kinds, with values drawn from the sampled customers: email domains (the
    commonest, hundreds of thousands of matches, and ones seen once), cities (common, rare),
    cards, tax ids and metadata, a qualifier combination, and page 2 of the broad ones."""
    size = count + WARMUP
    domains = collections.Counter(r.email.split("@")[1].lower() for r in rows if r.email)
    common_domains = [d for d, _ in domains.most_common(5)]
    rare_domains = [d for d, n in domains.items() if n == 1]
    cities = collections.Counter(r.addr_city for r in rows if r.addr_city)
    # (a city: qualifier needs three characters)
    rare_cities = [c for c, n in cities.items() if n == 1 and len(c.strip()) >= 3]
    wanted = ", ".join(f"'{r.id}'" for r in rows[:3000])
    with engine.connect() as connection:
        common_cities = list(
            connection.execute(
                text(
                    "SELECT addr_city FROM customers WHERE addr_city IS NOT NULL "
                    "GROUP BY addr_city ORDER BY count(*) DESC LIMIT 10"
                )
            ).scalars()
        )
        cards = connection.execute(
            text(f"SELECT brand, last_four FROM sources WHERE customer_id IN ({wanted})")
        ).all()
        taxes = (
            connection.execute(
                text(f"SELECT value FROM tax_identifiers WHERE customer_id IN ({wanted})")
            )
            .scalars()
            .all()
        )
    metadata = []
    for r in rows:
        meta = r.metadata
        if isinstance(meta, str):
            meta = json.loads(meta)
        metadata += list((meta or {}).items())
    combined = [
        f"name:{fragment} city:{quoted(r.addr_city)}"
        for r in rows
        if r.ship_name
        and r.addr_city
        and len(r.addr_city.strip()) >= 3
        and (fragment := surname_fragment(r.ship_name, rng))
    ]
    broad = [f"@{d}" for d in common_domains] + common_cities
    second_pages: list[SearchQuery] = []
    for value in _spread(broad, size * 2, rng):
        first = service.search(SearchQuery(text=value))
        if first.next_cursor is not None:
            second_pages.append(SearchQuery(text=value, after=first.next_cursor))
    return {
        "common email domain": [SearchQuery(text=v) for v in _spread(common_domains, size, rng)],
        "rare email domain": [SearchQuery(text=f"@{v}") for v in _spread(rare_domains, size, rng)],
        "common city": [SearchQuery(text=v) for v in _spread(common_cities, size, rng)],
        "rare city": [
            SearchQuery(text=f"city:{quoted(v)}") for v in _spread(rare_cities, size, rng)
        ],
        "last four": [SearchQuery(text=f"last4:{c.last_four}") for c in cards][:size],
        "brand + last four": [
            SearchQuery(text=f"{c.brand.split()[0].lower()} {c.last_four}") for c in cards
        ][-size:],
        "tax id": [SearchQuery(text=v) for v in _spread(list(taxes), size, rng)],
        "metadata value": [SearchQuery(text=v) for _, v in metadata if len(v) >= 3][:size],
        "metadata key:value": [SearchQuery(text=f"{k}:{v}") for k, v in metadata][-size:],
        "qualifiers combined": [SearchQuery(text=v) for v in combined][:size],
        "new kinds, page 2": second_pages,
    }


# -- timing -------------------------------------------------------------------------------------


Call = Callable[[SearchQuery], "int | tuple[int, int]"]


def time_calls(queries: list[SearchQuery], call: Call, runs: int) -> Result:
    for query in queries[:WARMUP]:
        call(query)
    result = Result()
    for query in queries[WARMUP : WARMUP + runs]:
        start = time.perf_counter()
        hits = call(query)
        result.seconds.append(time.perf_counter() - start)
        if isinstance(hits, tuple):
            hits, matches = hits
            result.matches.append(matches)
        result.hits.append(hits)
    return result


def service_call(service: LocalCustomerService) -> Call:
    """The service's search, counting (as the page does): (rows on the page, matches)."""

    def call(query: SearchQuery) -> tuple[int, int]:
        page = service.search(query)
        return len(page.items) + (1 if page.exact_id_match else 0), page.total or 0

    return call


def signed_in_client(url: str, role: str, **config: Any) -> Any:
    """A test client of the web app on ``url``, signed in as a new staff member with ``role``;
    None if no app can be built or the sign-in fails."""
    try:
        from app import create_app
    except ImportError:
        return None
    password = secrets.token_urlsafe(18)  # the password rules refuse one naming the user
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key",
            "DATABASE_URL": url,
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_COST": 1024,
            "PASSWORD_HASH_PARALLELISM": 1,
            **config,
        }
    )
    # One log line per request would bury the timings.
    logging.getLogger("customer_desk.requests").setLevel(logging.WARNING)
    username = f"bench-{role}-{secrets.token_hex(3)}"
    app.extensions["customer_desk"].staff.create(username, password, [role])
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    if token is None:
        return None
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    if response.status_code not in (302, 303):
        return None
    return client


def flask_call(url: str) -> Callable[[SearchQuery], int] | None:
    """A search through the web app's results fragment, or None if no app can be built."""
    try:
        from app.customers.search import encode_cursor
    except ImportError:
        return None
    client = signed_in_client(url, "viewer")
    if client is None:
        return None
    yes_no = {True: "yes", False: "no"}

    def call(query: SearchQuery) -> int:
        args: dict[str, str] = {}
        if query.text:
            args["q"] = query.text
        if query.enabled is not None:
            args["enabled"] = yes_no[query.enabled]
        if query.forget_requested is not None:
            args["forget"] = yes_no[query.forget_requested]
        if query.type:
            args["type"] = query.type
        if query.locale:
            args["locale"] = query.locale
        if query.after is not None:
            args["after"] = encode_cursor(query.after) or ""
        response = client.get("/?" + urlencode(args), headers={"HX-Request": "true"})
        if response.status_code != 200:
            raise RuntimeError(f"search fragment answered {response.status_code}")
        return response.get_data(as_text=True).count("<tr")

    return call


def rss_mib() -> float:
    """This process's resident memory now, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class ExportReport:
    rows: int
    seconds: float
    baseline_mib: float
    peak_mib: float


def export_every_customer(url: str, customers: int) -> ExportReport | None:
    """Stream ``/customers.csv`` (no search: every customer) with the row limit raised to all
    of them, through the test client a chunk at a time, sampling resident memory as it goes."""
    client = signed_in_client(url, "agent", EXPORT_MAX_ROWS=customers)
    if client is None:
        return None
    baseline = peak = rss_mib()
    rows = 0
    started = time.perf_counter()
    response = client.get("/customers.csv", buffered=False)
    if response.status_code != 200:
        raise RuntimeError(f"export answered {response.status_code}")
    for chunk in response.response:
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if rows % 20_000 < 2:
            peak = max(peak, rss_mib())
    response.close()
    seconds = time.perf_counter() - started
    return ExportReport(rows - 1, seconds, baseline, max(peak, rss_mib()))


# -- the run ------------------------------------------------------------------------------------


def bench_engine(name: str, args: argparse.Namespace, workdir: Path) -> EngineReport:
    url = sqlite_database(workdir) if name == "sqlite" else postgresql_database()
    print(f"\n== {name}: migrating {make_url(url).render_as_string()}", flush=True)
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 5 or done == args.customers:
            last[0] = now
            print(f"   seeded {done:>9,} after {now - started:5.1f}s", flush=True)

    seed_customers(engine, args.customers, random_seed=args.seed, progress=progress)
    seed_seconds = time.perf_counter() - started
    print(f"   seed: {args.customers:,} customers in {seed_seconds:.1f}s", flush=True)

    service = LocalCustomerService(engine)
    rng = random.Random(args.seed)
    queries = build_queries(engine, service, args.runs, args.customers, rng)
    results = {}
    for kind in KINDS:
        results[kind] = time_calls(queries[kind], service_call(service), args.runs)
        print(f"   {kind:18} {summary(results[kind])}", flush=True)
    linked = time_linked(service, engine, args.runs, rng, url if args.flask else None)
    for kind, result in linked.items():
        print(f"   {kind:18} {summary(result)}", flush=True)
    flask_results = None
    if args.flask:
        try:
            call = flask_call(url)
        except Exception as error:  # the app is optional here; report and go on
            print(f"   (Flask timing skipped: {error!r})")
            call = None
        if call is None:
            print("   (no Flask app to time)")
        else:
            flask_results = {}
            for kind in KINDS:
                flask_results[kind] = time_calls(queries[kind], call, args.runs)
                print(f"   flask {kind:12} {summary(flask_results[kind])}", flush=True)
    export = None
    if args.flask and args.export:
        export = export_every_customer(url, args.customers)
        if export is not None:
            print(
                f"   export: {export.rows:,} rows in {export.seconds:.1f}s, resident memory "
                f"{export.baseline_mib:.0f} MiB before, {export.peak_mib:.0f} MiB at most",
                flush=True,
            )
    verify_seconds, verified, compact_seconds = housekeeping(engine)
    print(
        f"   audit verify: {verified:,} events in {verify_seconds:.1f}s; "
        f"privacy compact: {compact_seconds:.1f}s",
        flush=True,
    )
    engine.dispose()
    return EngineReport(
        name,
        seed_seconds,
        results,
        flask_results,
        export,
        verify_seconds,
        verified,
        compact_seconds,
        linked,
    )


RING_SIZE = 200


def time_linked(
    service: LocalCustomerService,
    engine: Engine,
    runs: int,
    rng: random.Random,
    url: str | None = None,
) -> dict[str, Result]:
    """The linked-customers panel's service call (what the customer page asks), for members
    of a ring of 200 linked customers made through the store (every one shares a mailbox and
    a device, most a phone, half an address, a third a card) and for customers drawn from the
    seeded data. Each probe reads its customer first, untimed, as the page has it already."""
    started = time.perf_counter()
    ring = make_ring(service, RING_SIZE, seed=rng.randrange(10**6))
    print(f"   ring: {RING_SIZE} linked customers in {time.perf_counter() - started:.1f}s")
    keys = DEFAULTS["LINK_METADATA_KEYS"]
    members = [service.get(rng.choice(ring.ids)) for _ in range(WARMUP + runs)]
    anyone = [service.get(row.id) for row in sample_rows(engine, WARMUP + runs, rng)]

    def call(customer: Any) -> tuple[int, int]:
        found = service.linked(customer, metadata_keys=keys)
        return sum(len(g.members) for g in found.groups), found.total

    timed = {
        "linked, ring": time_calls(members, call, runs),  # type: ignore[arg-type]
        "linked, anyone": time_calls(anyone, call, runs),  # type: ignore[arg-type]
    }
    client = signed_in_client(url, "fraud") if url else None
    if client is not None:
        # The panel as a fraud officer gets it: the customer read, every group's table drawn.
        def panel(customer: Any) -> tuple[int, int]:
            response = client.get(f"/customers/{customer.id}/linked")
            if response.status_code != 200:
                raise RuntimeError(f"linked panel answered {response.status_code}")
            rows = response.get_data(as_text=True).count("<tr")
            return rows, rows

        timed["linked, ring (flask)"] = time_calls(members, panel, runs)  # type: ignore[arg-type]
        timed["linked, anyone (flask)"] = time_calls(anyone, panel, runs)  # type: ignore[arg-type]
    return timed


def housekeeping(engine: Engine) -> tuple[float, int, float]:
    """Time ``audit verify``'s walk of the whole chain and ``privacy compact`` (issue 13)."""
    started = time.perf_counter()
    with engine.connect() as connection:
        report = audit_chain.verify(connection)
    verify_seconds = time.perf_counter() - started
    if not report.ok:
        print(f"   audit chain broken: {report.problem}", flush=True)
    return verify_seconds, report.checked, compact(engine).seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(result: Result) -> str:
    if not result.seconds:
        return "no queries"
    ms = [s * 1000 for s in result.seconds]
    return (
        f"p50 {percentile(ms, 0.5):6.2f}  p95 {percentile(ms, 0.95):6.2f}  "
        f"max {max(ms):7.2f} ms  (n={len(ms)}, avg rows {statistics.mean(result.hits):.1f}"
        f"{matches_text(result)})"
    )


def matches_text(result: Result) -> str:
    """The match counts of a kind's probes: median and range, "1,000+" past the cap."""
    if not result.matches:
        return ""

    def shown(n: int) -> str:
        return f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"

    ordered = sorted(result.matches)
    return (
        f", matches median {shown(ordered[len(ordered) // 2])}, "
        f"{shown(ordered[0])}–{shown(ordered[-1])}"
    )


def print_table(reports: list[EngineReport], customers: int) -> None:
    print(f"\nSearch at {customers:,} customers, milliseconds (p50 / p95 / max)")
    header = f"{'query':26}" + "".join(f"| {r.name:^26}" for r in reports)
    header += f"| matches ({reports[0].name})" if reports else ""
    print(header)
    print("-" * len(header))
    layers = [("service", lambda r: r.service)]
    if any(r.flask for r in reports):
        layers.append(("flask", lambda r: r.flask or {}))
    for layer, pick in layers:
        for kind in KINDS:
            label = kind if layer == "service" else f"{kind} (flask)"
            cells = []
            for report in reports:
                result = pick(report).get(kind)
                if not result or not result.seconds:
                    cells.append(f"| {'-':^26}")
                    continue
                ms = [s * 1000 for s in result.seconds]
                cells.append(
                    f"| {percentile(ms, 0.5):6.2f} / {percentile(ms, 0.95):6.2f} / {max(ms):7.2f} "
                )
            if layer == "service":
                result = next((pick(r).get(kind) for r in reports if pick(r).get(kind)), None)
                cells.append(f"| {matches_text(result).lstrip(', ') if result else ''}")
            print(f"{label:26}" + "".join(cells))
    print(f"{'seed (s)':26}" + "".join(f"| {r.seed_seconds:^26.1f}" for r in reports))
    print(
        f"{'audit verify (s)':26}"
        + "".join(
            f"| {f'{r.verify_seconds:.1f} ({r.verified_events:,} events)':^26}" for r in reports
        )
    )
    print(f"{'privacy compact (s)':26}" + "".join(f"| {r.compact_seconds:^26.1f}" for r in reports))
    for kind in (
        "linked, ring",
        "linked, anyone",
        "linked, ring (flask)",
        "linked, anyone (flask)",
    ):
        cells = []
        for r in reports:
            ms = [x * 1000 for x in r.linked[kind].seconds] if kind in r.linked else []
            shown = "-"
            if ms:
                shown = f"p50 {percentile(ms, 0.5):.2f} p95 {percentile(ms, 0.95):.2f} ms"
            cells.append(f"| {shown:^26}")
        print(f"{kind + ' panel':26}" + "".join(cells))
    exports = [r.export for r in reports]
    if any(exports):
        cells = [
            f"| {f'{e.rows:,} in {e.seconds:.0f}s, +{e.peak_mib - e.baseline_mib:.0f} MiB':^26}"
            if e
            else f"| {'-':^26}"
            for e in exports
        ]
        print(f"{'CSV export, every row':26}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=200, help="timed queries per kind")
    parser.add_argument("--seed", type=int, default=2021, help="random seed for data and queries")
    parser.add_argument("--no-flask", dest="flask", action="store_false")
    parser.add_argument(
        "--no-export", dest="export", action="store_false", help="skip the CSV export of all"
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    workdir = Path(tempfile.mkdtemp(prefix="customer-desk-bench-"))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    reports = []
    try:
        for name in engines:
            reports.append(bench_engine(name, args, workdir))
    finally:
        if args.keep:
            print(f"\nSQLite database kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(reports, args.customers)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
