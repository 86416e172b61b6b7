"""Keyword-only builders of valid domain objects for the episode, assessment, plan and TAF tests.

Each `make_*` returns a valid object; pass overrides to vary one thing per test.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from app.domain.access import Role
from app.domain.assessments import Assessment, Need, start_assessment_draft
from app.domain.calendar import DayBasis, WorkingCalendar
from app.domain.episodes import (
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaDecision,
    QaOutcome,
    RequestSource,
    open_episode,
)
from app.domain.plans import Action, FamilyPlan, Outcome, start_plan_draft
from app.domain.practitioners import Practitioner
from app.domain.taf import TafMember, add_family_member, add_practitioner_member
from app.domain.timeliness import (
    DayCountRule,
    FirstTafClockStart,
    PolicyHistory,
    ReviewWindowRule,
    TimelinessPolicy,
)

LEVELS = frozenset({"1", "2", "3", "4"})
HEADLINES = frozenset({"parenting", "domestic_abuse", "school_attendance", "housing"})
REQUESTED_ON = date(2025, 1, 6)  # a Monday
NO_HOLIDAYS = WorkingCalendar(frozenset())
CALENDAR = NO_HOLIDAYS

POLICY_V1 = TimelinessPolicy(version=1, effective_from=date(2000, 1, 1))
POLICY_HISTORY = PolicyHistory(versions=(POLICY_V1,))


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def make_policy(**overrides: Any) -> TimelinessPolicy:
    fields: dict[str, Any] = {
        "version": 1,
        "effective_from": date(2000, 1, 1),
        "assessment": DayCountRule(20, DayBasis.WORKING),
        "first_taf": DayCountRule(10, DayBasis.WORKING),
        "quality_assurance": DayCountRule(5, DayBasis.WORKING),
        "review": ReviewWindowRule(28, 42, DayBasis.CALENDAR),
        "first_taf_clock_start": FirstTafClockStart.APPROVAL,
    }
    fields.update(overrides)
    return TimelinessPolicy(**fields)


def make_two_version_history(switch_on: date = date(2025, 3, 1)) -> PolicyHistory:
    """Version 1 until `switch_on`, then version 2 with different day counts on every rule."""
    v1 = make_policy(version=1)
    v2 = make_policy(
        version=2,
        effective_from=switch_on,
        assessment=DayCountRule(15, DayBasis.CALENDAR),
        first_taf=DayCountRule(7, DayBasis.CALENDAR),
        quality_assurance=DayCountRule(3, DayBasis.CALENDAR),
        review=ReviewWindowRule(21, 35, DayBasis.CALENDAR),
        first_taf_clock_start=FirstTafClockStart.FIRST_REVIEW,
    )
    return PolicyHistory(versions=(v1, v2))


def make_episode(**overrides: Any) -> Episode:
    """A freshly requested episode with one child."""
    fields: dict[str, Any] = {
        "id": new_id(),
        "family_id": new_id(),
        "hub_id": new_id(),
        "source": RequestSource.SCHOOL,
        "level_of_need": "2",
        "allowed_levels": LEVELS,
        "lead_practitioner_id": new_id(),
        "child_person_ids": (new_id(),),
        "requested_on": REQUESTED_ON,
    }
    fields.update(overrides)
    return open_episode(**fields)


def make_qa_decision(**overrides: Any) -> QaDecision:
    fields: dict[str, Any] = {
        "outcome": QaOutcome.APPROVED,
        "decided_on": REQUESTED_ON,
        "officer_id": new_id(),
        "comments": "",
        "plan_version": 1,
    }
    fields.update(overrides)
    if fields["outcome"] is QaOutcome.RETURNED and not fields["comments"]:
        fields["comments"] = "Outcomes need a measure the family can see."
    return QaDecision(**fields)


def make_family_view(**overrides: Any) -> FamilyView:
    fields: dict[str, Any] = {
        "improved": FamilyLifeImproved.YES,
        "in_their_words": "We argue less and the children are back at school.",
    }
    fields.update(overrides)
    return FamilyView(**fields)


def episode_in_stage(
    stage: EpisodeStage,
    *,
    history: PolicyHistory = POLICY_HISTORY,
    calendar: WorkingCalendar = CALENDAR,
    **overrides: Any,
) -> Episode:
    """An episode walked through the process, day by day from the request, up to `stage`."""
    episode = make_episode(**overrides)
    day = episode.requested_on
    if stage is EpisodeStage.REQUESTED:
        return episode
    if stage is EpisodeStage.CLOSED:
        episode.close(day, ClosureReason.NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT, make_family_view())
        return episode
    episode.start_assessment(day, consent_given_on=day, policy_history=history, calendar=calendar)
    if stage is EpisodeStage.ASSESSING:
        return episode
    day += timedelta(days=7)
    episode.submit_plan_for_qa(
        day,
        assessment_completed=True,
        plan_has_outcomes=True,
        policy_history=history,
        calendar=calendar,
    )
    if stage is EpisodeStage.PLAN_AWAITING_QA:
        return episode
    day += timedelta(days=2)
    if stage is EpisodeStage.PLAN_RETURNED:
        episode.record_qa_decision(
            make_qa_decision(outcome=QaOutcome.RETURNED, decided_on=day), history, calendar
        )
        return episode
    episode.record_qa_decision(make_qa_decision(decided_on=day), history, calendar)
    if stage is EpisodeStage.PLAN_APPROVED:
        return episode
    day += timedelta(days=5)
    episode.hold_meeting(
        day, decision=MeetingDecision.CONTINUE_PLAN, policy_history=history, calendar=calendar
    )
    return episode


def make_need(**overrides: Any) -> Need:
    fields: dict[str, Any] = {
        "id": new_id(),
        "headline": "parenting",
        "description": "Bedtimes are a battle and mum feels she has no support.",
        "person_ids": (new_id(),),
    }
    fields.update(overrides)
    return Need(**fields)


def make_assessment(**overrides: Any) -> Assessment:
    """A draft assessment with one covered child, one strength and one need about that child."""
    child = overrides.pop("child_id", new_id())
    fields: dict[str, Any] = {
        "id": new_id(),
        "episode_id": new_id(),
        "started_on": REQUESTED_ON,
        "allowed_headlines": HEADLINES,
        "covered_person_ids": (child,),
        "strengths": ("Grandma lives nearby and helps after school.",),
        "needs": (make_need(person_ids=(child,)),),
        "child_voice": "I want to go to school with my friends.",
        "parents_view": "We need help with mornings.",
        "analysis": "Attendance has fallen since the move; routines at home are the key.",
    }
    fields.update(overrides)
    return start_assessment_draft(**fields)


def make_outcome(**overrides: Any) -> Outcome:
    fields: dict[str, Any] = {
        "id": new_id(),
        "description": "The children get to school on time every day.",
        "need_ids": (new_id(),),
        "measure": "School attendance register",
        "baseline_score": 3,
    }
    fields.update(overrides)
    return Outcome(**fields)


def make_action(**overrides: Any) -> Action:
    fields: dict[str, Any] = {
        "id": new_id(),
        "outcome_id": None,
        "description": "Set up a morning routine chart with the children.",
        "owner_taf_member_id": None,
        "owner_person_id": new_id(),
        "due_on": date(2025, 2, 1),
    }
    fields.update(overrides)
    return Action(**fields)


def make_plan(**overrides: Any) -> FamilyPlan:
    """A draft plan (number 1) with one outcome for one known need and one action for it."""
    need_id = overrides.pop("need_id", new_id())
    outcome = make_outcome(need_ids=(need_id,))
    fields: dict[str, Any] = {
        "id": new_id(),
        "episode_id": new_id(),
        "known_need_ids": {need_id},
        "outcomes": (outcome,),
        "actions": (make_action(outcome_id=outcome.id),),
    }
    fields.update(overrides)
    return start_plan_draft(**fields)


def make_practitioner_member(**overrides: Any) -> TafMember:
    fields: dict[str, Any] = {
        "id": new_id(),
        "episode_id": new_id(),
        "practitioner_id": new_id(),
        "agency_code": "SCHOOL-042",
        "role": "Designated safeguarding lead",
        "joined_on": REQUESTED_ON,
        "sharing_consent_in_force": True,
    }
    fields.update(overrides)
    return add_practitioner_member(**fields)


def make_family_member(**overrides: Any) -> TafMember:
    fields: dict[str, Any] = {
        "id": new_id(),
        "episode_id": new_id(),
        "person_id": new_id(),
        "role": "Parent",
        "joined_on": REQUESTED_ON,
    }
    fields.update(overrides)
    return add_family_member(**fields)


def make_practitioner(**overrides: Any) -> Practitioner:
    """An active admin of the council's early help team."""
    fields: dict[str, Any] = {
        "id": new_id(),
        "name": "Ada Admin",
        "email": "ada.admin@council.example",
        "agency_code": "COUNCIL_EH",
        "roles": frozenset({Role.ADMIN}),
    }
    fields.update(overrides)
    return Practitioner(**fields)
