"""Shapes of the overdue list, the timeliness summary and the timeliness policy versions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from app.api.schemas.base import CaseDate, ReadSchema, Schema
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
    deadline_id: uuid.UUID
    episode_id: uuid.UUID
    family_id: uuid.UUID
    family_reference: str
    hub_id: uuid.UUID
    hub_code: str
    lead_practitioner_id: uuid.UUID
    lead_name: str
    level_of_need: str
    stage: EpisodeStage = Field(description="The episode's current stage.")
    kind: DeadlineKind
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


class KindCountsRead(ReadSchema):
    kind: DeadlineKind
    overdue: int
    due_soon: int

    @classmethod
    def from_domain(cls, counts: KindCounts) -> KindCountsRead:
        return cls(kind=counts.kind, overdue=counts.overdue, due_soon=counts.due_soon)


class HubCountsRead(ReadSchema):
    hub_id: uuid.UUID
    hub_code: str
    hub_name: str
    overdue: int
    due_soon: int
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
    lead_practitioner_id: uuid.UUID
    lead_name: str
    overdue: int
    due_soon: int
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
    kind: DeadlineKind
    due: int = Field(description="Met by as_of, or unmet, not stopped and past due on as_of.")
    met_on_time: int = Field(description="Met on or before the due date.")
    met_late: int
    overdue_unmet: int
    share_on_time: float | None = Field(
        ge=0, le=1, description="met_on_time / due; null when nothing was due."
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
        )


class TimelinessSummaryRead(ReadSchema):
    as_of: date
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
        )


# --- policy versions: the same keys as TimelinessPolicy.to_dict() / from_dict() ------------------

_DAYS = f"Days after day 0 (1 to {MAX_RULE_DAYS})."


class DayCountRuleBody(Schema):
    days: StrictInt = Field(description=_DAYS)
    basis: DayBasis = Field(description="working_days or calendar_days.")
    enabled: StrictBool = Field(
        default=True, description="Only the quality assurance turnaround may be switched off."
    )


class ReviewWindowBody(Schema):
    earliest_days: StrictInt = Field(description="The review window opens on this day.")
    latest_days: StrictInt = Field(description="The last day a review is on time.")
    basis: DayBasis


class PolicyValues(Schema):
    effective_from: CaseDate = Field(description="Clocks starting on or after this day use it.")
    assessment: DayCountRuleBody
    first_taf: DayCountRuleBody
    quality_assurance: DayCountRuleBody
    review: ReviewWindowBody
    first_taf_clock_start: FirstTafClockStart
    due_soon_days: StrictInt = Field(
        description="Due soon from this many days before the due date."
    )


class PolicyVersionCreate(PolicyValues):
    """A new version of the practice standards; its number is assigned by the service."""

    reason: Reason = Field(description="Why the standards change, for the record.")

    def to_domain(self) -> TimelinessPolicy:
        # Version 1 is a placeholder: the service numbers the version above every other.
        document: dict[str, Any] = self.model_dump(mode="json", exclude={"reason"})
        return TimelinessPolicy.from_dict({**document, "version": 1})


class DayCountRuleRead(ReadSchema):
    days: int
    basis: DayBasis
    enabled: bool


class ReviewWindowRead(ReadSchema):
    earliest_days: int
    latest_days: int
    basis: DayBasis


class PolicyVersionRead(ReadSchema):
    version: int
    effective_from: date
    assessment: DayCountRuleRead
    first_taf: DayCountRuleRead
    quality_assurance: DayCountRuleRead
    review: ReviewWindowRead
    first_taf_clock_start: FirstTafClockStart
    due_soon_days: int
    in_force: bool = Field(description="Whether this is the version in force today.")

    @classmethod
    def from_domain(cls, policy: TimelinessPolicy, *, in_force: bool) -> PolicyVersionRead:
        return cls.model_validate({**policy.to_dict(), "in_force": in_force})


class PolicyVersionsRead(ReadSchema):
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
