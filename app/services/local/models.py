"""Tables of the local store. The Alembic migrations in ``migrations/`` create them (plus the
engine-specific search index: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class CustomerRow(Base):
    __tablename__ = "customers"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    email_lower: Mapped[str | None] = mapped_column(String(320))
    type: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    request_to_be_forgotten: Mapped[bool] = mapped_column(Boolean, default=False)
    default_source_id: Mapped[str | None] = mapped_column(String(64))
    live_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    ship_name: Mapped[str | None] = mapped_column(String(255))
    ship_phone: Mapped[str | None] = mapped_column(String(64))
    ship_email: Mapped[str | None] = mapped_column(String(320))
    ship_organization: Mapped[str | None] = mapped_column(String(255))
    addr_line1: Mapped[str | None] = mapped_column(String(255))
    addr_line2: Mapped[str | None] = mapped_column(String(255))
    addr_city: Mapped[str | None] = mapped_column(String(255))
    addr_postal_code: Mapped[str | None] = mapped_column(String(32))
    addr_state: Mapped[str | None] = mapped_column(String(64))
    addr_country: Mapped[str | None] = mapped_column(String(2))
    addr_neighborhood: Mapped[str | None] = mapped_column(String(255))
    addr_division: Mapped[str | None] = mapped_column(String(255))
    addr_phonetic_name: Mapped[str | None] = mapped_column(String(255))
    meta: Mapped[dict | None] = mapped_column("metadata", JSON)
    # Lower-cased name, phone (as typed and digits only), organization and postal code:
    # what the substring index covers.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_customers_created", "created_time", "id"),
        # text_pattern_ops lets PostgreSQL serve LIKE 'prefix%' from the index whatever the
        # database collation; equality uses it too.
        Index(
            "ix_customers_email_created",
            "email_lower",
            "created_time",
            "id",
            postgresql_ops={"email_lower": "text_pattern_ops"},
        ),
        Index(
            "ix_customers_disabled_created",
            "created_time",
            "id",
            sqlite_where=enabled == false(),
            postgresql_where=enabled == false(),
        ),
        Index(
            "ix_customers_forget_created",
            "created_time",
            "id",
            sqlite_where=request_to_be_forgotten == true(),
            postgresql_where=request_to_be_forgotten == true(),
        ),
        Index("ix_customers_type_created", "type", "created_time", "id"),
        Index("ix_customers_locale_created", "locale", "created_time", "id"),
    )
    # Every UPDATE of a customer row also tests the version it was read at
    # (``… WHERE pk = ? AND version = ?``) and fails with StaleDataError when the row moved on,
    # so no change can overwrite one it did not see. The changes set the new version themselves.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class SourceRow(Base):
    """Payment sources. A source exists before it is attached; detached ones stay, cancelled."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    reusable: Mapped[bool] = mapped_column(Boolean, default=False)
    brand: Mapped[str | None] = mapped_column(String(32))
    last_four: Mapped[str | None] = mapped_column(String(4))
    expiration_month: Mapped[int | None] = mapped_column(Integer)
    expiration_year: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))
    owner_name: Mapped[str | None] = mapped_column(String(255))
    owner_email: Mapped[str | None] = mapped_column(String(320))
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)


class TaxIdentifierRow(Base):
    __tablename__ = "tax_identifiers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_time: Mapped[dt.datetime | None] = mapped_column(DateTime)


class FileRow(Base):
    """Uploaded files (tax certificates)."""

    __tablename__ = "files"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)


class TaxCertificateRow(Base):
    __tablename__ = "tax_certificates"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    company_name: Mapped[str] = mapped_column(String(255))
    tax_authority: Mapped[str] = mapped_column(String(2))
    start_date: Mapped[dt.datetime] = mapped_column(DateTime)
    end_date: Mapped[dt.datetime] = mapped_column(DateTime)
    file_id: Mapped[str] = mapped_column(String(64))
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)


class CustomerLinkRow(Base):
    """A link key of a customer (services/links.py): what it shares with others, as a
    digest. The (key, created time) index lists the customers behind a key newest first."""

    __tablename__ = "customer_links"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(32))
    # The customer's creation time, so a key's customers come newest first from the index.
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_customer_links_key_created", "key", "created_time", "customer_id"),
        Index("ix_customer_links_customer", "customer_id", "key"),
    )


class StaffRow(Base):
    """Staff accounts of the console itself (always in the SQL database)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(String(128), default="viewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Set with a one-time password (an administrator's reset or new account): until the
    # staff member chooses their own, every page sends them to choose one.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class StaffSessionRow(Base):
    """A signed-in session of a staff member. The browser holds a random token; the table
    holds only its SHA-256, so a copy of the database opens no session. Revoking a row ends
    the session and every cookie that carries its token (the remember-me cookie too)."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("staff.id", ondelete="CASCADE"),
        index=True,
    )
    remembered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_time: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_time: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_time: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RecentViewRow(Base):
    """A customer a staff member opened, for the "Recently viewed" list on their search page
    (the newest few per staff member; none for a customer asked to be forgotten)."""

    __tablename__ = "recent_views"
    __table_args__ = (Index("ix_recent_views_staff_viewed", "staff_id", "viewed_time"),)

    staff_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("staff.id", ondelete="CASCADE"),
        primary_key=True,
    )
    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    viewed_time: Mapped[dt.datetime] = mapped_column(DateTime)


class SignInThrottleRow(Base):
    """Failed sign-ins per account (``user:NAME``) and per client address (``addr:IP``),
    shared by every app server on the database."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_time: Mapped[dt.datetime] = mapped_column(DateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEventRow(Base):
    """Append-only record of every change (and failed attempt) to a customer."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    occurred_time: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    actor_username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    customer_id: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16), default="succeeded")
    backend: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    # [{"field": ..., "before": ..., "after": ...}, ...]
    changes: Mapped[list | None] = mapped_column(JSON)
    version_after: Mapped[int | None] = mapped_column(BigInteger)
    request_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    # The hash chain (services/audit_chain.py): the event's number in the chain, its hash,
    # and the commitment to the values erasure scrubs, with its salt (dropped by erasure).
    seq: Mapped[int | None] = mapped_column(BigInteger)
    hash: Mapped[str | None] = mapped_column(String(64))
    salt: Mapped[str | None] = mapped_column(String(32))
    commitment: Mapped[str | None] = mapped_column(String(64))
    # The bulk block the event belongs to (services/blocks.py), hashed into the chain.
    batch_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_audit_customer_time", "customer_id", "occurred_time", "id"),
        Index("ix_audit_batch", "batch_id", "id"),
        Index("ix_audit_time", "occurred_time", "id"),
        Index("ix_audit_actor_time", "actor_username", "occurred_time", "id"),
        Index("ix_audit_action_time", "action", "occurred_time", "id"),
        Index("ix_audit_seq", "seq", unique=True),
    )


class AuditChainRow(Base):
    """The head of the audit trail's hash chain (one row), and how far ``audit verify`` last
    verified it."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    verified_seq: Mapped[int | None] = mapped_column(BigInteger)
    verified_hash: Mapped[str | None] = mapped_column(String(64))
    verified_event_id: Mapped[int | None] = mapped_column(BigInteger)
    verified_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # What the last full walk found wrong (none when it verified the whole chain).
    problem: Mapped[str | None] = mapped_column(Text)
    problem_event_id: Mapped[int | None] = mapped_column(BigInteger)


class ForgetProposalRow(Base):
    """A request to be forgotten proposed by one privacy officer, awaiting a second's decision
    (four-eyes erasure, services/proposals.py): at most one open per customer."""

    __tablename__ = "forget_proposals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    proposed_time: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(500))
    # open, approved, rejected
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    decided_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index(
            "ux_forget_proposals_open",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_forget_proposals_status_time", "status", "proposed_time", "id"),
    )


class ReadAccessRow(Base):
    """A staff member whose role sees personal data masked revealed a customer's: who, which
    fields of whom, when and why (services/reads.py)."""

    __tablename__ = "read_access_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    occurred_time: Mapped[dt.datetime] = mapped_column(DateTime)
    staff_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    staff_username: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(40))
    fields: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_read_access_customer_time", "customer_id", "occurred_time", "id"),
        Index("ix_read_access_time", "occurred_time", "id"),
    )


class BlockBatchRow(Base):
    """A bulk block: who disabled which customers at once, with one reason (services/blocks)."""

    __tablename__ = "block_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    created_time: Mapped[dt.datetime] = mapped_column(DateTime)
    reason_code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    review_by: Mapped[dt.datetime | None] = mapped_column(DateTime)
    backend: Mapped[str] = mapped_column(String(16))
    finished_time: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_block_batches_time", "created_time", "id"),)


class BlockBatchItemRow(Base):
    """One customer of a bulk block and what became of it: pending (not yet answered),
    disabled, skipped_disabled, skipped_forgotten, not_found or failed (with the error)."""

    __tablename__ = "block_batch_items"

    pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("block_batches.id"))
    position: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_time: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ux_block_batch_items", "batch_id", "customer_id", unique=True),
        Index("ix_block_batch_items_order", "batch_id", "position"),
    )


class CustomerBlockRow(Base):
    """A customer's block as the fraud team keeps it: who disabled it, why, and when it is to
    be reviewed (none: no review date). One open block per customer; enabling lifts it."""

    __tablename__ = "customer_blocks"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    # open, lifted
    status: Mapped[str] = mapped_column(String(16))
    blocked_by: Mapped[str] = mapped_column(String(64))
    blocked_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    blocked_time: Mapped[dt.datetime] = mapped_column(DateTime)
    reason_code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[str | None] = mapped_column(String(32))
    review_by: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(String(500))
    lifted_by: Mapped[str | None] = mapped_column(String(64))
    lifted_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lift_note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index(
            "ux_customer_blocks_open",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "ix_customer_blocks_review",
            "review_by",
            "id",
            sqlite_where=text("status = 'open' AND review_by IS NOT NULL"),
            postgresql_where=text("status = 'open' AND review_by IS NOT NULL"),
        ),
    )


class UnblockProposalRow(Base):
    """Four-eyes unblocking: a re-enable of a customer blocked for suspected fraud or account
    takeover, proposed by one fraud officer, awaiting a second's decision."""

    __tablename__ = "unblock_proposals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    proposed_time: Mapped[dt.datetime] = mapped_column(DateTime)
    reason_code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    # open, approved, rejected
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    decided_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index(
            "ux_unblock_proposals_open",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_unblock_proposals_status_time", "status", "proposed_time", "id"),
    )


class ForgetRequestRow(Base):
    """A customer's request to be forgotten: one per customer (the unique id makes a double
    submit, or two officers at once, yield one request)."""

    __tablename__ = "forget_requests"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40), unique=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    requested_time: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(500))
    backend: Mapped[str] = mapped_column(String(16))
    # pending (being sent), requested (DR logged it), erased (local: done), failed (retry)
    status: Mapped[str] = mapped_column(String(16))
    completed_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    request_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    # What the erasure left below the rows, and for how long (services/local/erasure.py).
    residue: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_forget_requests_time", "requested_time", "id"),)


@cache
def plain_columns(model: type[Base]) -> tuple[Any, ...]:
    """Every column of ``model``'s table for a Core select, named as the model's attributes
    (``meta``, not ``metadata``): its rows read like the ORM objects, without an identity
    map, change tracking or the ORM's statement machinery."""
    columns = []
    for attr in model.__mapper__.column_attrs:
        column = model.__table__.c[attr.columns[0].key]
        columns.append(column if column.key == attr.key else column.label(attr.key))
    return tuple(columns)
