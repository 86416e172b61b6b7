"""Shapes of the practitioner directory."""

from __future__ import annotations

import uuid

from pydantic import EmailStr, Field

from app.api.schemas.base import Code, ReadSchema, Schema, ShortText
from app.domain.access import Role
from app.domain.practitioners import Practitioner


class PractitionerCreate(Schema):
    name: ShortText
    email: EmailStr = Field(description="Also the identity their sign-in token names.")
    agency_code: Code = Field(description="Their agency (see GET /api/v1/agencies).")
    roles: list[Role] = Field(min_length=1, max_length=7)
    hub_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Hubs they work in or cover."
    )
    active: bool = True

    def to_domain(self) -> Practitioner:
        return Practitioner(
            id=uuid.uuid4(),
            name=self.name,
            email=str(self.email),
            agency_code=self.agency_code,
            roles=frozenset(self.roles),
            hub_ids=frozenset(self.hub_ids),
            active=self.active,
        )


class PractitionerUpdate(Schema):
    """Only the fields sent change; deactivate rather than delete, so history keeps its names."""

    name: ShortText | None = None
    email: EmailStr | None = None
    agency_code: Code | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=7)
    hub_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    active: bool | None = None

    def changes(self) -> dict[str, object]:
        sent = self.model_dump(exclude_unset=True)
        for key in ("name", "email", "agency_code", "active"):
            if key in sent and sent[key] is None:
                del sent[key]
        if "roles" in sent:
            sent["roles"] = frozenset(self.roles or ())
        if "hub_ids" in sent:
            sent["hub_ids"] = frozenset(self.hub_ids or ())
        if "email" in sent:
            sent["email"] = str(sent["email"])
        return sent


class PractitionerRead(ReadSchema):
    id: uuid.UUID
    name: str
    email: str
    agency_code: str
    roles: list[Role]
    hub_ids: list[uuid.UUID]
    active: bool
    version: int

    @classmethod
    def from_domain(cls, p: Practitioner) -> PractitionerRead:
        return cls(
            id=p.id,
            name=p.name,
            email=p.email,
            agency_code=p.agency_code,
            roles=sorted(p.roles),
            hub_ids=sorted(p.hub_ids),
            active=p.active,
            version=p.version,
        )
