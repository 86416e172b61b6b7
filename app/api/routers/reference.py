"""Reference data a front end needs to fill its pick lists."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.auth import PrincipalDep
from app.api.deps import SettingsDep, UowDep
from app.api.schemas.reference import AgencyRead, HubRead
from app.outcome_framework import headlines
from app.services import reference as service

router = APIRouter(prefix="/api/v1", tags=["reference"])


@router.get("/hubs", response_model=list[HubRead], operation_id="listHubs")
def list_hubs(uow: UowDep, _principal: PrincipalDep) -> list[HubRead]:
    """The council's active family hubs, by code."""
    return [HubRead.model_validate(h) for h in service.list_hubs(uow)]


@router.get("/agencies", response_model=list[AgencyRead], operation_id="listAgencies")
def list_agencies(uow: UowDep, _principal: PrincipalDep) -> list[AgencyRead]:
    """The agencies that can be named in consent to share and in the Team Around the Family."""
    return [AgencyRead.model_validate(a) for a in service.list_agencies(uow)]


class HeadlineRead(BaseModel):
    code: str
    name: str
    aliases: list[str]


@router.get(
    "/outcome-headlines", response_model=list[HeadlineRead], operation_id="listOutcomeHeadlines"
)
def list_headlines(_principal: PrincipalDep) -> list[HeadlineRead]:
    """The Supporting Families headline outcome areas that needs are tagged with."""
    return [HeadlineRead(code=h.code, name=h.name, aliases=list(h.aliases)) for h in headlines()]


class LevelRead(BaseModel):
    code: str
    label: str
    early_help: bool


@router.get("/levels-of-need", response_model=list[LevelRead], operation_id="listLevelsOfNeed")
def list_levels(settings: SettingsDep, _principal: PrincipalDep) -> list[LevelRead]:
    """The council's levels of need, and which ones early help works at."""
    return [
        LevelRead(code=code, label=label, early_help=code in settings.early_help_levels)
        for code, label in settings.levels_of_need.items()
    ]
