"""forecast: stock moves indexed by (product, target location, date) for the demand of the
last 30 and 90 days

Revision ID: 0015_forecast
Revises: 0012_hardening
Create Date: 2026-11-30 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_forecast'
down_revision = '0014_reports'
branch_labels = None
depends_on = None


def upgrade():
    # The forecast sums a product's deliveries to customers over the last 90 days: this
    # index reads just those, where (product_id, id) read the product's whole history and
    # the date index every product's moves of those days (bench/forecast.py).
    op.create_index('ix_stock_moves_product_to_location_created', 'stock_moves',
                    ['product_id', 'to_location_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_stock_moves_product_to_location_created', table_name='stock_moves')
