"""A practitioner's day: the episodes they lead by urgency, and everything due from them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from app.domain.access import Action, Role
from app.domain.caseload import (
    DEADLINE_WORK,
    WorkingRole,
    WorkItem,
    WorkKind,
    by_urgency,
    due_state,
    next_deadline,
    working_role,
)
from app.domain.contacts import no_contact_due_on
from app.domain.episodes import Episode, EpisodeStage, QaOutcome
from app.domain.families import MemberRole, Person, household_name
from app.domain.family_help import AllocationRole
from app.domain.paging import Page, PageRequest, encode_cursor, page_in_memory
from app.domain.timeliness import Deadline, DeadlineState, DeadlineStatus
from app.services.needs import ClosedCase, sustainment_checks_due
from app.services.ports import ClaimsUnitOfWork, Clock
from app.services.use_case import Actor, UseCase


@dataclass(frozen=True)
class Household:
    """A household as a caseload row names it: its reference and current members."""

    reference: str
    members: list[tuple[MemberRole, Person]]


@dataclass(frozen=True)
class AssignedAction:
    """A plan action assigned to the practitioner through their TAF seat."""

    episode_id: uuid.UUID
    family_id: uuid.UUID
    plan_id: uuid.UUID
    action_id: uuid.UUID
    description: str
    due_on: date
    status: str


class CaseloadQueries(Protocol):
    def worked_episodes(
        self,
        practitioner_id: uuid.UUID,
        *,
        on: date,
        stage: str | None,
        hub_id: uuid.UUID | None,
        after: tuple[date, uuid.UUID] | None,
        limit: int,
    ) -> tuple[list[Episode], tuple[date, uuid.UUID] | None]: ...
    def allocation_roles(
        self, practitioner_id: uuid.UUID, episode_ids: list[uuid.UUID], on: date
    ) -> dict[uuid.UUID, AllocationRole]: ...
    def households(self, family_ids: list[uuid.UUID], on: date) -> dict[uuid.UUID, Household]: ...
    def assigned_actions(self, practitioner_id: uuid.UUID, on: date) -> list[AssignedAction]: ...
    def led_open_episodes(self, lead_id: uuid.UUID) -> list[Episode]: ...
    def led_closed_episodes(self, lead_id: uuid.UUID) -> Sequence[ClosedCase]: ...
    def episodes_awaiting_quality_assurance(self) -> list[Episode]: ...
    def plan_ids_awaiting_quality_assurance(
        self, episode_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, uuid.UUID]: ...
    def returned_plan_ids(self, episode_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]: ...
    def episode_versions(self, episode_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]: ...


class CaseloadUnitOfWork(ClaimsUnitOfWork, Protocol):
    @property
    def caseload(self) -> CaseloadQueries: ...


@dataclass(frozen=True)
class CaseloadEntry:
    episode: Episode
    family_name: str
    family_reference: str
    children: list[Person]
    next: tuple[Deadline, DeadlineState] | None
    last_contact_on: date | None = None
    """The day of the family's latest contact on this episode (attempted visits aside)."""
    role: WorkingRole = WorkingRole.LEAD_PROFESSIONAL
    """How I work it: as its lead, or allocated beside the lead (Family Help)."""


def caseload(
    uow: CaseloadUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    stage: EpisodeStage | None,
    hub_id: uuid.UUID | None,
    page: PageRequest,
) -> Page[CaseloadEntry]:
    """The episodes I lead, and on Family Help those I am allocated to beside the lead (lead
    child protection practitioner, co-worker), overdue first, then due soonest; one request
    renders the home screen."""
    after = page.after_key(date.fromisoformat, uuid.UUID)
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_MY_WORK, "caseload")
        if not actor.principal.has(Role.PRACTITIONER):
            # Only practitioners lead episodes (the access rules' `leads`).
            uc.commit()
            return Page(items=[], next_cursor=None)
        as_of = uc.today
        due_soon = uow.policies.history().in_force_on(as_of).due_soon_days
        found, last = uow.caseload.worked_episodes(
            actor.principal.practitioner_id,
            on=as_of,
            stage=stage.value if stage else None,
            hub_id=hub_id,
            after=after,
            limit=page.limit,
        )
        readable = uc.readable_episodes((e.id, e.family_id) for e in found)
        episodes = [e for e in found if e.id in readable]
        households = uow.caseload.households([e.family_id for e in episodes], as_of)
        last_contacts = uow.contacts.last_contact_on([e.id for e in episodes])
        me = actor.principal.practitioner_id
        beside = [e.id for e in episodes if e.lead_practitioner_id != me]
        allocated = uow.caseload.allocation_roles(me, beside, as_of) if beside else {}
        uc.commit()
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
                last_contact_on=last_contacts.get(episode.id),
                role=working_role(allocated.get(episode.id)),
            )
        )
    cursor = encode_cursor((last[0].isoformat(), last[1])) if last else None
    return Page(items=entries, next_cursor=cursor)


def worklist(
    uow: CaseloadUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    as_of: date | None,
    page: PageRequest,
) -> Page[WorkRow]:
    """Everything due from me across my roles: as lead, as TAF member, as quality assurance officer."""
    principal = actor.principal
    items: list[WorkItem] = []
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_MY_WORK, "worklist")
        day = as_of or uc.today
        q = uow.caseload
        due_soon = uow.policies.history().in_force_on(day).due_soon_days
        if principal.has(Role.PRACTITIONER):
            led = q.led_open_episodes(principal.practitioner_id)
            for episode in led:
                items.extend(_lead_work(episode, day, due_soon))
            items.extend(_contact_work(uow, led, day, due_soon))
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
                        state=due_state(view.sustainment_due_on, day, due_soon),
                        need_id=view.stored.record.need.id,
                        description=f"Check the {view.stored.record.need.headline} outcome has held",
                    )
                )
            for request in uow.requests.attached_unacknowledged(principal.practitioner_id):
                assert request.decision is not None
                assert request.family_id is not None
                assert request.decision.episode_id is not None
                items.append(
                    WorkItem(
                        kind=WorkKind.READ_ATTACHED_REQUEST,
                        episode_id=request.decision.episode_id,
                        family_id=request.family_id,
                        due_on=None,
                        state=None,
                        description="The front door attached a new request for support",
                        request_id=request.id,
                    )
                )
            for action in q.assigned_actions(principal.practitioner_id, day):
                items.append(
                    WorkItem(
                        kind=WorkKind.DO_PLAN_ACTION,
                        episode_id=action.episode_id,
                        family_id=action.family_id,
                        due_on=action.due_on,
                        state=due_state(action.due_on, day, due_soon),
                        plan_id=action.plan_id,
                        action_id=action.action_id,
                        description=action.description,
                    )
                )
        if principal.has(Role.QUALITY_ASSURANCE):
            waiting = q.episodes_awaiting_quality_assurance()
            plans = q.plan_ids_awaiting_quality_assurance([e.id for e in waiting])
            for episode in waiting:
                running = episode.quality_assurance_deadline
                items.append(
                    WorkItem(
                        kind=WorkKind.DECIDE_ON_PLAN,
                        episode_id=episode.id,
                        family_id=episode.family_id,
                        due_on=running.due_on if running else None,
                        state=_running(running, day, due_soon),
                        plan_id=plans.get(episode.id),
                    )
                )
        # Judged before paging, so a page and its cursor hold only work the user may see.
        readable = uc.readable_episode_ids((i.episode_id, i.family_id) for i in items)
        shown = page_in_memory(
            by_urgency([i for i in items if (i.episode_id, i.family_id) in readable]),
            _work_key,
            page,
        )
        uc.listed_episodes((i.episode_id, i.family_id) for i in shown.items)
        rows = _work_rows(uow, shown.items, day)
        uc.commit()
    return Page(items=rows, next_cursor=shown.next_cursor)


@dataclass(frozen=True)
class WorkRow:
    """A worklist item with what its row shows: the family's reference and name, the episode's
    version (If-Match for its next step), and for a returned plan its id and who returned it."""

    item: WorkItem
    family_reference: str
    family_name: str
    episode_version: int | None
    plan_id: uuid.UUID | None
    qa_officer_name: str | None


def _work_rows(uow: CaseloadUnitOfWork, items: list[WorkItem], day: date) -> list[WorkRow]:
    """Everything the page's rows show, in a fixed number of statements whatever its length."""
    q = uow.caseload
    episode_ids = list(dict.fromkeys(i.episode_id for i in items))
    households = q.households(list(dict.fromkeys(i.family_id for i in items)), day)
    versions = q.episode_versions(episode_ids)
    returned = q.returned_plan_ids(
        [i.episode_id for i in items if i.kind is WorkKind.RESUBMIT_PLAN]
    )
    officers = uow.practitioners.names(
        [i.qa_officer_id for i in items if i.qa_officer_id is not None]
    )
    rows = []
    for item in items:
        household = households.get(item.family_id)
        rows.append(
            WorkRow(
                item=item,
                family_reference=household.reference if household else "",
                family_name=household_name(household.members) if household else "",
                episode_version=versions.get(item.episode_id),
                plan_id=item.plan_id or returned.get(item.episode_id),
                qa_officer_name=officers.get(item.qa_officer_id) if item.qa_officer_id else None,
            )
        )
    return rows


def _work_key(item: WorkItem) -> tuple[str, ...]:
    return (
        (item.due_on or date.max).isoformat(),
        item.kind.value,
        str(item.episode_id),
        str(item.action_id),
        str(item.request_id),
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
        returned = next(
            (d for d in reversed(episode.qa_decisions) if d.outcome is QaOutcome.RETURNED), None
        )
        work.append(
            WorkItem(
                kind=WorkKind.RESUBMIT_PLAN,
                episode_id=episode.id,
                family_id=episode.family_id,
                due_on=None,
                state=None,
                description="Quality assurance returned the plan",
                qa_comments=returned.comments if returned else None,
                qa_officer_id=returned.officer_id if returned else None,
                qa_decided_on=returned.decided_on if returned else None,
            )
        )
    return work


def _contact_work(
    uow: CaseloadUnitOfWork, episodes: list[Episode], day: date, due_soon: int
) -> list[WorkItem]:
    """Open episodes whose family has had no contact for the policy's working days, or soon
    will have (the last contact date of every episode in one statement)."""
    if not episodes:
        return []
    days = uow.policies.history().in_force_on(day).no_contact_working_days
    calendar = uow.reference_data.calendar()
    last = uow.contacts.last_contact_on([e.id for e in episodes])
    work = []
    for episode in episodes:
        due_on = no_contact_due_on(
            last.get(episode.id), episode.requested_on, days=days, calendar=calendar
        )
        state = due_state(due_on, day, due_soon)
        if state.status is DeadlineStatus.ON_TIME:
            continue
        work.append(
            WorkItem(
                kind=WorkKind.CONTACT_FAMILY,
                episode_id=episode.id,
                family_id=episode.family_id,
                due_on=due_on,
                state=state,
                description=f"No contact with the family for {days} working days",
            )
        )
    return work


def _running(clock: Deadline | None, as_of: date, due_soon: int) -> DeadlineState | None:
    found = next_deadline([clock], as_of, due_soon) if clock is not None else None
    return found[1] if found else None
