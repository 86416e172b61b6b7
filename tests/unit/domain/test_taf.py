"""The Team Around the Family: who joins, under what consent, and what a meeting records."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.access import Role
from app.domain.consents import (
    Consent,
    ConsentPurpose,
    RecordingMethod,
    SharingScope,
    Withdrawal,
)
from app.domain.episodes import EpisodeStage, MeetingDecision
from app.domain.errors import Conflict, ConsentRequired, IllegalTransition, InvalidValue
from app.domain.plans import FamilyPlan, PlanStatus
from app.domain.taf import (
    ChildVoice,
    OutcomeProgress,
    TafMeeting,
    TafMemberKind,
    active_practitioner,
    agreement_at_meeting,
    check_taf_open,
    joining_date,
    joining_id,
    leaving_date,
    record_meeting,
    sharing_consent_covers,
)
from tests.unit.domain.builders import (
    REQUESTED_ON,
    episode_in_stage,
    make_family_member,
    make_plan,
    make_practitioner,
    make_practitioner_member,
    make_qa_decision,
    new_id,
)

EPISODE = uuid.UUID(int=1)
HELD_ON = date(2025, 2, 3)
OUTCOME = uuid.UUID(int=7)


class TestMembers:
    def test_a_practitioner_joins_under_sharing_consent(self) -> None:
        member = make_practitioner_member(episode_id=EPISODE, agency_code=" HV-NORTH ")
        assert member.kind is TafMemberKind.PRACTITIONER
        assert member.agency_code == "HV-NORTH"
        assert member.person_id is None
        assert member.is_active_on(REQUESTED_ON)

    def test_a_practitioner_without_sharing_consent_is_refused(self) -> None:
        with pytest.raises(ConsentRequired) as caught:
            make_practitioner_member(agency_code="POLICE-NE", sharing_consent_in_force=False)
        assert caught.value.detail.startswith(
            "Consent to share information with POLICE-NE (or with all TAF members) is not in force"
        )

    def test_a_family_member_needs_no_sharing_consent(self) -> None:
        member = make_family_member(episode_id=EPISODE, role="Mum")
        assert member.kind is TafMemberKind.FAMILY_MEMBER
        assert member.practitioner_id is None

    def test_a_role_must_be_given(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_family_member(role=" ")
        assert caught.value.field == "role"

    def test_a_practitioner_already_in_the_taf_is_a_conflict(self) -> None:
        first = make_practitioner_member(episode_id=EPISODE)
        with pytest.raises(Conflict):
            make_practitioner_member(
                episode_id=EPISODE,
                practitioner_id=first.practitioner_id,
                current_members=[first],
            )

    def test_a_practitioner_who_left_can_rejoin(self) -> None:
        first = make_practitioner_member(episode_id=EPISODE)
        first.leave(date(2025, 2, 1))
        again = make_practitioner_member(
            episode_id=EPISODE,
            practitioner_id=first.practitioner_id,
            joined_on=date(2025, 3, 1),
            current_members=[first],
        )
        assert again.practitioner_id == first.practitioner_id

    def test_a_family_member_already_in_the_taf_is_a_conflict(self) -> None:
        first = make_family_member(episode_id=EPISODE)
        with pytest.raises(Conflict):
            make_family_member(
                episode_id=EPISODE, person_id=first.person_id, current_members=[first]
            )

    def test_leaving_ends_membership_from_that_day(self) -> None:
        member = make_family_member()
        member.leave(date(2025, 2, 1))
        assert member.is_active_on(date(2025, 1, 31))
        assert not member.is_active_on(date(2025, 2, 1))

    def test_leaving_before_joining_is_invalid(self) -> None:
        member = make_family_member()
        with pytest.raises(InvalidValue) as caught:
            member.leave(REQUESTED_ON - timedelta(days=1))
        assert caught.value.field == "left_on"
        assert member.left_on is None

    def test_leaving_twice_is_refused(self) -> None:
        member = make_family_member()
        member.leave(date(2025, 2, 1))
        with pytest.raises(IllegalTransition):
            member.leave(date(2025, 2, 2))
        assert member.left_on == date(2025, 2, 1)


def meeting(**overrides: Any) -> TafMeeting:
    mum = make_family_member(episode_id=EPISODE)
    school = make_practitioner_member(episode_id=EPISODE)
    fields: dict[str, Any] = {
        "id": new_id(),
        "episode_id": EPISODE,
        "held_on": HELD_ON,
        "today": HELD_ON,
        "is_first": True,
        "attendee_member_ids": [mum.id, school.id],
        "members": [mum, school],
        "family_present": True,
        "child_voice": ChildVoice.SHARED,
        "progress": [OutcomeProgress(OUTCOME, 5)],
        "plan_outcome_ids": {OUTCOME},
        "decision": MeetingDecision.CONTINUE_PLAN,
        "next_review_on": HELD_ON + timedelta(days=35),
        "notes": "  Mornings are calmer.  ",
    }
    fields.update(overrides)
    return record_meeting(**fields)


class TestMeetings:
    def test_a_meeting_records_progress_and_the_next_review(self) -> None:
        record = meeting()
        assert record.progress == (OutcomeProgress(OUTCOME, 5),)
        assert record.notes == "Mornings are calmer."
        assert record.next_review_on == date(2025, 3, 10)

    def test_a_meeting_cannot_be_recorded_in_the_future(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            meeting(today=HELD_ON - timedelta(days=1))
        assert caught.value.field == "held_on"

    @pytest.mark.parametrize("days", [0, -1])
    def test_the_next_review_comes_after_the_meeting(self, days: int) -> None:
        with pytest.raises(InvalidValue) as caught:
            meeting(next_review_on=HELD_ON + timedelta(days=days))
        assert caught.value.field == "next_review_on"

    @pytest.mark.parametrize("decision", [MeetingDecision.CLOSE, MeetingDecision.STEP_UP])
    def test_no_next_review_when_support_is_ending(self, decision: MeetingDecision) -> None:
        with pytest.raises(InvalidValue):
            meeting(decision=decision)
        assert meeting(decision=decision, next_review_on=None).decision is decision

    @pytest.mark.parametrize("score", [-1, 11])
    def test_a_score_outside_zero_to_ten_is_invalid(self, score: int) -> None:
        other = new_id()
        with pytest.raises(InvalidValue) as caught:
            meeting(
                progress=[OutcomeProgress(OUTCOME, 4), OutcomeProgress(other, score)],
                plan_outcome_ids={OUTCOME, other},
            )
        assert caught.value.field == "progress[1].score"

    def test_progress_on_an_outcome_not_in_the_plan_is_invalid(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            meeting(progress=[OutcomeProgress(new_id(), 4)])
        assert caught.value.field == "progress[0].outcome_id"

    def test_an_outcome_scored_twice_is_invalid(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            meeting(progress=[OutcomeProgress(OUTCOME, 4), OutcomeProgress(OUTCOME, 6)])
        assert caught.value.field == "progress[1].outcome_id"

    def test_an_attendee_must_be_in_the_taf_on_the_day(self) -> None:
        left = make_family_member(episode_id=EPISODE)
        left.leave(HELD_ON - timedelta(days=1))
        with pytest.raises(InvalidValue) as caught:
            meeting(attendee_member_ids=[left.id], members=[left])
        assert caught.value.field == "attendee_member_ids[0]"

    def test_an_attendee_from_another_episode_is_invalid(self) -> None:
        stranger = make_family_member()
        with pytest.raises(InvalidValue):
            meeting(attendee_member_ids=[stranger.id], members=[stranger])

    def test_the_childs_voice_may_be_recorded_as_not_shared(self) -> None:
        assert meeting(child_voice=ChildVoice.NOT_SHARED).child_voice is ChildVoice.NOT_SHARED


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(on=st.one_of(st.none(), days), today=days)
def test_members_join_and_leave_today_or_on_a_day_gone_by_never_ahead(
    on: date | None, today: date
) -> None:
    for rule, field in ((joining_date, "joined_on"), (leaving_date, "left_on")):
        if on is None or on <= today:
            assert rule(on, today) == (on or today)
        else:
            with pytest.raises(InvalidValue) as refused:
                rule(on, today)
            assert refused.value.field == field


class TestJoining:
    def test_a_practitioner_joins_by_directory_id_and_a_family_member_by_person_id(self) -> None:
        practitioner, person = new_id(), new_id()
        assert (
            joining_id(TafMemberKind.PRACTITIONER, practitioner_id=practitioner, person_id=None)
            == practitioner
        )
        assert (
            joining_id(TafMemberKind.FAMILY_MEMBER, practitioner_id=None, person_id=person)
            == person
        )

    @pytest.mark.parametrize(
        ("kind", "ids", "field"),
        [
            (TafMemberKind.PRACTITIONER, (None, None), "practitioner_id"),
            (TafMemberKind.PRACTITIONER, (new_id(), new_id()), "practitioner_id"),
            (TafMemberKind.FAMILY_MEMBER, (None, None), "person_id"),
            (TafMemberKind.FAMILY_MEMBER, (new_id(), new_id()), "person_id"),
        ],
    )
    def test_a_member_is_one_or_the_other(
        self, kind: TafMemberKind, ids: tuple[uuid.UUID | None, uuid.UUID | None], field: str
    ) -> None:
        with pytest.raises(InvalidValue) as refused:
            joining_id(kind, practitioner_id=ids[0], person_id=ids[1])
        assert refused.value.field == field

    def test_only_an_active_practitioner_joins(self) -> None:
        active = make_practitioner(roles=frozenset({Role.PRACTITIONER}))
        assert active_practitioner(active) is active
        for refused_one in (None, make_practitioner(active=False)):
            with pytest.raises(InvalidValue):
                active_practitioner(refused_one)

    def test_sharing_consent_must_cover_the_joining_day_and_today(self) -> None:
        consent = Consent(
            id=new_id(),
            family_id=new_id(),
            purpose=ConsentPurpose.INFORMATION_SHARING,
            given_by_person_id=new_id(),
            given_on=date(2025, 1, 10),
            method=RecordingMethod.WRITTEN,
            sharing_scope=SharingScope.NAMED_AGENCIES,
            agency_codes=frozenset({"SCHOOL"}),
        )
        assert sharing_consent_covers([consent], "SCHOOL", {date(2025, 1, 10), date(2025, 2, 1)})
        assert not sharing_consent_covers([consent], "POLICE", {date(2025, 2, 1)})
        assert not sharing_consent_covers([consent], "SCHOOL", {date(2025, 1, 9)})
        consent.withdraw(Withdrawal(withdrawn_on=date(2025, 1, 20), reason="Mum changed her mind"))
        assert not sharing_consent_covers(
            [consent], "SCHOOL", {date(2025, 1, 15), date(2025, 2, 1)}
        )

    def test_a_closed_episodes_taf_is_closed_too(self) -> None:
        check_taf_open(episode_in_stage(EpisodeStage.ACTIVE))
        with pytest.raises(IllegalTransition):
            check_taf_open(episode_in_stage(EpisodeStage.CLOSED))


def approved() -> FamilyPlan:
    plan = make_plan()
    plan.submit(HELD_ON, {n for o in plan.outcomes for n in o.need_ids})
    plan.record_qa_decision(make_qa_decision(decided_on=HELD_ON))
    return plan


def agreed() -> FamilyPlan:
    plan = approved()
    plan.agree(HELD_ON, known_need_ids={n for o in plan.outcomes for n in o.need_ids})
    return plan


class TestWhatAMeetingAgrees:
    def test_the_first_meeting_agrees_the_approved_plan(self) -> None:
        plan = approved()
        agreement = agreement_at_meeting(
            episode_in_stage(EpisodeStage.PLAN_APPROVED), [plan], agrees_plan_id=None
        )
        assert (agreement.agrees, agreement.replaces, agreement.in_force) == (plan, None, plan)

    def test_the_first_meeting_needs_an_approved_plan(self) -> None:
        with pytest.raises(IllegalTransition, match="no approved plan"):
            agreement_at_meeting(
                episode_in_stage(EpisodeStage.PLAN_APPROVED), [make_plan()], agrees_plan_id=None
            )

    def test_a_review_scores_the_agreed_plan_and_agrees_a_revision_only_when_asked(self) -> None:
        current = agreed()
        revision = current.revise(new_id(), HELD_ON)
        active = episode_in_stage(EpisodeStage.ACTIVE)
        review = agreement_at_meeting(active, [current, revision], agrees_plan_id=None)
        assert (review.agrees, review.replaces, review.in_force) == (None, None, current)
        agreeing = agreement_at_meeting(active, [current, revision], agrees_plan_id=revision.id)
        assert (agreeing.agrees, agreeing.replaces, agreeing.in_force) == (
            revision,
            current,
            revision,
        )
        assert current.status is PlanStatus.AGREED  # superseded only once the revision is agreed
        with pytest.raises(InvalidValue) as refused:
            agreement_at_meeting(active, [current], agrees_plan_id=new_id())
        assert refused.value.field == "agrees_plan_id"
