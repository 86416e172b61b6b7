"""Use cases for consent: record it, withdraw it, and ask whether it is in force."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.domain.consent import (
    Consent,
    ConsentPurpose,
    Withdrawal,
    consent_in_force,
    validate_consent,
)
from app.domain.errors import InvalidValue, NotFound
from app.domain.families import Family, MemberRole
from app.domain.versions import Expected, check_version
from app.services.episodes import record_consent_withdrawn_on_open_episodes
from app.services.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class ConsentAnswer:
    in_force: bool
    consent: Consent | None


def _family(uow: UnitOfWork, family_id: uuid.UUID) -> Family:
    family = uow.families.get(family_id)
    if family is None:
        raise NotFound("There is no family with this id.")
    return family


def _check_people(family: Family, consent: Consent) -> None:
    """The giver is a member of the household on that day; children are consented for by a carer."""
    giver = family.membership_of(consent.given_by_person_id, consent.given_on)
    if giver is None:
        raise InvalidValue(
            "The person giving consent must be a member of the household on that date.",
            field="given_by_person_id",
        )
    if consent.on_behalf_of_person_ids and giver.role is not MemberRole.PARENT_CARER:
        raise InvalidValue(
            "Only a parent or carer can give consent on behalf of a child.",
            field="on_behalf_of_person_ids",
        )
    for index, person_id in enumerate(consent.on_behalf_of_person_ids):
        member = family.membership_of(person_id, consent.given_on)
        if member is None or member.role is not MemberRole.CHILD:
            raise InvalidValue(
                "Consent can be given on behalf of children of the household only.",
                field=f"on_behalf_of_person_ids[{index}]",
            )


def record_consent(uow: UnitOfWork, clock: Clock, consent: Consent) -> Consent:
    with uow:
        family = _family(uow, consent.family_id)
        validate_consent(consent, today=clock.today())
        _check_people(family, consent)
        unknown = sorted(consent.agency_codes - uow.reference.agency_codes())
        if unknown:
            raise InvalidValue(f"Unknown agencies: {', '.join(unknown)}.", field="agency_codes")
        uow.consents.add(consent, at=clock.now())
        uow.families.save(family, at=clock.now())
        uow.commit()
        return consent


def withdraw_consent(
    uow: UnitOfWork,
    clock: Clock,
    family_id: uuid.UUID,
    consent_id: uuid.UUID,
    *,
    withdrawal: Withdrawal,
    expected_version: Expected,
) -> Consent:
    """Record a withdrawal on the consent; the history keeps both."""
    with uow:
        consent = uow.consents.get(consent_id)
        if consent is None or consent.family_id != family_id:
            raise NotFound("This family has no consent with this id.")
        check_version(expected_version, consent.version)
        if withdrawal.withdrawn_on > clock.today():
            raise InvalidValue("A withdrawal cannot be dated in the future.", field="withdrawn_on")
        family = _family(uow, family_id)
        if withdrawal.withdrawn_by_person_id is not None and not any(
            m.person_id == withdrawal.withdrawn_by_person_id for m in family.memberships
        ):
            raise InvalidValue(
                "The person withdrawing consent is not a member of this household.",
                field="withdrawn_by_person_id",
            )
        consent.withdraw(withdrawal)
        uow.consents.save(consent, at=clock.now())
        if consent.purpose is ConsentPurpose.EARLY_HELP:
            record_consent_withdrawn_on_open_episodes(
                uow, family_id, withdrawal.withdrawn_on, at=clock.now()
            )
        uow.families.save(family, at=clock.now())
        uow.commit()
        return consent


def list_consents(uow: UnitOfWork, family_id: uuid.UUID) -> list[Consent]:
    with uow:
        _family(uow, family_id)
        return uow.consents.for_family(family_id)


def get_consent(uow: UnitOfWork, family_id: uuid.UUID, consent_id: uuid.UUID) -> Consent:
    with uow:
        consent = uow.consents.get(consent_id)
        if consent is None or consent.family_id != family_id:
            raise NotFound("This family has no consent with this id.")
        return consent


def is_consent_in_force(
    uow: UnitOfWork,
    family_id: uuid.UUID,
    *,
    purpose: ConsentPurpose,
    on: date,
    agency_code: str | None,
) -> ConsentAnswer:
    with uow:
        _family(uow, family_id)
        found = consent_in_force(uow.consents.for_family(family_id), purpose, on, agency_code)
        return ConsentAnswer(in_force=found is not None, consent=found)
