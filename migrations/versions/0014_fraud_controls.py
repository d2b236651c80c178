"""fraud controls: bulk blocks and their outcomes, blocks with a review date, four-eyes unblocking

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00

block_batches and block_batch_items record a bulk block (one reason, many customers) and
what became of each customer; audit_events.batch_id ties each customer's event to its batch.
customer_blocks keeps who blocked a customer, why, and its review date (the review queue);
unblock_proposals holds re-enables awaiting a second fraud officer.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = sa.text("status = 'open'")
DUE = sa.text("status = 'open' AND review_by IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(length=32), nullable=True))
    op.create_index("ix_audit_batch", "audit_events", ["batch_id", "id"])
    op.create_table(
        "block_batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", BigId, nullable=True),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("review_by", sa.DateTime(), nullable=True),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("finished_time", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_block_batches_time", "block_batches", ["created_time", "id"])
    op.create_table(
        "block_batch_items",
        sa.Column("pk", BigId, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_time", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["block_batches.id"]),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(
        "ux_block_batch_items", "block_batch_items", ["batch_id", "customer_id"], unique=True
    )
    op.create_index("ix_block_batch_items_order", "block_batch_items", ["batch_id", "position"])
    op.create_table(
        "customer_blocks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blocked_by", sa.String(length=64), nullable=False),
        sa.Column("blocked_by_id", BigId, nullable=True),
        sa.Column("blocked_time", sa.DateTime(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("batch_id", sa.String(length=32), nullable=True),
        sa.Column("review_by", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_time", sa.DateTime(), nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lifted_time", sa.DateTime(), nullable=True),
        sa.Column("lift_note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_customer_blocks_open",
        "customer_blocks",
        ["customer_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_customer_blocks_review",
        "customer_blocks",
        ["review_by", "id"],
        sqlite_where=DUE,
        postgresql_where=DUE,
    )
    op.create_table(
        "unblock_proposals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_by_id", BigId, nullable=True),
        sa.Column("proposed_time", sa.DateTime(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_by_id", BigId, nullable=True),
        sa.Column("decided_time", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_unblock_proposals_open",
        "unblock_proposals",
        ["customer_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_unblock_proposals_status_time",
        "unblock_proposals",
        ["status", "proposed_time", "id"],
    )


def downgrade() -> None:
    op.drop_table("unblock_proposals")
    op.drop_table("customer_blocks")
    op.drop_table("block_batch_items")
    op.drop_table("block_batches")
    op.drop_index("ix_audit_batch", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("batch_id")
