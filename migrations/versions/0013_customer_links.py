"""linked customers: every customer's link keys (what it shares with others, as digests)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00

customer_links holds, per customer, the SHA-256 digests of its normalised email, phone,
shipping address, cards, tax identifier values and metadata pairs (app.services.links), with
an index on (key, created time): the customer page's linked-customers panel reads one index
range per thing shared. The upgrade computes the keys of every customer not forgotten.
"""

import sqlalchemy as sa
from alembic import op

from app.services.local.links import rebuild

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_links",
        sa.Column("pk", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(
        "ix_customer_links_key_created", "customer_links", ["key", "created_time", "customer_id"]
    )
    op.create_index("ix_customer_links_customer", "customer_links", ["customer_id", "key"])
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_customer_links_customer", table_name="customer_links")
    op.drop_index("ix_customer_links_key_created", table_name="customer_links")
    op.drop_table("customer_links")
