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

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Superseded by 0007, which lays out every customer's text again (phones included).
    pass


def downgrade() -> None:
    pass
