"""Map places (platforms, buildings and points of interest, WGS-84) for the offline platform map, and unit
outlines drawn on a building's floor plan.

Revision ID: e5c2a8f41d93
Revises: d7e3a91c5b20
Create Date: 2026-12-06 02:48:00
"""
import sqlalchemy as sa
from alembic import op

import crm.db

revision = 'e5c2a8f41d93'
down_revision = 'd7e3a91c5b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('map_place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('note', sa.String(length=120), nullable=True),
    sa.Column('lon', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6, asdecimal=False), nullable=False),
    sa.Column('approximate', sa.Boolean(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_map_place_building_id_building'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_map_place_platform_id_platform'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_map_place')),
    sa.UniqueConstraint('key', name=op.f('uq_map_place_key'))
    )
    with op.batch_alter_table('map_place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_map_place_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_place_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_map_place_building_id'), ['building_id'], unique=False)

    op.create_table('unit_outline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_file.id'], name=op.f('fk_unit_outline_media_id_media_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_outline_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_unit_outline_platform_id_platform')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_unit_outline_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_outline')),
    sa.UniqueConstraint('media_id', 'unit_id', name=op.f('uq_unit_outline_media_id_unit_id'))
    )
    with op.batch_alter_table('unit_outline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_outline_media_id'), ['media_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_outline_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_outline_platform_id'), ['platform_id'], unique=False)


def downgrade() -> None:
    op.drop_table('unit_outline')
    op.drop_table('map_place')
