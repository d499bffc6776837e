"""firm name cores: each firm's name without legal form, brackets and leading place names (firm.name_core,
indexed) and its two-character runs (firm_name_gram), the index that finds possibly duplicate firms; existing
firms are backfilled. (firm.merged_into_id, which a merge records, exists since the firms revision.)

Revision ID: a3f5c81d27e4
Revises: 7c3f9a2e5d18
Create Date: 2026-12-06 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from crm.firms.names import core_name, grams

revision = 'a3f5c81d27e4'
down_revision = '7c3f9a2e5d18'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_core', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_firm_name_core'), ['name_core'], unique=False)
    op.create_table(
        'firm_name_gram',
        sa.Column('gram', sa.String(length=8), nullable=False),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_firm_name_gram_firm_id_firm'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('gram', 'firm_id', name=op.f('pk_firm_name_gram')),
    )
    with op.batch_alter_table('firm_name_gram', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_name_gram_firm_id'), ['firm_id'], unique=False)

    bind = op.get_bind()
    firm = sa.table('firm', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('name_core', sa.String))
    gram = sa.table('firm_name_gram', sa.column('gram', sa.String), sa.column('firm_id', sa.Integer))
    rows = [(firm_id, core_name(name)) for firm_id, name in bind.execute(sa.select(firm.c.id, firm.c.name))]
    if rows:
        bind.execute(firm.update().where(firm.c.id == sa.bindparam('fid')).values(name_core=sa.bindparam('core')),
                     [{'fid': firm_id, 'core': core} for firm_id, core in rows])
        postings = [{'firm_id': firm_id, 'gram': g} for firm_id, core in rows for g in sorted(grams(core))]
        if postings:
            bind.execute(gram.insert(), postings)


def downgrade() -> None:
    with op.batch_alter_table('firm_name_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_name_gram_firm_id'))
    op.drop_table('firm_name_gram')
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_name_core'))
        batch_op.drop_column('name_core')
