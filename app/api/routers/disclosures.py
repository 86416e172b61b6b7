"""The disclosure log: what was shared about a family, on what lawful basis, and the decisions
not to share."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.idempotency import Created, IdempotencyKey
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import DisclosureId, FamilyId
from app.api.schemas.base import CaseDate
from app.api.schemas.disclosures import DisclosureCreate, DisclosurePage, DisclosureRead
from app.domain.access import Action
from app.domain.disclosures import Disclosure, DisclosureDecision, LawfulBasis
from app.domain.errors import ConsentRequired, InvalidValue, NotFound
from app.services import disclosures as service
from app.services.ports import DisclosureFilter
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/families/{family_id}", tags=["disclosures"])


def _recorded(disclosure: Disclosure) -> Created:
    return Created(
        DisclosureRead.from_domain(disclosure),
        f"/api/v1/families/{disclosure.family_id}/disclosures/{disclosure.id}",
    )


@router.post(
    "/disclosures",
    status_code=201,
    response_model=DisclosureRead,
    responses=problems.responses(NotFound, InvalidValue, ConsentRequired),
    operation_id="recordDisclosure",
)
def record_disclosure(
    family_id: FamilyId,
    body: DisclosureCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Log information shared about the family (with its lawful basis), or a decision not to
    share it (with its reason). Entries are never changed: put a mistake right with another."""
    result = service.record_disclosure(
        uow,
        clock,
        actor,
        body.to_domain(family_id, actor.principal.practitioner_id),
        idempotency=idempotency.request(actor, body, _recorded),
    )
    return idempotency.respond(result, _recorded)


@router.get(
    "/disclosures",
    response_model=DisclosurePage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listDisclosures",
)
def list_disclosures(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
    decision: Annotated[
        DisclosureDecision | None, Query(description="Only disclosures, or only decisions not to.")
    ] = None,
    lawful_basis: Annotated[
        LawfulBasis | None, Query(description="Only disclosures on this basis.")
    ] = None,
    decided_from: Annotated[
        CaseDate | None, Query(alias="from", description="Decided on or after this date.")
    ] = None,
    decided_to: Annotated[
        CaseDate | None, Query(alias="to", description="Decided on or before this date.")
    ] = None,
    episode_id: Annotated[
        uuid.UUID | None, Query(description="Only entries of this episode.")
    ] = None,
) -> DisclosurePage:
    """The family's disclosure log, in the order the decisions were made."""
    page = service.list_disclosures(
        uow,
        clock,
        actor,
        family_id,
        DisclosureFilter(
            decision=decision,
            lawful_basis=lawful_basis,
            decided_from=decided_from,
            decided_to=decided_to,
            episode_id=episode_id,
        ),
        page_request(limit, cursor),
    )
    link_next(request, response, page.next_cursor)
    return DisclosurePage(
        items=[DisclosureRead.from_domain(d) for d in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/disclosures/{disclosure_id}",
    response_model=DisclosureRead,
    responses=problems.responses(NotFound),
    operation_id="getDisclosure",
)
def get_disclosure(
    family_id: FamilyId,
    disclosure_id: DisclosureId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> DisclosureRead:
    """Read one entry of the disclosure log."""
    return DisclosureRead.from_domain(
        service.get_disclosure(uow, clock, actor, family_id, disclosure_id)
    )
