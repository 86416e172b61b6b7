"""Request and response shapes for households, members and people."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from app.api.schemas.base import CaseDate, Code, LongText, Name, ReadSchema, Schema, ShortText
from app.domain.families import (
    Address,
    ContactDetails,
    DuplicateCandidate,
    MemberRole,
    Membership,
    Person,
    Relationship,
    RelationshipKind,
    visible_contact,
)
from app.services.families import FamilyRecord, NewMember

Postcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=10)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,20}$")]


class AddressIn(Schema):
    line1: ShortText = Field(description="First line of the address.")
    line2: ShortText | None = Field(default=None, description="Second line.")
    town: Name | None = Field(default=None, description="Town or city.")
    postcode: Postcode = Field(
        description="UK postcode; stored in its canonical form ('SW1A 1AA')."
    )

    def to_domain(self, prefix: str = "address") -> Address:
        return Address.create(
            line1=self.line1,
            line2=self.line2,
            town=self.town,
            postcode=self.postcode,
            field_prefix=prefix,
        )


class AddressRead(ReadSchema):
    line1: str
    line2: str | None
    town: str | None
    postcode: str


class ContactIn(Schema):
    phone: Phone | None = None
    email: EmailStr | None = None
    address: AddressIn | None = Field(
        default=None, description="Only when it differs from the family's."
    )


class ContactRead(ReadSchema):
    phone: str | None
    email: str | None
    address: AddressRead | None


class PersonIn(Schema):
    given_name: Name
    family_name: Name
    date_of_birth: CaseDate | None = Field(default=None, description="Not in the future.")
    expected_delivery_date: CaseDate | None = Field(
        default=None,
        description="For an unborn child instead of a date of birth; at most ten months ahead.",
    )
    sex: Code | None = Field(default=None, description="Sex, as recorded for monitoring.")
    gender: Code | None = Field(
        default=None, description="Gender identity, in the person's words if given."
    )
    ethnicity: Code | None = Field(default=None, description="Ethnicity (monitoring, optional).")
    send: bool = Field(default=False, description="Special educational needs or disability.")
    nhs_number: Annotated[str, StringConstraints(pattern=r"^\d{3} ?\d{3} ?\d{4}$")] | None = None
    contact: ContactIn | None = None
    contact_restricted: bool = Field(
        default=False,
        description="Hide the contact details from everyone without the right to see them (e.g. fleeing abuse).",
    )
    restriction_reason: LongText | None = Field(
        default=None, description="Required when restricted."
    )
    restriction_visible_to: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Practitioners, besides the lead professional and managers, who may see restricted details.",
    )

    def to_domain(self, prefix: str = "") -> Person:
        contact = None
        if self.contact is not None:
            contact = ContactDetails(
                phone=self.contact.phone,
                email=str(self.contact.email) if self.contact.email else None,
                address=self.contact.address.to_domain(f"{prefix}contact.address")
                if self.contact.address
                else None,
            )
        return Person(
            id=uuid.uuid4(),
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            expected_delivery_date=self.expected_delivery_date,
            sex=self.sex,
            gender=self.gender,
            ethnicity=self.ethnicity,
            send=self.send,
            nhs_number=self.nhs_number.replace(" ", "") if self.nhs_number else None,
            contact=contact,
            contact_restricted=self.contact_restricted,
            restriction_reason=self.restriction_reason,
            restriction_visible_to=frozenset(self.restriction_visible_to),
        )


class PersonUpdate(Schema):
    """Only the fields sent are changed."""

    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: CaseDate | None = None
    expected_delivery_date: CaseDate | None = None
    sex: Code | None = None
    gender: Code | None = None
    ethnicity: Code | None = None
    send: bool | None = None
    nhs_number: Annotated[str, StringConstraints(pattern=r"^\d{3} ?\d{3} ?\d{4}$")] | None = None
    contact: ContactIn | None = None
    contact_restricted: bool | None = None
    restriction_reason: LongText | None = None
    restriction_visible_to: list[uuid.UUID] | None = Field(default=None, max_length=20)

    def changes(self) -> dict[str, object]:
        sent = self.model_dump(exclude_unset=True)
        changes: dict[str, object] = {k: v for k, v in sent.items() if k != "contact"}
        if "contact" in sent:
            changes["contact"] = (
                None
                if self.contact is None
                else PersonIn(given_name="x", family_name="x", contact=self.contact)
                .to_domain()
                .contact
            )
        if "restriction_visible_to" in changes:
            changes["restriction_visible_to"] = frozenset(self.restriction_visible_to or ())
        if "nhs_number" in changes and isinstance(changes["nhs_number"], str):
            changes["nhs_number"] = changes["nhs_number"].replace(" ", "")
        return changes


class PersonRead(ReadSchema):
    id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_delivery_date: date | None
    unborn: bool = Field(
        description="True for an unborn child (known by expected date of delivery)."
    )
    sex: str | None
    gender: str | None
    ethnicity: str | None
    send: bool
    nhs_number: str | None
    contact: ContactRead | None = Field(
        description="Null when none is recorded or it is withheld from you."
    )
    contact_restricted: bool
    contact_withheld: bool = Field(
        description="True when restricted details exist that you may not see."
    )
    version: int

    @classmethod
    def from_domain(cls, person: Person, *, may_see_restricted: bool = False) -> PersonRead:
        contact = visible_contact(person, may_see_restricted=may_see_restricted)
        return cls(
            id=person.id,
            given_name=person.given_name,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            expected_delivery_date=person.expected_delivery_date,
            unborn=person.is_unborn,
            sex=person.sex,
            gender=person.gender,
            ethnicity=person.ethnicity,
            send=person.send,
            nhs_number=person.nhs_number,
            contact=ContactRead.model_validate(contact) if contact else None,
            contact_restricted=person.contact_restricted,
            contact_withheld=person.contact_restricted and contact is None,
            version=person.version,
        )


class MemberIn(Schema):
    role: MemberRole = Field(description="child, parent_carer or other_adult.")
    joined_on: CaseDate | None = Field(default=None, description="Defaults to today.")
    person: PersonIn | None = Field(default=None, description="A new person's details ...")
    person_id: uuid.UUID | None = Field(
        default=None, description="... or an existing person (a second household)."
    )

    def to_new_member(self, prefix: str = "") -> NewMember:
        return NewMember(
            role=self.role,
            joined_on=self.joined_on,
            person=self.person.to_domain(f"{prefix}person.") if self.person else None,
            person_id=self.person_id,
        )


class MemberRead(ReadSchema):
    id: uuid.UUID = Field(description="The membership id (a person's time in this household).")
    person_id: uuid.UUID
    role: MemberRole
    joined_on: date
    left_on: date | None
    person: PersonRead

    @classmethod
    def from_domain(
        cls, membership: Membership, person: Person, *, may_see_restricted: bool = False
    ) -> MemberRead:
        return cls(
            id=membership.id,
            person_id=membership.person_id,
            role=membership.role,
            joined_on=membership.joined_on,
            left_on=membership.left_on,
            person=PersonRead.from_domain(person, may_see_restricted=may_see_restricted),
        )


class RelationshipIn(Schema):
    person_id: uuid.UUID
    related_person_id: uuid.UUID
    kind: RelationshipKind = Field(
        description="How person_id relates to related_person_id (e.g. parent of)."
    )
    parental_responsibility: bool = False


class RelationshipRead(ReadSchema):
    id: uuid.UUID
    person_id: uuid.UUID
    related_person_id: uuid.UUID
    kind: RelationshipKind
    parental_responsibility: bool

    @classmethod
    def from_domain(cls, relationship: Relationship) -> RelationshipRead:
        return cls.model_validate(relationship)


class DuplicateWarning(ReadSchema):
    family_id: uuid.UUID | None = Field(description="Null when the family is not one you may see.")
    reference: str | None = Field(description="Null when the family is not one you may see.")
    reason: str

    @classmethod
    def from_domain(cls, candidate: DuplicateCandidate, *, known: bool) -> DuplicateWarning:
        """A family the user may not see is reported without naming it: ask the front door instead."""
        if known:
            return cls(
                family_id=candidate.family_id,
                reference=candidate.reference,
                reason=candidate.reason,
            )
        return cls(
            family_id=None,
            reference=None,
            reason="A family with a matching member is already known to the service; ask the Early Help "
            "front door before registering a new one.",
        )


class FamilyCreate(Schema):
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = (
        Field(
            default=None,
            description="Your own reference (e.g. from a legacy system); generated when absent.",
        )
    )
    address: AddressIn
    hub_id: uuid.UUID = Field(description="The family hub / neighbourhood the family belongs to.")
    members: list[MemberIn] = Field(default_factory=list, max_length=50)


class FamilyUpdate(Schema):
    address: AddressIn | None = None
    hub_id: uuid.UUID | None = None


class DuplicateCheck(Schema):
    postcode: Postcode | None = None
    members: list[PersonIn] = Field(default_factory=list, max_length=50)


class FamilyRead(ReadSchema):
    id: uuid.UUID
    reference: str
    address: AddressRead
    hub_id: uuid.UUID
    members: list[MemberRead] = Field(
        description="Current and former members, oldest membership first."
    )
    relationships: list[RelationshipRead]
    version: int
    warnings: list[DuplicateWarning] = Field(
        default_factory=list, description="On create: households that may be the same family."
    )

    @classmethod
    def from_record(cls, record: FamilyRecord) -> FamilyRead:
        """Restricted details only for the people the access rules decided this reader may see."""
        visible = record.restricted_visible
        visible_families = record.visible_duplicates
        family = record.family
        return cls(
            id=family.id,
            reference=family.reference,
            address=AddressRead.model_validate(family.address),
            hub_id=family.hub_id,
            members=[
                MemberRead.from_domain(
                    m, record.people[m.person_id], may_see_restricted=m.person_id in visible
                )
                for m in family.memberships
            ],
            relationships=[RelationshipRead.from_domain(r) for r in record.relationships],
            version=family.version,
            warnings=[
                DuplicateWarning.from_domain(w, known=w.family_id in visible_families)
                for w in record.warnings
            ],
        )


class MatchRead(ReadSchema):
    """Why a household came up in a search (search tolerates typos: see the README)."""

    criterion: str = Field(
        description="Which search criterion matched: name, date_of_birth, postcode or reference.",
        examples=["name"],
    )
    how: str = Field(
        description="How: same, starts_with, sounds_like (Soundex), near_spelling (a typo or two)"
        " or similar_spelling (most three-letter runs shared).",
        examples=["sounds_like"],
    )
    typed: str = Field(description="What was searched for.", examples=["Hughs"])
    found: str = Field(description="What it matched in the household.", examples=["Hughes"])
    person_id: uuid.UUID | None = Field(
        description="The member it matched, for a name or date of birth."
    )


class FamilySearchResult(FamilyRead):
    """A household found by a search, with why it matched."""

    matched: list[MatchRead] = Field(description="Every way the search's criteria matched it.")

    @classmethod
    def from_found(cls, record: FamilyRecord) -> FamilySearchResult:
        return cls(
            **FamilyRead.from_record(record).model_dump(),
            matched=[
                MatchRead(
                    criterion=m.criterion,
                    how=m.how,
                    typed=m.typed,
                    found=m.found,
                    person_id=m.person_id,
                )
                for m in record.matched
            ],
        )


class LeaveIn(Schema):
    left_on: CaseDate
