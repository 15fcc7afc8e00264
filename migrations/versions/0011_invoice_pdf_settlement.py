"""invoice PDFs remember the settlement (payments, credit notes) they show, so a download
after a payment lays the PDF out again instead of showing a stale amount due

Revision ID: 0011_invoice_pdf_settlement
Revises: 0008_order_opportunity_fk
Create Date: 2026-11-30 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_invoice_pdf_settlement'
down_revision = '0008_order_opportunity_fk'
branch_labels = None
depends_on = None


def upgrade():
    # Stored PDFs of before have no settlement: the next download lays them out again.
    with op.batch_alter_table('invoice_pdfs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settlement', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('invoice_pdfs', schema=None) as batch_op:
        batch_op.drop_column('settlement')
