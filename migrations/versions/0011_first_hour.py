"""first-hour fixes: invoice PDFs remember the settlement they show (a download after a
payment lays the PDF out again), leads keep an address, partners a contact person (both
carried over when a lead is converted)

Revision ID: 0011_first_hour
Revises: 0010_tickets
Create Date: 2026-11-30 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_first_hour'
down_revision = '0010_tickets'
branch_labels = None
depends_on = None


def upgrade():
    # Stored PDFs of before have no settlement: the next download lays them out again.
    with op.batch_alter_table('invoice_pdfs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settlement', sa.String(length=64), nullable=True))
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('country', sa.String(length=100), nullable=True))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('contact_name')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('country')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('city')
        batch_op.drop_column('street')
    with op.batch_alter_table('invoice_pdfs', schema=None) as batch_op:
        batch_op.drop_column('settlement')
