"""A child's family network outside the household, and family group decision-making (FGDM).

Families First §3.3 items 13-14 (P1; issue 20 §3): the Families First Partnership programme asks
councils to bring in the wider family early. Relatives and friends who do not live with the
child (a grandmother, an aunt, a family friend) are recorded as the child's network: how they
are related, whether they hold parental responsibility, the part the family agreed they play,
and their contact details under the same restriction rules as household members. A network
member may own a plan action. FGDM is offered to the family (or the reason it was not offered is
recorded); when a meeting is held its type, its coordinator (and whether independent of the
case), whether the family had private time, who came, and the plan the family made are kept.

Nothing here reads the clock: "today" is passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from app.domain.errors import Conflict, IllegalTransition, InvalidValue
from app.domain.families import Family, MemberRole, require_text
from app.domain.step_dates import check_not_in_future


class NetworkRelationship(StrEnum):
    """How a network member is related to the child."""

    GRANDPARENT = "grandparent"
    AUNT_OR_UNCLE = "aunt_or_uncle"
    ADULT_SIBLING = "adult_sibling"
    COUSIN = "cousin"
    NON_RESIDENT_PARENT = "non_resident_parent"
    STEP_PARENT = "step_parent"
    FAMILY_FRIEND = "family_friend"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"


@dataclass
class NetworkMember:
    """Someone in a child's network who does not live in the household."""

    id: uuid.UUID
    family_id: uuid.UUID
    person_id: uuid.UUID
    child_person_ids: tuple[uuid.UUID, ...]
    relationship: NetworkRelationship
    parental_responsibility: bool
    added_on: date
    agreed_role: str | None = None
    """The part the family agreed they play ("collects Ava from school on Tuesdays")."""
    ended_on: date | None = None
    recorded_at: datetime | None = None
    version: int = 1

    def is_active_on(self, on: date) -> bool:
        return self.added_on <= on and (self.ended_on is None or on < self.ended_on)

    def end(self, on: date, *, today: date) -> None:
        """No longer part of the network from `on` (the record stays)."""
        check_not_in_future(on, today=today, field="ended_on")
        if self.ended_on is not None:
            raise Conflict(
                "This person has already left the family's network.",
                field="ended_on",
                code="network_member_already_ended",
            )
        if on < self.added_on:
            raise InvalidValue(
                "A network member cannot leave before they were added.",
                field="ended_on",
                code="network_member_ended_before_added",
            )
        self.ended_on = on


def check_network_member(member: NetworkMember, *, household: Family, today: date) -> NetworkMember:
    """The member as kept (role trimmed), or the first reason they cannot be.

    The children named are children of the household; the person is not living in it (a
    household member belongs to the household, not to its network).
    """
    check_not_in_future(member.added_on, today=today, field="added_on")
    if not member.child_person_ids:
        raise InvalidValue(
            "Name the child or children this person is part of the network of.",
            field="child_person_ids",
            code="network_member_children_required",
        )
    if len(set(member.child_person_ids)) != len(member.child_person_ids):
        raise InvalidValue(
            "A child is named twice.",
            field="child_person_ids",
            code="network_member_child_repeated",
        )
    children = {m.person_id for m in household.memberships if m.role is MemberRole.CHILD}
    for index, child in enumerate(member.child_person_ids):
        if child not in children:
            raise InvalidValue(
                "A network is a child's: name children of this household.",
                field=f"child_person_ids[{index}]",
                code="network_member_not_a_child_of_household",
            )
    if household.membership_of(member.person_id, member.added_on) is not None:
        raise Conflict(
            "This person lives in the household: they are a member of it, not of its network.",
            field="person_id",
            code="network_member_in_household",
        )
    role = member.agreed_role.strip() if member.agreed_role else None
    return replace(member, agreed_role=role or None)


def network_person_ids(members: Collection[NetworkMember], on: date) -> set[uuid.UUID]:
    """The people in the family's network on `on`: who else may own a plan action."""
    return {m.person_id for m in members if m.is_active_on(on)}


# --- family group decision-making -----------------------------------------------------------------


class FgdmOfferStatus(StrEnum):
    """Where an offer of FGDM stands: awaiting the family's answer, accepted, declined, or not
    offered (with its reason)."""

    AWAITING_ANSWER = "awaiting_answer"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_OFFERED = "not_offered"


class NotOfferedReason(StrEnum):
    """Why FGDM was not offered."""

    NO_NETWORK_IDENTIFIED = "no_network_identified"
    NOT_SAFE_TO_INVOLVE_NETWORK = "not_safe_to_involve_network"
    RECENT_FGDM_HELD = "recent_fgdm_held"
    CHILD_OR_YOUNG_PERSON_VIEW = "child_or_young_person_view"
    OTHER = "other"


@dataclass
class FgdmOffer:
    id: uuid.UUID
    family_id: uuid.UUID
    status: FgdmOfferStatus
    decided_on: date
    """The day it was offered, or decided not to offer."""
    decided_by_practitioner_id: uuid.UUID
    episode_id: uuid.UUID | None = None
    offered_to_person_ids: tuple[uuid.UUID, ...] = ()
    answered_on: date | None = None
    not_offered_reason: NotOfferedReason | None = None
    explanation: str | None = None
    recorded_at: datetime | None = None
    version: int = 1

    def answer(self, *, accepted: bool, on: date, today: date) -> None:
        """The family's answer to an offer awaiting it."""
        if self.status is not FgdmOfferStatus.AWAITING_ANSWER:
            raise IllegalTransition(
                f"This offer is {self.status.value.replace('_', ' ')}: only an offer awaiting "
                "the family's answer can be answered.",
                code="fgdm_offer_not_awaiting_answer",
            )
        check_not_in_future(on, today=today, field="answered_on")
        if on < self.decided_on:
            raise InvalidValue(
                "The family cannot answer before the offer was made.",
                field="answered_on",
                code="fgdm_answer_before_offer",
            )
        self.status = FgdmOfferStatus.ACCEPTED if accepted else FgdmOfferStatus.DECLINED
        self.answered_on = on


def check_offer(offer: FgdmOffer, *, people: Collection[uuid.UUID], today: date) -> FgdmOffer:
    """An offer names whom it was made to (household or network members); a decision not to
    offer gives its reason and says why."""
    check_not_in_future(offer.decided_on, today=today, field="decided_on")
    if offer.status is FgdmOfferStatus.NOT_OFFERED:
        if offer.not_offered_reason is None:
            raise InvalidValue(
                "Say why FGDM was not offered.",
                field="not_offered_reason",
                code="fgdm_not_offered_reason_required",
            )
        if offer.offered_to_person_ids:
            raise InvalidValue(
                "FGDM was not offered, so it was offered to nobody.",
                field="offered_to_person_ids",
                code="fgdm_not_offered_to_people",
            )
        explanation = require_text(
            offer.explanation, "explanation", what="Why FGDM was not offered"
        )
        return replace(offer, explanation=explanation, answered_on=None)
    if offer.not_offered_reason is not None:
        raise InvalidValue(
            "A reason for not offering belongs to a decision not to offer.",
            field="not_offered_reason",
            code="fgdm_reason_on_offer",
        )
    if not offer.offered_to_person_ids:
        raise InvalidValue(
            "Name the family members FGDM was offered to.",
            field="offered_to_person_ids",
            code="fgdm_offered_to_required",
        )
    _check_people(offer.offered_to_person_ids, people, "offered_to_person_ids")
    if offer.status is not FgdmOfferStatus.AWAITING_ANSWER:
        if offer.answered_on is None:
            raise InvalidValue(
                "Give the day the family answered.",
                field="answered_on",
                code="fgdm_answered_on_required",
            )
        check_not_in_future(offer.answered_on, today=today, field="answered_on")
        if offer.answered_on < offer.decided_on:
            raise InvalidValue(
                "The family cannot answer before the offer was made.",
                field="answered_on",
                code="fgdm_answer_before_offer",
            )
    elif offer.answered_on is not None:
        raise InvalidValue(
            "An offer awaiting its answer has no answer date.",
            field="answered_on",
            code="fgdm_answered_on_while_awaiting",
        )
    return replace(offer, explanation=(offer.explanation or "").strip() or None)


class FgdmMeetingType(StrEnum):
    """The kind of family-led meeting."""

    FAMILY_GROUP_CONFERENCE = "family_group_conference"
    FAMILY_NETWORK_MEETING = "family_network_meeting"
    OTHER = "other"


@dataclass(frozen=True)
class FgdmMeeting:
    id: uuid.UUID
    family_id: uuid.UUID
    held_on: date
    meeting_type: FgdmMeetingType
    coordinator_name: str
    coordinator_independent: bool
    """An independent coordinator is not the family's lead practitioner or case holder."""
    private_family_time: bool
    attendee_person_ids: tuple[uuid.UUID, ...]
    offer_id: uuid.UUID | None = None
    attendee_practitioner_ids: tuple[uuid.UUID, ...] = ()
    family_plan: str | None = None
    """The plan the family made, in their words."""
    plan_agreed: bool = False
    """Whether the professionals agreed the family's plan."""
    recorded_at: datetime | None = None


def check_meeting(
    meeting: FgdmMeeting,
    *,
    people: Collection[uuid.UUID],
    offer: FgdmOffer | None,
    today: date,
) -> FgdmMeeting:
    """A meeting follows an accepted offer (when it names one), has family attendees, and a
    plan is agreed only when there is one."""
    check_not_in_future(meeting.held_on, today=today, field="held_on")
    coordinator = require_text(
        meeting.coordinator_name, "coordinator_name", what="The coordinator's name"
    )
    if offer is not None:
        if offer.status is not FgdmOfferStatus.ACCEPTED:
            raise IllegalTransition(
                "A meeting follows an offer the family accepted; this one is "
                f"{offer.status.value.replace('_', ' ')}.",
                code="fgdm_meeting_offer_not_accepted",
            )
        if meeting.held_on < (offer.answered_on or offer.decided_on):
            raise InvalidValue(
                "The meeting cannot be held before the family accepted the offer.",
                field="held_on",
                code="fgdm_meeting_before_acceptance",
            )
    if not meeting.attendee_person_ids:
        raise InvalidValue(
            "A family-led meeting has family attendees: name them.",
            field="attendee_person_ids",
            code="fgdm_meeting_attendees_required",
        )
    _check_people(meeting.attendee_person_ids, people, "attendee_person_ids")
    plan = (meeting.family_plan or "").strip() or None
    if meeting.plan_agreed and plan is None:
        raise InvalidValue(
            "Record the family's plan before saying it was agreed.",
            field="family_plan",
            code="fgdm_plan_agreed_without_plan",
        )
    return replace(meeting, coordinator_name=coordinator, family_plan=plan)


def _check_people(
    person_ids: tuple[uuid.UUID, ...], people: Collection[uuid.UUID], field: str
) -> None:
    if len(set(person_ids)) != len(person_ids):
        raise InvalidValue("A person is named twice.", field=field, code="fgdm_person_repeated")
    for index, person_id in enumerate(person_ids):
        if person_id not in people:
            raise InvalidValue(
                "Name members of the household or of the child's network.",
                field=f"{field}[{index}]",
                code="fgdm_person_not_family",
            )
