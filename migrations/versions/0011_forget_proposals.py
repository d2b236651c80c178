"""four-eyes erasure: requests to be forgotten proposed by one privacy officer, decided by another

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "forget_proposals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_by_id", BigId, nullable=True),
        sa.Column("proposed_time", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_by_id", BigId, nullable=True),
        sa.Column("decided_time", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_forget_proposals_open",
        "forget_proposals",
        ["customer_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ix_forget_proposals_status_time",
        "forget_proposals",
        ["status", "proposed_time", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_forget_proposals_status_time", table_name="forget_proposals")
    op.drop_index("ux_forget_proposals_open", table_name="forget_proposals")
    op.drop_table("forget_proposals")
