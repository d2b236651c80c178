"""requests to be forgotten: what the erasure left in the database's files, and for how long

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forget_requests") as batch:
        batch.add_column(sa.Column("residue", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forget_requests") as batch:
        batch.drop_column("residue")
