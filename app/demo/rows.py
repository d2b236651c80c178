"""The rows a load writes, table by table, as plain tuples in column order (the loaders hand
them to the driver as they are)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

CUSTOMER_COLUMNS = (
    "id",
    "email",
    "email_lower",
    "type",
    "locale",
    "enabled",
    "request_to_be_forgotten",
    "default_source_id",
    "live_mode",
    "ship_name",
    "ship_phone",
    "ship_email",
    "ship_organization",
    "addr_line1",
    "addr_line2",
    "addr_city",
    "addr_postal_code",
    "addr_state",
    "addr_country",
    "addr_neighborhood",
    "addr_division",
    "addr_phonetic_name",
    "metadata",
    "search_text",
    "created_time",
    "updated_time",
    "version",
)
SOURCE_COLUMNS = (
    "id",
    "customer_id",
    "type",
    "state",
    "reusable",
    "brand",
    "last_four",
    "expiration_month",
    "expiration_year",
    "currency",
    "owner_name",
    "owner_email",
    "created_time",
)
TAX_ID_COLUMNS = ("id", "customer_id", "type", "value", "state", "created_time", "updated_time")
FILE_COLUMNS = ("id", "file_name", "purpose", "type", "size", "content", "created_time")
CERTIFICATE_COLUMNS = (
    "customer_id",
    "company_name",
    "tax_authority",
    "start_date",
    "end_date",
    "file_id",
    "created_time",
)
AUDIT_COLUMNS = (
    "occurred_time",
    "actor_id",
    "actor_username",
    "action",
    "customer_id",
    "outcome",
    "backend",
    "reason_code",
    "note",
    "changes",
    "version_after",
    "request_id",
    "error",
)
# As loaded: with the id and the hash chain's columns (services/audit_chain.BulkChain).
CHAINED_AUDIT_COLUMNS = ("id", *AUDIT_COLUMNS, "seq", "hash", "salt", "commitment")
LINK_COLUMNS = ("customer_id", "reason", "key", "created_time")
FORGET_COLUMNS = (
    "customer_id",
    "requested_by",
    "requested_by_id",
    "requested_time",
    "reason",
    "backend",
    "status",
    "completed_time",
    "request_id",
    "error",
)

# Where each column of a customer row sits.
C = {name: index for index, name in enumerate(CUSTOMER_COLUMNS)}
SHIPPING_COLUMNS = CUSTOMER_COLUMNS[C["ship_name"] : C["addr_phonetic_name"] + 1]

# Booleans and small integers are generated as the strings "0"/"1": PostgreSQL's COPY reads
# them as booleans/integers and SQLite's column affinity stores them as integers.
TRUE, FALSE = "1", "0"


@dataclass
class Batch:
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    sources: list[tuple[Any, ...]] = field(default_factory=list)
    tax_ids: list[tuple[Any, ...]] = field(default_factory=list)
    files: list[tuple[Any, ...]] = field(default_factory=list)
    certificates: list[tuple[Any, ...]] = field(default_factory=list)
    audit_events: list[tuple[Any, ...]] = field(default_factory=list)
    forget_requests: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[Any, ...]] = field(default_factory=list)

    def tables(self) -> tuple[list[tuple[Any, ...]], ...]:
        """The rows in the order of ``TABLES``."""
        return (
            self.customers,
            self.sources,
            self.tax_ids,
            self.files,
            self.certificates,
            self.audit_events,
            self.forget_requests,
            self.links,
        )


TABLES = (
    ("customers", CUSTOMER_COLUMNS),
    ("sources", SOURCE_COLUMNS),
    ("tax_identifiers", TAX_ID_COLUMNS),
    ("files", FILE_COLUMNS),
    ("tax_certificates", CERTIFICATE_COLUMNS),
    ("audit_events", CHAINED_AUDIT_COLUMNS),
    ("forget_requests", FORGET_COLUMNS),
    ("customer_links", LINK_COLUMNS),
)


def column_list(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def timestamp(value: dt.datetime) -> str:
    """The text SQLAlchemy stores on SQLite (always with microseconds); PostgreSQL reads it."""
    return value.isoformat(" ", "microseconds")


def parse_timestamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)
