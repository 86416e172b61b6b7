"""The practitioner directory: the people from any agency who lead, join TAFs, assure or manage.

Families First asks for lead practitioners from any agency (shared/domain/families-first.md), so a
practitioner always belongs to an agency and may work across several hubs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from app.domain.access import Principal, Role
from app.domain.errors import Conflict, InvalidValue, SelfRoleChange
from app.domain.families import require_text
from app.domain.family_help import Candidate, normalise_registration_number
from app.domain.security_events import AccessChange, SecurityEventKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

LEAD_CAPABLE_ROLES = frozenset({Role.PRACTITIONER})
"""Only practitioners lead episodes (the seeds' lead professional, 004:1177)."""


@dataclass
class Practitioner:
    id: uuid.UUID
    name: str
    email: str
    agency_code: str
    roles: frozenset[Role]
    hub_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    active: bool = True
    version: int = 1
    profession: str | None = None
    """What they are by training (health visitor, family support worker, social worker ...): a
    lead practitioner may come from any discipline (families-first.md §3.2 item 7)."""
    registered_social_worker: bool = False
    """Registered with Social Work England: what s.17 oversight and child protection leads need."""
    social_work_registration_number: str | None = None

    @property
    def can_lead(self) -> bool:
        return self.active and bool(self.roles & LEAD_CAPABLE_ROLES)

    def as_candidate(self) -> Candidate:
        """What the Family Help allocation rules need to know about them."""
        return Candidate(
            practitioner_id=self.id,
            active=self.active,
            can_lead=self.can_lead,
            registered_social_worker=self.registered_social_worker,
        )

    def as_principal(self) -> Principal:
        return Principal(
            practitioner_id=self.id,
            agency_code=self.agency_code,
            roles=self.roles,
            hub_ids=self.hub_ids,
            active=self.active,
        )


def validate_practitioner(practitioner: Practitioner) -> Practitioner:
    """Name and email present and plausible; at least one role; a link worker covers at least one hub."""
    practitioner.name = require_text(practitioner.name, "name", what="The name")
    email = practitioner.email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidValue("This is not an email address.", field="email", code="email_format")
    practitioner.email = email
    practitioner.profession = _optional_text(practitioner.profession)
    practitioner.social_work_registration_number = normalise_registration_number(
        practitioner.social_work_registration_number,
        registered=practitioner.registered_social_worker,
    )
    if not practitioner.roles:
        raise InvalidValue(
            "Give the practitioner at least one role.",
            field="roles",
            code="practitioner_roles_required",
        )
    if Role.LINK_WORKER in practitioner.roles and not practitioner.hub_ids:
        raise InvalidValue(
            "A link worker covers at least one hub.",
            field="hub_ids",
            code="link_worker_hubs_required",
        )
    return practitioner


def _optional_text(text: str | None) -> str | None:
    return (text.strip() or None) if text is not None else None


def check_references(
    practitioner: Practitioner,
    *,
    active_agency_codes: Collection[str],
    active_hub_ids: Collection[uuid.UUID],
) -> None:
    """A practitioner belongs to an agency and works in hubs that are still in use."""
    if practitioner.agency_code not in active_agency_codes:
        raise InvalidValue(
            "There is no active agency with this code.", field="agency_code", code="agency_unknown"
        )
    if any(hub_id not in active_hub_ids for hub_id in practitioner.hub_ids):
        raise InvalidValue(
            "There is no active family hub with this id.", field="hub_ids", code="hub_unknown"
        )


def refuse_taken_email(practitioner: Practitioner, holder: Practitioner | None) -> None:
    """One directory entry per email: it is the identity a sign-in token names.

    `holder`: whoever already has the email, if anyone (the practitioner themselves is no clash).
    """
    if holder is not None and holder.id != practitioner.id:
        raise Conflict(
            "A practitioner with this email is already registered.",
            field="email",
            code="practitioner_email_taken",
        )


def refuse_own_access_change(
    actor_id: uuid.UUID, before: Practitioner, after: Practitioner
) -> None:
    """Nobody changes their own roles or active flag; another admin must.

    Otherwise one account could raise itself: an admin who made themselves a manager would read
    every case. Their name, email and the rest they may still change.
    """
    if actor_id != before.id:
        return
    if after.roles != before.roles:
        raise SelfRoleChange(
            "You cannot change your own roles: ask another admin to do it.",
            field="roles",
            code="own_roles_change",
        )
    if after.active != before.active:
        raise SelfRoleChange(
            "You cannot deactivate or reactivate yourself: ask another admin to do it.",
            field="active",
            code="own_active_change",
        )


def access_changes(before: Practitioner | None, after: Practitioner) -> list[AccessChange]:
    """What registering (`before` None) or updating a practitioner changes in their access: each
    role granted, each role revoked, and the active flag, in a stable order."""
    held = before.roles if before is not None else frozenset()
    changes = [
        AccessChange(SecurityEventKind.GRANT_ROLE, after.id, role)
        for role in sorted(after.roles - held)
    ]
    changes += [
        AccessChange(SecurityEventKind.REVOKE_ROLE, after.id, role)
        for role in sorted(held - after.roles)
    ]
    if before is not None and before.active != after.active:
        kind = SecurityEventKind.REACTIVATE if after.active else SecurityEventKind.DEACTIVATE
        changes.append(AccessChange(kind, after.id))
    return changes
