"""undoing an import

import_batch.error_file (the rows with errors, stored to fix and upload again), reverted_at and reverted_by_id;
import_change (each record a confirmed import added or changed, its values before and its version after, or
its values after for a record without a version).

Revision ID: a7d3e915c2b8
Revises: e4b8c2d9f617
Create Date: 2026-12-06 06:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = 'a7d3e915c2b8'
down_revision = 'e4b8c2d9f617'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_file', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reverted_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reverted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_import_batch_reverted_by_id_user'), 'user', ['reverted_by_id'],
                                    ['id'])
    op.create_table(
        'import_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_change_batch_id_import_batch'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_change')),
    )
    op.create_index(op.f('ix_import_change_batch_id'), 'import_change', ['batch_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_import_change_batch_id'), table_name='import_change')
    op.drop_table('import_change')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_batch_reverted_by_id_user'), type_='foreignkey')
        batch_op.drop_column('reverted_by_id')
        batch_op.drop_column('reverted_at')
        batch_op.drop_column('error_file')
