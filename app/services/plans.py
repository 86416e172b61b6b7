"""Use cases of the family plan: draft it, submit it for quality assurance, decide, revise, act."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from app.calendars import default_calendar
from app.domain.access import Role
from app.domain.episodes import QaDecision, QaOutcome
from app.domain.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from app.domain.families import Family
from app.domain.plans import Action, ActionStatus, FamilyPlan, Outcome, PlanStatus, start_plan_draft
from app.domain.taf import TafMember
from app.domain.versions import Expected, check_version
from app.services.episodes import EpisodeRecord, episode_record, load_episode
from app.services.ports import Clock, UnitOfWork

OPEN_PLAN_STATUSES = frozenset(
    {PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.APPROVED}
)


def _known_need_ids(uow: UnitOfWork, episode_id: uuid.UUID) -> frozenset[uuid.UUID]:
    versions = uow.assessments.for_episode(episode_id)
    return versions[-1].need_ids if versions else frozenset()


def _load(uow: UnitOfWork, episode_id: uuid.UUID, plan_id: uuid.UUID) -> FamilyPlan:
    plan = uow.plans.get(plan_id)
    if plan is None or plan.episode_id != episode_id:
        raise NotFound("This episode has no plan with this id.")
    return plan


def _check_owners(
    actions: Sequence[Action], taf: list[TafMember], family: Family | None, today: date
) -> None:
    """Every action is owned by a TAF member of this episode or a member of the family."""
    taf_ids = {m.id for m in taf}
    people = {m.person_id for m in family.current_memberships(today)} if family else set()
    for index, action in enumerate(actions):
        if action.owner_taf_member_id is not None and action.owner_taf_member_id not in taf_ids:
            raise InvalidValue(
                "The owner is not a member of this Team Around the Family.",
                field=f"actions[{index}].owner_taf_member_id",
            )
        if action.owner_person_id is not None and action.owner_person_id not in people:
            raise InvalidValue(
                "The owner is not a member of the family.",
                field=f"actions[{index}].owner_person_id",
            )


def list_plans(uow: UnitOfWork, episode_id: uuid.UUID) -> list[FamilyPlan]:
    with uow:
        load_episode(uow, episode_id)
        return uow.plans.for_episode(episode_id)


def get_plan(uow: UnitOfWork, episode_id: uuid.UUID, plan_id: uuid.UUID) -> FamilyPlan:
    with uow:
        return _load(uow, episode_id, plan_id)


def draft_plan(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    outcomes: Sequence[Outcome],
    actions: Sequence[Action],
) -> FamilyPlan:
    """The suggested plan, written alongside the assessment (seed 004:1238)."""
    with uow:
        episode = load_episode(uow, episode_id)
        if not episode.is_open:
            raise IllegalTransition("The episode is closed; it takes no new plan.")
        plans = uow.plans.for_episode(episode_id)
        if any(p.status in OPEN_PLAN_STATUSES for p in plans):
            raise Conflict("This episode already has a plan in progress; change that one instead.")
        if plans:
            raise Conflict("Revise the agreed plan to start its next version.")
        _check_owners(
            actions, uow.taf.members(episode_id), uow.families.get(episode.family_id), clock.today()
        )
        plan = start_plan_draft(
            id=uuid.uuid4(),
            episode_id=episode_id,
            known_need_ids=_known_need_ids(uow, episode_id),
            outcomes=outcomes,
            actions=actions,
        )
        uow.plans.add(plan, at=clock.now())
        uow.commit()
        return plan


def edit_plan(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    *,
    outcomes: Sequence[Outcome] | None,
    actions: Sequence[Action] | None,
    expected_version: Expected,
) -> FamilyPlan:
    with uow:
        plan = _load(uow, episode_id, plan_id)
        check_version(expected_version, plan.version)
        episode = load_episode(uow, episode_id)
        if actions is not None:
            _check_owners(
                actions,
                uow.taf.members(episode_id),
                uow.families.get(episode.family_id),
                clock.today(),
            )
        changes: dict[str, Sequence[Outcome] | Sequence[Action]] = {}
        if outcomes is not None:
            changes["outcomes"] = outcomes
        if actions is not None:
            changes["actions"] = actions
        plan.edit(known_need_ids=_known_need_ids(uow, episode_id), **changes)  # type: ignore[arg-type]
        uow.plans.save(plan, at=clock.now())
        uow.commit()
        return plan


def revise_plan(
    uow: UnitOfWork, clock: Clock, episode_id: uuid.UUID, plan_id: uuid.UUID
) -> FamilyPlan:
    """Start the next version of the agreed plan; the TAF agrees it at a review."""
    with uow:
        plan = _load(uow, episode_id, plan_id)
        if any(
            p.status in OPEN_PLAN_STATUSES
            for p in uow.plans.for_episode(episode_id)
            if p.id != plan.id
        ):
            raise Conflict("A revision of this plan is already in progress.")
        revision = plan.revise(uuid.uuid4(), clock.today())
        uow.plans.add(revision, at=clock.now())
        uow.commit()
        return revision


def submit_for_quality_assurance(
    uow: UnitOfWork, clock: Clock, episode_id: uuid.UUID, *, expected_version: Expected
) -> tuple[EpisodeRecord, FamilyPlan]:
    """The completed assessment and the suggested plan go to the Early Help and Support Service.

    This meets the assessment clock (seed 004:1238: 'The assessment and detailing the suggested plan').
    """
    today = clock.today()
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        plans = [
            p
            for p in uow.plans.for_episode(episode_id)
            if p.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}
        ]
        assessments = uow.assessments.for_episode(episode_id)
        if not plans:
            raise IllegalTransition(
                "Write the suggested plan before sending it for quality assurance."
            )
        plan = plans[-1]
        episode.submit_plan_for_qa(
            today,
            assessment_completed=bool(assessments) and assessments[-1].is_completed,
            plan_has_outcomes=bool(plan.outcomes),
            policy_history=uow.policies.history(),
            calendar=default_calendar(),
        )
        plan.submit(today, _known_need_ids(uow, episode_id))
        uow.episodes.save(episode, at=clock.now())
        uow.plans.save(plan, at=clock.now())
        record = episode_record(uow, episode, today)
        uow.commit()
        return record, plan


def decide_quality_assurance(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    officer_id: uuid.UUID,
    outcome: QaOutcome,
    comments: str,
    expected_version: Expected,
) -> tuple[EpisodeRecord, FamilyPlan]:
    """An Early Help and Support Service officer approves the plan or returns it with comments."""
    today = clock.today()
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        officer = uow.practitioners.get(officer_id)
        if officer is None or not officer.active or Role.QUALITY_ASSURANCE not in officer.roles:
            raise InvalidValue(
                "Only an active quality assurance officer can decide on a plan.", field="officer_id"
            )
        submitted = [
            p for p in uow.plans.for_episode(episode_id) if p.status is PlanStatus.SUBMITTED
        ]
        if not submitted:
            raise IllegalTransition("No plan of this episode is waiting for quality assurance.")
        plan = submitted[-1]
        decision = QaDecision(
            outcome=outcome,
            decided_on=today,
            officer_id=officer_id,
            comments=comments.strip(),
            plan_version=plan.number,
        )
        episode.record_qa_decision(decision, uow.policies.history(), default_calendar())
        plan.record_qa_decision(decision)
        uow.episodes.save(episode, at=clock.now())
        uow.plans.save(plan, at=clock.now())
        record = episode_record(uow, episode, today)
        uow.commit()
        return record, plan


def update_action_status(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    status: ActionStatus,
    *,
    expected_version: Expected,
) -> FamilyPlan:
    with uow:
        plan = _load(uow, episode_id, plan_id)
        check_version(expected_version, plan.version)
        if not load_episode(uow, episode_id).is_open:
            raise IllegalTransition("The episode is closed; its actions can no longer change.")
        plan.update_action_status(action_id, status)
        uow.plans.save(plan, at=clock.now())
        uow.commit()
        return plan
