"""Reference data a front end needs to fill its pick lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from app.api.acting import acting
from app.api.deps import ClockDep, SettingsDep, UowDep
from app.api.labels import code_lists, enum_labels
from app.api.schemas import examples as ex
from app.api.schemas.reference import AgencyRead, HubRead
from app.domain.access import Action
from app.services import reference as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1", tags=["reference"])


@router.get("/hubs", response_model=list[HubRead], operation_id="listHubs")
def list_hubs(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.READ_REFERENCE_DATA)]
) -> list[HubRead]:
    """The council's active family hubs, by code."""
    return [HubRead.model_validate(h) for h in service.list_hubs(uow, clock, actor)]


@router.get("/agencies", response_model=list[AgencyRead], operation_id="listAgencies")
def list_agencies(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.READ_REFERENCE_DATA)]
) -> list[AgencyRead]:
    """The agencies that can be named in consent to share and in the Team Around the Family."""
    return [AgencyRead.model_validate(a) for a in service.list_agencies(uow, clock, actor)]


class HeadlineRead(BaseModel):
    """A Supporting Families headline outcome area."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"code": "EDU", "name": "Getting a good education", "aliases": ["education"]}
        )
    )

    code: str = Field(description="Its code, as needs are tagged with it.")
    name: str = Field(description="Its name.")
    aliases: list[str] = Field(description="Other codes that mean it (older frameworks).")


@router.get(
    "/outcome-headlines", response_model=list[HeadlineRead], operation_id="listOutcomeHeadlines"
)
def list_headlines(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.READ_REFERENCE_DATA)]
) -> list[HeadlineRead]:
    """The Supporting Families headline outcome areas that needs are tagged with."""
    return [
        HeadlineRead(code=h.code, name=h.name, aliases=list(h.aliases))
        for h in service.list_outcome_headlines(uow, clock, actor)
    ]


class LevelRead(BaseModel):
    """A level of need on the council's continuum."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"code": "2", "label": "Early help", "early_help": True})
    )

    code: str = Field(description="Its code, as episodes record it.")
    label: str = Field(description="Its name.")
    early_help: bool = Field(description="Whether early help works at this level.")


@router.get("/levels-of-need", response_model=list[LevelRead], operation_id="listLevelsOfNeed")
def list_levels(
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.READ_REFERENCE_DATA)],
) -> list[LevelRead]:
    """The council's levels of need, and which ones early help works at."""
    levels = service.list_levels_of_need(
        uow,
        clock,
        actor,
        levels=settings.levels_of_need,
        early_help_levels=settings.early_help_levels,
    )
    return [LevelRead(code=lv.code, label=lv.label, early_help=lv.early_help) for lv in levels]


class LabelRead(BaseModel):
    """A value as the API sends it, and the words to show for it."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"value": "plan_awaiting_qa", "label": "Plan awaiting quality assurance"}
        )
    )

    value: str = Field(description="The value, as requests send it and answers carry it.")
    label: str = Field(description="What to show a person for it.")


class LabelsRead(BaseModel):
    """Every closed set of values in the contract with its English labels, and code lists."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "enums": {
                    "EpisodeStage": [
                        {"value": "assessing", "label": "Being assessed"},
                        {
                            "value": "plan_awaiting_qa",
                            "label": "Plan awaiting quality assurance",
                        },
                    ]
                },
                "code_lists": {
                    "sex": [
                        {"value": "female", "label": "Female"},
                        {"value": "male", "label": "Male"},
                    ]
                },
            }
        )
    )

    enums: dict[str, list[LabelRead]] = Field(
        description="By the contract's schema name (EpisodeStage, ClosureReason ...): each value"
        " with its label, in the contract's order."
    )
    code_lists: dict[str, list[LabelRead]] = Field(
        description="Suggested values for free-text monitoring fields, from the ONS 2021 Census:"
        " `sex`, `gender` (gender identity) and `ethnicity` (the 19 ethnic groups)."
    )


@router.get("/labels", response_model=LabelsRead, operation_id="listLabels")
def list_labels(
    request: Request,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_REFERENCE_DATA)],
) -> LabelsRead:
    """English labels for every value the API can send, and the ONS code lists for sex, gender
    and ethnicity: what a front end shows instead of `plan_awaiting_qa`."""
    found = service.list_labels(
        uow,
        clock,
        actor,
        labels={"enums": enum_labels(request.app.openapi()), "code_lists": code_lists()},
    )
    return LabelsRead.model_validate(found)
