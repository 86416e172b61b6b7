"""Consent: record it, withdraw it, list its history and ask whether it is in force."""

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
from app.api.schemas.base import CaseDate, Code, PageOf
from app.api.schemas.consents import ConsentCreate, ConsentRead, ConsentStatusRead, WithdrawalIn
from app.domain.access import Action
from app.domain.consent import ConsentPurpose
from app.domain.errors import Conflict, InvalidValue, NotFound, PreconditionRequired, StaleVersion
from app.domain.paging import page_in_memory
from app.services import consents as service

router = APIRouter(prefix="/api/v1/families/{family_id}", tags=["consent"])


def _location(family_id: uuid.UUID, consent_id: uuid.UUID) -> str:
    return f"/api/v1/families/{family_id}/consents/{consent_id}"


@router.post(
    "/consents",
    status_code=201,
    response_model=ConsentRead,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="recordConsent",
)
def record_consent(
    family_id: uuid.UUID,
    body: ConsentCreate,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Record consent given by a member of the household."""
    gate.require(Action.WRITE_FAMILY, "consent", family_id=family_id)

    def create() -> Created:
        consent = service.record_consent(uow, clock, body.to_domain(family_id))
        return Created(
            ConsentRead.from_domain(consent),
            _location(family_id, consent.id),
            etag(consent.version),
        )

    return idempotent.run(body, create)


@router.get(
    "/consents",
    response_model=PageOf[ConsentRead],
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listConsents",
)
def list_consents(
    family_id: uuid.UUID,
    request: Request,
    response: Response,
    uow: UowDep,
    gate: GateDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    purpose: ConsentPurpose | None = None,
    in_force_on: Annotated[
        CaseDate | None, Query(description="Only consents in force on this date.")
    ] = None,
) -> PageOf[ConsentRead]:
    """The family's consent history, withdrawals included, oldest first."""
    _, consents = gate.read(
        Action.READ_FAMILY,
        "consent",
        lambda: service.list_consents(uow, family_id),
        family_id=family_id,
    )
    chosen = [
        c
        for c in consents
        if (purpose is None or c.purpose is purpose)
        and (in_force_on is None or c.is_in_force_on(in_force_on))
    ]
    page = page_in_memory(
        chosen, lambda c: (c.given_on.isoformat(), str(c.id)), page_request(limit, cursor)
    )
    link_next(request, response, page.next_cursor)
    return PageOf[ConsentRead](
        items=[ConsentRead.from_domain(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/consents/{consent_id}",
    response_model=ConsentRead,
    responses={304: {"description": "Not modified"}, **problems.responses(NotFound)},
    operation_id="getConsent",
)
def get_consent(
    family_id: uuid.UUID,
    consent_id: uuid.UUID,
    request: Request,
    response: Response,
    uow: UowDep,
    gate: GateDep,
) -> Response | ConsentRead:
    """Read one consent record."""
    _, consent = gate.read(
        Action.READ_FAMILY,
        "consent",
        lambda: service.get_consent(uow, family_id, consent_id),
        resource_id=consent_id,
        family_id=family_id,
    )
    return not_modified(request, consent.version, response) or ConsentRead.from_domain(consent)


@router.post(
    "/consents/{consent_id}/withdrawal",
    response_model=ConsentRead,
    responses=problems.responses(
        NotFound, InvalidValue, Conflict, StaleVersion, PreconditionRequired
    ),
    operation_id="withdrawConsent",
)
def withdraw_consent(
    family_id: uuid.UUID,
    consent_id: uuid.UUID,
    body: WithdrawalIn,
    response: Response,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ConsentRead:
    """Record the withdrawal of a consent (If-Match: the consent's ETag)."""
    gate.require(Action.WRITE_FAMILY, "consent", resource_id=consent_id, family_id=family_id)
    consent = service.withdraw_consent(
        uow,
        clock,
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
    family_id: uuid.UUID,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    purpose: ConsentPurpose,
    agency_code: Annotated[
        Code | None, Query(description="For information_sharing: the agency asking.")
    ] = None,
    on: Annotated[
        CaseDate | None, Query(description="The date asked about; today by default.")
    ] = None,
) -> ConsentStatusRead:
    """Is consent for this purpose (and agency) in force on this date?"""
    gate.require(Action.READ_FAMILY, "consent_status", family_id=family_id)
    day = on or clock.today()
    answer = service.is_consent_in_force(
        uow, family_id, purpose=purpose, on=day, agency_code=agency_code
    )
    return ConsentStatusRead(
        purpose=purpose,
        agency_code=agency_code,
        on=day,
        in_force=answer.in_force,
        consent_id=answer.consent.id if answer.consent else None,
        given_on=answer.consent.given_on if answer.consent else None,
    )
