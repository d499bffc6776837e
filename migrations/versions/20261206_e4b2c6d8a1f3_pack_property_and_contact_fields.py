"""property-sheet facts of units (ceiling height, floor load, power, deposit, rent-free months, term) and buildings
(parking), the contact fields a promotion pack prints for its officer (job title, WeChat, office address), and
which share link of a pack is its own (printed in it as a QR code)

Revision ID: e4b2c6d8a1f3
Revises: e4c2a7f19b36
Create Date: 2026-12-06 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e4b2c6d8a1f3'
down_revision = 'e4c2a7f19b36'
branch_labels = None
depends_on = None

UNIT = (('ceiling_height', sa.Numeric(5, 2)), ('floor_load', sa.Numeric(6, 2)), ('power_kva', sa.Integer()),
        ('deposit_months', sa.Integer()), ('rent_free_months', sa.Integer()), ('lease_term_years', sa.Integer()))
BUILDING = (('parking_spaces', sa.Integer()), ('parking_fee', sa.Numeric(10, 2)))
USER = (('job_title', sa.String(60)), ('wechat', sa.String(60)), ('office_address', sa.String(200)))


def upgrade() -> None:
    for table, columns in (('unit', UNIT), ('building', BUILDING), ('user', USER)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, kind in columns:
                batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table('pack_share', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_pdf', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('pack_share', schema=None) as batch_op:
        batch_op.drop_column('in_pdf')
    for table, columns in (('user', USER), ('building', BUILDING), ('unit', UNIT)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _kind in reversed(columns):
                batch_op.drop_column(name)
