"""Hubs and agencies: reference data every record points at."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AgencyRow, HubRow
from app.services.ports import Agency, Hub


def _hub(row: HubRow) -> Hub:
    return Hub(
        id=row.id, code=row.code, name=row.name, neighbourhood=row.neighbourhood, active=row.active
    )


class SqlReferenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def hubs(self, *, include_inactive: bool = False) -> list[Hub]:
        stmt = select(HubRow).order_by(HubRow.code)
        if not include_inactive:
            stmt = stmt.where(HubRow.active.is_(True))
        return [_hub(r) for r in self._session.scalars(stmt)]

    def hub(self, hub_id: uuid.UUID) -> Hub | None:
        row = self._session.get(HubRow, hub_id)
        return _hub(row) if row else None

    def hub_by_code(self, code: str) -> Hub | None:
        row = self._session.scalar(select(HubRow).where(HubRow.code == code))
        return _hub(row) if row else None

    def add_hub(self, hub: Hub) -> None:
        self._session.add(
            HubRow(
                id=hub.id,
                code=hub.code,
                name=hub.name,
                neighbourhood=hub.neighbourhood,
                active=hub.active,
            )
        )

    def agencies(self, *, include_inactive: bool = False) -> list[Agency]:
        stmt = select(AgencyRow).order_by(AgencyRow.code)
        if not include_inactive:
            stmt = stmt.where(AgencyRow.active.is_(True))
        return [
            Agency(code=r.code, name=r.name, kind=r.kind, active=r.active)
            for r in self._session.scalars(stmt)
        ]

    def agency_codes(self) -> set[str]:
        return set(self._session.scalars(select(AgencyRow.code).where(AgencyRow.active.is_(True))))

    def add_agency(self, agency: Agency) -> None:
        self._session.add(
            AgencyRow(code=agency.code, name=agency.name, kind=agency.kind, active=agency.active)
        )
