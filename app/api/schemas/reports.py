"""Shapes of the reports: aggregates with hub ids and codes only, never names of people or notes."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.api.schemas.base import ReadSchema
from app.domain.claims_progress import ClaimsProgress
from app.domain.measures import MEASURES, QUARTERLY_MEASURES, Measure
from app.services.measures import (
    FIGURE_COLUMNS,
    EarlyHelpMeasures,
    QuarterlyProgress,
    ScopeMeasures,
)

CSV_DESCRIPTION = (
    "Send `Accept: text/csv` for a flat table streamed as CSV, one row per figure, with the "
    "stable columns `scope,measure,dimension,group,value`: scope is `all` or a hub code; "
    "measure, dimension and group are the JSON keys leading to the number (empty when the number "
    "sits higher up); value is empty when there is nothing to divide or take the middle of."
)

CSV_HEADER = ",".join(FIGURE_COLUMNS)


def csv_response(example_rows: list[str]) -> dict[int | str, dict[str, object]]:
    """The OpenAPI `responses=` entry documenting the CSV alternative of a report."""
    return {
        200: {
            "description": "The report (JSON, or CSV with `Accept: text/csv`).",
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "\r\n".join([CSV_HEADER, *example_rows]) + "\r\n",
                }
            },
        }
    }


class MeasureDefinitionRead(ReadSchema):
    name: str
    definition: str
    source: str

    @classmethod
    def all(cls, measures: tuple[Measure, ...]) -> list[MeasureDefinitionRead]:
        return [cls(name=m.name, definition=m.definition, source=m.source) for m in measures]


class HubMeasuresRead(ReadSchema):
    hub_id: uuid.UUID
    hub_code: str
    hub_name: str
    measures: ScopeMeasures


class EarlyHelpMeasuresRead(ReadSchema):
    period_start: date
    period_end: date
    hub_id: uuid.UUID | None
    reentry_months: int
    timeliness_as_of: date = Field(
        description="The day the timeliness rates stand on: the day after the period, or today."
    )
    overall: ScopeMeasures = Field(description="The whole council, or the hub asked for.")
    hubs: list[HubMeasuresRead] = Field(description="Each hub, by code.")
    definitions: list[MeasureDefinitionRead]

    @classmethod
    def from_domain(cls, report: EarlyHelpMeasures) -> EarlyHelpMeasuresRead:
        return cls(
            period_start=report.period_start,
            period_end=report.period_end,
            hub_id=report.hub_id,
            reentry_months=report.reentry_months,
            timeliness_as_of=report.timeliness_as_of,
            overall=report.overall,
            hubs=[
                HubMeasuresRead(
                    hub_id=h.hub_id, hub_code=h.hub_code, hub_name=h.hub_name, measures=h.measures
                )
                for h in report.hubs
            ],
            definitions=MeasureDefinitionRead.all(MEASURES),
        )


class QuarterlyProgressRead(ReadSchema):
    quarter_start: date
    quarter_end: date
    hub_id: uuid.UUID | None
    scope: str = Field(description="`all`, or the code of the hub asked for.")
    families_attached: int
    families_open_at_quarter_end: int
    families_closed_in_quarter: int
    needs_at_attachment: dict[str, int] = Field(description="Families, by need headline.")
    emerging_needs: dict[str, int] = Field(description="Families, by need headline.")
    outcomes_achieved: dict[str, int] = Field(description="Needs achieved, by headline.")
    claims: ClaimsProgress = Field(
        description="The Supporting Families claims lines (rule book §5.2): families claimable "
        "(passed C1-C5), claims by the state they reached in the quarter, and the value claimed. "
        "Earned Autonomy councils get the same lines with no claims."
    )
    definitions: list[MeasureDefinitionRead]

    @classmethod
    def from_domain(cls, report: QuarterlyProgress) -> QuarterlyProgressRead:
        return cls(
            quarter_start=report.quarter_start,
            quarter_end=report.quarter_end,
            hub_id=report.hub_id,
            scope=report.scope,
            families_attached=report.families_attached,
            families_open_at_quarter_end=report.families_open_at_quarter_end,
            families_closed_in_quarter=report.families_closed_in_quarter,
            needs_at_attachment=report.needs_at_attachment,
            emerging_needs=report.emerging_needs,
            outcomes_achieved=report.outcomes_achieved,
            claims=report.claims,
            definitions=MeasureDefinitionRead.all(QUARTERLY_MEASURES),
        )
