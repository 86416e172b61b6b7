"""Households, the people in them and who belongs where, with the validation rules of the record.

Sources: seed-digest FAM-1..FAM-12 and AMB-6 (children are 0-18, up to 25 with SEND, pre-birth
counts); FAM-10 (a child may have carers in two households); CON-13 (keep victim and perpetrator
apart, so one member's contact details can be restricted).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from app.domain.errors import Conflict, Forbidden, InvalidValue
from app.domain.identifiers import (
    ChildIdentifier,
    IdentifierAbsence,
    IdentifierScheme,
    check_identifiers,
    in_scheme_order,
    normalise_identifiers,
    normalise_nhs_number,
)
from app.domain.names import NameMatch, how_names_match

CHILD_AGE_LIMIT = 19
"""Children are children until their 19th birthday ('until they reach the age of 19', 004:869)."""

SEND_AGE_LIMIT = 25
"""Up to the 25th birthday with SEND ('or up to 25 years old for those with SEND needs', 004:1011)."""

MAX_MONTHS_TO_DELIVERY = 10
"""An expected date of delivery more than ten months ahead cannot be a real pregnancy."""

_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


class MemberRole(StrEnum):
    CHILD = "child"
    PARENT_CARER = "parent_carer"
    OTHER_ADULT = "other_adult"


class RelationshipKind(StrEnum):
    """How one member relates to another; neutral words, never assuming a husband or father (FAM-11)."""

    PARENT = "parent"
    STEP_PARENT = "step_parent"
    ADOPTIVE_PARENT = "adoptive_parent"
    FOSTER_CARER = "foster_carer"
    KINSHIP_CARER = "kinship_carer"
    SPECIAL_GUARDIAN = "special_guardian"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    HALF_SIBLING = "half_sibling"
    PARTNER = "partner"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"


def normalise_postcode(raw: str, *, field_name: str = "postcode") -> str:
    """A UK postcode in its canonical form ('sw1a1aa' → 'SW1A 1AA'), or InvalidValue."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if not _POSTCODE.match(compact):
        raise InvalidValue(
            f"'{raw}' is not a valid UK postcode.", field=field_name, code="postcode_format"
        )
    return f"{compact[:-3]} {compact[-3:]}"


def require_text(value: str | None, field_name: str, *, what: str) -> str:
    """Trimmed text, refusing blanks: an empty name or reason helps nobody reading the record."""
    text = (value or "").strip()
    if not text:
        raise InvalidValue(f"{what} must not be empty.", field=field_name, code="text_required")
    return text


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years, the birthday counting on the day (29 Feb birthdays count on 1 Mar)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Address:
    line1: str
    postcode: str
    line2: str | None = None
    town: str | None = None

    @classmethod
    def create(
        cls,
        *,
        line1: str,
        postcode: str,
        line2: str | None = None,
        town: str | None = None,
        field_prefix: str = "address",
    ) -> Address:
        return cls(
            line1=require_text(
                line1, f"{field_prefix}.line1", what="The first line of the address"
            ),
            postcode=normalise_postcode(postcode, field_name=f"{field_prefix}.postcode"),
            line2=(line2 or "").strip() or None,
            town=(town or "").strip() or None,
        )


@dataclass(frozen=True)
class ContactDetails:
    phone: str | None = None
    email: str | None = None
    address: Address | None = None


@dataclass
class Person:
    """A person the service knows; they may belong to more than one household."""

    id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: date | None = None
    expected_delivery_date: date | None = None
    sex: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    send: bool = False
    disabilities: tuple[str, ...] = ()
    """The CIN census disability codes (MOB, LD, AUT ... or NONE alone); empty when not recorded."""
    identifiers: tuple[ChildIdentifier, ...] = ()
    """NHS number, UPN, the council's own id ...: at most one per scheme (Families First §3.4)."""
    identifier_absent_reason: IdentifierAbsence | None = None
    """Why the council's consistent identifier is not recorded (s.16LC(7), (8))."""
    contact: ContactDetails | None = None
    contact_restricted: bool = False
    restriction_reason: str | None = None
    restriction_visible_to: frozenset[uuid.UUID] = field(default_factory=frozenset)
    """Practitioners the restriction names as allowed to see the restricted details."""
    restriction_family_id: uuid.UUID | None = None
    """The household the restriction was set in: its open episodes' leads see the details,
    whichever household the person is seen through (the restriction belongs to the person)."""
    version: int = 1

    @property
    def nhs_number(self) -> str | None:
        """The `nhs_number` entry of the identifiers, ten digits."""
        return next(
            (i.value for i in self.identifiers if i.scheme is IdentifierScheme.NHS_NUMBER), None
        )

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_delivery_date is not None

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def is_child_on(self, on: date) -> bool:
        """Under 19, under 25 with SEND, or not yet born (AMB-6)."""
        return counts_as_child(self.date_of_birth, self.expected_delivery_date, self.send, on)


def validate_person(
    person: Person,
    *,
    today: date,
    disability_codes: frozenset[str],
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
) -> Person:
    """The person's own facts: names present, dates plausible, identifiers valid (their NHS number
    passes Modulus 11 and is no placeholder, one per scheme, a reason for absence only without the
    council's `consistent` identifier), disabilities from the census list in force
    (`disability_codes`), restriction explained."""
    given = require_text(person.given_name, "given_name", what="The given name")
    family = require_text(person.family_name, "family_name", what="The family name")
    if person.date_of_birth is not None and person.expected_delivery_date is not None:
        raise InvalidValue(
            "Give a date of birth or, for an unborn child, an expected date of delivery, not both.",
            field="expected_delivery_date",
            code="birth_and_delivery_dates_both",
        )
    if person.date_of_birth is not None and person.date_of_birth > today:
        raise InvalidValue(
            "The date of birth is in the future.",
            field="date_of_birth",
            code="birth_date_in_future",
        )
    due = person.expected_delivery_date
    if due is not None and due > add_months(today, MAX_MONTHS_TO_DELIVERY):
        raise InvalidValue(
            "The expected date of delivery is more than ten months ahead.",
            field="expected_delivery_date",
            code="delivery_date_too_far_ahead",
        )
    disabilities = check_disabilities(person.disabilities, disability_codes)
    identifiers = normalise_identifiers(person.identifiers)
    check_identifiers(identifiers, person.identifier_absent_reason, consistent)
    reason = (person.restriction_reason or "").strip() or None
    if person.contact_restricted and reason is None:
        raise InvalidValue(
            "Say why the contact details are restricted, so others know to keep them hidden.",
            field="restriction_reason",
            code="restriction_reason_required",
        )
    return replace(
        person,
        given_name=given,
        family_name=family,
        restriction_reason=reason,
        disabilities=disabilities,
        identifiers=in_scheme_order(identifiers),
    )


NO_DISABILITY = "NONE"
"""The census code saying the child has no disability: it stands alone."""


def check_disabilities(
    codes: Iterable[str], known: frozenset[str], *, field_name: str = "disabilities"
) -> tuple[str, ...]:
    """A person's disabilities as the CIN census records them: codes from the list in force
    (upper-cased, spaces trimmed), each once, and NONE only on its own (a child cannot have no
    disability and a disability). Kept in the order given."""
    kept: list[str] = []
    for raw in codes:
        code = raw.strip().upper()
        if code not in known:
            raise InvalidValue(
                f"{raw!r} is not a CIN census disability code ({', '.join(sorted(known))}).",
                field=field_name,
                code="disability_code_unknown",
            )
        if code in kept:
            raise InvalidValue(
                f"The disability {code} is given twice.",
                field=field_name,
                code="disability_repeated",
            )
        kept.append(code)
    if NO_DISABILITY in kept and len(kept) > 1:
        raise InvalidValue(
            "NONE says the child has no disability: give it alone or not at all.",
            field=field_name,
            code="disability_none_with_others",
        )
    return tuple(kept)


def is_valid_nhs_number(raw: str) -> bool:
    """Whether `raw` is an NHS number (Modulus 11, not a placeholder: see `app.domain.identifiers`)."""
    try:
        normalise_nhs_number(raw)
    except InvalidValue:
        return False
    return True


@dataclass
class Membership:
    """A person's time in a household; leaving ends it, nothing is deleted."""

    id: uuid.UUID
    family_id: uuid.UUID
    person_id: uuid.UUID
    role: MemberRole
    joined_on: date
    left_on: date | None = None
    version: int = 1

    def is_current_on(self, on: date) -> bool:
        return self.joined_on <= on and (self.left_on is None or on < self.left_on)

    def leave(self, on: date) -> None:
        if self.left_on is not None:
            raise Conflict(
                "This member has already left the household.",
                field="left_on",
                code="member_already_left",
            )
        if on < self.joined_on:
            raise InvalidValue(
                "A member cannot leave before they joined.",
                field="left_on",
                code="member_left_before_joined",
            )
        self.left_on = on


def validate_membership(person: Person, role: MemberRole, *, on: date, today: date) -> None:
    """A role must fit the person: the child role is for children; an unborn child is never a carer."""
    if on > today:
        raise InvalidValue(
            "A member cannot join a household in the future.",
            field="joined_on",
            code="member_joined_in_future",
        )
    if role is MemberRole.CHILD:
        if person.date_of_birth is None and person.expected_delivery_date is None:
            raise InvalidValue(
                "A child needs a date of birth or an expected date of delivery.",
                field="date_of_birth",
                code="child_birth_date_required",
            )
        if not person.is_child_on(on):
            limit = SEND_AGE_LIMIT if person.send else CHILD_AGE_LIMIT
            raise InvalidValue(
                f"{person.display_name} is {age_on(person.date_of_birth, on) if person.date_of_birth else '?'}"
                f" and cannot have the child role (children are under {limit}).",
                field="role",
                code="child_role_too_old",
            )
    elif person.is_unborn:
        raise InvalidValue(
            "An unborn child can only have the child role.",
            field="role",
            code="unborn_not_child_role",
        )


@dataclass(frozen=True)
class Relationship:
    id: uuid.UUID
    family_id: uuid.UUID
    person_id: uuid.UUID
    related_person_id: uuid.UUID
    kind: RelationshipKind
    parental_responsibility: bool = False


def validate_relationship(
    relationship: Relationship, current_member_ids: Iterable[uuid.UUID]
) -> None:
    members = set(current_member_ids)
    if relationship.person_id == relationship.related_person_id:
        raise InvalidValue(
            "A person cannot be related to themselves.",
            field="related_person_id",
            code="relationship_to_self",
        )
    for name, pid in (
        ("person_id", relationship.person_id),
        ("related_person_id", relationship.related_person_id),
    ):
        if pid not in members:
            raise InvalidValue(
                "Both people must be current members of this household.",
                field=name,
                code="relationship_not_current_members",
            )


@dataclass
class Family:
    """A household: where the family lives, the hub it belongs to and a reference people quote."""

    id: uuid.UUID
    reference: str
    address: Address
    hub_id: uuid.UUID
    version: int = 1
    memberships: list[Membership] = field(default_factory=list)
    created_by_practitioner_id: uuid.UUID | None = None

    def current_memberships(self, on: date) -> list[Membership]:
        return [m for m in self.memberships if m.is_current_on(on)]

    def membership_of(self, person_id: uuid.UUID, on: date) -> Membership | None:
        return next((m for m in self.current_memberships(on) if m.person_id == person_id), None)

    def add_member(self, membership: Membership) -> None:
        if self.membership_of(membership.person_id, membership.joined_on) is not None:
            raise Conflict(
                "This person is already a member of the household.",
                field="person_id",
                code="member_already_in_household",
            )
        self.memberships.append(membership)


@dataclass(frozen=True)
class DuplicateCandidate:
    family_id: uuid.UUID
    reference: str
    reason: str
    likely: bool = False
    """The same NHS number and date of birth: almost certainly the same child (Families First
    §3.4 item 21), where a name or a postcode only may be."""


def normalise_name(name: str) -> str:
    """Case- and space-insensitive key used to spot the same name written twice."""
    return re.sub(r"[^a-z]", "", name.lower())


def check_reference(reference: str) -> str:
    text = require_text(reference, "reference", what="The family reference").upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9/\-]{2,31}", text):
        raise InvalidValue(
            "A reference is 3 to 32 letters, digits, '-' or '/'.",
            field="reference",
            code="family_reference_format",
        )
    return text


RESTRICTED_FIELDS = frozenset(
    {"contact", "contact_restricted", "restriction_reason", "restriction_visible_to"}
)
"""A person's details a contact restriction protects, and the restriction itself."""


def check_restricted_change(
    person: Person, changed_fields: Iterable[str], *, may_see_restricted: bool
) -> None:
    """Only those a restriction lets see the details may change them or lift the restriction.

    Otherwise any practitioner who could write one household of a domestic-abuse victim could
    lift the restriction on her refuge address in every household she belongs to.
    """
    touched = RESTRICTED_FIELDS.intersection(changed_fields)
    if person.contact_restricted and touched and not may_see_restricted:
        raise Forbidden(
            "Only those who may see a member's restricted details may change them or the"
            " restriction.",
            field=sorted(touched)[0],
            code="restricted_details_not_yours_to_change",
        )


def restrict_in(before: Person, after: Person, household_id: uuid.UUID) -> Person:
    """Anchor a restriction to the household it is set in; lifting it removes the anchor."""
    if not after.contact_restricted:
        return replace(after, restriction_family_id=None)
    if before.contact_restricted and before.restriction_family_id is not None:
        return replace(after, restriction_family_id=before.restriction_family_id)
    return replace(after, restriction_family_id=household_id)


def visible_contact(person: Person, *, may_see_restricted: bool) -> ContactDetails | None:
    """Restricted contact details are withheld from anyone without the right to them (CON-13)."""
    if person.contact_restricted and not may_see_restricted:
        return None
    return person.contact


def household_name(members: Iterable[tuple[MemberRole, Person]]) -> str:
    """How a caseload names a household: its carers' surnames ('Okafor / Price'), else any member's."""
    listed = list(members)
    carers = [p.family_name for role, p in listed if role is MemberRole.PARENT_CARER]
    names = list(dict.fromkeys(carers or [p.family_name for _, p in listed]))
    return " / ".join(names) if names else "(no members)"


@dataclass(frozen=True)
class MatchReason:
    """Why a household came up in a search: which criterion, how, and on which member."""

    criterion: str
    """name, date_of_birth, postcode or reference."""
    how: str
    """For a name, a `NameMatch`; otherwise `same` or `starts_with`."""
    typed: str
    found: str
    person_id: uuid.UUID | None = None


def match_reasons(
    family: Family,
    people: dict[uuid.UUID, Person],
    *,
    name: str | None = None,
    date_of_birth: date | None = None,
    postcode: str | None = None,
    reference: str | None = None,
) -> list[MatchReason]:
    """Every way a search's criteria matched this household, so a practitioner can tell a
    near-spelling from the family they meant (search is typo tolerant: see `app/domain/names`)."""
    reasons: list[MatchReason] = []
    members = [people[m.person_id] for m in family.memberships if m.person_id in people]
    for word in (name or "").split():
        best: tuple[int, MatchReason] | None = None
        for person in members:
            for found in (person.given_name, person.family_name):
                how = how_names_match(word, found)
                if how is None:
                    continue
                rank = list(NameMatch).index(how)
                if best is None or rank < best[0]:
                    best = (rank, MatchReason("name", how.value, word, found, person.id))
        reasons.append(
            best[1]
            if best is not None
            else MatchReason("name", NameMatch.SIMILAR_SPELLING.value, word, "", None)
        )
    if date_of_birth is not None:
        for person in members:
            if person.date_of_birth == date_of_birth:
                reasons.append(
                    MatchReason(
                        "date_of_birth",
                        "same",
                        date_of_birth.isoformat(),
                        date_of_birth.isoformat(),
                        person.id,
                    )
                )
    if postcode:
        typed = postcode.replace(" ", "").upper()
        stored = family.address.postcode.replace(" ", "")
        postcode_how = "same" if stored == typed else "starts_with"
        reasons.append(MatchReason("postcode", postcode_how, postcode, family.address.postcode))
    if reference:
        reference_how = "same" if family.reference == reference.upper() else "starts_with"
        reasons.append(MatchReason("reference", reference_how, reference, family.reference))
    return reasons


def counts_as_child(
    date_of_birth: date | None, expected_delivery_date: date | None, send: bool, on: date
) -> bool:
    """A person is a child on `on` if under 19, under 25 with SEND, or not yet born (AMB-6):
    `Person.is_child_on`, for readers that load only these three facts (the claim reports)."""
    if date_of_birth is None:
        return expected_delivery_date is not None
    limit = SEND_AGE_LIMIT if send else CHILD_AGE_LIMIT
    return age_on(date_of_birth, on) < limit
