"""Request and response shapes for households, members and people."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    EmailStr,
    Field,
    RootModel,
    StringConstraints,
    Tag,
)
from pydantic.json_schema import SkipJsonSchema

from app.api.schemas import examples as ex
from app.api.schemas.base import (
    CaseDate,
    Code,
    LongText,
    Name,
    PageOf,
    ReadSchema,
    Schema,
    ShortText,
    discriminated,
)
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
from app.domain.identifiers import (
    ChildIdentifier,
    IdentifierAbsence,
    IdentifierScheme,
    display_nhs_number,
    with_nhs_number,
)
from app.services.families import FamilyRecord, NewMember

Postcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=10)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,20}$")]


ADDRESS = {"line1": "12 Cedar Road", "line2": None, "town": "Blackpool", "postcode": "FY1 3HT"}


class AddressIn(Schema):
    """A UK postal address."""

    model_config = ConfigDict(json_schema_extra=ex.examples(ADDRESS))

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
    """A UK postal address as stored."""

    line1: str = Field(description="First line of the address.")
    line2: str | None = Field(description="Second line; null when none.")
    town: str | None = Field(description="Town or city; null when not recorded.")
    postcode: str = Field(description="UK postcode in its canonical form ('FY1 3HT').")


class ContactIn(Schema):
    """How to reach a person."""

    phone: Phone | None = Field(default=None, description="A UK or international phone number.")
    email: EmailStr | None = Field(default=None, description="An email address.")
    address: AddressIn | None = Field(
        default=None, description="Only when it differs from the family's."
    )


class ContactRead(ReadSchema):
    """How to reach a person, as recorded."""

    phone: str | None = Field(description="Phone number; null when none is recorded.")
    email: str | None = Field(description="Email address; null when none is recorded.")
    address: AddressRead | None = Field(
        description="The person's own address when it differs from the family's; else null."
    )


NhsNumberText = Annotated[str, StringConstraints(pattern=r"^\d{3}[ -]?\d{3}[ -]?\d{4}$")]
IdentifierText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
]

IDENTIFIER_IN = {
    "scheme": "nhs_number",
    "value": "943 476 5919",
    "verified": True,
    "source": "PDS trace",
}


class IdentifierIn(Schema):
    """One of a person's identifiers (at most one per scheme)."""

    model_config = ConfigDict(json_schema_extra=ex.examples(IDENTIFIER_IN))

    scheme: IdentifierScheme = Field(
        description="nhs_number (10 digits, Modulus 11 check digit), upn (the DfE unique pupil"
        " number), la_child_id (the council's own child id) or other."
    )
    value: IdentifierText = Field(
        description="The identifier; an NHS number may have spaces or hyphens ('943 476 5919')"
        " and is stored as ten digits."
    )
    verified: bool = Field(
        default=False, description="Checked against its source (a demographics trace ...)."
    )
    source: ShortText | None = Field(
        default=None,
        description="Where it came from ('PDS trace', 'school admission form'); never where the"
        " person lives.",
    )

    def to_domain(self) -> ChildIdentifier:
        return ChildIdentifier(
            scheme=self.scheme, value=self.value, verified=self.verified, source=self.source
        )


IDENTIFIER_READ = {
    "scheme": "nhs_number",
    "value": "9434765919",
    "display": "943 476 5919",
    "verified": True,
    "verified_by": ex.LEAD,
    "source": "PDS trace",
    "recorded_at": "2026-01-12T10:15:00Z",
}


class IdentifierRead(ReadSchema):
    """One of a person's identifiers, as stored."""

    model_config = ConfigDict(json_schema_extra=ex.examples(IDENTIFIER_READ))

    scheme: IdentifierScheme = Field(description="nhs_number, upn, la_child_id or other.")
    value: str = Field(description="The stored form: an NHS number as ten digits.")
    display: str = Field(description="How to show it: an NHS number as 'XXX XXX XXXX'.")
    verified: bool = Field(description="Whether it was checked against its source.")
    verified_by: uuid.UUID | None = Field(
        description="The practitioner who marked it verified; null when unverified."
    )
    source: str | None = Field(description="Where it came from; null when not recorded.")
    recorded_at: datetime | None = Field(description="When this value was first recorded.")

    @classmethod
    def from_domain(cls, identifier: ChildIdentifier) -> IdentifierRead:
        return cls(
            scheme=identifier.scheme,
            value=identifier.value,
            display=identifier.display,
            verified=identifier.verified,
            verified_by=identifier.verified_by,
            source=identifier.source,
            recorded_at=identifier.recorded_at,
        )


PERSON_IN = {
    "given_name": "Ava",
    "family_name": "Walker",
    "date_of_birth": "2017-06-01",
    "sex": "female",
    "send": True,
    "disabilities": ["LD", "COMM"],
    "contact_restricted": False,
}


class PersonIn(Schema):
    """A new person's details."""

    model_config = ConfigDict(json_schema_extra=ex.examples(PERSON_IN))

    given_name: Name = Field(description="Given (first) name.")
    family_name: Name = Field(description="Family name (surname).")
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
    disabilities: list[Code] = Field(
        default_factory=list,
        max_length=13,
        description="CIN census disability codes (NONE, MOB, HAND, PC, INC, COMM, LD, HEAR, VIS,"
        " BEH, CON, AUT, DDA), each once; NONE only on its own. Empty when not recorded.",
    )
    nhs_number: NhsNumberText | None = Field(
        default=None,
        description="NHS number, ten digits (spaces or hyphens allowed: '943 476 5919'); the"
        " same as an `nhs_number` entry in `identifiers` (give it in either, or the same in both).",
    )
    identifiers: list[IdentifierIn] = Field(
        default_factory=list,
        max_length=10,
        description="The person's identifiers, at most one per scheme.",
    )
    identifier_absent_reason: IdentifierAbsence | None = Field(
        default=None,
        description="Why the council's consistent identifier (the NHS number unless configured"
        " otherwise) is not recorded; only while it is missing.",
    )
    contact: ContactIn | None = Field(default=None, description="How to reach them, if known.")
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
        identifiers = tuple(i.to_domain() for i in self.identifiers)
        if self.nhs_number is not None:
            identifiers = with_nhs_number(
                identifiers, self.nhs_number, replacing=False, prefix=prefix
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
            disabilities=tuple(self.disabilities),
            identifiers=identifiers,
            identifier_absent_reason=self.identifier_absent_reason,
            contact=contact,
            contact_restricted=self.contact_restricted,
            restriction_reason=self.restriction_reason,
            restriction_visible_to=frozenset(self.restriction_visible_to),
        )


class PersonUpdate(Schema):
    """Changes to a person's details: only the fields sent change (null clears a field)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"family_name": "Walker-Brown", "contact": {"phone": "07700 900123"}}
        )
    )

    given_name: Name | None = Field(default=None, description="Given (first) name.")
    family_name: Name | None = Field(default=None, description="Family name (surname).")
    date_of_birth: CaseDate | None = Field(default=None, description="Not in the future.")
    expected_delivery_date: CaseDate | None = Field(
        default=None, description="For an unborn child; at most ten months ahead."
    )
    sex: Code | None = Field(default=None, description="Sex, as recorded for monitoring.")
    gender: Code | None = Field(default=None, description="Gender identity.")
    ethnicity: Code | None = Field(default=None, description="Ethnicity (monitoring).")
    send: bool | None = Field(default=None, description="Special educational needs or disability.")
    disabilities: list[Code] | None = Field(
        default=None,
        max_length=13,
        description="Replaces the CIN census disability codes whole (null or [] removes them);"
        " NONE only on its own.",
    )
    nhs_number: NhsNumberText | None = Field(
        default=None,
        description="NHS number, ten digits: changes just the `nhs_number` identifier (null"
        " removes it).",
    )
    identifiers: list[IdentifierIn] | None = Field(
        default=None,
        max_length=10,
        description="Replaces the identifiers whole (null or [] removes them); a value kept keeps"
        " when it was recorded.",
    )
    identifier_absent_reason: IdentifierAbsence | None = Field(
        default=None,
        description="Why the consistent identifier is not recorded; recording it clears this.",
    )
    contact: ContactIn | None = Field(
        default=None, description="Replaces the contact details whole; null removes them."
    )
    contact_restricted: bool | None = Field(
        default=None, description="Hide the contact details from everyone without the right."
    )
    restriction_reason: LongText | None = Field(
        default=None, description="Why the details are restricted."
    )
    restriction_visible_to: list[uuid.UUID] | None = Field(
        default=None,
        max_length=20,
        description="Practitioners, besides the lead and managers, who may see restricted details.",
    )

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
        if "disabilities" in changes:
            changes["disabilities"] = tuple(self.disabilities or ())
        if "identifiers" in changes:
            changes["identifiers"] = tuple(i.to_domain() for i in self.identifiers or ())
        return changes


PERSON_READ = {
    "id": ex.AVA,
    "given_name": "Ava",
    "family_name": "Walker",
    "date_of_birth": "2017-06-01",
    "expected_delivery_date": None,
    "unborn": False,
    "sex": "female",
    "gender": None,
    "ethnicity": "WBRI",
    "send": True,
    "disabilities": ["LD", "COMM"],
    "nhs_number": "9434765919",
    "nhs_number_display": "943 476 5919",
    "identifiers": [IDENTIFIER_READ],
    "identifier_absent_reason": None,
    "contact": None,
    "contact_restricted": False,
    "contact_withheld": False,
    "version": 1,
}


class PersonRead(ReadSchema):
    """A person, with contact details only if you may see them."""

    model_config = ConfigDict(json_schema_extra=ex.examples(PERSON_READ))

    id: uuid.UUID = Field(description="The person's id (the same in every household).")
    given_name: str = Field(description="Given (first) name.")
    family_name: str = Field(description="Family name (surname).")
    date_of_birth: date | None = Field(description="Null for an unborn child or when unknown.")
    expected_delivery_date: date | None = Field(description="For an unborn child; else null.")
    unborn: bool = Field(
        description="True for an unborn child (known by expected date of delivery)."
    )
    sex: str | None = Field(description="Sex, as recorded for monitoring.")
    gender: str | None = Field(description="Gender identity, if given.")
    ethnicity: str | None = Field(description="Ethnicity code (monitoring), if given.")
    send: bool = Field(description="Special educational needs or disability.")
    disabilities: list[str] = Field(
        description="CIN census disability codes, in the order recorded; empty when not recorded."
    )
    nhs_number: str | None = Field(
        description="NHS number, ten digits (the `nhs_number` identifier); null when unknown."
    )
    nhs_number_display: str | None = Field(
        description="The NHS number as shown: 'XXX XXX XXXX'; null when unknown."
    )
    identifiers: list[IdentifierRead] = Field(
        description="The person's identifiers (NHS number, UPN, the council's own id ...)."
    )
    identifier_absent_reason: IdentifierAbsence | None = Field(
        description="Why the council's consistent identifier is not recorded; else null."
    )
    contact: ContactRead | None = Field(
        description="Null when none is recorded or it is withheld from you."
    )
    contact_restricted: bool = Field(description="Whether the contact details are restricted.")
    contact_withheld: bool = Field(
        description="True when restricted details exist that you may not see."
    )
    version: int = Field(description='The person\'s version: their ETag is `"<version>"`.')

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
            disabilities=list(person.disabilities),
            nhs_number=person.nhs_number,
            nhs_number_display=display_nhs_number(person.nhs_number) if person.nhs_number else None,
            identifiers=[IdentifierRead.from_domain(i) for i in person.identifiers],
            identifier_absent_reason=person.identifier_absent_reason,
            contact=ContactRead.model_validate(contact) if contact else None,
            contact_restricted=person.contact_restricted,
            contact_withheld=person.contact_restricted and contact is None,
            version=person.version,
        )


class NewPersonMemberIn(Schema):
    """A member who is new to the service: their details are recorded with them."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"kind": "new_person", "role": "child", "joined_on": "2026-01-12", "person": PERSON_IN}
        )
    )

    kind: Literal["new_person"] = Field(
        default="new_person",
        description="A new person. Send it: the server infers it from `person` only for older clients.",
    )
    role: MemberRole = Field(description="child, parent_carer or other_adult.")
    joined_on: CaseDate | None = Field(default=None, description="Defaults to today.")
    person: PersonIn = Field(description="The new person's details.")
    person_id: SkipJsonSchema[None] = Field(
        default=None, description="Always null here (kept for older clients)."
    )

    def to_new_member(self, prefix: str = "") -> NewMember:
        return NewMember(
            role=self.role,
            joined_on=self.joined_on,
            person=self.person.to_domain(f"{prefix}person."),
            person_id=None,
        )


class ExistingPersonMemberIn(Schema):
    """A person already known to the service joining this household too (a second household)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"kind": "existing_person", "role": "parent_carer", "person_id": ex.SARAH}
        )
    )

    kind: Literal["existing_person"] = Field(
        default="existing_person",
        description="An existing person. Send it: the server infers it from `person_id` only "
        "for older clients.",
    )
    role: MemberRole = Field(description="child, parent_carer or other_adult.")
    joined_on: CaseDate | None = Field(default=None, description="Defaults to today.")
    person_id: uuid.UUID = Field(description="The existing person's id.")
    person: SkipJsonSchema[None] = Field(
        default=None, description="Always null here (kept for older clients)."
    )

    def to_new_member(self, _prefix: str = "") -> NewMember:
        return NewMember(
            role=self.role, joined_on=self.joined_on, person=None, person_id=self.person_id
        )


def _member_kind(value: Any) -> str | None:
    """The member's `kind`; older clients send none, and their fields say which it is."""
    if isinstance(value, dict):
        kind = value.get("kind")
        if kind is None:
            return "existing_person" if value.get("person_id") is not None else "new_person"
        return kind if isinstance(kind, str) else None
    return getattr(value, "kind", None)


class MemberIn(
    RootModel[
        Annotated[
            Annotated[NewPersonMemberIn, Tag("new_person")]
            | Annotated[ExistingPersonMemberIn, Tag("existing_person")],
            Discriminator(_member_kind),
        ]
    ]
):
    """A household member to add: a new person (`kind: new_person`, with `person`) or a person
    already known to the service (`kind: existing_person`, with `person_id`)."""

    model_config = ConfigDict(
        json_schema_extra=discriminated(
            "kind", new_person="NewPersonMemberIn", existing_person="ExistingPersonMemberIn"
        )
    )

    def to_new_member(self, prefix: str = "") -> NewMember:
        return self.root.to_new_member(prefix)


MEMBER_READ = {
    "id": ex.AVA_MEMBERSHIP,
    "person_id": ex.AVA,
    "role": "child",
    "joined_on": "2026-01-12",
    "left_on": None,
    "person": PERSON_READ,
}


class MemberRead(ReadSchema):
    """A person's time in a household, with the person."""

    model_config = ConfigDict(json_schema_extra=ex.examples(MEMBER_READ))

    id: uuid.UUID = Field(description="The membership id (a person's time in this household).")
    person_id: uuid.UUID = Field(description="The person's id.")
    role: MemberRole = Field(description="Their role in the household.")
    joined_on: date = Field(description="When they joined the household.")
    left_on: date | None = Field(description="When they left; null while they still live there.")
    person: PersonRead = Field(description="The person's details.")

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
    """How two members of the household are related."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "person_id": ex.SARAH,
                "related_person_id": ex.AVA,
                "kind": "parent",
                "parental_responsibility": True,
            }
        )
    )

    person_id: uuid.UUID = Field(description="The member the relationship is from.")
    related_person_id: uuid.UUID = Field(description="The member it is to.")
    kind: RelationshipKind = Field(
        description="How person_id relates to related_person_id (e.g. parent of)."
    )
    parental_responsibility: bool = Field(
        default=False, description="Whether person_id has parental responsibility for the other."
    )


RELATIONSHIP_READ = {
    "id": ex.RELATIONSHIP,
    "person_id": ex.SARAH,
    "related_person_id": ex.AVA,
    "kind": "parent",
    "parental_responsibility": True,
}


class RelationshipRead(ReadSchema):
    """How two members of the household are related."""

    model_config = ConfigDict(json_schema_extra=ex.examples(RELATIONSHIP_READ))

    id: uuid.UUID = Field(description="The relationship's id.")
    person_id: uuid.UUID = Field(description="The member the relationship is from.")
    related_person_id: uuid.UUID = Field(description="The member it is to.")
    kind: RelationshipKind = Field(description="How person_id relates to related_person_id.")
    parental_responsibility: bool = Field(
        description="Whether person_id has parental responsibility for the other."
    )

    @classmethod
    def from_domain(cls, relationship: Relationship) -> RelationshipRead:
        return cls.model_validate(relationship)


DUPLICATE_WARNING = {
    "family_id": ex.FAMILY,
    "reference": ex.FAMILY_REFERENCE,
    "reason": "A child with the same NHS number and date of birth is in family FH-2026-00042.",
    "likely": True,
}


class DuplicateWarning(ReadSchema):
    """A household already known that may be the same family."""

    model_config = ConfigDict(json_schema_extra=ex.examples(DUPLICATE_WARNING))

    family_id: uuid.UUID | None = Field(description="Null when the family is not one you may see.")
    reference: str | None = Field(description="Null when the family is not one you may see.")
    reason: str = Field(description="Why it may be the same family, for a person to judge.")
    likely: bool = Field(
        description="True when a child has the same NHS number and date of birth: almost"
        " certainly the same child. False for a name or postcode match, which only may be."
    )

    @classmethod
    def from_domain(cls, candidate: DuplicateCandidate, *, known: bool) -> DuplicateWarning:
        """A family the user may not see is reported without naming it: ask the front door instead."""
        if known:
            return cls(
                family_id=candidate.family_id,
                reference=candidate.reference,
                reason=candidate.reason,
                likely=candidate.likely,
            )
        return cls(
            family_id=None,
            reference=None,
            reason="A family with a matching member is already known to the service; ask the Early Help "
            "front door before registering a new one.",
            likely=candidate.likely,
        )


class FamilyCreate(Schema):
    """A household to register, with its members."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "address": ADDRESS,
                "hub_id": ex.HUB_NORTH,
                "members": [
                    {
                        "kind": "new_person",
                        "role": "parent_carer",
                        "person": {
                            "given_name": "Sarah",
                            "family_name": "Walker",
                            "date_of_birth": "1990-02-14",
                            "contact": {"phone": "07700 900123"},
                        },
                    },
                    {"kind": "new_person", "role": "child", "person": PERSON_IN},
                ],
            }
        )
    )

    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = (
        Field(
            default=None,
            description="Your own reference (e.g. from a legacy system); generated when absent.",
        )
    )
    address: AddressIn = Field(description="The household's address.")
    hub_id: uuid.UUID = Field(description="The family hub / neighbourhood the family belongs to.")
    members: list[MemberIn] = Field(
        default_factory=list, max_length=50, description="The household's members."
    )


class FamilyUpdate(Schema):
    """Changes to a household: only the fields sent change."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"address": {"line1": "3 Larch Close", "town": "Blackpool", "postcode": "FY3 9QB"}}
        )
    )

    address: AddressIn | None = Field(default=None, description="The household's new address.")
    hub_id: uuid.UUID | None = Field(default=None, description="The family hub it now belongs to.")


class DuplicateCheck(Schema):
    """What is known of a household before registering it, to look for it among known ones."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"postcode": "FY1 3HT", "members": [PERSON_IN]})
    )

    postcode: Postcode | None = Field(default=None, description="The household's postcode.")
    members: list[PersonIn] = Field(
        default_factory=list, max_length=50, description="The people to look for."
    )


FAMILY_READ = {
    "id": ex.FAMILY,
    "reference": ex.FAMILY_REFERENCE,
    "address": ADDRESS,
    "hub_id": ex.HUB_NORTH,
    "members": [MEMBER_READ],
    "relationships": [RELATIONSHIP_READ],
    "version": 3,
    "warnings": [],
}


class FamilyRead(ReadSchema):
    """A household: its address, hub, current and former members and how they are related."""

    model_config = ConfigDict(json_schema_extra=ex.examples(FAMILY_READ))

    id: uuid.UUID = Field(description="The family's id.")
    reference: str = Field(description="The family's reference (yours, or generated).")
    address: AddressRead = Field(description="The household's address.")
    hub_id: uuid.UUID = Field(description="The family hub it belongs to.")
    members: list[MemberRead] = Field(
        description="Current and former members, oldest membership first."
    )
    relationships: list[RelationshipRead] = Field(
        description="How the members are related to each other."
    )
    version: int = Field(description='The family\'s version: its ETag is `"<version>"`.')
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

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                **FAMILY_READ,
                "matched": [
                    {
                        "criterion": "name",
                        "how": "near_spelling",
                        "typed": "Walkr",
                        "found": "Walker",
                        "person_id": ex.SARAH,
                    }
                ],
            }
        )
    )

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


class FamilyPage(PageOf[FamilyRead]):
    """One page of households."""


class FamilySearchPage(PageOf[FamilySearchResult]):
    """One page of a family search: households with why each matched."""


class LeaveIn(Schema):
    """A member leaving the household."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"left_on": "2026-03-20"}))

    left_on: CaseDate = Field(description="The day they left (not in the future).")
