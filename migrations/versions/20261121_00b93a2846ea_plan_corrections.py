"""Plan corrections: administrators' strip/keep decisions on a document's text, and documents keyed by their
bytes plus the corrections they were parsed with (the same file may be parsed again after a correction).

Revision ID: 00b93a2846ea
Revises: b00566a40d33
Create Date: 2026-11-21 16:13:44.301396
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = '00b93a2846ea'
down_revision = 'b00566a40d33'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_slug', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_plan_correction_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_correction')),
    sa.UniqueConstraint('document_slug', 'text', name=op.f('uq_plan_correction_document_slug_text'))
    )
    with op.batch_alter_table('plan_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parse_key', sa.String(length=140), nullable=True))
    op.execute('UPDATE plan_document SET parse_key = sha256')
    with op.batch_alter_table('plan_document', schema=None) as batch_op:
        batch_op.alter_column('parse_key', existing_type=sa.String(length=140), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_plan_document_sha256'), type_='unique')
        batch_op.create_index(batch_op.f('ix_plan_document_sha256'), ['sha256'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_plan_document_parse_key'), ['parse_key'])


def downgrade() -> None:
    # Fails (unique sha256) while corrected versions exist: they share their bytes with the version they corrected.
    with op.batch_alter_table('plan_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_plan_document_parse_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_plan_document_sha256'))
        batch_op.create_unique_constraint(batch_op.f('uq_plan_document_sha256'), ['sha256'])
        batch_op.drop_column('parse_key')

    op.drop_table('plan_correction')
