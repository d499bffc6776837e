"""export jobs

Large exports written by the job worker: who asked, the list and its query string, progress, the file and when
it is deleted.

Revision ID: e4b1c7a2d9f3
Revises: e5c2a8f41d93
Create Date: 2026-12-06 02:39:47.077939
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = 'e4b1c7a2d9f3'
down_revision = 'e5c2a8f41d93'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('export_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('fmt', sa.String(length=4), nullable=False),
    sa.Column('query', sa.String(length=2000), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_export_job_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job'))
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_job_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_job_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_job_user_id'))
        batch_op.drop_index(batch_op.f('ix_export_job_expires_at'))

    op.drop_table('export_job')
