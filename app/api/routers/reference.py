"""Reference data a front end needs to fill its pick lists."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import UowDep
from app.api.schemas.reference import AgencyRead, HubRead
from app.services import reference as service

router = APIRouter(prefix="/api/v1", tags=["reference"])


@router.get("/hubs", response_model=list[HubRead], operation_id="listHubs")
def list_hubs(uow: UowDep) -> list[HubRead]:
    """The council's active family hubs, by code."""
    return [HubRead.model_validate(h) for h in service.list_hubs(uow)]


@router.get("/agencies", response_model=list[AgencyRead], operation_id="listAgencies")
def list_agencies(uow: UowDep) -> list[AgencyRead]:
    """The agencies that can be named in consent to share and in the Team Around the Family."""
    return [AgencyRead.model_validate(a) for a in service.list_agencies(uow)]
