"""Use cases of the practitioner directory."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from app.domain.errors import Conflict, InvalidValue, NotFound
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import Practitioner, validate_practitioner
from app.domain.versions import Expected, check_version
from app.services.ports import Clock, PractitionerFilter, UnitOfWork


def _check_references(uow: UnitOfWork, practitioner: Practitioner) -> None:
    if practitioner.agency_code not in uow.reference.agency_codes():
        raise InvalidValue("There is no active agency with this code.", field="agency_code")
    for hub_id in practitioner.hub_ids:
        hub = uow.reference.hub(hub_id)
        if hub is None or not hub.active:
            raise InvalidValue("There is no active family hub with this id.", field="hub_ids")


def register_practitioner(
    uow: UnitOfWork, clock: Clock, practitioner: Practitioner
) -> Practitioner:
    with uow:
        validate_practitioner(practitioner)
        _check_references(uow, practitioner)
        if uow.practitioners.get_by_email(practitioner.email) is not None:
            raise Conflict("A practitioner with this email is already registered.", field="email")
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
    practitioner_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    expected_version: Expected,
) -> Practitioner:
    with uow:
        current = uow.practitioners.get(practitioner_id)
        if current is None:
            raise NotFound("There is no practitioner with this id.")
        check_version(expected_version, current.version)
        updated = validate_practitioner(replace(current, **changes))
        _check_references(uow, updated)
        other = uow.practitioners.get_by_email(updated.email)
        if other is not None and other.id != updated.id:
            raise Conflict("A practitioner with this email is already registered.", field="email")
        uow.practitioners.save(updated, at=clock.now())
        uow.commit()
        return updated
