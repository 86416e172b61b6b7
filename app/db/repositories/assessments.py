"""Early help assessments, one row per version (a reassessment is a new number)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AssessmentRow
from app.db.repositories.versioned import row_to_save
from app.domain.assessments import Assessment, AssessmentStatus, Need


def _need(data: dict[str, object]) -> Need:
    return Need(
        id=uuid.UUID(str(data["id"])),
        headline=str(data["headline"]),
        description=str(data["description"]),
        person_ids=tuple(uuid.UUID(str(p)) for p in data["person_ids"]),  # type: ignore[attr-defined]
    )


class SqlAssessmentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    @staticmethod
    def _domain(row: AssessmentRow) -> Assessment:
        return Assessment(
            id=row.id,
            episode_id=row.episode_id,
            number=row.number,
            status=AssessmentStatus(row.status),
            covered_person_ids=tuple(uuid.UUID(p) for p in row.covered_person_ids),
            strengths=tuple(row.strengths),
            needs=tuple(_need(n) for n in row.needs),
            child_voice=row.child_voice,
            parents_view=row.parents_view,
            analysis=row.analysis,
            started_on=row.started_on,
            completed_on=row.completed_on,
            started_recorded_at=row.started_recorded_at,
            completed_recorded_at=row.completed_recorded_at,
            version=row.version,
        )

    def get(self, assessment_id: uuid.UUID) -> Assessment | None:
        row = self._session.get(AssessmentRow, assessment_id)
        return self._domain(row) if row else None

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Assessment]:
        if not episode_ids:
            return []
        rows = self._session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.episode_id.in_(list(episode_ids)))
            .order_by(AssessmentRow.episode_id, AssessmentRow.number)
        )
        return [self._domain(r) for r in rows]

    def for_episode(self, episode_id: uuid.UUID) -> list[Assessment]:
        rows = self._session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.episode_id == episode_id)
            .order_by(AssessmentRow.number)
        )
        return [self._domain(r) for r in rows]

    def add(self, assessment: Assessment, *, at: datetime) -> None:
        row = AssessmentRow(id=assessment.id, created_at=at, updated_at=at)
        self._apply(row, assessment)
        self._session.add(row)
        self._session.flush()
        assessment.version = row.version

    def save(self, assessment: Assessment, *, at: datetime) -> None:
        row = row_to_save(self._session, AssessmentRow, assessment.id, assessment.version)
        self._apply(row, assessment)
        row.updated_at = at
        self._session.flush()
        assessment.version = row.version

    @staticmethod
    def _apply(row: AssessmentRow, a: Assessment) -> None:
        row.episode_id = a.episode_id
        row.number = a.number
        row.status = a.status.value
        row.covered_person_ids = [str(p) for p in a.covered_person_ids]
        row.strengths = list(a.strengths)
        row.needs = [
            {
                "id": str(n.id),
                "headline": n.headline,
                "description": n.description,
                "person_ids": [str(p) for p in n.person_ids],
            }
            for n in a.needs
        ]
        row.child_voice = a.child_voice
        row.parents_view = a.parents_view
        row.analysis = a.analysis
        row.started_on = a.started_on
        row.completed_on = a.completed_on
        row.started_recorded_at = a.started_recorded_at
        row.completed_recorded_at = a.completed_recorded_at
