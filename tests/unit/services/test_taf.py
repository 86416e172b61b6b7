"""The Team Around the Family's use cases on the in-memory unit of work: who joins (under consent
to share), who leaves, and its meetings (the first agrees the plan); one commit each, refusals
kept in the audit trail, no database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.domain.consents import ConsentPurpose
from app.domain.episodes import EpisodeStage, MeetingDecision
from app.domain.errors import Conflict, ConsentRequired, IllegalTransition, InvalidValue, NotFound
from app.domain.plans import PlanStatus
from app.domain.taf import ChildVoice, TafMember, TafMemberKind
from app.services import taf
from app.services.names import Named
from tests.unit.services.builders import (
    Journey,
    World,
    given_journey,
    given_world,
    one_use_case,
    outcomes,
)


@pytest.fixture
def world() -> World:
    return given_world()


def add(journey: Journey, joining: taf.Joining) -> TafMember:
    added = taf.add_member(
        journey.world.uow, journey.world.clock, journey.as_("lead"), journey.episode_id, joining
    )
    assert isinstance(added, Named)
    return added.value


def practitioner_joins(journey: Journey, who: str) -> taf.Joining:
    return taf.Joining(
        TafMemberKind.PRACTITIONER, "Attendance officer", journey.world.people[who].id
    )


def report(journey: Journey, **overrides: object) -> taf.MeetingReport:
    fields: dict[str, object] = {
        "held_on": journey.world.today,
        "attendee_member_ids": (),
        "family_present": True,
        "child_voice": ChildVoice.PRESENT,
        "progress": (),
        "decision": MeetingDecision.CONTINUE_PLAN,
    }
    fields.update(overrides)
    return taf.MeetingReport(**fields)  # type: ignore[arg-type]


def hold(journey: Journey, meeting: taf.MeetingReport) -> object:
    return taf.hold_meeting(
        journey.world.uow,
        journey.world.clock,
        journey.as_("lead"),
        journey.episode_id,
        meeting,
        expected_version=journey.episode.version,
    )


class TestJoining:
    def test_a_practitioner_joins_only_under_consent_to_share_with_their_agency(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        journey.consent(ConsentPurpose.INFORMATION_SHARING, "HOUSING")
        with one_use_case(world) as kept, pytest.raises(ConsentRequired):
            add(journey, practitioner_joins(journey, "school"))
        assert world.uow.committed.taf_members == {}
        assert outcomes(kept) == [("write_episode", "refused", "sharing_consent_not_in_force")]
        journey.consent(ConsentPurpose.INFORMATION_SHARING, "SCHOOL")
        with one_use_case(world) as kept:
            member = add(journey, practitioner_joins(journey, "school"))
        assert isinstance(member, TafMember)
        assert (member.agency_code, member.joined_on) == ("SCHOOL", world.today)
        assert [(e.outcome, e.resource_id) for e in kept] == [("allowed", str(member.id))]

    def test_a_practitioner_already_in_the_taf_does_not_join_twice(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        journey.join("school")
        with one_use_case(world) as kept, pytest.raises(Conflict) as refused:
            add(journey, practitioner_joins(journey, "school"))
        assert refused.value.field == "practitioner_id"
        assert len(world.uow.committed.taf_members) == 1
        assert outcomes(kept) == [("write_episode", "refused", "taf_practitioner_already_member")]

    def test_the_family_joins_its_own_taf_but_nobody_from_outside_the_household(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        with one_use_case(world):
            parent = add(
                journey,
                taf.Joining(TafMemberKind.FAMILY_MEMBER, "Mum", person_id=journey.parent_id),
            )
        assert isinstance(parent, TafMember)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            add(journey, taf.Joining(TafMemberKind.FAMILY_MEMBER, "Aunt", person_id=uuid.uuid4()))
        assert refused.value.field == "person_id"
        assert list(world.uow.committed.taf_members) == [parent.id]
        assert outcomes(kept) == [("write_episode", "refused", "taf_person_not_in_family")]

    def test_a_closed_episodes_taf_takes_nobody_new(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        journey.consent(ConsentPurpose.INFORMATION_SHARING, "SCHOOL")
        journey.close()
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            add(journey, practitioner_joins(journey, "school"))
        assert outcomes(kept) == [("write_episode", "refused", "episode_closed")]


class TestLeaving:
    def test_a_member_leaves_and_the_membership_stays_as_history(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        member = journey.join("school")
        world.later(14)
        with one_use_case(world) as kept:
            taf.member_leaves(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                member.id,
                left_on=None,
                expected_version=member.version,
            )
        assert world.uow.committed.taf_members[member.id].left_on == world.today
        assert outcomes(kept) == [("write_episode", "allowed", None)]

    def test_another_episodes_member_answers_as_an_unknown_one(self, world: World) -> None:
        ours = given_journey(world).up_to(EpisodeStage.ASSESSING)
        theirs = given_journey(world).up_to(EpisodeStage.ASSESSING)
        their_member = theirs.join("school")
        answers = []
        for member_id in (their_member.id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as unknown:
                taf.member_leaves(
                    world.uow,
                    world.clock,
                    ours.as_("lead"),
                    ours.episode_id,
                    member_id,
                    left_on=None,
                    expected_version=1,
                )
            answers.append((unknown.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "This Team Around the Family has no member with this id.",
                [("write_episode", "refused", "not_found")],
            )
        )
        assert world.uow.committed.taf_members[their_member.id].left_on is None


class TestMeetings:
    def test_the_first_meeting_agrees_the_approved_plan_and_activates_the_episode_at_once(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_APPROVED)
        world.later(5)
        with one_use_case(world) as kept:
            held = hold(journey, report(journey))
        assert isinstance(held, taf.HeldMeeting)
        assert held.meeting.is_first
        assert journey.episode.stage is EpisodeStage.ACTIVE
        assert (journey.plan.status, journey.plan.agreed_on) == (PlanStatus.AGREED, world.today)
        first_taf, review = journey.episode.first_taf_deadline, journey.episode.review_deadline
        assert first_taf is not None
        assert first_taf.met_on == world.today
        assert review is not None
        assert review.started_on == world.today
        assert [(e.outcome, e.resource_id) for e in kept] == [("allowed", str(held.meeting.id))]

    def test_no_meeting_is_held_before_quality_assurance_approves_the_plan(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_AWAITING_QA)
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            hold(journey, report(journey))
        assert world.uow.committed.meetings == {}
        assert journey.plan.status is PlanStatus.SUBMITTED
        assert outcomes(kept) == [("write_episode", "refused", "meeting_before_plan_approval")]

    def test_a_meeting_is_recorded_once_it_has_taken_place(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_APPROVED)
        tomorrow = report(journey, held_on=world.today + timedelta(days=1))
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            hold(journey, tomorrow)
        assert refused.value.field == "held_on"
        assert journey.episode.stage is EpisodeStage.PLAN_APPROVED
        assert outcomes(kept) == [("write_episode", "refused", "step_date_in_future")]

    def test_an_attendee_must_be_in_the_taf_on_the_day(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_APPROVED)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            hold(journey, report(journey, attendee_member_ids=(uuid.uuid4(),)))
        assert refused.value.field == "attendee_member_ids[0]"
        assert outcomes(kept) == [("write_episode", "refused", "meeting_attendee_not_member")]

    def test_an_episode_one_may_not_know_answers_as_an_unknown_one(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        answers = []
        for episode_id in (journey.episode_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                taf.list_meetings(world.uow, world.clock, journey.as_("stranger"), episode_id)
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no episode with this id.",
                [("read_episode", "denied", None)],
            )
        )
