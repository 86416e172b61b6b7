"""Fact queries for the reports: one statement each, streamed in batches, ids, dates and codes only.

SQL only narrows and joins; the counting rules (re-entry windows, age bands, length of support,
all needs achieved) are `app.domain.measures`, applied in `app.services.measures`. No query here
selects a name, an address or a case note.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, null, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased

from app.db.models import (
    AssessmentRow,
    EpisodeChildRow,
    EpisodeRow,
    FamilyNeedRow,
    FamilyPlanRow,
    FamilyRow,
    PersonRow,
    SupportRequestRow,
)
from app.db.repositories.requests import earlier_episode_known_by, earlier_request_known_by
from app.services.measures import (
    AssessedFact,
    AttachedFact,
    ChildFact,
    ClosureFact,
    NeedFact,
    NewEpisodeFact,
    RequestFact,
)

__all__ = ["SqlMeasureQueries"]

_E = EpisodeRow
BATCH = 500
"""Rows fetched at a time, so a report over years of episodes reads in constant memory."""


def _in_hub(stmt: Any, hub_id: uuid.UUID | None) -> Any:
    return stmt if hub_id is None else stmt.where(_E.hub_id == hub_id)


def _requested_by(known_at: datetime | None) -> Any:
    """The episode's request was recorded by `known_at` (its row is made then)."""
    return true() if known_at is None else _E.created_at <= known_at


def _closed_by(known_at: datetime | None) -> Any:
    """The closure was recorded by `known_at`; closures recorded before familyhub kept the time
    count as known at every instant."""
    return _known(_E.closed_recorded_at, known_at)


def _known(recorded_at: Any, known_at: datetime | None) -> Any:
    """A step recorded by `known_at` (issue 18 §2); one recorded before familyhub kept the time
    (null) counts as known at every instant."""
    if known_at is None:
        return true()
    return or_(recorded_at.is_(None), recorded_at <= known_at)


def _after(recorded_at: Any, ended: datetime | None) -> Any:
    """1 when a step was recorded after the period ended, else 0 (for a SQL sum)."""
    if ended is None:
        return literal(0)
    return case((recorded_at > ended, 1), else_=0)


class SqlMeasureQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _stream(self, stmt: Any) -> Iterator[Any]:
        yield from self._session.execute(stmt.execution_options(yield_per=BATCH))

    def assessed_or_planned(
        self, *, start: date, end: date, hub_id: uuid.UUID | None, known_at: datetime | None = None
    ) -> Iterator[AssessedFact]:
        """One row per assessment completed or plan submitted in the period (and recorded by
        `known_at`), with when it was recorded: the service counts each family once."""
        a, p = AssessmentRow, FamilyPlanRow
        assessed = (
            select(_E.hub_id, _E.family_id, a.completed_recorded_at.label("recorded_at"))
            .join(_E, _E.id == a.episode_id)
            .where(
                a.completed_on >= start,
                a.completed_on <= end,
                _known(a.completed_recorded_at, known_at),
            )
        )
        planned = (
            select(_E.hub_id, _E.family_id, p.submitted_recorded_at.label("recorded_at"))
            .join(_E, _E.id == p.episode_id)
            .where(
                p.submitted_on >= start,
                p.submitted_on <= end,
                _known(p.submitted_recorded_at, known_at),
            )
        )
        submitted = select(
            _E.hub_id, _E.family_id, _E.plan_submitted_recorded_at.label("recorded_at")
        ).where(
            _E.plan_submitted_on >= start,
            _E.plan_submitted_on <= end,
            _known(_E.plan_submitted_recorded_at, known_at),
        )
        parts = [_in_hub(part, hub_id) for part in (assessed, planned, submitted)]
        rows = union_all(*parts).subquery()
        stmt = select(rows.c.hub_id, rows.c.family_id, rows.c.recorded_at).order_by(
            rows.c.hub_id, rows.c.family_id, rows.c.recorded_at
        )
        for r in self._stream(stmt):
            yield AssessedFact(hub_id=r.hub_id, family_id=r.family_id, recorded_at=r.recorded_at)

    def new_episodes(
        self, *, start: date, end: date, hub_id: uuid.UUID | None, known_at: datetime | None = None
    ) -> Iterator[NewEpisodeFact]:
        previous = aliased(EpisodeRow)
        stmt = (
            select(
                _E.id,
                _E.hub_id,
                _E.family_id,
                _E.source,
                _E.requested_on,
                previous.closed_on.label("previous_closed_on"),
                _E.created_at,
            )
            .outerjoin(previous, previous.id == _E.previous_episode_id)
            .where(_E.requested_on >= start, _E.requested_on <= end, _requested_by(known_at))
            .order_by(_E.requested_on, _E.id)
        )
        for r in self._stream(_in_hub(stmt, hub_id)):
            yield NewEpisodeFact(
                episode_id=r.id,
                hub_id=r.hub_id,
                family_id=r.family_id,
                source=r.source,
                requested_on=r.requested_on,
                previous_closed_on=r.previous_closed_on,
                recorded_at=r.created_at,
            )

    def closures(
        self,
        *,
        start: date,
        end: date,
        hub_id: uuid.UUID | None,
        known_at: datetime | None = None,
        ended: datetime | None = None,
    ) -> Iterator[ClosureFact]:
        n = FamilyNeedRow
        # A need recorded after `known_at` was not on the record then; an outcome recorded
        # after it was not yet reached (issue 18 §2).
        achieved = and_(n.outcome_status == "achieved", _known(n.outcome_recorded_at, known_at))
        stmt = (
            select(
                _E.id,
                _E.hub_id,
                _E.requested_on,
                _E.closed_on,
                _E.closed_recorded_at,
                _E.closure_reason,
                _E.family_life_improved,
                func.count(n.id).label("needs_recorded"),
                func.coalesce(func.sum(case((achieved, 1), else_=0)), 0).label("needs_achieved"),
                func.coalesce(
                    func.sum(case((achieved, _after(n.outcome_recorded_at, ended)), else_=0)), 0
                ).label("outcomes_entered_late"),
            )
            .outerjoin(
                n,
                and_(
                    n.episode_id == _E.id,
                    true() if known_at is None else n.created_at <= known_at,
                ),
            )
            .where(_E.closed_on >= start, _E.closed_on <= end, _closed_by(known_at))
            .group_by(
                _E.id,
                _E.hub_id,
                _E.requested_on,
                _E.closed_on,
                _E.closed_recorded_at,
                _E.closure_reason,
                _E.family_life_improved,
            )
            .order_by(_E.closed_on, _E.id)
        )
        for r in self._stream(_in_hub(stmt, hub_id)):
            yield ClosureFact(
                episode_id=r.id,
                hub_id=r.hub_id,
                requested_on=r.requested_on,
                closed_on=r.closed_on,
                reason=r.closure_reason or "other",
                family_life_improved=r.family_life_improved,
                needs_recorded=int(r.needs_recorded),
                needs_achieved=int(r.needs_achieved),
                recorded_at=r.closed_recorded_at,
                outcomes_entered_late=int(r.outcomes_entered_late),
            )

    def children_reached(
        self, *, start: date, end: date, hub_id: uuid.UUID | None, known_at: datetime | None = None
    ) -> Iterator[ChildFact]:
        p = PersonRow
        stmt = (
            select(
                _E.hub_id,
                _E.requested_on,
                p.id,
                p.date_of_birth,
                p.expected_delivery_date,
                p.sex,
                p.ethnicity,
                p.send,
            )
            .select_from(EpisodeChildRow)
            .join(_E, _E.id == EpisodeChildRow.episode_id)
            .join(p, p.id == EpisodeChildRow.person_id)
            .where(_E.requested_on >= start, _E.requested_on <= end, _requested_by(known_at))
            .order_by(_E.requested_on, _E.id, p.id)
        )
        for r in self._stream(_in_hub(stmt, hub_id)):
            yield ChildFact(
                hub_id=r.hub_id,
                person_id=r.id,
                requested_on=r.requested_on,
                date_of_birth=r.date_of_birth,
                expected_delivery_date=r.expected_delivery_date,
                sex=r.sex,
                ethnicity=r.ethnicity,
                send=bool(r.send),
            )

    def attached(
        self, *, start: date, end: date, hub_id: uuid.UUID | None, known_at: datetime | None = None
    ) -> Iterator[AttachedFact]:
        """Episodes open at some time in the period; with `known_at`, only those requested by
        then, a closure recorded later read as not yet made."""
        closed = _closed_by(known_at)
        closed_on = case((closed, _E.closed_on), else_=null())
        stmt = (
            select(
                _E.id,
                _E.family_id,
                _E.hub_id,
                _E.requested_on,
                closed_on.label("closed_on"),
                _E.created_at,
                case((closed, _E.closed_recorded_at), else_=null()).label("closed_recorded_at"),
            )
            .where(
                _E.requested_on <= end,
                or_(closed_on.is_(None), closed_on >= start),
                _requested_by(known_at),
            )
            .order_by(_E.requested_on, _E.id)
        )
        for r in self._stream(_in_hub(stmt, hub_id)):
            yield AttachedFact(
                episode_id=r.id,
                family_id=r.family_id,
                hub_id=r.hub_id,
                requested_on=r.requested_on,
                closed_on=r.closed_on,
                recorded_at=r.created_at,
                closed_recorded_at=r.closed_recorded_at,
            )

    def needs_of_attached(
        self, *, start: date, end: date, hub_id: uuid.UUID | None, known_at: datetime | None = None
    ) -> Iterator[NeedFact]:
        """The needs of the episodes open in the period; with `known_at`, only those recorded by
        then, an outcome recorded later read as still open."""
        n = FamilyNeedRow
        closed = _closed_by(known_at)
        closed_on = case((closed, _E.closed_on), else_=null())
        outcome_known = _known(n.outcome_recorded_at, known_at)
        stmt = (
            select(
                n.family_id,
                n.headline,
                n.emerged_later,
                case((outcome_known, n.outcome_status), else_="open").label("outcome_status"),
                case((outcome_known, n.outcome_on), else_=null()).label("outcome_on"),
                n.created_at,
                case((outcome_known, n.outcome_recorded_at), else_=null()).label(
                    "outcome_recorded_at"
                ),
            )
            .join(_E, _E.id == n.episode_id)
            .where(
                _E.requested_on <= end,
                or_(closed_on.is_(None), closed_on >= start),
                _requested_by(known_at),
                n.identified_on <= end,
                true() if known_at is None else n.created_at <= known_at,
            )
            .order_by(n.headline, n.id)
        )
        for r in self._stream(_in_hub(stmt, hub_id)):
            yield NeedFact(
                family_id=r.family_id,
                headline=r.headline,
                emerged_later=bool(r.emerged_later),
                outcome_status=r.outcome_status,
                outcome_on=r.outcome_on,
                recorded_at=r.created_at,
                outcome_recorded_at=r.outcome_recorded_at,
            )

    def requests_received(
        self, *, start: date, end: date, hub_id: uuid.UUID | None, known_at: datetime | None = None
    ) -> Iterator[RequestFact]:
        """Requests received in the period, with the hub of the household they are linked to; with
        `known_at`, only those recorded by then, a decision recorded later read as not yet made,
        and only the earlier episodes and requests then on the record."""
        r = SupportRequestRow
        decided = _known(r.decided_recorded_at, known_at)
        stmt = (
            select(
                r.id,
                FamilyRow.hub_id,
                case((decided, r.outcome), else_=null()).label("outcome"),
                r.recorded_at,
                case((decided, r.decided_recorded_at), else_=null()).label("decided_recorded_at"),
                earlier_episode_known_by(known_at).label("earlier_episode"),
                earlier_request_known_by(known_at).label("earlier_request"),
            )
            .outerjoin(FamilyRow, FamilyRow.id == r.family_id)
            .where(r.received_on >= start, r.received_on <= end)
            .order_by(r.received_on, r.id)
        )
        if known_at is not None:
            stmt = stmt.where(r.recorded_at <= known_at)
        if hub_id is not None:
            stmt = stmt.where(FamilyRow.hub_id == hub_id)
        for row in self._stream(stmt):
            yield RequestFact(
                request_id=row.id,
                hub_id=row.hub_id,
                outcome=row.outcome,
                earlier_episode=bool(row.earlier_episode),
                earlier_request=bool(row.earlier_request),
                recorded_at=row.recorded_at,
                decided_recorded_at=row.decided_recorded_at,
            )
