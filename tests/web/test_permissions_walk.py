"""Walk every endpoint of the app, with every method it accepts, as every role and signed out,
and hold each outcome to the table below. A new endpoint fails this test until it is added."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.services.audit import Actor
from app.services.customers import NewCustomer, NewTaxCertificate
from app.services.local.models import SourceRow
from app.services.staff import ROLES
from tests.conftest import csrf_token

SIGNED_OUT = "signed-out"
WHO = (SIGNED_OUT, *ROLES)

# Outcomes
ALLOWED = "allowed"  # 2xx, a 3xx not to sign-in, or a validation / not-found 4xx
FORBIDDEN = "403"
SIGN_IN = "sign-in"  # 303 to /login?next=…

# Who may use each endpoint (every endpoint of the app except 'static', each listed).
# Everyone else signed in gets 403; signed out, everything but sign-in sends to sign-in.
EVERYONE = (SIGNED_OUT, "viewer", "agent", "fraud", "privacy", "admin")
STAFF = ("viewer", "agent", "fraud", "privacy", "admin")
AGENTS = ("agent", "admin")
FRAUD = ("fraud", "admin")
AUDITORS = ("fraud", "privacy", "admin")
PRIVACY = ("privacy", "admin")
ADMINS = ("admin",)
EXPORTERS = ("agent", "fraud", "privacy", "admin")

ACCESS: dict[str, tuple[str, ...]] = {
    # probes for a process manager or load balancer
    "health.healthz": EVERYONE,
    "health.readyz": EVERYONE,
    # signing in and out
    "auth.login": EVERYONE,
    "auth.authenticate": EVERYONE,
    "auth.logout": STAFF,
    "auth.change_password": STAFF,
    "auth.account": STAFF,
    "auth.update_account": STAFF,
    # customers: read
    "customers.index": STAFF,
    "customers.show": STAFF,
    "customers.linked": STAFF,
    "customers.export": EXPORTERS,
    # customers: create and edit
    "customers.new": AGENTS,
    "customers.create": AGENTS,
    "customers.edit": AGENTS,
    "customers.update": AGENTS,
    "customers.state_field": AGENTS,
    # customers: inline changes on the detail page, and certificate files
    "customers.confirm_toggle": FRAUD,
    "customers.disable": FRAUD,
    "customers.enable": FRAUD,
    "customers.attach_source": AGENTS,
    "customers.detach_source": AGENTS,
    "customers.set_default_source": AGENTS,
    "customers.add_tax_identifier": AGENTS,
    "customers.remove_tax_identifier": AGENTS,
    "customers.add_tax_certificate": AGENTS,
    "customers.update_metadata": AGENTS,
    # (a viewer, who sees personal data masked, after revealing the customer: test_masking)
    "customers.download_file": EXPORTERS,
    # masked personal data: anyone may reveal (a role that sees it in full has nothing to)
    "customers.reveal": STAFF,
    # audit trail
    "audit.index": AUDITORS,
    "audit.export": AUDITORS,
    # requests to be forgotten and the privacy page
    "privacy.confirm": PRIVACY,
    "privacy.forget": PRIVACY,
    "privacy.retry": PRIVACY,
    "privacy.index": PRIVACY,
    "privacy.export": PRIVACY,
    "privacy.approve": PRIVACY,
    "privacy.reject": PRIVACY,
    "privacy.reads": PRIVACY,
    "privacy.subject_access_summary": PRIVACY,
    "privacy.subject_access_json": PRIVACY,
    # the fraud page: review queue, bulk blocks, four-eyes unblocking
    "fraud.index": FRAUD,
    "fraud.preview": FRAUD,
    "fraud.block": FRAUD,
    "fraud.batch": FRAUD,
    "fraud.retry": FRAUD,
    "fraud.keep": FRAUD,
    "fraud.lift": FRAUD,
    "fraud.approve": FRAUD,
    "fraud.reject": FRAUD,
    # staff administration
    "admin.index": ADMINS,
    "admin.new": ADMINS,
    "admin.create": ADMINS,
    "admin.edit": ADMINS,
    "admin.update": ADMINS,
    "admin.reset_password": ADMINS,
    "admin.sign_out_everywhere": ADMINS,
}

# Signing out ends the session: walk it last.
LAST = ("auth.logout",)


def expected(who: str, endpoint: str) -> str:
    if endpoint not in ACCESS:
        return "no entry in ACCESS"
    if who in ACCESS[endpoint]:
        return ALLOWED
    return SIGN_IN if who == SIGNED_OUT else FORBIDDEN


def app_rules(app: Flask) -> list[Rule]:
    """Every rule but the static files', in a stable order, sign-out last."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    return sorted(rules, key=lambda r: (r.endpoint in LAST, r.endpoint, r.rule))


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def outcome(response) -> str:
    """Sort a response into one of the outcomes the table speaks of (or name what it is)."""
    status = response.status_code
    if status == 403:
        return FORBIDDEN
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("Location", ""))
        # The sign-in gate always says where to come back to; signing out goes to /login bare.
        if target.path == "/login" and "next" in parse_qs(target.query):
            return SIGN_IN if status == 303 else f"{status} to sign-in"
        return ALLOWED
    if 200 <= status < 300:
        return ALLOWED
    if status == 400 and "The form expired" in response.get_data(as_text=True):
        return "400: CSRF token refused"  # the walk's own mistake, never an outcome
    if status in (400, 404, 409, 413, 422):
        return ALLOWED
    return str(status)


@pytest.fixture
def path_values(app: Flask, service, make_staff, insert_rows) -> dict[str, str]:
    """A real record for every kind of path variable, so every rule resolves."""
    customer = service.create(NewCustomer(id="cus-walk", email="walk@example.com"))
    insert_rows(
        SourceRow(
            id="src-walk",
            customer_id=customer.id,
            type="creditCard",
            state="chargeable",
            reusable=True,
            brand="Visa",
            last_four="4242",
            created_time=dt.datetime(2025, 1, 1),
        )
    )
    service.add_tax_identifier(customer.id, "de", "DE123456789")
    customer = service.add_tax_certificate(
        customer.id,
        NewTaxCertificate(
            company_name="Walk GmbH",
            tax_authority="NY",
            start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            end_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            file_name="cert.pdf",
            content=b"%PDF-1.4 walk",
        ),
    )
    proposal = app.extensions["customer_desk"].proposals.propose(
        customer.id, reason="WALK-1", actor=Actor(None, "someone-else")
    )
    return {
        "customer_id": customer.id,
        "proposal_id": str(proposal.id),
        "username": make_staff("viewer", username="walk-target"),
        "source_id": "src-walk",
        "file_id": customer.tax_certificates[0].file_id,
        "tax_identifier_id": customer.tax_identifiers[0].id,
        # no such block or bulk block: the role check comes first, then 404
        "block_id": "999999",
        "batch_id": "B-WALK",
    }


def client_for(app: Flask, client_as, who: str) -> tuple[FlaskClient, str]:
    """A client signed in with one role (or signed out) and its CSRF token."""
    if who == SIGNED_OUT:
        client = app.test_client()
        return client, csrf_token(client, "/login")
    client = client_as(who)
    return client, csrf_token(client, "/")


def walk(app: Flask, client: FlaskClient, token: str, values: dict[str, str]) -> Iterator:
    adapter = app.url_map.bind("localhost")
    for rule in app_rules(app):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give path_values a real {sorted(missing)}"
        for method in methods(rule):
            url = adapter.build(
                rule.endpoint, {a: values[a] for a in rule.arguments}, method=method
            )
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token})
            yield rule.endpoint, method, outcome(response)


def test_the_table_lists_exactly_the_endpoints_the_app_serves(app) -> None:
    served = {r.endpoint for r in app.url_map.iter_rules()} - {"static"}

    assert served - ACCESS.keys() == set(), "add these endpoints to ACCESS"
    assert ACCESS.keys() - served == set(), "these ACCESS entries have no route"


def test_the_table_names_only_known_roles_and_admins_may_do_everything_signed_in(app) -> None:
    for endpoint, allowed in ACCESS.items():
        assert set(allowed) <= set(WHO), endpoint
        assert "admin" in allowed, endpoint


@pytest.mark.parametrize("who", WHO)
def test_every_endpoint_and_method_answers_each_role_as_the_table_says(
    app, client_as, path_values, who
) -> None:
    client, token = client_for(app, client_as, who)

    seen = {
        (endpoint, method): result
        for endpoint, method, result in walk(app, client, token, path_values)
    }

    assert seen == {(endpoint, method): expected(who, endpoint) for endpoint, method in seen}
    assert {endpoint for endpoint, _ in seen} == set(ACCESS)
