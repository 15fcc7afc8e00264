"""forecast: stock moves indexed by (product, date) for the demand of the last 30 and 90 days

Revision ID: 0015_forecast
Revises: 0012_hardening
Create Date: 2026-11-30 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_forecast'
down_revision = '0014_reports'  # re-chained on the dashboards branch (both revised 0012)
branch_labels = None
depends_on = None


def upgrade():
    # The forecast sums one product's deliveries over a date window: with only
    # (product_id, id) it read all of the product's history (about 35 ms for 300 products
    # against 190 ms... see erp/inventory/forecast.py and bench/forecast.py).
    op.create_index('ix_stock_moves_product_id_created_at', 'stock_moves',
                    ['product_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_stock_moves_product_id_created_at', table_name='stock_moves')
