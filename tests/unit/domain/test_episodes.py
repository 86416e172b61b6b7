"""The episode lifecycle: request, consent, assess, QA, first TAF, reviews, closure, and its clocks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from app.domain.calendar import DayBasis, WorkingCalendar
from app.domain.episodes import (
    CLOSURES_AFTER_WITHDRAWAL,
    CLOSURES_WITHOUT_FAMILY_VIEW,
    TRANSITIONS,
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaDecision,
    QaOutcome,
    RequestSource,
    is_reentry,
)
from app.domain.errors import (
    Conflict,
    ConsentRequired,
    DomainError,
    IllegalTransition,
    InvalidValue,
)
from app.domain.families import add_months
from app.domain.timeliness import (
    DayCountRule,
    Deadline,
    DeadlineKind,
    FirstTafClockStart,
    PolicyHistory,
)
from tests.unit.domain.builders import (
    CALENDAR,
    LEVELS,
    POLICY_HISTORY,
    REQUESTED_ON,
    episode_in_stage,
    make_episode,
    make_family_view,
    make_policy,
    make_qa_decision,
    make_two_version_history,
    new_id,
)

# Consent on Mon 2 Dec 2024 with the England and Wales Christmas bank holidays: seed-digest AMB-1.
XMAS = WorkingCalendar(frozenset({date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1)}))


def submit(episode: Episode, on: date, history: PolicyHistory = POLICY_HISTORY) -> None:
    episode.submit_plan_for_qa(
        on,
        assessment_completed=True,
        plan_has_outcomes=True,
        policy_history=history,
        calendar=CALENDAR,
    )


def meet(
    episode: Episode,
    on: date,
    decision: MeetingDecision = MeetingDecision.CONTINUE_PLAN,
    history: PolicyHistory = POLICY_HISTORY,
) -> bool:
    return episode.hold_meeting(on, decision=decision, policy_history=history, calendar=CALENDAR)


def assert_refused_unchanged(
    episode: Episode, action: Callable[[], object], error: type[DomainError]
) -> DomainError:
    before = copy.deepcopy(episode)
    with pytest.raises(error) as caught:
        action()
    assert episode == before
    return caught.value


class TestOpeningAnEpisode:
    def test_opening_records_the_first_level_and_lead(self) -> None:
        lead = new_id()
        episode = make_episode(lead_practitioner_id=lead, level_of_need="3", reason="School asked")

        assert episode.stage is EpisodeStage.REQUESTED
        assert episode.is_open
        assert episode.version == 1
        assert [(c.level, c.changed_on) for c in episode.level_history] == [("3", REQUESTED_ON)]
        assert episode.lead_history[0].practitioner_id == lead
        assert episode.lead_history[0].from_practitioner_id is None
        assert episode.lead_history[0].reason == "School asked"
        assert episode.current_deadlines() == []

    def test_an_episode_is_about_at_least_one_child(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_episode(child_person_ids=())
        assert caught.value.field == "child_person_ids"

    def test_a_child_named_twice_is_refused(self) -> None:
        child = new_id()
        with pytest.raises(InvalidValue) as caught:
            make_episode(child_person_ids=(child, child))
        assert caught.value.field == "child_person_ids"

    def test_a_level_the_council_does_not_use_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_episode(level_of_need="5")
        assert caught.value.field == "level_of_need"

    def test_a_step_down_from_social_care_keeps_its_reference(self) -> None:
        episode = make_episode(
            source=RequestSource.STEPPED_DOWN_FROM_SOCIAL_CARE,
            step_down_reference=" CSC-123 ",
            step_down_notes="Assessment closed below threshold.",
        )
        assert episode.step_down_reference == "CSC-123"

    def test_step_down_details_on_another_source_are_refused(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_episode(source=RequestSource.SCHOOL, step_down_reference="CSC-123")
        assert caught.value.field == "step_down_reference"

    def test_a_re_entry_links_the_previous_episode(self) -> None:
        previous = new_id()
        assert make_episode(previous_episode_id=previous).previous_episode_id == previous

    def test_an_episode_cannot_follow_itself(self) -> None:
        same = new_id()
        with pytest.raises(InvalidValue):
            make_episode(id=same, previous_episode_id=same)


class TestStartingTheAssessment:
    def test_consent_given_before_the_request_starts_the_clock_on_the_request_date(self) -> None:
        episode = make_episode()
        episode.start_assessment(
            REQUESTED_ON + timedelta(days=1),
            consent_given_on=REQUESTED_ON - timedelta(days=30),
            policy_history=POLICY_HISTORY,
            calendar=CALENDAR,
        )
        assert episode.assessment_deadline is not None
        assert episode.assessment_deadline.started_on == REQUESTED_ON
        assert episode.consent_given_on == REQUESTED_ON - timedelta(days=30)

    def test_assessing_a_family_without_consent_is_refused(self) -> None:
        episode = make_episode()
        error = assert_refused_unchanged(
            episode,
            lambda: episode.start_assessment(
                REQUESTED_ON,
                consent_given_on=None,
                policy_history=POLICY_HISTORY,
                calendar=CALENDAR,
            ),
            ConsentRequired,
        )
        assert "Consent to take part in early help is not in force" in error.detail

    def test_the_assessment_clock_starts_on_the_consent_date_and_skips_bank_holidays(
        self,
    ) -> None:
        episode = make_episode(requested_on=date(2024, 11, 28))
        episode.start_assessment(
            date(2024, 12, 3),
            consent_given_on=date(2024, 12, 2),
            policy_history=POLICY_HISTORY,
            calendar=XMAS,
        )

        assert episode.stage is EpisodeStage.ASSESSING
        assert episode.consent_given_on == date(2024, 12, 2)
        assert episode.assessment_deadline == Deadline(
            kind=DeadlineKind.ASSESSMENT,
            started_on=date(2024, 12, 2),
            due_on=date(2025, 1, 2),
            due_from=None,
            policy_version=1,
        )

    def test_the_assessment_clock_uses_the_policy_in_force_on_the_consent_date(self) -> None:
        history = make_two_version_history(switch_on=date(2025, 3, 1))
        episode = make_episode(requested_on=date(2025, 2, 25))
        episode.start_assessment(
            date(2025, 3, 3),
            consent_given_on=date(2025, 2, 28),
            policy_history=history,
            calendar=CALENDAR,
        )
        assert episode.assessment_deadline is not None
        assert episode.assessment_deadline.policy_version == 1

    def test_no_policy_in_force_leaves_the_episode_as_it_was(self) -> None:
        future_only = PolicyHistory((make_policy(effective_from=date(2030, 1, 1)),))
        episode = make_episode()
        assert_refused_unchanged(
            episode,
            lambda: episode.start_assessment(
                REQUESTED_ON,
                consent_given_on=REQUESTED_ON,
                policy_history=future_only,
                calendar=CALENDAR,
            ),
            InvalidValue,
        )

    def test_the_assessment_cannot_start_before_consent(self) -> None:
        episode = make_episode()
        with pytest.raises(InvalidValue) as caught:
            episode.start_assessment(
                REQUESTED_ON,
                consent_given_on=REQUESTED_ON + timedelta(days=1),
                policy_history=POLICY_HISTORY,
                calendar=CALENDAR,
            )
        assert caught.value.field == "consent_given_on"

    def test_the_assessment_cannot_start_twice(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        error = assert_refused_unchanged(
            episode,
            lambda: episode.start_assessment(
                REQUESTED_ON,
                consent_given_on=REQUESTED_ON,
                policy_history=POLICY_HISTORY,
                calendar=CALENDAR,
            ),
            IllegalTransition,
        )
        assert "(the episode is being assessed)" in error.detail


class TestSubmittingThePlanForQualityAssurance:
    def test_the_first_submission_meets_the_assessment_clock_and_starts_qa(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        submit(episode, date(2025, 1, 20))

        assert episode.stage is EpisodeStage.PLAN_AWAITING_QA
        assert episode.assessment_deadline is not None
        assert episode.assessment_deadline.met_on == date(2025, 1, 20)
        assert episode.quality_assurance_deadline is not None
        assert episode.quality_assurance_deadline.started_on == date(2025, 1, 20)
        assert episode.quality_assurance_deadline.due_on == date(2025, 1, 27)

    def test_a_resubmission_does_not_move_the_assessment_end_date(self) -> None:
        episode = episode_in_stage(EpisodeStage.PLAN_RETURNED)
        first_met = episode.assessment_deadline
        submit(episode, date(2025, 2, 3))

        assert episode.assessment_deadline == first_met
        assert episode.quality_assurance_deadline is not None
        assert episode.quality_assurance_deadline.started_on == date(2025, 2, 3)
        assert episode.quality_assurance_deadline.met_on is None

    def test_no_qa_clock_runs_when_the_council_has_none(self) -> None:
        history = PolicyHistory(
            (make_policy(quality_assurance=DayCountRule(5, DayBasis.WORKING, enabled=False)),)
        )
        episode = episode_in_stage(EpisodeStage.ASSESSING, history=history)
        submit(episode, date(2025, 1, 20), history)
        assert episode.quality_assurance_deadline is None

    def test_an_unfinished_assessment_cannot_go_to_quality_assurance(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        error = assert_refused_unchanged(
            episode,
            lambda: episode.submit_plan_for_qa(
                date(2025, 1, 20),
                assessment_completed=False,
                plan_has_outcomes=True,
                policy_history=POLICY_HISTORY,
                calendar=CALENDAR,
            ),
            IllegalTransition,
        )
        assert "assessment is completed" in error.detail

    def test_a_plan_without_outcomes_cannot_go_to_quality_assurance(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        error = assert_refused_unchanged(
            episode,
            lambda: episode.submit_plan_for_qa(
                date(2025, 1, 20),
                assessment_completed=True,
                plan_has_outcomes=False,
                policy_history=POLICY_HISTORY,
                calendar=CALENDAR,
            ),
            IllegalTransition,
        )
        assert "at least one outcome" in error.detail

    @pytest.mark.parametrize(
        "stage",
        [
            EpisodeStage.REQUESTED,
            EpisodeStage.PLAN_AWAITING_QA,
            EpisodeStage.PLAN_APPROVED,
            EpisodeStage.ACTIVE,
        ],
    )
    def test_submitting_from_the_wrong_stage_is_refused(self, stage: EpisodeStage) -> None:
        episode = episode_in_stage(stage)
        error = assert_refused_unchanged(
            episode, lambda: submit(episode, date(2025, 3, 1)), IllegalTransition
        )
        assert f"(the episode is {stage.words})" in error.detail


class TestQualityAssuranceDecisions:
    def test_approval_starts_the_first_taf_clock_on_the_approval_date(self) -> None:
        episode = episode_in_stage(EpisodeStage.PLAN_AWAITING_QA)
        episode.record_qa_decision(
            make_qa_decision(decided_on=date(2025, 1, 15)), POLICY_HISTORY, CALENDAR
        )

        assert episode.stage is EpisodeStage.PLAN_APPROVED
        assert episode.quality_assurance_deadline is not None
        assert episode.quality_assurance_deadline.met_on == date(2025, 1, 15)
        assert episode.first_taf_deadline is not None
        assert episode.first_taf_deadline.started_on == date(2025, 1, 15)
        assert episode.first_taf_deadline.due_on == date(2025, 1, 29)

    def test_a_first_review_policy_counts_from_the_first_qa_decision(self) -> None:
        history = PolicyHistory(
            (make_policy(first_taf_clock_start=FirstTafClockStart.FIRST_REVIEW),)
        )
        episode = episode_in_stage(EpisodeStage.PLAN_RETURNED, history=history)
        first_review = episode.qa_decisions[0].decided_on
        submit(episode, date(2025, 1, 20), history)
        episode.record_qa_decision(
            make_qa_decision(decided_on=date(2025, 1, 22)), history, CALENDAR
        )

        assert episode.first_taf_deadline is not None
        assert episode.first_taf_deadline.started_on == first_review

    def test_a_returned_plan_goes_back_to_the_lead_professional(self) -> None:
        episode = episode_in_stage(EpisodeStage.PLAN_AWAITING_QA)
        episode.record_qa_decision(
            make_qa_decision(outcome=QaOutcome.RETURNED, decided_on=date(2025, 1, 15)),
            POLICY_HISTORY,
            CALENDAR,
        )
        assert episode.stage is EpisodeStage.PLAN_RETURNED
        assert episode.first_taf_deadline is None

    def test_a_return_without_comments_is_invalid(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            QaDecision(QaOutcome.RETURNED, REQUESTED_ON, new_id(), "  ", plan_version=1)
        assert caught.value.field == "comments"

    @pytest.mark.parametrize(
        "stage",
        [
            EpisodeStage.REQUESTED,
            EpisodeStage.ASSESSING,
            EpisodeStage.PLAN_RETURNED,
            EpisodeStage.PLAN_APPROVED,
            EpisodeStage.ACTIVE,
            EpisodeStage.CLOSED,
        ],
    )
    def test_a_decision_with_no_plan_waiting_is_refused(self, stage: EpisodeStage) -> None:
        episode = episode_in_stage(stage)
        assert_refused_unchanged(
            episode,
            lambda: episode.record_qa_decision(
                make_qa_decision(decided_on=date(2025, 3, 1)), POLICY_HISTORY, CALENDAR
            ),
            IllegalTransition,
        )

    def test_a_decision_dated_before_the_submission_is_invalid(self) -> None:
        episode = episode_in_stage(EpisodeStage.PLAN_AWAITING_QA)
        with pytest.raises(InvalidValue) as caught:
            episode.record_qa_decision(
                make_qa_decision(decided_on=REQUESTED_ON), POLICY_HISTORY, CALENDAR
            )
        assert caught.value.field == "decided_on"


class TestTafMeetings:
    @pytest.mark.parametrize(
        "stage",
        [
            EpisodeStage.REQUESTED,
            EpisodeStage.ASSESSING,
            EpisodeStage.PLAN_AWAITING_QA,
            EpisodeStage.PLAN_RETURNED,
        ],
    )
    def test_holding_a_taf_meeting_before_the_plan_is_approved_is_refused(
        self, stage: EpisodeStage
    ) -> None:
        episode = episode_in_stage(stage)
        error = assert_refused_unchanged(
            episode, lambda: meet(episode, date(2025, 3, 1)), IllegalTransition
        )
        assert error.detail == (
            "A TAF meeting cannot be held before quality assurance has approved the plan "
            f"(the episode is {stage.words})."
        )

    def test_the_first_taf_meeting_makes_the_episode_active_and_meets_its_clock(self) -> None:
        episode = episode_in_stage(EpisodeStage.PLAN_APPROVED)
        assert meet(episode, date(2025, 1, 24)) is True

        assert episode.stage is EpisodeStage.ACTIVE
        assert episode.meetings_held == 1
        assert episode.last_meeting_on == date(2025, 1, 24)
        assert episode.first_taf_deadline is not None
        assert episode.first_taf_deadline.met_on == date(2025, 1, 24)
        assert episode.review_deadline is not None
        assert episode.review_deadline.due_from == date(2025, 2, 21)
        assert episode.review_deadline.due_on == date(2025, 3, 7)

    def test_a_review_meets_the_review_clock_and_starts_the_next(self) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        first_review = episode.review_deadline
        assert meet(episode, date(2025, 2, 24)) is False

        assert first_review is not None
        assert episode.meetings_held == 2
        assert episode.review_deadline is not None
        assert episode.review_deadline.started_on == date(2025, 2, 24)
        assert episode.review_deadline.met_on is None
        assert episode.first_taf_deadline is not None
        assert episode.first_taf_deadline.met_on == first_review.started_on

    def test_a_review_starts_its_next_clock_under_the_policy_in_force_that_day(self) -> None:
        history = make_two_version_history(switch_on=date(2025, 3, 1))
        episode = episode_in_stage(EpisodeStage.ACTIVE, history=history)
        assert episode.review_deadline is not None
        assert episode.review_deadline.policy_version == 1
        meet(episode, date(2025, 3, 3), history=history)
        assert episode.review_deadline.policy_version == 2
        assert episode.review_deadline.due_on == date(2025, 4, 7)

    @pytest.mark.parametrize("decision", [MeetingDecision.CLOSE, MeetingDecision.STEP_UP])
    def test_a_meeting_deciding_to_end_support_starts_no_review_clock(
        self, decision: MeetingDecision
    ) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        meet(episode, date(2025, 2, 24), decision)
        assert episode.review_deadline is not None
        assert episode.review_deadline.met_on == date(2025, 2, 24)
        assert episode.review_deadline.started_on != date(2025, 2, 24)

    def test_a_meeting_dated_before_the_last_one_is_invalid(self) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        last = episode.last_meeting_on
        assert last is not None
        error = assert_refused_unchanged(
            episode, lambda: meet(episode, last - timedelta(days=1)), InvalidValue
        )
        assert error.field == "held_on"

    def test_reviewing_a_closed_episode_is_refused(self) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        episode.close(date(2025, 3, 1), ClosureReason.ALL_NEEDS_MET, make_family_view())
        error = assert_refused_unchanged(
            episode, lambda: meet(episode, date(2025, 3, 2)), IllegalTransition
        )
        assert "the episode is closed" in error.detail
        assert "open a new episode linked to this one" in error.detail


class TestLevelAndLead:
    def test_a_handover_does_not_reset_the_clocks(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        old_lead = episode.lead_practitioner_id
        clocks = episode.current_deadlines()
        new_lead = new_id()
        episode.assign_lead(new_lead, date(2025, 1, 10), "Lead on long-term leave")

        assert episode.current_deadlines() == clocks
        assert episode.lead_practitioner_id == new_lead
        assert episode.lead_history[-1].from_practitioner_id == old_lead
        assert episode.lead_history[-1].reason == "Lead on long-term leave"
        assert len(episode.lead_history) == 2

    def test_handing_over_to_the_current_lead_is_a_conflict(self) -> None:
        episode = make_episode()
        assert_refused_unchanged(
            episode,
            lambda: episode.assign_lead(episode.lead_practitioner_id, REQUESTED_ON),
            Conflict,
        )

    def test_changing_the_level_keeps_the_history(self) -> None:
        episode = make_episode(level_of_need="2")
        episode.change_level("3", date(2025, 1, 8), "Domestic abuse disclosed", LEVELS)
        assert episode.level_of_need == "3"
        assert [c.level for c in episode.level_history] == ["2", "3"]

    def test_changing_to_the_same_level_is_a_conflict(self) -> None:
        episode = make_episode(level_of_need="2")
        assert_refused_unchanged(
            episode, lambda: episode.change_level("2", REQUESTED_ON, None, LEVELS), Conflict
        )

    def test_changing_to_an_unknown_level_is_invalid(self) -> None:
        episode = make_episode()
        error = assert_refused_unchanged(
            episode, lambda: episode.change_level("9", REQUESTED_ON, None, LEVELS), InvalidValue
        )
        assert error.field == "level_of_need"


class TestConsentWithdrawn:
    def test_consent_withdrawal_stops_the_clocks_and_only_closure_or_step_up_remains(
        self,
    ) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        withdrawn_on = date(2025, 2, 3)
        episode.record_consent_withdrawn(withdrawn_on)

        assert episode.consent_withdrawn
        for deadline in episode.current_deadlines():
            assert deadline.met_on is not None or deadline.stopped_on == withdrawn_on
        assert episode.review_deadline is not None
        assert episode.review_deadline.stopped_on == withdrawn_on

        refusals: list[Callable[[], object]] = [
            lambda: meet(episode, date(2025, 2, 4)),
            lambda: episode.change_level("3", date(2025, 2, 4), None, LEVELS),
            lambda: episode.close(
                date(2025, 2, 4), ClosureReason.ALL_NEEDS_MET, make_family_view()
            ),
        ]
        for action in refusals:
            error = assert_refused_unchanged(episode, action, ConsentRequired)
            assert "withdrew consent" in error.detail

        episode.close(date(2025, 2, 4), ClosureReason.CONSENT_WITHDRAWN, None)
        assert episode.stage is EpisodeStage.CLOSED

    def test_after_withdrawal_the_episode_can_be_stepped_up(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        episode.record_consent_withdrawn(date(2025, 1, 9))
        episode.close(
            date(2025, 1, 10),
            ClosureReason.STEPPED_UP_TO_SOCIAL_CARE,
            None,  # the family has withdrawn and may not be asked
            stepped_up_reference="MASH-77",
        )
        assert episode.closure_reason is ClosureReason.STEPPED_UP_TO_SOCIAL_CARE
        assert episode.stepped_up_reference == "MASH-77"

    def test_after_withdrawal_a_new_lead_can_take_over_to_close(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        episode.record_consent_withdrawn(date(2025, 1, 9))
        episode.assign_lead(new_id(), date(2025, 1, 10), "Original lead has left")
        assert len(episode.lead_history) == 2

    def test_withdrawal_is_recorded_once(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        episode.record_consent_withdrawn(date(2025, 1, 9))
        assert_refused_unchanged(
            episode,
            lambda: episode.record_consent_withdrawn(date(2025, 1, 10)),
            IllegalTransition,
        )

    def test_closing_for_withdrawal_records_the_withdrawal_date(self) -> None:
        episode = episode_in_stage(EpisodeStage.ASSESSING)
        episode.close(date(2025, 1, 9), ClosureReason.CONSENT_WITHDRAWN, None)
        assert episode.consent_withdrawn_on == date(2025, 1, 9)
        assert episode.assessment_deadline is not None
        assert episode.assessment_deadline.stopped_on == date(2025, 1, 9)


class TestClosing:
    def test_closing_asks_for_the_familys_view(self) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        error = assert_refused_unchanged(
            episode,
            lambda: episode.close(date(2025, 3, 1), ClosureReason.ALL_NEEDS_MET, None),
            InvalidValue,
        )
        assert error.field == "family_view"

    @pytest.mark.parametrize("reason", sorted(CLOSURES_WITHOUT_FAMILY_VIEW))
    def test_no_family_view_is_needed_when_the_family_is_not_there_to_ask(
        self, reason: ClosureReason
    ) -> None:
        episode = episode_in_stage(EpisodeStage.ACTIVE)
        episode.close(date(2025, 3, 1), reason, None)
        assert episode.stage is EpisodeStage.CLOSED
        assert episode.family_view is None

    def test_the_familys_words_must_not_be_blank(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            FamilyView(FamilyLifeImproved.PARTLY, "   ")
        assert caught.value.field == "family_view.in_their_words"

    def test_closing_before_the_request_is_invalid(self) -> None:
        episode = make_episode()
        error = assert_refused_unchanged(
            episode,
            lambda: episode.close(
                REQUESTED_ON - timedelta(days=1), ClosureReason.ALL_NEEDS_MET, make_family_view()
            ),
            InvalidValue,
        )
        assert error.field == "closed_on"

    def test_closing_stops_the_clocks_that_are_still_running(self) -> None:
        episode = episode_in_stage(EpisodeStage.PLAN_AWAITING_QA)
        episode.close(date(2025, 1, 20), ClosureReason.MOVED_AWAY, None)
        assert episode.assessment_deadline is not None
        assert episode.assessment_deadline.stopped_on is None  # already met
        assert episode.quality_assurance_deadline is not None
        assert episode.quality_assurance_deadline.stopped_on == date(2025, 1, 20)

    def test_other_needs_an_explanation(self) -> None:
        episode = make_episode()
        error = assert_refused_unchanged(
            episode,
            lambda: episode.close(REQUESTED_ON, ClosureReason.OTHER, make_family_view()),
            InvalidValue,
        )
        assert error.field == "closure_notes"

    def test_a_social_care_reference_only_comes_with_a_step_up(self) -> None:
        episode = make_episode()
        error = assert_refused_unchanged(
            episode,
            lambda: episode.close(
                REQUESTED_ON,
                ClosureReason.ALL_NEEDS_MET,
                make_family_view(),
                stepped_up_reference="MASH-1",
            ),
            InvalidValue,
        )
        assert error.field == "stepped_up_reference"

    def test_a_closed_episode_is_never_reopened(self) -> None:
        episode = episode_in_stage(EpisodeStage.CLOSED)
        day = date(2025, 3, 1)
        actions: list[Callable[[], object]] = [
            lambda: episode.start_assessment(
                day, consent_given_on=day, policy_history=POLICY_HISTORY, calendar=CALENDAR
            ),
            lambda: submit(episode, day),
            lambda: episode.record_qa_decision(
                make_qa_decision(decided_on=day), POLICY_HISTORY, CALENDAR
            ),
            lambda: meet(episode, day),
            lambda: episode.change_level("3", day, None, LEVELS),
            lambda: episode.assign_lead(new_id(), day),
            lambda: episode.record_consent_withdrawn(day),
            lambda: episode.close(day, ClosureReason.ALL_NEEDS_MET, make_family_view()),
        ]
        for action in actions:
            error = assert_refused_unchanged(episode, action, IllegalTransition)
            assert not isinstance(error, ConsentRequired)
            assert "closed episodes are never reopened" in error.detail


def test_a_family_goes_from_request_to_closure() -> None:
    history = POLICY_HISTORY
    episode = make_episode(requested_on=date(2025, 1, 6))

    episode.start_assessment(
        date(2025, 1, 7), consent_given_on=date(2025, 1, 7), policy_history=history, calendar=XMAS
    )
    assert episode.assessment_deadline is not None
    assert episode.assessment_deadline.due_on == date(2025, 2, 4)

    episode.submit_plan_for_qa(
        date(2025, 1, 27),
        assessment_completed=True,
        plan_has_outcomes=True,
        policy_history=history,
        calendar=XMAS,
    )
    episode.record_qa_decision(
        make_qa_decision(outcome=QaOutcome.RETURNED, decided_on=date(2025, 1, 29)), history, XMAS
    )
    episode.submit_plan_for_qa(
        date(2025, 1, 31),
        assessment_completed=True,
        plan_has_outcomes=True,
        policy_history=history,
        calendar=XMAS,
    )
    episode.record_qa_decision(make_qa_decision(decided_on=date(2025, 2, 3)), history, XMAS)
    assert episode.first_taf_deadline is not None
    assert episode.first_taf_deadline.due_on == date(2025, 2, 17)

    assert episode.hold_meeting(
        date(2025, 2, 12),
        decision=MeetingDecision.CONTINUE_PLAN,
        policy_history=history,
        calendar=XMAS,
    )
    assert not episode.hold_meeting(
        date(2025, 3, 14),
        decision=MeetingDecision.REVISE_PLAN,
        policy_history=history,
        calendar=XMAS,
    )
    assert not episode.hold_meeting(
        date(2025, 4, 18), decision=MeetingDecision.CLOSE, policy_history=history, calendar=XMAS
    )
    episode.close(
        date(2025, 4, 22),
        ClosureReason.ALL_NEEDS_MET,
        make_family_view(improved=FamilyLifeImproved.YES),
        notes="Family confident with their own network.",
    )

    assert episode.stage is EpisodeStage.CLOSED
    assert not episode.is_open
    assert episode.meetings_held == 3
    assert [d.outcome for d in episode.qa_decisions] == [QaOutcome.RETURNED, QaOutcome.APPROVED]
    assert all(d.met_on is not None for d in episode.current_deadlines())
    assert [d.kind for d in episode.current_deadlines()] == [
        DeadlineKind.ASSESSMENT,
        DeadlineKind.QUALITY_ASSURANCE,
        DeadlineKind.FIRST_TAF,
        DeadlineKind.REVIEW,
    ]
    assert episode.version == 1  # persistence, not the domain, counts versions


class TestReentry:
    def test_day_365_of_a_non_leap_span_is_within_twelve_months(self) -> None:
        closed = date(2022, 3, 1)
        assert (date(2023, 3, 1) - closed).days == 365
        assert is_reentry(closed, date(2023, 3, 1))

    def test_day_366_of_a_non_leap_span_is_outside_twelve_months(self) -> None:
        closed = date(2022, 3, 1)
        assert not is_reentry(closed, date(2023, 3, 2))

    def test_a_leap_span_runs_to_the_same_date_a_year_on(self) -> None:
        closed = date(2023, 3, 1)
        assert (date(2024, 3, 1) - closed).days == 366
        assert is_reentry(closed, date(2024, 3, 1))
        assert not is_reentry(closed, date(2024, 3, 2))

    def test_a_request_on_the_day_of_closure_is_a_reentry(self) -> None:
        assert is_reentry(date(2024, 6, 30), date(2024, 6, 30))

    def test_a_request_while_the_episode_was_open_is_not_a_reentry(self) -> None:
        assert not is_reentry(date(2024, 6, 30), date(2024, 6, 29))

    def test_the_window_is_a_parameter(self) -> None:
        assert is_reentry(date(2022, 1, 10), date(2024, 1, 10), window_months=24)
        assert not is_reentry(date(2022, 1, 10), date(2024, 1, 11), window_months=24)

    def test_a_window_of_no_months_is_invalid(self) -> None:
        with pytest.raises(InvalidValue):
            is_reentry(date(2024, 1, 1), date(2024, 1, 1), window_months=0)

    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            (date(2024, 1, 31), 1, date(2024, 2, 29)),
            (date(2023, 1, 31), 1, date(2023, 2, 28)),
            (date(2024, 2, 29), 12, date(2025, 2, 28)),
            (date(2024, 11, 30), 3, date(2025, 2, 28)),
            (date(2024, 12, 15), 1, date(2025, 1, 15)),
            (date(2024, 3, 31), -1, date(2024, 2, 29)),
        ],
    )
    def test_add_months_clamps_to_the_end_of_the_month(
        self, start: date, months: int, expected: date
    ) -> None:
        assert add_months(start, months) == expected


# --- the lifecycle as a state machine ------------------------------------------------------------

SWITCH_ON = date(2025, 3, 1)
MACHINE_HISTORY = make_two_version_history(switch_on=SWITCH_ON)
MACHINE_CALENDAR = WorkingCalendar(
    frozenset({date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26)})
)
OPEN_STAGES = [s for s in EpisodeStage if s is not EpisodeStage.CLOSED]


class EpisodeLifecycle(RuleBasedStateMachine):
    """Random sequences of steps, legal and not, against a small model of what should happen."""

    def __init__(self) -> None:
        super().__init__()
        self.today = date(2025, 1, 6)
        self.episode = make_episode(requested_on=self.today)
        self.approved_on: date | None = None
        self.meetings = 0

    @initialize(requested_on=st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 4, 30)))
    def open_the_episode(self, requested_on: date) -> None:
        """Requests either side of the policy change, so both versions start clocks."""
        self.today = requested_on
        self.episode = make_episode(requested_on=requested_on)

    # --- helpers ---------------------------------------------------------------------------------

    def attempt(self, action: Callable[[], object], expected: type[DomainError] | None) -> bool:
        """Run `action`; a refusal must be the expected one and leave the episode as it was."""
        before = copy.deepcopy(self.episode)
        refusal: DomainError | None = None
        try:
            action()
        except DomainError as error:
            refusal = error
        if refusal is None:
            assert expected is None, f"illegal move allowed; expected {expected.__name__}"
            return True
        assert expected is not None, f"legal move refused: {refusal.detail}"
        assert isinstance(refusal, expected), (type(refusal), expected, refusal.detail)
        assert self.episode == before
        assert refusal.detail.strip()
        return False

    def refusal_for_work(self, allowed_stages: set[EpisodeStage]) -> type[DomainError] | None:
        if self.episode.stage is EpisodeStage.CLOSED:
            return IllegalTransition
        if self.episode.consent_withdrawn_on is not None:
            return ConsentRequired
        if self.episode.stage not in allowed_stages:
            return IllegalTransition
        return None

    # --- rules -----------------------------------------------------------------------------------

    @rule(days=st.integers(min_value=0, max_value=20))
    def advance_the_clock(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule(consent=st.booleans(), days_before=st.integers(min_value=0, max_value=3))
    def start_assessment(self, consent: bool, days_before: int) -> None:
        expected = self.refusal_for_work({EpisodeStage.REQUESTED})
        if expected is None and not consent:
            expected = ConsentRequired
        consent_on = self.today - timedelta(days=days_before) if consent else None
        self.attempt(
            lambda: self.episode.start_assessment(
                self.today,
                consent_given_on=consent_on,
                policy_history=MACHINE_HISTORY,
                calendar=MACHINE_CALENDAR,
            ),
            expected,
        )

    @rule(completed=st.booleans(), has_outcomes=st.booleans())
    def submit_plan(self, completed: bool, has_outcomes: bool) -> None:
        expected = self.refusal_for_work({EpisodeStage.ASSESSING, EpisodeStage.PLAN_RETURNED})
        if expected is None and not (completed and has_outcomes):
            expected = IllegalTransition
        self.attempt(
            lambda: self.episode.submit_plan_for_qa(
                self.today,
                assessment_completed=completed,
                plan_has_outcomes=has_outcomes,
                policy_history=MACHINE_HISTORY,
                calendar=MACHINE_CALENDAR,
            ),
            expected,
        )

    @rule(approve=st.booleans())
    def decide_on_the_plan(self, approve: bool) -> None:
        expected = self.refusal_for_work({EpisodeStage.PLAN_AWAITING_QA})
        decision = make_qa_decision(
            outcome=QaOutcome.APPROVED if approve else QaOutcome.RETURNED, decided_on=self.today
        )
        done = self.attempt(
            lambda: self.episode.record_qa_decision(decision, MACHINE_HISTORY, MACHINE_CALENDAR),
            expected,
        )
        if done and approve:
            self.approved_on = self.today

    @rule(decision=st.sampled_from(MeetingDecision))
    def hold_meeting(self, decision: MeetingDecision) -> None:
        expected = self.refusal_for_work({EpisodeStage.PLAN_APPROVED, EpisodeStage.ACTIVE})
        was_approved = self.episode.stage is EpisodeStage.PLAN_APPROVED
        result: list[bool] = []
        done = self.attempt(
            lambda: result.append(
                self.episode.hold_meeting(
                    self.today,
                    decision=decision,
                    policy_history=MACHINE_HISTORY,
                    calendar=MACHINE_CALENDAR,
                )
            ),
            expected,
        )
        if done:
            self.meetings += 1
            assert result == [was_approved]
            assert self.episode.stage is EpisodeStage.ACTIVE

    @rule(level=st.sampled_from(sorted(LEVELS)))
    def change_level(self, level: str) -> None:
        expected = self.refusal_for_work(set(OPEN_STAGES))
        if expected is None and level == self.episode.level_of_need:
            expected = Conflict
        self.attempt(
            lambda: self.episode.change_level(level, self.today, "review", LEVELS), expected
        )

    @rule(same=st.booleans())
    def hand_over(self, same: bool) -> None:
        clocks = self.episode.current_deadlines()
        expected: type[DomainError] | None = None
        if self.episode.stage is EpisodeStage.CLOSED:
            expected = IllegalTransition
        elif same:
            expected = Conflict
        lead = self.episode.lead_practitioner_id if same else new_id()
        self.attempt(lambda: self.episode.assign_lead(lead, self.today, None), expected)
        assert self.episode.current_deadlines() == clocks

    @rule()
    def take_the_next_step(self) -> None:
        """The usual next step, so that runs reach the later stages as often as the early ones."""
        stage = self.episode.stage
        if stage is EpisodeStage.CLOSED or self.episode.consent_withdrawn_on is not None:
            return
        if stage is EpisodeStage.REQUESTED:
            self.start_assessment(consent=True, days_before=0)
        elif stage in (EpisodeStage.ASSESSING, EpisodeStage.PLAN_RETURNED):
            self.submit_plan(completed=True, has_outcomes=True)
        elif stage is EpisodeStage.PLAN_AWAITING_QA:
            self.decide_on_the_plan(approve=True)
        else:
            self.hold_meeting(MeetingDecision.CONTINUE_PLAN)

    # Ending rules act one time in eight, so that most runs live long enough to reach reviews.
    @rule(now=st.integers(min_value=0, max_value=7))
    def withdraw_consent(self, now: int) -> None:
        if now:
            return
        expected: type[DomainError] | None = None
        if not self.episode.is_open or self.episode.consent_withdrawn_on is not None:
            expected = IllegalTransition
        self.attempt(lambda: self.episode.record_consent_withdrawn(self.today), expected)

    @rule(
        reason=st.sampled_from(ClosureReason),
        with_view=st.booleans(),
        now=st.integers(min_value=0, max_value=7),
    )
    def close(self, reason: ClosureReason, with_view: bool, now: int) -> None:
        if now:
            return
        expected: type[DomainError] | None = None
        if self.episode.stage is EpisodeStage.CLOSED:
            expected = IllegalTransition
        elif (
            self.episode.consent_withdrawn_on is not None
            and reason not in CLOSURES_AFTER_WITHDRAWAL
        ):
            expected = ConsentRequired
        elif (
            not with_view
            and reason not in CLOSURES_WITHOUT_FAMILY_VIEW
            and self.episode.consent_withdrawn_on is None
        ):
            expected = InvalidValue
        view = make_family_view() if with_view else None
        self.attempt(
            lambda: self.episode.close(self.today, reason, view, notes="Recorded in the test"),
            expected,
        )

    @precondition(lambda self: self.episode.stage is EpisodeStage.ACTIVE)
    @rule(days_back=st.integers(min_value=1, max_value=10))
    def backdate_a_meeting(self, days_back: int) -> None:
        last = self.episode.last_meeting_on
        assert last is not None
        self.attempt(
            lambda: self.episode.hold_meeting(
                last - timedelta(days=days_back),
                decision=MeetingDecision.CONTINUE_PLAN,
                policy_history=MACHINE_HISTORY,
                calendar=MACHINE_CALENDAR,
            ),
            ConsentRequired if self.episode.consent_withdrawn_on else InvalidValue,
        )

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def the_stage_is_in_the_table(self) -> None:
        assert self.episode.stage in TRANSITIONS
        assert self.episode.is_open == (self.episode.stage is not EpisodeStage.CLOSED)

    @invariant()
    def closed_episodes_have_their_facts_and_no_running_clock(self) -> None:
        if self.episode.stage is EpisodeStage.CLOSED:
            assert self.episode.closed_on is not None
            assert self.episode.closure_reason is not None
            assert all(_stopped_or_met(d) for d in self.episode.current_deadlines())

    @invariant()
    def withdrawn_consent_leaves_no_running_clock(self) -> None:
        if self.episode.consent_withdrawn_on is not None:
            assert all(_stopped_or_met(d) for d in self.episode.current_deadlines())

    @invariant()
    def history_tells_the_current_level_and_lead(self) -> None:
        assert self.episode.level_history[-1].level == self.episode.level_of_need
        assert self.episode.lead_history[-1].practitioner_id == self.episode.lead_practitioner_id
        assert self.episode.meetings_held == self.meetings
        assert self.episode.version == 1

    @invariant()
    def deadlines_follow_the_policy_in_force_when_each_clock_started(self) -> None:
        episode = self.episode
        for deadline in episode.current_deadlines():
            if deadline.kind is DeadlineKind.FIRST_TAF:
                assert self.approved_on is not None
                policy = MACHINE_HISTORY.in_force_on(self.approved_on)
                if policy.first_taf_clock_start is FirstTafClockStart.APPROVAL:
                    assert deadline.started_on == self.approved_on
                else:
                    assert deadline.started_on == episode.qa_decisions[0].decided_on
                rule_days, basis = policy.first_taf.days, policy.first_taf.basis
            else:
                policy = MACHINE_HISTORY.in_force_on(deadline.started_on)
                if deadline.kind is DeadlineKind.ASSESSMENT:
                    assert episode.consent_given_on is not None
                    assert deadline.started_on == max(
                        episode.consent_given_on, episode.requested_on
                    )
                    rule_days, basis = policy.assessment.days, policy.assessment.basis
                elif deadline.kind is DeadlineKind.QUALITY_ASSURANCE:
                    assert deadline.started_on == episode.plan_submitted_on
                    rule_days = policy.quality_assurance.days
                    basis = policy.quality_assurance.basis
                else:
                    assert episode.last_meeting_on is not None
                    assert deadline.started_on <= episode.last_meeting_on
                    if deadline.met_on is None and deadline.stopped_on is None:
                        assert deadline.started_on == episode.last_meeting_on
                    rule_days, basis = policy.review.latest_days, policy.review.basis
                    assert deadline.due_from == MACHINE_CALENDAR.add_days(
                        deadline.started_on, policy.review.earliest_days, basis
                    )
            assert deadline.policy_version == policy.version
            assert deadline.due_on == MACHINE_CALENDAR.add_days(
                deadline.started_on, rule_days, basis
            )


def _stopped_or_met(deadline: Deadline) -> bool:
    return deadline.met_on is not None or deadline.stopped_on is not None


EpisodeLifecycle.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None
)
TestEpisodeLifecycle = EpisodeLifecycle.TestCase
