"""Team Around the Family: its members over time and its meetings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import TafMeetingRow, TafMemberRow
from app.db.repositories.versioned import row_to_save
from app.domain.episodes import MeetingDecision
from app.domain.taf import ChildVoice, OutcomeProgress, TafMeeting, TafMember, TafMemberKind


def _member(row: TafMemberRow) -> TafMember:
    return TafMember(
        id=row.id,
        episode_id=row.episode_id,
        kind=TafMemberKind(row.kind),
        practitioner_id=row.practitioner_id,
        agency_code=row.agency_code,
        role=row.role,
        person_id=row.person_id,
        joined_on=row.joined_on,
        left_on=row.left_on,
        version=row.version,
        # A membership row is made when the joining is recorded.
        joined_recorded_at=row.created_at,
        left_recorded_at=row.left_recorded_at,
    )


class SqlTafRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def member(self, member_id: uuid.UUID) -> TafMember | None:
        row = self._session.get(TafMemberRow, member_id)
        return _member(row) if row else None

    def members(self, episode_id: uuid.UUID) -> list[TafMember]:
        rows = self._session.scalars(
            select(TafMemberRow)
            .where(TafMemberRow.episode_id == episode_id)
            .order_by(TafMemberRow.joined_on, TafMemberRow.id)
        )
        return [_member(r) for r in rows]

    def add_member(self, member: TafMember, *, at: datetime) -> None:
        row = TafMemberRow(id=member.id, created_at=at, updated_at=at)
        member.joined_recorded_at = at
        self._apply(row, member)
        self._session.add(row)
        self._session.flush()
        member.version = row.version

    def save_member(self, member: TafMember, *, at: datetime) -> None:
        row = row_to_save(self._session, TafMemberRow, member.id, member.version)
        self._apply(row, member)
        row.updated_at = at
        self._session.flush()
        member.version = row.version

    @staticmethod
    def _apply(row: TafMemberRow, m: TafMember) -> None:
        row.episode_id = m.episode_id
        row.kind = m.kind.value
        row.practitioner_id = m.practitioner_id
        row.agency_code = m.agency_code
        row.role = m.role
        row.person_id = m.person_id
        row.joined_on = m.joined_on
        row.left_on = m.left_on
        row.left_recorded_at = m.left_recorded_at

    def meetings(self, episode_id: uuid.UUID) -> list[TafMeeting]:
        return self.meetings_for([episode_id])

    def members_for(self, episode_ids: Sequence[uuid.UUID]) -> list[TafMember]:
        if not episode_ids:
            return []
        rows = self._session.scalars(
            select(TafMemberRow)
            .where(TafMemberRow.episode_id.in_(list(episode_ids)))
            .order_by(TafMemberRow.joined_on, TafMemberRow.id)
        )
        return [_member(r) for r in rows]

    def meetings_for(self, episode_ids: Sequence[uuid.UUID]) -> list[TafMeeting]:
        if not episode_ids:
            return []
        rows = self._session.scalars(
            select(TafMeetingRow)
            .where(TafMeetingRow.episode_id.in_(list(episode_ids)))
            .order_by(TafMeetingRow.held_on, TafMeetingRow.created_at, TafMeetingRow.id)
        )
        return [
            TafMeeting(
                id=r.id,
                episode_id=r.episode_id,
                held_on=r.held_on,
                is_first=r.is_first,
                attendee_member_ids=tuple(uuid.UUID(a) for a in r.attendee_member_ids),
                family_present=r.family_present,
                child_voice=ChildVoice(r.child_voice),
                progress=tuple(
                    OutcomeProgress(outcome_id=uuid.UUID(p["outcome_id"]), score=p["score"])
                    for p in r.progress
                ),
                decision=MeetingDecision(r.decision),
                next_review_on=r.next_review_on,
                notes=r.notes,
                # Meetings are never changed once recorded: the row's creation is the recording.
                recorded_at=r.created_at,
            )
            for r in rows
        ]

    def add_meeting(self, meeting: TafMeeting, *, at: datetime) -> None:
        self._session.add(
            TafMeetingRow(
                id=meeting.id,
                episode_id=meeting.episode_id,
                held_on=meeting.held_on,
                is_first=meeting.is_first,
                attendee_member_ids=[str(a) for a in meeting.attendee_member_ids],
                family_present=meeting.family_present,
                child_voice=meeting.child_voice.value,
                progress=[
                    {"outcome_id": str(p.outcome_id), "score": p.score} for p in meeting.progress
                ],
                decision=meeting.decision.value,
                next_review_on=meeting.next_review_on,
                notes=meeting.notes,
                created_at=at,
            )
        )
        meeting.recorded_at = at
        self._session.flush()
