"""Use cases of the practitioner directory.

Every role granted or revoked and every activation change is recorded as a security event once it
is committed; a refused attempt to change one's own access is recorded as denied.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from app.domain.errors import Conflict, InvalidValue, NotFound, SelfRoleChange
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import (
    Practitioner,
    access_changes,
    refuse_own_access_change,
    validate_practitioner,
)
from app.domain.security_events import AccessChange
from app.domain.versions import Expected, check_version
from app.services.access import Subject, record_access_changes
from app.services.ports import Clock, PractitionerFilter, UnitOfWork


def _check_references(uow: UnitOfWork, practitioner: Practitioner) -> None:
    if practitioner.agency_code not in uow.reference.agency_codes():
        raise InvalidValue("There is no active agency with this code.", field="agency_code")
    for hub_id in practitioner.hub_ids:
        hub = uow.reference.hub(hub_id)
        if hub is None or not hub.active:
            raise InvalidValue("There is no active family hub with this id.", field="hub_ids")


def register_practitioner(
    uow: UnitOfWork, clock: Clock, practitioner: Practitioner, *, by: Subject | None = None
) -> Practitioner:
    """`by`: who registers them, for the security events; None when the command line seeds the
    directory (demo data, benchmark), which no one signed in did."""
    with uow:
        validate_practitioner(practitioner)
        _check_references(uow, practitioner)
        if uow.practitioners.get_by_email(practitioner.email) is not None:
            raise Conflict("A practitioner with this email is already registered.", field="email")
        if by is not None:
            _record_on_commit(uow, clock, by, access_changes(None, practitioner))
        uow.practitioners.add(practitioner, at=clock.now())
        uow.commit()
        return practitioner


def get_practitioner(uow: UnitOfWork, practitioner_id: uuid.UUID) -> Practitioner:
    with uow:
        practitioner = uow.practitioners.get(practitioner_id)
        if practitioner is None:
            raise NotFound("There is no practitioner with this id.")
        return practitioner


def search_practitioners(
    uow: UnitOfWork, flt: PractitionerFilter, page: PageRequest
) -> Page[Practitioner]:
    with uow:
        return uow.practitioners.search(flt, page)


def update_practitioner(
    uow: UnitOfWork,
    clock: Clock,
    by: Subject,
    practitioner_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    expected_version: Expected,
) -> Practitioner:
    attempted: list[AccessChange] = []
    try:
        with uow:
            current = uow.practitioners.get(practitioner_id)
            if current is None:
                raise NotFound("There is no practitioner with this id.")
            proposed = replace(current, **changes)
            attempted = access_changes(current, proposed)
            refuse_own_access_change(by.principal.practitioner_id, current, proposed)
            check_version(expected_version, current.version)
            updated = validate_practitioner(proposed)
            _check_references(uow, updated)
            other = uow.practitioners.get_by_email(updated.email)
            if other is not None and other.id != updated.id:
                raise Conflict(
                    "A practitioner with this email is already registered.", field="email"
                )
            _record_on_commit(uow, clock, by, attempted)
            uow.practitioners.save(updated, at=clock.now())
            uow.commit()
            return updated
    except SelfRoleChange:
        # The refused transaction has ended (nothing changed); the attempt is kept on its own.
        record_access_changes(uow, clock, by, attempted, allowed=False)
        raise


def _record_on_commit(
    uow: UnitOfWork, clock: Clock, by: Subject, changes: list[AccessChange]
) -> None:
    if changes:
        uow.on_commit(lambda: record_access_changes(uow, clock, by, changes, allowed=True))
