"""trigram indexes for free-text search on PostgreSQL

Revision ID: 0002_trigram_search
Revises: 0001_platform
Create Date: 2026-11-22

"""
from alembic import op

revision = '0002_trigram_search'
down_revision = '0001_platform'
branch_labels = None
depends_on = None

TRIGRAM_COLUMNS = {
    "partners": ("name", "code", "email", "phone", "city"),
    "products": ("sku", "barcode", "name"),
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite scans; the indexes exist only where they help
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            op.create_index(f"ix_{table}_{column}_trgm", table, [column],
                            postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
