"""Reporting queries over the stored deadlines: the overdue list and the timeliness summary.

SQL only narrows: it finds the clocks running on a day and due by a horizon, and counts how the
deadlines due in a period ended. Whether a running clock is overdue or due soon is decided by
`app.domain.timeliness.assess` in the service. The overdue list is one statement and the summary
two, whatever the number of rows; the list is keyset paged on due date then id, never OFFSET.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, join, or_, select, true, union_all
from sqlalchemy.orm import Session

from app.db.models import (
    DeadlineRow,
    EpisodeRow,
    FamilyRow,
    HubRow,
    PractitionerRow,
    running_due_on,
)
from app.db.repositories.episodes import EPISODE_IS_OPEN
from app.domain.episodes import EpisodeStage
from app.domain.timeliness import DeadlineKind
from app.services.timeliness import KindRate, OverdueRow, SummaryFacts

__all__ = ["KindRate", "OverdueRow", "SqlTimelinessQueries", "SummaryFacts"]

_D = DeadlineRow
_E = EpisodeRow


def running_on(as_of: date) -> ColumnElement[bool]:
    """Started by `as_of`, and neither met nor stopped by then (events after `as_of` are ignored).

    An episode's closure stops its clocks, so a running clock belongs to an episode open that day.
    """
    return and_(
        _D.started_on <= as_of,
        or_(_D.met_on.is_(None), _D.met_on > as_of),
        or_(_D.stopped_on.is_(None), _D.stopped_on > as_of),
    )


_CLOCK_COLUMNS = (
    _D.id,
    _D.kind,
    _D.started_on,
    _D.due_from,
    _D.due_on,
    _D.met_on,
    _D.stopped_on,
    _D.policy_version,
    _E.id.label("episode_id"),
    _E.family_id,
    _E.hub_id,
    _E.lead_practitioner_id,
    _E.level_of_need,
    _E.stage,
)


def _known(known_at: datetime) -> tuple[ColumnElement[bool], Any, Any]:
    """What was recorded by `known_at`: the clocks whose start was, and each one's met and
    stopped days as they then stood (an end recorded later is not yet known). Clocks recorded
    before familyhub kept these times count as known at every instant."""
    started = or_(_D.recorded_at.is_(None), _D.recorded_at <= known_at)
    ended_later = and_(_D.ended_recorded_at.is_not(None), _D.ended_recorded_at > known_at)
    met = case((ended_later, None), else_=_D.met_on)
    stopped = case((ended_later, None), else_=_D.stopped_on)
    return started, met, stopped


def known_clocks(as_of: date, horizon: date | None, known_at: datetime) -> Any:
    """Clocks running on `as_of` as they were known at `known_at` (issue 18 §2): a report for a
    past period reproduced as it was reported. No index shortcut: a past figure is asked rarely."""
    started, met, stopped = _known(known_at)
    columns = [c for c in _CLOCK_COLUMNS if c.key not in ("met_on", "stopped_on")]
    conditions = [
        started,
        _D.started_on <= as_of,
        or_(met.is_(None), met > as_of),
        or_(stopped.is_(None), stopped > as_of),
    ]
    if horizon is not None:
        conditions.append(_D.due_on <= horizon)
    return (
        select(*columns, met.label("met_on"), stopped.label("stopped_on"))
        .select_from(join(_D, _E, _E.id == _D.episode_id))
        .where(*conditions)
        .subquery("running")
    )


def running_clocks(as_of: date, horizon: date | None = None) -> Any:
    """Clocks running on `as_of` (due by `horizon` when given) with their episodes, as a subquery.

    Two branches, so each can use an index instead of reading every clock ever started: the clocks
    still running now (through the `running_due_on` expression index, whose statistics tell the
    planner how few they are), and those met or stopped after `as_of` (none when `as_of` is today;
    found through met_on and stopped_on). Closing an episode stops its clocks, so a clock still
    running belongs to an open episode: saying so lets the planner read a hub's open episodes
    through the (hub_id, stage) index instead of all of them.
    """
    started = _D.started_on <= as_of
    ended_since = or_(_D.met_on > as_of, _D.stopped_on > as_of)
    if horizon is None:
        still_running = [running_due_on.is_not(None), started]
        ended = [ended_since, running_on(as_of)]
    else:
        still_running = [running_due_on <= horizon, started]
        ended = [ended_since, running_on(as_of), _D.due_on <= horizon]
    with_episode = join(_D, _E, _E.id == _D.episode_id)
    return union_all(
        select(*_CLOCK_COLUMNS).select_from(with_episode).where(*still_running, EPISODE_IS_OPEN),
        select(*_CLOCK_COLUMNS).select_from(with_episode).where(*ended),
    ).subquery("running")


def _row_columns(r: Any) -> tuple[Any, ...]:
    """A running clock with its episode, family reference, hub and lead name."""
    return (
        *r.c,
        FamilyRow.reference.label("family_reference"),
        HubRow.code.label("hub_code"),
        HubRow.name.label("hub_name"),
        PractitionerRow.name.label("lead_name"),
    )


def _row_from(r: Any) -> Any:
    return (
        join(r, FamilyRow, FamilyRow.id == r.c.family_id)
        .join(PractitionerRow, PractitionerRow.id == r.c.lead_practitioner_id)
        .join(HubRow, HubRow.id == r.c.hub_id)
    )


def _row(r: Any) -> OverdueRow:
    return OverdueRow(
        deadline_id=r.id,
        kind=DeadlineKind(r.kind),
        started_on=r.started_on,
        due_from=r.due_from,
        due_on=r.due_on,
        met_on=r.met_on,
        stopped_on=r.stopped_on,
        policy_version=r.policy_version,
        episode_id=r.episode_id,
        family_id=r.family_id,
        family_reference=r.family_reference,
        hub_id=r.hub_id,
        hub_code=r.hub_code,
        hub_name=r.hub_name,
        lead_practitioner_id=r.lead_practitioner_id,
        lead_name=r.lead_name,
        level_of_need=r.level_of_need,
        stage=EpisodeStage(r.stage),
    )


class SqlTimelinessQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _rows(self, stmt: Any) -> Any:
        """Plain rows through the session's connection: these selects name columns, never
        entities, so the ORM's row loading would only add cost (a quarter of the summary's CPU)."""
        return self._session.connection().execute(stmt)

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
    ) -> list[OverdueRow]:
        """Clocks running on `as_of` and due by `horizon`, by due date then id, after the cursor."""
        r = running_clocks(as_of, horizon)
        stmt = (
            select(*_row_columns(r))
            .select_from(_row_from(r))
            .order_by(r.c.due_on, r.c.id)
            .limit(limit)
        )
        if hub_ids is not None:
            stmt = stmt.where(r.c.hub_id.in_(sorted(hub_ids, key=str)))
        if lead_practitioner_id is not None:
            stmt = stmt.where(r.c.lead_practitioner_id == lead_practitioner_id)
        if kind is not None:
            stmt = stmt.where(r.c.kind == kind.value)
        if level_of_need is not None:
            stmt = stmt.where(r.c.level_of_need == level_of_need)
        if after is not None:
            due_on, deadline_id = after
            stmt = stmt.where(
                or_(r.c.due_on > due_on, and_(r.c.due_on == due_on, r.c.id > deadline_id))
            )
        return [_row(r) for r in self._rows(stmt)]

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
    ) -> SummaryFacts:
        """Two statements: the clocks running on `as_of` (due by `horizon` when given), and per
        kind how the deadlines due in [period_start, period_end] stood on `as_of`; with
        `known_at`, only what had been recorded by then. Each rate also counts the clocks behind
        it whose start or end was recorded after `late_after` (the period's end)."""
        r = (
            running_clocks(as_of, horizon)
            if known_at is None
            else known_clocks(as_of, horizon, known_at)
        )
        running = select(*_row_columns(r)).select_from(_row_from(r))
        if hub_ids is not None:
            running = running.where(r.c.hub_id.in_(sorted(hub_ids, key=str)))
        rows = [_row(r) for r in self._rows(running)]
        return SummaryFacts(
            running=rows,
            rates=self._rates(as_of, period_start, period_end, hub_ids, known_at, late_after),
        )

    def _rates(
        self,
        as_of: date,
        period_start: date,
        period_end: date,
        hub_ids: frozenset[uuid.UUID] | None,
        known_at: datetime | None = None,
        late_after: datetime | None = None,
    ) -> list[KindRate]:
        known: ColumnElement[bool] = true()
        met_on: Any = _D.met_on
        stopped_on: Any = _D.stopped_on
        if known_at is not None:
            known, met_on, stopped_on = _known(known_at)
        met = and_(met_on.is_not(None), met_on <= as_of)
        overdue_unmet = and_(
            or_(met_on.is_(None), met_on > as_of),
            or_(stopped_on.is_(None), stopped_on > as_of),
            _D.due_on < as_of,
        )
        entered_late: ColumnElement[bool] = false()
        if late_after is not None:
            entered_late = or_(
                _D.recorded_at > late_after, and_(met, _D.ended_recorded_at > late_after)
            )

        def count(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        stmt = (
            select(
                _D.kind,
                count(and_(met, met_on <= _D.due_on)).label("met_on_time"),
                count(and_(met, met_on > _D.due_on)).label("met_late"),
                count(overdue_unmet).label("overdue_unmet"),
                count(entered_late).label("entered_late"),
            )
            .select_from(_D)
            .where(
                _D.due_on >= period_start,
                _D.due_on <= period_end,
                known,
                or_(met, overdue_unmet),
            )
            .group_by(_D.kind)
        )
        if hub_ids is not None:
            stmt = stmt.join(_E, _E.id == _D.episode_id).where(
                _E.hub_id.in_(sorted(hub_ids, key=str))
            )
        return [
            KindRate(
                kind=DeadlineKind(r.kind),
                met_on_time=int(r.met_on_time),
                met_late=int(r.met_late),
                overdue_unmet=int(r.overdue_unmet),
                entered_late=int(r.entered_late),
            )
            for r in self._session.execute(stmt)
        ]
