"""The practitioner directory: who may lead, sit on a TAF, assure quality, link, manage or report."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.auth import GateDep
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.schemas.base import PageOf
from app.api.schemas.practitioners import PractitionerCreate, PractitionerRead, PractitionerUpdate
from app.domain.access import Action, Role
from app.domain.errors import (
    Conflict,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    SelfRoleChange,
    StaleVersion,
)
from app.services import practitioners as service
from app.services.ports import PractitionerFilter

router = APIRouter(prefix="/api/v1/practitioners", tags=["practitioners"])


@router.post(
    "",
    status_code=201,
    response_model=PractitionerRead,
    responses=problems.responses(InvalidValue, Conflict),
    operation_id="registerPractitioner",
)
def register(
    body: PractitionerCreate,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Add a practitioner to the directory."""
    gate.require(Action.MANAGE_PRACTITIONERS, "practitioner")

    def create() -> Created:
        practitioner = service.register_practitioner(uow, clock, body.to_domain(), by=gate.subject)
        return Created(
            PractitionerRead.from_domain(practitioner),
            f"/api/v1/practitioners/{practitioner.id}",
            etag(practitioner.version),
        )

    return idempotent.run(body, create)


@router.get(
    "",
    response_model=PageOf[PractitionerRead],
    responses=problems.responses(InvalidValue),
    operation_id="listPractitioners",
)
def list_practitioners(
    request: Request,
    response: Response,
    uow: UowDep,
    gate: GateDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    agency_code: Annotated[str | None, Query(max_length=64)] = None,
    hub_id: uuid.UUID | None = None,
    role: Role | None = None,
    name: Annotated[str | None, Query(max_length=100, description="Part of the name.")] = None,
    include_inactive: bool = False,
) -> PageOf[PractitionerRead]:
    """The directory by name, filtered by agency, hub, role or name."""
    gate.require(Action.READ_DIRECTORY, "practitioner")
    page = service.search_practitioners(
        uow,
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
    return PageOf[PractitionerRead](
        items=[PractitionerRead.from_domain(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/{practitioner_id}",
    response_model=PractitionerRead,
    responses={
        304: {"description": "Not modified"},
        **problems.responses(NotFound, validation=False),
    },
    operation_id="getPractitioner",
)
def get_practitioner(
    practitioner_id: uuid.UUID, request: Request, response: Response, uow: UowDep, gate: GateDep
) -> Response | PractitionerRead:
    """One practitioner."""
    gate.require(Action.READ_DIRECTORY, "practitioner", resource_id=practitioner_id)
    practitioner = service.get_practitioner(uow, practitioner_id)
    return not_modified(request, practitioner.version, response) or PractitionerRead.from_domain(
        practitioner
    )


@router.patch(
    "/{practitioner_id}",
    response_model=PractitionerRead,
    responses=problems.responses(
        NotFound, SelfRoleChange, InvalidValue, Conflict, StaleVersion, PreconditionRequired
    ),
    operation_id="updatePractitioner",
)
def update_practitioner(
    practitioner_id: uuid.UUID,
    body: PractitionerUpdate,
    request: Request,
    response: Response,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> PractitionerRead:
    """Change a practitioner's details, roles, hubs or active flag (If-Match).

    Nobody changes their own roles or active flag (403 `SelfRoleChange`, recorded as denied);
    each role granted or revoked and each activation change is recorded as a security event.
    """
    gate.require(Action.MANAGE_PRACTITIONERS, "practitioner", resource_id=practitioner_id)
    practitioner = service.update_practitioner(
        uow,
        clock,
        gate.subject,
        practitioner_id,
        body.changes(),
        expected_version=parse_if_match(if_match),
    )
    # Roles, hubs or the active flag may have changed: this worker asks the database again.
    request.app.state.principal_cache.forget_all()
    response.headers["ETag"] = etag(practitioner.version)
    return PractitionerRead.from_domain(practitioner)
