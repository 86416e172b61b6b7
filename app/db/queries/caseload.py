"""Read side of a practitioner's day: the episodes they lead, by urgency, and the work due from them.

A fixed number of statements per page, whatever its size: the page of episodes, their children and
deadlines (hydration), and the families' members.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import (
    DeadlineRow,
    EpisodeAllocationRow,
    EpisodeRow,
    FamilyNeedRow,
    FamilyPlanRow,
    FamilyRow,
    MembershipRow,
    PersonRow,
    PlanActionRow,
    TafMemberRow,
)
from app.db.repositories.episodes import EPISODE_COLUMNS, SqlEpisodeRepository
from app.db.repositories.families import person_from_row
from app.domain.access import ALLOCATIONS_GRANTING_ACCESS
from app.domain.episodes import Episode, EpisodeStage
from app.domain.families import MemberRole
from app.domain.family_help import AllocationRole
from app.domain.supporting_families import NeedOutcome, SustainmentResult
from app.services.caseload import AssignedAction, Household

NO_DEADLINE = date(9999, 12, 31)


@dataclass(frozen=True)
class ClosedEpisode:
    id: uuid.UUID
    closed_on: date | None


_ON = bindparam("on", type_=Date)
_HOUSEHOLD_MEMBERS = (
    select(
        FamilyRow.id.label("household_id"),
        FamilyRow.reference.label("household_reference"),
        MembershipRow.role.label("member_role"),
        *PersonRow.__table__.columns,
    )
    .select_from(FamilyRow)
    .outerjoin(
        MembershipRow,
        and_(
            MembershipRow.family_id == FamilyRow.id,
            MembershipRow.joined_on <= _ON,
            or_(MembershipRow.left_on.is_(None), MembershipRow.left_on > _ON),
        ),
    )
    .outerjoin(PersonRow, PersonRow.id == MembershipRow.person_id)
    .where(one_of(FamilyRow.id, "family_ids"))
    .order_by(MembershipRow.joined_on, MembershipRow.id)
)
"""A page's households with their current members, built once: the page's second statement, on
the session's connection (three ORM statements cost a fifth of a caseload page: RESULTS.md)."""


def _working_allocation(practitioner_id: uuid.UUID, on: date) -> ColumnElement[bool]:
    """This practitioner's allocations beside a lead that run on `on` (the access rules' own)."""
    return and_(
        EpisodeAllocationRow.practitioner_id == practitioner_id,
        EpisodeAllocationRow.role.in_(sorted(r.value for r in ALLOCATIONS_GRANTING_ACCESS)),
        EpisodeAllocationRow.started_on <= on,
        or_(EpisodeAllocationRow.ended_on.is_(None), EpisodeAllocationRow.ended_on > on),
    )


class SqlCaseloadQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def worked_episodes(
        self,
        practitioner_id: uuid.UUID,
        *,
        on: date,
        stage: str | None,
        hub_id: uuid.UUID | None,
        after: tuple[date, uuid.UUID] | None,
        limit: int,
    ) -> tuple[list[Episode], tuple[date, uuid.UUID] | None]:
        """Open episodes this practitioner leads or is allocated to beside the lead on `on`, the
        one whose next running clock is due soonest first."""
        # Correlated, so only this lead's episodes' clocks are read (through the episode_id
        # index), not every running clock in the county grouped first.
        next_due = (
            select(func.min(DeadlineRow.due_on))
            .where(
                DeadlineRow.episode_id == EpisodeRow.id,
                DeadlineRow.met_on.is_(None),
                DeadlineRow.stopped_on.is_(None),
            )
            .correlate(EpisodeRow)
            .scalar_subquery()
        )
        urgency = func.coalesce(next_due, literal(NO_DEADLINE))
        stmt = (
            select(*EPISODE_COLUMNS, urgency.label("urgency"))
            .where(
                # Both halves through their own index (lead; allocations by practitioner).
                EpisodeRow.id.in_(
                    union(
                        select(EpisodeRow.id).where(
                            EpisodeRow.lead_practitioner_id == practitioner_id
                        ),
                        select(EpisodeAllocationRow.episode_id).where(
                            _working_allocation(practitioner_id, on)
                        ),
                    )
                ),
                EpisodeRow.stage != EpisodeStage.CLOSED.value,
            )
            .order_by(urgency, EpisodeRow.id)
            .limit(limit + 1)
        )
        if stage:
            stmt = stmt.where(EpisodeRow.stage == stage)
        if hub_id:
            stmt = stmt.where(EpisodeRow.hub_id == hub_id)
        if after is not None:
            stmt = stmt.where(
                or_(urgency > after[0], (urgency == after[0]) & (EpisodeRow.id > after[1]))
            )
        rows = list(self._session.connection().execute(stmt))
        more = len(rows) > limit
        rows = rows[:limit]
        episodes = SqlEpisodeRepository(self._session).hydrate(rows)
        last = (rows[-1].urgency, rows[-1].id) if more else None
        return episodes, last

    def allocation_roles(
        self, practitioner_id: uuid.UUID, episode_ids: list[uuid.UUID], on: date
    ) -> dict[uuid.UUID, AllocationRole]:
        """The role this practitioner is allocated in on each of these episodes on `on`, where
        they are allocated beside the lead."""
        if not episode_ids:
            return {}
        rows = self._session.connection().execute(
            select(EpisodeAllocationRow.episode_id, EpisodeAllocationRow.role).where(
                _working_allocation(practitioner_id, on),
                EpisodeAllocationRow.episode_id.in_(episode_ids),
            )
        )
        return {episode_id: AllocationRole(role) for episode_id, role in rows}

    def households(self, family_ids: list[uuid.UUID], on: date) -> dict[uuid.UUID, Household]:
        """Each family's reference and current members, in one statement."""
        if not family_ids:
            return {}
        found: dict[uuid.UUID, Household] = {}
        for row in self._session.connection().execute(
            _HOUSEHOLD_MEMBERS, {"family_ids": list(dict.fromkeys(family_ids)), "on": on}
        ):
            household = found.setdefault(
                row.household_id, Household(reference=row.household_reference, members=[])
            )
            if row.member_role is not None:
                household.members.append((MemberRole(row.member_role), person_from_row(row)))
        return found

    def assigned_actions(self, practitioner_id: uuid.UUID, on: date) -> list[AssignedAction]:
        """Open actions of agreed plans, assigned to this practitioner's active TAF seats."""
        rows = self._session.execute(
            select(
                EpisodeRow.id,
                EpisodeRow.family_id,
                FamilyPlanRow.id,
                PlanActionRow.id,
                PlanActionRow.description,
                PlanActionRow.due_on,
                PlanActionRow.status,
            )
            .join(FamilyPlanRow, FamilyPlanRow.id == PlanActionRow.plan_id)
            .join(EpisodeRow, EpisodeRow.id == FamilyPlanRow.episode_id)
            .join(TafMemberRow, TafMemberRow.id == PlanActionRow.owner_taf_member_id)
            .where(
                TafMemberRow.practitioner_id == practitioner_id,
                TafMemberRow.joined_on <= on,
                or_(TafMemberRow.left_on.is_(None), TafMemberRow.left_on > on),
                EpisodeRow.stage != EpisodeStage.CLOSED.value,
                FamilyPlanRow.status == "agreed",
                PlanActionRow.status.in_(["not_started", "in_progress"]),
            )
        )
        return [AssignedAction(*r) for r in rows]

    def led_open_episodes(self, lead_id: uuid.UUID) -> list[Episode]:
        rows = list(
            self._session.connection().execute(
                select(*EPISODE_COLUMNS).where(
                    EpisodeRow.lead_practitioner_id == lead_id,
                    EpisodeRow.stage != EpisodeStage.CLOSED.value,
                )
            )
        )
        return SqlEpisodeRepository(self._session).hydrate(rows)

    def led_closed_episodes(self, lead_id: uuid.UUID) -> list[ClosedEpisode]:
        """Closed episodes this practitioner led that have an achieved need whose sustainment
        check has no result yet: the only ones a check can be due for. Years of closed episodes
        are not read for nothing (about 130 per lead at county scale, five in six of them
        already checked: bench/RESULTS.md), and only what the check's due date needs of them:
        hydrating whole episodes was a sixth of a worklist's CPU. `sustainment_checks_due` still
        judges each need."""
        result = func.coalesce(
            FamilyNeedRow.sustainment["result"].as_string(), SustainmentResult.UNKNOWN.value
        )
        achieved = exists().where(
            FamilyNeedRow.episode_id == EpisodeRow.id,
            FamilyNeedRow.outcome_status == NeedOutcome.ACHIEVED.value,
            result == SustainmentResult.UNKNOWN.value,
        )
        rows = self._session.connection().execute(
            select(EpisodeRow.id, EpisodeRow.closed_on).where(
                EpisodeRow.lead_practitioner_id == lead_id,
                EpisodeRow.stage == EpisodeStage.CLOSED.value,
                achieved,
            )
        )
        return [ClosedEpisode(id=r.id, closed_on=r.closed_on) for r in rows]

    def episodes_awaiting_quality_assurance(self) -> list[Episode]:
        rows = list(
            self._session.connection().execute(
                select(*EPISODE_COLUMNS).where(
                    EpisodeRow.stage == EpisodeStage.PLAN_AWAITING_QA.value
                )
            )
        )
        return SqlEpisodeRepository(self._session).hydrate(rows)

    def plan_ids_awaiting_quality_assurance(
        self, episode_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, uuid.UUID]:
        if not episode_ids:
            return {}
        rows = self._session.execute(
            select(FamilyPlanRow.episode_id, FamilyPlanRow.id).where(
                FamilyPlanRow.episode_id.in_(episode_ids), FamilyPlanRow.status == "submitted"
            )
        )
        found: dict[uuid.UUID, uuid.UUID] = {}
        for episode_id, plan_id in rows:
            found[episode_id] = plan_id
        return found

    def returned_plan_ids(self, episode_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The plan quality assurance returned, for each episode waiting to resubmit one."""
        if not episode_ids:
            return {}
        rows = self._session.connection().execute(
            select(FamilyPlanRow.episode_id, FamilyPlanRow.id).where(
                FamilyPlanRow.episode_id.in_(episode_ids), FamilyPlanRow.status == "returned"
            )
        )
        return dict(rows.all())

    def episode_versions(self, episode_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Each episode's version, for a row to offer as If-Match without reading the episode."""
        if not episode_ids:
            return {}
        rows = self._session.connection().execute(
            select(EpisodeRow.id, EpisodeRow.version).where(EpisodeRow.id.in_(episode_ids))
        )
        return dict(rows.all())


__all__ = ["AssignedAction", "Household", "SqlCaseloadQueries"]
