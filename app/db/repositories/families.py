"""Households, their memberships and the people in them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.db.id_lists import one_of
from app.db.models import (
    FamilyRow,
    MembershipRow,
    PersonIdentifierRow,
    PersonRow,
    RelationshipRow,
)
from app.db.repositories.scope import family_in_scope
from app.db.repositories.versioned import row_to_save
from app.domain.families import (
    Address,
    ContactDetails,
    DuplicateCandidate,
    Family,
    MemberRole,
    Membership,
    Person,
    Relationship,
    RelationshipKind,
    normalise_name,
)
from app.domain.identifiers import (
    ChildIdentifier,
    IdentifierAbsence,
    IdentifierScheme,
    in_scheme_order,
)
from app.domain.names import names_match, soundex
from app.domain.paging import Page, PageRequest, encode_cursor
from app.services.ports import FamilyFilter, Household

_HOUSEHOLDS_OF_PERSON = select(MembershipRow.family_id, MembershipRow.left_on).where(
    MembershipRow.person_id == bindparam("person_id")
)


def _membership(row: MembershipRow) -> Membership:
    return Membership(
        id=row.id,
        family_id=row.family_id,
        person_id=row.person_id,
        role=MemberRole(row.role),
        joined_on=row.joined_on,
        left_on=row.left_on,
        version=row.version,
    )


def _family(row: FamilyRow, memberships: list[Membership]) -> Family:
    return Family(
        id=row.id,
        reference=row.reference,
        address=Address(
            line1=row.address_line1, line2=row.address_line2, town=row.town, postcode=row.postcode
        ),
        hub_id=row.hub_id,
        version=row.version,
        memberships=memberships,
        created_by_practitioner_id=row.created_by_practitioner_id,
    )


class SqlFamilyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _memberships(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Membership]]:
        found: dict[uuid.UUID, list[Membership]] = {fid: [] for fid in family_ids}
        if family_ids:
            rows = self._session.scalars(
                select(MembershipRow)
                .where(MembershipRow.family_id.in_(family_ids))
                .order_by(MembershipRow.joined_on, MembershipRow.id)
            )
            for row in rows:
                found[row.family_id].append(_membership(row))
        return found

    def get_many(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Family]:
        if not family_ids:
            return {}
        rows = list(
            self._session.scalars(select(FamilyRow).where(FamilyRow.id.in_(list(family_ids))))
        )
        memberships = self._memberships([r.id for r in rows])
        return {r.id: _family(r, memberships[r.id]) for r in rows}

    def references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Just the references, in one statement: what a report needs beside ids."""
        if not family_ids:
            return {}
        rows = self._session.execute(
            select(FamilyRow.id, FamilyRow.reference).where(FamilyRow.id.in_(set(family_ids)))
        )
        return dict(rows.all())

    def get(self, family_id: uuid.UUID) -> Family | None:
        row = self._session.get(FamilyRow, family_id)
        if row is None:
            return None
        return _family(row, self._memberships([row.id])[row.id])

    def add(self, family: Family, *, at: datetime) -> None:
        row = FamilyRow(id=family.id, created_at=at, updated_at=at)
        self._apply(row, family)
        self._session.add(row)
        self._session.flush()
        self._sync_memberships(family, at)
        family.version = row.version

    def lock(self, family_id: uuid.UUID) -> None:
        """SELECT ... FOR UPDATE on PostgreSQL; SQLite allows one writer at a time anyway."""
        self._session.execute(
            select(FamilyRow.id).where(FamilyRow.id == family_id).with_for_update()
        )

    def save(self, family: Family, *, at: datetime) -> None:
        """Store the household; any change to it or its memberships gives it a new version."""
        row = row_to_save(self._session, FamilyRow, family.id, family.version)
        self._apply(row, family)
        row.updated_at = at
        flag_modified(row, "updated_at")
        self._session.flush()
        self._sync_memberships(family, at)
        self._session.flush()
        family.version = row.version

    @staticmethod
    def _apply(row: FamilyRow, family: Family) -> None:
        row.reference = family.reference
        row.address_line1 = family.address.line1
        row.address_line2 = family.address.line2
        row.town = family.address.town
        row.postcode = family.address.postcode
        row.hub_id = family.hub_id
        row.created_by_practitioner_id = family.created_by_practitioner_id

    def _sync_memberships(self, family: Family, at: datetime) -> None:
        for membership in family.memberships:
            row = self._session.get(MembershipRow, membership.id)
            if row is None:
                row = MembershipRow(id=membership.id, created_at=at, updated_at=at)
                self._session.add(row)
            elif row.left_on == membership.left_on and row.role == membership.role.value:
                continue
            row.family_id = family.id
            row.person_id = membership.person_id
            row.role = membership.role.value
            row.joined_on = membership.joined_on
            row.left_on = membership.left_on
            row.updated_at = at
        self._session.flush()
        for membership in family.memberships:
            stored = self._session.get(MembershipRow, membership.id)
            if stored is not None:
                membership.version = stored.version

    def reference_exists(self, reference: str) -> bool:
        return (
            self._session.scalar(select(exists().where(FamilyRow.reference == reference))) or False
        )

    def search(self, flt: FamilyFilter, page: PageRequest) -> Page[Family]:
        stmt = select(FamilyRow).order_by(FamilyRow.reference).limit(page.limit + 1)
        if flt.reference:
            stmt = stmt.where(FamilyRow.reference.like(f"{flt.reference.upper()}%"))
        if flt.postcode:
            compact = flt.postcode.replace(" ", "").upper()
            stmt = stmt.where(func.replace(FamilyRow.postcode, " ", "").like(f"{compact}%"))
        if flt.hub_id:
            stmt = stmt.where(FamilyRow.hub_id == flt.hub_id)
        if flt.scope is not None:
            stmt = stmt.where(family_in_scope(flt.scope))
        person_conditions: list[Any] = []
        if flt.name:
            for word in flt.name.split():
                key = normalise_name(word)
                if key:
                    person_conditions.append(self._name_matches(key))
        if flt.date_of_birth:
            person_conditions.append(PersonRow.date_of_birth == flt.date_of_birth)
        if person_conditions:
            stmt = stmt.where(
                exists(
                    select(MembershipRow.id)
                    .join(PersonRow, PersonRow.id == MembershipRow.person_id)
                    .where(MembershipRow.family_id == FamilyRow.id, *person_conditions)
                )
            )
        after = page.after_key(str)
        if after is not None:
            stmt = stmt.where(FamilyRow.reference > after[0])
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        memberships = self._memberships([r.id for r in rows])
        items = [_family(r, memberships[r.id]) for r in rows]
        return Page(items=items, next_cursor=encode_cursor((rows[-1].reference,)) if more else None)

    def _name_matches(self, key: str) -> Any:
        """A typed name matches a member's given or family name: its start, its sound, or a near miss.

        PostgreSQL finds near misses by trigram similarity (pg_trgm); SQLite by the domain's edit
        distance over the distinct names it holds.
        """
        code = soundex(key)
        conditions: list[Any] = [
            PersonRow.given_name_key.like(f"{key}%"),
            PersonRow.family_name_key.like(f"{key}%"),
            PersonRow.given_name_soundex == code,
            PersonRow.family_name_soundex == code,
        ]
        if self._session.get_bind().dialect.name == "postgresql":
            conditions += [
                PersonRow.given_name_key.op("%")(key),
                PersonRow.family_name_key.op("%")(key),
            ]
        else:
            names = self._session.scalars(
                select(PersonRow.family_name_key).union(select(PersonRow.given_name_key))
            )
            near = [name for name in names if names_match(key, name)]
            if near:
                conditions += [
                    PersonRow.given_name_key.in_(near),
                    PersonRow.family_name_key.in_(near),
                ]
        return or_(*conditions)

    def families_of_person(self, person_id: uuid.UUID) -> list[uuid.UUID]:
        return [h.family_id for h in self.households_of_person(person_id) if h.current]

    def households_of_person(self, person_id: uuid.UUID) -> list[Household]:
        """Every household the person has belonged to, current ones first, each once."""
        rows = self._session.connection().execute(_HOUSEHOLDS_OF_PERSON, {"person_id": person_id})
        found: dict[uuid.UUID, bool] = {}
        for family_id, left_on in rows:
            found[family_id] = found.get(family_id, False) or left_on is None
        return sorted(
            (Household(fid, current) for fid, current in found.items()),
            key=lambda h: (not h.current, str(h.family_id)),
        )

    def possible_duplicates(
        self,
        *,
        children: Sequence[tuple[str, str, date]],
        postcode_surnames: Sequence[tuple[str, str]],
        nhs_numbers: Sequence[tuple[str, date]] = (),
        exclude: uuid.UUID | None = None,
    ) -> list[DuplicateCandidate]:
        """Same NHS number and date of birth (likely the same child: Families First §3.4 item 21),
        same child's name and date of birth, or same postcode and surname (the foundation issue)."""
        found: dict[uuid.UUID, DuplicateCandidate] = {}
        base = (
            select(FamilyRow.id, FamilyRow.reference, PersonRow.given_name, PersonRow.family_name)
            .join(MembershipRow, MembershipRow.family_id == FamilyRow.id)
            .join(PersonRow, PersonRow.id == MembershipRow.person_id)
        )
        if nhs_numbers:
            conditions = [
                and_(PersonIdentifierRow.value == number, PersonRow.date_of_birth == dob)
                for number, dob in nhs_numbers
            ]
            by_nhs = base.join(
                PersonIdentifierRow, PersonIdentifierRow.person_id == PersonRow.id
            ).where(
                PersonIdentifierRow.scheme == IdentifierScheme.NHS_NUMBER.value, or_(*conditions)
            )
            for fid, ref, _given, _family in self._session.execute(by_nhs):
                found.setdefault(
                    fid,
                    DuplicateCandidate(
                        family_id=fid,
                        reference=ref,
                        reason=f"A child with the same NHS number and date of birth is in family {ref}.",
                        likely=True,
                    ),
                )
        if children:
            conditions = [
                and_(
                    PersonRow.given_name_key == normalise_name(given),
                    PersonRow.family_name_key == normalise_name(family),
                    PersonRow.date_of_birth == dob,
                )
                for given, family, dob in children
            ]
            for fid, ref, given, family in self._session.execute(base.where(or_(*conditions))):
                found.setdefault(
                    fid,
                    DuplicateCandidate(
                        family_id=fid,
                        reference=ref,
                        reason=f"A child named {given} {family} with the same date of birth is in family {ref}.",
                    ),
                )
        if postcode_surnames:
            conditions = [
                and_(
                    FamilyRow.postcode == postcode,
                    PersonRow.family_name_key == normalise_name(surname),
                )
                for postcode, surname in postcode_surnames
            ]
            for fid, ref, _given, family in self._session.execute(base.where(or_(*conditions))):
                found.setdefault(
                    fid,
                    DuplicateCandidate(
                        family_id=fid,
                        reference=ref,
                        reason=f"Family {ref} at the same postcode has a member with the surname {family}.",
                    ),
                )
        if exclude is not None:
            found.pop(exclude, None)
        return sorted(found.values(), key=lambda c: (not c.likely, c.reference))

    def add_relationship(self, relationship: Relationship, *, at: datetime) -> None:
        self._session.add(
            RelationshipRow(
                id=relationship.id,
                family_id=relationship.family_id,
                person_id=relationship.person_id,
                related_person_id=relationship.related_person_id,
                kind=relationship.kind.value,
                parental_responsibility=relationship.parental_responsibility,
                created_at=at,
            )
        )
        self._session.flush()

    def relationships(self, family_id: uuid.UUID) -> list[Relationship]:
        rows = self._session.scalars(
            select(RelationshipRow)
            .where(RelationshipRow.family_id == family_id)
            .order_by(RelationshipRow.created_at, RelationshipRow.id)
        )
        return [
            Relationship(
                id=r.id,
                family_id=r.family_id,
                person_id=r.person_id,
                related_person_id=r.related_person_id,
                kind=RelationshipKind(r.kind),
                parental_responsibility=r.parental_responsibility,
            )
            for r in rows
        ]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(FamilyRow)) or 0


def _contact_to_json(contact: ContactDetails | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    address = contact.address
    return {
        "phone": contact.phone,
        "email": contact.email,
        "address": None
        if address is None
        else {
            "line1": address.line1,
            "line2": address.line2,
            "town": address.town,
            "postcode": address.postcode,
        },
    }


def _contact_from_json(data: dict[str, Any] | None) -> ContactDetails | None:
    if data is None:
        return None
    address = data.get("address")
    return ContactDetails(
        phone=data.get("phone"),
        email=data.get("email"),
        address=Address(**address) if address else None,
    )


_PEOPLE = select(*PersonRow.__table__.columns).where(one_of(PersonRow.id, "person_ids"))
"""Columns on the connection, not ORM objects: a caseload page reads every member of its
households. Saving loads the row it changes (`row_to_save`)."""

_IDENTIFIERS = (
    select(*PersonIdentifierRow.__table__.columns)
    .where(one_of(PersonIdentifierRow.person_id, "person_ids"))
    .order_by(PersonIdentifierRow.person_id)
)


def _identifier(row: Any) -> ChildIdentifier:
    return ChildIdentifier(
        scheme=IdentifierScheme(row.scheme),
        value=row.value,
        verified=row.verified,
        source=row.source,
        verified_by=row.verified_by,
        recorded_at=row.recorded_at,
    )


def person_from_row(row: Any, identifiers: Sequence[ChildIdentifier] = ()) -> Person:
    """From a `PersonRow` or a row of its columns, with the person's identifiers (a caseload page,
    which shows names only, reads none)."""
    return Person(
        id=row.id,
        given_name=row.given_name,
        family_name=row.family_name,
        date_of_birth=row.date_of_birth,
        expected_delivery_date=row.expected_delivery_date,
        sex=row.sex,
        gender=row.gender,
        ethnicity=row.ethnicity,
        send=row.send,
        disabilities=tuple(row.disabilities or ()),
        identifiers=in_scheme_order(identifiers),
        identifier_absent_reason=IdentifierAbsence(row.identifier_absent_reason)
        if row.identifier_absent_reason
        else None,
        contact=_contact_from_json(row.contact),
        contact_restricted=row.contact_restricted,
        restriction_reason=row.restriction_reason,
        restriction_visible_to=frozenset(uuid.UUID(p) for p in row.restriction_visible_to or []),
        restriction_family_id=row.restriction_family_id,
        version=row.version,
    )


class SqlPeopleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _identifiers(self, person_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ChildIdentifier]]:
        """Every identifier of these people, in one statement."""
        found: dict[uuid.UUID, list[ChildIdentifier]] = {pid: [] for pid in person_ids}
        rows = self._session.connection().execute(_IDENTIFIERS, {"person_ids": person_ids})
        for row in rows:
            found[row.person_id].append(_identifier(row))
        return found

    def get(self, person_id: uuid.UUID) -> Person | None:
        row = self._session.get(PersonRow, person_id)
        if row is None:
            return None
        return person_from_row(row, self._identifiers([person_id])[person_id])

    def get_many(self, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
        if not person_ids:
            return {}
        wanted = list(dict.fromkeys(person_ids))
        rows = self._session.connection().execute(_PEOPLE, {"person_ids": wanted}).all()
        identifiers = self._identifiers([r.id for r in rows]) if rows else {}
        return {r.id: person_from_row(r, identifiers[r.id]) for r in rows}

    def add(self, person: Person, *, at: datetime) -> None:
        row = PersonRow(id=person.id, created_at=at, updated_at=at)
        self._apply(row, person)
        self._session.add(row)
        self._session.flush()
        self._sync_identifiers(person, at)
        person.version = row.version

    def save(self, person: Person, *, at: datetime) -> None:
        row = row_to_save(self._session, PersonRow, person.id, person.version)
        self._apply(row, person)
        row.updated_at = at
        self._session.flush()
        self._sync_identifiers(person, at)
        person.version = row.version

    def _sync_identifiers(self, person: Person, at: datetime) -> None:
        """The stored identifiers become the person's: one row per scheme, changed in place (a
        delete and an insert of the same scheme in one flush would meet the unique constraint)."""
        rows = {
            r.scheme: r
            for r in self._session.scalars(
                select(PersonIdentifierRow).where(PersonIdentifierRow.person_id == person.id)
            )
        }
        kept = {i.scheme.value for i in person.identifiers}
        for scheme, gone in rows.items():
            if scheme not in kept:
                self._session.delete(gone)
        for identifier in person.identifiers:
            row = rows.get(identifier.scheme.value)
            if row is None:
                row = PersonIdentifierRow(
                    id=uuid.uuid4(), person_id=person.id, scheme=identifier.scheme.value
                )
                self._session.add(row)
            row.value = identifier.value
            row.verified = identifier.verified
            row.verified_by = identifier.verified_by
            row.source = identifier.source
            row.recorded_at = identifier.recorded_at or at
        self._session.flush()

    @staticmethod
    def _apply(row: PersonRow, person: Person) -> None:
        row.given_name = person.given_name
        row.family_name = person.family_name
        row.given_name_key = normalise_name(person.given_name)
        row.family_name_key = normalise_name(person.family_name)
        row.given_name_soundex = soundex(person.given_name)
        row.family_name_soundex = soundex(person.family_name)
        row.date_of_birth = person.date_of_birth
        row.expected_delivery_date = person.expected_delivery_date
        row.sex = person.sex
        row.gender = person.gender
        row.ethnicity = person.ethnicity
        row.send = person.send
        row.disabilities = list(person.disabilities)
        row.identifier_absent_reason = (
            person.identifier_absent_reason.value if person.identifier_absent_reason else None
        )
        row.contact = _contact_to_json(person.contact)
        row.contact_restricted = person.contact_restricted
        row.restriction_reason = person.restriction_reason
        row.restriction_visible_to = sorted(str(p) for p in person.restriction_visible_to)
        row.restriction_family_id = person.restriction_family_id
