"""audit trail of customer changes

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("occurred_time", sa.DateTime(), nullable=False),
        sa.Column("actor_id", BigIntPK, nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("version_after", sa.BigInteger(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_audit_customer_time", "audit_events", ["customer_id", "occurred_time", "id"]
    )
    op.create_index("ix_audit_time", "audit_events", ["occurred_time", "id"])
    op.create_index(
        "ix_audit_actor_time", "audit_events", ["actor_username", "occurred_time", "id"]
    )
    op.create_index("ix_audit_action_time", "audit_events", ["action", "occurred_time", "id"])


def downgrade() -> None:
    op.drop_table("audit_events")
