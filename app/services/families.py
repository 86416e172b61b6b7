"""Use cases for households and their members: register, find, change, join and leave."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from app.domain.errors import InvalidValue, NotFound, PreconditionRequired, StaleVersion
from app.domain.families import (
    Address,
    DuplicateCandidate,
    Family,
    MemberRole,
    Membership,
    Person,
    Relationship,
    RelationshipKind,
    check_reference,
    validate_membership,
    validate_person,
    validate_relationship,
)
from app.domain.paging import Page, PageRequest
from app.services.ports import Clock, FamilyFilter, UnitOfWork


@dataclass(frozen=True)
class NewMember:
    """A member to add: a new person's details, or an existing person (a second household)."""

    role: MemberRole
    joined_on: date | None = None
    person: Person | None = None
    person_id: uuid.UUID | None = None


@dataclass(frozen=True)
class FamilyDraft:
    address: Address
    hub_id: uuid.UUID
    members: Sequence[NewMember] = field(default_factory=tuple)
    reference: str | None = None
    created_by_practitioner_id: uuid.UUID | None = None


@dataclass(frozen=True)
class FamilyRecord:
    """A household with its people, as a reader sees it."""

    family: Family
    people: dict[uuid.UUID, Person]
    relationships: list[Relationship]
    warnings: list[DuplicateCandidate] = field(default_factory=list)
    visible_duplicates: frozenset[uuid.UUID] = frozenset()


def check_version(expected: int | None, actual: int) -> None:
    """Every update names the version it was based on, so offline edits never overwrite newer data."""
    if expected is None:
        raise PreconditionRequired("Send If-Match with the ETag of the version you are changing.")
    if expected != actual:
        raise StaleVersion.changed_elsewhere()


def _new_reference(uow: UnitOfWork) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        reference = "FH-" + "".join(secrets.choice(alphabet) for _ in range(6))
        if not uow.families.reference_exists(reference):
            return reference


def _load_record(
    uow: UnitOfWork, family: Family, warnings: list[DuplicateCandidate] | None = None
) -> FamilyRecord:
    family.memberships.sort(key=lambda m: (m.joined_on, m.id))
    people = uow.people.get_many([m.person_id for m in family.memberships])
    return FamilyRecord(
        family=family,
        people=people,
        relationships=uow.families.relationships(family.id),
        warnings=warnings or [],
    )


def _require_hub(uow: UnitOfWork, hub_id: uuid.UUID) -> None:
    hub = uow.reference.hub(hub_id)
    if hub is None or not hub.active:
        raise InvalidValue("There is no active family hub with this id.", field="hub_id")


def _prepare_member(
    uow: UnitOfWork, family: Family, new: NewMember, *, today: date, index: int | None
) -> tuple[Membership, Person | None]:
    """Validate one new member; returns the membership and, for a new person, the person to store."""
    prefix = f"members[{index}]." if index is not None else ""
    joined_on = new.joined_on or today
    if (new.person is None) == (new.person_id is None):
        raise InvalidValue(
            "Give either a new person's details or an existing person_id.", field=f"{prefix}person"
        )
    created: Person | None = None
    if new.person is not None:
        try:
            person = validate_person(new.person, today=today)
        except InvalidValue as exc:
            raise InvalidValue(exc.detail, field=f"{prefix}person.{exc.field}") from exc
        created = person
    else:
        assert new.person_id is not None
        existing = uow.people.get(new.person_id)
        if existing is None:
            raise InvalidValue("There is no person with this id.", field=f"{prefix}person_id")
        person = existing
    try:
        validate_membership(person, new.role, on=joined_on, today=today)
    except InvalidValue as exc:
        about_person = exc.field in ("date_of_birth", "expected_delivery_date")
        raise InvalidValue(
            exc.detail, field=f"{prefix}{'person.' if about_person else ''}{exc.field}"
        ) from exc
    membership = Membership(
        id=uuid.uuid4(),
        family_id=family.id,
        person_id=person.id,
        role=new.role,
        joined_on=joined_on,
    )
    return membership, created


def find_possible_duplicates(
    uow: UnitOfWork,
    *,
    postcode: str | None,
    members: Sequence[Person],
    exclude: uuid.UUID | None = None,
) -> list[DuplicateCandidate]:
    """Households that may already be this one: a child with the same name and date of birth, or the
    same postcode and surname. Asked before creating, so nobody opens a second record for a family."""
    with uow:
        children = [
            (p.given_name, p.family_name, p.date_of_birth)
            for p in members
            if p.date_of_birth is not None
        ]
        surnames = [(postcode, p.family_name) for p in members] if postcode else []
        return uow.families.possible_duplicates(
            children=children, postcode_surnames=surnames, exclude=exclude
        )


def create_family(uow: UnitOfWork, clock: Clock, draft: FamilyDraft) -> FamilyRecord:
    today, now = clock.today(), clock.now()
    with uow:
        _require_hub(uow, draft.hub_id)
        if draft.reference is not None:
            reference = check_reference(draft.reference)
            if uow.families.reference_exists(reference):
                raise InvalidValue(
                    f"The reference {reference} is already in use.", field="reference"
                )
        else:
            reference = _new_reference(uow)
        family = Family(
            id=uuid.uuid4(),
            reference=reference,
            address=draft.address,
            hub_id=draft.hub_id,
            created_by_practitioner_id=draft.created_by_practitioner_id,
        )
        new_people: list[Person] = []
        for index, new in enumerate(draft.members):
            membership, created = _prepare_member(uow, family, new, today=today, index=index)
            family.add_member(membership)
            if created is not None:
                new_people.append(created)
        all_people = new_people + list(
            uow.people.get_many([m.person_id for m in family.memberships]).values()
        )
        warnings = uow.families.possible_duplicates(
            children=[
                (p.given_name, p.family_name, p.date_of_birth)
                for p in all_people
                if p.date_of_birth
            ],
            postcode_surnames=[(family.address.postcode, p.family_name) for p in all_people],
        )
        for person in new_people:
            uow.people.add(person, at=now)
        uow.families.add(family, at=now)
        record = _load_record(uow, family, warnings)
        uow.commit()
        return record


def get_family(uow: UnitOfWork, family_id: uuid.UUID) -> FamilyRecord:
    with uow:
        family = uow.families.get(family_id)
        if family is None:
            raise NotFound("There is no family with this id.")
        return _load_record(uow, family)


def search_families(uow: UnitOfWork, flt: FamilyFilter, page: PageRequest) -> Page[FamilyRecord]:
    with uow:
        found = uow.families.search(flt, page)
        people = uow.people.get_many([m.person_id for f in found.items for m in f.memberships])
        records = [
            FamilyRecord(
                family=f,
                people={m.person_id: people[m.person_id] for m in f.memberships},
                relationships=[],
            )
            for f in found.items
        ]
        return Page(items=records, next_cursor=found.next_cursor)


def update_family(
    uow: UnitOfWork,
    clock: Clock,
    family_id: uuid.UUID,
    *,
    expected_version: int | None,
    address: Address | None = None,
    hub_id: uuid.UUID | None = None,
) -> FamilyRecord:
    with uow:
        family = uow.families.get(family_id)
        if family is None:
            raise NotFound("There is no family with this id.")
        check_version(expected_version, family.version)
        if hub_id is not None:
            _require_hub(uow, hub_id)
            family.hub_id = hub_id
        if address is not None:
            family.address = address
        uow.families.save(family, at=clock.now())
        record = _load_record(uow, family)
        uow.commit()
        return record


def add_member(
    uow: UnitOfWork, clock: Clock, family_id: uuid.UUID, new: NewMember
) -> tuple[FamilyRecord, Membership]:
    now = clock.now()
    with uow:
        family = uow.families.get(family_id)
        if family is None:
            raise NotFound("There is no family with this id.")
        membership, created = _prepare_member(uow, family, new, today=clock.today(), index=None)
        family.add_member(membership)
        if created is not None:
            uow.people.add(created, at=now)
        uow.families.save(family, at=now)
        record = _load_record(uow, family)
        uow.commit()
        return record, membership


def record_member_left(
    uow: UnitOfWork,
    clock: Clock,
    family_id: uuid.UUID,
    membership_id: uuid.UUID,
    *,
    left_on: date,
    expected_version: int | None,
) -> FamilyRecord:
    """A member leaves the household; the membership is kept as history."""
    with uow:
        family = uow.families.get(family_id)
        if family is None:
            raise NotFound("There is no family with this id.")
        check_version(expected_version, family.version)
        membership = next((m for m in family.memberships if m.id == membership_id), None)
        if membership is None:
            raise NotFound("This family has no member with this id.")
        if left_on > clock.today():
            raise InvalidValue("A member cannot leave in the future.", field="left_on")
        membership.leave(left_on)
        uow.families.save(family, at=clock.now())
        record = _load_record(uow, family)
        uow.commit()
        return record


def update_person(
    uow: UnitOfWork,
    clock: Clock,
    person_id: uuid.UUID,
    *,
    expected_version: int | None,
    changes: dict[str, object],
) -> Person:
    """Change a person's details; every household they belong to gets a new version too."""
    now = clock.now()
    with uow:
        person = uow.people.get(person_id)
        if person is None:
            raise NotFound("There is no person with this id.")
        check_version(expected_version, person.version)
        updated = validate_person(replace(person, **changes), today=clock.today())  # type: ignore[arg-type]
        for family_id in uow.families.families_of_person(person_id):
            family = uow.families.get(family_id)
            if family is None:
                continue
            membership = family.membership_of(person_id, clock.today())
            if membership is not None:
                validate_membership(updated, membership.role, on=clock.today(), today=clock.today())
            uow.families.save(family, at=now)
        uow.people.save(updated, at=now)
        uow.commit()
        return updated


def get_person(uow: UnitOfWork, person_id: uuid.UUID) -> Person:
    with uow:
        person = uow.people.get(person_id)
        if person is None:
            raise NotFound("There is no person with this id.")
        return person


def add_relationship(
    uow: UnitOfWork,
    clock: Clock,
    family_id: uuid.UUID,
    *,
    person_id: uuid.UUID,
    related_person_id: uuid.UUID,
    kind: RelationshipKind,
    parental_responsibility: bool,
) -> Relationship:
    now = clock.now()
    with uow:
        family = uow.families.get(family_id)
        if family is None:
            raise NotFound("There is no family with this id.")
        relationship = Relationship(
            id=uuid.uuid4(),
            family_id=family_id,
            person_id=person_id,
            related_person_id=related_person_id,
            kind=kind,
            parental_responsibility=parental_responsibility,
        )
        validate_relationship(
            relationship, [m.person_id for m in family.current_memberships(clock.today())]
        )
        uow.families.add_relationship(relationship, at=now)
        uow.families.save(family, at=now)
        uow.commit()
        return relationship


def families_of_person(uow: UnitOfWork, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The households a person currently belongs to (a child of separated parents has two)."""
    with uow:
        return uow.families.families_of_person(person_id)
