"""Use cases for households and their members: register, find, change, join and leave.

A person may belong to more than one household (a child of separated parents); everything that
reaches a person directly goes through `UseCase.require_person`, one check for every path.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from app.domain.access import Action, RecordFacts
from app.domain.errors import InvalidValue, NotFound
from app.domain.families import (
    Address,
    DuplicateCandidate,
    Family,
    MatchReason,
    MemberRole,
    Membership,
    Person,
    Relationship,
    RelationshipKind,
    check_reference,
    check_restricted_change,
    match_reasons,
    restrict_in,
    validate_membership,
    validate_person,
    validate_relationship,
)
from app.domain.identifiers import (
    IdentifierScheme,
    consistent_identifier,
    normalise_identifiers,
    stamp_identifiers,
    with_nhs_number,
)
from app.domain.paging import Page, PageRequest
from app.domain.versions import Expected, check_version
from app.services.ports import Clock, FamilyFilter, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


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


@dataclass(frozen=True)
class FamilyRecord:
    """A household with its people, as this reader may see it."""

    family: Family
    people: dict[uuid.UUID, Person]
    relationships: list[Relationship]
    warnings: list[DuplicateCandidate] = field(default_factory=list)
    visible_duplicates: frozenset[uuid.UUID] = frozenset()
    """Of the warnings, the households the reader may see (the others are not named)."""
    restricted_visible: frozenset[uuid.UUID] = frozenset()
    """The people whose restricted details the reader may see."""
    matched: list[MatchReason] = field(default_factory=list)
    """In a search's results: why the household came up."""


@dataclass(frozen=True)
class PersonView:
    person: Person
    may_see_restricted: bool


@dataclass(frozen=True)
class DuplicateView:
    candidate: DuplicateCandidate
    known: bool
    """Whether the reader may see the household (otherwise it is not named)."""


def _new_reference(uow: UnitOfWork) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        reference = "FH-" + "".join(secrets.choice(alphabet) for _ in range(6))
        if not uow.families.reference_exists(reference):
            return reference


def _record(
    uc: UseCase,
    family: Family,
    facts: RecordFacts | None,
    *,
    people: dict[uuid.UUID, Person] | None = None,
    with_relationships: bool = True,
) -> FamilyRecord:
    family.memberships.sort(key=lambda m: (m.joined_on, m.id))
    if people is None:
        people = uc.uow.people.get_many([m.person_id for m in family.memberships])
    return FamilyRecord(
        family=family,
        people=people,
        relationships=uc.uow.families.relationships(family.id) if with_relationships else [],
        restricted_visible=frozenset(uc.restricted_visible(facts, people.values())),
    )


def _require_hub(uow: UnitOfWork, hub_id: uuid.UUID) -> None:
    hub = uow.reference.hub(hub_id)
    if hub is None or not hub.active:
        raise InvalidValue(
            "There is no active family hub with this id.", field="hub_id", code="hub_unknown"
        )


def _existing_person(uc: UseCase, person_id: uuid.UUID, field_name: str) -> Person:
    """An existing person joining another household: only someone who may change their record
    (the lead of one of their households) may add them, or a household of one's own would be a
    way round the access rules. A person the user may not know is answered as an unknown id."""
    try:
        uc.require_person(Action.WRITE_FAMILY, person_id, resource_type="family_member")
    except NotFound:
        raise InvalidValue(
            "There is no person with this id.", field=field_name, code="person_unknown"
        ) from None
    person = uc.uow.people.get(person_id)
    assert person is not None  # a household of theirs was found
    return person


def _prepare_member(
    uc: UseCase,
    family: Family,
    new: NewMember,
    *,
    index: int | None,
    consistent: IdentifierScheme,
) -> tuple[Membership, Person | None]:
    """Validate one new member; returns the membership and, for a new person, the person to store."""
    prefix = f"members[{index}]." if index is not None else ""
    today = uc.today
    joined_on = new.joined_on or today
    if (new.person is None) == (new.person_id is None):
        raise InvalidValue(
            "Give either a new person's details or an existing person_id.",
            field=f"{prefix}person",
            code="member_person_or_person_id",
        )
    created: Person | None = None
    if new.person is not None:
        try:
            person = validate_person(
                new.person,
                today=today,
                disability_codes=uc.uow.reference_data.disability_codes(),
                consistent=consistent,
            )
        except InvalidValue as exc:
            raise InvalidValue(
                exc.detail, field=f"{prefix}person.{exc.field}", code=exc.code
            ) from exc
        person = restrict_in(person, person, family.id)
        person = replace(
            person,
            identifiers=stamp_identifiers(
                (), person.identifiers, by=uc.principal.practitioner_id, at=uc.now
            ),
        )
        created = person
    else:
        assert new.person_id is not None
        person = _existing_person(uc, new.person_id, f"{prefix}person_id")
    try:
        validate_membership(person, new.role, on=joined_on, today=today)
    except InvalidValue as exc:
        about_person = exc.field in ("date_of_birth", "expected_delivery_date")
        raise InvalidValue(
            exc.detail,
            field=f"{prefix}{'person.' if about_person else ''}{exc.field}",
            code=exc.code,
        ) from exc
    membership = Membership(
        id=uuid.uuid4(),
        family_id=family.id,
        person_id=person.id,
        role=new.role,
        joined_on=joined_on,
    )
    return membership, created


def _possible_duplicates(
    uow: UnitOfWork,
    *,
    postcode: str | None,
    members: Sequence[Person],
    exclude: uuid.UUID | None = None,
) -> list[DuplicateCandidate]:
    """Households that may already be this one: a child with the same NHS number and date of birth
    (likely the same child), a child with the same name and date of birth, or the same postcode and
    surname. Asked before creating, so nobody opens a second record for a family."""
    return uow.families.possible_duplicates(
        nhs_numbers=[
            (p.nhs_number, p.date_of_birth)
            for p in members
            if p.nhs_number is not None and p.date_of_birth is not None
        ],
        children=[
            (p.given_name, p.family_name, p.date_of_birth)
            for p in members
            if p.date_of_birth is not None
        ],
        postcode_surnames=[(postcode, p.family_name) for p in members] if postcode else [],
        exclude=exclude,
    )


def check_duplicates(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    postcode: str | None,
    members: Sequence[Person],
) -> list[DuplicateView]:
    """Before registering a family: households that may already be it, named only if readable."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.CREATE_FAMILY, "duplicate_check")
        looked_for = []
        for index, person in enumerate(members):
            try:
                identifiers = normalise_identifiers(person.identifiers)
            except InvalidValue as exc:
                raise InvalidValue(
                    exc.detail, field=f"members[{index}].{exc.field}", code=exc.code
                ) from exc
            looked_for.append(replace(person, identifiers=identifiers))
        candidates = _possible_duplicates(uow, postcode=postcode, members=looked_for)
        known = uc.readable_families(c.family_id for c in candidates)
        uc.commit()
        return [DuplicateView(c, c.family_id in known) for c in candidates]


def create_family(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    draft: FamilyDraft,
    *,
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
    idempotency: IdempotentRequest[FamilyRecord] | None = None,
) -> FamilyRecord | Replayed:
    """Register a household with its members; the answer warns of possible duplicates.

    `consistent`: the council's consistent identifier scheme (settings), the one a reason for
    absence stands in for."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.CREATE_FAMILY, "family")
        return run_idempotent(uc, idempotency, lambda: _create_family(uc, draft, consistent))


def _create_family(uc: UseCase, draft: FamilyDraft, consistent: IdentifierScheme) -> FamilyRecord:
    uow = uc.uow
    _require_hub(uow, draft.hub_id)
    if draft.reference is not None:
        reference = check_reference(draft.reference)
        if uow.families.reference_exists(reference):
            raise InvalidValue(
                f"The reference {reference} is already in use.",
                field="reference",
                code="family_reference_taken",
            )
    else:
        reference = _new_reference(uow)
    family = Family(
        id=uuid.uuid4(),
        reference=reference,
        address=draft.address,
        hub_id=draft.hub_id,
        created_by_practitioner_id=uc.principal.practitioner_id,
    )
    new_people: list[Person] = []
    for index, new in enumerate(draft.members):
        membership, created = _prepare_member(uc, family, new, index=index, consistent=consistent)
        family.add_member(membership)
        if created is not None:
            new_people.append(created)
    existing = uow.people.get_many(
        [m.person_id for m in family.memberships if m.person_id not in {p.id for p in new_people}]
    )
    warnings = _possible_duplicates(
        uow, postcode=family.address.postcode, members=[*new_people, *existing.values()]
    )
    known = uc.readable_families(w.family_id for w in warnings)
    for person in new_people:
        uow.people.add(person, at=uc.now)
    uow.families.add(family, at=uc.now)
    uc.identify(Action.CREATE_FAMILY, family.id, family.id)
    people = {**existing, **{p.id: p for p in new_people}}
    # The registrar may write the new household: its facts are theirs for the restriction rules.
    facts = uow.access.for_families([family.id], uc.today).get(family.id)
    return replace(
        _record(uc, family, facts, people=people),
        warnings=warnings,
        visible_duplicates=frozenset(known),
    )


def get_family(uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID) -> FamilyRecord:
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(Action.READ_FAMILY, Target.family(family_id))
        family = uow.families.get(family_id)
        assert family is not None  # its facts were found
        record = _record(uc, family, facts)
        uc.commit()
        return record


def search_families(
    uow: UnitOfWork, clock: Clock, actor: Actor, flt: FamilyFilter, page: PageRequest
) -> Page[FamilyRecord]:
    """Households the user may read, matching the filter; the scope is applied in SQL, so a page
    and its cursor are only ever built from records the user may see."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.SEARCH_FAMILIES, "family_search")
        found = uow.families.search(replace(flt, scope=uc.search_scope()), page)
        readable = uc.readable_families(f.id for f in found.items)
        families = [f for f in found.items if f.id in readable]
        people = uow.people.get_many([m.person_id for f in families for m in f.memberships])
        uc.prefetch_restrictions(people.values())
        records = [
            replace(
                _record(
                    uc,
                    f,
                    readable[f.id],
                    people={m.person_id: people[m.person_id] for m in f.memberships},
                    with_relationships=False,
                ),
                matched=match_reasons(
                    f,
                    people,
                    name=flt.name,
                    date_of_birth=flt.date_of_birth,
                    postcode=flt.postcode,
                    reference=flt.reference,
                ),
            )
            for f in families
        ]
        uc.commit()
        return Page(items=records, next_cursor=found.next_cursor)


def update_family(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    *,
    expected_version: Expected,
    address: Address | None = None,
    hub_id: uuid.UUID | None = None,
) -> FamilyRecord:
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(Action.WRITE_FAMILY, Target.family(family_id))
        family = uow.families.get(family_id)
        assert family is not None
        check_version(expected_version, family.version)
        if hub_id is not None:
            _require_hub(uow, hub_id)
            family.hub_id = hub_id
        if address is not None:
            family.address = address
        uow.families.save(family, at=uc.now)
        record = _record(uc, family, facts)
        uc.commit()
        return record


@dataclass(frozen=True)
class AddedMember:
    record: FamilyRecord
    membership: Membership


def add_member(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    new: NewMember,
    *,
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
    idempotency: IdempotentRequest[AddedMember] | None = None,
) -> AddedMember | Replayed:
    """Add a member: a new person, or an existing person joining a second household."""
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(Action.WRITE_FAMILY, Target.family(family_id, "family_member"))

        def add() -> AddedMember:
            family = uow.families.get(family_id)
            assert family is not None
            membership, created = _prepare_member(
                uc, family, new, index=None, consistent=consistent
            )
            family.add_member(membership)
            if created is not None:
                uow.people.add(created, at=uc.now)
            uow.families.save(family, at=uc.now)
            return AddedMember(_record(uc, family, facts), membership)

        return run_idempotent(uc, idempotency, add)


def record_member_left(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    membership_id: uuid.UUID,
    *,
    left_on: date,
    expected_version: Expected,
) -> FamilyRecord:
    """A member leaves the household; the membership is kept as history."""
    with UseCase(uow, clock, actor) as uc:
        facts = uc.require(
            Action.WRITE_FAMILY, Target.family(family_id, "family_member", membership_id)
        )
        family = uow.families.get(family_id)
        assert family is not None
        check_version(expected_version, family.version)
        membership = next((m for m in family.memberships if m.id == membership_id), None)
        if membership is None:
            raise NotFound("This family has no member with this id.")
        if left_on > uc.today:
            raise InvalidValue(
                "A member cannot leave in the future.",
                field="left_on",
                code="member_left_in_future",
            )
        membership.leave(left_on)
        uow.families.save(family, at=uc.now)
        record = _record(uc, family, facts)
        uc.commit()
        return record


def get_person(uow: UnitOfWork, clock: Clock, actor: Actor, person_id: uuid.UUID) -> PersonView:
    """One person's details, reached through a household of theirs the user may read."""
    with UseCase(uow, clock, actor) as uc:
        through = uc.require_person(Action.READ_FAMILY, person_id)
        person = uow.people.get(person_id)
        assert person is not None
        view = PersonView(person, person.id in uc.restricted_visible(through, [person]))
        uc.commit()
        return view


def update_person(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    person_id: uuid.UUID,
    *,
    expected_version: Expected,
    changes: dict[str, object],
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
) -> PersonView:
    """Change a person's details; every household they belong to gets a new version too.

    `identifiers` replaces the collection whole; the older `nhs_number` field sent alone changes
    just its entry. Recording the council's `consistent` identifier clears a reason for its
    absence unless the same request gives one."""
    with UseCase(uow, clock, actor) as uc:
        through = uc.require_person(Action.WRITE_FAMILY, person_id)
        person = uow.people.get(person_id)
        assert person is not None
        check_version(expected_version, person.version)
        check_restricted_change(
            person,
            changes,
            may_see_restricted=person.id in uc.restricted_visible(through, [person]),
        )
        changes = _identifier_changes(person, changes, consistent)
        updated = validate_person(
            replace(person, **changes),  # type: ignore[arg-type]
            today=uc.today,
            disability_codes=uow.reference_data.disability_codes(),
            consistent=consistent,
        )
        updated = replace(
            updated,
            identifiers=stamp_identifiers(
                person.identifiers,
                updated.identifiers,
                by=uc.principal.practitioner_id,
                at=uc.now,
            ),
        )
        updated = restrict_in(person, updated, through.family_id)
        families = uow.families.get_many(uow.families.families_of_person(person_id))
        for family in families.values():
            membership = family.membership_of(person_id, uc.today)
            if membership is not None:
                validate_membership(updated, membership.role, on=uc.today, today=uc.today)
            uow.families.save(family, at=uc.now)
        uow.people.save(updated, at=uc.now)
        view = PersonView(updated, updated.id in uc.restricted_visible(through, [updated]))
        uc.commit()
        return view


def _identifier_changes(
    person: Person, changes: dict[str, object], consistent: IdentifierScheme
) -> dict[str, object]:
    """The changes with the older `nhs_number` field folded into `identifiers`, and a reason for
    absence dropped once the consistent identifier is recorded (the trace came back)."""
    changes = dict(changes)
    sent_identifiers = "identifiers" in changes
    if "nhs_number" in changes:
        raw = changes.pop("nhs_number")
        assert raw is None or isinstance(raw, str)
        base = changes.get("identifiers", person.identifiers)
        assert isinstance(base, tuple)
        changes["identifiers"] = with_nhs_number(base, raw, replacing=not sent_identifiers)
    if "identifiers" in changes and "identifier_absent_reason" not in changes:
        after = changes["identifiers"]
        assert isinstance(after, tuple)
        if consistent_identifier(after, consistent) is not None:
            changes["identifier_absent_reason"] = None
    return changes


def add_relationship(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    *,
    person_id: uuid.UUID,
    related_person_id: uuid.UUID,
    kind: RelationshipKind,
    parental_responsibility: bool,
    idempotency: IdempotentRequest[Relationship] | None = None,
) -> Relationship | Replayed:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(family_id, "relationship"))

        def add() -> Relationship:
            family = uow.families.get(family_id)
            assert family is not None
            relationship = Relationship(
                id=uuid.uuid4(),
                family_id=family_id,
                person_id=person_id,
                related_person_id=related_person_id,
                kind=kind,
                parental_responsibility=parental_responsibility,
            )
            validate_relationship(
                relationship, [m.person_id for m in family.current_memberships(uc.today)]
            )
            uow.families.add_relationship(relationship, at=uc.now)
            uow.families.save(family, at=uc.now)
            return relationship

        return run_idempotent(uc, idempotency, add)
