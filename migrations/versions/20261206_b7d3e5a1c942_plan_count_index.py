"""count index for ranking plan search by occurrences

plan_paragraph.text_counts holds, for every run of two to six index characters a paragraph repeats, one token per
binary digit of its count; on SQLite an FTS5 unicode61 table indexes it, so a search ranks its matches by
occurrences from the index instead of reading every matching paragraph. Existing paragraphs are backfilled.

Revision ID: b7d3e5a1c942
Revises: a3f5c81d27e4
Create Date: 2026-12-06 00:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

from crm.plans.ddl import BIGRAM_TRIGGERS, COUNTS_TABLE, COUNTS_TRIGGER_NAMES, COUNTS_TRIGGERS, TRIGRAM_TRIGGERS
from crm.plans.parsing.text import count_tokens

revision = 'b7d3e5a1c942'
down_revision = 'a3f5c81d27e4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan_paragraph', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_counts', sa.Text(), nullable=True))
    bind = op.get_bind()
    paragraph = sa.table('plan_paragraph', sa.column('id', sa.Integer), sa.column('text_norm', sa.Text),
                         sa.column('text_counts', sa.Text))
    rows = bind.execute(sa.select(paragraph.c.id, paragraph.c.text_norm)).all()
    if rows:
        bind.execute(paragraph.update().where(paragraph.c.id == sa.bindparam('pid'))
                     .values(text_counts=sa.bindparam('counts')),
                     [{'pid': row.id, 'counts': ' '.join(count_tokens(row.text_norm))} for row in rows])
    if op.get_context().dialect.name == 'sqlite':
        for statement in [COUNTS_TABLE, *COUNTS_TRIGGERS]:
            op.execute(statement)
        op.execute("INSERT INTO plan_fts_counts(plan_fts_counts) VALUES ('rebuild')")


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == 'sqlite'
    if sqlite:
        for name in COUNTS_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS plan_fts_counts')
    with op.batch_alter_table('plan_paragraph', schema=None) as batch_op:
        batch_op.drop_column('text_counts')
    if sqlite:  # the table rebuild dropped the other search indexes' triggers: put them back
        for statement in [*TRIGRAM_TRIGGERS, *BIGRAM_TRIGGERS]:
            op.execute(statement)
