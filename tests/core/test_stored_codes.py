"""Codes stored as the office's own words (a unit's status, a lead's stage) are kept to their lists by the database
itself (CHECK constraints from the migrations), on each engine."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from crm.leads.models import Lead, Stage
from crm.platforms.models import Unit, UnitStatus


def test_a_status_or_stage_outside_its_list_is_refused_and_every_listed_one_is_kept(factories, db_session):
    unit = factories.unit(factories.building(factories.platform()))
    lead = factories.lead()
    refused = ((update(Unit).where(Unit.id == unit.id).values(status='出租'), 'ck_unit_status'),
               (update(Lead).where(Lead.id == lead.id).values(stage='成交'), 'ck_lead_stage'))
    for statement, constraint in refused:
        with pytest.raises(IntegrityError, match=constraint):
            with db_session.begin_nested():
                db_session.execute(statement)
    assert db_session.scalar(select(Unit.status).where(Unit.id == unit.id)) == UnitStatus.VACANT
    assert db_session.scalar(select(Lead.stage).where(Lead.id == lead.id)) == Stage.PROSPECT

    for status in UnitStatus:
        db_session.execute(update(Unit).where(Unit.id == unit.id).values(status=status.value))
        assert db_session.scalar(select(Unit.status).where(Unit.id == unit.id)) == status.value
    for stage in Stage:
        db_session.execute(update(Lead).where(Lead.id == lead.id).values(stage=stage.value))
        assert db_session.scalar(select(Lead.stage).where(Lead.id == lead.id)) == stage.value
