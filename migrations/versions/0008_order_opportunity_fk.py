"""The order-opportunity link becomes CRM's: a foreign key from sales_orders.opportunity_id
to opportunities.id, declared by crm/pipeline/models.py (PostgreSQL; on SQLite adding one
would rebuild sales_orders, so CRM's check before writing is the guard there)

Revision ID: 0008_order_opportunity_fk
Revises: 0007_crm_sales
Create Date: 2026-11-30 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_order_opportunity_fk'
down_revision = '0007_crm_sales'
branch_labels = None
depends_on = None

NAME = 'fk_sales_orders_opportunity_id_opportunities'


def upgrade():
    if op.get_context().dialect.name != 'postgresql':
        return
    # Orders that name an opportunity that no longer exists lose the link, as the key's
    # ON DELETE SET NULL would have done.
    op.execute('UPDATE sales_orders SET opportunity_id = NULL WHERE opportunity_id IS NOT NULL '
               'AND opportunity_id NOT IN (SELECT id FROM opportunities)')
    op.create_foreign_key(NAME, 'sales_orders', 'opportunities', ['opportunity_id'], ['id'],
                          ondelete='SET NULL')


def downgrade():
    if op.get_context().dialect.name != 'postgresql':
        return
    op.drop_constraint(NAME, 'sales_orders', type_='foreignkey')
