"""The early help assessment's use cases on the in-memory unit of work: write the draft against
the council's headline list, complete it, reassess; one commit each, refusals kept, no database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.assessments import Assessment, AssessmentStatus
from app.domain.episodes import EpisodeStage
from app.domain.errors import IllegalTransition, InvalidValue, NotFound
from app.services import assessments
from tests.unit.services.builders import (
    Journey,
    World,
    given_journey,
    given_world,
    one_use_case,
    outcomes,
)
from tests.unit.services.fakes import packaged_reference


@pytest.fixture
def world() -> World:
    return given_world()


def assessing(world: World) -> Journey:
    return given_journey(world).up_to(EpisodeStage.ASSESSING)


def complete(journey: Journey) -> object:
    assert journey.assessment_id is not None
    return assessments.complete_assessment(
        journey.world.uow,
        journey.world.clock,
        journey.as_("lead"),
        journey.episode_id,
        journey.assessment_id,
        expected_version=journey.assessment.version,
    )


def reassess(journey: Journey) -> object:
    return assessments.reassess(
        journey.world.uow, journey.world.clock, journey.as_("lead"), journey.episode_id
    )


class TestWritingTheDraft:
    def test_the_draft_and_its_audit_entry_commit_together(self, world: World) -> None:
        journey = assessing(world)
        with one_use_case(world) as kept:
            journey.write_assessment()
        assert [n.headline for n in journey.assessment.needs] == ["EDU"]
        assert journey.assessment.version == 2
        assert outcomes(kept) == [("write_episode", "allowed", None)]

    def test_a_need_under_a_headline_the_council_does_not_use_is_refused(self) -> None:
        # The council's list is reference data: without "EDU" on it, a school need is refused.
        shipped = packaged_reference()
        without_education = tuple(h for h in shipped.headlines if h.code != "EDU")
        world = given_world(replace(shipped, headlines=without_education))
        journey = assessing(world)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            journey.write_assessment(headline="EDU")
        assert (refused.value.detail, refused.value.field) == (
            "'EDU' is not a need headline this council uses.",
            "needs[0].headline",
        )
        assert journey.assessment.needs == ()
        assert outcomes(kept) == [("write_episode", "refused", "need_headline_unknown")]


class TestCompleting:
    def test_an_assessment_that_found_no_need_is_not_completed(self, world: World) -> None:
        journey = assessing(world)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            complete(journey)
        assert refused.value.field == "needs"
        assert journey.assessment.status is AssessmentStatus.DRAFT
        assert outcomes(kept) == [("write_episode", "refused", "assessment_needs_required")]

    def test_a_completed_assessment_is_the_record_of_what_was_found(self, world: World) -> None:
        journey = assessing(world).write_assessment()
        with one_use_case(world):
            complete(journey)
        assert journey.assessment.completed_on == world.today
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            journey.write_assessment(headline="HEALTH")
        assert [n.headline for n in journey.assessment.needs] == ["EDU"]
        assert outcomes(kept) == [("write_episode", "refused", "assessment_completed_is_final")]

    def test_a_closed_episodes_assessment_no_longer_changes(self, world: World) -> None:
        journey = assessing(world).write_assessment()
        journey.close()
        with one_use_case(world) as kept, pytest.raises(IllegalTransition) as refused:
            complete(journey)
        assert "closed" in refused.value.detail
        assert outcomes(kept) == [("write_episode", "refused", "episode_closed")]


class TestReassessing:
    def test_a_reassessment_is_drafted_from_the_completed_one_and_named_in_the_audit_entry(
        self, world: World
    ) -> None:
        journey = assessing(world).write_assessment().complete_assessment()
        world.later(30)
        with one_use_case(world) as kept:
            again = reassess(journey)
        assert isinstance(again, Assessment)
        assert (again.number, again.status, again.started_on) == (
            2,
            AssessmentStatus.DRAFT,
            world.today,
        )
        assert again.needs == journey.assessment.needs
        assert journey.assessment.status is AssessmentStatus.COMPLETED
        assert [(e.outcome, e.resource_id) for e in kept] == [("allowed", str(again.id))]

    @settings(max_examples=60, deadline=None)
    @given(days_after_completion=st.integers(-30, 60), waited=st.integers(0, 30))
    def test_a_reassessment_starts_on_its_day_between_the_completion_and_today(
        self, days_after_completion: int, waited: int
    ) -> None:
        world = given_world()
        journey = assessing(world).write_assessment().complete_assessment()
        completed_on = journey.assessment.completed_on
        assert completed_on is not None
        world.later(waited)
        started_on = completed_on + timedelta(days=days_after_completion)
        again: object
        with one_use_case(world) as kept:
            try:
                again = assessments.reassess(
                    world.uow,
                    world.clock,
                    journey.as_("lead"),
                    journey.episode_id,
                    started_on=started_on,
                )
            except InvalidValue as refused:
                again = refused
        if started_on > world.today:
            assert isinstance(again, InvalidValue)
            assert (again.code, again.field) == ("step_date_in_future", "started_on")
        elif started_on < completed_on:
            assert isinstance(again, InvalidValue)
            assert (again.code, again.field) == ("reassessment_before_completion", "started_on")
        else:
            assert isinstance(again, Assessment)
            assert (again.number, again.started_on) == (2, started_on)
        assert len(kept) == 1

    def test_a_draft_is_changed_not_reassessed(self, world: World) -> None:
        journey = assessing(world)
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            reassess(journey)
        assert len(world.uow.committed.assessments) == 1
        assert outcomes(kept) == [("write_episode", "refused", "reassessment_of_draft")]


class TestReading:
    def test_another_episodes_assessment_answers_as_an_unknown_one(self, world: World) -> None:
        ours, theirs = assessing(world), assessing(world)
        answers = []
        for assessment_id in (theirs.assessment_id, uuid.uuid4()):
            assert assessment_id is not None
            with one_use_case(world) as kept, pytest.raises(NotFound) as unknown:
                assessments.get_assessment(
                    world.uow, world.clock, ours.as_("lead"), ours.episode_id, assessment_id
                )
            answers.append((unknown.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "This episode has no assessment with this id.",
                [("read_episode", "refused", "not_found")],
            )
        )

    def test_an_episode_one_may_not_know_answers_as_an_unknown_one(self, world: World) -> None:
        journey = assessing(world)
        answers = []
        for episode_id in (journey.episode_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                assessments.list_assessments(
                    world.uow, world.clock, journey.as_("stranger"), episode_id
                )
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no episode with this id.",
                [("read_episode", "denied", None)],
            )
        )

    def test_a_taf_member_reads_the_assessment_while_consent_to_share_is_in_force(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        journey.join("school")
        with one_use_case(world) as kept:
            found = assessments.list_assessments(
                world.uow, world.clock, journey.as_("school"), journey.episode_id
            )
        assert [a.id for a in found] == [journey.assessment_id]
        assert outcomes(kept) == [("read_episode", "allowed", None)]
