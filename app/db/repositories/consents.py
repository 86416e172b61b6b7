"""Consent records and their agencies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import ConsentAgencyRow, ConsentRow
from app.db.repositories.versioned import row_to_save
from app.domain.consents import Consent, ConsentPurpose, RecordingMethod, SharingScope, Withdrawal

# Built once: the access rules read consents on every request.
_AGENCIES_OF = select(ConsentAgencyRow.consent_id, ConsentAgencyRow.agency_code).where(
    one_of(ConsentAgencyRow.consent_id, "consent_ids")
)
_CONSENTS_OF_FAMILIES = (
    select(*ConsentRow.__table__.columns, ConsentAgencyRow.agency_code)
    .outerjoin(ConsentAgencyRow, ConsentAgencyRow.consent_id == ConsentRow.id)
    .where(one_of(ConsentRow.family_id, "family_ids"))
    .order_by(ConsentRow.given_on, ConsentRow.id)
)
"""Consents with their agencies in one statement, a row per agency: every access check reads them.
Columns, not entities, read on the connection: loading ORM objects was a fifth of a sync's CPU."""


class SqlConsentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _to_domain(self, row: Any, agencies: frozenset[str]) -> Consent:
        """From a `ConsentRow`, or a row of its columns (the access check reads those)."""
        withdrawal = None
        if row.withdrawn_on is not None:
            withdrawal = Withdrawal(
                withdrawn_on=row.withdrawn_on,
                reason=row.withdrawal_reason or "",
                withdrawn_by_person_id=row.withdrawn_by_person_id,
                recorded_at=row.withdrawn_recorded_at,
            )
        return Consent(
            id=row.id,
            family_id=row.family_id,
            purpose=ConsentPurpose(row.purpose),
            given_by_person_id=row.given_by_person_id,
            given_on=row.given_on,
            method=RecordingMethod(row.method),
            on_behalf_of_person_ids=tuple(uuid.UUID(p) for p in row.on_behalf_of_person_ids),
            sharing_scope=SharingScope(row.sharing_scope) if row.sharing_scope else None,
            agency_codes=agencies,
            review_on=row.review_on,
            notes=row.notes,
            withdrawal=withdrawal,
            # A consent row is made when the consent is recorded.
            given_recorded_at=row.created_at,
            version=row.version,
        )

    def _agencies(self, consent_ids: list[uuid.UUID]) -> dict[uuid.UUID, frozenset[str]]:
        found: dict[uuid.UUID, set[str]] = {cid: set() for cid in consent_ids}
        if consent_ids:
            rows = self._session.execute(_AGENCIES_OF, {"consent_ids": consent_ids})
            for consent_id, code in rows:
                found[consent_id].add(code)
        return {cid: frozenset(codes) for cid, codes in found.items()}

    def get(self, consent_id: uuid.UUID) -> Consent | None:
        row = self._session.get(ConsentRow, consent_id)
        if row is None:
            return None
        return self._to_domain(row, self._agencies([row.id])[row.id])

    def for_family(self, family_id: uuid.UUID) -> list[Consent]:
        rows = list(
            self._session.scalars(
                select(ConsentRow)
                .where(ConsentRow.family_id == family_id)
                .order_by(ConsentRow.given_on, ConsentRow.id)
            )
        )
        agencies = self._agencies([r.id for r in rows])
        return [self._to_domain(r, agencies[r.id]) for r in rows]

    def for_families(self, family_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Consent]]:
        """Consents of many families in one query (the access rules ask for a whole page at once)."""
        if not family_ids:
            return {}
        rows: dict[uuid.UUID, Any] = {}
        agencies: dict[uuid.UUID, set[str]] = {}
        for selected in (
            self._session.connection()
            .execute(_CONSENTS_OF_FAMILIES, {"family_ids": family_ids})
            .all()  # fetched at once: row by row cost a tenth of a sync's CPU
        ):
            rows.setdefault(selected.id, selected)
            codes = agencies.setdefault(selected.id, set())
            if selected.agency_code is not None:
                codes.add(selected.agency_code)
        found: dict[uuid.UUID, list[Consent]] = {fid: [] for fid in family_ids}
        for consent_id, row in rows.items():  # in (given_on, id) order, as selected
            found[row.family_id].append(self._to_domain(row, frozenset(agencies[consent_id])))
        return found

    def add(self, consent: Consent, *, at: datetime) -> None:
        row = ConsentRow(id=consent.id, created_at=at, updated_at=at)
        self._apply(row, consent)
        self._session.add(row)
        self._session.flush()
        for code in sorted(consent.agency_codes):
            self._session.add(ConsentAgencyRow(consent_id=consent.id, agency_code=code))
        self._session.flush()
        consent.version = row.version

    def save(self, consent: Consent, *, at: datetime) -> None:
        row = row_to_save(self._session, ConsentRow, consent.id, consent.version)
        self._apply(row, consent)
        row.updated_at = at
        self._session.flush()
        consent.version = row.version

    @staticmethod
    def _apply(row: ConsentRow, consent: Consent) -> None:
        row.family_id = consent.family_id
        row.purpose = consent.purpose.value
        row.given_by_person_id = consent.given_by_person_id
        row.on_behalf_of_person_ids = [str(p) for p in consent.on_behalf_of_person_ids]
        row.sharing_scope = consent.sharing_scope.value if consent.sharing_scope else None
        row.method = consent.method.value
        row.given_on = consent.given_on
        row.review_on = consent.review_on
        row.notes = consent.notes
        if consent.withdrawal is not None:
            row.withdrawn_on = consent.withdrawal.withdrawn_on
            row.withdrawal_reason = consent.withdrawal.reason
            row.withdrawn_by_person_id = consent.withdrawal.withdrawn_by_person_id
            row.withdrawn_recorded_at = consent.withdrawal.recorded_at
