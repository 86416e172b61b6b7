"""Supporting Families needs on the case record: their outcomes, the check that they held, and the
support the family received."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import versioned
from app.api.parameters import EpisodeId, NeedId
from app.api.routers.episodes import TRANSITION_ERRORS
from app.api.schemas.needs import (
    FamilyNeedRead,
    NeedCreate,
    NeedOutcomeIn,
    SupportCreate,
    SupportRead,
    SustainmentIn,
)
from app.domain.access import Action
from app.domain.errors import NotFound
from app.services import needs as service
from app.services.ports import StoredSupport
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["supporting-families"])


def _need_created(view: service.NeedView) -> Created:
    return Created(
        FamilyNeedRead.from_view(view),
        f"/api/v1/episodes/{view.stored.episode_id}/needs",
        etag(view.stored.version),
    )


def _support_created(stored: StoredSupport) -> Created:
    return Created(SupportRead.from_stored(stored), f"/api/v1/episodes/{stored.episode_id}/support")


@router.get(
    "/needs",
    response_model=list[FamilyNeedRead],
    responses=problems.responses(NotFound),
    operation_id="listFamilyNeeds",
)
def list_needs(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> list[FamilyNeedRead]:
    """The family's needs in this episode with their outcomes and sustainment checks."""
    return [FamilyNeedRead.from_view(v) for v in service.list_needs(uow, clock, actor, episode_id)]


@router.post(
    "/needs",
    status_code=201,
    response_model=FamilyNeedRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned(201)},
    operation_id="recordFamilyNeed",
)
def record_need(
    episode_id: EpisodeId,
    body: NeedCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Record a need with its descriptor, the members affected and its evidence (also later in the episode)."""
    result = service.record_need(
        uow,
        clock,
        actor,
        episode_id,
        service.NewNeed(
            need_id=body.id,
            descriptor_code=body.descriptor_code,
            person_ids=tuple(body.person_ids),
            identified_on=body.identified_on,
            emerged_later=body.emerged_later,
            evidence=body.evidence.to_service(),
        ),
        idempotency=idempotency.request(actor, body, _need_created),
    )
    return idempotency.respond(result, _need_created)


@router.post(
    "/needs/{need_id}/outcome",
    response_model=FamilyNeedRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="recordNeedOutcome",
)
def record_outcome(
    episode_id: EpisodeId,
    need_id: NeedId,
    body: NeedOutcomeIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> FamilyNeedRead:
    """Record a need's outcome: achieved or not achieved, with the date and evidence (If-Match)."""
    view = service.record_need_outcome(
        uow,
        clock,
        actor,
        episode_id,
        need_id,
        status=body.status,
        on=body.on,
        evidence=body.evidence.to_service() if body.evidence else None,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(view.stored.version)
    return FamilyNeedRead.from_view(view)


@router.post(
    "/needs/{need_id}/sustainment-check",
    response_model=FamilyNeedRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="recordSustainmentCheck",
)
def record_sustainment_check(
    episode_id: EpisodeId,
    need_id: NeedId,
    body: SustainmentIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> FamilyNeedRead:
    """After closure: did the achieved outcome hold for the sustained period (If-Match)?"""
    view = service.record_sustainment(
        uow,
        clock,
        actor,
        episode_id,
        need_id,
        result=body.result,
        checked_on=body.checked_on,
        lapsed_on=body.lapsed_on,
        evidence=body.evidence.to_service(),
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(view.stored.version)
    return FamilyNeedRead.from_view(view)


@router.get(
    "/support",
    response_model=list[SupportRead],
    responses=problems.responses(NotFound),
    operation_id="listSupportDelivered",
)
def list_support(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> list[SupportRead]:
    """The services the family received during the episode."""
    return [SupportRead.from_stored(s) for s in service.list_support(uow, clock, actor, episode_id)]


@router.post(
    "/support",
    status_code=201,
    response_model=SupportRead,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="recordSupportDelivered",
)
def record_support(
    episode_id: EpisodeId,
    body: SupportCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Record a service delivered to the family (provider and dates)."""
    result = service.record_support(
        uow,
        clock,
        actor,
        episode_id,
        body.to_service(),
        idempotency=idempotency.request(actor, body, _support_created),
    )
    return idempotency.respond(result, _support_created)
