"""The disclosure log: what was shared about a family, with whom, why and on what lawful basis,
and the decisions not to share.

Source: families-first.md §3.4 item 20 (P1). Since the Children's Wellbeing and Schools Act 2026
added the duty to share (CA 2004 s.16LA), consent is no longer the only door: it stays the basis
for taking part in voluntary help, but information relevant to a child's welfare or safeguarding
must be disclosed to another relevant person unless that would be more detrimental to the child.
So every disclosure records its lawful basis, and a decision *not* to share is recorded too, with
its reason and who made it (the notes mark recording non-disclosure as good practice, R36).

An entry is evidence: it is never changed or deleted; a mistake is put right by a further entry.
Only a disclosure made on the basis of consent needs consent to share in force on the day.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from app.domain.consents import Consent, ConsentPurpose, consent_in_force
from app.domain.errors import ConsentRequired, InvalidValue
from app.domain.families import Family, require_text
from app.domain.step_dates import check_not_in_future


class DisclosureDecision(StrEnum):
    """An entry of the disclosure log: information shared, or a decision not to share it."""

    SHARED = "shared"
    """Information was disclosed to the recipient."""
    NOT_SHARED = "not_shared"
    """A request or a reason to share was considered and the information was withheld."""


class LawfulBasis(StrEnum):
    """The law a disclosure was made under: consent, ca2004_s16la (the duty to share),
    ca1989_s47 (a child protection enquiry), court_order or other."""

    CONSENT = "consent"
    """The family's consent to share (needs consent to share in force on the day)."""
    CA2004_S16LA = "ca2004_s16la"
    """The duty to share between relevant persons (Children Act 2004 s.16LA)."""
    CA1989_S47 = "ca1989_s47"
    """A child protection enquiry (Children Act 1989 s.47)."""
    COURT_ORDER = "court_order"
    OTHER = "other"


BASES_NEEDING_DETAIL = frozenset({LawfulBasis.COURT_ORDER, LawfulBasis.OTHER})
"""A court order is named, and "other" says which law: the log must let a reader check the basis."""


class RecipientType(StrEnum):
    """Who received (or asked for) the information, as the duty to share groups relevant persons."""

    LOCAL_AUTHORITY = "local_authority"
    HEALTH = "health"
    POLICE = "police"
    EDUCATION = "education"
    CHILDCARE = "childcare"
    PROBATION = "probation"
    HOUSING = "housing"
    VOLUNTARY_SECTOR = "voluntary_sector"
    CONTRACTOR = "contractor"
    COURT = "court"
    OTHER = "other"


class NotSharingReason(StrEnum):
    """Why information was not shared: more_detrimental_to_child (the s.16LA exception),
    not_relevant or other."""

    MORE_DETRIMENTAL_TO_CHILD = "more_detrimental_to_child"
    """The s.16LA exception: disclosure would be more detrimental to the child than not."""
    NOT_RELEVANT = "not_relevant"
    """Not relevant to the child's safeguarding or welfare, or to the recipient's functions."""
    OTHER = "other"


@dataclass(frozen=True)
class Disclosure:
    """One entry of the log: a disclosure made, or a decision not to share."""

    id: uuid.UUID
    family_id: uuid.UUID
    decision: DisclosureDecision
    decided_on: date
    recipient_name: str
    recipient_type: RecipientType
    information: str
    """What was shared (or withheld): the items or documents."""
    purpose: str
    decided_by_practitioner_id: uuid.UUID
    recorded_by_practitioner_id: uuid.UUID
    episode_id: uuid.UUID | None = None
    recipient_agency_code: str | None = None
    person_ids: tuple[uuid.UUID, ...] = ()
    """Whom the information is about (members of the household)."""
    lawful_basis: LawfulBasis | None = None
    lawful_basis_detail: str | None = None
    not_sharing_reason: NotSharingReason | None = None
    explanation: str | None = None
    recorded_at: datetime | None = None
    """When it was recorded: the service's clock, set as the entry is kept."""


def validate_disclosure(
    disclosure: Disclosure,
    *,
    household: Family,
    consents: Iterable[Consent],
    known_agency_codes: Collection[str],
    today: date,
) -> Disclosure:
    """The entry as it is kept (texts trimmed), or the first reason it cannot be.

    A disclosure names its lawful basis and carries no reason for withholding; a decision not to
    share carries its reason and an explanation and no lawful basis. Consent as the basis must be
    in force on the day for the recipient's agency (or for every TAF member).
    """
    check_not_in_future(disclosure.decided_on, today=today, field="decided_on")
    texts = {
        "recipient_name": require_text(
            disclosure.recipient_name, "recipient_name", what="The recipient's name"
        ),
        "information": require_text(
            disclosure.information, "information", what="What was shared or withheld"
        ),
        "purpose": require_text(disclosure.purpose, "purpose", what="The purpose"),
    }
    if (
        disclosure.recipient_agency_code is not None
        and disclosure.recipient_agency_code not in known_agency_codes
    ):
        raise InvalidValue(
            f"Unknown agency: {disclosure.recipient_agency_code}.",
            field="recipient_agency_code",
            code="disclosure_agency_unknown",
        )
    _check_people(disclosure, household)
    if disclosure.decision is DisclosureDecision.SHARED:
        return _shared(disclosure, texts, consents)
    return _withheld(disclosure, texts)


def _check_people(disclosure: Disclosure, household: Family) -> None:
    members = {m.person_id for m in household.memberships}
    if len(set(disclosure.person_ids)) != len(disclosure.person_ids):
        raise InvalidValue(
            "A person is named twice.", field="person_ids", code="disclosure_person_repeated"
        )
    for index, person_id in enumerate(disclosure.person_ids):
        if person_id not in members:
            raise InvalidValue(
                "The information can only be about members of this household.",
                field=f"person_ids[{index}]",
                code="disclosure_person_not_member",
            )


def _shared(
    disclosure: Disclosure, texts: dict[str, str], consents: Iterable[Consent]
) -> Disclosure:
    basis = disclosure.lawful_basis
    if basis is None:
        raise InvalidValue(
            "A disclosure must name its lawful basis: consent, ca2004_s16la, ca1989_s47, "
            "court_order or other.",
            field="lawful_basis",
            code="disclosure_lawful_basis_required",
        )
    if disclosure.not_sharing_reason is not None:
        raise InvalidValue(
            "A reason for not sharing belongs to a decision not to share, not to a disclosure.",
            field="not_sharing_reason",
            code="disclosure_reason_on_shared",
        )
    detail = None
    if basis in BASES_NEEDING_DETAIL:
        detail = require_text(
            disclosure.lawful_basis_detail,
            "lawful_basis_detail",
            what="The court order or the law relied on",
        )
    elif disclosure.lawful_basis_detail is not None:
        detail = disclosure.lawful_basis_detail.strip() or None
    if basis is LawfulBasis.CONSENT and (
        consent_in_force(
            consents,
            ConsentPurpose.INFORMATION_SHARING,
            disclosure.decided_on,
            disclosure.recipient_agency_code,
        )
        is None
    ):
        raise ConsentRequired(
            "No consent to share with this recipient was in force on "
            f"{disclosure.decided_on.isoformat()}, so consent cannot be the lawful basis: record "
            "the basis the disclosure was made on (for example the duty to share, ca2004_s16la).",
            field="lawful_basis",
            code="disclosure_consent_not_in_force",
        )
    return _kept(disclosure, texts, lawful_basis_detail=detail, explanation=None)


def _withheld(disclosure: Disclosure, texts: dict[str, str]) -> Disclosure:
    if disclosure.lawful_basis is not None or disclosure.lawful_basis_detail is not None:
        raise InvalidValue(
            "A decision not to share has no lawful basis for sharing; give its reason instead.",
            field="lawful_basis",
            code="disclosure_basis_on_not_shared",
        )
    if disclosure.not_sharing_reason is None:
        raise InvalidValue(
            "A decision not to share must give its reason: more_detrimental_to_child, "
            "not_relevant or other.",
            field="not_sharing_reason",
            code="disclosure_reason_required",
        )
    explanation = require_text(
        disclosure.explanation, "explanation", what="Why the information was not shared"
    )
    return _kept(disclosure, texts, lawful_basis_detail=None, explanation=explanation)


def _kept(
    disclosure: Disclosure,
    texts: dict[str, str],
    *,
    lawful_basis_detail: str | None,
    explanation: str | None,
) -> Disclosure:
    return Disclosure(
        id=disclosure.id,
        family_id=disclosure.family_id,
        decision=disclosure.decision,
        decided_on=disclosure.decided_on,
        recipient_name=texts["recipient_name"],
        recipient_type=disclosure.recipient_type,
        information=texts["information"],
        purpose=texts["purpose"],
        decided_by_practitioner_id=disclosure.decided_by_practitioner_id,
        recorded_by_practitioner_id=disclosure.recorded_by_practitioner_id,
        recorded_at=disclosure.recorded_at,
        episode_id=disclosure.episode_id,
        recipient_agency_code=disclosure.recipient_agency_code,
        person_ids=disclosure.person_ids,
        lawful_basis=disclosure.lawful_basis,
        lawful_basis_detail=lawful_basis_detail,
        not_sharing_reason=disclosure.not_sharing_reason,
        explanation=explanation,
    )
