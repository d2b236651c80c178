"""A customer and its parts (payment sources, tax identifiers, tax certificates) in one
statement: the three lists as one ``UNION ALL`` of rows with a ``kind`` and the columns of all
three (each list filling its own), joined to the customer's row, so a read of a customer is
one round trip rather than four. Each branch looks its rows up by ``customer_id`` in its own
index; the order is each list's own (sources and identifiers by creation, certificates as
added)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Integer,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    true,
    union_all,
)

from ..customers import Source, TaxCertificate, TaxIdentifier
from .models import CustomerRow, SourceRow, TaxCertificateRow, TaxIdentifierRow, plain_columns
from .search import aware

SOURCE, TAX_IDENTIFIER, TAX_CERTIFICATE = 1, 2, 3

# Every column a part may fill, with its type (the union's columns take the first branch's).
_SLOTS: dict[str, Any] = {
    "id": String,
    "type": String,
    "state": String,
    "reusable": Boolean,
    "brand": String,
    "last_four": String,
    "expiration_month": Integer,
    "expiration_year": Integer,
    "currency": String,
    "owner_name": String,
    "owner_email": String,
    "created_time": DateTime,
    "updated_time": DateTime,
    "value": String,
    "company_name": String,
    "tax_authority": String,
    "start_date": DateTime,
    "end_date": DateTime,
    "file_id": String,
    "pk": BigInteger,
}
_CUSTOMER_ID = bindparam("customer_id")


def _branch(kind: int, model: type, fills: Iterable[str]) -> Any:
    table = model.__table__  # type: ignore[attr-defined]
    filled = set(fills)
    columns = [literal_column(str(kind), Integer).label("part_kind")]
    for name, type_ in _SLOTS.items():
        value = table.c[name] if name in filled else cast(null(), type_)
        columns.append(value.label(f"part_{name}"))
    return select(*columns).where(table.c.customer_id == _CUSTOMER_ID)


_PARTS = union_all(
    _branch(
        SOURCE,
        SourceRow,
        (
            "id",
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
        ),
    ),
    _branch(
        TAX_IDENTIFIER,
        TaxIdentifierRow,
        ("id", "type", "value", "state", "created_time", "updated_time"),
    ),
    _branch(
        TAX_CERTIFICATE,
        TaxCertificateRow,
        ("company_name", "tax_authority", "start_date", "end_date", "file_id", "pk"),
    ),
).subquery("parts")

_ORDER = (_PARTS.c.part_kind, _PARTS.c.part_created_time, _PARTS.c.part_id, _PARTS.c.part_pk)

# The parts of the customer ``:customer_id`` (for a customer row already read).
PARTS = select(_PARTS).order_by(*_ORDER)

# The customer's columns a Customer shows (not the key, nor what only the indexes use).
_CUSTOMER_COLUMNS = tuple(
    c for c in plain_columns(CustomerRow) if c.key not in {"pk", "email_lower", "search_text"}
)

# The customer ``:customer_id`` with its parts: one row per part, or one row without a part
# (``part_kind`` NULL) when it has none; no row when there is no such customer.
CUSTOMER_WITH_PARTS = (
    select(*_CUSTOMER_COLUMNS, _PARTS)
    .select_from(CustomerRow.__table__.outerjoin(_PARTS, true()))
    .where(CustomerRow.__table__.c.id == _CUSTOMER_ID)
    .order_by(*_ORDER)
)


def parts_of(
    rows: Iterable[Any],
) -> tuple[tuple[Source, ...], tuple[TaxIdentifier, ...], tuple[TaxCertificate, ...]]:
    """The sources, tax identifiers and certificates of part rows, each in its order."""
    sources: list[Source] = []
    tax_ids: list[TaxIdentifier] = []
    certificates: list[TaxCertificate] = []
    for r in rows:
        kind = r.part_kind
        if kind == SOURCE:
            sources.append(
                Source(
                    id=r.part_id,
                    type=r.part_type,
                    state=r.part_state,
                    reusable=r.part_reusable,
                    created_time=aware(r.part_created_time),  # type: ignore[arg-type]
                    brand=r.part_brand,
                    last_four=r.part_last_four,
                    expiration_month=r.part_expiration_month,
                    expiration_year=r.part_expiration_year,
                    currency=r.part_currency,
                    owner_name=r.part_owner_name,
                    owner_email=r.part_owner_email,
                )
            )
        elif kind == TAX_IDENTIFIER:
            tax_ids.append(
                TaxIdentifier(
                    id=r.part_id,
                    type=r.part_type,
                    value=r.part_value,
                    state=r.part_state,
                    created_time=aware(r.part_created_time),  # type: ignore[arg-type]
                    updated_time=aware(r.part_updated_time),
                )
            )
        elif kind == TAX_CERTIFICATE:
            certificates.append(
                TaxCertificate(
                    company_name=r.part_company_name,
                    tax_authority=r.part_tax_authority,
                    start_date=aware(r.part_start_date),  # type: ignore[arg-type]
                    end_date=aware(r.part_end_date),  # type: ignore[arg-type]
                    file_id=r.part_file_id,
                )
            )
    return tuple(sources), tuple(tax_ids), tuple(certificates)


__all__ = ["CUSTOMER_WITH_PARTS", "PARTS", "parts_of"]
