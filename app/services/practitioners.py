"""Use cases of the practitioner directory: register, find and change who may do what.

Every role granted or revoked and every activation change is an audit entry of its own (the
security events report reads them), committed with the change it describes. An attempt to
change one's own access is kept, each change asked for as denied, with the refusal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from app.domain.access import Action
from app.domain.errors import NotFound, SelfRoleChange
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import (
    Practitioner,
    access_changes,
    check_references,
    refuse_own_access_change,
    refuse_taken_email,
    validate_practitioner,
)
from app.domain.security_events import PRACTITIONER_RESOURCE, AccessChange
from app.domain.versions import Expected, check_version
from app.services.ports import Agency, Clock, Hub, PractitionerFilter, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


def _check_new_details(uow: UnitOfWork, practitioner: Practitioner) -> Practitioner:
    """The directory's rules, with what they need from the database: the agencies and hubs in
    use, and whoever already holds the email."""
    valid = validate_practitioner(practitioner)
    check_references(
        valid,
        active_agency_codes=uow.reference.agency_codes(),
        active_hub_ids={
            hub_id
            for hub_id in valid.hub_ids
            if (hub := uow.reference.hub(hub_id)) is not None and hub.active
        },
    )
    refuse_taken_email(valid, uow.practitioners.get_by_email(valid.email))
    return valid


def _record_access_changes(
    uc: UseCase, changes: list[AccessChange], *, allowed: bool = True
) -> None:
    for change in changes:
        uc.record(
            change.audit_action,
            Target.council(PRACTITIONER_RESOURCE, change.practitioner_id),
            allowed=allowed,
        )


def register_practitioner(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    practitioner: Practitioner,
    *,
    idempotency: IdempotentRequest[Practitioner] | None = None,
) -> Practitioner | Replayed:
    """Add someone to the directory; each role they are given is a grant."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_PRACTITIONERS, PRACTITIONER_RESOURCE)
        return run_idempotent(uc, idempotency, lambda: _register(uc, practitioner))


def _register(uc: UseCase, practitioner: Practitioner) -> Practitioner:
    registered = _check_new_details(uc.uow, practitioner)
    uc.uow.practitioners.add(registered, at=uc.now)
    uc.identify(Action.MANAGE_PRACTITIONERS, registered.id)
    _record_access_changes(uc, access_changes(None, registered))
    return registered


def seed_practitioner(uow: UnitOfWork, clock: Clock, practitioner: Practitioner) -> Practitioner:
    """The command line filling the directory (demo data, benchmark): nobody signed in acts, so
    it is outside the access rules and the audit trail, as any operator's work on the database."""
    with uow:
        seeded = _check_new_details(uow, practitioner)
        uow.practitioners.add(seeded, at=clock.now())
        uow.commit()
        return seeded


def _existing(uow: UnitOfWork, practitioner_id: uuid.UUID) -> Practitioner:
    practitioner = uow.practitioners.get(practitioner_id)
    if practitioner is None:
        raise NotFound("There is no practitioner with this id.")
    return practitioner


def get_practitioner(
    uow: UnitOfWork, clock: Clock, actor: Actor, practitioner_id: uuid.UUID
) -> Practitioner:
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_DIRECTORY, PRACTITIONER_RESOURCE, practitioner_id)
        practitioner = _existing(uow, practitioner_id)
        uc.commit()
        return practitioner


@dataclass(frozen=True)
class Profile:
    """The signed-in user: who they are, their roles, agency and hubs, with names to show."""

    practitioner: Practitioner
    agency: Agency | None
    hubs: list[Hub]


def get_my_profile(uow: UnitOfWork, clock: Clock, actor: Actor) -> Profile:
    """One call for a front end's first screen: the user's name, roles, agency and hubs."""
    with UseCase(uow, clock, actor) as uc:
        me = actor.principal.practitioner_id
        uc.require_council(Action.READ_OWN_PROFILE, PRACTITIONER_RESOURCE, me)
        practitioner = _existing(uow, me)
        agencies = {a.code: a for a in uow.reference.agencies(include_inactive=True)}
        hubs = {h.id: h for h in uow.reference.hubs(include_inactive=True)}
        profile = Profile(
            practitioner=practitioner,
            agency=agencies.get(practitioner.agency_code),
            hubs=sorted((hubs[h] for h in practitioner.hub_ids if h in hubs), key=lambda h: h.name),
        )
        uc.commit()
        return profile


def search_practitioners(
    uow: UnitOfWork, clock: Clock, actor: Actor, flt: PractitionerFilter, page: PageRequest
) -> Page[Practitioner]:
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_DIRECTORY, PRACTITIONER_RESOURCE)
        found = uow.practitioners.search(flt, page)
        uc.commit()
        return found


def update_practitioner(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    practitioner_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    expected_version: Expected,
) -> Practitioner:
    """Change someone's details, roles, hubs or active flag; nobody changes their own access."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_PRACTITIONERS, PRACTITIONER_RESOURCE, practitioner_id)
        current = _existing(uow, practitioner_id)
        proposed = replace(current, **changes)
        attempted = access_changes(current, proposed)
        try:
            refuse_own_access_change(uc.principal.practitioner_id, current, proposed)
        except SelfRoleChange:
            # The attempt is evidence: each change asked for is kept as denied, with the refusal.
            _record_access_changes(uc, attempted, allowed=False)
            raise
        check_version(expected_version, current.version)
        updated = _check_new_details(uow, proposed)
        uow.practitioners.save(updated, at=uc.now)
        _record_access_changes(uc, attempted)
        uc.commit()
        return updated
