"""The early help assessment: the draft, its completion, and reassessment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.parameters import AssessmentId, EpisodeId
from app.api.schemas.episodes import (
    AssessmentCompletionIn,
    AssessmentRead,
    AssessmentStartIn,
    AssessmentUpdate,
)
from app.domain.access import Action
from app.domain.assessments import Assessment
from app.domain.errors import (
    IllegalTransition,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.services import assessments as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes/{episode_id}/assessments", tags=["assessments"])


def _read(response: Response, assessment: Assessment) -> AssessmentRead:
    response.headers["ETag"] = etag(assessment.version)
    return AssessmentRead.from_domain(assessment)


def _started(assessment: Assessment) -> Created:
    return Created(
        AssessmentRead.from_domain(assessment),
        f"/api/v1/episodes/{assessment.episode_id}/assessments/{assessment.id}",
        etag(assessment.version),
    )


@router.get(
    "",
    response_model=list[AssessmentRead],
    responses=problems.responses(NotFound, validation=False),
    operation_id="listAssessments",
)
def list_assessments(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> list[AssessmentRead]:
    """Every version of the episode's assessment, oldest first (a short list: never paged)."""
    assessments = service.list_assessments(uow, clock, actor, episode_id)
    return [AssessmentRead.from_domain(a) for a in assessments]


@router.post(
    "",
    status_code=201,
    response_model=AssessmentRead,
    responses={**problems.responses(NotFound, IllegalTransition, InvalidValue), **versioned(201)},
    operation_id="startReassessment",
)
def reassess(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    body: AssessmentStartIn | None = None,
) -> Response:
    """Start a reassessment on `started_on` (today by default, never before the assessment it
    follows was completed): a new draft version copied from the latest completed assessment."""
    result = service.reassess(
        uow,
        clock,
        actor,
        episode_id,
        started_on=body.started_on if body else None,
        idempotency=idempotency.request(actor, body, _started),
    )
    return idempotency.respond(result, _started)


@router.get(
    "/{assessment_id}",
    response_model=AssessmentRead,
    responses={**conditional(), **problems.responses(NotFound, validation=False)},
    operation_id="getAssessment",
)
def get_assessment(
    episode_id: EpisodeId,
    assessment_id: AssessmentId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> Response | AssessmentRead:
    """One version of the assessment."""
    assessment = service.get_assessment(uow, clock, actor, episode_id, assessment_id)
    return not_modified(request, assessment.version, response) or AssessmentRead.from_domain(
        assessment
    )


@router.patch(
    "/{assessment_id}",
    response_model=AssessmentRead,
    responses={
        **problems.responses(
            NotFound, InvalidValue, IllegalTransition, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="updateAssessment",
)
def update_assessment(
    episode_id: EpisodeId,
    assessment_id: AssessmentId,
    body: AssessmentUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> AssessmentRead:
    """Write the draft: who it covers, strengths, needs (each tagged with a headline), voices, analysis."""
    assessment = service.revise_assessment(
        uow,
        clock,
        actor,
        episode_id,
        assessment_id,
        service.AssessmentChanges(fields=body.fields(), needs=body.domain_needs()),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, assessment)


@router.post(
    "/{assessment_id}/completion",
    response_model=AssessmentRead,
    responses={
        **problems.responses(
            NotFound, InvalidValue, IllegalTransition, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="completeAssessment",
)
def complete_assessment(
    episode_id: EpisodeId,
    assessment_id: AssessmentId,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
    body: AssessmentCompletionIn | None = None,
) -> AssessmentRead:
    """Complete the assessment on `completed_on`, today by default; from now on it never changes (If-Match)."""
    assessment = service.complete_assessment(
        uow,
        clock,
        actor,
        episode_id,
        assessment_id,
        expected_version=parse_if_match(if_match),
        completed_on=body.completed_on if body else None,
    )
    return _read(response, assessment)
