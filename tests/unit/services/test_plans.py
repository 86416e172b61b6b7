"""The family plan's use cases on the in-memory unit of work: draft, quality assurance, revision
and the "do" stage; one commit each, refusals kept in the audit trail, no database."""

from __future__ import annotations

import uuid

import pytest

from app.domain.episodes import EpisodeStage, QaOutcome
from app.domain.errors import Conflict, Forbidden, IllegalTransition, InvalidValue, NotFound
from app.domain.plans import ActionStatus, FamilyPlan, PlanStatus
from app.services import plans
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


def assessed(world: World) -> Journey:
    return given_journey(world).up_to(EpisodeStage.ASSESSING).write_assessment()


def decide(journey: Journey, who: str, outcome: QaOutcome, comments: str = "") -> object:
    return plans.decide_quality_assurance(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        journey.episode_id,
        outcome=outcome,
        comments=comments,
        expected_version=journey.episode.version,
    )


def update_action(journey: Journey, who: str, action_id: uuid.UUID) -> FamilyPlan:
    assert journey.plan_id is not None
    return plans.update_action_status(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        journey.episode_id,
        journey.plan_id,
        action_id,
        ActionStatus.IN_PROGRESS,
        expected_version=journey.plan.version,
    ).value


class TestDrafting:
    def test_the_suggested_plan_and_its_audit_entry_commit_together(self, world: World) -> None:
        journey = assessed(world)
        with one_use_case(world) as kept:
            journey.draft_plan()
        assert journey.plan.status is PlanStatus.DRAFT
        assert [(e.action, e.outcome, e.resource_id) for e in kept] == [
            ("write_episode", "allowed", str(journey.plan_id))
        ]

    def test_a_second_plan_while_one_is_in_progress_is_refused(self, world: World) -> None:
        journey = assessed(world).draft_plan()
        with one_use_case(world) as kept, pytest.raises(Conflict):
            journey.draft_plan()
        assert list(world.uow.committed.plans) == [journey.plan_id]
        assert outcomes(kept) == [("write_episode", "refused", "plan_already_in_progress")]

    def test_an_action_owned_by_someone_outside_the_taf_is_refused(self, world: World) -> None:
        journey = assessed(world)
        stranger_seat = journey.make_action(owner_taf_member_id=uuid.uuid4())
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            journey.draft_plan(stranger_seat)
        assert refused.value.field == "actions[0].owner_taf_member_id"
        assert world.uow.committed.plans == {}
        assert outcomes(kept) == [("write_episode", "refused", "plan_action_owner_not_taf_member")]


class TestQualityAssurance:
    def test_submitting_sends_the_plan_and_meets_the_assessment_clock_in_one_commit(
        self, world: World
    ) -> None:
        journey = assessed(world).complete_assessment().draft_plan()
        with one_use_case(world) as kept:
            journey.submit()
        assert journey.episode.stage is EpisodeStage.PLAN_AWAITING_QA
        assert journey.plan.status is PlanStatus.SUBMITTED
        clock = journey.episode.assessment_deadline
        assert clock is not None
        assert clock.met_on == world.today
        assert outcomes(kept) == [("write_episode", "allowed", None)]

    def test_a_plan_submitted_while_another_awaits_review_is_refused(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_AWAITING_QA)
        version = journey.episode.version
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            journey.submit()
        assert journey.episode.version == version
        assert outcomes(kept) == [("write_episode", "refused", "plan_not_written")]

    def test_a_qa_officer_may_decide_only_plans_awaiting_review(self, world: World) -> None:
        journey = assessed(world).complete_assessment().draft_plan()
        answers = []
        for episode_id in (journey.episode_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                plans.decide_quality_assurance(
                    world.uow,
                    world.clock,
                    journey.as_("qa"),
                    episode_id,
                    outcome=QaOutcome.APPROVED,
                    comments="",
                    expected_version=1,
                )
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no episode with this id.",
                [("decide_qa", "denied", None)],
            )
        )
        assert journey.plan.status is PlanStatus.DRAFT

    def test_the_approval_is_the_signed_in_officers_and_then_the_plan_leaves_their_view(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_AWAITING_QA)
        with one_use_case(world) as kept:
            decide(journey, "qa", QaOutcome.APPROVED)
        assert journey.episode.stage is EpisodeStage.PLAN_APPROVED
        assert journey.plan.status is PlanStatus.APPROVED
        assert [d.officer_id for d in journey.plan.qa_decisions] == [world.people["qa"].id]
        assert journey.episode.first_taf_deadline is not None
        assert outcomes(kept) == [("decide_qa", "allowed", None)]
        assert journey.plan_id is not None
        with pytest.raises(NotFound):
            plans.get_plan(
                world.uow, world.clock, journey.as_("qa"), journey.episode_id, journey.plan_id
            )

    def test_a_plan_returned_without_comments_is_refused_and_stays_awaiting_review(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_AWAITING_QA)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            decide(journey, "qa", QaOutcome.RETURNED, comments="  ")
        assert refused.value.field == "comments"
        assert journey.plan.status is PlanStatus.SUBMITTED
        assert outcomes(kept) == [("decide_qa", "refused", "qa_return_comments_required")]

    def test_the_lead_may_read_the_plan_but_not_decide_on_it(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_AWAITING_QA)
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            decide(journey, "lead", QaOutcome.APPROVED)
        assert outcomes(kept) == [("decide_qa", "denied", None)]


class TestTheDoStage:
    def test_a_taf_member_updates_their_action_and_anothers_answers_as_an_unknown_one(
        self, world: World
    ) -> None:
        journey = assessed(world).complete_assessment()
        seat = journey.join("school")
        theirs = journey.make_action(owner_taf_member_id=seat.id)
        parents = journey.make_action(owner_person_id=journey.parent_id)
        journey.draft_plan(theirs, parents).submit().decide().meet()
        with one_use_case(world) as kept:
            update_action(journey, "school", theirs.id)
        assert [a.status for a in journey.plan.actions] == [
            ActionStatus.IN_PROGRESS,
            ActionStatus.NOT_STARTED,
        ]
        assert outcomes(kept) == [("update_assigned_action", "allowed", None)]
        answers = []
        for action_id in (parents.id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(Forbidden) as refused:
                update_action(journey, "school", action_id)
            answers.append((refused.value.detail, outcomes(kept)))
        # The member may read the episode, so both are a 403, and the same one.
        assert (
            answers[0]
            == answers[1]
            == (
                "You may not do this to this record.",
                [("update_assigned_action", "denied", None)],
            )
        )

    def test_actions_change_only_on_the_plan_the_taf_agreed(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.PLAN_APPROVED)
        (action,) = journey.plan.actions
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            update_action(journey, "lead", action.id)
        assert outcomes(kept) == [
            ("update_assigned_action", "refused", "action_progress_on_unagreed_plan")
        ]


class TestRevising:
    def test_the_agreed_plan_is_revised_once_at_a_time(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        assert journey.plan_id is not None

        def revise() -> object:
            assert journey.plan_id is not None
            return plans.revise_plan(
                world.uow, world.clock, journey.as_("lead"), journey.episode_id, journey.plan_id
            )

        with one_use_case(world) as kept:
            revised = revise()
        assert isinstance(revised, Named)
        revision = revised.value
        assert (revision.number, revision.status) == (2, PlanStatus.DRAFT)
        assert journey.plan.status is PlanStatus.AGREED
        assert [e.resource_id for e in kept] == [str(revision.id)]
        with one_use_case(world) as kept, pytest.raises(Conflict):
            revise()
        assert outcomes(kept) == [("write_episode", "refused", "plan_revision_already_in_progress")]
