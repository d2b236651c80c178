"""create customers, sources, tax data, files and staff

Revision ID: 0001
Revises:
Create Date: 2026-11-27 11:57:48.240717
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_lower", sa.String(length=320), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("request_to_be_forgotten", sa.Boolean(), nullable=False),
        sa.Column("default_source_id", sa.String(length=64), nullable=True),
        sa.Column("live_mode", sa.Boolean(), nullable=False),
        sa.Column("ship_name", sa.String(length=255), nullable=True),
        sa.Column("ship_phone", sa.String(length=64), nullable=True),
        sa.Column("ship_email", sa.String(length=320), nullable=True),
        sa.Column("ship_organization", sa.String(length=255), nullable=True),
        sa.Column("addr_line1", sa.String(length=255), nullable=True),
        sa.Column("addr_line2", sa.String(length=255), nullable=True),
        sa.Column("addr_city", sa.String(length=255), nullable=True),
        sa.Column("addr_postal_code", sa.String(length=32), nullable=True),
        sa.Column("addr_state", sa.String(length=64), nullable=True),
        sa.Column("addr_country", sa.String(length=2), nullable=True),
        sa.Column("addr_neighborhood", sa.String(length=255), nullable=True),
        sa.Column("addr_division", sa.String(length=255), nullable=True),
        sa.Column("addr_phonetic_name", sa.String(length=255), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.Column("updated_time", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_created", ["created_time", "id"], unique=False)
        batch_op.create_index(
            "ix_customers_disabled_created",
            ["created_time", "id"],
            unique=False,
            sqlite_where=sa.text("enabled = 0"),
            postgresql_where=sa.text("enabled = false"),
        )
        batch_op.create_index(
            "ix_customers_email_created",
            ["email_lower", "created_time", "id"],
            unique=False,
            postgresql_ops={"email_lower": "text_pattern_ops"},
        )
        batch_op.create_index(
            "ix_customers_forget_created",
            ["created_time", "id"],
            unique=False,
            sqlite_where=sa.text("request_to_be_forgotten = 1"),
            postgresql_where=sa.text("request_to_be_forgotten = true"),
        )
        batch_op.create_index(
            "ix_customers_locale_created",
            ["locale", "created_time", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_customers_type_created", ["type", "created_time", "id"], unique=False
        )

    op.create_table(
        "files",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "staff",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("roles", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.Column("last_login_time", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("reusable", sa.Boolean(), nullable=False),
        sa.Column("brand", sa.String(length=32), nullable=True),
        sa.Column("last_four", sa.String(length=4), nullable=True),
        sa.Column("expiration_month", sa.Integer(), nullable=True),
        sa.Column("expiration_year", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("owner_name", sa.String(length=255), nullable=True),
        sa.Column("owner_email", sa.String(length=320), nullable=True),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "tax_certificates",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("company_name", sa.String(length=255), nullable=False),
        sa.Column("tax_authority", sa.String(length=2), nullable=False),
        sa.Column("start_date", sa.DateTime(), nullable=False),
        sa.Column("end_date", sa.DateTime(), nullable=False),
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("tax_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tax_certificates_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "tax_identifiers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_time", sa.DateTime(), nullable=False),
        sa.Column("updated_time", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tax_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tax_identifiers_customer_id"), ["customer_id"], unique=False
        )

    create_search_index()


def create_search_index() -> None:
    """Substring search over customers.search_text: an FTS5 trigram index kept in sync by
    triggers on SQLite, a pg_trgm GIN index on PostgreSQL."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE customers_fts USING fts5(search_text, content='customers', "
            "content_rowid='pk', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN "
            "INSERT INTO customers_fts(rowid, search_text) VALUES (new.pk, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN "
            "INSERT INTO customers_fts(customers_fts, rowid, search_text) "
            "VALUES ('delete', old.pk, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_text ON customers BEGIN "
            "INSERT INTO customers_fts(customers_fts, rowid, search_text) "
            "VALUES ('delete', old.pk, old.search_text); "
            "INSERT INTO customers_fts(rowid, search_text) VALUES (new.pk, new.search_text); END"
        )
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_customers_search_trgm ON customers "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop_search_index() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in (
            "customers_fts_insert",
            "customers_fts_delete",
            "customers_fts_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS customers_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_customers_search_trgm")


def downgrade() -> None:
    drop_search_index()
    with op.batch_alter_table("tax_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_identifiers_customer_id"))

    op.drop_table("tax_identifiers")
    with op.batch_alter_table("tax_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_certificates_customer_id"))

    op.drop_table("tax_certificates")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_customer_id"))

    op.drop_table("sources")
    op.drop_table("staff")
    op.drop_table("files")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_type_created")
        batch_op.drop_index("ix_customers_locale_created")
        batch_op.drop_index(
            "ix_customers_forget_created",
            sqlite_where=sa.text("request_to_be_forgotten = 1"),
            postgresql_where=sa.text("request_to_be_forgotten = true"),
        )
        batch_op.drop_index(
            "ix_customers_email_created",
            postgresql_ops={"email_lower": "text_pattern_ops"},
        )
        batch_op.drop_index(
            "ix_customers_disabled_created",
            sqlite_where=sa.text("enabled = 0"),
            postgresql_where=sa.text("enabled = false"),
        )
        batch_op.drop_index("ix_customers_created")

    op.drop_table("customers")
