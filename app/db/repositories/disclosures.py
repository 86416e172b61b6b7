"""The disclosure log, newest decision last: a family's entries in (decided_on, id) order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import DisclosureRow
from app.domain.disclosures import (
    Disclosure,
    DisclosureDecision,
    LawfulBasis,
    NotSharingReason,
    RecipientType,
)
from app.domain.paging import Page, PageRequest, encode_cursor
from app.services.ports import DisclosureFilter


def _to_domain(row: DisclosureRow) -> Disclosure:
    return Disclosure(
        id=row.id,
        family_id=row.family_id,
        episode_id=row.episode_id,
        decision=DisclosureDecision(row.decision),
        decided_on=row.decided_on,
        recipient_name=row.recipient_name,
        recipient_type=RecipientType(row.recipient_type),
        recipient_agency_code=row.recipient_agency_code,
        information=row.information,
        purpose=row.purpose,
        person_ids=tuple(uuid.UUID(p) for p in row.person_ids),
        lawful_basis=LawfulBasis(row.lawful_basis) if row.lawful_basis else None,
        lawful_basis_detail=row.lawful_basis_detail,
        not_sharing_reason=(
            NotSharingReason(row.not_sharing_reason) if row.not_sharing_reason else None
        ),
        explanation=row.explanation,
        decided_by_practitioner_id=row.decided_by_practitioner_id,
        recorded_by_practitioner_id=row.recorded_by_practitioner_id,
        recorded_at=row.recorded_at,
    )


class SqlDisclosureRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, disclosure_id: uuid.UUID) -> Disclosure | None:
        row = self._session.get(DisclosureRow, disclosure_id)
        return None if row is None else _to_domain(row)

    def for_family(
        self, family_id: uuid.UUID, flt: DisclosureFilter, page: PageRequest
    ) -> Page[Disclosure]:
        stmt = (
            select(DisclosureRow)
            .where(DisclosureRow.family_id == family_id)
            .order_by(DisclosureRow.decided_on, DisclosureRow.id)
            .limit(page.limit + 1)
        )
        if flt.decision is not None:
            stmt = stmt.where(DisclosureRow.decision == flt.decision.value)
        if flt.lawful_basis is not None:
            stmt = stmt.where(DisclosureRow.lawful_basis == flt.lawful_basis.value)
        if flt.decided_from is not None:
            stmt = stmt.where(DisclosureRow.decided_on >= flt.decided_from)
        if flt.decided_to is not None:
            stmt = stmt.where(DisclosureRow.decided_on <= flt.decided_to)
        if flt.episode_id is not None:
            stmt = stmt.where(DisclosureRow.episode_id == flt.episode_id)
        after = page.after_key(date.fromisoformat, uuid.UUID)
        if after is not None:
            on, last_id = after
            stmt = stmt.where(
                (DisclosureRow.decided_on > on)
                | ((DisclosureRow.decided_on == on) & (DisclosureRow.id > last_id))
            )
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = encode_cursor((rows[-1].decided_on.isoformat(), rows[-1].id)) if more else None
        return Page(items=[_to_domain(r) for r in rows], next_cursor=cursor)

    def get_many(self, disclosure_ids: Sequence[uuid.UUID]) -> list[Disclosure]:
        """The entries named, in one statement, in (decided_on, id) order (the offline sync)."""
        if not disclosure_ids:
            return []
        rows = self._session.scalars(
            select(DisclosureRow)
            .where(one_of(DisclosureRow.id, "disclosure_ids"))
            .order_by(DisclosureRow.decided_on, DisclosureRow.id),
            {"disclosure_ids": list(disclosure_ids)},
        )
        return [_to_domain(r) for r in rows]

    def every_for_family(self, family_id: uuid.UUID) -> list[Disclosure]:
        rows = self._session.scalars(
            select(DisclosureRow)
            .where(DisclosureRow.family_id == family_id)
            .order_by(DisclosureRow.decided_on, DisclosureRow.id)
        )
        return [_to_domain(r) for r in rows]

    def add(self, disclosure: Disclosure) -> None:
        self._session.add(
            DisclosureRow(
                id=disclosure.id,
                family_id=disclosure.family_id,
                episode_id=disclosure.episode_id,
                decision=disclosure.decision.value,
                decided_on=disclosure.decided_on,
                recipient_name=disclosure.recipient_name,
                recipient_type=disclosure.recipient_type.value,
                recipient_agency_code=disclosure.recipient_agency_code,
                information=disclosure.information,
                purpose=disclosure.purpose,
                person_ids=[str(p) for p in disclosure.person_ids],
                lawful_basis=disclosure.lawful_basis.value if disclosure.lawful_basis else None,
                lawful_basis_detail=disclosure.lawful_basis_detail,
                not_sharing_reason=(
                    disclosure.not_sharing_reason.value if disclosure.not_sharing_reason else None
                ),
                explanation=disclosure.explanation,
                decided_by_practitioner_id=disclosure.decided_by_practitioner_id,
                recorded_by_practitioner_id=disclosure.recorded_by_practitioner_id,
                recorded_at=disclosure.recorded_at,
            )
        )
        self._session.flush()
