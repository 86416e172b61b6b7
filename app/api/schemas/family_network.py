"""Request and response shapes for a child's family network and family group decision-making."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, LongText, PageOf, ReadSchema, Schema
from app.api.schemas.families import PERSON_IN, PERSON_READ, PersonIn, PersonRead
from app.domain.families import Person
from app.domain.family_network import (
    FgdmMeeting,
    FgdmMeetingType,
    FgdmOffer,
    FgdmOfferStatus,
    NetworkMember,
    NetworkRelationship,
    NotOfferedReason,
)

NETWORK_MEMBER_IN = {
    "person": {**PERSON_IN, "given_name": "Margaret", "date_of_birth": "1958-04-02"},
    "child_person_ids": [ex.AVA],
    "relationship": "grandparent",
    "parental_responsibility": False,
    "agreed_role": "Collects Ava from school on Tuesdays and Thursdays",
    "added_on": "2026-02-02",
}


class NetworkMemberCreate(Schema):
    """Someone new to the service who is part of a child's network outside the household."""

    model_config = ConfigDict(json_schema_extra=ex.examples(NETWORK_MEMBER_IN))

    person: PersonIn = Field(description="Their details; contact details may be restricted.")
    child_person_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=20, description="The household's children whose network it is."
    )
    relationship: NetworkRelationship = Field(description="How they are related to the child.")
    parental_responsibility: bool = Field(
        default=False, description="Whether they hold parental responsibility."
    )
    agreed_role: LongText | None = Field(
        default=None, description="The part the family agreed they play."
    )
    added_on: CaseDate | None = Field(default=None, description="Since when; today by default.")

    def to_domain(self, family_id: uuid.UUID, today: date) -> tuple[NetworkMember, Person]:
        person = self.person.to_domain("person.")
        person = Person(**{**person.__dict__, "id": uuid.uuid4()})
        member = NetworkMember(
            id=uuid.uuid4(),
            family_id=family_id,
            person_id=person.id,
            child_person_ids=tuple(self.child_person_ids),
            relationship=self.relationship,
            parental_responsibility=self.parental_responsibility,
            added_on=self.added_on or today,
            agreed_role=self.agreed_role,
        )
        return member, person


class NetworkMemberEnd(Schema):
    """The day someone stopped being part of the child's network."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"ended_on": "2026-03-02"}))

    ended_on: CaseDate | None = Field(default=None, description="Today by default.")


class NetworkMemberRead(ReadSchema):
    """A member of a child's network, with their details (contact only if you may see it)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "id": "6b7c8d9e-0f1a-4b2c-8d3e-5f6a7b8c9d0e",
                "family_id": ex.FAMILY,
                "person": {**PERSON_READ, "given_name": "Margaret", "date_of_birth": "1958-04-02"},
                "child_person_ids": [ex.AVA],
                "relationship": "grandparent",
                "parental_responsibility": False,
                "agreed_role": "Collects Ava from school on Tuesdays and Thursdays",
                "added_on": "2026-02-02",
                "ended_on": None,
                "recorded_at": "2026-02-02T15:04:05Z",
                "version": 1,
            }
        )
    )

    id: uuid.UUID = Field(description="The network member's id.")
    family_id: uuid.UUID = Field(description="The household whose children's network it is.")
    person: PersonRead = Field(description="Who they are.")
    child_person_ids: list[uuid.UUID] = Field(description="The children whose network it is.")
    relationship: NetworkRelationship = Field(description="How they are related to the child.")
    parental_responsibility: bool = Field(description="Whether they hold parental responsibility.")
    agreed_role: str | None = Field(description="The part the family agreed they play.")
    added_on: date = Field(description="Since when they are part of the network.")
    ended_on: date | None = Field(description="When they stopped being part of it.")
    recorded_at: datetime | None = Field(description="When they were recorded.")
    version: int = Field(description='The record\'s version: its ETag is `"<version>"`.')

    @classmethod
    def from_domain(
        cls, member: NetworkMember, person: Person, *, may_see_restricted: bool
    ) -> NetworkMemberRead:
        return cls(
            id=member.id,
            family_id=member.family_id,
            person=PersonRead.from_domain(person, may_see_restricted=may_see_restricted),
            child_person_ids=list(member.child_person_ids),
            relationship=member.relationship,
            parental_responsibility=member.parental_responsibility,
            agreed_role=member.agreed_role,
            added_on=member.added_on,
            ended_on=member.ended_on,
            recorded_at=member.recorded_at,
            version=member.version,
        )


class NetworkPage(PageOf[NetworkMemberRead]):
    """A family's network, in order."""


FGDM_OFFER_IN = {
    "status": "awaiting_answer",
    "decided_on": "2026-02-03",
    "offered_to_person_ids": [ex.SARAH],
}


class FgdmOfferCreate(Schema):
    """FGDM offered (answered, or awaiting the family's answer), or a decision not to offer it."""

    model_config = ConfigDict(json_schema_extra=ex.examples(FGDM_OFFER_IN))

    status: FgdmOfferStatus = Field(
        description="awaiting_answer, accepted or declined for an offer made; not_offered for a "
        "decision not to offer (give not_offered_reason and explanation)."
    )
    decided_on: CaseDate = Field(description="The day it was offered, or decided not to.")
    offered_to_person_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=30,
        description="Household or network members it was offered to.",
    )
    answered_on: CaseDate | None = Field(
        default=None, description="For accepted or declined: the day the family answered."
    )
    not_offered_reason: NotOfferedReason | None = Field(
        default=None, description="For not_offered: why."
    )
    explanation: LongText | None = Field(default=None, description="In words a reviewer can check.")
    episode_id: uuid.UUID | None = Field(default=None, description="The episode it belongs to.")

    def to_domain(self, family_id: uuid.UUID, recorder: uuid.UUID) -> FgdmOffer:
        return FgdmOffer(
            id=uuid.uuid4(),
            family_id=family_id,
            episode_id=self.episode_id,
            status=self.status,
            decided_on=self.decided_on,
            decided_by_practitioner_id=recorder,
            offered_to_person_ids=tuple(self.offered_to_person_ids),
            answered_on=self.answered_on,
            not_offered_reason=self.not_offered_reason,
            explanation=self.explanation,
        )


class FgdmAnswer(Schema):
    """The family's answer to an FGDM offer."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"accepted": True, "answered_on": "2026-02-05"})
    )

    accepted: bool = Field(description="True if the family accepted the offer.")
    answered_on: CaseDate | None = Field(default=None, description="Today by default.")


class FgdmOfferRead(ReadSchema):
    """An FGDM offer, or a decision not to offer it."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                **FGDM_OFFER_IN,
                "id": "7c8d9e0f-1a2b-4c3d-8e4f-6a7b8c9d0e1f",
                "family_id": ex.FAMILY,
                "episode_id": None,
                "status": "accepted",
                "decided_by_practitioner_id": ex.LEAD,
                "answered_on": "2026-02-05",
                "not_offered_reason": None,
                "explanation": None,
                "recorded_at": "2026-02-03T10:00:00Z",
                "version": 2,
            }
        )
    )

    id: uuid.UUID = Field(description="The offer's id.")
    family_id: uuid.UUID = Field(description="The family.")
    episode_id: uuid.UUID | None = Field(description="The episode it belongs to, if any.")
    status: FgdmOfferStatus = Field(description="Where it stands.")
    decided_on: date = Field(description="The day it was offered, or decided not to.")
    decided_by_practitioner_id: uuid.UUID = Field(description="Who offered it, or decided not to.")
    offered_to_person_ids: list[uuid.UUID] = Field(description="Whom it was offered to.")
    answered_on: date | None = Field(description="When the family answered.")
    not_offered_reason: NotOfferedReason | None = Field(description="Why it was not offered.")
    explanation: str | None = Field(description="More about the decision.")
    recorded_at: datetime | None = Field(description="When it was recorded.")
    version: int = Field(description='The record\'s version: its ETag is `"<version>"`.')

    @classmethod
    def from_domain(cls, offer: FgdmOffer) -> FgdmOfferRead:
        return cls.model_validate(
            {**offer.__dict__, "offered_to_person_ids": list(offer.offered_to_person_ids)}
        )


class FgdmOfferPage(PageOf[FgdmOfferRead]):
    """A family's FGDM offers, in order."""


FGDM_MEETING_IN = {
    "held_on": "2026-02-20",
    "meeting_type": "family_group_conference",
    "coordinator_name": "Jo Baines, FGC service",
    "coordinator_independent": True,
    "private_family_time": True,
    "attendee_person_ids": [ex.SARAH],
    "family_plan": "Nan takes Ava to school on Tuesdays; Mum calls the school on bad days.",
    "plan_agreed": True,
}


class FgdmMeetingCreate(Schema):
    """A family-led meeting held: who coordinated, private family time, who came, the plan."""

    model_config = ConfigDict(json_schema_extra=ex.examples(FGDM_MEETING_IN))

    held_on: CaseDate = Field(description="The day it was held (not in the future).")
    meeting_type: FgdmMeetingType = Field(description="The kind of meeting.")
    coordinator_name: LongText = Field(min_length=1, description="Who coordinated it.")
    coordinator_independent: bool = Field(
        description="Whether the coordinator is independent of the case."
    )
    private_family_time: bool = Field(description="Whether the family had private time.")
    attendee_person_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="Household or network members who came."
    )
    attendee_practitioner_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Practitioners who came."
    )
    offer_id: uuid.UUID | None = Field(default=None, description="The accepted offer it follows.")
    family_plan: LongText | None = Field(default=None, description="The family's plan.")
    plan_agreed: bool = Field(default=False, description="Whether professionals agreed it.")

    def to_domain(self, family_id: uuid.UUID) -> FgdmMeeting:
        return FgdmMeeting(
            id=uuid.uuid4(),
            family_id=family_id,
            offer_id=self.offer_id,
            held_on=self.held_on,
            meeting_type=self.meeting_type,
            coordinator_name=self.coordinator_name,
            coordinator_independent=self.coordinator_independent,
            private_family_time=self.private_family_time,
            attendee_person_ids=tuple(self.attendee_person_ids),
            attendee_practitioner_ids=tuple(self.attendee_practitioner_ids),
            family_plan=self.family_plan,
            plan_agreed=self.plan_agreed,
        )


class FgdmMeetingRead(ReadSchema):
    """A family-led meeting."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                **FGDM_MEETING_IN,
                "id": "8d9e0f1a-2b3c-4d4e-8f5a-7b8c9d0e1f2a",
                "family_id": ex.FAMILY,
                "offer_id": "7c8d9e0f-1a2b-4c3d-8e4f-6a7b8c9d0e1f",
                "attendee_practitioner_ids": [ex.LEAD],
                "recorded_at": "2026-02-20T17:00:00Z",
            }
        )
    )

    id: uuid.UUID = Field(description="The meeting's id.")
    family_id: uuid.UUID = Field(description="The family.")
    offer_id: uuid.UUID | None = Field(description="The offer it follows.")
    held_on: date = Field(description="The day it was held.")
    meeting_type: FgdmMeetingType = Field(description="The kind of meeting.")
    coordinator_name: str = Field(description="Who coordinated it.")
    coordinator_independent: bool = Field(description="Whether the coordinator is independent.")
    private_family_time: bool = Field(description="Whether the family had private time.")
    attendee_person_ids: list[uuid.UUID] = Field(description="Family members who came.")
    attendee_practitioner_ids: list[uuid.UUID] = Field(description="Practitioners who came.")
    family_plan: str | None = Field(description="The family's plan.")
    plan_agreed: bool = Field(description="Whether professionals agreed it.")
    recorded_at: datetime | None = Field(description="When it was recorded.")

    @classmethod
    def from_domain(cls, meeting: FgdmMeeting) -> FgdmMeetingRead:
        return cls.model_validate(
            {
                **meeting.__dict__,
                "attendee_person_ids": list(meeting.attendee_person_ids),
                "attendee_practitioner_ids": list(meeting.attendee_practitioner_ids),
            }
        )


class FgdmMeetingPage(PageOf[FgdmMeetingRead]):
    """A family's FGDM meetings, in order."""
