"""The practitioner directory: the people from any agency who lead, join TAFs, assure or manage.

Families First asks for lead practitioners from any agency (shared/domain/families-first.md), so a
practitioner always belongs to an agency and may work across several hubs.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from app.domain.access import Principal, Role
from app.domain.errors import InvalidValue
from app.domain.families import require_text

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

    @property
    def can_lead(self) -> bool:
        return self.active and bool(self.roles & LEAD_CAPABLE_ROLES)

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
        raise InvalidValue("This is not an email address.", field="email")
    practitioner.email = email
    if not practitioner.roles:
        raise InvalidValue("Give the practitioner at least one role.", field="roles")
    if Role.LINK_WORKER in practitioner.roles and not practitioner.hub_ids:
        raise InvalidValue("A link worker covers at least one hub.", field="hub_ids")
    return practitioner
