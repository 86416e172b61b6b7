"""A practitioner's day: the episodes they lead by urgency, and everything due from them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from app.domain.access import Principal, Role
from app.domain.episodes import Episode, EpisodeStage
from app.domain.families import MemberRole, Person, household_name
from app.domain.paging import Page, PageRequest, encode_cursor, page_in_memory
from app.domain.timeliness import Deadline, DeadlineState
from app.domain.worklist import (
    DEADLINE_WORK,
    WorkItem,
    WorkKind,
    by_urgency,
    due_state,
    next_deadline,
)
from app.services.needs import ClosedCase, sustainment_checks_due
from app.services.ports import ClaimsUnitOfWork, UnitOfWork


class HouseholdView(Protocol):
    reference: str
    members: list[tuple[MemberRole, Person]]


class AssignedActionView(Protocol):
    episode_id: uuid.UUID
    family_id: uuid.UUID
    plan_id: uuid.UUID
    action_id: uuid.UUID
    description: str
    due_on: date
    status: str


class CaseloadQueries(Protocol):
    def led_episodes(
        self,
        lead_id: uuid.UUID,
        *,
        stage: str | None,
        hub_id: uuid.UUID | None,
        after: tuple[date, uuid.UUID] | None,
        limit: int,
    ) -> tuple[list[Episode], tuple[date, uuid.UUID] | None]: ...
    def households(
        self, family_ids: list[uuid.UUID], on: date
    ) -> dict[uuid.UUID, HouseholdView]: ...
    def assigned_actions(
        self, practitioner_id: uuid.UUID, on: date
    ) -> list[AssignedActionView]: ...
    def led_open_episodes(self, lead_id: uuid.UUID) -> list[Episode]: ...
    def led_closed_episodes(self, lead_id: uuid.UUID) -> Sequence[ClosedCase]: ...
    def episodes_awaiting_quality_assurance(self) -> list[Episode]: ...
    def plan_ids_awaiting_quality_assurance(
        self, episode_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, uuid.UUID]: ...


QueriesFactory = Callable[[], CaseloadQueries]


@dataclass(frozen=True)
class CaseloadEntry:
    episode: Episode
    family_name: str
    family_reference: str
    children: list[Person]
    next: tuple[Deadline, DeadlineState] | None


def caseload(
    uow: UnitOfWork,
    queries: QueriesFactory,
    lead_id: uuid.UUID,
    *,
    stage: EpisodeStage | None,
    hub_id: uuid.UUID | None,
    page: PageRequest,
    as_of: date,
) -> Page[CaseloadEntry]:
    """The episodes I lead, overdue first, then due soonest; one request renders the home screen."""
    after = page.after_key(date.fromisoformat, uuid.UUID)
    with uow:
        q = queries()
        due_soon = uow.policies.history().in_force_on(as_of).due_soon_days
        episodes, last = q.led_episodes(
            lead_id,
            stage=stage.value if stage else None,
            hub_id=hub_id,
            after=after,
            limit=page.limit,
        )
        households = q.households([e.family_id for e in episodes], as_of)
    entries = []
    for episode in episodes:
        household = households.get(episode.family_id)
        members = household.members if household else []
        children = [
            p
            for role, p in members
            if role is MemberRole.CHILD and p.id in set(episode.child_person_ids)
        ]
        entries.append(
            CaseloadEntry(
                episode=episode,
                family_name=household_name(members),
                family_reference=household.reference if household else "",
                children=children,
                next=next_deadline(episode.current_deadlines(), as_of, due_soon),
            )
        )
    cursor = encode_cursor((last[0].isoformat(), last[1])) if last else None
    return Page(items=entries, next_cursor=cursor)


def worklist(
    uow: ClaimsUnitOfWork,
    queries: QueriesFactory,
    principal: Principal,
    *,
    as_of: date,
    page: PageRequest,
) -> Page[WorkItem]:
    """Everything due from me across my roles: as lead, as TAF member, as quality assurance officer."""
    items: list[WorkItem] = []
    with uow:
        q = queries()
        due_soon = uow.policies.history().in_force_on(as_of).due_soon_days
        if principal.has(Role.PRACTITIONER):
            for episode in q.led_open_episodes(principal.practitioner_id):
                items.extend(_lead_work(episode, as_of, due_soon))
            for view in sustainment_checks_due(
                uow, q.led_closed_episodes(principal.practitioner_id)
            ):
                assert view.sustainment_due_on is not None
                items.append(
                    WorkItem(
                        kind=WorkKind.CHECK_SUSTAINMENT,
                        episode_id=view.stored.episode_id,
                        family_id=view.stored.family_id,
                        due_on=view.sustainment_due_on,
                        state=due_state(view.sustainment_due_on, as_of, due_soon),
                        need_id=view.stored.record.need.id,
                        description=f"Check the {view.stored.record.need.headline} outcome has held",
                    )
                )
            for action in q.assigned_actions(principal.practitioner_id, as_of):
                items.append(
                    WorkItem(
                        kind=WorkKind.DO_PLAN_ACTION,
                        episode_id=action.episode_id,
                        family_id=action.family_id,
                        due_on=action.due_on,
                        state=due_state(action.due_on, as_of, due_soon),
                        plan_id=action.plan_id,
                        action_id=action.action_id,
                        description=action.description,
                    )
                )
        if principal.has(Role.QUALITY_ASSURANCE):
            waiting = q.episodes_awaiting_quality_assurance()
            plans = q.plan_ids_awaiting_quality_assurance([e.id for e in waiting])
            for episode in waiting:
                clock = episode.quality_assurance_deadline
                items.append(
                    WorkItem(
                        kind=WorkKind.DECIDE_ON_PLAN,
                        episode_id=episode.id,
                        family_id=episode.family_id,
                        due_on=clock.due_on if clock else None,
                        state=_running(clock, as_of, due_soon),
                        plan_id=plans.get(episode.id),
                    )
                )
    return page_in_memory(by_urgency(items), _work_key, page)


def _work_key(item: WorkItem) -> tuple[str, ...]:
    return (
        (item.due_on or date.max).isoformat(),
        item.kind.value,
        str(item.episode_id),
        str(item.action_id),
    )


def _lead_work(episode: Episode, as_of: date, due_soon: int) -> list[WorkItem]:
    """The clocks waiting on the lead professional (QA's own clock is the officer's work)."""
    work = []
    found = [
        d
        for d in episode.current_deadlines()
        if d.kind in DEADLINE_WORK and DEADLINE_WORK[d.kind] is not WorkKind.DECIDE_ON_PLAN
    ]
    for deadline in found:
        state = _running(deadline, as_of, due_soon)
        if state is not None:
            work.append(
                WorkItem(
                    kind=DEADLINE_WORK[deadline.kind],
                    episode_id=episode.id,
                    family_id=episode.family_id,
                    due_on=deadline.due_on,
                    state=state,
                )
            )
    if episode.stage is EpisodeStage.PLAN_RETURNED:
        work.append(
            WorkItem(
                kind=WorkKind.RESUBMIT_PLAN,
                episode_id=episode.id,
                family_id=episode.family_id,
                due_on=None,
                state=None,
                description="Quality assurance returned the plan",
            )
        )
    return work


def _running(clock: Deadline | None, as_of: date, due_soon: int) -> DeadlineState | None:
    found = next_deadline([clock], as_of, due_soon) if clock is not None else None
    return found[1] if found else None
