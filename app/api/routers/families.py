"""Households: register, search, read and change them, and manage who belongs to them."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, SettingsDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import FamilyId, HubFilter, MembershipId, PersonId
from app.api.schemas.base import CaseDate
from app.api.schemas.families import (
    DuplicateCheck,
    DuplicateWarning,
    FamilyCreate,
    FamilyRead,
    FamilySearchPage,
    FamilySearchResult,
    FamilyUpdate,
    LeaveIn,
    MemberIn,
    MemberRead,
    PersonRead,
    PersonUpdate,
    RelationshipIn,
    RelationshipRead,
)
from app.domain.access import Action
from app.domain.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.domain.families import Relationship, normalise_postcode
from app.services import families as service
from app.services.ports import FamilyFilter
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1")
FAMILIES: list[str | Enum] = ["families"]
PEOPLE: list[str | Enum] = ["people"]
READ_ERRORS = (NotFound, Forbidden)
WRITE_ERRORS = (NotFound, Forbidden, InvalidValue, Conflict, StaleVersion, PreconditionRequired)


def _family_location(family_id: uuid.UUID) -> str:
    return f"/api/v1/families/{family_id}"


def _created_family(record: service.FamilyRecord) -> Created:
    return Created(
        FamilyRead.from_record(record),
        _family_location(record.family.id),
        etag(record.family.version),
    )


def _added_member(added: service.AddedMember) -> Created:
    record, membership = added.record, added.membership
    member = MemberRead.from_domain(
        membership,
        record.people[membership.person_id],
        may_see_restricted=membership.person_id in record.restricted_visible,
    )
    return Created(member, _family_location(record.family.id), etag(record.family.version))


def _added_relationship(relationship: Relationship) -> Created:
    return Created(
        RelationshipRead.from_domain(relationship), _family_location(relationship.family_id)
    )


@router.post(
    "/families",
    status_code=201,
    response_model=FamilyRead,
    responses={**problems.responses(InvalidValue, Forbidden, Conflict), **versioned(201)},
    operation_id="createFamily",
    tags=FAMILIES,
)
def create_family(
    body: FamilyCreate,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.CREATE_FAMILY)],
) -> Response:
    """Register a household with its members; the answer warns of possible duplicates."""
    draft = service.FamilyDraft(
        address=body.address.to_domain(),
        hub_id=body.hub_id,
        reference=body.reference,
        members=[m.to_new_member(f"members[{i}].") for i, m in enumerate(body.members)],
    )
    result = service.create_family(
        uow,
        clock,
        actor,
        draft,
        consistent=settings.consistent_identifier_scheme,
        idempotency=idempotency.request(actor, body, _created_family),
    )
    return idempotency.respond(result, _created_family)


@router.get(
    "/families",
    response_model=FamilySearchPage,
    responses=problems.responses(InvalidValue, Forbidden),
    operation_id="listFamilies",
    tags=FAMILIES,
)
def list_families(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.SEARCH_FAMILIES)],
    limit: Limit = 50,
    cursor: Cursor = None,
    name: Annotated[
        str | None, Query(max_length=100, description="Any member's given or family name (prefix).")
    ] = None,
    postcode: Annotated[
        str | None, Query(max_length=10, description="Postcode or its start.")
    ] = None,
    reference: Annotated[
        str | None, Query(max_length=32, description="Reference or its start.")
    ] = None,
    hub_id: HubFilter = None,
    date_of_birth: Annotated[
        CaseDate | None, Query(description="Any member's date of birth.")
    ] = None,
) -> FamilySearchPage:
    """Find households you may see by member name, date of birth, postcode, reference or hub.

    Names match however they are typed: by their start ('Hug'), their sound ('Hgues' finds
    'Hughes'), a typo or two ('Hughs', 'Muhamad' finds 'Muhammad'), and on PostgreSQL any
    similar spelling; each result says how it matched (`matched`)."""
    page = service.search_families(
        uow,
        clock,
        actor,
        FamilyFilter(
            name=name,
            postcode=postcode,
            reference=reference,
            hub_id=hub_id,
            date_of_birth=date_of_birth,
        ),
        page_request(limit, cursor),
    )
    link_next(request, response, page.next_cursor)
    return FamilySearchPage(
        items=[FamilySearchResult.from_found(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/families/duplicate-check",
    response_model=list[DuplicateWarning],
    responses=problems.responses(InvalidValue, Forbidden),
    operation_id="checkFamilyDuplicates",
    tags=FAMILIES,
)
def check_duplicates(
    body: DuplicateCheck,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.CREATE_FAMILY)],
) -> list[DuplicateWarning]:
    """Before registering a family, list households that may already be it (unnamed if not yours to see)."""
    found = service.check_duplicates(
        uow,
        clock,
        actor,
        postcode=normalise_postcode(body.postcode) if body.postcode else None,
        members=[p.to_domain(f"members[{i}].") for i, p in enumerate(body.members)],
    )
    return [DuplicateWarning.from_domain(d.candidate, known=d.known) for d in found]


@router.get(
    "/families/{family_id}",
    response_model=FamilyRead,
    responses={**conditional(), **problems.responses(*READ_ERRORS, validation=False)},
    operation_id="getFamily",
    tags=FAMILIES,
)
def get_family(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> Response | FamilyRead:
    """Read a household with its current and former members."""
    record = service.get_family(uow, clock, actor, family_id)
    return not_modified(request, record.family.version, response) or FamilyRead.from_record(record)


@router.patch(
    "/families/{family_id}",
    response_model=FamilyRead,
    responses={**problems.responses(*WRITE_ERRORS), **versioned()},
    operation_id="updateFamily",
    tags=FAMILIES,
)
def update_family(
    family_id: FamilyId,
    body: FamilyUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    if_match: IfMatch = None,
) -> FamilyRead:
    """Change a household's address or hub (If-Match required)."""
    record = service.update_family(
        uow,
        clock,
        actor,
        family_id,
        expected_version=parse_if_match(if_match),
        address=body.address.to_domain() if body.address else None,
        hub_id=body.hub_id,
    )
    response.headers["ETag"] = etag(record.family.version)
    return FamilyRead.from_record(record)


@router.post(
    "/families/{family_id}/members",
    status_code=201,
    response_model=MemberRead,
    responses={**problems.responses(*WRITE_ERRORS), **versioned(201)},
    operation_id="addFamilyMember",
    tags=FAMILIES,
)
def add_member(
    family_id: FamilyId,
    body: MemberIn,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Add a member: a new person, or an existing person joining a second household."""
    result = service.add_member(
        uow,
        clock,
        actor,
        family_id,
        body.to_new_member(),
        consistent=settings.consistent_identifier_scheme,
        idempotency=idempotency.request(actor, body, _added_member),
    )
    return idempotency.respond(result, _added_member)


@router.post(
    "/families/{family_id}/members/{membership_id}/leave",
    response_model=FamilyRead,
    responses={**problems.responses(*WRITE_ERRORS), **versioned()},
    operation_id="recordMemberLeft",
    tags=FAMILIES,
)
def record_member_left(
    family_id: FamilyId,
    membership_id: MembershipId,
    body: LeaveIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    if_match: IfMatch = None,
) -> FamilyRead:
    """Record that a member left the household (If-Match: the family's ETag); history is kept."""
    record = service.record_member_left(
        uow,
        clock,
        actor,
        family_id,
        membership_id,
        left_on=body.left_on,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(record.family.version)
    return FamilyRead.from_record(record)


@router.post(
    "/families/{family_id}/relationships",
    status_code=201,
    response_model=RelationshipRead,
    responses=problems.responses(*WRITE_ERRORS),
    operation_id="addFamilyRelationship",
    tags=FAMILIES,
)
def add_relationship(
    family_id: FamilyId,
    body: RelationshipIn,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Record how two members of the household are related."""
    result = service.add_relationship(
        uow,
        clock,
        actor,
        family_id,
        person_id=body.person_id,
        related_person_id=body.related_person_id,
        kind=body.kind,
        parental_responsibility=body.parental_responsibility,
        idempotency=idempotency.request(actor, body, _added_relationship),
    )
    return idempotency.respond(result, _added_relationship)


@router.get(
    "/people/{person_id}",
    response_model=PersonRead,
    responses={**conditional(), **problems.responses(*READ_ERRORS, validation=False)},
    operation_id="getPerson",
    tags=PEOPLE,
)
def get_person(
    person_id: PersonId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
) -> Response | PersonRead:
    """Read one person's details."""
    view = service.get_person(uow, clock, actor, person_id)
    return not_modified(request, view.person.version, response) or PersonRead.from_domain(
        view.person, may_see_restricted=view.may_see_restricted
    )


@router.patch(
    "/people/{person_id}",
    response_model=PersonRead,
    responses={**problems.responses(*WRITE_ERRORS), **versioned()},
    operation_id="updatePerson",
    tags=PEOPLE,
)
def update_person(
    person_id: PersonId,
    body: PersonUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    if_match: IfMatch = None,
) -> PersonRead:
    """Change a person's details (If-Match required); only the fields sent change."""
    view = service.update_person(
        uow,
        clock,
        actor,
        person_id,
        expected_version=parse_if_match(if_match),
        changes=body.changes(),
        consistent=settings.consistent_identifier_scheme,
    )
    response.headers["ETag"] = etag(view.person.version)
    return PersonRead.from_domain(view.person, may_see_restricted=view.may_see_restricted)
