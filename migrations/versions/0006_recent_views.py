"""recently viewed customers, per staff member

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recent_views",
        sa.Column("staff_id", BigId, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("viewed_time", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("staff_id", "customer_id"),
    )
    op.create_index("ix_recent_views_staff_viewed", "recent_views", ["staff_id", "viewed_time"])
    op.create_index("ix_recent_views_customer_id", "recent_views", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_recent_views_customer_id", table_name="recent_views")
    op.drop_index("ix_recent_views_staff_viewed", table_name="recent_views")
    op.drop_table("recent_views")
