"""two-step sign-in and access denials: authenticator secrets (user_totp) with the last time step used, hashed
single-use recovery codes, and one row per refused request (access_denial) so that denials per user are counted
across every worker

Revision ID: 7c3f9a2e5d18
Revises: 7eb29a1c4917
Create Date: 2026-12-05 23:07:48.153846
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = '7c3f9a2e5d18'
down_revision = '7eb29a1c4917'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_denial',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('endpoint', sa.String(length=100), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.String(length=32), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_access_denial_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_denial'))
    )
    with op.batch_alter_table('access_denial', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_denial_at'), ['at'], unique=False)
        batch_op.create_index('ix_access_denial_user_at', ['user_id', 'at'], unique=False)

    op.create_table('user_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_user_recovery_code_code_hash'))
    )
    with op.batch_alter_table('user_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('user_totp',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('enabled_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_step', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_totp_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_totp'))
    )


def downgrade() -> None:
    op.drop_table('user_totp')
    with op.batch_alter_table('user_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_recovery_code_user_id'))

    op.drop_table('user_recovery_code')
    with op.batch_alter_table('access_denial', schema=None) as batch_op:
        batch_op.drop_index('ix_access_denial_user_at')
        batch_op.drop_index(batch_op.f('ix_access_denial_at'))

    op.drop_table('access_denial')
