"""inventory: locations, stock moves, balances, counts, scanner settings

Revision ID: 0003_inventory
Revises: 0002_trigram_search
Create Date: 2026-11-23 15:06:35.039404

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_inventory'
down_revision = '0002_trigram_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('code', name=op.f('uq_locations_code'))
    )
    op.create_table('scanner_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('move_type', sa.String(length=20), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('to_location_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_scanner_settings_location_id_locations')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_scanner_settings_to_location_id_locations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scanner_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scanner_settings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_scanner_settings_user_id'))
    )
    op.create_table('stock_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_counts_location_id_locations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stock_counts_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_counts')),
    sa.UniqueConstraint('number', name=op.f('uq_stock_counts_number'))
    )
    with op.batch_alter_table('stock_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_counts_location_id'), ['location_id'], unique=False)

    op.create_table('stock_balances',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_balances_on_hand_not_negative')),
    sa.CheckConstraint('reserved <= on_hand', name=op.f('ck_stock_balances_reserved_within_on_hand')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_stock_balances_reserved_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_balances_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_balances_product_id_products')),
    sa.PrimaryKeyConstraint('product_id', 'location_id', name=op.f('pk_stock_balances'))
    )
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.create_index('ix_stock_balances_location_id', ['location_id'], unique=False)

    op.create_table('stock_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=False),
    sa.Column('to_location_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('from_location_id <> to_location_id', name=op.f('ck_stock_moves_two_locations')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_moves_quantity_positive')),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_stock_moves_from_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_moves_product_id_products')),
    sa.ForeignKeyConstraint(['reverses_id'], ['stock_moves.id'], name=op.f('fk_stock_moves_reverses_id_stock_moves')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_stock_moves_to_location_id_locations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stock_moves_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_moves')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_stock_moves_reverses_id'))
    )
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index('ix_stock_moves_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_stock_moves_from_location_id_id', ['from_location_id', 'id'], unique=False)
        batch_op.create_index('ix_stock_moves_product_id_id', ['product_id', 'id'], unique=False)
        batch_op.create_index('ix_stock_moves_reference', ['reference'], unique=False)
        batch_op.create_index('ix_stock_moves_to_location_id_id', ['to_location_id', 'id'], unique=False)
        batch_op.create_index('ix_stock_moves_user_id_id', ['user_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_user_id_id')
        batch_op.drop_index('ix_stock_moves_to_location_id_id')
        batch_op.drop_index('ix_stock_moves_reference')
        batch_op.drop_index('ix_stock_moves_product_id_id')
        batch_op.drop_index('ix_stock_moves_from_location_id_id')
        batch_op.drop_index('ix_stock_moves_created_at')

    op.drop_table('stock_moves')
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_balances_location_id')

    op.drop_table('stock_balances')
    with op.batch_alter_table('stock_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_counts_location_id'))

    op.drop_table('stock_counts')
    op.drop_table('scanner_settings')
    op.drop_table('locations')
