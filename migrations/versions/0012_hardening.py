"""hardening: API tokens get a scope (full or read-only) and an optional expiry

Revision ID: 0012_hardening
Revises: 0011_first_hour
Create Date: 2026-11-30 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_hardening'
down_revision = '0011_first_hour'
branch_labels = None
depends_on = None


def upgrade():
    # Tokens issued before keep full access and never expire, as they did.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=10), server_default='full',
                                      nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f('ck_api_tokens_scope_known'),
                                         "scope IN ('full', 'read')")


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_tokens_scope_known'), type_='check')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scope')
