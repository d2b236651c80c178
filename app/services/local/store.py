"""The local store: DR's customer rules on a SQL database (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import rules
from ..audit import SYSTEM, Actor, AuditLog
from ..customers import (
    UNSET,
    AdditionalAddressInfo,
    Address,
    Customer,
    CustomerSummary,
    CustomerUpdate,
    NewCustomer,
    SearchCapabilities,
    SearchPage,
    SearchQuery,
    Shipping,
)
from ..errors import Conflict, CustomerNotFound, ErrorDetail
from ..links import Links
from ..readiness import check_database
from . import links as local_links
from .db import make_session_factory, read_connection, write_session
from .erasure import Erasure
from .inline import InlineOperations
from .models import CustomerRow
from .parts import CUSTOMER_WITH_PARTS, PARTS, parts_of
from .search import SUMMARY_COLUMNS, aware, search_page, summary_of


def utcnow() -> dt.datetime:
    """Naive UTC, as stored; microseconds kept so keyset order is stable."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _apply_shipping(row: CustomerRow, shipping: Shipping | None) -> None:
    shipping = shipping or Shipping()
    row.ship_name = _clean(shipping.name)
    row.ship_phone = _clean(shipping.phone)
    row.ship_email = _clean(shipping.email)
    row.ship_organization = _clean(shipping.organization)
    row.addr_line1 = _clean(shipping.address.line1)
    row.addr_line2 = _clean(shipping.address.line2)
    row.addr_city = _clean(shipping.address.city)
    row.addr_postal_code = _clean(shipping.address.postal_code)
    row.addr_state = _clean(shipping.address.state)
    row.addr_country = _clean(shipping.address.country)
    row.addr_neighborhood = _clean(shipping.additional_address_info.neighborhood)
    row.addr_division = _clean(shipping.additional_address_info.division)
    row.addr_phonetic_name = _clean(shipping.additional_address_info.phonetic_name)


def _shipping_of(row: CustomerRow) -> Shipping:
    return Shipping(
        name=row.ship_name,
        phone=row.ship_phone,
        email=row.ship_email,
        organization=row.ship_organization,
        address=Address(
            line1=row.addr_line1,
            line2=row.addr_line2,
            city=row.addr_city,
            postal_code=row.addr_postal_code,
            state=row.addr_state,
            country=row.addr_country,
        ),
        additional_address_info=AdditionalAddressInfo(
            neighborhood=row.addr_neighborhood,
            division=row.addr_division,
            phonetic_name=row.addr_phonetic_name,
        ),
    )


class LocalCustomerService(InlineOperations):
    """CustomerService on SQLAlchemy: one session (and transaction) per call."""

    backend_name = "local"
    live_mode = False
    capabilities = SearchCapabilities()

    def __init__(self, engine: Engine, audit: AuditLog | None = None) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)
        self.audit = audit or AuditLog(engine)
        self.erasure = Erasure(engine)

    # -- reading -----------------------------------------------------------------------------

    def get(self, customer_id: str) -> Customer:
        # Plain rows, not ORM objects: a read needs no identity map or change tracking.
        with read_connection(self.engine) as connection:
            rows = connection.execute(CUSTOMER_WITH_PARTS, {"customer_id": customer_id}).all()
        if not rows:
            raise _not_found(customer_id)
        return _customer_of(rows[0], rows)

    def ping(self) -> None:
        check_database(self.engine)

    def sharing_email(self, customer: Customer, limit: int = 20) -> tuple[CustomerSummary, ...]:
        if not customer.email:
            return ()
        params = {"email_lower": customer.email.lower(), "customer_id": customer.id, "n": limit}
        with read_connection(self.engine) as connection:
            return tuple(summary_of(r) for r in connection.execute(_SHARING_EMAIL, params))

    def linked(self, customer: Customer, *, metadata_keys: Sequence[str] = ()) -> Links:
        with read_connection(self.engine) as connection:
            return local_links.linked(connection, customer, metadata_keys)

    def search(self, query: SearchQuery) -> SearchPage:
        # In a transaction: the PostgreSQL planner settles settings for it.
        with read_connection(self.engine, transaction=True) as connection:
            return search_page(connection, query)

    def summaries(self, ids: Sequence[str]) -> dict[str, CustomerSummary]:
        if not ids:
            return {}
        with read_connection(self.engine) as connection:
            rows = connection.execute(_BY_IDS, {"ids": list(ids)})
            return {row.id: summary_of(row) for row in rows}

    # -- writing -----------------------------------------------------------------------------

    def create(self, new: NewCustomer, *, actor: Actor = SYSTEM) -> Customer:
        problems: list[ErrorDetail] = []
        customer_id = new.id
        if customer_id is not None:
            problem = rules.customer_id_problem(customer_id)
            if problem:
                problems.append(problem)
        problems += rules.check_fields(
            email=_clean(new.email), shipping=new.shipping, type_=new.type, locale=new.locale
        )
        metadata = rules.merge_metadata({}, new.metadata)
        problems += rules.metadata_problems(metadata, new.metadata)
        rules.raise_if(problems)

        now = utcnow()
        with write_session(self._sessions) as session:
            if customer_id is None:
                customer_id = self._free_generated_id(session)
            elif session.scalar(select(CustomerRow.pk).where(CustomerRow.id == customer_id)):
                raise _already_exists(customer_id)
            email = _clean(new.email)
            row = CustomerRow(
                id=customer_id,
                email=email,
                email_lower=email.lower() if email else None,
                type=new.type,
                locale=new.locale,
                enabled=new.enabled,
                request_to_be_forgotten=False,
                live_mode=False,
                meta=metadata or None,
                created_time=now,
                updated_time=None,
                version=1,
            )
            _apply_shipping(row, new.shipping)
            session.add(row)
            try:
                session.flush()
            except IntegrityError as exc:
                session.rollback()
                raise _already_exists(customer_id) from exc
            return self._commit_change(session, row, None, action="customer.create", actor=actor)

    def update(
        self,
        customer_id: str,
        changes: CustomerUpdate,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
        action: str = "customer.update",
        note: str | None = None,
    ) -> Customer:
        with self.guarded(customer_id, expected_version, action, actor, note=note) as change:
            row = change.row
            email = _clean(changes.email) if changes.email is not UNSET else UNSET
            metadata = dict(row.meta or {})
            if changes.metadata is not UNSET:
                metadata = rules.merge_metadata(metadata, changes.metadata)
            rules.raise_if(_update_problems(change.before, changes, email, metadata))
            if email is not UNSET:
                row.email = email
                row.email_lower = email.lower() if email else None
            if changes.shipping is not UNSET:
                _apply_shipping(row, changes.shipping)
            if changes.type is not UNSET:
                row.type = changes.type
            if changes.locale is not UNSET:
                row.locale = changes.locale
            if changes.metadata is not UNSET:
                row.meta = metadata or None
        return change.result

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _free_generated_id(session: Session) -> str:
        while True:
            candidate = rules.generate_customer_id()
            if not session.scalar(select(CustomerRow.pk).where(CustomerRow.id == candidate)):
                return candidate

    @staticmethod
    def _to_customer(db: Session | Connection, row: Any) -> Customer:
        """The customer of ``row`` (an ORM object or a plain row with the same attribute
        names), with its sources, tax identifiers and certificates read as plain rows."""
        if isinstance(db, Session):
            # Core statements do not flush the session by themselves: what this change
            # wrote must be read back.
            db.flush()
        return _customer_of(row, db.execute(PARTS, {"customer_id": row.id}))


def _customer_of(row: Any, part_rows: Iterable[Any]) -> Customer:
    """The customer of ``row`` with the parts of ``part_rows`` (``parts.parts_of``)."""
    sources, tax_identifiers, tax_certificates = parts_of(part_rows)
    return Customer(
        id=row.id,
        created_time=aware(row.created_time),  # type: ignore[arg-type]
        updated_time=aware(row.updated_time),
        email=row.email,
        shipping=_shipping_of(row),
        type=row.type,
        locale=row.locale,
        enabled=row.enabled,
        request_to_be_forgotten=row.request_to_be_forgotten,
        default_source_id=row.default_source_id,
        sources=sources,
        tax_identifiers=tax_identifiers,
        tax_certificates=tax_certificates,
        metadata=dict(row.meta or {}),
        live_mode=row.live_mode,
        version=row.version,
    )


# The reads, built once (each is compiled once per engine, then found in SQLAlchemy's cache).
_CUSTOMER_ID = bindparam("customer_id")
_BY_IDS = select(*SUMMARY_COLUMNS).where(
    CustomerRow.__table__.c.id.in_(bindparam("ids", expanding=True))
)
_SHARING_EMAIL = (
    select(*SUMMARY_COLUMNS)
    .where(
        CustomerRow.__table__.c.email_lower == bindparam("email_lower"),
        CustomerRow.__table__.c.id != _CUSTOMER_ID,
    )
    .order_by(CustomerRow.__table__.c.created_time.desc(), CustomerRow.__table__.c.id.desc())
    .limit(bindparam("n"))
)


def _update_problems(
    before: Customer | None, changes: CustomerUpdate, email: Any, metadata: dict[str, str]
) -> list[ErrorDetail]:
    """DR's rules for the values an update changes (``email`` cleaned, ``metadata`` merged):
    a value already stored is not refused again."""
    problems: list[ErrorDetail] = []
    if email is not UNSET and (before is None or email != before.email):
        problems += rules.check_fields(email=email)
    if changes.shipping is not UNSET and changes.shipping is not None:
        held = before.shipping if before is not None else None
        problems += rules.check_fields(shipping=changes.shipping, before=held)
    if changes.type is not UNSET and changes.type is not None:
        problems += rules.check_fields(type_=changes.type)
    if changes.locale is not UNSET and changes.locale is not None:
        problems += rules.check_fields(locale=changes.locale)
    if changes.metadata is not UNSET:
        problems += rules.metadata_problems(metadata, changes.metadata)
    return problems


def _not_found(customer_id: str) -> CustomerNotFound:
    return CustomerNotFound(f"Customer '{customer_id}' not found.", parameter="id")


def _already_exists(customer_id: str) -> Conflict:
    return Conflict(f"Customer '{customer_id}' already exists.", parameter="id")
