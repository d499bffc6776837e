"""shared pool rules and the life of a project after signing

lead.owned_since (when its owner took it), lead.pool_warned_on (warned of a return to the pool) and lead.tags;
indexes the header's search reads lead titles and firm names from (ix_lead_search, ix_firm_search);
pool_assignment_rule (platform / industry / source → a team in turn); project_actual (a year's actual investment,
tax and jobs with their source); supervision_task (督办).

Revision ID: e4c2a7f19b36
Revises: e4b1c7a2d9f3
Create Date: 2026-12-06 03:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = 'e4c2a7f19b36'
down_revision = 'e4b1c7a2d9f3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owned_since', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pool_warned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_pool_warned_on'), ['pool_warned_on'], unique=False)
        batch_op.create_index('ix_lead_search', ['title', 'codename', 'confidential', 'stage', 'owner_id', 'id'],
                              unique=False)
    op.create_index('ix_firm_search', 'firm', ['name', 'uscc', 'deleted_at', 'id'], unique=False)
    op.create_table(
        'pool_assignment_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=True),
        sa.Column('industry_prefix', sa.String(length=8), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=True),
        sa.Column('team', sa.JSON(), nullable=False),
        sa.Column('next_turn', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_pool_assignment_rule_platform_id_platform'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_assignment_rule')),
    )
    op.create_table(
        'project_actual',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('investment', sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column('tax', sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column('jobs', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_project_actual_entered_by_id_user')),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_project_actual_lead_id_lead'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_actual')),
        sa.UniqueConstraint('lead_id', 'year', name=op.f('uq_project_actual_lead_id_year')),
    )
    op.create_index(op.f('ix_project_actual_lead_id'), 'project_actual', ['lead_id'], unique=False)
    op.create_table(
        'supervision_task',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('done_at', crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('done_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_supervision_task_assigned_by_id_user')),
        sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_supervision_task_assignee_id_user')),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_supervision_task_lead_id_lead'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_task')),
    )
    op.create_index(op.f('ix_supervision_task_assignee_id'), 'supervision_task', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_supervision_task_due_on'), 'supervision_task', ['due_on'], unique=False)
    op.create_index(op.f('ix_supervision_task_lead_id'), 'supervision_task', ['lead_id'], unique=False)


def downgrade() -> None:
    op.drop_table('supervision_task')
    op.drop_table('project_actual')
    op.drop_table('pool_assignment_rule')
    op.drop_index('ix_firm_search', table_name='firm')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_search')
        batch_op.drop_index(batch_op.f('ix_lead_pool_warned_on'))
        batch_op.drop_column('tags')
        batch_op.drop_column('pool_warned_on')
        batch_op.drop_column('owned_since')
