"""Shapes of the reports: aggregates with hub ids and codes only, never names of people or notes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import ReadSchema
from app.domain.claims_progress import ClaimsProgress
from app.domain.measures import MEASURES, QUARTERLY_MEASURES, Measure
from app.services.measures import FIGURE_COLUMNS, EarlyHelpMeasures, QuarterlyProgress

CSV_DESCRIPTION = (
    "Send `Accept: text/csv` for a flat table streamed as CSV, one row per figure, with the "
    "stable columns `scope,measure,dimension,group,value`: scope is `all` or a hub code; "
    "measure, dimension and group are the JSON keys leading to the number (empty when the number "
    "sits higher up); value is empty when there is nothing to divide or take the middle of."
)

CSV_HEADER = ",".join(FIGURE_COLUMNS)


def csv_response(
    example_rows: list[str],
    header: str = CSV_HEADER,
    description: str = "The report as JSON, or as CSV with `Accept: text/csv`.",
) -> dict[int | str, dict[str, object]]:
    """The OpenAPI `responses=` entry of a report's CSV alternative: `text/csv` typed as a
    string, beside the JSON model (`Accept` chooses)."""
    return {
        200: {
            "description": description,
            "content": {
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "RFC 4180 CSV with a header row, UTF-8, CRLF line ends.",
                    },
                    "example": "\r\n".join([header, *example_rows]) + "\r\n",
                }
            },
        }
    }


class MeasureDefinitionRead(ReadSchema):
    """What a measure counts, and where the definition comes from."""

    name: str = Field(description="The measure's key in the report.")
    definition: str = Field(description="What it counts, in words.")
    source: str = Field(description="The guidance the definition comes from.")

    @classmethod
    def all(cls, measures: tuple[Measure, ...]) -> list[MeasureDefinitionRead]:
        return [cls(name=m.name, definition=m.definition, source=m.source) for m in measures]


class NewEpisodesRead(ReadSchema):
    """Episodes requested in the period."""

    total: int = Field(description="Episodes requested.")
    by_source: dict[str, int] = Field(description="Episodes by request source (RequestSource).")


class ClosuresRead(ReadSchema):
    """Episodes closed in the period and how they ended."""

    total: int = Field(description="Episodes closed.")
    by_reason: dict[str, int] = Field(description="Closures by reason (ClosureReason).")
    all_needs_met: int = Field(description="Closed with all needs met.")
    all_needs_met_share: float | None = Field(
        description="all_needs_met / total; null when nothing closed."
    )
    all_recorded_needs_achieved: int = Field(
        description="Closed with every recorded Supporting Families need achieved."
    )
    all_recorded_needs_achieved_share: float | None = Field(
        description="all_recorded_needs_achieved / total; null when nothing closed."
    )
    family_life_improved: dict[str, int] = Field(
        description="Closures by the family's answer: yes, partly, no (and not_asked)."
    )


class StepDownsRead(ReadSchema):
    """Movement between early help and other services."""

    from_social_care: int = Field(description="Episodes opened as a step-down from social care.")
    to_universal: int = Field(description="Episodes closed as a step-down to universal services.")


class ReentriesRead(ReadSchema):
    """Families coming back soon after an earlier episode ended."""

    total: int = Field(description="New episodes within the re-entry window of an earlier one.")
    share_of_new_episodes: float | None = Field(
        description="total / new episodes; null when none were requested."
    )


class LengthOfSupportRead(ReadSchema):
    """How long closed episodes lasted, in days from request to closure."""

    closures: int = Field(description="Closed episodes measured.")
    median: float | None = Field(description="Median days; null when none closed.")
    mean: float | None = Field(description="Mean days; null when none closed.")


class KindTimelinessRead(ReadSchema):
    """On-time rate of one kind of deadline."""

    due: int = Field(description="Deadlines due in the period.")
    met_on_time: int = Field(description="Met on or before the due date.")
    met_late: int = Field(description="Met after the due date.")
    overdue_unmet: int = Field(description="Not met and past due.")
    share_on_time: float | None = Field(description="met_on_time / due; null when none were due.")


class ReachRead(ReadSchema):
    """The children reached, by monitoring group."""

    children: int = Field(description="Children in episodes open in the period.")
    age_band: dict[str, int] = Field(
        description="Children by age band (unborn, 0-4 ... 19-25 SEND)."
    )
    sex: dict[str, int] = Field(description="Children by recorded sex.")
    ethnicity: dict[str, int] = Field(description="Children by recorded ethnicity.")
    send: dict[str, int] = Field(description="Children with and without SEND (yes, no).")


class FrontDoorRead(ReadSchema):
    """The front door's measures: requests for support received in the period."""

    requests: int = Field(description="Requests for support received.")
    by_outcome: dict[str, int] = Field(
        description="By screening outcome (ScreeningOutcome), and awaiting_decision."
    )
    without_prior_early_help: int = Field(
        description="Requests for households with no earlier offer of early help (an episode)."
    )
    without_prior_early_help_share: float | None = Field(
        description="Their share of the requests (null with none)."
    )
    known_families_asked_to_assess: int = Field(
        description="Requests screened to early help or attached to an open episode, for "
        "households services already knew (an earlier episode or request)."
    )
    known_families_asked_to_assess_share: float | None = Field(
        description="Their share of the requests (null with none)."
    )
    repeat_requests: int = Field(
        description="Repeat referrals: households with an earlier request for support."
    )
    repeat_request_share: float | None = Field(
        description="The re-referral rate: their share of the requests (null with none)."
    )


class ScopeMeasuresRead(ReadSchema):
    """Every dashboard measure for one scope: the whole council (or the hub asked for), or a hub."""

    families_with_assessment_or_plan: int = Field(
        description="Families with an assessment or plan in progress in the period."
    )
    new_episodes: NewEpisodesRead = Field(description="Episodes requested.")
    closures: ClosuresRead = Field(description="Episodes closed.")
    step_ups: int = Field(description="Episodes closed as a step-up to social care.")
    step_downs: StepDownsRead = Field(description="Step-downs in and out.")
    reentries: ReentriesRead = Field(description="Re-entries within the window.")
    length_of_support_days: LengthOfSupportRead = Field(description="Length of support, in days.")
    timeliness: dict[str, KindTimelinessRead] = Field(
        description="On-time rates by kind of deadline (DeadlineKind)."
    )
    reach: ReachRead = Field(description="Children reached.")
    front_door: FrontDoorRead = Field(description="Requests for support at the front door.")


class HubMeasuresRead(ReadSchema):
    """The measures of one family hub."""

    hub_id: uuid.UUID = Field(description="The hub's id.")
    hub_code: str = Field(description="The hub's code.")
    hub_name: str = Field(description="The hub's name.")
    measures: ScopeMeasuresRead = Field(description="Its measures.")


SCOPE_EXAMPLE: dict[str, Any] = {
    "families_with_assessment_or_plan": 12,
    "new_episodes": {"total": 9, "by_source": {"school": 4, "health_visitor": 3, "gp": 2}},
    "closures": {
        "total": 5,
        "by_reason": {"all_needs_met": 3, "moved_away": 1, "disengaged": 1},
        "all_needs_met": 3,
        "all_needs_met_share": 0.6,
        "all_recorded_needs_achieved": 2,
        "all_recorded_needs_achieved_share": 0.4,
        "family_life_improved": {"yes": 3, "partly": 1, "no": 0, "not_asked": 1},
    },
    "step_ups": 1,
    "step_downs": {"from_social_care": 2, "to_universal": 1},
    "reentries": {"total": 1, "share_of_new_episodes": 0.1111},
    "length_of_support_days": {"closures": 5, "median": 84.5, "mean": 91.2},
    "timeliness": {
        "assessment": {
            "due": 8,
            "met_on_time": 6,
            "met_late": 1,
            "overdue_unmet": 1,
            "share_on_time": 0.75,
        }
    },
    "reach": {
        "children": 17,
        "age_band": {"0-4": 5, "5-10": 8, "11-15": 4},
        "sex": {"female": 9, "male": 8},
        "ethnicity": {"WBRI": 14, "MIXD": 3},
        "send": {"yes": 4, "no": 13},
    },
    "front_door": {
        "requests": 20,
        "by_outcome": {
            "no_further_action": 3,
            "signpost": 5,
            "early_help": 8,
            "step_up": 1,
            "already_open": 2,
            "awaiting_decision": 1,
        },
        "without_prior_early_help": 14,
        "without_prior_early_help_share": 0.7,
        "known_families_asked_to_assess": 4,
        "known_families_asked_to_assess_share": 0.2,
        "repeat_requests": 5,
        "repeat_request_share": 0.25,
    },
}


class EarlyHelpMeasuresRead(ReadSchema):
    """The early help dashboard measures over a period, overall and per hub."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "period_start": "2026-01-01",
                "period_end": "2026-03-31",
                "hub_id": None,
                "reentry_months": 12,
                "timeliness_as_of": "2026-04-01",
                "known_at": None,
                "entered_after_period": 0,
                "overall": SCOPE_EXAMPLE,
                "hubs": [
                    {
                        "hub_id": ex.HUB_NORTH,
                        "hub_code": "NORTH",
                        "hub_name": "North Blackpool Family Hub",
                        "measures": SCOPE_EXAMPLE,
                    }
                ],
                "definitions": [
                    {
                        "name": "step_ups",
                        "definition": "Episodes closed as stepped up to children's social care.",
                        "source": "Early help system guide, 2025",
                    }
                ],
            }
        )
    )

    period_start: date = Field(description="First day of the period (inclusive).")
    period_end: date = Field(description="Last day of the period (inclusive).")
    hub_id: uuid.UUID | None = Field(description="The hub asked for; null for the whole council.")
    reentry_months: int = Field(description="The re-entry window, in months.")
    timeliness_as_of: date = Field(
        description="The day the timeliness rates stand on: the day after the period, or today."
    )
    overall: ScopeMeasuresRead = Field(description="The whole council, or the hub asked for.")
    hubs: list[HubMeasuresRead] = Field(description="Each hub, by code.")
    definitions: list[MeasureDefinitionRead] = Field(description="What each measure counts.")
    known_at: datetime | None = Field(
        description="The instant the figures are as known at; null: everything recorded so far."
    )
    entered_after_period: int = Field(
        description="How many records behind the overall figures were entered after the period "
        "ended: episodes requested, closures, outcomes achieved, families assessed or planned, "
        "requests received and their decisions, and clocks."
    )

    @classmethod
    def from_domain(cls, report: EarlyHelpMeasures) -> EarlyHelpMeasuresRead:
        return cls(
            period_start=report.period_start,
            period_end=report.period_end,
            hub_id=report.hub_id,
            reentry_months=report.reentry_months,
            timeliness_as_of=report.timeliness_as_of,
            overall=ScopeMeasuresRead.model_validate(report.overall),
            hubs=[
                HubMeasuresRead(
                    hub_id=h.hub_id,
                    hub_code=h.hub_code,
                    hub_name=h.hub_name,
                    measures=ScopeMeasuresRead.model_validate(h.measures),
                )
                for h in report.hubs
            ],
            definitions=MeasureDefinitionRead.all(MEASURES),
            known_at=report.known_at,
            entered_after_period=report.entered_after_period,
        )


class ClaimsProgressRead(ReadSchema):
    """The claims lines of the quarterly return (rule book §5.2)."""

    families_newly_claimable: int = Field(
        description="Families that passed C1-C5 by the quarter's last day but not the day before "
        "it began."
    )
    families_claimable_unclaimed: int = Field(
        description="Families passing C1-C5 on the last day with no claim in progress or made."
    )
    claims_by_state: dict[str, int] = Field(
        description="Claims that entered each state (ClaimState) in the quarter; every state listed."
    )
    value_submitted_pence: int = Field(description="Unit values of the claims submitted, in pence.")
    value_clawed_back_pence: int = Field(
        description="Unit values of the claims clawed back, in pence."
    )


class QuarterlyProgressRead(ReadSchema):
    """Supporting Families quarterly progress: families attached, open and closed; needs, outcomes."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "quarter_start": "2026-01-01",
                "quarter_end": "2026-03-31",
                "hub_id": None,
                "scope": "all",
                "families_attached": 40,
                "families_open_at_quarter_end": 28,
                "families_closed_in_quarter": 9,
                "needs_at_attachment": {"EDU": 12, "HEALTH": 9},
                "emerging_needs": {"CRIME": 1},
                "outcomes_achieved": {"EDU": 5},
                "claims": {
                    "families_newly_claimable": 3,
                    "families_claimable_unclaimed": 2,
                    "claims_by_state": {
                        "draft": 2,
                        "ready": 0,
                        "internal_audit": 2,
                        "approved": 1,
                        "rejected": 0,
                        "submitted": 1,
                        "paid": 0,
                        "clawed_back": 0,
                    },
                    "value_submitted_pence": 80000,
                    "value_clawed_back_pence": 0,
                },
                "known_at": "2026-04-10T09:00:00Z",
                "entered_after_period": 4,
                "definitions": [
                    {
                        "name": "families_attached",
                        "definition": "Families whose episode was requested in the quarter.",
                        "source": "Supporting Families rule book 2025, §5.2",
                    }
                ],
            }
        )
    )

    quarter_start: date = Field(description="The quarter's first day.")
    quarter_end: date = Field(description="The quarter's last day.")
    hub_id: uuid.UUID | None = Field(description="The hub asked for; null for the whole council.")
    scope: str = Field(description="`all`, or the code of the hub asked for.")
    families_attached: int = Field(description="Families attached to the programme in the quarter.")
    families_open_at_quarter_end: int = Field(
        description="Families with an open episode at its end."
    )
    families_closed_in_quarter: int = Field(description="Families whose episode closed in it.")
    needs_at_attachment: dict[str, int] = Field(description="Families, by need headline.")
    emerging_needs: dict[str, int] = Field(description="Families, by need headline.")
    outcomes_achieved: dict[str, int] = Field(description="Needs achieved, by headline.")
    claims: ClaimsProgressRead = Field(
        description="The Supporting Families claims lines (rule book §5.2): families claimable "
        "(passed C1-C5), claims by the state they reached in the quarter, and the value claimed. "
        "Earned Autonomy councils get the same lines with no claims."
    )
    definitions: list[MeasureDefinitionRead] = Field(description="What each line counts.")
    known_at: datetime | None = Field(
        description="The instant the figures are as known at; null: everything recorded so far."
    )
    entered_after_period: int = Field(
        description="How many records behind the figures were entered after the quarter ended: "
        "episodes requested or closed, needs, outcomes achieved, and the parts of the records "
        "the claims lines judge (closures, household changes, assessments, plans, support, "
        "needs, outcomes and sustainment checks)."
    )

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
            claims=_claims(report.claims),
            definitions=MeasureDefinitionRead.all(QUARTERLY_MEASURES),
            known_at=report.known_at,
            entered_after_period=report.entered_after_period,
        )


def _claims(progress: ClaimsProgress) -> ClaimsProgressRead:
    return ClaimsProgressRead.model_validate(progress)
