"""masked personal data: the read-access events of staff who revealed a customer's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "read_access_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("occurred_time", sa.DateTime(), nullable=False),
        sa.Column("staff_id", BigId, nullable=True),
        sa.Column("staff_username", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_read_access_customer_time",
        "read_access_events",
        ["customer_id", "occurred_time", "id"],
    )
    op.create_index("ix_read_access_time", "read_access_events", ["occurred_time", "id"])


def downgrade() -> None:
    op.drop_index("ix_read_access_time", table_name="read_access_events")
    op.drop_index("ix_read_access_customer_time", table_name="read_access_events")
    op.drop_table("read_access_events")
