"""Use cases of reporting: the early help dashboard measures and the quarterly progress report.

The queries behind `MeasureQueries` only fetch facts for a period (ids, dates, codes: never names or
case notes); the counting rules are `app.domain.measures`, and the timeliness rates come from the
timeliness summary (`app.services.timeliness.summarise`), so the dashboard and the managers' view
never disagree. The results are aggregates only; `figures()` turns any of them into the flat
(measure, dimension, group, value) table the CSV export streams.

Each report is one use case, read by the reporting account, managers and auditors (READ_REPORTS),
and audited like any other read; the API and `familyhub report --as` call the same functions.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from app.domain.access import Action
from app.domain.claims_progress import ClaimsProgress
from app.domain.episodes import ClosureReason, RequestSource
from app.domain.errors import InvalidValue
from app.domain.measures import (
    AWAITING_DECISION,
    DEFAULT_REENTRY_MONTHS,
    STEP_DOWN_FROM_SOCIAL_CARE,
    STEP_DOWN_TO_UNIVERSAL,
    STEP_UP,
    TIMELINESS_KINDS,
    AgeBand,
    age_band,
    all_recorded_needs_achieved,
    check_period,
    check_reentry_months,
    family_life_group,
    front_door_known_family_asked_to_assess,
    front_door_without_prior_early_help,
    mean,
    median,
    monitoring_group,
    quarter_of,
    reentered,
    share,
    support_days,
)
from app.domain.requests import ScreeningOutcome
from app.services import timeliness
from app.services.claims import known_as_of, quarterly_claims
from app.services.ports import ClaimsUnitOfWork, Clock, Hub, UnitOfWork
from app.services.timeliness import TimelinessUnitOfWork
from app.services.use_case import Actor, UseCase

# --- what the queries return ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewEpisodeFact:
    episode_id: uuid.UUID
    hub_id: uuid.UUID
    family_id: uuid.UUID
    source: str
    requested_on: date
    previous_closed_on: date | None
    """When the episode this one follows on from (previous_episode_id) closed, if it did."""
    recorded_at: datetime | None = None
    """When the request was recorded."""


@dataclass(frozen=True)
class ClosureFact:
    episode_id: uuid.UUID
    hub_id: uuid.UUID
    requested_on: date
    closed_on: date
    reason: str
    family_life_improved: str | None
    needs_recorded: int
    needs_achieved: int
    """Supporting Families needs on the episode, and how many of them were achieved."""
    recorded_at: datetime | None = None
    """When the closure was recorded (null: before familyhub kept it)."""
    outcomes_entered_late: int = 0
    """Of the needs achieved, how many outcomes were recorded after the period ended."""


@dataclass(frozen=True)
class AssessedFact:
    """An assessment completed or a plan submitted in the period, and when it was recorded."""

    hub_id: uuid.UUID
    family_id: uuid.UUID
    recorded_at: datetime | None


@dataclass(frozen=True)
class ChildFact:
    hub_id: uuid.UUID
    person_id: uuid.UUID
    requested_on: date
    date_of_birth: date | None
    expected_delivery_date: date | None
    sex: str | None
    ethnicity: str | None
    send: bool


@dataclass(frozen=True)
class AttachedFact:
    """An episode open at some time in a period."""

    episode_id: uuid.UUID
    family_id: uuid.UUID
    hub_id: uuid.UUID
    requested_on: date
    closed_on: date | None
    recorded_at: datetime | None = None
    """When the episode was requested on the record."""
    closed_recorded_at: datetime | None = None
    """When its closure was recorded (null: open, or before familyhub kept it)."""


@dataclass(frozen=True)
class RequestFact:
    """A request for support received in the period, with what services knew of the household."""

    request_id: uuid.UUID
    hub_id: uuid.UUID | None
    """The household's hub, once the request is linked to a registered household."""
    outcome: str | None
    earlier_episode: bool
    earlier_request: bool
    recorded_at: datetime | None = None
    """When the request was recorded."""
    decided_recorded_at: datetime | None = None
    """When its screening decision was recorded (null: none yet, or before this was kept)."""


@dataclass(frozen=True)
class NeedFact:
    family_id: uuid.UUID
    headline: str
    emerged_later: bool
    outcome_status: str
    outcome_on: date | None
    recorded_at: datetime | None = None
    outcome_recorded_at: datetime | None = None


class MeasureQueries(Protocol):
    """Read-only fact queries for the reports (`app.db.queries.measures.SqlMeasureQueries`).

    Each returns an iterator over the rows of one statement, whatever the number of rows.
    """

    def assessed_or_planned(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
    ) -> Iterator[AssessedFact]:
        """Each assessment completed and plan submitted in the period, with its family and hub;
        with `known_at`, only those recorded by then."""
        ...

    def new_episodes(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
    ) -> Iterator[NewEpisodeFact]:
        """With `known_at`: only what had been recorded by then (issue 18 §2)."""
        ...

    def closures(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
        ended: datetime | None = None,
    ) -> Iterator[ClosureFact]:
        """With `known_at`: only the closures, needs and outcomes recorded by then (issue 18
        §2); `ended` is the instant the period ended, for `outcomes_entered_late`."""
        ...

    def children_reached(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
    ) -> Iterator[ChildFact]:
        """With `known_at`: only what had been recorded by then (issue 18 §2)."""
        ...

    def attached(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
    ) -> Iterator[AttachedFact]:
        """With `known_at`: only the episodes and closures recorded by then (issue 18 §2)."""
        ...

    def needs_of_attached(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
    ) -> Iterator[NeedFact]:
        """With `known_at`: only the needs and outcomes recorded by then (issue 18 §2)."""
        ...

    def requests_received(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
    ) -> Iterator[RequestFact]:
        """With `known_at`: only the requests, decisions and earlier involvement recorded by
        then (issue 18 §2)."""
        ...


class MeasuresUnitOfWork(ClaimsUnitOfWork, TimelinessUnitOfWork, Protocol):
    @property
    def measures(self) -> MeasureQueries: ...


# --- the early help measures ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewEpisodes:
    total: int
    by_source: dict[str, int]


@dataclass(frozen=True)
class Closures:
    total: int
    by_reason: dict[str, int]
    all_needs_met: int
    all_needs_met_share: float | None
    all_recorded_needs_achieved: int
    all_recorded_needs_achieved_share: float | None
    family_life_improved: dict[str, int]


@dataclass(frozen=True)
class StepDowns:
    from_social_care: int
    to_universal: int


@dataclass(frozen=True)
class Reentries:
    total: int
    share_of_new_episodes: float | None


@dataclass(frozen=True)
class LengthOfSupport:
    closures: int
    median: float | None
    mean: float | None


@dataclass(frozen=True)
class KindTimeliness:
    due: int
    met_on_time: int
    met_late: int
    overdue_unmet: int
    share_on_time: float | None


@dataclass(frozen=True)
class Reach:
    children: int
    age_band: dict[str, int]
    sex: dict[str, int]
    ethnicity: dict[str, int]
    send: dict[str, int]


@dataclass(frozen=True)
class FrontDoor:
    """The front door's measures (seed 004:1229 and 786; `app.domain.measures.front_door_*`)."""

    requests: int
    by_outcome: dict[str, int]
    without_prior_early_help: int
    without_prior_early_help_share: float | None
    known_families_asked_to_assess: int
    known_families_asked_to_assess_share: float | None
    repeat_requests: int
    repeat_request_share: float | None


@dataclass(frozen=True)
class ScopeMeasures:
    """Every dashboard measure for one scope: the whole council (or the hub asked for), or one hub."""

    families_with_assessment_or_plan: int
    new_episodes: NewEpisodes
    closures: Closures
    step_ups: int
    step_downs: StepDowns
    reentries: Reentries
    length_of_support_days: LengthOfSupport
    timeliness: dict[str, KindTimeliness]
    reach: Reach
    front_door: FrontDoor


@dataclass(frozen=True)
class HubMeasures:
    hub_id: uuid.UUID
    hub_code: str
    hub_name: str
    measures: ScopeMeasures


@dataclass(frozen=True)
class EarlyHelpMeasures:
    period_start: date
    period_end: date
    hub_id: uuid.UUID | None
    reentry_months: int
    timeliness_as_of: date
    overall: ScopeMeasures
    hubs: list[HubMeasures]
    known_at: datetime | None = None
    """The instant the figures are as known at (None: everything recorded so far)."""
    entered_after_period: int = 0
    """How many records behind the figures were entered after the period ended: episodes
    requested, closures, outcomes achieved, families assessed or planned, requests received and
    their decisions, and clocks."""


def early_help_measures(
    uow: MeasuresUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    period_start: date,
    period_end: date,
    hub_id: uuid.UUID | None = None,
    reentry_months: int = DEFAULT_REENTRY_MONTHS,
    known_at: datetime | None = None,
) -> EarlyHelpMeasures:
    """The dashboard measures over [period_start, period_end], overall and per hub; with
    `known_at`, as the records stood at that instant (requests, closures and clocks recorded
    later are left out), so a past period's figures are reproduced as they were reported."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REPORTS, "report", "early-help-measures")
        check_period(period_start, period_end)
        check_reentry_months(reentry_months)
        known_at = timeliness.check_known_at(known_at, uc.now)
        ended = timeliness.end_of_day(period_end, clock.zone)
        late = 0
        hubs = _hubs(uow, hub_id)
        tallies: defaultdict[uuid.UUID | None, _Tally] = defaultdict(_Tally)
        q = uow.measures
        first_recorded: dict[uuid.UUID, datetime | None] = {}
        for fact in q.assessed_or_planned(
            start=period_start, end=period_end, hub_id=hub_id, known_at=known_at
        ):
            for scope in (None, fact.hub_id):
                tallies[scope].assessed_families.add(fact.family_id)
            first_recorded[fact.family_id] = _earliest(
                first_recorded.get(fact.family_id, fact.recorded_at), fact.recorded_at
            )
        # A family counts as entered late when everything that counts it was recorded late.
        late += sum(_after(recorded_at, ended) for recorded_at in first_recorded.values())
        for episode in q.new_episodes(
            start=period_start, end=period_end, hub_id=hub_id, known_at=known_at
        ):
            late += _after(episode.recorded_at, ended)
            for scope in (None, episode.hub_id):
                tallies[scope].add_new(episode, reentry_months)
        for closure in q.closures(
            start=period_start, end=period_end, hub_id=hub_id, known_at=known_at, ended=ended
        ):
            late += _after(closure.recorded_at, ended) + closure.outcomes_entered_late
            for scope in (None, closure.hub_id):
                tallies[scope].add_closure(closure)
        for child in q.children_reached(
            start=period_start, end=period_end, hub_id=hub_id, known_at=known_at
        ):
            for scope in (None, child.hub_id):
                tallies[scope].add_child(child)
        for request in q.requests_received(
            start=period_start, end=period_end, hub_id=hub_id, known_at=known_at
        ):
            late += _after(request.recorded_at, ended) + _after(request.decided_recorded_at, ended)
            # A household not yet registered has no hub: it counts for the council only.
            for scope in (None, request.hub_id) if request.hub_id else (None,):
                tallies[scope].requests.append(request)
        # The rates as they stood the day after the period (or today, if that is earlier): the
        # same rule and SQL as the timeliness summary, asked once per scope.
        as_of = min(period_end + timedelta(days=1), uc.today)

        def rates(scope_hub: uuid.UUID | None) -> tuple[dict[str, KindTimeliness], int]:
            summary = timeliness.summarise(
                uow,
                as_of=as_of,
                period_start=period_start,
                period_end=period_end,
                hub_ids=None if scope_hub is None else frozenset({scope_hub}),
                known_at=known_at,
                zone=clock.zone,
            )
            found = {r.kind: r for r in summary.rates}
            return {
                kind.value: _kind_timeliness(found.get(kind, timeliness.KindRate(kind=kind)))
                for kind in TIMELINESS_KINDS
            }, sum(found[kind].entered_late for kind in TIMELINESS_KINDS if kind in found)

        overall_rates, late_clocks = rates(hub_id)
        late += late_clocks
        report = EarlyHelpMeasures(
            period_start=period_start,
            period_end=period_end,
            hub_id=hub_id,
            reentry_months=reentry_months,
            timeliness_as_of=as_of,
            known_at=known_at,
            entered_after_period=late,
            overall=tallies[None].measures(overall_rates),
            hubs=[
                HubMeasures(
                    hub_id=h.id,
                    hub_code=h.code,
                    hub_name=h.name,
                    measures=tallies[h.id].measures(rates(h.id)[0]),
                )
                for h in sorted(hubs, key=lambda h: h.code)
            ],
        )
        uc.commit()
        return report


def _hubs(uow: UnitOfWork, hub_id: uuid.UUID | None) -> list[Hub]:
    """The hubs a report covers: all of them, or the one asked for, which must exist (a question
    for the database, so asked here)."""
    hubs = [
        h for h in uow.reference.hubs(include_inactive=True) if hub_id is None or h.id == hub_id
    ]
    if hub_id is not None and not hubs:
        raise InvalidValue(
            "There is no family hub with this id.", field="hub_id", code="hub_unknown"
        )
    return hubs


def _kind_timeliness(rate: timeliness.KindRate) -> KindTimeliness:
    return KindTimeliness(
        due=rate.due,
        met_on_time=rate.met_on_time,
        met_late=rate.met_late,
        overdue_unmet=rate.overdue_unmet,
        share_on_time=None if rate.share_on_time is None else round(rate.share_on_time, 4),
    )


def _after(recorded_at: datetime | None, ended: datetime) -> int:
    """1 when a record was entered after the period ended (unknown times count as on time)."""
    return int(recorded_at is not None and recorded_at > ended)


def _earliest(one: datetime | None, other: datetime | None) -> datetime | None:
    """The earlier of two recording instants; an unknown one (before familyhub kept it) is
    earliest of all."""
    if one is None or other is None:
        return None
    return min(one, other)


@dataclass
class _Tally:
    assessed_families: set[uuid.UUID] = field(default_factory=set)
    new: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    reentries: int = 0
    closures: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    all_needs_achieved: int = 0
    family_life: Counter[str] = field(default_factory=Counter)
    support_days: list[int] = field(default_factory=list)
    children: dict[uuid.UUID, ChildFact] = field(default_factory=dict)
    requests: list[RequestFact] = field(default_factory=list)

    def add_new(self, episode: NewEpisodeFact, reentry_months: int) -> None:
        self.new += 1
        self.sources[episode.source] += 1
        if reentered(episode.previous_closed_on, episode.requested_on, reentry_months):
            self.reentries += 1

    def add_closure(self, closure: ClosureFact) -> None:
        self.closures += 1
        self.reasons[closure.reason] += 1
        if all_recorded_needs_achieved(closure.needs_recorded, closure.needs_achieved):
            self.all_needs_achieved += 1
        self.family_life[family_life_group(closure.family_life_improved)] += 1
        self.support_days.append(support_days(closure.requested_on, closure.closed_on))

    def add_child(self, child: ChildFact) -> None:
        # A child on two episodes in the period counts once, banded at the earlier request.
        known = self.children.get(child.person_id)
        if known is None or child.requested_on < known.requested_on:
            self.children[child.person_id] = child

    def measures(self, rates: dict[str, KindTimeliness]) -> ScopeMeasures:
        met = self.reasons[ClosureReason.ALL_NEEDS_MET.value]
        return ScopeMeasures(
            families_with_assessment_or_plan=len(self.assessed_families),
            new_episodes=NewEpisodes(
                total=self.new, by_source=_every(self.sources, [s.value for s in RequestSource])
            ),
            closures=Closures(
                total=self.closures,
                by_reason=_every(self.reasons, [r.value for r in ClosureReason]),
                all_needs_met=met,
                all_needs_met_share=share(met, self.closures),
                all_recorded_needs_achieved=self.all_needs_achieved,
                all_recorded_needs_achieved_share=share(self.all_needs_achieved, self.closures),
                family_life_improved=_every(
                    self.family_life, ["yes", "partly", "no", "not_recorded"]
                ),
            ),
            step_ups=self.reasons[STEP_UP.value],
            step_downs=StepDowns(
                from_social_care=self.sources[STEP_DOWN_FROM_SOCIAL_CARE.value],
                to_universal=self.reasons[STEP_DOWN_TO_UNIVERSAL.value],
            ),
            reentries=Reentries(
                total=self.reentries, share_of_new_episodes=share(self.reentries, self.new)
            ),
            length_of_support_days=LengthOfSupport(
                closures=len(self.support_days),
                median=median(self.support_days),
                mean=mean(self.support_days),
            ),
            timeliness=rates,
            reach=self._reach(),
            front_door=self._front_door(),
        )

    def _front_door(self) -> FrontDoor:
        total = len(self.requests)
        outcomes = Counter(r.outcome or AWAITING_DECISION for r in self.requests)
        fresh = sum(
            1 for r in self.requests if front_door_without_prior_early_help(r.earlier_episode)
        )
        known = sum(
            1
            for r in self.requests
            if front_door_known_family_asked_to_assess(
                r.outcome, earlier_episode=r.earlier_episode, earlier_request=r.earlier_request
            )
        )
        repeats = sum(1 for r in self.requests if r.earlier_request)
        return FrontDoor(
            requests=total,
            by_outcome=_every(outcomes, [*(o.value for o in ScreeningOutcome), AWAITING_DECISION]),
            without_prior_early_help=fresh,
            without_prior_early_help_share=share(fresh, total),
            known_families_asked_to_assess=known,
            known_families_asked_to_assess_share=share(known, total),
            repeat_requests=repeats,
            repeat_request_share=share(repeats, total),
        )

    def _reach(self) -> Reach:
        children = list(self.children.values())
        bands = Counter(
            age_band(
                date_of_birth=c.date_of_birth,
                expected_delivery_date=c.expected_delivery_date,
                send=c.send,
                on=c.requested_on,
            ).value
            for c in children
        )
        return Reach(
            children=len(children),
            age_band=_every(bands, [b.value for b in AgeBand]),
            sex=_sorted(Counter(monitoring_group(c.sex) for c in children)),
            ethnicity=_sorted(Counter(monitoring_group(c.ethnicity) for c in children)),
            send=_every(Counter("yes" if c.send else "no" for c in children), ["yes", "no"]),
        )


def _every(counts: Mapping[str, int], groups: Iterable[str]) -> dict[str, int]:
    """Every known group in a fixed order (zero when absent), then any unexpected ones, sorted."""
    ordered = list(groups)
    result = {g: counts.get(g, 0) for g in ordered}
    result.update({g: counts[g] for g in sorted(counts) if g not in result})
    return result


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return {g: counts[g] for g in sorted(counts)}


# --- the quarterly progress report ---------------------------------------------------------------


@dataclass(frozen=True)
class QuarterlyProgress:
    quarter_start: date
    quarter_end: date
    hub_id: uuid.UUID | None
    scope: str
    """`all`, or the code of the hub asked for."""
    families_attached: int
    families_open_at_quarter_end: int
    families_closed_in_quarter: int
    needs_at_attachment: dict[str, int]
    emerging_needs: dict[str, int]
    outcomes_achieved: dict[str, int]
    claims: ClaimsProgress
    known_at: datetime | None = None
    """The instant the figures are as known at (None: everything recorded so far)."""
    entered_after_period: int = 0
    """How many records behind the figures were entered after the quarter ended: episodes
    requested or closed, needs, outcomes, and the parts of the records the claims lines judge."""


def quarterly_progress(
    uow: MeasuresUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    quarter_end: date,
    hub_id: uuid.UUID | None = None,
    known_at: datetime | None = None,
) -> QuarterlyProgress:
    """Families attached, open at quarter end and closed in the quarter; needs, outcomes and
    the Supporting Families claims lines (§5.2); with `known_at`, as the records stood at that
    instant, so a past quarter's return is reproduced as it was sent."""
    attached: set[uuid.UUID] = set()
    open_at_end: set[uuid.UUID] = set()
    closed: set[uuid.UUID] = set()
    at_attachment: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
    emerging: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
    achieved: Counter[str] = Counter()
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_REPORTS, "report", "quarterly-progress")
        start, end = quarter_of(quarter_end)
        as_known = known_as_of(known_at, uc.now, clock)
        known = None if as_known is None else as_known.at
        ended = timeliness.end_of_day(end, clock.zone)
        late = 0
        scope = "all" if hub_id is None else _hubs(uow, hub_id)[0].code
        q = uow.measures
        for episode in q.attached(start=start, end=end, hub_id=hub_id, known_at=known):
            attached.add(episode.family_id)
            late += _after(episode.recorded_at, ended)
            if episode.closed_on is None or episode.closed_on > end:
                open_at_end.add(episode.family_id)
            elif episode.closed_on >= start:
                closed.add(episode.family_id)
                late += _after(episode.closed_recorded_at, ended)
        for need in q.needs_of_attached(start=start, end=end, hub_id=hub_id, known_at=known):
            (emerging if need.emerged_later else at_attachment)[need.headline].add(need.family_id)
            late += _after(need.recorded_at, ended)
            if (
                need.outcome_status == "achieved"
                and need.outcome_on is not None
                and start <= need.outcome_on <= end
            ):
                achieved[need.headline] += 1
                late += _after(need.outcome_recorded_at, ended)
        claims = quarterly_claims(
            uow, start=start, end=end, hub_id=hub_id, as_known=as_known, ended=ended
        )
        uc.commit()
    return QuarterlyProgress(
        quarter_start=start,
        quarter_end=end,
        hub_id=hub_id,
        scope=scope,
        families_attached=len(attached),
        families_open_at_quarter_end=len(open_at_end),
        families_closed_in_quarter=len(closed),
        needs_at_attachment={h: len(f) for h, f in sorted(at_attachment.items())},
        emerging_needs={h: len(f) for h, f in sorted(emerging.items())},
        outcomes_achieved=_sorted(achieved),
        claims=claims.progress,
        known_at=known,
        entered_after_period=late + claims.entered_after_period,
    )


# --- the flat table ------------------------------------------------------------------------------


FIGURE_COLUMNS = ("scope", "measure", "dimension", "group", "value")
"""The CSV columns of every report, in order (documented in OpenAPI)."""

Figure = tuple[str, str, str, str, int | float | None]


def figures(scope: str, measures: object) -> Iterator[Figure]:
    """(scope, measure, dimension, group, value) for every number in a report section.

    A measure's own number has an empty dimension and group; a number under a dimension (a total,
    a breakdown, a time limit) has an empty group unless it is one of a breakdown's groups:
    `closures,by_reason,all_needs_met,3`. Dates and ids are not figures and are left out.
    """
    if dataclasses.is_dataclass(measures) and not isinstance(measures, type):
        as_dict: object = dataclasses.asdict(measures)
    else:
        as_dict = measures
    assert isinstance(as_dict, Mapping)
    yield from _walk(scope, (), as_dict)


def _walk(scope: str, path: tuple[str, ...], node: Mapping[str, object]) -> Iterator[Figure]:
    for key, value in node.items():
        here = (*path, str(key))
        if isinstance(value, Mapping):
            yield from _walk(scope, here, value)
        elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            if len(here) > 3:
                raise ValueError(f"a report figure is nested too deeply: {'.'.join(here)}")
            measure, dimension, group = (*here, "", "")[:3]
            yield scope, measure, dimension, group, value


def early_help_figures(report: EarlyHelpMeasures) -> Iterator[Figure]:
    """Every figure of the dashboard: the overall scope (`all`) first, then each hub by code."""
    yield from figures("all", report.overall)
    for hub in report.hubs:
        yield from figures(hub.hub_code, hub.measures)


def quarterly_figures(report: QuarterlyProgress) -> Iterator[Figure]:
    numbers = {
        k: v
        for k, v in dataclasses.asdict(report).items()
        if k
        not in {
            "quarter_start",
            "quarter_end",
            "hub_id",
            "scope",
            "known_at",
            "entered_after_period",
        }
    }
    yield from figures(report.scope, numbers)
