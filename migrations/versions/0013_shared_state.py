"""shared state: server-side sign-in sessions and batch PDF jobs in the database

Sign-in sessions (`user_sessions`): the session cookie holds a session id that signing out
ends, so a copied cookie dies with the sign-out. Batch PDF jobs (`pdf_batch_jobs`): every web
worker sees a job's progress and can take over one whose worker died. (Sign-in failures were
already counted in `login_failures`.) Cookies signed before this revision hold no session id:
their users sign in once more.

Revision ID: 0013_shared_state
Revises: 0012_hardening
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_shared_state'
down_revision = '0012_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('pdf_batch_jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invoice_ids', sa.Text(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('runner', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_pdf_batch_jobs_state_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pdf_batch_jobs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pdf_batch_jobs'))
    )
    with op.batch_alter_table('pdf_batch_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdf_batch_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_batch_jobs_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pdf_batch_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdf_batch_jobs_user_id'))
        batch_op.drop_index(batch_op.f('ix_pdf_batch_jobs_created_at'))
    op.drop_table('pdf_batch_jobs')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
