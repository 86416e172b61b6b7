"""Supporting Families needs on the case record: their outcomes, the check that they held, and the
support the family received."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.api import problems
from app.api.auth import GateDep
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, parse_if_match
from app.api.idempotency import Created, IdempotencyDep
from app.api.routers.episodes import TRANSITION_ERRORS
from app.api.schemas.needs import (
    NeedCreate,
    NeedRead,
    OutcomeIn,
    SupportCreate,
    SupportRead,
    SustainmentIn,
)
from app.domain.access import Action
from app.domain.errors import NotFound
from app.services import needs as service

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["supporting-families"])


@router.get(
    "/needs",
    response_model=list[NeedRead],
    responses=problems.responses(NotFound),
    operation_id="listFamilyNeeds",
)
def list_needs(episode_id: uuid.UUID, uow: UowDep, gate: GateDep) -> list[NeedRead]:
    """The family's needs in this episode with their outcomes and sustainment checks."""
    _, needs = gate.read(
        Action.READ_EPISODE,
        "family_need",
        lambda: service.list_needs(uow, episode_id),
        episode_id=episode_id,
    )
    return [NeedRead.from_view(v) for v in needs]


@router.post(
    "/needs",
    status_code=201,
    response_model=NeedRead,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="recordFamilyNeed",
)
def record_need(
    episode_id: uuid.UUID,
    body: NeedCreate,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Record a need with its descriptor, the members affected and its evidence (also later in the episode)."""
    gate.require(Action.WRITE_EPISODE, "family_need", episode_id=episode_id)

    def create() -> Created:
        view = service.record_need(
            uow,
            clock,
            episode_id,
            need_id=body.id,
            descriptor_code=body.descriptor_code,
            person_ids=tuple(body.person_ids),
            identified_on=body.identified_on,
            emerged_later=body.emerged_later,
            evidence=body.evidence.to_service(),
            recorded_by=gate.principal.practitioner_id,
        )
        return Created(
            NeedRead.from_view(view),
            f"/api/v1/episodes/{episode_id}/needs",
            etag(view.stored.version),
        )

    return idempotent.run(body, create)


@router.post(
    "/needs/{need_id}/outcome",
    response_model=NeedRead,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="recordNeedOutcome",
)
def record_outcome(
    episode_id: uuid.UUID,
    need_id: uuid.UUID,
    body: OutcomeIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> NeedRead:
    """Record a need's outcome: achieved or not achieved, with the date and evidence (If-Match)."""
    gate.require(Action.WRITE_EPISODE, "family_need", resource_id=need_id, episode_id=episode_id)
    view = service.record_need_outcome(
        uow,
        clock,
        episode_id,
        need_id,
        status=body.status,
        on=body.on,
        evidence=body.evidence.to_service() if body.evidence else None,
        recorded_by=gate.principal.practitioner_id,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(view.stored.version)
    return NeedRead.from_view(view)


@router.post(
    "/needs/{need_id}/sustainment-check",
    response_model=NeedRead,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="recordSustainmentCheck",
)
def record_sustainment_check(
    episode_id: uuid.UUID,
    need_id: uuid.UUID,
    body: SustainmentIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> NeedRead:
    """After closure: did the achieved outcome hold for the sustained period (If-Match)?"""
    gate.require(Action.WRITE_EPISODE, "family_need", resource_id=need_id, episode_id=episode_id)
    view = service.record_sustainment(
        uow,
        clock,
        episode_id,
        need_id,
        result=body.result,
        checked_on=body.checked_on,
        lapsed_on=body.lapsed_on,
        evidence=body.evidence.to_service(),
        recorded_by=gate.principal.practitioner_id,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(view.stored.version)
    return NeedRead.from_view(view)


@router.get(
    "/support",
    response_model=list[SupportRead],
    responses=problems.responses(NotFound),
    operation_id="listSupportDelivered",
)
def list_support(episode_id: uuid.UUID, uow: UowDep, gate: GateDep) -> list[SupportRead]:
    """The services the family received during the episode."""
    _, support = gate.read(
        Action.READ_EPISODE,
        "support",
        lambda: service.list_support(uow, episode_id),
        episode_id=episode_id,
    )
    return [SupportRead.from_stored(s) for s in support]


@router.post(
    "/support",
    status_code=201,
    response_model=SupportRead,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="recordSupportDelivered",
)
def record_support(
    episode_id: uuid.UUID,
    body: SupportCreate,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Record a service delivered to the family (provider and dates)."""
    gate.require(Action.WRITE_EPISODE, "support", episode_id=episode_id)

    def create() -> Created:
        stored = service.record_support(
            uow,
            clock,
            episode_id,
            body.to_domain(),
            recorded_by=gate.principal.practitioner_id,
        )
        return Created(SupportRead.from_stored(stored), f"/api/v1/episodes/{episode_id}/support")

    return idempotent.run(body, create)
