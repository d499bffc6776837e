"""unit status and lead stage checks

unit.status and lead.stage keep to their stored codes (UnitStatus, Stage): CHECK constraints ck_unit_status and
ck_lead_stage, so a bad code written by any path is refused by the database. On SQLite the tables are rebuilt
(batch mode).

Revision ID: f204ba1c9c5b
Revises: a7d3e915c2b8
Create Date: 2026-12-06 09:06:00.000000
"""
from alembic import op

revision = 'f204ba1c9c5b'
down_revision = 'a7d3e915c2b8'
branch_labels = None
depends_on = None

# The codes as of this revision (a later change of either list writes its own migration).
UNIT_STATUSES = ('空置', '意向', '已租', '装修中', '锁定')
STAGES = ('线索', '初步接洽', '考察看房', '洽谈', '签约', '注册', '入驻', '投产', '流失', '暂缓')


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_unit_status'), _one_of('status', UNIT_STATUSES))
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_lead_stage'), _one_of('stage', STAGES))


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lead_stage'), type_='check')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_unit_status'), type_='check')
