"""count tokens in the plan search index

plan_paragraph.text_bigrams (indexed by the SQLite FTS5 table plan_fts_bigram) also holds, for every run of two
to six index characters repeated in a paragraph, one token per binary digit of its count: a search ranks matches
by occurrences from the index instead of reading every matching paragraph. Existing paragraphs are re-tokenised.

Revision ID: b7d3e5a1c942
Revises: a3f5c81d27e4
Create Date: 2026-12-06 00:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

from crm.plans.parsing.text import bigram_tokens, search_tokens

revision = 'b7d3e5a1c942'
down_revision = 'a3f5c81d27e4'
branch_labels = None
depends_on = None


def _retokenise(tokens) -> None:
    bind = op.get_bind()
    paragraph = sa.table('plan_paragraph', sa.column('id', sa.Integer), sa.column('text_norm', sa.Text),
                         sa.column('text_bigrams', sa.Text))
    rows = bind.execute(sa.select(paragraph.c.id, paragraph.c.text_norm)).all()
    if rows:
        bind.execute(paragraph.update().where(paragraph.c.id == sa.bindparam('pid'))
                     .values(text_bigrams=sa.bindparam('tokens')),
                     [{'pid': row.id, 'tokens': tokens(row.text_norm)} for row in rows])


def upgrade() -> None:
    _retokenise(search_tokens)


def downgrade() -> None:
    _retokenise(bigram_tokens)
