"""crm sales: the expected product lines of an opportunity, carried into the quotation
made from it (POST /opportunities/{id}/quote)

Revision ID: 0007_crm_sales
Revises: 0006_sales
Create Date: 2026-11-29 15:43:09.274182

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_crm_sales'
down_revision = '0006_sales'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opportunity_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_opportunity_lines_quantity_positive')),
    sa.CheckConstraint('unit_price IS NULL OR unit_price >= 0', name=op.f('ck_opportunity_lines_unit_price_positive')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_lines_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_opportunity_lines_product_id_products'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_lines'))
    )
    with op.batch_alter_table('opportunity_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_lines_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_lines_product_id'), ['product_id'], unique=False)


def downgrade():
    with op.batch_alter_table('opportunity_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_lines_opportunity_id'))

    op.drop_table('opportunity_lines')
