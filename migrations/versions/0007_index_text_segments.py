"""lay out the substring index text by field: emails, places, cards, tax ids and metadata too

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00:00

customers.search_text now holds one segment per field (app.services.index_text), accents
folded, so the box finds email domains, cities and states, a card's last four, tax ids and
metadata, and a qualifier (city:leeds) can tell the fields apart. This lays out the text of
every customer that is not forgotten, in batches (on SQLite the FTS triggers follow).
Downgrading keeps the new text: the old code's substring tests still find what they found.
"""

import json

import sqlalchemy as sa
from alembic import op

from app.services import index_text

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 2000


def _metadata(value: object) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def upgrade() -> None:
    connection = op.get_bind()
    customers = sa.table(
        "customers",
        *(
            sa.column(name, sa.String)
            for name in (
                "id",
                "email",
                "ship_name",
                "ship_phone",
                "ship_email",
                "ship_organization",
                "addr_city",
                "addr_postal_code",
                "addr_state",
                "addr_country",
                "search_text",
            )
        ),
        sa.column("pk", sa.Integer),
        sa.column("request_to_be_forgotten", sa.Boolean),
        sa.column("metadata", sa.JSON),
    )
    sources = sa.table(
        "sources", sa.column("customer_id"), sa.column("brand"), sa.column("last_four")
    )
    tax_ids = sa.table("tax_identifiers", sa.column("customer_id"), sa.column("value"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(customers)
            .where(customers.c.pk > last, customers.c.request_to_be_forgotten == sa.false())
            .order_by(customers.c.pk)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        cards: dict[str, list[tuple[str | None, str | None]]] = {}
        for s in connection.execute(sa.select(sources).where(sources.c.customer_id.in_(ids))):
            cards.setdefault(s.customer_id, []).append((s.brand, s.last_four))
        taxes: dict[str, list[str]] = {}
        for t in connection.execute(sa.select(tax_ids).where(tax_ids.c.customer_id.in_(ids))):
            taxes.setdefault(t.customer_id, []).append(t.value)
        changed = []
        for row in rows:
            text = index_text.layout(
                index_text.customer_fields(
                    name=row.ship_name,
                    emails=(row.email, row.ship_email),
                    phone_forms=index_text.phone_forms(row.ship_phone, row.addr_country),
                    organization=row.ship_organization,
                    postal_code=row.addr_postal_code,
                    city=row.addr_city,
                    country=row.addr_country,
                    state=row.addr_state,
                    tax_values=taxes.get(row.id, ()),
                    metadata=_metadata(row.metadata),
                    cards=cards.get(row.id, ()),
                )
            )
            if text != row.search_text:
                changed.append({"row_pk": row.pk, "text": text})
        if changed:
            connection.execute(
                customers.update()
                .where(customers.c.pk == sa.bindparam("row_pk"))
                .values(search_text=sa.bindparam("text")),
                changed,
            )
        last = rows[-1].pk


def downgrade() -> None:
    pass
