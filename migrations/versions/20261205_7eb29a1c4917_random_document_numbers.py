"""random document numbers: packs and policy summaries are numbered with a random series code (GS-2026-7KQ4XM-V2,
ZC-2026-H3D9PA-1) instead of the lead's or firm's database id; existing rows get a code per lead (per firm),
keeping their year and version; numbers are unique

Revision ID: 7eb29a1c4917
Revises: 5e7a1c2b9d40
Create Date: 2026-12-05 23:40:00.000000
"""
import re
import secrets

import sqlalchemy as sa
from alembic import op

revision = '7eb29a1c4917'
down_revision = '5e7a1c2b9d40'
branch_labels = None
depends_on = None

ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'  # as crm/packs/numbers.py (kept here: migrations do not import the app)
_YEAR = re.compile(r'^[A-Z]+-(\d{4})-')


def _year(number, created_at) -> int:
    found = _YEAR.match(number or '')
    if found:
        return int(found[1])
    return created_at.year if hasattr(created_at, 'year') else int(str(created_at)[:4])


def _renumber(table: str, owner: str, prefix: str, suffix) -> None:
    """Give every row of `table` a number with one random code per `owner` (lead or firm)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f'SELECT id, {owner}, number, created_at FROM {table} ORDER BY id')).all()
    codes: dict[int, str] = {}
    used: set[str] = set()
    counts: dict[int, int] = {}
    versions = dict(bind.execute(sa.text('SELECT id, version FROM pack')).all()) if table == 'pack' else {}
    for row_id, owner_id, number, created_at in rows:
        if owner_id not in codes:
            code = ''
            while not code or code in used:
                code = ''.join(secrets.choice(ALPHABET) for _ in range(6))
            used.add(code)
            codes[owner_id] = code
        counts[owner_id] = counts.get(owner_id, 0) + 1
        tail = suffix(versions.get(row_id), counts[owner_id])
        bind.execute(sa.text(f'UPDATE {table} SET number = :number WHERE id = :id'),
                     {'number': f'{prefix}-{_year(number, created_at)}-{codes[owner_id]}-{tail}', 'id': row_id})


def _restore(table: str, owner: str, prefix: str, suffix) -> None:
    """The numbers as they were issued before: the owner's database id in five digits."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f'SELECT id, {owner}, number, created_at FROM {table} ORDER BY id')).all()
    versions = dict(bind.execute(sa.text('SELECT id, version FROM pack')).all()) if table == 'pack' else {}
    counts: dict[int, int] = {}
    for row_id, owner_id, number, created_at in rows:
        counts[owner_id] = counts.get(owner_id, 0) + 1
        tail = suffix(versions.get(row_id), counts[owner_id])
        bind.execute(sa.text(f'UPDATE {table} SET number = :number WHERE id = :id'),
                     {'number': f'{prefix}-{_year(number, created_at)}-{owner_id:05d}-{tail}', 'id': row_id})


def upgrade() -> None:
    _renumber('pack', 'lead_id', 'GS', lambda version, _n: f'V{version}')
    _renumber('policy_summary', 'firm_id', 'ZC', lambda _version, n: str(n))
    with op.batch_alter_table('pack', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_number'))
        batch_op.create_index(batch_op.f('ix_pack_number'), ['number'], unique=True)
    with op.batch_alter_table('policy_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_summary_number'), ['number'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('policy_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_summary_number'))
    with op.batch_alter_table('pack', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_number'))
        batch_op.create_index(batch_op.f('ix_pack_number'), ['number'], unique=False)
    _restore('pack', 'lead_id', 'GS', lambda version, _n: f'V{version}')
    _restore('policy_summary', 'firm_id', 'ZC', lambda _version, n: str(n))
