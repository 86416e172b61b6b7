"""Use cases of the family plan: draft it, submit it for quality assurance, decide, revise, act."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date

from app.domain.access import Action
from app.domain.episodes import Episode, QaDecision, QaOutcome
from app.domain.errors import NotFound
from app.domain.plans import Action as PlanAction
from app.domain.plans import (
    ActionStatus,
    FamilyPlan,
    Outcome,
    check_action_owners,
    check_actions_may_change,
    check_new_plan,
    check_qa_officer,
    plan_awaiting_qa,
    plan_to_submit,
    revision_of,
    start_plan_draft,
)
from app.domain.step_dates import happened_on
from app.domain.versions import Expected, check_version
from app.services.episodes import EpisodeRecord, episode_record, load_episode
from app.services.family_network import network_owners
from app.services.names import Named, Names, resolve_names
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


def _known_need_ids(uow: UnitOfWork, episode_id: uuid.UUID) -> frozenset[uuid.UUID]:
    versions = uow.assessments.for_episode(episode_id)
    return versions[-1].need_ids if versions else frozenset()


def _plan_of(uow: UnitOfWork, episode_id: uuid.UUID, plan_id: uuid.UUID) -> FamilyPlan:
    """The episode's plan; another episode's is answered as an unknown id (a database look-up,
    so it stays here)."""
    plan = uow.plans.get(plan_id)
    if plan is None or plan.episode_id != episode_id:
        raise NotFound("This episode has no plan with this id.")
    return plan


def _names(uow: UnitOfWork, episode: Episode, plans: Sequence[FamilyPlan]) -> Names:
    """The names of the plans' action owners and QA officers, and of the episode's QA officers
    (for the episode beside the plan): the episode's whole TAF is read, past members included,
    since an action may belong to someone who has since left."""
    return resolve_names(
        uow, taf=uow.taf.members(episode.id), plans=plans, decisions=episode.qa_decisions
    )


def _plan_names(uow: UnitOfWork, episode_id: uuid.UUID, plans: Sequence[FamilyPlan]) -> Names:
    return resolve_names(uow, taf=uow.taf.members(episode_id), plans=plans)


def _check_owners(uc: UseCase, episode: Episode, actions: Sequence[PlanAction]) -> None:
    """The owners the rule accepts are read here: the episode's TAF, the household today and the
    children's network (issue 20 §3: a grandmother may own an action)."""
    family = uc.uow.families.get(episode.family_id)
    check_action_owners(
        actions,
        taf_member_ids={m.id for m in uc.uow.taf.members(episode.id)},
        family_person_ids=(
            {m.person_id for m in family.current_memberships(uc.today)}
            | network_owners(uc.uow, family.id, uc.today)
        )
        if family
        else set(),
    )


def list_plans(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID
) -> Named[list[FamilyPlan]]:
    """Every version of the family plan, oldest first (a short list: never paged)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "plan"))
        found = uow.plans.for_episode(episode_id)
        names = _plan_names(uow, episode_id, found)
        uc.commit()
        return Named(found, names)


def get_plan(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID, plan_id: uuid.UUID
) -> Named[FamilyPlan]:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "plan", plan_id))
        plan = _plan_of(uow, episode_id, plan_id)
        names = _plan_names(uow, episode_id, [plan])
        uc.commit()
        return Named(plan, names)


def draft_plan(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    outcomes: Sequence[Outcome],
    actions: Sequence[PlanAction],
    idempotency: IdempotentRequest[Named[FamilyPlan]] | None = None,
) -> Named[FamilyPlan] | Replayed:
    """The suggested plan, written alongside the assessment (seed 004:1238)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "plan"))

        def draft() -> Named[FamilyPlan]:
            episode = load_episode(uow, episode_id)
            check_new_plan(episode, uow.plans.for_episode(episode_id))
            _check_owners(uc, episode, actions)
            plan = start_plan_draft(
                id=uuid.uuid4(),
                episode_id=episode_id,
                known_need_ids=_known_need_ids(uow, episode_id),
                outcomes=outcomes,
                actions=actions,
            )
            uow.plans.add(plan, at=uc.now)
            uc.identify(Action.WRITE_EPISODE, plan.id)
            return Named(plan, _plan_names(uow, episode_id, [plan]))

        return run_idempotent(uc, idempotency, draft)


def _plan_step(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    expected_version: Expected,
    step: Callable[[UseCase, FamilyPlan], None],
    *,
    action: Action = Action.WRITE_EPISODE,
    target: Target | None = None,
) -> Named[FamilyPlan]:
    """One step on a version of the plan: access (to the plan, or to `target` within it),
    version, the step, save, the names the answer shows, one commit."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(action, target or Target.episode(episode_id, "plan", plan_id))
        plan = _plan_of(uow, episode_id, plan_id)
        check_version(expected_version, plan.version)
        step(uc, plan)
        uow.plans.save(plan, at=uc.now)
        names = _plan_names(uow, episode_id, [plan])
        uc.commit()
        return Named(plan, names)


def edit_plan(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    *,
    outcomes: Sequence[Outcome] | None,
    actions: Sequence[PlanAction] | None,
    expected_version: Expected,
) -> Named[FamilyPlan]:
    """Change a plan still being written (draft, or returned by quality assurance)."""

    def edit(uc: UseCase, plan: FamilyPlan) -> None:
        episode = load_episode(uc.uow, episode_id)
        if actions is not None:
            _check_owners(uc, episode, actions)
        changes: dict[str, Sequence[Outcome] | Sequence[PlanAction]] = {}
        if outcomes is not None:
            changes["outcomes"] = outcomes
        if actions is not None:
            changes["actions"] = actions
        plan.edit(known_need_ids=_known_need_ids(uc.uow, episode_id), **changes)  # type: ignore[arg-type]

    return _plan_step(uow, clock, actor, episode_id, plan_id, expected_version, edit)


def revise_plan(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    *,
    idempotency: IdempotentRequest[Named[FamilyPlan]] | None = None,
) -> Named[FamilyPlan] | Replayed:
    """Start the next version of the agreed plan; the TAF agrees it at a review."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "plan", plan_id))

        def revise() -> Named[FamilyPlan]:
            plan = _plan_of(uow, episode_id, plan_id)
            revision = revision_of(plan, uow.plans.for_episode(episode_id), uuid.uuid4(), uc.today)
            uow.plans.add(revision, at=uc.now)
            uc.identify(Action.WRITE_EPISODE, revision.id)
            return Named(revision, _plan_names(uow, episode_id, [revision]))

        return run_idempotent(uc, idempotency, revise)


def update_action_status(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    action_id: uuid.UUID,
    status: ActionStatus,
    *,
    expected_version: Expected,
) -> Named[FamilyPlan]:
    """Progress on one action of the agreed plan, by the lead or the TAF member it is assigned to.

    The access rules judge the action's id before anything is read: a TAF member naming an action
    not assigned to them is answered exactly as for an action that does not exist.
    """

    def update(uc: UseCase, plan: FamilyPlan) -> None:
        check_actions_may_change(load_episode(uc.uow, episode_id))
        plan.update_action_status(action_id, status)

    return _plan_step(
        uow,
        clock,
        actor,
        episode_id,
        plan_id,
        expected_version,
        update,
        action=Action.UPDATE_ASSIGNED_ACTION,
        target=Target.episode(episode_id, "plan_action", action_id, action_item_id=action_id),
    )


def _episode_step(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    expected_version: Expected,
    step: Callable[[UseCase, Episode], FamilyPlan],
    *,
    action: Action,
) -> tuple[EpisodeRecord, FamilyPlan]:
    """A step of the episode that moves its plan too: both saved in one commit. The record's
    names cover the plan's too (its action owners and QA officers)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(action, Target.episode(episode_id))
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        plan = step(uc, episode)
        uow.episodes.save(episode, at=uc.now)
        uow.plans.save(plan, at=uc.now)
        record = episode_record(
            uow, episode, uc.today, today=uc.today, names=_names(uow, episode, [plan])
        )
        uc.commit()
        return record, plan


def submit_for_quality_assurance(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    expected_version: Expected,
    submitted_on: date | None = None,
) -> tuple[EpisodeRecord, FamilyPlan]:
    """The completed assessment and the suggested plan go to the Early Help and Support Service.

    This meets the assessment clock (seed 004:1238: 'The assessment and detailing the suggested plan')
    on `submitted_on`, the day they went (today by default).
    """

    def submit(uc: UseCase, episode: Episode) -> FamilyPlan:
        on = happened_on(submitted_on, today=uc.today, field="submitted_on")
        plans = uc.uow.plans.for_episode(episode_id)
        assessments = uc.uow.assessments.for_episode(episode_id)
        plan = plan_to_submit(plans)
        latest = assessments[-1] if assessments else None
        episode.submit_plan_for_qa(
            on,
            assessment_completed=latest is not None and latest.is_completed,
            plan_has_outcomes=bool(plan.outcomes),
            policy_history=uc.uow.policies.history(),
            calendar=uc.uow.reference_data.calendar(),
            assessment_completed_on=latest.completed_on if latest else None,
        )
        plan.submit(on, _known_need_ids(uc.uow, episode_id))
        episode.plan_submitted_recorded_at = plan.submitted_recorded_at = uc.now
        return plan

    return _episode_step(
        uow, clock, actor, episode_id, expected_version, submit, action=Action.WRITE_EPISODE
    )


def decide_quality_assurance(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    outcome: QaOutcome,
    comments: str,
    expected_version: Expected,
    decided_on: date | None = None,
) -> tuple[EpisodeRecord, FamilyPlan]:
    """The signed-in Early Help and Support Service officer approves the plan or returns it with
    comments, on `decided_on` (today by default); an approval starts the first-TAF clock that day."""

    def decide(uc: UseCase, episode: Episode) -> FamilyPlan:
        on = happened_on(decided_on, today=uc.today, field="decided_on")
        officer_id = uc.principal.practitioner_id
        check_qa_officer(uc.uow.practitioners.get(officer_id))
        plan = plan_awaiting_qa(uc.uow.plans.for_episode(episode_id))
        decision = QaDecision(
            outcome=outcome,
            decided_on=on,
            officer_id=officer_id,
            comments=comments.strip(),
            plan_version=plan.number,
            recorded_at=uc.now,
        )
        episode.record_qa_decision(
            decision, uc.uow.policies.history(), uc.uow.reference_data.calendar()
        )
        plan.record_qa_decision(decision)
        return plan

    return _episode_step(
        uow, clock, actor, episode_id, expected_version, decide, action=Action.DECIDE_QA
    )
