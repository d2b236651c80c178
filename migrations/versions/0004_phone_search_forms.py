"""index phone numbers in their international and national forms too

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00

The substring index text of a customer (customers.search_text) now holds a shipping phone as
typed, as its digits and in its E.164 and national forms for the shipping country, so that
"+44 7700 900123", "07700 900123" and "447700900123" find the same customer. This recomputes
the text of every customer with a phone, in batches (on SQLite the FTS triggers follow).
Downgrading keeps the longer text: it is a superset of what the old code matched.
"""

import sqlalchemy as sa
from alembic import op

from app.services.local.search import search_text_for

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    connection = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("pk", sa.Integer),
        sa.column("ship_name", sa.String),
        sa.column("ship_phone", sa.String),
        sa.column("ship_organization", sa.String),
        sa.column("addr_postal_code", sa.String),
        sa.column("addr_country", sa.String),
        sa.column("search_text", sa.Text),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(customers)
            .where(customers.c.pk > last, customers.c.ship_phone.is_not(None))
            .order_by(customers.c.pk)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for row in rows:
            text = search_text_for(
                row.ship_name,
                row.ship_phone,
                row.ship_organization,
                row.addr_postal_code,
                row.addr_country,
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
