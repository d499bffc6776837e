"""stage stays and follow-up indexes: each logged stage keeps the days until the next change (filled in for the
existing log), so the dashboard reads median time in stage from an index; open follow-ups by due date; follow-ups
by last change (the cached figures' fingerprint)

Revision ID: 98021e887e3a
Revises: 679664e292b8
Create Date: 2026-11-21 13:31:24.110754
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = '98021e887e3a'
down_revision = '679664e292b8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_open_due', ['due_on'], unique=False, sqlite_where=sa.text('done_at IS NULL'),
                              postgresql_where=sa.text('done_at IS NULL'))
        batch_op.create_index('ix_activity_updated', ['updated_at'], unique=False)

    with op.batch_alter_table('lead_stage_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stay_days', sa.Double(), nullable=True))
        batch_op.create_index('ix_lead_stage_change_stage_stay', ['to_stage', 'stay_days'], unique=False)
    _fill_stays()


def _fill_stays() -> None:
    """Each stage lasts until the lead's next change in (at, id) order; the last one stays open (NULL)."""
    log = sa.table('lead_stage_change', sa.column('id', sa.Integer), sa.column('lead_id', sa.Integer),
                   sa.column('at', crm.db.UTCDateTime()), sa.column('stay_days', sa.Float))
    bind = op.get_bind()
    rows = bind.execute(sa.select(log.c.id, log.c.lead_id, log.c.at)
                        .order_by(log.c.lead_id, log.c.at, log.c.id)).all()
    stays = [{'change_id': current.id, 'days': (following.at - current.at).total_seconds() / 86400}
             for current, following in zip(rows, rows[1:]) if current.lead_id == following.lead_id]
    update = log.update().where(log.c.id == sa.bindparam('change_id')).values(stay_days=sa.bindparam('days'))
    for start in range(0, len(stays), 10_000):
        bind.execute(update, stays[start:start + 10_000])


def downgrade() -> None:
    with op.batch_alter_table('lead_stage_change', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_stage_change_stage_stay')
        batch_op.drop_column('stay_days')

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_updated')
        batch_op.drop_index('ix_activity_open_due', sqlite_where=sa.text('done_at IS NULL'),
                            postgresql_where=sa.text('done_at IS NULL'))
