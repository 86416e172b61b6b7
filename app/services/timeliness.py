"""Use cases of timeliness: the overdue list, the summary for managers, the policy versions.

Managers see the council and link workers their own hubs (`app.domain.access.timeliness_hub_scope`).
Which clocks are overdue or due soon is decided only by `app.domain.timeliness.assess`, with the
due-soon window of the policy in force on the day asked about; the queries behind
`TimelinessQueries` only narrow the candidates. A new policy version never rewrites a stored
deadline: it applies to clocks that start on or after its effective date (house style 3.6).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from app.domain.access import Action, timeliness_hub_scope
from app.domain.episodes import EpisodeStage
from app.domain.errors import InvalidValue
from app.domain.families import require_text
from app.domain.paging import Page, PageRequest, encode_cursor
from app.domain.timeliness import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    PolicyHistory,
    TimelinessPolicy,
    assess,
    check_new_policy_effective,
    policy_for_report,
    summary_period,
)
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import Actor, IdempotentRequest, Replayed, UseCase, run_idempotent

FLAGGED = frozenset({DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON})
"""The statuses the overdue list and the summary counts show."""


# --- what the queries return ---------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    """A clock running on the day asked about, with the episode, family, hub and lead around it.

    Hub, lead, level of need and stage are the episode's current ones, not those of `as_of`.
    """

    deadline_id: uuid.UUID
    kind: DeadlineKind
    started_on: date
    due_from: date | None
    due_on: date
    met_on: date | None
    stopped_on: date | None
    policy_version: int
    episode_id: uuid.UUID
    family_id: uuid.UUID
    family_reference: str
    hub_id: uuid.UUID
    hub_code: str
    hub_name: str
    lead_practitioner_id: uuid.UUID
    lead_name: str
    level_of_need: str
    stage: EpisodeStage

    @property
    def deadline(self) -> Deadline:
        """The domain deadline, so its status comes from the rules and nowhere else."""
        return Deadline(
            kind=self.kind,
            started_on=self.started_on,
            due_on=self.due_on,
            due_from=self.due_from,
            policy_version=self.policy_version,
            met_on=self.met_on,
            stopped_on=self.stopped_on,
        )


@dataclass(frozen=True)
class KindRate:
    """How the deadlines of one kind due in a period ended, as they stood on `as_of`.

    Counted: those met by `as_of` (on time when met on or before the due date) and those still
    unmet, not stopped and past their due date. Clocks stopped unmet, and those not yet due,
    are left out.
    """

    kind: DeadlineKind
    met_on_time: int = 0
    met_late: int = 0
    overdue_unmet: int = 0
    entered_late: int = 0
    """Of those counted, the clocks whose start or end was recorded after the period ended: a
    figure reported at the period's end did not have them (issue 18 §2)."""

    @property
    def due(self) -> int:
        return self.met_on_time + self.met_late + self.overdue_unmet

    @property
    def share_on_time(self) -> float | None:
        """Met on time as a share of all that were due; None when nothing was due."""
        return self.met_on_time / self.due if self.due else None


@dataclass(frozen=True)
class SummaryFacts:
    """What the summary is built from: the running clocks due by the horizon, and the rates."""

    running: list[OverdueRow]
    rates: list[KindRate]


class TimelinessQueries(Protocol):
    """Read-only reporting queries over the stored deadlines (`SqlTimelinessQueries`)."""

    def overdue_candidates(
        self,
        *,
        as_of: date,
        horizon: date,
        hub_ids: frozenset[uuid.UUID] | None,
        lead_practitioner_id: uuid.UUID | None,
        kind: DeadlineKind | None,
        level_of_need: str | None,
        after: tuple[date, uuid.UUID] | None,
        limit: int,
    ) -> list[OverdueRow]: ...

    def summary(
        self,
        *,
        as_of: date,
        period_start: date,
        period_end: date,
        hub_ids: frozenset[uuid.UUID] | None,
        horizon: date | None = None,
        known_at: datetime | None = None,
        late_after: datetime | None = None,
    ) -> SummaryFacts: ...


class TimelinessUnitOfWork(UnitOfWork, Protocol):
    @property
    def timeliness(self) -> TimelinessQueries: ...


# --- the overdue list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueItem:
    """A running clock and where it stands on `as_of` (overdue or due soon)."""

    row: OverdueRow
    state: DeadlineState


def overdue(
    uow: TimelinessUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    as_of: date | None = None,
    hub_id: uuid.UUID | None = None,
    lead_practitioner_id: uuid.UUID | None = None,
    kind: DeadlineKind | None = None,
    level_of_need: str | None = None,
    page: PageRequest,
) -> Page[OverdueItem]:
    """Clocks overdue or due soon on `as_of` (today by default), most overdue first (due date,
    then deadline id), in the hubs the user watches."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_TIMELINESS, "timeliness")
        hubs = timeliness_hub_scope(uc.principal, hub_id)
        day = as_of or uc.today
        after = _decode_after(page.after)
        due_soon_days = policy_for_report(uow.policies.history(), day).due_soon_days
        rows = uow.timeliness.overdue_candidates(
            as_of=day,
            horizon=day + timedelta(days=due_soon_days),
            hub_ids=hubs,
            lead_practitioner_id=lead_practitioner_id,
            kind=kind,
            level_of_need=level_of_need,
            after=after,
            limit=page.limit + 1,
        )
        uc.commit()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    items = [
        OverdueItem(row=row, state=state)
        for row, state in _assessed(rows, day, due_soon_days)
        if state.status in FLAGGED
    ]
    # The cursor follows the last row read, not the last one kept, so paging never loops.
    cursor = encode_cursor((rows[-1].due_on.isoformat(), rows[-1].deadline_id)) if more else None
    return Page(items=items, next_cursor=cursor)


# --- the summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCounts:
    kind: DeadlineKind
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class HubCounts:
    hub_id: uuid.UUID
    hub_code: str
    hub_name: str
    by_kind: tuple[KindCounts, ...]

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.by_kind)

    @property
    def due_soon(self) -> int:
        return sum(c.due_soon for c in self.by_kind)


@dataclass(frozen=True)
class LeadCounts:
    lead_practitioner_id: uuid.UUID
    lead_name: str
    by_kind: tuple[KindCounts, ...]

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.by_kind)

    @property
    def due_soon(self) -> int:
        return sum(c.due_soon for c in self.by_kind)


@dataclass(frozen=True)
class TimelinessSummary:
    """Running clocks overdue or due soon per hub and per lead, and on-time rates per kind."""

    as_of: date
    period_start: date
    period_end: date
    hub_ids: list[uuid.UUID] | None
    """The hubs counted (None: the whole council)."""
    policy_version: int
    due_soon_days: int
    hubs: list[HubCounts]
    leads: list[LeadCounts]
    rates: list[KindRate]
    known_at: datetime | None = None
    """The instant the figures are as known at (None: everything recorded so far)."""

    @property
    def entered_after_period(self) -> int:
        """How many records behind the rates were entered after the period ended."""
        return sum(rate.entered_late for rate in self.rates)


def summary(
    uow: TimelinessUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    as_of: date | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    hub_id: uuid.UUID | None = None,
    known_at: datetime | None = None,
) -> TimelinessSummary:
    """Counts of overdue and due-soon clocks on `as_of` (today by default), and how deadlines
    due in a period ended, in the hubs the user watches; with `known_at`, as the records stood
    at that instant, so a past figure is reproduced exactly as it was reported."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_TIMELINESS, "timeliness")
        found = summarise(
            uow,
            as_of=as_of or uc.today,
            period_start=period_start,
            period_end=period_end,
            hub_ids=timeliness_hub_scope(uc.principal, hub_id),
            known_at=check_known_at(known_at, uc.now),
            zone=clock.zone,
        )
        uc.commit()
        return found


def summarise(
    uow: TimelinessUnitOfWork,
    *,
    as_of: date,
    period_start: date | None = None,
    period_end: date | None = None,
    hub_ids: frozenset[uuid.UUID] | None = None,
    known_at: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> TimelinessSummary:
    """The summary, inside the caller's use case (the summary's, or the dashboard's rates).

    With `zone`, each rate counts the records behind it entered after the period ended (after
    midnight at its end, in the council's zone)."""
    start, end = summary_period(as_of, period_start, period_end)
    policy = policy_for_report(uow.policies.history(), as_of)
    facts = uow.timeliness.summary(
        as_of=as_of,
        period_start=start,
        period_end=end,
        hub_ids=hub_ids,
        horizon=as_of + timedelta(days=policy.due_soon_days),
        known_at=known_at,
        late_after=None if zone is None else end_of_day(end, zone),
    )
    flagged = [
        (row, state)
        for row, state in _assessed(facts.running, as_of, policy.due_soon_days)
        if state.status in FLAGGED
    ]
    hub_names = {row.hub_id: (row.hub_code, row.hub_name) for row, _ in flagged}
    lead_names = {row.lead_practitioner_id: row.lead_name for row, _ in flagged}
    by_hub = _count_by(flagged, lambda row: row.hub_id)
    by_lead = _count_by(flagged, lambda row: row.lead_practitioner_id)
    hubs = sorted(
        (
            HubCounts(hub_id=i, hub_code=hub_names[i][0], hub_name=hub_names[i][1], by_kind=c)
            for i, c in by_hub.items()
        ),
        key=lambda h: (h.hub_code, str(h.hub_id)),
    )
    leads = sorted(
        (
            LeadCounts(lead_practitioner_id=i, lead_name=lead_names[i], by_kind=c)
            for i, c in by_lead.items()
        ),
        key=lambda lead: (lead.lead_name.casefold(), str(lead.lead_practitioner_id)),
    )
    found = {rate.kind: rate for rate in facts.rates}
    rates = [found.get(kind, KindRate(kind=kind)) for kind in DeadlineKind]
    return TimelinessSummary(
        as_of=as_of,
        period_start=start,
        period_end=end,
        hub_ids=None if hub_ids is None else sorted(hub_ids, key=str),
        policy_version=policy.version,
        due_soon_days=policy.due_soon_days,
        hubs=hubs,
        leads=leads,
        rates=rates,
        known_at=known_at,
    )


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant `day` ends in the council's zone (midnight after it), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def check_known_at(known_at: datetime | None, now: datetime) -> datetime | None:
    """A report as known at an instant: never a later one than now (issue 18 §2); an instant
    without its zone is refused, as it names no instant."""
    if known_at is None:
        return None
    if known_at.tzinfo is None:
        raise InvalidValue(
            "known_at must carry its time zone (for example 2026-04-01T00:00:00Z).",
            field="known_at",
            code="known_at_without_zone",
        )
    if known_at > now:
        raise InvalidValue(
            "known_at cannot be in the future: a report is reproduced as it was known, and "
            "nothing is known yet after now.",
            field="known_at",
            code="known_at_in_future",
        )
    return known_at


# --- policy versions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyVersions:
    history: PolicyHistory
    today: date
    """The day the versions were read on, to say which is in force."""


def current_policy(uow: UnitOfWork, clock: Clock, actor: Actor) -> PolicyVersions:
    """Every version of the practice standards, the seeds' defaults when none was configured.

    Everyone on the staff may read them (the directory's grant): they say when each clock on a
    worklist falls due. The reporting account reaches only the reports."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_DIRECTORY, "timeliness_policy")
        versions = PolicyVersions(uow.policies.history(), uc.today)
        uc.commit()
        return versions


def add_policy_version(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    policy: TimelinessPolicy,
    reason: str | None,
    *,
    idempotency: IdempotentRequest[PolicyVersions] | None = None,
) -> PolicyVersions | Replayed:
    """Add a version numbered above every other; it takes effect today or later, never earlier.

    The version number on `policy` is replaced. Clocks already started keep their stored due
    dates; the new rules apply to clocks that start on or after `effective_from`.
    """
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.MANAGE_POLICY, "timeliness_policy")
        return run_idempotent(uc, idempotency, lambda: _add_policy_version(uc, policy, reason))


def _add_policy_version(
    uc: UseCase, policy: TimelinessPolicy, reason: str | None
) -> PolicyVersions:
    why = require_text(reason, "reason", what="The reason for the change")
    check_new_policy_effective(policy, uc.today)
    history = uc.uow.policies.history()
    numbered = replace(policy, version=max(v.version for v in history.versions) + 1)
    updated = history.with_new_version(numbered)
    uc.uow.policies.add(numbered, reason=why, at=uc.now)
    return PolicyVersions(updated, uc.today)


# --- internals -----------------------------------------------------------------------------------


def _assessed(
    rows: Iterable[OverdueRow], as_of: date, due_soon_days: int
) -> list[tuple[OverdueRow, DeadlineState]]:
    return [(row, assess(row.deadline, as_of, due_soon_days)) for row in rows]


def _count_by(
    flagged: list[tuple[OverdueRow, DeadlineState]], key: Callable[[OverdueRow], uuid.UUID]
) -> dict[uuid.UUID, tuple[KindCounts, ...]]:
    counts: Counter[tuple[uuid.UUID, DeadlineKind, DeadlineStatus]] = Counter(
        (key(row), row.kind, state.status) for row, state in flagged
    )
    return {
        group: tuple(
            KindCounts(
                kind=kind,
                overdue=counts[(group, kind, DeadlineStatus.OVERDUE)],
                due_soon=counts[(group, kind, DeadlineStatus.DUE_SOON)],
            )
            for kind in DeadlineKind
        )
        for group in dict.fromkeys(key(row) for row, _ in flagged)
    }


def _decode_after(after: tuple[object, ...] | None) -> tuple[date, uuid.UUID] | None:
    if after is None:
        return None
    try:
        due_on, deadline_id = after
        return date.fromisoformat(str(due_on)), uuid.UUID(str(deadline_id))
    except ValueError:
        raise InvalidValue(
            "The cursor is not one this service issued.", field="cursor", code="cursor_invalid"
        ) from None
