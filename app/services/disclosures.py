"""Use cases for the disclosure log: record a disclosure or a decision not to share, and read
the family's log.

The log is part of the family's record: recording an entry is writing the family, reading it is
reading the family (the access rules decide both, and every read and write is audited). Whether
consent was needed is the domain's rule (`validate_disclosure`): only a disclosure made on the
basis of consent needs consent to share in force.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from app.domain.access import Action
from app.domain.disclosures import Disclosure, validate_disclosure
from app.domain.errors import InvalidValue
from app.domain.paging import Page, PageRequest
from app.services.ports import Clock, DisclosureFilter, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    hidden,
    run_idempotent,
)


def record_disclosure(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    disclosure: Disclosure,
    *,
    idempotency: IdempotentRequest[Disclosure] | None = None,
) -> Disclosure | Replayed:
    """Log information shared about the family, or a decision not to share it."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_FAMILY, Target.family(disclosure.family_id, "disclosure"))
        return run_idempotent(uc, idempotency, lambda: _record(uc, disclosure))


def _record(uc: UseCase, disclosure: Disclosure) -> Disclosure:
    uow = uc.uow
    family = uow.families.get(disclosure.family_id)
    assert family is not None  # the access rules found it
    _check_episode(uow, disclosure)
    _check_decider(uow, disclosure)
    kept = validate_disclosure(
        replace(
            disclosure,
            recorded_by_practitioner_id=uc.principal.practitioner_id,
            recorded_at=uc.now,
        ),
        household=family,
        consents=uow.consents.for_family(family.id),
        known_agency_codes=uow.reference.agency_codes(),
        today=uc.today,
    )
    uow.disclosures.add(kept)
    uc.identify(Action.WRITE_FAMILY, kept.id)
    return kept


def _check_episode(uow: UnitOfWork, disclosure: Disclosure) -> None:
    """An entry may name one of this family's episodes; another family's is an unknown id (a
    database look-up, so it stays here)."""
    if disclosure.episode_id is None:
        return
    episode = uow.episodes.get(disclosure.episode_id)
    if episode is None or episode.family_id != disclosure.family_id:
        raise InvalidValue(
            "This family has no episode with this id.",
            field="episode_id",
            code="disclosure_episode_unknown",
        )


def _check_decider(uow: UnitOfWork, disclosure: Disclosure) -> None:
    """Who decided is a member of staff the service knows (the recorder by default)."""
    decider = uow.practitioners.get(disclosure.decided_by_practitioner_id)
    if decider is None or not decider.active:
        raise InvalidValue(
            "There is no active member of staff with this id.",
            field="decided_by_practitioner_id",
            code="disclosure_decider_unknown",
        )


def list_disclosures(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    flt: DisclosureFilter,
    page: PageRequest,
) -> Page[Disclosure]:
    """The family's disclosure log in the order the decisions were made."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "disclosure"))
        found = uow.disclosures.for_family(family_id, flt, page)
        uc.commit()
        return found


def get_disclosure(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, disclosure_id: uuid.UUID
) -> Disclosure:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "disclosure", disclosure_id))
        found = uow.disclosures.get(disclosure_id)
        if found is None or found.family_id != family_id:
            raise hidden("disclosure")
        uc.commit()
        return found
