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
from .db import make_session_factory, write_session
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
        import json

        from sqlalchemy import func, literal_column

        limit = max(1, min(query.limit, 100))
        want = limit + 1
        term = query.text.strip()
        backwards = query.before is not None and query.after is None
        table = CustomerRow.__table__.c

        def summary_columns(c: Any) -> list[Any]:
            return [c[column.key] for column in _SUMMARY_COLUMNS]

        def newest_first(c: Any) -> tuple[Any, Any]:
            if backwards:
                return c.created_time.asc(), c.id.asc()
            return c.created_time.desc(), c.id.desc()

        def before_edge(c: Any, edge: Any) -> ColumnElement[bool]:
            """Rows past ``edge`` in page order."""
            key, at = tuple_(c.created_time, c.id), tuple_(edge.created_time, edge.id)
            return key > at if backwards else key < at

        def after_cursor(c: Any) -> list[ColumnElement[bool]]:
            key = tuple_(c.created_time, c.id)
            if query.after is not None:
                return [key < tuple_(naive_utc(query.after.created_time), query.after.id)]
            if query.before is not None:
                return [key > tuple_(naive_utc(query.before.created_time), query.before.id)]
            return []

        def wanted(c: Any) -> list[ColumnElement[bool]]:
            """The filters and the cursor, on columns ``c``."""
            return self._filter_conditions(query, c) + after_cursor(c)

        with self._sessions() as session:
            dialect = session.get_bind().dialect.name
            exact = None
            notice = None
            if not term:
                stmt: Select[Any] = (
                    select(*_SUMMARY_COLUMNS).where(*wanted(table)).order_by(*newest_first(table))
                )
                rows = list(session.execute(stmt.limit(want)).all())
            else:
                total = 0.0
                if dialect == "postgresql":
                    # One round trip: the exact id, the table's size estimate, and settings
                    # for the rest of this transaction. force_custom_plan: psycopg prepares
                    # statements it sees repeatedly, and a generic plan cannot see the term.
                    # No sequential scans: gathering matches must use the indexes (bitmap
                    # scans), however many matches the planner guesses from its statistics.
                    one = select(literal_column("1").label("one")).subquery()
                    exact_row = session.execute(
                        select(
                            func.set_config("plan_cache_mode", "force_custom_plan", True),
                            func.set_config("enable_seqscan", "off", True),
                            literal_column(
                                "(SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass)"
                            ).label("total"),
                            *summary_columns(table),
                            table.pk,
                        ).select_from(one.outerjoin(CustomerRow.__table__, table.id == term))
                    ).one()
                    total = exact_row.total
                    if exact_row.id is None:
                        exact_row = None
                else:
                    exact_row = session.execute(
                        select(*_SUMMARY_COLUMNS, CustomerRow.pk).where(CustomerRow.id == term)
                    ).first()
                exact = _summary(exact_row) if exact_row else None
                match = self._text_condition(term, dialect)
                notice = match.notice

                def gather(*more: ColumnElement[bool]) -> list[Any]:
                    """The first page of the matches, gathered through the indexes, sorted."""
                    if dialect == "sqlite":
                        stmt = select(*_SUMMARY_COLUMNS).where(
                            *wanted(table), *more, match.index_match
                        )
                        return list(
                            session.execute(stmt.order_by(*newest_first(table)).limit(want))
                        )
                    # Materialised, so the planner cannot walk the table in order instead.
                    found = (
                        select(*_SUMMARY_COLUMNS)
                        .where(*wanted(table), *more, match.row_match(table))
                        .cte("found")
                        .prefix_with("MATERIALIZED")
                    )
                    stmt = select(*summary_columns(found.c)).order_by(*newest_first(found.c))
                    return list(session.execute(stmt.limit(want)))

                def walk(window: int) -> tuple[list[Any], Any]:
                    """The first page of the matches among the first `window` customers in
                    page order, tested one by one; on SQLite also the window's last customer
                    (None when there are no more than `window`)."""
                    if dialect == "postgresql":
                        # The LIMIT keeps PostgreSQL walking in order, rather than gathering
                        # every match through the trigram index first.
                        walked = (
                            select(*_SUMMARY_COLUMNS, table.email_lower, table.search_text)
                            .where(*wanted(table))
                            .order_by(*newest_first(table))
                            .limit(window)
                            .subquery()
                        )
                        stmt = select(*summary_columns(walked.c)).where(match.row_match(walked.c))
                        return list(
                            session.execute(stmt.order_by(*newest_first(walked.c)).limit(want))
                        ), None
                    # SQLite: the window's edge first (in the cursor-only index), as a bound.
                    edge = session.execute(
                        select(table.created_time, table.id)
                        .where(*after_cursor(table))
                        .order_by(*newest_first(table))
                        .offset(window - 1)
                        .limit(1)
                    ).first()
                    inside = [] if edge is None else [~before_edge(table, edge)]
                    stmt = select(*_SUMMARY_COLUMNS).where(
                        *wanted(table), *inside, match.row_match(table)
                    )
                    page = list(session.execute(stmt.order_by(*newest_first(table)).limit(want)))
                    return page, edge

                # The fast way to the newest matches depends on how many there are. A narrow
                # term matches few customers: gathering them through the indexes and sorting
                # them is quick. A broad one (a few letters of a common name) matches
                # thousands: walking the newest customers and testing each fills a page within
                # a few hundred rows. Every path applies the same conditions, so the page is
                # the same whichever finds it.
                rows = None
                if dialect == "postgresql":
                    if not match.email_only:
                        # Walk a first window; what it finds tells how common matches are.
                        window = 2000
                        rows, _ = walk(window)
                        hits = len(rows)
                        if hits < want:
                            rows = None
                            # Walking on costs a row per customer passed, gathering a
                            # (dearer) heap fetch per match: compare the expected costs.
                            if hits:
                                to_walk = (want - hits) * window / hits
                                to_gather = hits / window * max(total, window)
                                if to_walk < min(8 * to_gather, 10 * window):
                                    # Room for bad luck, within bounds: matches cluster.
                                    further, _ = walk(window + int(min(4 * to_walk, 20000)))
                                    if len(further) >= want:
                                        rows = further
                    if rows is None:
                        rows = gather()
                else:
                    if not match.email_only:
                        # SQLite counts matches in its indexes cheaply: when there are few,
                        # fetch them by primary key, then filter and sort them.
                        cap = 2000
                        pks: set[int] = set()
                        few = True
                        probes: list[Any] = [
                            text(
                                "SELECT rowid FROM customers_fts "
                                "WHERE customers_fts MATCH :phrase LIMIT :cap"
                            ).bindparams(phrase='"' + n.replace('"', '""') + '"', cap=cap + 1)
                            for n in match.needles
                        ]
                        probes.append(
                            select(CustomerRow.pk)
                            .where(self._email_prefix(match.lowered, dialect))
                            .limit(cap + 1)
                        )
                        if exact_row is not None:
                            pks.add(exact_row.pk)
                        for probe in probes:
                            found = session.execute(probe).scalars().all()
                            if len(found) > cap:
                                few = False
                                break
                            pks.update(found)
                        if few:
                            listed = text("SELECT value FROM json_each(:pks)").bindparams(
                                pks=json.dumps(sorted(pks))
                            )
                            # The LIMIT keeps SQLite from merging this into the outer query
                            # and then walking an index in order, testing each row.
                            candidates = (
                                select(*_SUMMARY_COLUMNS)
                                .where(CustomerRow.pk.in_(listed.columns(CustomerRow.pk)))  # type: ignore[arg-type]
                                .limit(len(pks) + 1)
                                .subquery()
                            )
                            c = candidates.c
                            stmt = select(*summary_columns(c)).where(*wanted(c))
                            rows = list(
                                session.execute(stmt.order_by(*newest_first(c)).limit(want))
                            )
                        else:
                            # Many: walk the newest customers; if that window holds fewer
                            # than a page, gather the rest from those older than it.
                            rows, edge = walk(15000)
                            if edge is not None and len(rows) < want:
                                older = gather(before_edge(table, edge))
                                rows = rows + older[: want - len(rows)]
                    if rows is None:
                        rows = gather()
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

    def _text_condition(self, term: str, dialect: str) -> Any:
        """How ``term`` matches a customer, as a namespace:

        ``row_match(columns)`` tests a row's own columns (for walking customers in order);
        ``index_match`` is the same test as a union of index lookups (for gathering them);
        ``needles`` are the substrings looked for, ``lowered`` the email prefix;
        ``email_only`` is set for a term with an '@' (only an email prefix can match);
        ``notice`` explains a term too short for substrings."""
        from types import SimpleNamespace

        from sqlalchemy import func, or_

        lowered = term.lower()
        if "@" in term:
            return SimpleNamespace(
                row_match=lambda c: self._email_prefix(lowered, dialect, c),
                index_match=self._email_prefix(lowered, dialect),
                needles=[],
                lowered=lowered,
                email_only=True,
                notice=None,
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
            # The same tests as the indexes make: SQLite's trigram phrase query is a
            # substring test of the lower-cased search_text, as instr() is.
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
        return SimpleNamespace(
            row_match=row_match,
            index_match=CustomerRow.pk.in_(union),
            needles=needles,
            lowered=lowered,
            email_only=False,
            notice=notice,
        )

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
    def _filter_conditions(query: SearchQuery, c: Any = None) -> list[ColumnElement[bool]]:
        """The search filters, on the customers table or on columns ``c`` of a subquery."""
        if c is None:
            c = CustomerRow.__table__.c
        conditions: list[ColumnElement[bool]] = []
        if query.enabled is not None:
            conditions.append(c.enabled == (true() if query.enabled else false()))
        if query.forget_requested is not None:
            conditions.append(
                c.request_to_be_forgotten == (true() if query.forget_requested else false())
            )
        if query.type:
            conditions.append(c.type == query.type)
        if query.locale:
            conditions.append(c.locale == query.locale)
        if query.created_from:
            conditions.append(c.created_time >= naive_utc(query.created_from))
        if query.created_to:
            conditions.append(c.created_time < naive_utc(query.created_to))
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
    ) -> Customer:
        with write_session(self._sessions) as session:
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
