"""The local store's linked customers: each customer's link keys (services/links.py) kept in
``customer_links`` as it changes, and the panel's reads, every one an index range.

Every change of a customer passes through ``refresh`` in its own transaction (the change
machinery calls it with the customer as changed), so the keys are never behind the data; a
forgotten customer's keys are deleted with its data. ``rebuild`` recomputes every customer's
keys (the migration that added the table, and ``flask links rebuild`` after a change to the
normal forms)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from .. import links
from ..customers import Customer
from ..links import COUNT_CAP, GROUP_LIMIT, LinkGroup, LinkKey, Links
from .models import CustomerLinkRow, CustomerRow, SourceRow, TaxIdentifierRow
from .search import SUMMARY_COLUMNS, summary_of

LINKS = CustomerLinkRow.__table__
CUSTOMERS = CustomerRow.__table__


def refresh(db: Session | Connection, customer: Customer, created_time: dt.datetime) -> None:
    """Make the customer's stored keys those of ``customer`` (none when forgotten)."""
    wanted = {k.key: k for k in links.keys_of(customer)}
    held = set(db.execute(_HELD, {"customer_id": customer.id}).scalars())
    gone = held - wanted.keys()
    if gone:
        db.execute(
            delete(LINKS).where(LINKS.c.customer_id == customer.id, LINKS.c.key.in_(sorted(gone)))
        )
    new = [
        {"customer_id": customer.id, "reason": k.reason, "key": k.key, "created_time": created_time}
        for key, k in wanted.items()
        if key not in held
    ]
    if new:
        db.execute(insert(LINKS), new)


def forget(db: Session | Connection, customer_id: str) -> None:
    """Delete every key of a customer being forgotten."""
    db.execute(delete(LINKS).where(LINKS.c.customer_id == customer_id))


def linked(connection: Connection, customer: Customer, metadata_keys: Sequence[str]) -> Links:
    """The customer's linked customers, group by group (see ``services.links``)."""
    asked = links.asked_keys(customer, metadata_keys)
    # Most customers share nothing: one round trip says which keys have anyone behind them,
    # and only those are listed.
    shared = _shared(connection, customer.id, asked)
    groups: list[LinkGroup] = []
    checked: list[str] = []
    for key, has_others in zip(asked, shared, strict=True):
        group = _group(connection, customer.id, key) if has_others else None
        if group is not None:
            groups.append(group)
        elif key.reason not in checked:
            checked.append(key.reason)
    total = 0
    if groups:
        total = connection.execute(
            _distinct_count(len(asked)),
            {"customer_id": customer.id, **{f"k{i}": k.key for i, k in enumerate(asked)}},
        ).scalar_one()
    shown = {g.reason for g in groups}
    return Links(
        groups=links.ordered(groups),
        total=total,
        checked=tuple(r for r in links.REASONS if r in checked and r not in shown),
    )


def _shared(connection: Connection, customer_id: str, asked: Sequence[LinkKey]) -> list[bool]:
    """For each key, whether another customer holds it (one index seek each, one query)."""
    if not asked:
        return []
    params = {"customer_id": customer_id, **{f"k{i}": k.key for i, k in enumerate(asked)}}
    return [bool(v) for v in connection.execute(_any_others(len(asked)), params).one()]


def _group(connection: Connection, customer_id: str, key: LinkKey) -> LinkGroup | None:
    params = {"key": key.key, "customer_id": customer_id}
    members = tuple(summary_of(r) for r in connection.execute(_MEMBERS, params))
    if not members:
        return None
    if len(members) < GROUP_LIMIT:
        total, disabled = len(members), sum(not m.enabled for m in members)
    else:
        total, disabled = connection.execute(_COUNT, params).one()
    return LinkGroup(key.reason, key.shown, members, int(total), int(disabled or 0))


_KEY = bindparam("key")
_CUSTOMER_ID = bindparam("customer_id")
_JOINED = LINKS.join(CUSTOMERS, CUSTOMERS.c.id == LINKS.c.customer_id)
_OTHERS = (LINKS.c.key == _KEY, LINKS.c.customer_id != _CUSTOMER_ID)
_HELD = select(LINKS.c.key).where(LINKS.c.customer_id == _CUSTOMER_ID)
_MEMBERS = (
    select(*SUMMARY_COLUMNS)
    .select_from(_JOINED)
    .where(*_OTHERS)
    .order_by(LINKS.c.created_time.desc(), LINKS.c.customer_id.desc())
    .limit(GROUP_LIMIT)
)
_CAPPED = (
    select(CUSTOMERS.c.enabled).select_from(_JOINED).where(*_OTHERS).limit(COUNT_CAP + 1)
).subquery()
_COUNT = select(func.count(), func.sum(case((_CAPPED.c.enabled == false(), 1), else_=0)))


@cache
def _any_others(n: int) -> Any:
    """``SELECT EXISTS(key 0 held by another), EXISTS(key 1 …), …`` for ``n`` keys."""
    return select(
        *(
            exists()
            .where(LINKS.c.key == bindparam(f"k{i}"), LINKS.c.customer_id != _CUSTOMER_ID)
            .label(f"e{i}")
            for i in range(n)
        )
    )


@cache
def _distinct_count(n: int) -> Any:
    keys = [bindparam(f"k{i}") for i in range(n)]
    distinct = (
        select(LINKS.c.customer_id)
        .where(LINKS.c.key.in_(keys), LINKS.c.customer_id != _CUSTOMER_ID)
        .distinct()
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    return select(func.count()).select_from(distinct)


# -- rebuilding every customer's keys ----------------------------------------------------------

BATCH = 2000


def rebuild(connection: Connection) -> int:
    """Recompute every customer's keys, in batches by primary key; return how many rows."""
    connection.execute(delete(LINKS))
    written = 0
    for rows in _customer_batches(connection):
        if rows:
            connection.execute(insert(LINKS), rows)
            written += len(rows)
    return written


def _customer_batches(connection: Connection) -> Iterator[list[dict[str, Any]]]:
    c = CUSTOMERS.c
    sources, tax_ids = SourceRow.__table__.c, TaxIdentifierRow.__table__.c
    last = 0
    while True:
        customers = connection.execute(
            select(
                c.pk, c.id, c.email, c.ship_phone, c.addr_country, c.addr_line1,
                c.addr_postal_code, c.created_time, CUSTOMERS.c["metadata"],
            )
            .where(c.pk > last, c.request_to_be_forgotten == false())
            .order_by(c.pk)
            .limit(BATCH)
        ).all()  # fmt: skip
        if not customers:
            return
        last = customers[-1].pk
        ids = [r.id for r in customers]
        cards: dict[str, list[Any]] = defaultdict(list)
        for s in connection.execute(
            select(
                sources.customer_id, sources.brand, sources.last_four,
                sources.expiration_month, sources.expiration_year,
            ).where(sources.customer_id.in_(ids), sources.type == "creditCard")
        ):  # fmt: skip
            cards[s.customer_id].append(tuple(s)[1:])
        values: dict[str, list[str]] = defaultdict(list)
        for t in connection.execute(
            select(tax_ids.customer_id, tax_ids.value).where(tax_ids.customer_id.in_(ids))
        ):
            values[t.customer_id].append(t.value)
        out = []
        for r in customers:
            for k in links.keys_of_parts(
                email=r.email,
                phone=r.ship_phone,
                country=r.addr_country,
                line1=r.addr_line1,
                postal_code=r.addr_postal_code,
                cards=cards.get(r.id, ()),
                tax_values=values.get(r.id, ()),
                metadata=_metadata(r.metadata),
            ):
                out.append(
                    {"customer_id": r.id, "reason": k.reason, "key": k.key,
                     "created_time": r.created_time}
                )  # fmt: skip
        yield out


def _metadata(value: object) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


__all__ = ["forget", "linked", "rebuild", "refresh"]
