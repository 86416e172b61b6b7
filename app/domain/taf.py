"""The Team Around the Family and its meetings.

Seed 004_dec79d85712017e0.txt:1522 (the TAF: "groups of professionals and volunteers who work
alongside the family … led by a Lead Practitioner but all members are active participants"),
004:1239 ("The family are integral to this meeting"), 004:1241 (reviews every 4-6 weeks, children
attend "where appropriate and if it isn't their feedback or voice should be shared in the
meeting"). A practitioner joins only under consent to share information with their agency
(004:1237 "support contacting other services"; seed-digest CON-2, AMB-9).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from app.domain.consents import Consent, ConsentPurpose, consent_in_force
from app.domain.episodes import Episode, EpisodeStage, MeetingDecision
from app.domain.errors import Conflict, ConsentRequired, IllegalTransition, InvalidValue
from app.domain.families import Family
from app.domain.plans import MAX_SCORE, MIN_SCORE, FamilyPlan, PlanStatus, is_valid_score
from app.domain.practitioners import Practitioner
from app.domain.step_dates import PreviousStep, check_not_in_future, check_step_order, happened_on


class TafMemberKind(StrEnum):
    """Professionals and volunteers, and the family themselves (seed 004:1522, 004:1239)."""

    PRACTITIONER = "practitioner"
    FAMILY_MEMBER = "family_member"


class ChildVoice(StrEnum):
    """How the child's voice was heard at the meeting (seed 004:1241; seed-digest REV-2)."""

    PRESENT = "present"
    SHARED = "shared"
    NOT_SHARED = "not_shared"


@dataclass
class TafMember:
    """A practitioner or a family member in an episode's TAF, from joining to leaving."""

    id: uuid.UUID
    episode_id: uuid.UUID
    kind: TafMemberKind
    practitioner_id: uuid.UUID | None
    agency_code: str | None
    role: str
    person_id: uuid.UUID | None
    joined_on: date
    left_on: date | None = None
    version: int = 1
    joined_recorded_at: datetime | None = None
    """When the joining was recorded, beside `joined_on` (issue 18 §1); the caller's timestamp."""
    left_recorded_at: datetime | None = None
    """When the leaving was recorded, beside `left_on`; null while the member is in the TAF."""

    def is_active_on(self, on: date) -> bool:
        """In the TAF on `on`: joined by then and not yet left (the leaving day is already out)."""
        return self.joined_on <= on and (self.left_on is None or on < self.left_on)

    def leave(self, on: date, *, recorded_at: datetime | None = None) -> None:
        """Record that the member left the TAF; the membership is kept as history."""
        if self.left_on is not None:
            raise IllegalTransition(
                f"This member already left the Team Around the Family on {self.left_on.isoformat()}.",
                code="taf_member_already_left",
            )
        check_step_order(
            on,
            field="left_on",
            follows=[PreviousStep(self.joined_on, "they joined the Team Around the Family")],
        )
        self.left_on = on
        self.left_recorded_at = recorded_at


def check_taf_open(episode: Episode) -> None:
    """The TAF works on an open episode; once it closes, nobody joins and no meeting is held."""
    if not episode.is_open:
        raise IllegalTransition(
            "The episode is closed; its Team Around the Family is closed too.",
            code="episode_closed",
        )


def joining_date(joined_on: date | None, today: date) -> date:
    """The day a member joins: today unless said, and never a day still to come."""
    return happened_on(joined_on, today=today, field="joined_on")


def leaving_date(left_on: date | None, today: date) -> date:
    """The day a member leaves: today unless said, and never a day still to come."""
    return happened_on(left_on, today=today, field="left_on")


def joining_id(
    kind: TafMemberKind, *, practitioner_id: uuid.UUID | None, person_id: uuid.UUID | None
) -> uuid.UUID:
    """Who joins: a practitioner by their directory id, a family member by their person id."""
    if kind is TafMemberKind.PRACTITIONER:
        if practitioner_id is None or person_id is not None:
            raise InvalidValue(
                "A practitioner member needs practitioner_id (and no person_id).",
                field="practitioner_id",
                code="taf_practitioner_member_fields",
            )
        return practitioner_id
    if person_id is None or practitioner_id is not None:
        raise InvalidValue(
            "A family member needs person_id (and no practitioner_id).",
            field="person_id",
            code="taf_family_member_fields",
        )
    return person_id


def active_practitioner(practitioner: Practitioner | None) -> Practitioner:
    """Only someone active in the council's directory joins a TAF as a practitioner."""
    if practitioner is None or not practitioner.active:
        raise InvalidValue(
            "There is no active practitioner with this id.",
            field="practitioner_id",
            code="practitioner_unknown",
        )
    return practitioner


def sharing_consent_covers(
    consents: Iterable[Consent], agency_code: str, days: Iterable[date]
) -> bool:
    """Consent to share with the agency (or with all TAF members) is in force on each of `days`:
    the day a practitioner joins and today (seed-digest AMB-9)."""
    records = list(consents)
    return all(
        consent_in_force(records, ConsentPurpose.INFORMATION_SHARING, day, agency_code) is not None
        for day in days
    )


def check_family_person(household: Family | None, person_id: uuid.UUID, on: date) -> None:
    """A family member of the TAF is a member of the household on the day they join."""
    if household is None or household.membership_of(person_id, on) is None:
        raise InvalidValue(
            "This person is not a member of the family.",
            field="person_id",
            code="taf_person_not_in_family",
        )


def add_practitioner_member(
    *,
    id: uuid.UUID,
    episode_id: uuid.UUID,
    practitioner_id: uuid.UUID,
    agency_code: str,
    role: str,
    joined_on: date,
    sharing_consent_in_force: bool,
    current_members: Iterable[TafMember] = (),
    agency_name: str | None = None,
) -> TafMember:
    """A practitioner joins the TAF, only with consent to share information with their agency.

    Seed 004:1237 ("explicit consent … to support contacting other services") and
    000_e891fe960014ee60.txt:765 (the assessment is shared "where there is consent"); the caller
    says whether sharing consent covering this agency, or all TAF members, is in force on `joined_on`
    (seed-digest AMB-9).
    """
    agency = _required(agency_code, "agency_code", "Name the practitioner's agency.")
    if not sharing_consent_in_force:
        raise ConsentRequired(
            f"Consent to share information with {agency_name or agency} (or with all TAF members)"
            " is not in force, so this practitioner cannot join the Team Around the Family; ask"
            " the family for consent to share first.",
            code="sharing_consent_not_in_force",
        )
    for member in current_members:
        if (
            member.episode_id == episode_id
            and member.practitioner_id == practitioner_id
            and member.left_on is None
        ):
            raise Conflict(
                "This practitioner is already in the Team Around the Family.",
                field="practitioner_id",
                code="taf_practitioner_already_member",
            )
    return TafMember(
        id=id,
        episode_id=episode_id,
        kind=TafMemberKind.PRACTITIONER,
        practitioner_id=practitioner_id,
        agency_code=agency,
        role=_required(role, "role", "Say what the practitioner's role in the TAF is."),
        person_id=None,
        joined_on=joined_on,
    )


def add_family_member(
    *,
    id: uuid.UUID,
    episode_id: uuid.UUID,
    person_id: uuid.UUID,
    role: str,
    joined_on: date,
    current_members: Iterable[TafMember] = (),
) -> TafMember:
    """A family member joins their own TAF; no sharing consent is needed for the family itself.

    Seed 004:1239: "The family are integral to this meeting"; 004:1521 outcomes are agreed with them.
    """
    for member in current_members:
        if (
            member.episode_id == episode_id
            and member.person_id == person_id
            and member.left_on is None
        ):
            raise Conflict(
                "This family member is already in the Team Around the Family.",
                field="person_id",
                code="taf_person_already_member",
            )
    return TafMember(
        id=id,
        episode_id=episode_id,
        kind=TafMemberKind.FAMILY_MEMBER,
        practitioner_id=None,
        agency_code=None,
        role=_required(role, "role", "Say who this family member is in the TAF (parent, child …)."),
        person_id=person_id,
        joined_on=joined_on,
    )


@dataclass(frozen=True)
class OutcomeProgress:
    """Where the family is on one plan outcome at a meeting, 0-10 like the baseline (004:1241)."""

    outcome_id: uuid.UUID
    score: int


@dataclass
class TafMeeting:
    """A TAF meeting: the first agrees the plan (004:1239), later ones review it (004:1241)."""

    id: uuid.UUID
    episode_id: uuid.UUID
    held_on: date
    is_first: bool
    attendee_member_ids: tuple[uuid.UUID, ...]
    family_present: bool
    child_voice: ChildVoice
    progress: tuple[OutcomeProgress, ...]
    decision: MeetingDecision
    next_review_on: date | None
    notes: str | None
    version: int = 1
    recorded_at: datetime | None = None
    """When the meeting was recorded, beside `held_on`, when it was held (issue 18 §1)."""


def record_meeting(
    *,
    id: uuid.UUID,
    episode_id: uuid.UUID,
    held_on: date,
    today: date,
    is_first: bool,
    attendee_member_ids: Sequence[uuid.UUID],
    members: Collection[TafMember],
    family_present: bool,
    child_voice: ChildVoice,
    progress: Sequence[OutcomeProgress],
    plan_outcome_ids: Collection[uuid.UUID],
    decision: MeetingDecision,
    next_review_on: date | None = None,
    notes: str | None = None,
) -> TafMeeting:
    """Validate and build the record of a TAF meeting that has taken place.

    Seed 004:1241: reviews "celebrate success, challenge each other where progress hasn't been made
    and [identify] what should happen next", with the child's voice present or shared. Progress is
    scored against the outcomes of the plan in force (`plan_outcome_ids`); attendees must be members
    of this episode's TAF on the day. `is_first` comes from `Episode.hold_meeting`.
    """
    check_not_in_future(held_on, today=today, field="held_on")
    attendees = tuple(attendee_member_ids)
    _check_attendees(attendees, members, episode_id, held_on)
    progress_tuple = tuple(progress)
    _check_progress(progress_tuple, plan_outcome_ids)
    if next_review_on is not None:
        if decision in (MeetingDecision.CLOSE, MeetingDecision.STEP_UP):
            raise InvalidValue(
                "No next review is set when the meeting decided to close or step up.",
                field="next_review_on",
                code="meeting_next_review_after_closing",
            )
        if next_review_on <= held_on:
            raise InvalidValue(
                "The next review must be after this meeting.",
                field="next_review_on",
                code="meeting_next_review_not_after",
            )
    return TafMeeting(
        id=id,
        episode_id=episode_id,
        held_on=held_on,
        is_first=is_first,
        attendee_member_ids=attendees,
        family_present=family_present,
        child_voice=child_voice,
        progress=progress_tuple,
        decision=decision,
        next_review_on=next_review_on,
        notes=(notes or "").strip() or None,
    )


def _check_attendees(
    attendees: tuple[uuid.UUID, ...],
    members: Collection[TafMember],
    episode_id: uuid.UUID,
    held_on: date,
) -> None:
    by_id = {m.id: m for m in members if m.episode_id == episode_id}
    seen: set[uuid.UUID] = set()
    for i, member_id in enumerate(attendees):
        if member_id in seen:
            raise InvalidValue(
                "The same attendee is listed twice.",
                field=f"attendee_member_ids[{i}]",
                code="meeting_attendee_repeated",
            )
        seen.add(member_id)
        member = by_id.get(member_id)
        if member is None or not member.is_active_on(held_on):
            raise InvalidValue(
                "An attendee was not a member of this Team Around the Family on the day of the "
                "meeting.",
                field=f"attendee_member_ids[{i}]",
                code="meeting_attendee_not_member",
            )


def _check_progress(
    progress: tuple[OutcomeProgress, ...], plan_outcome_ids: Collection[uuid.UUID]
) -> None:
    seen: set[uuid.UUID] = set()
    for i, item in enumerate(progress):
        if item.outcome_id not in plan_outcome_ids:
            raise InvalidValue(
                "Progress is scored against an outcome that is not in the family's plan.",
                field=f"progress[{i}].outcome_id",
                code="progress_outcome_not_in_plan",
            )
        if item.outcome_id in seen:
            raise InvalidValue(
                "The same outcome is scored twice.",
                field=f"progress[{i}].outcome_id",
                code="progress_outcome_repeated",
            )
        seen.add(item.outcome_id)
        if not is_valid_score(item.score):
            raise InvalidValue(
                f"A progress score must be a whole number from {MIN_SCORE} to {MAX_SCORE}.",
                field=f"progress[{i}].score",
                code="progress_score_out_of_range",
            )


def _required(value: str | None, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidValue(message, field=field_name, code="text_required")
    return text


@dataclass(frozen=True)
class Agreement:
    """What a meeting does to the family plan."""

    agrees: FamilyPlan | None
    """The plan the meeting agrees, if any."""
    replaces: FamilyPlan | None
    """The agreed plan that `agrees` supersedes."""
    in_force: FamilyPlan | None
    """The plan progress is scored against at the meeting."""


def agreement_at_meeting(
    episode: Episode, plans: Sequence[FamilyPlan], *, agrees_plan_id: uuid.UUID | None
) -> Agreement:
    """The plan a meeting agrees and the agreed plan it replaces.

    The first meeting agrees the plan quality assurance approved (seed 004:1239); a review agrees
    a revision only when the meeting says so. Progress is scored against the plan being agreed,
    or else the one the TAF works to.
    """
    agrees: FamilyPlan | None = None
    replaces: FamilyPlan | None = None
    if episode.stage is EpisodeStage.PLAN_APPROVED:
        approved = [p for p in plans if p.status is PlanStatus.APPROVED]
        if not approved:
            raise IllegalTransition(
                "There is no approved plan for the first TAF meeting to agree.",
                code="meeting_before_plan_approval",
            )
        agrees = approved[-1]
    elif episode.stage is EpisodeStage.ACTIVE and agrees_plan_id is not None:
        agrees = next((p for p in plans if p.id == agrees_plan_id), None)
        if agrees is None:
            raise InvalidValue(
                "This episode has no plan with this id.",
                field="agrees_plan_id",
                code="meeting_plan_unknown",
            )
        agreed = [p for p in plans if p.status is PlanStatus.AGREED]
        replaces = agreed[-1] if agreed else None
    in_force = agrees or next((p for p in reversed(plans) if p.status is PlanStatus.AGREED), None)
    return Agreement(agrees=agrees, replaces=replaces, in_force=in_force)
