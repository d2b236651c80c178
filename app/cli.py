"""Command line: ``flask --app wsgi migrate | staff … | seed | demo | audit verify |
privacy compact``."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from . import migrate as migrations
from .context import services
from .services import audit_chain
from .services.errors import ServiceError
from .services.local.models import CustomerRow
from .services.staff import ROLES, password_problems

DEMO_CUSTOMERS = 2000


def register_cli(app: Flask) -> None:
    app.cli.add_command(migrate_command)
    app.cli.add_command(staff_group)
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(privacy_group)


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    migrations.upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.group("staff", cls=AppGroup)
def staff_group() -> None:
    """Manage staff accounts."""


@staff_group.command("create")
@click.argument("username")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeatable."
)
@click.option("--name", "display_name", default=None, help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--one-time", is_flag=True, help="They must choose their own password at the first sign-in."
)
def staff_create(
    username: str, roles: tuple[str, ...], display_name: str | None, password: str, one_time: bool
) -> None:
    """Create a staff account with one or more roles."""
    try:
        staff = services().staff.create(username, password, roles, display_name, one_time=one_time)
    except ServiceError as error:
        raise click.ClickException("; ".join(d.message for d in error.errors)) from error
    click.echo(f"Created {staff.username} ({', '.join(sorted(staff.roles))}).")


@staff_group.command("disable")
@click.argument("username")
def staff_disable(username: str) -> None:
    """Disable a staff account: it can no longer sign in."""
    try:
        services().staff.set_active(username, False)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Disabled {username}.")


@staff_group.command("enable")
@click.argument("username")
def staff_enable(username: str) -> None:
    """Enable a disabled staff account again."""
    try:
        services().staff.set_active(username, True)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Enabled {username}.")


@staff_group.command("password")
@click.argument("username")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
@click.option(
    "--one-time", is_flag=True, help="They must choose their own password at the next sign-in."
)
def staff_password(username: str, password: str, one_time: bool) -> None:
    """Set a new password; every session of the account ends."""
    try:
        services().staff.set_password(username, password, one_time=one_time)
    except ServiceError as error:
        raise click.ClickException("; ".join(d.message for d in error.errors)) from error
    click.echo(f"New password set for {username}; their sessions have ended.")


@staff_group.command("sign-out")
@click.argument("username")
def staff_sign_out(username: str) -> None:
    """End every session of the account (every browser, remember-me included)."""
    try:
        count = services().staff.sign_out_everywhere(username)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Signed {username} out everywhere ({count} session(s) ended).")


@staff_group.command("list")
def staff_list() -> None:
    """List staff accounts."""
    for staff in services().staff.list():
        state = "active" if staff.active else "disabled"
        click.echo(f"{staff.username:20} {state:9} {', '.join(sorted(staff.roles))}")


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """Check the audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Walk the audit trail's hash chain from its first event; name the first that does not
    match. Exits 1 when one does not. Run it nightly: the audit page checks only the events
    since the last walk."""
    report = verify_chain()
    if not report.ok:
        raise click.ClickException(f"Audit chain broken: {report.problem}")
    click.echo(
        f"Audit chain verified: {report.checked} events, up to event "
        f"{report.last_event_id or 0}; head {report.last_hash}."
    )


def verify_chain() -> audit_chain.Report:
    """A full walk of the chain, its result noted for the audit page."""
    engine = services().engine
    with engine.connect() as connection:
        report = audit_chain.verify(connection)
    with engine.begin() as connection:
        audit_chain.save_checkpoint(connection, report, dt.datetime.now(dt.UTC))
    return report


@click.group("privacy", cls=AppGroup)
def privacy_group() -> None:
    """Privacy housekeeping."""


@privacy_group.command("compact")
def privacy_compact() -> None:
    """Rewrite the tables a request to be forgotten touches, so that no byte of erased data is
    left in the database's files (PostgreSQL: VACUUM FULL, which locks each table while it
    runs; SQLite: VACUUM). For an off-hours job."""
    from .services.local.erasure import compact

    done = compact(services().engine)
    click.echo(f"Compacted {done.what} in {done.seconds:.1f} s.")


@click.command("seed")
@with_appcontext
@click.option("--customers", "count", default=DEMO_CUSTOMERS, show_default=True, type=int)
@click.option("--random-seed", default=None, type=int, help="Repeatable data for a given seed.")
def seed_command(count: int, random_seed: int | None) -> None:
    """Load demo customers (with sources and tax data) into the local store."""
    _seed(count, random_seed)


def _seed(count: int, random_seed: int | None) -> None:
    from .demo import seed_customers

    with click.progressbar(length=count, label="Seeding customers", show_pos=True) as bar:
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            bar.update(n - done)
            done = n

        loaded = seed_customers(
            services().engine, count, random_seed=random_seed, progress=progress
        )
    click.echo(f"Loaded {loaded} customers.")


def _seed_ring() -> None:
    """A fraud ring for the linked-customers panel, some of it due for review."""
    from .demo.ring import seed_demo_ring
    from .services.local.store import LocalCustomerService

    service = services().customers
    if isinstance(service, LocalCustomerService):
        ring = seed_demo_ring(service, services().blocks)
        click.echo(
            f"Seeded a fraud ring of {len(ring.ids)} linked customers ({ring.ids[0]} …), "
            "some of them due for review on the fraud page."
        )


@click.command("demo")
@with_appcontext
@click.option("--customers", "count", default=DEMO_CUSTOMERS, show_default=True, type=int)
def demo_command(count: int) -> None:
    """Migrate, then seed demo customers and one demo account per role if the database is empty."""
    migrations.upgrade(current_app.config["DATABASE_URL"])
    with services().engine.connect() as connection:
        existing = connection.scalar(select(func.count()).select_from(CustomerRow))
    if not existing:
        _seed(count, random_seed=2021)
        _seed_ring()
        # The demo history is chained as it loads: verified once, the audit page starts here.
        verify_chain()
    staff = services().staff
    credentials = Path(current_app.instance_path) / "demo-accounts.txt"
    if staff.count() == 0:
        lines = []
        for role in ROLES:
            password = _demo_password(role)
            # Not one-time: the demo's printed passwords keep working.
            staff.create(role, password, [role], f"Demo {role}")
            lines.append(f"  {role:8} {password:22} {role}")
        credentials.parent.mkdir(parents=True, exist_ok=True)
        credentials.write_text("\n".join(lines) + "\n")
        credentials.chmod(0o600)
    if credentials.exists():
        click.echo(f"\nDemo accounts (username, password, role), from {credentials}:")
        click.echo(credentials.read_text().rstrip())
    else:
        click.echo("Staff accounts exist; `flask --app wsgi staff list` shows them.")


def _demo_password(username: str) -> str:
    """A random 16-character password that passes the password rules."""
    while True:
        password = secrets.token_urlsafe(12)
        if not password_problems(password, username):
            return password
