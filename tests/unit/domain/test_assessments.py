"""The early help assessment: drafting, completing, and reassessing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.assessments import (
    AssessmentStatus,
    check_may_complete,
    check_may_revise,
    reassessment,
    start_assessment_draft,
)
from app.domain.episodes import EpisodeStage
from app.domain.errors import IllegalTransition, InvalidValue
from tests.unit.domain.builders import (
    HEADLINES,
    REQUESTED_ON,
    episode_in_stage,
    make_assessment,
    make_need,
    new_id,
)

DONE_ON = REQUESTED_ON + timedelta(days=10)


class TestDrafting:
    def test_a_new_draft_is_number_one_and_can_be_empty(self) -> None:
        draft = start_assessment_draft(id=new_id(), episode_id=new_id(), started_on=REQUESTED_ON)
        assert draft.number == 1
        assert draft.status is AssessmentStatus.DRAFT
        assert draft.needs == ()
        assert draft.version == 1

    def test_revising_changes_only_the_fields_given(self) -> None:
        assessment = make_assessment()
        before_needs = assessment.needs
        assessment.revise(allowed_headlines=HEADLINES, analysis="  New analysis.  ")
        assert assessment.analysis == "New analysis."
        assert assessment.needs == before_needs

    def test_revising_can_clear_the_childs_voice(self) -> None:
        assessment = make_assessment()
        assessment.revise(allowed_headlines=HEADLINES, child_voice=None)
        assert assessment.child_voice is None

    def test_a_headline_the_council_does_not_use_is_refused(self) -> None:
        assessment = make_assessment()
        with pytest.raises(InvalidValue) as caught:
            assessment.revise(
                allowed_headlines=HEADLINES, needs=[make_need(), make_need(headline="gambling")]
            )
        assert caught.value.field == "needs[1].headline"

    def test_a_need_without_a_description_is_refused(self) -> None:
        assessment = make_assessment()
        with pytest.raises(InvalidValue) as caught:
            assessment.revise(allowed_headlines=HEADLINES, needs=[make_need(description=" ")])
        assert caught.value.field == "needs[0].description"

    def test_a_need_is_about_someone(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_assessment(needs=(make_need(person_ids=()),))
        assert caught.value.field == "needs[0].person_ids"

    def test_a_blank_strength_is_refused(self) -> None:
        assessment = make_assessment()
        with pytest.raises(InvalidValue) as caught:
            assessment.revise(allowed_headlines=HEADLINES, strengths=["Loving home", ""])
        assert caught.value.field == "strengths[1]"

    def test_a_refused_revision_changes_nothing(self) -> None:
        assessment = make_assessment()
        before = (assessment.strengths, assessment.needs, assessment.analysis)
        with pytest.raises(InvalidValue):
            assessment.revise(
                allowed_headlines=HEADLINES,
                strengths=["New strength"],
                needs=[make_need(headline="unknown")],
            )
        assert (assessment.strengths, assessment.needs, assessment.analysis) == before


class TestCompleting:
    def test_completing_records_the_date(self) -> None:
        assessment = make_assessment()
        assessment.complete(DONE_ON, HEADLINES)
        assert assessment.status is AssessmentStatus.COMPLETED
        assert assessment.completed_on == DONE_ON

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"covered_person_ids": ()}, "covered_person_ids"),
            ({"needs": ()}, "needs"),
            ({"analysis": None}, "analysis"),
            ({"analysis": "   "}, "analysis"),
        ],
    )
    def test_completing_needs_members_needs_and_analysis(
        self, overrides: dict[str, object], field: str
    ) -> None:
        assessment = make_assessment(**overrides)
        with pytest.raises(InvalidValue) as caught:
            assessment.complete(DONE_ON, HEADLINES)
        assert caught.value.field == field
        assert assessment.status is AssessmentStatus.DRAFT

    def test_a_need_for_someone_not_covered_is_refused_at_completion(self) -> None:
        assessment = make_assessment(needs=(make_need(person_ids=(new_id(),)),))
        with pytest.raises(InvalidValue) as caught:
            assessment.complete(DONE_ON, HEADLINES)
        assert caught.value.field == "needs[0].person_ids"

    def test_completing_before_starting_is_refused(self) -> None:
        assessment = make_assessment()
        with pytest.raises(InvalidValue) as caught:
            assessment.complete(REQUESTED_ON - timedelta(days=1), HEADLINES)
        assert caught.value.field == "completed_on"

    def test_a_completed_assessment_cannot_be_changed(self) -> None:
        assessment = make_assessment()
        assessment.complete(DONE_ON, HEADLINES)
        with pytest.raises(IllegalTransition) as caught:
            assessment.revise(allowed_headlines=HEADLINES, analysis="Second thoughts")
        assert "start a reassessment" in caught.value.detail.lower()
        with pytest.raises(IllegalTransition):
            assessment.complete(DONE_ON, HEADLINES)


class TestReassessing:
    def test_a_reassessment_is_the_next_number_and_carries_the_content_forward(self) -> None:
        assessment = make_assessment()
        assessment.complete(DONE_ON, HEADLINES)
        again = assessment.reassess(new_id(), date(2025, 4, 1))

        assert again.number == 2
        assert again.status is AssessmentStatus.DRAFT
        assert again.started_on == date(2025, 4, 1)
        assert again.completed_on is None
        assert again.id != assessment.id
        assert again.needs == assessment.needs
        assert again.episode_id == assessment.episode_id
        assert assessment.status is AssessmentStatus.COMPLETED

    def test_a_reassessment_can_then_be_revised_without_touching_the_original(self) -> None:
        assessment = make_assessment()
        assessment.complete(DONE_ON, HEADLINES)
        again = assessment.reassess(new_id(), date(2025, 4, 1))
        again.revise(allowed_headlines=HEADLINES, strengths=["Dad is back in work"])
        assert assessment.strengths != again.strengths

    def test_a_draft_cannot_be_reassessed(self) -> None:
        with pytest.raises(IllegalTransition):
            make_assessment().reassess(new_id(), DONE_ON)

    def test_a_reassessment_cannot_start_before_the_completion(self) -> None:
        assessment = make_assessment()
        assessment.complete(DONE_ON, HEADLINES)
        with pytest.raises(InvalidValue):
            assessment.reassess(new_id(), DONE_ON - timedelta(days=1))

    def test_need_ids_are_what_a_plan_may_refer_to(self) -> None:
        assessment = make_assessment()
        assert assessment.need_ids == {n.id for n in assessment.needs}


class TestTheEpisodeAroundIt:
    def test_the_latest_version_is_the_one_reassessed(self) -> None:
        first, second = make_assessment(), make_assessment()
        first.complete(DONE_ON, HEADLINES)
        second.complete(DONE_ON, HEADLINES)
        second = second.reassess(new_id(), DONE_ON)
        second.complete(DONE_ON, HEADLINES)
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        again = reassessment(episode, [first, second], new_id(), DONE_ON)
        assert (again.number, again.needs) == (3, second.needs)

    def test_there_is_nothing_to_reassess_before_the_assessment_starts(self) -> None:
        with pytest.raises(IllegalTransition) as refused:
            reassessment(episode_in_stage(EpisodeStage.REQUESTED), [], new_id(), DONE_ON)
        assert "moves to assessing" in refused.value.detail

    def test_a_closed_episode_takes_no_reassessment_and_its_assessment_stays_as_it_was(
        self,
    ) -> None:
        closed = episode_in_stage(EpisodeStage.CLOSED)
        completed = make_assessment()
        completed.complete(DONE_ON, HEADLINES)
        with pytest.raises(IllegalTransition, match="open a new episode"):
            reassessment(closed, [completed], new_id(), DONE_ON)
        with pytest.raises(IllegalTransition, match="can no longer change"):
            check_may_revise(closed)
        with pytest.raises(IllegalTransition, match="can no longer be completed"):
            check_may_complete(closed)
        open_episode = episode_in_stage(EpisodeStage.ASSESSING)
        check_may_revise(open_episode)
        check_may_complete(open_episode)
