"""audit trail: a hash chain over the events (tamper evidence that survives erasure)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

The events recorded before are chained here, in id order, by the application's own code
(app/services/audit_chain.py), so that ``audit verify`` covers them too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.services.audit_chain import GENESIS, HEAD_ID, seal_existing

    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("salt", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("commitment", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_seq", "audit_events", ["seq"], unique=True)
    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("verified_seq", sa.BigInteger(), nullable=True),
        sa.Column("verified_hash", sa.String(length=64), nullable=True),
        sa.Column("verified_event_id", sa.BigInteger(), nullable=True),
        sa.Column("verified_time", sa.DateTime(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("problem_event_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(chain, [{"id": HEAD_ID, "seq": 0, "hash": GENESIS}])
    seal_existing(op.get_bind())


def downgrade() -> None:
    op.drop_table("audit_chain")
    op.drop_index("ix_audit_seq", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("commitment")
        batch.drop_column("salt")
        batch.drop_column("hash")
        batch.drop_column("seq")
