"""Policies may say 就高不重复: where another policy pays for the same cost, only the higher one is granted.

Revision ID: c4e1d2a7b9f3
Revises: 00b93a2846ea
Create Date: 2026-12-05 20:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e1d2a7b9f3'
down_revision = '00b93a2846ea'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('highest_only', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_column('highest_only')
