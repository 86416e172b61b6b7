"""Shapes for reference data."""

from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import ReadSchema


class HubRead(ReadSchema):
    """A family hub."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "id": ex.HUB_NORTH,
                "code": "NORTH",
                "name": "North Blackpool Family Hub",
                "neighbourhood": "Bispham and Norbreck",
            }
        )
    )

    id: uuid.UUID = Field(description="The hub's id.")
    code: str = Field(description="Its short code.")
    name: str = Field(description="Its name.")
    neighbourhood: str | None = Field(description="The neighbourhood it serves.")


class AgencyRead(ReadSchema):
    """An agency that can be named in consent to share and in the TAF."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"code": "SCHOOL_ST_ANNES", "name": "St Anne's C of E Primary School", "kind": "school"}
        )
    )

    code: str = Field(description="Its code.")
    name: str = Field(description="Its name.")
    kind: str = Field(description="What kind of agency (school, health, police, council ...).")
