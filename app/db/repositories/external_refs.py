"""The source system's ids of imported records (issue 18 §3)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import ExternalRefRow, FamilyRow


class SqlExternalRefs:
    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, kind: str, external_ref: str) -> uuid.UUID | None:
        return self._session.scalar(
            select(ExternalRefRow.internal_id).where(
                ExternalRefRow.kind == kind, ExternalRefRow.external_ref == external_ref
            )
        )

    def refs_of(self, kind: str, internal_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not internal_ids:
            return {}
        rows = self._session.execute(
            select(ExternalRefRow.internal_id, ExternalRefRow.external_ref).where(
                ExternalRefRow.kind == kind, one_of(ExternalRefRow.internal_id, "ids")
            ),
            {"ids": list(internal_ids)},
        )
        return {row.internal_id: row.external_ref for row in rows}

    def add(self, kind: str, external_ref: str, internal_id: uuid.UUID) -> None:
        self._session.add(
            ExternalRefRow(kind=kind, external_ref=external_ref, internal_id=internal_id)
        )


def family_ids(
    session: Session, *, hub_id: uuid.UUID | None, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """A page of families in id order (the primary key's index), of one hub or all."""
    query = select(FamilyRow.id).order_by(FamilyRow.id).limit(limit)
    if hub_id is not None:
        query = query.where(FamilyRow.hub_id == hub_id)
    if after is not None:
        query = query.where(FamilyRow.id > after)
    return list(session.scalars(query))
