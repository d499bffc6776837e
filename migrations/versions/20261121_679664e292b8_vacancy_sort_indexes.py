"""vacancy sort indexes: the rent, availability and building sorts walk an index instead of sorting every match

Revision ID: 679664e292b8
Revises: feb3557d1387
Create Date: 2026-11-21 12:33:46.318647
"""
from alembic import op

revision = '679664e292b8'
down_revision = 'feb3557d1387'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_unit_vacancy_rent': ['status', 'rent', 'area_gross', 'available_from', 'use', 'platform_id', 'building_id'],
    'ix_unit_vacancy_available': ['status', 'available_from', 'area_gross', 'rent', 'use', 'platform_id',
                                  'building_id'],
    'ix_unit_vacancy_building': ['status', 'building_id', 'floor', 'number', 'area_gross', 'rent', 'available_from',
                                 'use', 'platform_id'],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, 'unit', columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='unit')
