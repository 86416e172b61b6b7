"""Needs on the case record with their outcomes and sustainment checks, and the support delivered."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import FamilyNeedRow, SupportDeliveredRow
from app.db.repositories.versioned import row_to_save
from app.domain.supporting_families import (
    Evidence,
    NeedOutcome,
    NeedRecord,
    OutcomeRecord,
    RecordedNeed,
    SupportDelivered,
    SustainmentCheck,
    SustainmentResult,
)
from app.services.ports import StoredNeed, StoredSupport


def _evidence_json(e: Evidence) -> dict[str, Any]:
    return {
        "source": e.source,
        "reference": e.reference,
        "recorded_by": str(e.recorded_by),
        "recorded_on": e.recorded_on.isoformat(),
    }


def _evidence(d: dict[str, Any]) -> Evidence:
    return Evidence(
        source=d["source"],
        reference=d["reference"],
        recorded_by=uuid.UUID(d["recorded_by"]),
        recorded_on=date.fromisoformat(d["recorded_on"]),
    )


def _sustainment_json(s: SustainmentCheck) -> dict[str, Any]:
    return {
        "due_on": s.due_on.isoformat(),
        "checked_on": s.checked_on.isoformat(),
        "result": s.result.value,
        "evidence": _evidence_json(s.evidence),
        "lapsed_on": s.lapsed_on.isoformat() if s.lapsed_on else None,
    }


def _sustainment(d: dict[str, Any]) -> SustainmentCheck:
    return SustainmentCheck(
        due_on=date.fromisoformat(d["due_on"]),
        checked_on=date.fromisoformat(d["checked_on"]),
        result=SustainmentResult(d["result"]),
        evidence=_evidence(d["evidence"]),
        lapsed_on=date.fromisoformat(d["lapsed_on"]) if d.get("lapsed_on") else None,
    )


def stored_need(row: Any) -> StoredNeed:
    """From a `FamilyNeedRow` or a row of its columns."""
    need = RecordedNeed(
        id=row.id,
        descriptor_code=row.descriptor_code,
        headline=row.headline,
        person_ids=tuple(uuid.UUID(p) for p in row.person_ids),
        identified_on=row.identified_on,
        emerged_later=row.emerged_later,
        evidence=_evidence(row.evidence),
    )
    outcome = OutcomeRecord(
        status=NeedOutcome(row.outcome_status),
        on=row.outcome_on,
        evidence=_evidence(row.outcome_evidence) if row.outcome_evidence else None,
    )
    record = NeedRecord(
        need=need,
        outcome=outcome,
        sustainment=_sustainment(row.sustainment) if row.sustainment else None,
    )
    return StoredNeed(
        record=record,
        episode_id=row.episode_id,
        family_id=row.family_id,
        version=row.version,
        outcome_recorded_at=row.outcome_recorded_at,
        recorded_at=row.created_at,
        sustainment_recorded_at=_instant(row.sustainment.get("recorded_at"))
        if row.sustainment
        else None,
    )


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


NEEDS_OF_EPISODES = (
    select(*FamilyNeedRow.__table__.columns)
    .where(one_of(FamilyNeedRow.episode_id, "episode_ids"))
    .order_by(FamilyNeedRow.identified_on, FamilyNeedRow.id)
)
"""Columns on the connection, not ORM objects: the worklist reads the needs of every closed episode
its lead has with a need achieved. Saving loads the row it changes (`row_to_save`)."""


class SqlNeedRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, need_id: uuid.UUID) -> StoredNeed | None:
        row = self._session.get(FamilyNeedRow, need_id)
        return stored_need(row) if row else None

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredNeed]:
        if not episode_ids:
            return []
        rows = self._session.connection().execute(
            NEEDS_OF_EPISODES, {"episode_ids": list(episode_ids)}
        )
        return [stored_need(r) for r in rows]

    def add(self, need: StoredNeed, *, at: datetime) -> None:
        row = FamilyNeedRow(id=need.record.need.id, created_at=at, updated_at=at)
        self._apply(row, need)
        self._session.add(row)
        self._session.flush()
        need.version = row.version

    def save(self, need: StoredNeed, *, at: datetime) -> None:
        row = row_to_save(self._session, FamilyNeedRow, need.record.need.id, need.version)
        self._apply(row, need)
        row.updated_at = at
        self._session.flush()
        need.version = row.version

    @staticmethod
    def _apply(row: FamilyNeedRow, stored: StoredNeed) -> None:
        need, outcome = stored.record.need, stored.record.outcome
        row.episode_id = stored.episode_id
        row.family_id = stored.family_id
        row.descriptor_code = need.descriptor_code
        row.headline = need.headline
        row.person_ids = [str(p) for p in need.person_ids]
        row.identified_on = need.identified_on
        row.emerged_later = need.emerged_later
        row.evidence = _evidence_json(need.evidence)
        row.outcome_status = outcome.status.value
        row.outcome_on = outcome.on
        row.outcome_evidence = _evidence_json(outcome.evidence) if outcome.evidence else None
        row.outcome_recorded_at = stored.outcome_recorded_at
        row.sustainment = (
            {
                **_sustainment_json(stored.record.sustainment),
                "recorded_at": stored.sustainment_recorded_at.isoformat()
                if stored.sustainment_recorded_at
                else None,
            }
            if stored.record.sustainment
            else None
        )

    def support_for(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredSupport]:
        if not episode_ids:
            return []
        rows = self._session.scalars(
            select(SupportDeliveredRow)
            .where(SupportDeliveredRow.episode_id.in_(list(episode_ids)))
            .order_by(SupportDeliveredRow.started_on, SupportDeliveredRow.id)
        )
        return [
            StoredSupport(
                id=r.id,
                episode_id=r.episode_id,
                support=SupportDelivered(
                    service=r.service,
                    provider=r.provider,
                    started_on=r.started_on,
                    ended_on=r.ended_on,
                ),
                # Support delivered is never changed once recorded: the row's creation is the
                # recording.
                recorded_at=r.created_at,
            )
            for r in rows
        ]

    def add_support(self, support: StoredSupport, *, at: datetime) -> None:
        s = support.support
        self._session.add(
            SupportDeliveredRow(
                id=support.id,
                episode_id=support.episode_id,
                service=s.service,
                provider=s.provider,
                started_on=s.started_on,
                ended_on=s.ended_on,
                created_at=at,
            )
        )
        self._session.flush()
