"""Shapes for reference data."""

from __future__ import annotations

import uuid

from app.api.schemas.base import ReadSchema


class HubRead(ReadSchema):
    id: uuid.UUID
    code: str
    name: str
    neighbourhood: str | None


class AgencyRead(ReadSchema):
    code: str
    name: str
    kind: str
