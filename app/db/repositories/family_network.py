"""A family's network members, its FGDM offers and its FGDM meetings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import FgdmMeetingRow, FgdmOfferRow, NetworkMemberRow
from app.db.repositories.versioned import row_to_save
from app.domain.family_network import (
    FgdmMeeting,
    FgdmMeetingType,
    FgdmOffer,
    FgdmOfferStatus,
    NetworkMember,
    NetworkRelationship,
    NotOfferedReason,
)


def _ids(values: list[str]) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(v) for v in values)


def _member(row: NetworkMemberRow) -> NetworkMember:
    return NetworkMember(
        id=row.id,
        family_id=row.family_id,
        person_id=row.person_id,
        child_person_ids=_ids(row.child_person_ids),
        relationship=NetworkRelationship(row.relationship),
        parental_responsibility=row.parental_responsibility,
        added_on=row.added_on,
        agreed_role=row.agreed_role,
        ended_on=row.ended_on,
        recorded_at=row.recorded_at,
        version=row.version,
    )


def _offer(row: FgdmOfferRow) -> FgdmOffer:
    return FgdmOffer(
        id=row.id,
        family_id=row.family_id,
        episode_id=row.episode_id,
        status=FgdmOfferStatus(row.status),
        decided_on=row.decided_on,
        decided_by_practitioner_id=row.decided_by_practitioner_id,
        offered_to_person_ids=_ids(row.offered_to_person_ids),
        answered_on=row.answered_on,
        not_offered_reason=NotOfferedReason(row.not_offered_reason)
        if row.not_offered_reason
        else None,
        explanation=row.explanation,
        recorded_at=row.recorded_at,
        version=row.version,
    )


def _meeting(row: FgdmMeetingRow) -> FgdmMeeting:
    return FgdmMeeting(
        id=row.id,
        family_id=row.family_id,
        offer_id=row.offer_id,
        held_on=row.held_on,
        meeting_type=FgdmMeetingType(row.meeting_type),
        coordinator_name=row.coordinator_name,
        coordinator_independent=row.coordinator_independent,
        private_family_time=row.private_family_time,
        attendee_person_ids=_ids(row.attendee_person_ids),
        attendee_practitioner_ids=_ids(row.attendee_practitioner_ids),
        family_plan=row.family_plan,
        plan_agreed=row.plan_agreed,
        recorded_at=row.recorded_at,
    )


class SqlFamilyNetworkRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- network members ---

    def members_of(self, family_id: uuid.UUID) -> list[NetworkMember]:
        rows = self._session.scalars(
            select(NetworkMemberRow)
            .where(NetworkMemberRow.family_id == family_id)
            .order_by(NetworkMemberRow.added_on, NetworkMemberRow.id)
        )
        return [_member(r) for r in rows]

    def members_many(self, member_ids: Sequence[uuid.UUID]) -> list[NetworkMember]:
        """The members named, in one statement, in the order they were added (the offline sync)."""
        if not member_ids:
            return []
        rows = self._session.scalars(
            select(NetworkMemberRow)
            .where(one_of(NetworkMemberRow.id, "member_ids"))
            .order_by(NetworkMemberRow.added_on, NetworkMemberRow.id),
            {"member_ids": list(member_ids)},
        )
        return [_member(r) for r in rows]

    def member(self, member_id: uuid.UUID) -> NetworkMember | None:
        row = self._session.get(NetworkMemberRow, member_id)
        return None if row is None else _member(row)

    def add_member(self, member: NetworkMember, *, at: datetime) -> None:
        row = NetworkMemberRow(id=member.id, created_at=at, updated_at=at, recorded_at=at)
        self._apply_member(row, member)
        self._session.add(row)
        self._session.flush()
        member.version = row.version
        member.recorded_at = at

    def save_member(self, member: NetworkMember, *, at: datetime) -> None:
        row = row_to_save(self._session, NetworkMemberRow, member.id, member.version)
        self._apply_member(row, member)
        row.updated_at = at
        self._session.flush()
        member.version = row.version

    @staticmethod
    def _apply_member(row: NetworkMemberRow, member: NetworkMember) -> None:
        row.family_id = member.family_id
        row.person_id = member.person_id
        row.child_person_ids = [str(c) for c in member.child_person_ids]
        row.relationship = member.relationship.value
        row.parental_responsibility = member.parental_responsibility
        row.agreed_role = member.agreed_role
        row.added_on = member.added_on
        row.ended_on = member.ended_on

    # --- FGDM offers ---

    def offers_of(self, family_id: uuid.UUID) -> list[FgdmOffer]:
        rows = self._session.scalars(
            select(FgdmOfferRow)
            .where(FgdmOfferRow.family_id == family_id)
            .order_by(FgdmOfferRow.decided_on, FgdmOfferRow.id)
        )
        return [_offer(r) for r in rows]

    def offers_many(self, offer_ids: Sequence[uuid.UUID]) -> list[FgdmOffer]:
        """The offers named, in one statement, in the order they were decided (the offline sync)."""
        if not offer_ids:
            return []
        rows = self._session.scalars(
            select(FgdmOfferRow)
            .where(one_of(FgdmOfferRow.id, "offer_ids"))
            .order_by(FgdmOfferRow.decided_on, FgdmOfferRow.id),
            {"offer_ids": list(offer_ids)},
        )
        return [_offer(r) for r in rows]

    def offer(self, offer_id: uuid.UUID) -> FgdmOffer | None:
        row = self._session.get(FgdmOfferRow, offer_id)
        return None if row is None else _offer(row)

    def add_offer(self, offer: FgdmOffer, *, at: datetime) -> None:
        row = FgdmOfferRow(id=offer.id, created_at=at, updated_at=at, recorded_at=at)
        self._apply_offer(row, offer)
        self._session.add(row)
        self._session.flush()
        offer.version = row.version
        offer.recorded_at = at

    def save_offer(self, offer: FgdmOffer, *, at: datetime) -> None:
        row = row_to_save(self._session, FgdmOfferRow, offer.id, offer.version)
        self._apply_offer(row, offer)
        row.updated_at = at
        self._session.flush()
        offer.version = row.version

    @staticmethod
    def _apply_offer(row: FgdmOfferRow, offer: FgdmOffer) -> None:
        row.family_id = offer.family_id
        row.episode_id = offer.episode_id
        row.status = offer.status.value
        row.decided_on = offer.decided_on
        row.decided_by_practitioner_id = offer.decided_by_practitioner_id
        row.offered_to_person_ids = [str(p) for p in offer.offered_to_person_ids]
        row.answered_on = offer.answered_on
        row.not_offered_reason = (
            offer.not_offered_reason.value if offer.not_offered_reason else None
        )
        row.explanation = offer.explanation

    # --- FGDM meetings ---

    def meetings_of(self, family_id: uuid.UUID) -> list[FgdmMeeting]:
        rows = self._session.scalars(
            select(FgdmMeetingRow)
            .where(FgdmMeetingRow.family_id == family_id)
            .order_by(FgdmMeetingRow.held_on, FgdmMeetingRow.id)
        )
        return [_meeting(r) for r in rows]

    def meetings_many(self, meeting_ids: Sequence[uuid.UUID]) -> list[FgdmMeeting]:
        """The meetings named, in one statement, in the order they were held (the offline sync)."""
        if not meeting_ids:
            return []
        rows = self._session.scalars(
            select(FgdmMeetingRow)
            .where(one_of(FgdmMeetingRow.id, "meeting_ids"))
            .order_by(FgdmMeetingRow.held_on, FgdmMeetingRow.id),
            {"meeting_ids": list(meeting_ids)},
        )
        return [_meeting(r) for r in rows]

    def add_meeting(self, meeting: FgdmMeeting, *, at: datetime) -> None:
        self._session.add(
            FgdmMeetingRow(
                id=meeting.id,
                family_id=meeting.family_id,
                offer_id=meeting.offer_id,
                held_on=meeting.held_on,
                meeting_type=meeting.meeting_type.value,
                coordinator_name=meeting.coordinator_name,
                coordinator_independent=meeting.coordinator_independent,
                private_family_time=meeting.private_family_time,
                attendee_person_ids=[str(p) for p in meeting.attendee_person_ids],
                attendee_practitioner_ids=[str(p) for p in meeting.attendee_practitioner_ids],
                family_plan=meeting.family_plan,
                plan_agreed=meeting.plan_agreed,
                recorded_at=at,
            )
        )
        self._session.flush()
