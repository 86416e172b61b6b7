"""Households: register, search, read and change them, and manage who belongs to them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.auth import Gate, GateDep
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.schemas.base import CaseDate, PageOf
from app.api.schemas.families import (
    DuplicateCheck,
    DuplicateWarning,
    FamilyCreate,
    FamilyRead,
    FamilyUpdate,
    LeaveIn,
    MemberIn,
    MemberRead,
    PersonRead,
    PersonUpdate,
    RelationshipIn,
    RelationshipRead,
)
from app.domain.access import Action, RecordFacts, search_scope
from app.domain.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.domain.families import normalise_postcode
from app.services import families as service
from app.services.ports import FamilyFilter

router = APIRouter(prefix="/api/v1", tags=["families"])
READ_ERRORS = (NotFound, Forbidden)
RESTRICTED_FIELDS = frozenset(
    {"contact", "contact_restricted", "restriction_reason", "restriction_visible_to"}
)
WRITE_ERRORS = (NotFound, Forbidden, InvalidValue, Conflict, StaleVersion, PreconditionRequired)


def _family_location(family_id: uuid.UUID) -> str:
    return f"/api/v1/families/{family_id}"


def _family_read(gate: Gate, record: service.FamilyRecord, facts: RecordFacts | None) -> FamilyRead:
    """The household as this user may see it: restricted details only where the rules allow."""
    visible = gate.restricted_visible(facts, list(record.people.values()))
    return FamilyRead.from_record(record, restricted_visible=visible)


@router.post(
    "/families",
    status_code=201,
    response_model=FamilyRead,
    responses=problems.responses(InvalidValue, Forbidden, Conflict),
    operation_id="createFamily",
)
def create_family(
    body: FamilyCreate, uow: UowDep, clock: ClockDep, idempotent: IdempotencyDep, gate: GateDep
) -> Response:
    """Register a household with its members; the answer warns of possible duplicates."""
    gate.require(Action.CREATE_FAMILY, "family")
    draft = service.FamilyDraft(
        address=body.address.to_domain(),
        hub_id=body.hub_id,
        reference=body.reference,
        members=[m.to_new_member(f"members[{i}].") for i, m in enumerate(body.members)],
        created_by_practitioner_id=gate.principal.practitioner_id,
    )
    # Which possible duplicates this user may see is settled (and audited) before the create's own
    # transaction starts: on SQLite a write transaction must not wait on another one.
    candidates = service.find_possible_duplicates(
        uow,
        postcode=draft.address.postcode,
        members=[m.person for m in draft.members if m.person is not None],
    )
    seen = frozenset(gate.visible_families([c.family_id for c in candidates]))

    def create() -> Created:
        record = replace(service.create_family(uow, clock, draft), visible_duplicates=seen)
        read = _family_read(gate, record, None)
        return Created(read, _family_location(record.family.id), etag(record.family.version))

    return idempotent.run(body, create)


@router.get(
    "/families",
    response_model=PageOf[FamilyRead],
    responses=problems.responses(InvalidValue, Forbidden),
    operation_id="listFamilies",
)
def list_families(
    request: Request,
    response: Response,
    uow: UowDep,
    gate: GateDep,
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
    hub_id: uuid.UUID | None = None,
    date_of_birth: Annotated[
        CaseDate | None, Query(description="Any member's date of birth.")
    ] = None,
) -> PageOf[FamilyRead]:
    """Find households you may see by member name, date of birth, postcode, reference or hub."""
    gate.require(Action.SEARCH_FAMILIES, "family_search")
    page, visible = gate.read_visible_families(
        lambda: service.search_families(
            uow,
            FamilyFilter(
                name=name,
                postcode=postcode,
                reference=reference,
                hub_id=hub_id,
                date_of_birth=date_of_birth,
                scope=search_scope(gate.principal),
            ),
            page_request(limit, cursor),
        ),
        lambda page: [r.family.id for r in page.items],
    )
    link_next(request, response, page.next_cursor)
    return PageOf[FamilyRead](
        items=[
            _family_read(gate, r, visible[r.family.id])
            for r in page.items
            if r.family.id in visible
        ],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/families/duplicate-check",
    response_model=list[DuplicateWarning],
    responses=problems.responses(InvalidValue, Forbidden),
    operation_id="checkFamilyDuplicates",
)
def check_duplicates(body: DuplicateCheck, uow: UowDep, gate: GateDep) -> list[DuplicateWarning]:
    """Before registering a family, list households that may already be it (unnamed if not yours to see)."""
    gate.require(Action.CREATE_FAMILY, "duplicate_check")
    postcode = normalise_postcode(body.postcode) if body.postcode else None
    candidates = service.find_possible_duplicates(
        uow,
        postcode=postcode,
        members=[p.to_domain(f"members[{i}].") for i, p in enumerate(body.members)],
    )
    seen = gate.visible_families([c.family_id for c in candidates])
    return [DuplicateWarning.from_domain(c, known=c.family_id in seen) for c in candidates]


@router.get(
    "/families/{family_id}",
    response_model=FamilyRead,
    responses={
        304: {"description": "Not modified"},
        **problems.responses(*READ_ERRORS, validation=False),
    },
    operation_id="getFamily",
)
def get_family(
    family_id: uuid.UUID, request: Request, response: Response, uow: UowDep, gate: GateDep
) -> Response | FamilyRead:
    """Read a household with its current and former members."""
    facts, record = gate.read(
        Action.READ_FAMILY,
        "family",
        lambda: service.get_family(uow, family_id),
        resource_id=family_id,
        family_id=family_id,
    )
    return not_modified(request, record.family.version, response) or _family_read(
        gate, record, facts
    )


@router.patch(
    "/families/{family_id}",
    response_model=FamilyRead,
    responses=problems.responses(*WRITE_ERRORS),
    operation_id="updateFamily",
)
def update_family(
    family_id: uuid.UUID,
    body: FamilyUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> FamilyRead:
    """Change a household's address or hub (If-Match required)."""
    facts = gate.require(Action.WRITE_FAMILY, "family", resource_id=family_id, family_id=family_id)
    record = service.update_family(
        uow,
        clock,
        family_id,
        expected_version=parse_if_match(if_match),
        address=body.address.to_domain() if body.address else None,
        hub_id=body.hub_id,
    )
    response.headers["ETag"] = etag(record.family.version)
    return _family_read(gate, record, facts)


@router.post(
    "/families/{family_id}/members",
    status_code=201,
    response_model=MemberRead,
    responses=problems.responses(*WRITE_ERRORS),
    operation_id="addFamilyMember",
)
def add_member(
    family_id: uuid.UUID,
    body: MemberIn,
    uow: UowDep,
    clock: ClockDep,
    idempotent: IdempotencyDep,
    gate: GateDep,
) -> Response:
    """Add a member: a new person, or an existing person joining a second household."""
    facts = gate.require(Action.WRITE_FAMILY, "family_member", family_id=family_id)
    if body.person_id is not None:
        # Only someone who may already change the person's record (the lead of one of their
        # households) can add them to another; otherwise a household of one's own would be a way
        # round the access rules (restricted details, withdrawn consent).
        _person_facts(gate, uow, body.person_id, Action.WRITE_FAMILY)

    def create() -> Created:
        record, membership = service.add_member(uow, clock, family_id, body.to_new_member())
        person = record.people[membership.person_id]
        visible = gate.restricted_visible(facts, [person])
        member = MemberRead.from_domain(membership, person, may_see_restricted=person.id in visible)
        return Created(member, _family_location(family_id), etag(record.family.version))

    return idempotent.run(body, create)


@router.post(
    "/families/{family_id}/members/{membership_id}/leave",
    response_model=FamilyRead,
    responses=problems.responses(*WRITE_ERRORS),
    operation_id="recordMemberLeft",
)
def record_member_left(
    family_id: uuid.UUID,
    membership_id: uuid.UUID,
    body: LeaveIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> FamilyRead:
    """Record that a member left the household (If-Match: the family's ETag); history is kept."""
    facts = gate.require(
        Action.WRITE_FAMILY, "family_member", resource_id=membership_id, family_id=family_id
    )
    record = service.record_member_left(
        uow,
        clock,
        family_id,
        membership_id,
        left_on=body.left_on,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(record.family.version)
    return _family_read(gate, record, facts)


@router.post(
    "/families/{family_id}/relationships",
    status_code=201,
    response_model=RelationshipRead,
    responses=problems.responses(*WRITE_ERRORS),
    operation_id="addFamilyRelationship",
)
def add_relationship(
    family_id: uuid.UUID,
    body: RelationshipIn,
    uow: UowDep,
    clock: ClockDep,
    idempotent: IdempotencyDep,
    gate: GateDep,
) -> Response:
    """Record how two members of the household are related."""
    gate.require(Action.WRITE_FAMILY, "relationship", family_id=family_id)

    def create() -> Created:
        relationship = service.add_relationship(
            uow,
            clock,
            family_id,
            person_id=body.person_id,
            related_person_id=body.related_person_id,
            kind=body.kind,
            parental_responsibility=body.parental_responsibility,
        )
        return Created(RelationshipRead.from_domain(relationship), _family_location(family_id))

    return idempotent.run(body, create)


def _person_facts(
    gate: Gate, uow: UowDep, person_id: uuid.UUID, action: Action
) -> RecordFacts | None:
    """A person is reached through a household the user may see (the first that allows the action)."""
    families = service.families_of_person(uow, person_id)
    refusal: Exception = NotFound("There is no person with this id.")
    for family_id in families:
        try:
            return gate.require(action, "person", resource_id=person_id, family_id=family_id)
        except (NotFound, Forbidden) as denied:
            refusal = denied
    raise refusal


@router.get(
    "/people/{person_id}",
    response_model=PersonRead,
    responses={
        304: {"description": "Not modified"},
        **problems.responses(*READ_ERRORS, validation=False),
    },
    operation_id="getPerson",
    tags=["people"],
)
def get_person(
    person_id: uuid.UUID, request: Request, response: Response, uow: UowDep, gate: GateDep
) -> Response | PersonRead:
    """Read one person's details."""
    facts = _person_facts(gate, uow, person_id, Action.READ_FAMILY)
    person = service.get_person(uow, person_id)
    visible = gate.restricted_visible(facts, [person])
    return not_modified(request, person.version, response) or PersonRead.from_domain(
        person, may_see_restricted=person.id in visible
    )


@router.patch(
    "/people/{person_id}",
    response_model=PersonRead,
    responses=problems.responses(*WRITE_ERRORS),
    operation_id="updatePerson",
    tags=["people"],
)
def update_person(
    person_id: uuid.UUID,
    body: PersonUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> PersonRead:
    """Change a person's details (If-Match required); only the fields sent change."""
    facts = _person_facts(gate, uow, person_id, Action.WRITE_FAMILY)
    current = service.get_person(uow, person_id)
    touched = RESTRICTED_FIELDS & body.model_fields_set
    if (
        current.contact_restricted
        and touched
        and current.id not in gate.restricted_visible(facts, [current])
    ):
        raise Forbidden(
            "Only those who may see a member's restricted details may change them or the restriction.",
            field=sorted(touched)[0],
        )
    person = service.update_person(
        uow, clock, person_id, expected_version=parse_if_match(if_match), changes=body.changes()
    )
    response.headers["ETag"] = etag(person.version)
    visible = gate.restricted_visible(facts, [person])
    return PersonRead.from_domain(person, may_see_restricted=person.id in visible)
