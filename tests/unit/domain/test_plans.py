"""The family plan: drafting, QA, TAF agreement, revision and actions in the "do" stage."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest

from app.domain.access import Role
from app.domain.episodes import EpisodeStage, QaOutcome
from app.domain.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from app.domain.plans import (
    ActionStatus,
    FamilyPlan,
    PlanStatus,
    check_action_owners,
    check_actions_may_change,
    check_new_plan,
    check_qa_officer,
    plan_awaiting_qa,
    plan_to_submit,
    revision_of,
)
from app.domain.practitioners import Practitioner
from tests.unit.domain.builders import (
    episode_in_stage,
    make_action,
    make_outcome,
    make_plan,
    make_practitioner,
    make_qa_decision,
    new_id,
)

SUBMITTED_ON = date(2025, 1, 20)
DECIDED_ON = date(2025, 1, 22)
AGREED_ON = date(2025, 1, 30)


def needs_of(plan: FamilyPlan) -> set[uuid.UUID]:
    return {n for outcome in plan.outcomes for n in outcome.need_ids}


def approved_plan() -> FamilyPlan:
    plan = make_plan()
    plan.submit(SUBMITTED_ON, needs_of(plan))
    plan.record_qa_decision(make_qa_decision(decided_on=DECIDED_ON))
    return plan


def agreed_plan() -> FamilyPlan:
    plan = approved_plan()
    plan.agree(AGREED_ON, known_need_ids=needs_of(plan))
    return plan


class TestDrafting:
    def test_a_new_plan_is_draft_number_one(self) -> None:
        plan = make_plan()
        assert (plan.number, plan.status, plan.version) == (1, PlanStatus.DRAFT, 1)

    def test_an_outcome_must_address_a_need_in_the_assessment(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_plan(known_need_ids=set())
        assert caught.value.field == "outcomes[0].need_ids"

    def test_an_outcome_addresses_at_least_one_need(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            make_plan(outcomes=(make_outcome(need_ids=()),), actions=())
        assert caught.value.field == "outcomes[0].need_ids"

    @pytest.mark.parametrize("score", [-1, 11, True])
    def test_a_baseline_outside_zero_to_ten_is_invalid(self, score: int) -> None:
        need = new_id()
        with pytest.raises(InvalidValue) as caught:
            make_plan(
                known_need_ids={need},
                outcomes=(
                    make_outcome(need_ids=(need,)),
                    make_outcome(need_ids=(need,), baseline_score=score),
                ),
                actions=(),
            )
        assert caught.value.field == "outcomes[1].baseline_score"

    @pytest.mark.parametrize("score", [0, 10])
    def test_baselines_of_zero_and_ten_are_valid(self, score: int) -> None:
        need = new_id()
        plan = make_plan(
            known_need_ids={need},
            outcomes=(make_outcome(need_ids=(need,), baseline_score=score),),
            actions=(),
        )
        assert plan.outcomes[0].baseline_score == score

    @pytest.mark.parametrize(
        ("member", "person"), [(None, None), ("member", "person")], ids=["none", "both"]
    )
    def test_an_action_has_exactly_one_owner(self, member: str | None, person: str | None) -> None:
        plan = make_plan()
        action = make_action(
            owner_taf_member_id=new_id() if member else None,
            owner_person_id=new_id() if person else None,
        )
        with pytest.raises(InvalidValue) as caught:
            plan.edit(known_need_ids=needs_of(plan), actions=[action])
        assert caught.value.field == "actions[0].owner_taf_member_id"

    def test_an_action_for_an_outcome_not_in_the_plan_is_refused(self) -> None:
        plan = make_plan()
        with pytest.raises(InvalidValue) as caught:
            plan.edit(known_need_ids=needs_of(plan), actions=[make_action(outcome_id=new_id())])
        assert caught.value.field == "actions[0].outcome_id"

    def test_a_quick_win_action_needs_no_outcome(self) -> None:
        plan = make_plan()
        plan.edit(known_need_ids=needs_of(plan), actions=[make_action(outcome_id=None)])
        assert plan.actions[0].outcome_id is None


class TestQualityAssurance:
    def test_a_plan_without_outcomes_cannot_be_submitted(self) -> None:
        plan = make_plan(outcomes=(), actions=())
        with pytest.raises(InvalidValue) as caught:
            plan.submit(SUBMITTED_ON, set())
        assert caught.value.field == "outcomes"

    def test_submitting_then_approving(self) -> None:
        plan = approved_plan()
        assert plan.status is PlanStatus.APPROVED
        assert plan.submitted_on == SUBMITTED_ON
        assert len(plan.qa_decisions) == 1

    def test_a_returned_plan_can_be_edited_and_resubmitted(self) -> None:
        plan = make_plan()
        plan.submit(SUBMITTED_ON, needs_of(plan))
        plan.record_qa_decision(make_qa_decision(outcome=QaOutcome.RETURNED, decided_on=DECIDED_ON))
        status_after_return = plan.status
        assert status_after_return is PlanStatus.RETURNED
        plan.edit(known_need_ids=needs_of(plan), actions=[])
        plan.submit(date(2025, 1, 24), needs_of(plan))
        assert plan.status is PlanStatus.SUBMITTED
        assert plan.submitted_on == date(2025, 1, 24)

    @pytest.mark.parametrize("make", [approved_plan, agreed_plan])
    def test_a_plan_quality_assurance_has_seen_cannot_be_edited(
        self, make: Callable[[], FamilyPlan]
    ) -> None:
        plan = make()
        with pytest.raises(IllegalTransition) as caught:
            plan.edit(known_need_ids=needs_of(plan), actions=[])
        assert "revised plan" in caught.value.detail

    def test_a_decision_on_an_unsubmitted_plan_is_refused(self) -> None:
        with pytest.raises(IllegalTransition):
            make_plan().record_qa_decision(make_qa_decision(decided_on=DECIDED_ON))

    def test_a_decision_for_another_plan_version_is_refused(self) -> None:
        plan = make_plan()
        plan.submit(SUBMITTED_ON, needs_of(plan))
        with pytest.raises(InvalidValue) as caught:
            plan.record_qa_decision(make_qa_decision(decided_on=DECIDED_ON, plan_version=2))
        assert caught.value.field == "plan_version"
        assert plan.status is PlanStatus.SUBMITTED


class TestAgreement:
    def test_the_first_taf_meeting_agrees_the_approved_plan(self) -> None:
        plan = agreed_plan()
        assert plan.status is PlanStatus.AGREED
        assert plan.agreed_on == AGREED_ON

    @pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED])
    def test_the_first_plan_cannot_be_agreed_before_qa_approval(self, status: PlanStatus) -> None:
        plan = make_plan()
        if status is PlanStatus.SUBMITTED:
            plan.submit(SUBMITTED_ON, needs_of(plan))
        with pytest.raises(IllegalTransition) as caught:
            plan.agree(AGREED_ON, known_need_ids=needs_of(plan))
        assert "quality assurance" in caught.value.detail

    def test_agreeing_before_approval_date_is_invalid(self) -> None:
        plan = approved_plan()
        with pytest.raises(InvalidValue):
            plan.agree(date(2025, 1, 21), known_need_ids=needs_of(plan))


class TestRevision:
    def test_a_revision_is_the_next_number_as_a_draft(self) -> None:
        plan = agreed_plan()
        revised = plan.revise(new_id(), date(2025, 3, 1))
        assert (revised.number, revised.status) == (2, PlanStatus.DRAFT)
        assert revised.outcomes == plan.outcomes
        assert revised.qa_decisions == []
        assert plan.status is PlanStatus.AGREED

    def test_the_old_plan_is_superseded_when_the_revision_is_agreed(self) -> None:
        plan = agreed_plan()
        revised = plan.revise(new_id(), date(2025, 3, 1))
        revised.agree(date(2025, 3, 1), known_need_ids=needs_of(plan), replaces=plan)
        assert revised.status is PlanStatus.AGREED
        assert plan.status is PlanStatus.SUPERSEDED

    def test_a_revision_may_go_through_qa_before_agreement(self) -> None:
        plan = agreed_plan()
        revised = plan.revise(new_id(), date(2025, 3, 1))
        revised.submit(date(2025, 3, 2), needs_of(plan))
        revised.record_qa_decision(make_qa_decision(decided_on=date(2025, 3, 3), plan_version=2))
        revised.agree(date(2025, 3, 5), known_need_ids=needs_of(plan), replaces=plan)
        assert plan.status is PlanStatus.SUPERSEDED

    def test_a_revision_must_say_which_plan_it_replaces(self) -> None:
        plan = agreed_plan()
        revised = plan.revise(new_id(), date(2025, 3, 1))
        with pytest.raises(InvalidValue) as caught:
            revised.agree(date(2025, 3, 1), known_need_ids=needs_of(plan))
        assert caught.value.field == "replaces"
        assert revised.status is PlanStatus.DRAFT

    def test_a_revision_cannot_replace_another_episodes_plan(self) -> None:
        plan = agreed_plan()
        other = agreed_plan()
        revised = plan.revise(new_id(), date(2025, 3, 1))
        with pytest.raises(InvalidValue):
            revised.agree(date(2025, 3, 1), known_need_ids=needs_of(plan), replaces=other)
        assert other.status is PlanStatus.AGREED

    @pytest.mark.parametrize("make", [make_plan, approved_plan])
    def test_only_the_agreed_plan_is_revised(self, make: Callable[[], FamilyPlan]) -> None:
        with pytest.raises(IllegalTransition):
            make().revise(new_id(), date(2025, 3, 1))


class TestActions:
    def test_progress_on_actions_is_recorded_on_the_agreed_plan(self) -> None:
        plan = agreed_plan()
        action_id = plan.actions[0].id
        plan.update_action_status(action_id, ActionStatus.IN_PROGRESS)
        assert plan.actions[0].status is ActionStatus.IN_PROGRESS

    def test_progress_before_agreement_is_refused(self) -> None:
        plan = approved_plan()
        with pytest.raises(IllegalTransition):
            plan.update_action_status(plan.actions[0].id, ActionStatus.DONE)

    def test_an_unknown_action_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            agreed_plan().update_action_status(new_id(), ActionStatus.DONE)


class TestThePlansOfAnEpisode:
    def test_an_episode_drafts_its_first_plan_and_revises_every_later_one(self) -> None:
        assessing = episode_in_stage(EpisodeStage.ASSESSING)
        check_new_plan(assessing, [])
        with pytest.raises(Conflict, match="in progress"):
            check_new_plan(assessing, [make_plan()])
        with pytest.raises(Conflict, match="Revise the agreed plan"):
            check_new_plan(assessing, [agreed_plan()])
        with pytest.raises(IllegalTransition, match="closed"):
            check_new_plan(episode_in_stage(EpisodeStage.CLOSED), [])

    def test_one_revision_at_a_time(self) -> None:
        agreed = agreed_plan()
        revision = revision_of(agreed, [agreed], new_id(), AGREED_ON)
        assert (revision.number, revision.status) == (2, PlanStatus.DRAFT)
        with pytest.raises(Conflict, match="already in progress"):
            revision_of(agreed, [agreed, revision], new_id(), AGREED_ON)

    def test_the_latest_plan_being_written_is_the_one_submitted(self) -> None:
        older, latest = make_plan(), make_plan()
        assert plan_to_submit([older, latest, approved_plan()]) is latest
        with pytest.raises(IllegalTransition, match="Write the suggested plan"):
            plan_to_submit([approved_plan()])

    def test_quality_assurance_decides_on_the_plan_sent_for_review(self) -> None:
        sent = make_plan()
        sent.submit(SUBMITTED_ON, needs_of(sent))
        assert plan_awaiting_qa([approved_plan(), sent]) is sent
        with pytest.raises(IllegalTransition, match="waiting for quality assurance"):
            plan_awaiting_qa([make_plan(), approved_plan()])

    @pytest.mark.parametrize(
        "officer",
        [
            None,
            make_practitioner(roles=frozenset({Role.PRACTITIONER})),
            make_practitioner(roles=frozenset({Role.QUALITY_ASSURANCE}), active=False),
        ],
        ids=["unknown", "not-quality-assurance", "inactive"],
    )
    def test_only_an_active_quality_assurance_officer_decides(
        self, officer: Practitioner | None
    ) -> None:
        check_qa_officer(make_practitioner(roles=frozenset({Role.QUALITY_ASSURANCE})))
        with pytest.raises(InvalidValue) as refused:
            check_qa_officer(officer)
        assert refused.value.field == "officer_id"

    def test_actions_are_owned_by_the_taf_or_the_family(self) -> None:
        member, person = new_id(), new_id()
        actions = [
            make_action(owner_taf_member_id=member, owner_person_id=None),
            make_action(owner_person_id=person),
        ]
        check_action_owners(actions, taf_member_ids={member}, family_person_ids={person})
        with pytest.raises(InvalidValue) as refused:
            check_action_owners(actions, taf_member_ids=set(), family_person_ids={person})
        assert refused.value.field == "actions[0].owner_taf_member_id"
        with pytest.raises(InvalidValue) as refused:
            check_action_owners(actions, taf_member_ids={member}, family_person_ids=set())
        assert refused.value.field == "actions[1].owner_person_id"

    def test_a_closed_episodes_actions_no_longer_change(self) -> None:
        check_actions_may_change(episode_in_stage(EpisodeStage.ACTIVE))
        with pytest.raises(IllegalTransition, match="closed"):
            check_actions_may_change(episode_in_stage(EpisodeStage.CLOSED))
