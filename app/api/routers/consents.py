"""Consent: record it, withdraw it, list its history and ask whether it is in force."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import ConsentId, FamilyId
from app.api.schemas.base import CaseDate, Code
from app.api.schemas.consents import (
    ConsentCreate,
    ConsentPage,
    ConsentRead,
    ConsentStatusRead,
    WithdrawalIn,
)
from app.domain.access import Action
from app.domain.consents import Consent, ConsentPurpose
from app.domain.errors import Conflict, InvalidValue, NotFound, PreconditionRequired, StaleVersion
from app.services import consents as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/families/{family_id}", tags=["consent"])


def _location(family_id: uuid.UUID, consent_id: uuid.UUID) -> str:
    return f"/api/v1/families/{family_id}/consents/{consent_id}"


def _recorded(consent: Consent) -> Created:
    return Created(
        ConsentRead.from_domain(consent),
        _location(consent.family_id, consent.id),
        etag(consent.version),
    )


@router.post(
    "/consents",
    status_code=201,
    response_model=ConsentRead,
    responses={**problems.responses(NotFound, InvalidValue), **versioned(201)},
    operation_id="recordConsent",
)
def record_consent(
    family_id: FamilyId,
    body: ConsentCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Record consent given by a member of the household."""
    result = service.record_consent(
        uow,
        clock,
        actor,
        body.to_domain(family_id),
        family_id=family_id,
        idempotency=idempotency.request(actor, body, _recorded),
    )
    return idempotency.respond(result, _recorded)


@router.get(
    "/consents",
    response_model=ConsentPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listConsents",
)
def list_consents(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
    purpose: Annotated[
        ConsentPurpose | None, Query(description="Only consents for this purpose.")
    ] = None,
    in_force_on: Annotated[
        CaseDate | None, Query(description="Only consents in force on this date.")
    ] = None,
) -> ConsentPage:
    """The family's consent history, withdrawals included, oldest first."""
    page = service.list_consents(
        uow,
        clock,
        actor,
        family_id,
        page_request(limit, cursor),
        purpose=purpose,
        in_force_on=in_force_on,
    )
    link_next(request, response, page.next_cursor)
    return ConsentPage(
        items=[ConsentRead.from_domain(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/consents/{consent_id}",
    response_model=ConsentRead,
    responses={**conditional(), **problems.responses(NotFound)},
    operation_id="getConsent",
)
def get_consent(
    family_id: FamilyId,
    consent_id: ConsentId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> Response | ConsentRead:
    """Read one consent record."""
    consent = service.get_consent(uow, clock, actor, family_id, consent_id)
    return not_modified(request, consent.version, response) or ConsentRead.from_domain(consent)


@router.post(
    "/consents/{consent_id}/withdrawal",
    response_model=ConsentRead,
    responses={
        **problems.responses(NotFound, InvalidValue, Conflict, StaleVersion, PreconditionRequired),
        **versioned(),
    },
    operation_id="withdrawConsent",
)
def withdraw_consent(
    family_id: FamilyId,
    consent_id: ConsentId,
    body: WithdrawalIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    if_match: IfMatch = None,
) -> ConsentRead:
    """Record the withdrawal of a consent (If-Match: the consent's ETag)."""
    consent = service.withdraw_consent(
        uow,
        clock,
        actor,
        family_id,
        consent_id,
        withdrawal=body.to_domain(),
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(consent.version)
    return ConsentRead.from_domain(consent)


@router.get(
    "/consent-status",
    response_model=ConsentStatusRead,
    responses=problems.responses(NotFound),
    operation_id="getConsentStatus",
)
def consent_status(
    family_id: FamilyId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    purpose: Annotated[ConsentPurpose, Query(description="The purpose asked about.")],
    agency_code: Annotated[
        Code | None, Query(description="For information_sharing: the agency asking.")
    ] = None,
    on: Annotated[
        CaseDate | None, Query(description="The date asked about; today by default.")
    ] = None,
) -> ConsentStatusRead:
    """Is consent for this purpose (and agency) in force on this date?"""
    answer = service.is_consent_in_force(
        uow, clock, actor, family_id, purpose=purpose, on=on, agency_code=agency_code
    )
    return ConsentStatusRead(
        purpose=purpose,
        agency_code=agency_code,
        on=answer.on,
        in_force=answer.in_force,
        consent_id=answer.consent.id if answer.consent else None,
        given_on=answer.consent.given_on if answer.consent else None,
    )
