"""Use cases for consent: record it, withdraw it, list its history and ask whether it is in force.

Consent belongs to the family's record: reading it is reading the family, recording or
withdrawing it is writing the family (the access rules decide both).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.domain.access import Action
from app.domain.consents import (
    Consent,
    ConsentPurpose,
    Withdrawal,
    check_agencies_known,
    check_consent_people,
    check_withdrawal,
    consent_in_force,
    validate_consent,
)
from app.domain.errors import NotFound
from app.domain.families import Family
from app.domain.paging import Page, PageRequest, page_in_memory
from app.domain.step_dates import PreviousStep, check_not_in_future, check_step_date
from app.domain.versions import Expected, check_version
from app.services.dated import Dated, resolve
from app.services.episodes import record_consent_withdrawn_on_open_episodes
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class ConsentAnswer:
    on: date
    in_force: bool
    consent: Consent | None


def _family(uow: UnitOfWork, family_id: uuid.UUID) -> Family:
    family = uow.families.get(family_id)
    assert family is not None  # the access rules found it
    return family


def _consent_of(uow: UnitOfWork, family_id: uuid.UUID, consent_id: uuid.UUID) -> Consent:
    """The family's consent; another family's is answered as an unknown id (a database look-up,
    so it stays here)."""
    consent = uow.consents.get(consent_id)
    if consent is None or consent.family_id != family_id:
        raise NotFound("This family has no consent with this id.")
    return consent


def record_consent(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    consent: Consent | Dated[Consent],
    *,
    family_id: uuid.UUID | None = None,
    idempotency: IdempotentRequest[Consent] | None = None,
) -> Consent | Replayed:
    """Record consent given by a member of the household, on the day given (today by default);
    the server keeps when it was recorded (`given_recorded_at`)."""
    household = consent.family_id if isinstance(consent, Consent) else family_id
    if household is None:
        raise ValueError("A consent without its date needs the household's id.")
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(household, "consent"))
        return run_idempotent(uc, idempotency, lambda: _record(uc, resolve(consent, uc.today)))


def _record(uc: UseCase, consent: Consent) -> Consent:
    uow = uc.uow
    family = _family(uow, consent.family_id)
    check_not_in_future(consent.given_on, today=uc.today, field="given_on")
    validate_consent(consent, today=uc.today)
    consent.given_recorded_at = uc.now
    check_consent_people(consent, family)
    check_agencies_known(consent, uow.reference.agency_codes())
    uow.consents.add(consent, at=uc.now)
    uow.families.save(family, at=uc.now)
    uc.identify(Action.WRITE_FAMILY, consent.id)
    return consent


def withdraw_consent(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    consent_id: uuid.UUID,
    *,
    withdrawal: Withdrawal | Dated[Withdrawal],
    expected_version: Expected,
) -> Consent:
    """Record a withdrawal on the consent; the history keeps both. Withdrawing consent to take part
    stops the clocks of the family's open episodes in the same transaction."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(family_id, "consent", consent_id))
        consent = _consent_of(uow, family_id, consent_id)
        check_version(expected_version, consent.version)
        family = _family(uow, family_id)
        withdrawal = resolve(withdrawal, uc.today)
        check_step_date(
            withdrawal.withdrawn_on,
            today=uc.today,
            field="withdrawn_on",
            follows=[PreviousStep(consent.given_on, "the consent was given")],
        )
        check_withdrawal(withdrawal, household=family, today=uc.today)
        consent.withdraw(withdrawal, recorded_at=uc.now)
        uow.consents.save(consent, at=uc.now)
        if consent.purpose is ConsentPurpose.EARLY_HELP:
            record_consent_withdrawn_on_open_episodes(
                uow, family_id, withdrawal.withdrawn_on, at=uc.now
            )
        uow.families.save(family, at=uc.now)
        uc.commit()
        return consent


def list_consents(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    page: PageRequest,
    *,
    purpose: ConsentPurpose | None = None,
    in_force_on: date | None = None,
) -> Page[Consent]:
    """The family's consent history, withdrawals included, oldest first."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "consent"))
        chosen = [
            c
            for c in uow.consents.for_family(family_id)
            if (purpose is None or c.purpose is purpose)
            and (in_force_on is None or c.is_in_force_on(in_force_on))
        ]
        found = page_in_memory(chosen, lambda c: (c.given_on.isoformat(), str(c.id)), page)
        uc.commit()
        return found


def get_consent(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "consent", consent_id))
        consent = _consent_of(uow, family_id, consent_id)
        uc.commit()
        return consent


def is_consent_in_force(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    *,
    purpose: ConsentPurpose,
    on: date | None,
    agency_code: str | None,
) -> ConsentAnswer:
    """Is consent for `purpose` (and the agency) in force on `on` (today by default)?"""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "consent_status"))
        day = on or uc.today
        found = consent_in_force(uow.consents.for_family(family_id), purpose, day, agency_code)
        uc.commit()
        return ConsentAnswer(on=day, in_force=found is not None, consent=found)
