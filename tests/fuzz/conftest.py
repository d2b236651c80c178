"""The world the form fuzzer works in: one app per form (the shared ``app`` fixture, built once
for the test's examples), customers with a bit of everything, and a probe that sends a
submission and insists the answer is no 5xx."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.services.audit import Actor
from app.services.customers import NewCustomer, NewTaxCertificate, Shipping
from app.services.local.models import CustomerRow, SourceRow
from tests.conftest import PASSWORD, csrf_token, sign_in
from tests.web.conftest import full_shipping
from tests.web.inline_helpers import PDF, source

from .strategies import Submission

TARGET = "cus-1"
OFFICER = Actor(7, "olga", "Olga Officer")


def segment(text: str) -> str:
    """A path segment for any text (the router decodes it again)."""
    return quote(text, safe="")


@dataclass
class Probe:
    """Sends submissions as one signed-in staff member and checks the answers."""

    app: Flask
    client: FlaskClient
    token: str = ""
    # What a test keeps between its examples (the probe lives as long as the test).
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.app.extensions["customer_desk"].engine

    def version(self, customer_id: str = TARGET) -> int | None:
        with self.engine.connect() as connection:
            return connection.scalar(
                select(CustomerRow.version).where(CustomerRow.id == customer_id)
            )

    def count(self, column: Any) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count(column))) or 0

    def execute(self, statement: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(statement)

    def refresh_token(self, path: str = "/") -> None:
        self.token = csrf_token(self.client, path)

    def send(
        self,
        method: str,
        path: str,
        submission: Submission,
        *,
        version: int | None = None,
        files: dict[str, tuple[bytes, str]] | None = None,
    ) -> Any:
        """Send ``submission``; the answer (body read, so a streamed one runs to its end)
        must not be a 5xx."""
        pairs = submission.with_version(version if version is not None else 1)
        headers = {"HX-Request": "true"} if submission.htmx else {}
        if method == "GET":
            response = self.client.get(path, query_string=MultiDict(pairs), headers=headers)
        else:
            if submission.csrf == "valid":
                pairs.append(("csrf_token", self.token))
            elif submission.csrf == "bogus":
                pairs.append(("csrf_token", self.token[::-1]))
            if files:
                response = self._multipart(path, pairs, files, headers)
            else:
                response = self.client.post(path, data=MultiDict(pairs), headers=headers)
        response.get_data()
        assert response.status_code < 500, (response.status_code, path, _short(pairs))
        return response

    def _multipart(
        self,
        path: str,
        pairs: list[tuple[str, str]],
        files: dict[str, tuple[bytes, str]],
        headers: dict[str, str],
    ) -> Any:
        # Encoded in memory: the test client spools a large body to a temporary file it never
        # closes (a ResourceWarning, an error in this suite).
        fields = MultiDict(pairs)
        for name, (content, file_name) in files.items():
            fields.add(name, FileStorage(stream=io.BytesIO(content), filename=file_name))
        boundary, body = encode_multipart(fields)
        return self.client.post(
            path,
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=headers,
        )


def _short(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k[:60], v[:60]) for k, v in pairs]


@pytest.fixture
def world(app: Flask, service) -> None:
    """cus-1 with metadata, two sources (one the default), a free source, a tax identifier
    and a certificate; a dozen more customers to search; one forgotten customer."""
    service.create(
        NewCustomer(
            id=TARGET,
            email="grace@example.com",
            shipping=full_shipping(),
            type="business",
            locale="en_US",
            metadata={"tier": "gold", "crm": "A-77"},
        )
    )
    with Session(app.extensions["customer_desk"].engine) as session:
        session.add_all(
            [
                source("src-visa", TARGET),
                source("src-master", TARGET, brand="Mastercard", last_four="2222"),
                source("src-free"),
                source("src-single", type_="wireTransfer"),
            ]
        )
        session.flush()
        session.execute(
            update(CustomerRow).where(CustomerRow.id == TARGET).values(default_source_id="src-visa")
        )
        session.commit()
    service.add_tax_identifier(TARGET, "de", "DE123456789")
    service.add_tax_certificate(
        TARGET,
        NewTaxCertificate(
            company_name="Hopper Industries",
            tax_authority="VA",
            start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            end_date=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
            file_name="exemption.pdf",
            content=PDF,
        ),
    )
    for i in range(12):
        service.create(
            NewCustomer(
                id=f"cus-s{i:02d}",
                email=f"person{i}@example.com",
                shipping=Shipping(name=f"Person {i} Smith", phone=f"+49 30 1234 56{i:02d}"),
            )
        )
    service.create(NewCustomer(id="cus-gone", email="gone@example.com"))
    service.request_forget("cus-gone", reason="Ticket 42", actor=OFFICER)
    staff = app.extensions["customer_desk"].staff
    staff.create("signer", PASSWORD, ["agent"], display_name="Agent One")
    staff.create("victim", PASSWORD, ["viewer"], display_name="Vic Tim")


@pytest.fixture
def probe_as(app: Flask, world: None, make_staff: Callable[..., str]) -> Callable[..., Probe]:
    """A probe signed in as a new staff member with ``roles`` (none: signed out); the same one
    for every example of the test."""
    probes: dict[tuple[str, ...], Probe] = {}

    def make(*roles: str) -> Probe:
        if roles not in probes:
            client = app.test_client()
            if roles:
                sign_in(client, make_staff(*roles))
            probes[roles] = Probe(app, client)
            probes[roles].refresh_token("/" if roles else "/login")
        return probes[roles]

    return make


def reattach(probe: Probe, source_id: str) -> None:
    """Put a source back on cus-1 after a fuzzed detach took it off."""
    probe.execute(
        update(SourceRow)
        .where(SourceRow.id == source_id)
        .values(customer_id=TARGET, state="chargeable", reusable=True)
    )


def set_enabled(probe: Probe, enabled: bool) -> None:
    probe.execute(update(CustomerRow).where(CustomerRow.id == TARGET).values(enabled=enabled))


def release_sources(probe: Probe) -> None:
    """Take the unattached sources off cus-1 again after a fuzzed attach put one on."""
    probe.execute(
        update(SourceRow)
        .where(SourceRow.id.in_(["src-free", "src-single"]))
        .values(customer_id=None, state="chargeable", reusable=False)
    )
    probe.execute(
        update(CustomerRow)
        .where(CustomerRow.id == TARGET, CustomerRow.default_source_id.not_in(["src-visa"]))
        .values(default_source_id="src-visa")
    )


__all__ = [
    "OFFICER",
    "TARGET",
    "Probe",
    "reattach",
    "release_sources",
    "segment",
    "set_enabled",
]
