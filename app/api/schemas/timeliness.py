"""Shapes of the overdue list, the timeliness summary and the timeliness policy versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, PageOf, ReadSchema, Schema
from app.domain.calendar import DayBasis
from app.domain.episodes import EpisodeStage
from app.domain.timeliness import (
    MAX_RULE_DAYS,
    DeadlineKind,
    DeadlineStatus,
    FirstTafClockStart,
    PolicyHistory,
    TimelinessPolicy,
)
from app.services.timeliness import (
    HubCounts,
    KindCounts,
    KindRate,
    LeadCounts,
    OverdueItem,
    TimelinessSummary,
)

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

# --- the overdue list ----------------------------------------------------------------------------


class OverdueItemRead(ReadSchema):
    """A running clock overdue or due soon."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "deadline_id": ex.DEADLINE,
                "episode_id": ex.EPISODE,
                "family_id": ex.FAMILY,
                "family_reference": ex.FAMILY_REFERENCE,
                "hub_id": ex.HUB_NORTH,
                "hub_code": "NORTH",
                "lead_practitioner_id": ex.LEAD,
                "lead_name": "Priya Shah",
                "level_of_need": "2",
                "stage": "assessing",
                "kind": "assessment",
                "started_on": "2026-01-12",
                "due_on": "2026-02-20",
                "due_from": None,
                "policy_version": 1,
                "status": "overdue",
                "days_overdue": 10,
                "days_until_due": -10,
            }
        )
    )

    deadline_id: uuid.UUID = Field(description="The deadline's id.")
    episode_id: uuid.UUID = Field(description="The episode it belongs to.")
    family_id: uuid.UUID = Field(description="The episode's family.")
    family_reference: str = Field(description="The family's reference.")
    hub_id: uuid.UUID = Field(description="The hub leading the work.")
    hub_code: str = Field(description="That hub's code.")
    lead_practitioner_id: uuid.UUID = Field(description="The lead professional.")
    lead_name: str = Field(description="Their name.")
    level_of_need: str = Field(description="The episode's level of need.")
    stage: EpisodeStage = Field(description="The episode's current stage.")
    kind: DeadlineKind = Field(description="Which deadline.")
    started_on: date = Field(description="Day 0 of the clock.")
    due_on: date = Field(description="The last day that is on time.")
    due_from: date | None = Field(description="Reviews only: the day the review window opens.")
    policy_version: int = Field(description="The policy version in force when the clock started.")
    status: DeadlineStatus = Field(description="overdue or due_soon on as_of.")
    days_overdue: int = Field(description="Calendar days past the due date; 0 when due soon.")
    days_until_due: int | None = Field(
        description="Calendar days to the due date; negative when overdue."
    )

    @classmethod
    def from_item(cls, item: OverdueItem) -> OverdueItemRead:
        row, state = item.row, item.state
        return cls(
            deadline_id=row.deadline_id,
            episode_id=row.episode_id,
            family_id=row.family_id,
            family_reference=row.family_reference,
            hub_id=row.hub_id,
            hub_code=row.hub_code,
            lead_practitioner_id=row.lead_practitioner_id,
            lead_name=row.lead_name,
            level_of_need=row.level_of_need,
            stage=row.stage,
            kind=row.kind,
            started_on=row.started_on,
            due_on=row.due_on,
            due_from=row.due_from,
            policy_version=row.policy_version,
            status=state.status,
            days_overdue=state.days_overdue,
            days_until_due=state.days_until_due,
        )


# --- the summary ---------------------------------------------------------------------------------


class OverduePage(PageOf[OverdueItemRead]):
    """One page of the overdue list."""


class KindCountsRead(ReadSchema):
    """Clocks overdue and due soon of one kind."""

    kind: DeadlineKind = Field(description="Which deadline.")
    overdue: int = Field(description="Running clocks past due.")
    due_soon: int = Field(description="Running clocks due soon.")

    @classmethod
    def from_domain(cls, counts: KindCounts) -> KindCountsRead:
        return cls(kind=counts.kind, overdue=counts.overdue, due_soon=counts.due_soon)


class HubCountsRead(ReadSchema):
    """One hub's clocks overdue and due soon."""

    hub_id: uuid.UUID = Field(description="The hub's id.")
    hub_code: str = Field(description="The hub's code.")
    hub_name: str = Field(description="The hub's name.")
    overdue: int = Field(description="Running clocks past due.")
    due_soon: int = Field(description="Running clocks due soon.")
    by_kind: list[KindCountsRead] = Field(description="Every kind of deadline, in process order.")

    @classmethod
    def from_domain(cls, counts: HubCounts) -> HubCountsRead:
        return cls(
            hub_id=counts.hub_id,
            hub_code=counts.hub_code,
            hub_name=counts.hub_name,
            overdue=counts.overdue,
            due_soon=counts.due_soon,
            by_kind=[KindCountsRead.from_domain(c) for c in counts.by_kind],
        )


class LeadCountsRead(ReadSchema):
    """One lead professional's clocks overdue and due soon."""

    lead_practitioner_id: uuid.UUID = Field(description="The lead professional.")
    lead_name: str = Field(description="Their name.")
    overdue: int = Field(description="Running clocks past due.")
    due_soon: int = Field(description="Running clocks due soon.")
    by_kind: list[KindCountsRead] = Field(description="Every kind of deadline, in process order.")

    @classmethod
    def from_domain(cls, counts: LeadCounts) -> LeadCountsRead:
        return cls(
            lead_practitioner_id=counts.lead_practitioner_id,
            lead_name=counts.lead_name,
            overdue=counts.overdue,
            due_soon=counts.due_soon,
            by_kind=[KindCountsRead.from_domain(c) for c in counts.by_kind],
        )


class KindRateRead(ReadSchema):
    """The on-time rate of one kind of deadline over the period."""

    kind: DeadlineKind = Field(description="Which deadline.")
    due: int = Field(description="Met by as_of, or unmet, not stopped and past due on as_of.")
    met_on_time: int = Field(description="Met on or before the due date.")
    met_late: int = Field(description="Met after the due date.")
    overdue_unmet: int = Field(description="Not met, and past due on as_of.")
    share_on_time: float | None = Field(
        ge=0, le=1, description="met_on_time / due; null when nothing was due."
    )
    entered_after_period: int = Field(
        description="Of `due`, the clocks whose start or end was recorded after the period "
        "ended (a figure reported at its end did not count them as they are counted here)."
    )

    @classmethod
    def from_domain(cls, rate: KindRate) -> KindRateRead:
        return cls(
            kind=rate.kind,
            due=rate.due,
            met_on_time=rate.met_on_time,
            met_late=rate.met_late,
            overdue_unmet=rate.overdue_unmet,
            share_on_time=rate.share_on_time,
            entered_after_period=rate.entered_late,
        )


class TimelinessSummaryRead(ReadSchema):
    """Overdue and due-soon counts per hub and lead on as_of, and on-time rates per kind."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "as_of": "2026-03-02",
                "period_start": "2025-12-02",
                "period_end": "2026-03-01",
                "hub_id": None,
                "hub_ids": None,
                "policy_version": 1,
                "due_soon_days": 5,
                "hubs": [
                    {
                        "hub_id": ex.HUB_NORTH,
                        "hub_code": "NORTH",
                        "hub_name": "North Blackpool Family Hub",
                        "overdue": 1,
                        "due_soon": 2,
                        "by_kind": [{"kind": "assessment", "overdue": 1, "due_soon": 2}],
                    }
                ],
                "leads": [
                    {
                        "lead_practitioner_id": ex.LEAD,
                        "lead_name": "Priya Shah",
                        "overdue": 1,
                        "due_soon": 0,
                        "by_kind": [{"kind": "assessment", "overdue": 1, "due_soon": 0}],
                    }
                ],
                "rates": [
                    {
                        "kind": "assessment",
                        "due": 8,
                        "met_on_time": 6,
                        "met_late": 1,
                        "overdue_unmet": 1,
                        "share_on_time": 0.75,
                        "entered_after_period": 1,
                    }
                ],
                "known_at": None,
                "entered_after_period": 1,
            }
        )
    )

    as_of: date = Field(description="The day the counts stand on.")
    period_start: date = Field(description="Rates cover deadlines due from this day ...")
    period_end: date = Field(description="... to this day, both included.")
    hub_id: uuid.UUID | None = Field(
        description="The one hub counted, when the summary covers exactly one; else null."
    )
    hub_ids: list[uuid.UUID] | None = Field(
        description="The hubs counted: the one asked for, or all of a link worker's hubs when"
        " none is asked for; null for the whole council (managers)."
    )
    policy_version: int = Field(description="The policy in force on as_of.")
    due_soon_days: int = Field(description="Its due-soon window, in calendar days.")
    hubs: list[HubCountsRead] = Field(description="Hubs with a clock overdue or due soon.")
    leads: list[LeadCountsRead] = Field(
        description="Lead professionals with a clock overdue or due soon."
    )
    rates: list[KindRateRead] = Field(description="Every kind of deadline, in process order.")
    known_at: datetime | None = Field(
        description="The instant the figures are as known at; null: everything recorded so far."
    )
    entered_after_period: int = Field(
        description="How many records behind the rates were entered after the period ended."
    )

    @classmethod
    def from_domain(cls, summary: TimelinessSummary) -> TimelinessSummaryRead:
        return cls(
            as_of=summary.as_of,
            period_start=summary.period_start,
            period_end=summary.period_end,
            hub_id=summary.hub_ids[0]
            if summary.hub_ids is not None and len(summary.hub_ids) == 1
            else None,
            hub_ids=summary.hub_ids,
            policy_version=summary.policy_version,
            due_soon_days=summary.due_soon_days,
            hubs=[HubCountsRead.from_domain(h) for h in summary.hubs],
            leads=[LeadCountsRead.from_domain(lead) for lead in summary.leads],
            rates=[KindRateRead.from_domain(r) for r in summary.rates],
            known_at=summary.known_at,
            entered_after_period=summary.entered_after_period,
        )


# --- policy versions: the same keys as TimelinessPolicy.to_dict() / from_dict() ------------------

_DAYS = f"Days after day 0 (1 to {MAX_RULE_DAYS})."


class DayCountRuleBody(Schema):
    """A deadline a number of days after its day 0."""

    days: StrictInt = Field(description=_DAYS)
    basis: DayBasis = Field(description="working_days or calendar_days.")
    enabled: StrictBool = Field(
        default=True, description="Only the quality assurance turnaround may be switched off."
    )


class ReviewWindowBody(Schema):
    """The window in which a review is on time."""

    earliest_days: StrictInt = Field(description="The review window opens on this day.")
    latest_days: StrictInt = Field(description="The last day a review is on time.")
    basis: DayBasis = Field(description="working_days or calendar_days.")


class PolicyValues(Schema):
    """The practice standards' values."""

    effective_from: CaseDate = Field(description="Clocks starting on or after this day use it.")
    assessment: DayCountRuleBody = Field(
        description="From consent to the completed assessment and plan sent for QA."
    )
    first_taf: DayCountRuleBody = Field(description="To the first TAF meeting.")
    quality_assurance: DayCountRuleBody = Field(description="QA's turnaround of a submitted plan.")
    review: ReviewWindowBody = Field(description="From one TAF meeting to the next review.")
    first_taf_clock_start: FirstTafClockStart = Field(
        description="What starts the first-TAF clock: plan approval or the first review."
    )
    due_soon_days: StrictInt = Field(
        description="Due soon from this many days before the due date."
    )
    no_contact_working_days: StrictInt = Field(
        default=20,
        description="An open episode with no contact with the family for this many working days"
        " is flagged on its lead's worklist.",
    )
    screening_decision: DayCountRuleBody = Field(
        default_factory=lambda: DayCountRuleBody(days=1, basis=DayBasis.WORKING),
        description="From receipt of a request for support to the front door's decision "
        "(1 working day unless set).",
    )


class PolicyVersionCreate(PolicyValues):
    """A new version of the practice standards; its number is assigned by the service."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "effective_from": "2026-04-01",
                "assessment": {"days": 35, "basis": "working_days"},
                "first_taf": {"days": 20, "basis": "working_days"},
                "quality_assurance": {"days": 5, "basis": "working_days", "enabled": True},
                "review": {"earliest_days": 42, "latest_days": 84, "basis": "calendar_days"},
                "first_taf_clock_start": "approval",
                "due_soon_days": 5,
                "screening_decision": {"days": 1, "basis": "working_days"},
                "reason": "Early help partnership board, March 2026",
            }
        )
    )

    reason: Reason = Field(description="Why the standards change, for the record.")

    def to_domain(self) -> TimelinessPolicy:
        # Version 1 is a placeholder: the service numbers the version above every other.
        document: dict[str, Any] = self.model_dump(mode="json", exclude={"reason"})
        return TimelinessPolicy.from_dict({**document, "version": 1})


class DayCountRuleRead(ReadSchema):
    """A deadline a number of days after its day 0."""

    days: int = Field(description="Days after day 0.")
    basis: DayBasis = Field(description="working_days or calendar_days.")
    enabled: bool = Field(description="Whether the deadline applies.")


class ReviewWindowRead(ReadSchema):
    """The window in which a review is on time."""

    earliest_days: int = Field(description="The window opens on this day.")
    latest_days: int = Field(description="The last day a review is on time.")
    basis: DayBasis = Field(description="working_days or calendar_days.")


POLICY_VERSION_READ = {
    "version": 2,
    "effective_from": "2026-04-01",
    "assessment": {"days": 35, "basis": "working_days", "enabled": True},
    "first_taf": {"days": 20, "basis": "working_days", "enabled": True},
    "quality_assurance": {"days": 5, "basis": "working_days", "enabled": True},
    "review": {"earliest_days": 42, "latest_days": 84, "basis": "calendar_days"},
    "first_taf_clock_start": "approval",
    "due_soon_days": 5,
    "no_contact_working_days": 20,
    "screening_decision": {"days": 1, "basis": "working_days", "enabled": True},
    "in_force": True,
}


class PolicyVersionRead(ReadSchema):
    """One version of the practice standards."""

    version: int = Field(description="Its number, from 1.")
    effective_from: date = Field(description="Clocks starting on or after this day use it.")
    assessment: DayCountRuleRead = Field(description="The assessment deadline.")
    first_taf: DayCountRuleRead = Field(description="The first TAF meeting deadline.")
    quality_assurance: DayCountRuleRead = Field(description="QA's turnaround.")
    review: ReviewWindowRead = Field(description="The review window.")
    first_taf_clock_start: FirstTafClockStart = Field(
        description="What starts the first-TAF clock."
    )
    due_soon_days: int = Field(description="Due soon from this many days before the due date.")
    no_contact_working_days: int = Field(
        description="Working days without contact before an open episode is flagged."
    )
    screening_decision: DayCountRuleRead = Field(
        description="The front door's decision on a request for support."
    )
    in_force: bool = Field(description="Whether this is the version in force today.")

    @classmethod
    def from_domain(cls, policy: TimelinessPolicy, *, in_force: bool) -> PolicyVersionRead:
        return cls.model_validate({**policy.to_dict(), "in_force": in_force})


class PolicyVersionsRead(ReadSchema):
    """Every version of the practice standards, and the one in force today."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"in_force_version": 2, "versions": [POLICY_VERSION_READ]})
    )

    in_force_version: int = Field(description="The version in force today.")
    versions: list[PolicyVersionRead] = Field(description="Every version, oldest first.")

    @classmethod
    def from_domain(cls, history: PolicyHistory, today: date) -> PolicyVersionsRead:
        in_force = history.in_force_on(today).version
        return cls(
            in_force_version=in_force,
            versions=[
                PolicyVersionRead.from_domain(p, in_force=p.version == in_force)
                for p in sorted(history.versions, key=lambda p: p.version)
            ],
        )
