"""The practitioner directory: who may lead, sit on a TAF, assure quality, link, manage or report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import HubFilter, PractitionerId
from app.api.schemas.practitioners import (
    PractitionerCreate,
    PractitionerPage,
    PractitionerRead,
    PractitionerUpdate,
)
from app.domain.access import Action, Role
from app.domain.errors import (
    Conflict,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    SelfRoleChange,
    StaleVersion,
)
from app.domain.practitioners import Practitioner
from app.services import practitioners as service
from app.services.ports import PractitionerFilter
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/practitioners", tags=["practitioners"])


def _registered(practitioner: Practitioner) -> Created:
    return Created(
        PractitionerRead.from_domain(practitioner),
        f"/api/v1/practitioners/{practitioner.id}",
        etag(practitioner.version),
    )


@router.post(
    "",
    status_code=201,
    response_model=PractitionerRead,
    responses={**problems.responses(InvalidValue, Conflict), **versioned(201)},
    operation_id="registerPractitioner",
)
def register(
    body: PractitionerCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.MANAGE_PRACTITIONERS)],
) -> Response:
    """Add a practitioner to the directory; each role they are given is a security event."""
    result = service.register_practitioner(
        uow,
        clock,
        actor,
        body.to_domain(),
        idempotency=idempotency.request(actor, body, _registered),
    )
    return idempotency.respond(result, _registered)


@router.get(
    "",
    response_model=PractitionerPage,
    responses=problems.responses(InvalidValue),
    operation_id="listPractitioners",
)
def list_practitioners(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_DIRECTORY)],
    limit: Limit = 50,
    cursor: Cursor = None,
    agency_code: Annotated[
        str | None, Query(max_length=64, description="Only practitioners of this agency.")
    ] = None,
    hub_id: HubFilter = None,
    role: Annotated[Role | None, Query(description="Only practitioners with this role.")] = None,
    name: Annotated[str | None, Query(max_length=100, description="Part of the name.")] = None,
    include_inactive: Annotated[
        bool, Query(description="Include deactivated practitioners too.")
    ] = False,
) -> PractitionerPage:
    """The directory by name, filtered by agency, hub, role or name."""
    page = service.search_practitioners(
        uow,
        clock,
        actor,
        PractitionerFilter(
            agency_code=agency_code,
            hub_id=hub_id,
            role=role.value if role else None,
            name=name,
            include_inactive=include_inactive,
        ),
        page_request(limit, cursor),
    )
    link_next(request, response, page.next_cursor)
    return PractitionerPage(
        items=[PractitionerRead.from_domain(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/{practitioner_id}",
    response_model=PractitionerRead,
    responses={**conditional(), **problems.responses(NotFound, validation=False)},
    operation_id="getPractitioner",
)
def get_practitioner(
    practitioner_id: PractitionerId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_DIRECTORY)],
) -> Response | PractitionerRead:
    """One practitioner."""
    practitioner = service.get_practitioner(uow, clock, actor, practitioner_id)
    return not_modified(request, practitioner.version, response) or PractitionerRead.from_domain(
        practitioner
    )


@router.patch(
    "/{practitioner_id}",
    response_model=PractitionerRead,
    responses={
        **problems.responses(
            NotFound, SelfRoleChange, InvalidValue, Conflict, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="updatePractitioner",
)
def update_practitioner(
    practitioner_id: PractitionerId,
    body: PractitionerUpdate,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.MANAGE_PRACTITIONERS)],
    if_match: IfMatch = None,
) -> PractitionerRead:
    """Change a practitioner's details, roles, hubs or active flag (If-Match).

    Nobody changes their own roles or active flag (403 `SelfRoleChange`, recorded as denied);
    each role granted or revoked and each activation change is recorded as a security event.
    """
    practitioner = service.update_practitioner(
        uow,
        clock,
        actor,
        practitioner_id,
        body.changes(),
        expected_version=parse_if_match(if_match),
    )
    # Roles, hubs or the active flag may have changed: this worker asks the database again.
    request.app.state.principal_cache.forget_all()
    response.headers["ETag"] = etag(practitioner.version)
    return PractitionerRead.from_domain(practitioner)
