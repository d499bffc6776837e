"""vacancy search by rent, highest first, on PostgreSQL

The vacancy search sorted by rent from the highest (`rent DESC NULLS LAST, id DESC`: units without a rent last)
could not walk ix_unit_vacancy_rent on PostgreSQL (read backwards it puts the empty rents first) and sorted every
vacant unit for each page: about 10 ms of the server's time at 20,000 units against 0.4 ms walking an index in that
order and stopping after one page. PostgreSQL only: SQLite keeps its plan. Autogenerate leaves it alone
(crm.db.UNMANAGED_INDEXES).

Revision ID: b3e8d41f6a27
Revises: f204ba1c9c5b
Create Date: 2026-12-06 12:20:00.000000
"""
from alembic import op

revision = 'b3e8d41f6a27'
down_revision = 'f204ba1c9c5b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_unit_vacancy_rent_desc ON unit (status, rent DESC NULLS LAST, id DESC)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_unit_vacancy_rent_desc')
