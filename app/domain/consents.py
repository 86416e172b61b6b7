"""Consent as a record with history, never a boolean.

Sources: seed-digest CON-1/CON-2 (two purposes: taking part, and sharing with other services;
consent must be explicit, 004:1237), AMB-9 (who gives it; withdrawal recorded and stops clocks and
access). Nothing is overwritten: a withdrawal is added to the consent it withdraws.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.domain.errors import Conflict, InvalidValue
from app.domain.families import Family, MemberRole, require_text


class ConsentPurpose(StrEnum):
    EARLY_HELP = "early_help"
    """Consent to take part in early help; it starts the assessment clock."""
    INFORMATION_SHARING = "information_sharing"
    """Consent to share information with other services (named agencies or all TAF members)."""


class SharingScope(StrEnum):
    ALL_TAF_MEMBERS = "all_taf_members"
    NAMED_AGENCIES = "named_agencies"


class RecordingMethod(StrEnum):
    VERBAL = "verbal"
    WRITTEN = "written"
    DIGITAL = "digital"


@dataclass(frozen=True)
class Withdrawal:
    withdrawn_on: date
    reason: str
    withdrawn_by_person_id: uuid.UUID | None = None
    recorded_at: datetime | None = None
    """When the withdrawal was recorded, beside `withdrawn_on` (issue 18 §1)."""


@dataclass
class Consent:
    id: uuid.UUID
    family_id: uuid.UUID
    purpose: ConsentPurpose
    given_by_person_id: uuid.UUID
    given_on: date
    method: RecordingMethod
    on_behalf_of_person_ids: tuple[uuid.UUID, ...] = ()
    sharing_scope: SharingScope | None = None
    agency_codes: frozenset[str] = field(default_factory=frozenset)
    review_on: date | None = None
    notes: str | None = None
    withdrawal: Withdrawal | None = None
    version: int = 1
    given_recorded_at: datetime | None = None
    """When the consent was recorded, beside `given_on` (issue 18 §1); the caller's timestamp."""

    def is_in_force_on(self, on: date) -> bool:
        """Given on or before `on` and not withdrawn by then (the withdrawal day is already out)."""
        if on < self.given_on:
            return False
        return self.withdrawal is None or on < self.withdrawal.withdrawn_on

    def covers_agency(self, agency_code: str | None) -> bool:
        if self.purpose is ConsentPurpose.EARLY_HELP:
            return True
        if self.sharing_scope is SharingScope.ALL_TAF_MEMBERS:
            return True
        return agency_code is not None and agency_code in self.agency_codes

    def covers_children(self, child_person_ids: Collection[uuid.UUID]) -> bool:
        """Consent naming children covers an episode only if it names every child the episode is
        about: a parent's consent for one child is not consent to assess a sibling. Consent naming
        no child was given for the household as a whole and covers any of its children."""
        if not self.on_behalf_of_person_ids:
            return True
        return set(child_person_ids) <= set(self.on_behalf_of_person_ids)

    def review_due_on(self, on: date) -> bool:
        """A passed review date asks the lead professional to check consent again; it does not lapse."""
        return self.review_on is not None and self.review_on <= on and self.is_in_force_on(on)

    def withdraw(self, withdrawal: Withdrawal, *, recorded_at: datetime | None = None) -> None:
        if self.withdrawal is not None:
            raise Conflict(
                "This consent has already been withdrawn.",
                field="withdrawn_on",
                code="consent_already_withdrawn",
            )
        if withdrawal.withdrawn_on < self.given_on:
            raise InvalidValue(
                "A withdrawal cannot be dated before the consent it withdraws.",
                field="withdrawn_on",
                code="consent_withdrawn_before_given",
            )
        self.withdrawal = Withdrawal(
            withdrawn_on=withdrawal.withdrawn_on,
            reason=require_text(withdrawal.reason, "reason", what="The reason for withdrawal"),
            withdrawn_by_person_id=withdrawal.withdrawn_by_person_id,
            recorded_at=recorded_at,
        )


def validate_consent(consent: Consent, *, today: date) -> None:
    """What makes a consent record usable as evidence: dated, scoped and not in the future."""
    if consent.given_on > today:
        raise InvalidValue(
            "Consent cannot be recorded as given in the future.",
            field="given_on",
            code="consent_given_in_future",
        )
    if consent.review_on is not None and consent.review_on <= consent.given_on:
        raise InvalidValue(
            "The review date must be after the date consent was given.",
            field="review_on",
            code="consent_review_not_after_given",
        )
    if consent.purpose is ConsentPurpose.INFORMATION_SHARING:
        if consent.sharing_scope is None:
            raise InvalidValue(
                "Say whether information may be shared with all TAF members or named agencies.",
                field="sharing_scope",
                code="consent_sharing_scope_required",
            )
        if consent.sharing_scope is SharingScope.NAMED_AGENCIES and not consent.agency_codes:
            raise InvalidValue(
                "Name at least one agency information may be shared with.",
                field="agency_codes",
                code="consent_agencies_required",
            )
        if consent.sharing_scope is SharingScope.ALL_TAF_MEMBERS and consent.agency_codes:
            raise InvalidValue(
                "Consent to share with all TAF members names no agencies.",
                field="agency_codes",
                code="consent_agencies_with_all_taf",
            )
    elif consent.sharing_scope is not None or consent.agency_codes:
        raise InvalidValue(
            "Consent to take part in early help has no sharing scope or agencies.",
            field="sharing_scope",
            code="consent_early_help_with_sharing",
        )
    if consent.given_by_person_id in consent.on_behalf_of_person_ids:
        raise InvalidValue(
            "A person cannot give consent on their own behalf and for themselves.",
            field="on_behalf_of_person_ids",
            code="consent_for_self_on_behalf",
        )


def check_consent_people(consent: Consent, household: Family) -> None:
    """The giver is a member of the household on that day; children are consented for by a carer."""
    giver = household.membership_of(consent.given_by_person_id, consent.given_on)
    if giver is None:
        raise InvalidValue(
            "The person giving consent must be a member of the household on that date.",
            field="given_by_person_id",
            code="consent_giver_not_member",
        )
    if consent.on_behalf_of_person_ids and giver.role is not MemberRole.PARENT_CARER:
        raise InvalidValue(
            "Only a parent or carer can give consent on behalf of a child.",
            field="on_behalf_of_person_ids",
            code="consent_on_behalf_not_parent",
        )
    for index, person_id in enumerate(consent.on_behalf_of_person_ids):
        member = household.membership_of(person_id, consent.given_on)
        if member is None or member.role is not MemberRole.CHILD:
            raise InvalidValue(
                "Consent can be given on behalf of children of the household only.",
                field=f"on_behalf_of_person_ids[{index}]",
                code="consent_on_behalf_not_child",
            )


def check_agencies_known(consent: Consent, known_agency_codes: Collection[str]) -> None:
    """Consent to share names agencies of the council's directory, so a seat can be matched to it."""
    unknown = sorted(consent.agency_codes - set(known_agency_codes))
    if unknown:
        raise InvalidValue(
            f"Unknown agencies: {', '.join(unknown)}.", field="agency_codes", code="agency_unknown"
        )


def check_withdrawal(withdrawal: Withdrawal, *, household: Family, today: date) -> None:
    """A withdrawal has happened (it is not dated ahead) and, when it names who withdrew the
    consent, that person belongs (or belonged) to the household."""
    if withdrawal.withdrawn_on > today:
        raise InvalidValue(
            "A withdrawal cannot be dated in the future.",
            field="withdrawn_on",
            code="consent_withdrawn_in_future",
        )
    if withdrawal.withdrawn_by_person_id is not None and not any(
        m.person_id == withdrawal.withdrawn_by_person_id for m in household.memberships
    ):
        raise InvalidValue(
            "The person withdrawing consent is not a member of this household.",
            field="withdrawn_by_person_id",
            code="consent_withdrawer_not_member",
        )


def consent_in_force(
    consents: Iterable[Consent],
    purpose: ConsentPurpose,
    on: date,
    agency_code: str | None = None,
    *,
    children: Collection[uuid.UUID] = (),
) -> Consent | None:
    """Is consent for `purpose` (with `agency_code`, for sharing; covering `children`, for an
    episode) in force on `on`? The earliest such record.

    The earliest is returned because the assessment clock starts on the date consent was first given.
    """
    matching = [
        c
        for c in consents
        if c.purpose is purpose
        and c.is_in_force_on(on)
        and c.covers_agency(agency_code)
        and c.covers_children(children)
    ]
    return min(matching, key=lambda c: (c.given_on, str(c.id)), default=None)
