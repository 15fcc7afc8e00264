"""reports: invoice lines keep the unit cost taken at posting (for the sales margins), and
the invoices and stock moves get the indexes the sales, at-risk and stock valuation
reports filter on

Revision ID: 0014_reports
Revises: 0012_hardening
Create Date: 2026-11-30 12:00:00

Lines posted before this migration get their product's current cost price (stockable and
consumable products; 0 for services and lines without a product): the cost at their posting
was never recorded, and today's cost is the best estimate there is. Draft lines get theirs
when they are posted.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_reports'
down_revision = '0013_shared_state'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_cost', sa.Numeric(precision=18, scale=4),
                                      server_default='0', nullable=False))
    op.execute("""
        UPDATE invoice_lines SET unit_cost = COALESCE((
            SELECT products.cost_price FROM products
            WHERE products.id = invoice_lines.product_id
              AND products.type IN ('stockable', 'consumable')), 0)
        WHERE product_id IS NOT NULL
          AND invoice_id IN (SELECT id FROM invoices WHERE state IN ('posted', 'paid'))
    """)
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.alter_column('unit_cost', server_default=None)
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_kind_invoice_date', ['kind', 'invoice_date'],
                              unique=False)
        batch_op.create_index('ix_invoices_kind_partner_date',
                              ['kind', 'partner_id', 'invoice_date', 'state'],
                              unique=False)
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index('ix_stock_moves_valuation',
                              ['product_id', 'created_at', 'from_location_id',
                               'to_location_id', 'quantity', 'unit_cost'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_valuation')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_kind_partner_date')
        batch_op.drop_index('ix_invoices_kind_invoice_date')
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_column('unit_cost')
