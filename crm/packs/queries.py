"""Pack lists: the filter a list is asked for (a lead's packs, a firm's, or all in scope), read once (from the
API's checked query, or given by the page it is shown on), and the statement built from it that the lead, firm
and pack pages, the workbench and the API all run."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from crm.core.access import scoped
from crm.core.args import id_arg
from crm.packs.models import Pack


@dataclass(frozen=True)
class PackFilter:
    """The packs of one lead and/or one firm (None: any)."""

    lead_id: int | None = None
    firm_id: int | None = None

    @classmethod
    def from_args(cls, args) -> PackFilter:
        """The filter in a query string or the API's checked query: an id no record can have is ignored."""
        return cls(lead_id=id_arg('lead_id', args), firm_id=id_arg('firm_id', args))


def list_statement(spec: PackFilter) -> Select:
    """The packs in the viewer's scope that `spec` selects, newest first: a lead's by version (the lead's own
    sequence), the others by when they were made."""
    stmt = scoped(select(Pack), Pack)
    if spec.lead_id is not None:
        stmt = stmt.where(Pack.lead_id == spec.lead_id)
    if spec.firm_id is not None:
        stmt = stmt.where(Pack.firm_id == spec.firm_id)
    newest = (Pack.version.desc(),) if spec.lead_id is not None else (Pack.created_at.desc(),)
    return stmt.order_by(*newest, Pack.id.desc())
