"""The local store: DR's customer rules on a SQL database (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    bindparam,
    false,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import rules
from ..audit import SYSTEM, Actor, AuditLog
from ..customers import (
    UNSET,
    AdditionalAddressInfo,
    Address,
    Cursor,
    Customer,
    CustomerSummary,
    CustomerUpdate,
    NewCustomer,
    SearchCapabilities,
    SearchPage,
    SearchQuery,
    Shipping,
    Source,
    TaxCertificate,
    TaxIdentifier,
)
from ..errors import Conflict, CustomerNotFound, ErrorDetail
from .db import make_session_factory
from .inline import InlineOperations
from .models import CustomerRow, SourceRow, TaxCertificateRow, TaxIdentifierRow

SUBSTRING_MIN_LENGTH = 3
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")


def utcnow() -> dt.datetime:
    """Naive UTC, as stored; microseconds kept so keyset order is stable."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def naive_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def search_text_for(
    name: str | None, phone: str | None, organization: str | None, postal_code: str | None
) -> str:
    """What the substring index covers, lower-cased; phones also as bare digits."""
    parts = [name, phone, digits(phone), organization, postal_code]
    return " | ".join(p.strip().lower() for p in parts if p and p.strip())


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
    row.search_text = search_text_for(
        row.ship_name, row.ship_phone, row.ship_organization, row.addr_postal_code
    )


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


_SUMMARY_COLUMNS = (
    CustomerRow.id,
    CustomerRow.created_time,
    CustomerRow.email,
    CustomerRow.ship_name,
    CustomerRow.ship_organization,
    CustomerRow.ship_phone,
    CustomerRow.addr_postal_code,
    CustomerRow.addr_country,
    CustomerRow.type,
    CustomerRow.locale,
    CustomerRow.enabled,
    CustomerRow.request_to_be_forgotten,
)


def _summary(row: Any) -> CustomerSummary:
    return CustomerSummary(
        id=row.id,
        created_time=aware(row.created_time),
        email=row.email,
        name=row.ship_name,
        organization=row.ship_organization,
        phone=row.ship_phone,
        postal_code=row.addr_postal_code,
        country=row.addr_country,
        type=row.type,
        locale=row.locale,
        enabled=row.enabled,
        request_to_be_forgotten=row.request_to_be_forgotten,
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

    # -- reading -----------------------------------------------------------------------------

    def get(self, customer_id: str) -> Customer:
        with self._sessions() as session:
            row = session.scalar(select(CustomerRow).where(CustomerRow.id == customer_id))
            if row is None:
                raise _not_found(customer_id)
            return self._to_customer(session, row)

    def sharing_email(self, customer: Customer, limit: int = 20) -> tuple[CustomerSummary, ...]:
        if not customer.email:
            return ()
        stmt = (
            select(*_SUMMARY_COLUMNS)
            .where(CustomerRow.email_lower == customer.email.lower(), CustomerRow.id != customer.id)
            .order_by(CustomerRow.created_time.desc(), CustomerRow.id.desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return tuple(_summary(r) for r in session.execute(stmt))

    def search(self, query: SearchQuery) -> SearchPage:
        limit = max(1, min(query.limit, 100))
        term = query.text.strip()
        backwards = query.before is not None and query.after is None
        key = tuple_(CustomerRow.created_time, CustomerRow.id)
        if backwards:
            order = (CustomerRow.created_time.asc(), CustomerRow.id.asc())
        else:
            order = (CustomerRow.created_time.desc(), CustomerRow.id.desc())
        with self._sessions() as session:
            dialect = session.get_bind().dialect.name
            keyset: list[ColumnElement[bool]] = []
            if query.after is not None:
                keyset.append(key < tuple_(naive_utc(query.after.created_time), query.after.id))
            elif query.before is not None:
                keyset.append(key > tuple_(naive_utc(query.before.created_time), query.before.id))
            conditions = self._filter_conditions(query) + keyset
            exact = None
            notice = None
            if not term:
                stmt: Select[Any] = select(*_SUMMARY_COLUMNS).where(*conditions).order_by(*order)
                rows = session.execute(stmt.limit(limit + 1)).all()
            else:
                exact_row = session.execute(
                    select(*_SUMMARY_COLUMNS).where(CustomerRow.id == term)
                ).first()
                exact = _summary(exact_row) if exact_row else None
                if dialect == "postgresql":
                    # psycopg prepares statements it sees repeatedly; a generic plan cannot
                    # see the search term, and guesses badly for substring conditions.
                    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
                row_match, index_match, notice, sparse = self._text_condition(term, dialect)
                # Broad terms (a few letters of a common name) match many customers, so the
                # newest matches are found fastest by walking the newest customers and testing
                # each; narrow ones by their index entries. Walk a window of the newest
                # `window` customers (after the cursor) first; only if it holds too few
                # matches, look up the older ones through the indexes. Both steps test the
                # same conditions, so the page is the same either way.
                window = 8000 if dialect == "sqlite" else 15000
                edge = None
                if not sparse:
                    edge = session.execute(
                        select(CustomerRow.created_time, CustomerRow.id)
                        .where(*keyset)
                        .order_by(*order)
                        .offset(window - 1)
                        .limit(1)
                    ).first()
                    edge_key = tuple_(edge.created_time, edge.id) if edge else None
                    inside = []
                    if edge_key is not None:
                        inside.append(key <= edge_key if backwards else key >= edge_key)
                    if dialect == "postgresql":
                        # A LIMIT keeps PostgreSQL walking the window in order (rather than
                        # gathering every match through the trigram index first).
                        walked = (
                            select(
                                *_SUMMARY_COLUMNS, CustomerRow.email_lower, CustomerRow.search_text
                            )
                            .where(*conditions, *inside)
                            .order_by(*order)
                            .limit(window)
                            .subquery()
                        )
                        c = walked.c
                        stmt = (
                            select(*(c[col.key] for col in _SUMMARY_COLUMNS))
                            .where(row_match(c))
                            .order_by(
                                *(
                                    (c.created_time.asc(), c.id.asc())
                                    if backwards
                                    else (c.created_time.desc(), c.id.desc())
                                )
                            )
                        )
                    else:
                        stmt = (
                            select(*_SUMMARY_COLUMNS)
                            .where(*conditions, *inside, row_match(CustomerRow.__table__.c))
                            .order_by(*order)
                        )
                    rows = session.execute(stmt.limit(limit + 1)).all()
                else:
                    rows = []
                if len(rows) <= limit and (sparse or edge is not None):
                    beyond = []
                    if edge is not None:
                        edge_key = tuple_(edge.created_time, edge.id)
                        beyond.append(key > edge_key if backwards else key < edge_key)
                    if dialect == "postgresql":
                        # Gather the matches (bitmap scans of the trigram and btree indexes),
                        # then sort them: materialised, so the planner cannot walk the whole
                        # table in order instead when it misjudges how many there are.
                        found = (
                            select(*_SUMMARY_COLUMNS)
                            .where(*conditions, *beyond, row_match(CustomerRow.__table__.c))
                            .cte("found")
                            .prefix_with("MATERIALIZED")
                        )
                        c = found.c
                        stmt = select(*(c[col.key] for col in _SUMMARY_COLUMNS)).order_by(
                            *(
                                (c.created_time.asc(), c.id.asc())
                                if backwards
                                else (c.created_time.desc(), c.id.desc())
                            )
                        )
                    else:
                        stmt = (
                            select(*_SUMMARY_COLUMNS)
                            .where(*conditions, *beyond, index_match)
                            .order_by(*order)
                        )
                    stmt = stmt.limit(limit + 1 - len(rows))
                    rows = list(rows) + list(session.execute(stmt).all())
        has_more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        items = tuple(_summary(r) for r in rows)
        first = Cursor(items[0].created_time, items[0].id) if items else None
        last = Cursor(items[-1].created_time, items[-1].id) if items else None
        if backwards:
            next_cursor = last if items else None
            prev_cursor = first if has_more else None
        else:
            next_cursor = last if has_more else None
            prev_cursor = first if (query.after is not None and items) else None
        return SearchPage(
            items=items,
            next_cursor=next_cursor,
            prev_cursor=prev_cursor,
            exact_id_match=exact,
            notice=notice,
        )

    def _text_condition(
        self, term: str, dialect: str
    ) -> tuple[Any, ColumnElement[bool], str | None, bool]:
        """How ``term`` matches: ``(row_match, index_match, notice, sparse)``.

        ``row_match(columns)`` tests one row's own columns (for walking customers in order);
        ``index_match`` is the same test as a union of index lookups (for gathering matches).
        ``sparse`` says the term can only match a few customers, so the index is the way."""
        from sqlalchemy import func, or_

        lowered = term.lower()
        if "@" in term:
            return (
                lambda c: self._email_prefix(lowered, dialect, c),
                self._email_prefix(lowered, dialect),
                None,
                True,
            )
        needles: list[str] = []
        needle = lowered
        if _PHONE_LIKE.match(term) and len(digits(term)) >= SUBSTRING_MIN_LENGTH:
            needle = digits(term)
        notice = None
        if len(needle) >= SUBSTRING_MIN_LENGTH:
            needles.append(needle)
            if needle != lowered:
                # Also as typed: postal codes such as 00-950 are not indexed as digits.
                needles.append(lowered)
        else:
            notice = (
                f"Type at least {SUBSTRING_MIN_LENGTH} characters to search names, phones, "
                "organizations and postal codes; shorter terms match ids and email prefixes."
            )

        def row_match(c: Any) -> ColumnElement[bool]:
            ways = [c.id == term, self._email_prefix(lowered, dialect, c)]
            for n in needles:
                if dialect == "postgresql":
                    ways.append(c.search_text.like("%" + _like_escape(n) + "%", escape="\\"))
                else:
                    ways.append(func.instr(c.search_text, n) > 0)
            return or_(*ways)

        ways: list[ColumnElement[bool]] = [
            CustomerRow.id == term,
            self._email_prefix(lowered, dialect),
        ]
        ways += [self._substring(n, dialect) for n in needles]
        # A union of index lookups, so each way uses its own index.
        union = union_all(*(select(CustomerRow.pk).where(way) for way in ways))
        return row_match, CustomerRow.pk.in_(union), notice, False

    @staticmethod
    def _email_prefix(prefix: str, dialect: str, columns: Any = None) -> ColumnElement[bool]:
        email_lower = (columns if columns is not None else CustomerRow.__table__.c).email_lower
        if dialect == "postgresql":
            return email_lower.like(_like_escape(prefix) + "%", escape="\\")
        # SQLite's LIKE ignores a binary index; a range on the same index does not.
        return and_(email_lower >= prefix, email_lower < prefix + "\U0010ffff")

    @staticmethod
    def _substring(needle: str, dialect: str) -> ColumnElement[bool]:
        if dialect == "postgresql":
            return CustomerRow.search_text.like("%" + _like_escape(needle) + "%", escape="\\")
        # unique: a statement may hold several of these (digits and as typed).
        phrase = bindparam("phrase", '"' + needle.replace('"', '""') + '"', unique=True)
        matches = text("SELECT rowid FROM customers_fts WHERE customers_fts MATCH :phrase")
        return CustomerRow.pk.in_(
            matches.bindparams(phrase).columns(CustomerRow.pk)  # type: ignore[arg-type]
        )

    @staticmethod
    def _filter_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.enabled is not None:
            conditions.append(CustomerRow.enabled == (true() if query.enabled else false()))
        if query.forget_requested is not None:
            conditions.append(
                CustomerRow.request_to_be_forgotten
                == (true() if query.forget_requested else false())
            )
        if query.type:
            conditions.append(CustomerRow.type == query.type)
        if query.locale:
            conditions.append(CustomerRow.locale == query.locale)
        if query.created_from:
            conditions.append(CustomerRow.created_time >= naive_utc(query.created_from))
        if query.created_to:
            conditions.append(CustomerRow.created_time < naive_utc(query.created_to))
        return conditions

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
        with self._sessions() as session:
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
    ) -> Customer:
        with self._sessions() as session:
            row = self._locked(session, customer_id)
            self._check_version(row, expected_version)
            before = self._to_customer(session, row)
            problems: list[ErrorDetail] = []
            email = changes.email
            if email is not UNSET:
                email = _clean(email)
                problems += rules.check_fields(email=email)
            if changes.shipping is not UNSET and changes.shipping is not None:
                problems += rules.check_fields(shipping=changes.shipping)
            if changes.type is not UNSET and changes.type is not None:
                problems += rules.check_fields(type_=changes.type)
            if changes.locale is not UNSET and changes.locale is not None:
                problems += rules.check_fields(locale=changes.locale)
            metadata = dict(row.meta or {})
            if changes.metadata is not UNSET:
                metadata = rules.merge_metadata(metadata, changes.metadata)
                problems += rules.metadata_problems(metadata, changes.metadata)
            rules.raise_if(problems)

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
            return self._commit_change(session, row, before, action=action, actor=actor)

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _free_generated_id(session: Session) -> str:
        while True:
            candidate = rules.generate_customer_id()
            if not session.scalar(select(CustomerRow.pk).where(CustomerRow.id == candidate)):
                return candidate

    @staticmethod
    def _to_customer(session: Session, row: CustomerRow) -> Customer:
        sources: Sequence[SourceRow] = session.scalars(
            select(SourceRow)
            .where(SourceRow.customer_id == row.id)
            .order_by(SourceRow.created_time, SourceRow.id)
        ).all()
        tax_ids: Sequence[TaxIdentifierRow] = session.scalars(
            select(TaxIdentifierRow)
            .where(TaxIdentifierRow.customer_id == row.id)
            .order_by(TaxIdentifierRow.created_time, TaxIdentifierRow.id)
        ).all()
        certificates: Sequence[TaxCertificateRow] = session.scalars(
            select(TaxCertificateRow)
            .where(TaxCertificateRow.customer_id == row.id)
            .order_by(TaxCertificateRow.pk)
        ).all()
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
            sources=tuple(
                Source(
                    id=s.id,
                    type=s.type,
                    state=s.state,
                    reusable=s.reusable,
                    created_time=aware(s.created_time),  # type: ignore[arg-type]
                    brand=s.brand,
                    last_four=s.last_four,
                    expiration_month=s.expiration_month,
                    expiration_year=s.expiration_year,
                    currency=s.currency,
                    owner_name=s.owner_name,
                    owner_email=s.owner_email,
                )
                for s in sources
            ),
            tax_identifiers=tuple(
                TaxIdentifier(
                    id=t.id,
                    type=t.type,
                    value=t.value,
                    state=t.state,
                    created_time=aware(t.created_time),  # type: ignore[arg-type]
                    updated_time=aware(t.updated_time),
                )
                for t in tax_ids
            ),
            tax_certificates=tuple(
                TaxCertificate(
                    company_name=c.company_name,
                    tax_authority=c.tax_authority,
                    start_date=aware(c.start_date),  # type: ignore[arg-type]
                    end_date=aware(c.end_date),  # type: ignore[arg-type]
                    file_id=c.file_id,
                )
                for c in certificates
            ),
            metadata=dict(row.meta or {}),
            live_mode=row.live_mode,
            version=row.version,
        )


def _not_found(customer_id: str) -> CustomerNotFound:
    return CustomerNotFound(f"Customer '{customer_id}' not found.", parameter="id")


def _already_exists(customer_id: str) -> Conflict:
    return Conflict(f"Customer '{customer_id}' already exists.", parameter="id")
