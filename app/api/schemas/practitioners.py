"""Shapes of the practitioner directory."""

from __future__ import annotations

import uuid

from pydantic import ConfigDict, EmailStr, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import Code, PageOf, ReadSchema, Schema, ShortText
from app.domain.access import Role
from app.domain.practitioners import Practitioner


class PractitionerCreate(Schema):
    """A practitioner to add to the directory."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "name": "Grace Hughes",
                "email": "grace.hughes@stannes.familyhub.example",
                "agency_code": "SCHOOL_ST_ANNES",
                "roles": ["practitioner"],
                "hub_ids": [ex.HUB_NORTH],
            }
        )
    )

    name: ShortText = Field(description="Their name, as colleagues know it.")
    email: EmailStr = Field(description="Also the identity their sign-in token names.")
    agency_code: Code = Field(description="Their agency (see GET /api/v1/agencies).")
    roles: list[Role] = Field(min_length=1, max_length=7, description="What they may do.")
    hub_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Hubs they work in or cover."
    )
    active: bool = Field(default=True, description="Whether they may sign in; true by default.")
    profession: ShortText | None = Field(
        default=None, description="Their profession: a lead practitioner may come from any."
    )
    registered_social_worker: bool = Field(
        default=False, description="Registered with Social Work England."
    )
    social_work_registration_number: ShortText | None = Field(
        default=None, description="Their Social Work England number (SW and digits), if registered."
    )

    def to_domain(self) -> Practitioner:
        return Practitioner(
            id=uuid.uuid4(),
            name=self.name,
            email=str(self.email),
            agency_code=self.agency_code,
            roles=frozenset(self.roles),
            hub_ids=frozenset(self.hub_ids),
            active=self.active,
            profession=self.profession,
            registered_social_worker=self.registered_social_worker,
            social_work_registration_number=self.social_work_registration_number,
        )


class PractitionerUpdate(Schema):
    """Only the fields sent change; deactivate rather than delete, so history keeps its names."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"roles": ["practitioner", "link_worker"]})
    )

    name: ShortText | None = Field(default=None, description="Their name.")
    email: EmailStr | None = Field(default=None, description="Their email (sign-in identity).")
    agency_code: Code | None = Field(default=None, description="Their agency.")
    roles: list[Role] | None = Field(
        default=None, min_length=1, max_length=7, description="Every role they hold (replaces)."
    )
    hub_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="Every hub they cover (replaces)."
    )
    active: bool | None = Field(default=None, description="false to deactivate, true to restore.")
    profession: ShortText | None = Field(default=None, description="Their profession.")
    registered_social_worker: bool | None = Field(
        default=None, description="Registered with Social Work England."
    )
    social_work_registration_number: ShortText | None = Field(
        default=None, description="Their Social Work England number; null to remove it."
    )

    def changes(self) -> dict[str, object]:
        sent = self.model_dump(exclude_unset=True)
        for key in ("name", "email", "agency_code", "active", "registered_social_worker"):
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
    """A practitioner in the directory."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "id": ex.SCHOOL_WORKER,
                "name": "Grace Hughes",
                "email": "grace.hughes@stannes.familyhub.example",
                "agency_code": "SCHOOL_ST_ANNES",
                "roles": ["practitioner"],
                "hub_ids": [ex.HUB_NORTH],
                "active": True,
                "profession": "Family support worker",
                "registered_social_worker": False,
                "social_work_registration_number": None,
                "version": 1,
            }
        )
    )

    id: uuid.UUID = Field(description="Their id.")
    name: str = Field(description="Their name.")
    email: str = Field(description="Their email, the identity their sign-in token names.")
    agency_code: str = Field(description="Their agency.")
    roles: list[Role] = Field(description="What they may do.")
    hub_ids: list[uuid.UUID] = Field(description="Hubs they work in or cover.")
    active: bool = Field(description="Whether they may sign in.")
    profession: str | None = Field(description="Their profession, if recorded.")
    registered_social_worker: bool = Field(description="Registered with Social Work England.")
    social_work_registration_number: str | None = Field(
        description="Their Social Work England number, if recorded."
    )
    version: int = Field(description='Their record\'s version: its ETag is `"<version>"`.')

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
            profession=p.profession,
            registered_social_worker=p.registered_social_worker,
            social_work_registration_number=p.social_work_registration_number,
            version=p.version,
        )


class PractitionerPage(PageOf[PractitionerRead]):
    """One page of the directory."""
