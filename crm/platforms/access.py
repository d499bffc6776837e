"""Who sees and edits which platform, building and unit: park managers only their own platforms;
leaders and officers see everything read-only (officers may later mark units 意向 for a lead); firm users none."""
from __future__ import annotations

from sqlalchemy import false, or_

from crm.auth.models import LEADER, OFFICER, PARK_MANAGER
from crm.core.access import object_rule, scope_rule
from crm.platforms.models import Building, MapPlace, MediaFile, Platform, Unit, UnitOutline

STAFF_READERS = (LEADER, OFFICER)


def _platform_clause(column, user):
    if user.role_code in STAFF_READERS:
        return None
    if user.role_code == PARK_MANAGER and user.platform_ids:
        return column.in_(user.platform_ids)
    return false()


@scope_rule(Platform)
def platform_scope(user):
    """Leaders and officers see every platform; park managers their own; firm users none."""
    return _platform_clause(Platform.id, user)


@scope_rule(Building)
def building_scope(user):
    return _platform_clause(Building.platform_id, user)


@scope_rule(Unit)
def unit_scope(user):
    return _platform_clause(Unit.platform_id, user)


@scope_rule(MediaFile)
def media_scope(user):
    return _platform_clause(MediaFile.platform_id, user)


@scope_rule(UnitOutline)
def outline_scope(user):
    return _platform_clause(UnitOutline.platform_id, user)


@scope_rule(MapPlace)
def map_place_scope(user):
    """Points of interest are public geography; a platform's and its buildings' places follow the platform."""
    clause = _platform_clause(MapPlace.platform_id, user)
    return None if clause is None else or_(MapPlace.platform_id.is_(None), clause)


def _own_or_read(user, action: str, platform_id: int) -> bool:
    mine = user.role_code == PARK_MANAGER and platform_id in user.platform_ids
    if action == 'view':
        return mine or user.role_code in STAFF_READERS
    return mine


@object_rule(Platform)
def platform_actions(user, action: str, platform: Platform) -> bool:
    """Park managers may edit their own platforms (buildings, units); staff may only view."""
    return _own_or_read(user, action, platform.id)


@object_rule(Building)
def building_actions(user, action: str, building: Building) -> bool:
    return _own_or_read(user, action, building.platform_id)


@object_rule(Unit)
def unit_actions(user, action: str, unit: Unit) -> bool:
    return _own_or_read(user, action, unit.platform_id)


@object_rule(MediaFile)
def media_actions(user, action: str, media: MediaFile) -> bool:
    return _own_or_read(user, action, media.platform_id)


@object_rule(UnitOutline)
def outline_actions(user, action: str, outline: UnitOutline) -> bool:
    return _own_or_read(user, action, outline.platform_id)
