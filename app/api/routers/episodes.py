"""Episodes of early help: open one, move it through assess – plan – do – review, close it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, SettingsDep, UowDep
from app.api.etags import (
    IfMatch,
    composite_etag,
    etag,
    not_modified,
    not_modified_for,
    parse_if_match,
)
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, conditional_view, versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import EpisodeId, FamilyFilter, HubFilter, LeadFilter
from app.api.schemas.base import CaseDate
from app.api.schemas.cases import EpisodeCaseRead
from app.api.schemas.episodes import (
    AssessmentRead,
    AssessmentStartIn,
    ClosureIn,
    EpisodeCreate,
    EpisodePage,
    EpisodeRead,
    EpisodeViewRead,
    EpisodeWithAssessment,
    LeadAssignmentIn,
    LevelChangeIn,
)
from app.domain.access import Action
from app.domain.episodes import EpisodeStage
from app.domain.errors import (
    Conflict,
    ConsentRequired,
    IllegalTransition,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.services import episodes as service
from app.services.ports import EpisodeFilter
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes", tags=["episodes"])

AsOf = Annotated[
    CaseDate | None,
    Query(
        description="Show the episode as it stood at the end of this day (today by default): "
        "its stage, the clocks started by then and their status that day."
    ),
]
TRANSITION_ERRORS = (
    NotFound,
    InvalidValue,
    IllegalTransition,
    ConsentRequired,
    Conflict,
    StaleVersion,
    PreconditionRequired,
)


def _read(response: Response, record: service.EpisodeRecord) -> EpisodeRead:
    response.headers["ETag"] = etag(record.episode.version)
    return EpisodeRead.from_record(record)


def _opened(record: service.EpisodeRecord) -> Created:
    return Created(
        EpisodeRead.from_record(record),
        f"/api/v1/episodes/{record.episode.id}",
        etag(record.episode.version),
    )


@router.post(
    "",
    status_code=201,
    response_model=EpisodeRead,
    responses={**problems.responses(NotFound, InvalidValue, Conflict), **versioned(201)},
    operation_id="openEpisode",
)
def open_episode(
    body: EpisodeCreate,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.OPEN_EPISODE)],
) -> Response:
    """Open an episode of early help for a family (linked to its previous episode, if any)."""
    result = service.open_new_episode(
        uow,
        clock,
        actor,
        service.EpisodeRequest(
            family_id=body.family_id,
            source=body.source,
            level_of_need=body.level_of_need,
            lead_practitioner_id=body.lead_practitioner_id,
            child_person_ids=tuple(dict.fromkeys(body.child_person_ids)),
            requested_on=body.requested_on,
            hub_id=body.hub_id,
            step_down_reference=body.step_down_reference,
            step_down_notes=body.step_down_notes,
            reason=body.reason,
        ),
        levels=settings.early_help_levels,
        idempotency=idempotency.request(actor, body, _opened),
        family_help=settings.family_help_policy(),
    )
    return idempotency.respond(result, _opened)


@router.get(
    "",
    response_model=EpisodePage,
    responses=problems.responses(InvalidValue),
    operation_id="listEpisodes",
)
def list_episodes(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.SEARCH_FAMILIES)],
    limit: Limit = 50,
    cursor: Cursor = None,
    family_id: FamilyFilter = None,
    hub_id: HubFilter = None,
    lead_practitioner_id: LeadFilter = None,
    stage: Annotated[EpisodeStage | None, Query(description="Only episodes at this stage.")] = None,
    open_only: Annotated[bool, Query(description="Only episodes not yet closed.")] = False,
    as_of: AsOf = None,
) -> EpisodePage:
    """Episodes, newest request first, filtered by family, hub, lead professional or stage."""
    page = service.search_episodes(
        uow,
        clock,
        actor,
        EpisodeFilter(
            family_id=family_id,
            hub_id=hub_id,
            lead_practitioner_id=lead_practitioner_id,
            stage=stage.value if stage else None,
            open_only=open_only,
        ),
        page_request(limit, cursor),
        as_of,
    )
    link_next(request, response, page.next_cursor)
    return EpisodePage(
        items=[EpisodeRead.from_record(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/{episode_id}",
    response_model=EpisodeViewRead,
    responses={**conditional(), **problems.responses(NotFound, InvalidValue)},
    operation_id="getEpisode",
)
def get_episode(
    episode_id: EpisodeId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
    as_of: AsOf = None,
) -> Response | EpisodeViewRead:
    """One episode with who leads, and as it stood on `as_of` (today by default): its stage, the
    plan in force and every clock started by then with its status that day."""
    record = service.get_episode(uow, clock, actor, episode_id, as_of)
    return not_modified(request, record.episode.version, response) or (
        EpisodeViewRead.from_view_record(record)
    )


@router.get(
    "/{episode_id}/case",
    response_model=EpisodeCaseRead,
    responses={**conditional_view(), **problems.responses(NotFound)},
    operation_id="getEpisodeCase",
)
def get_case(
    episode_id: EpisodeId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
    as_of: AsOf = None,
) -> Response | EpisodeCaseRead:
    """The case on one screen: the episode and its deadlines, the household, the current
    assessment and plan, the TAF and the latest meetings, with names; one ETag for all of it."""
    view = service.get_case(uow, clock, actor, episode_id, as_of)
    return not_modified_for(request, response, composite_etag("case", view.versions)) or (
        EpisodeCaseRead.from_view(view)
    )


@router.post(
    "/{episode_id}/assessment-start",
    response_model=EpisodeWithAssessment,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="startAssessment",
)
def start_assessment(
    episode_id: EpisodeId,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
    body: AssessmentStartIn | None = None,
) -> EpisodeWithAssessment:
    """Start the assessment (consent to take part must be in force on `started_on`, today by default); its draft is created (If-Match)."""
    record, assessment = service.start_assessment(
        uow,
        clock,
        actor,
        episode_id,
        expected_version=parse_if_match(if_match),
        started_on=body.started_on if body else None,
    )
    return EpisodeWithAssessment(
        episode=_read(response, record), assessment=AssessmentRead.from_domain(assessment)
    )


@router.post(
    "/{episode_id}/lead-assignments",
    response_model=EpisodeRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="assignLeadProfessional",
)
def assign_lead(
    episode_id: EpisodeId,
    body: LeadAssignmentIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.REASSIGN_LEAD)],
    if_match: IfMatch = None,
) -> EpisodeRead:
    """Hand the episode to another lead professional; the history keeps every handover (If-Match)."""
    record = service.assign_lead(
        uow,
        clock,
        actor,
        episode_id,
        practitioner_id=body.practitioner_id,
        reason=body.reason,
        expected_version=parse_if_match(if_match),
        effective_on=body.effective_on,
    )
    return _read(response, record)


@router.post(
    "/{episode_id}/level-changes",
    response_model=EpisodeRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="changeLevelOfNeed",
)
def change_level(
    episode_id: EpisodeId,
    body: LevelChangeIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.STEER_EPISODE)],
    if_match: IfMatch = None,
) -> EpisodeRead:
    """Record a change in the level of need; the history is kept (If-Match)."""
    record = service.change_level(
        uow,
        clock,
        actor,
        episode_id,
        level=body.level_of_need,
        reason=body.reason,
        expected_version=parse_if_match(if_match),
        levels=settings.early_help_levels,
        effective_on=body.effective_on,
    )
    return _read(response, record)


@router.post(
    "/{episode_id}/closure",
    response_model=EpisodeRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="closeEpisode",
)
def close_episode(
    episode_id: EpisodeId,
    body: ClosureIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.STEER_EPISODE)],
    if_match: IfMatch = None,
) -> EpisodeRead:
    """Close the episode with a reason and the family's view of family life (If-Match)."""
    record = service.close_episode(
        uow,
        clock,
        actor,
        episode_id,
        service.Closure(
            reason=body.reason,
            family_view=body.view(),
            closed_on=body.closed_on,
            notes=body.notes,
            stepped_up_reference=body.stepped_up_reference,
        ),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, record)
