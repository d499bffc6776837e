"""skipped stages: a move forward past pipeline stages logs each passed stage, marked skipped (it keeps no stay,
so the median days in stage ignore it); existing log entries were all stayed in

Revision ID: 5e7a1c2b9d40
Revises: c4e1d2a7b9f3
Create Date: 2026-12-05 20:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '5e7a1c2b9d40'
down_revision = 'c4e1d2a7b9f3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lead_stage_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('lead_stage_change', schema=None) as batch_op:
        batch_op.drop_column('skipped')
