"""The family plan: draft it, send it for quality assurance, decide on it, revise it, do its actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.parameters import EpisodeId, PlanActionId, PlanId
from app.api.routers.episodes import TRANSITION_ERRORS
from app.api.schemas.episodes import (
    ActionStatusIn,
    EpisodeRead,
    EpisodeWithPlan,
    PlanCreate,
    PlanRead,
    PlanSubmissionIn,
    PlanUpdate,
    QaDecisionIn,
)
from app.domain.access import Action
from app.domain.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from app.domain.plans import FamilyPlan
from app.services import plans as service
from app.services.episodes import EpisodeRecord
from app.services.names import Named
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["plans"])


def _read(response: Response, found: Named[FamilyPlan]) -> PlanRead:
    response.headers["ETag"] = etag(found.value.version)
    return PlanRead.from_domain(found.value, found.names)


def _created(created: Named[FamilyPlan]) -> Created:
    plan = created.value
    return Created(
        PlanRead.from_domain(plan, created.names),
        f"/api/v1/episodes/{plan.episode_id}/plans/{plan.id}",
        etag(plan.version),
    )


def _with_episode(response: Response, record: EpisodeRecord, plan: FamilyPlan) -> EpisodeWithPlan:
    response.headers["ETag"] = etag(record.episode.version)
    return EpisodeWithPlan(
        episode=EpisodeRead.from_record(record), plan=PlanRead.from_domain(plan, record.names)
    )


@router.get(
    "/plans",
    response_model=list[PlanRead],
    responses=problems.responses(NotFound, validation=False),
    operation_id="listPlans",
)
def list_plans(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> list[PlanRead]:
    """Every version of the family plan, oldest first (a short list: never paged)."""
    found = service.list_plans(uow, clock, actor, episode_id)
    return [PlanRead.from_domain(p, found.names) for p in found.value]


@router.post(
    "/plans",
    status_code=201,
    response_model=PlanRead,
    responses={
        **problems.responses(NotFound, InvalidValue, IllegalTransition, Conflict),
        **versioned(201),
    },
    operation_id="draftPlan",
)
def draft_plan(
    episode_id: EpisodeId,
    body: PlanCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Draft the suggested family plan: outcomes linked to the assessed needs, and actions."""
    result = service.draft_plan(
        uow,
        clock,
        actor,
        episode_id,
        outcomes=[o.to_domain() for o in body.outcomes],
        actions=[a.to_domain() for a in body.actions],
        idempotency=idempotency.request(actor, body, _created),
    )
    return idempotency.respond(result, _created)


@router.get(
    "/plans/{plan_id}",
    response_model=PlanRead,
    responses={**conditional(), **problems.responses(NotFound, validation=False)},
    operation_id="getPlan",
)
def get_plan(
    episode_id: EpisodeId,
    plan_id: PlanId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> Response | PlanRead:
    """One version of the family plan."""
    found = service.get_plan(uow, clock, actor, episode_id, plan_id)
    return not_modified(request, found.value.version, response) or PlanRead.from_domain(
        found.value, found.names
    )


@router.patch(
    "/plans/{plan_id}",
    response_model=PlanRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="updatePlan",
)
def update_plan(
    episode_id: EpisodeId,
    plan_id: PlanId,
    body: PlanUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> PlanRead:
    """Change a draft or returned plan's outcomes or actions (If-Match)."""
    plan = service.edit_plan(
        uow,
        clock,
        actor,
        episode_id,
        plan_id,
        outcomes=[o.to_domain() for o in body.outcomes] if body.outcomes is not None else None,
        actions=[a.to_domain() for a in body.actions] if body.actions is not None else None,
        expected_version=parse_if_match(if_match),
    )
    return _read(response, plan)


@router.post(
    "/plans/{plan_id}/revision",
    status_code=201,
    response_model=PlanRead,
    responses={**problems.responses(NotFound, IllegalTransition, Conflict), **versioned(201)},
    operation_id="revisePlan",
)
def revise_plan(
    episode_id: EpisodeId,
    plan_id: PlanId,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Start the next version of the agreed plan as a draft; a TAF review agrees it."""
    result = service.revise_plan(
        uow,
        clock,
        actor,
        episode_id,
        plan_id,
        idempotency=idempotency.request(actor, None, _created),
    )
    return idempotency.respond(result, _created)


@router.patch(
    "/plans/{plan_id}/actions/{action_id}",
    response_model=PlanRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="updateActionStatus",
)
def update_action_status(
    episode_id: EpisodeId,
    plan_id: PlanId,
    action_id: PlanActionId,
    body: ActionStatusIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.UPDATE_ASSIGNED_ACTION)],
    if_match: IfMatch = None,
) -> PlanRead:
    """Record progress on one action of the agreed plan (If-Match: the plan's ETag)."""
    plan = service.update_action_status(
        uow,
        clock,
        actor,
        episode_id,
        plan_id,
        action_id,
        body.status,
        expected_version=parse_if_match(if_match),
    )
    return _read(response, plan)


@router.post(
    "/plan-submission",
    response_model=EpisodeWithPlan,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="submitPlanForQualityAssurance",
)
def submit_plan(
    episode_id: EpisodeId,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
    body: PlanSubmissionIn | None = None,
) -> EpisodeWithPlan:
    """Send the completed assessment and suggested plan for quality assurance on `submitted_on`, today by default (If-Match: the episode's ETag)."""
    record, plan = service.submit_for_quality_assurance(
        uow,
        clock,
        actor,
        episode_id,
        expected_version=parse_if_match(if_match),
        submitted_on=body.submitted_on if body else None,
    )
    return _with_episode(response, record, plan)


@router.post(
    "/qa-decisions",
    response_model=EpisodeWithPlan,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="decideQualityAssurance",
)
def decide_quality_assurance(
    episode_id: EpisodeId,
    body: QaDecisionIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.DECIDE_QA)],
    if_match: IfMatch = None,
) -> EpisodeWithPlan:
    """Approve the plan (the first-TAF clock starts) or return it with comments (If-Match: the episode's ETag)."""
    record, plan = service.decide_quality_assurance(
        uow,
        clock,
        actor,
        episode_id,
        outcome=body.outcome,
        comments=body.comments,
        expected_version=parse_if_match(if_match),
        decided_on=body.decided_on,
    )
    return _with_episode(response, record, plan)
