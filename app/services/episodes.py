"""Use cases of the episode: open it, start the assessment, hand over, change level, close it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, datetime

from app.domain.access import Action
from app.domain.assessments import Assessment, start_assessment_draft
from app.domain.consents import ConsentPurpose, consent_in_force
from app.domain.episodes import (
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyView,
    RequestSource,
    open_episode,
)
from app.domain.errors import Conflict, InvalidValue, NotFound
from app.domain.families import Family, MemberRole, Person
from app.domain.family_help import FamilyHelpPolicy, new_record
from app.domain.paging import Page, PageRequest
from app.domain.plans import FamilyPlan, plan_in_force_on
from app.domain.practitioners import Practitioner
from app.domain.step_dates import happened_on
from app.domain.taf import TafMeeting, TafMember
from app.domain.timeliness import Deadline, DeadlineState, PolicyHistory, assess
from app.domain.versions import Expected, check_version
from app.services.names import Names, resolve_names
from app.services.ports import Clock, EpisodeFilter, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    state: DeadlineState


@dataclass(frozen=True)
class EpisodeRecord:
    """An episode as the lead professional and the TAF see it: stage, who leads, what is due."""

    episode: Episode
    lead: Practitioner | None
    deadlines: list[DeadlineView]
    as_of: date
    names: Names
    """The names of the quality assurance officers its decisions mention (and, read beside a
    plan or the whole case, of everyone those mention)."""
    stage: EpisodeStage
    """Where the episode stood on `as_of` (its current stage from today on)."""
    plan_in_force: FamilyPlan | None = None
    """The plan in force on `as_of`, where the view was asked for it (one episode)."""


def load_episode(uow: UnitOfWork, episode_id: uuid.UUID) -> Episode:
    episode = uow.episodes.get(episode_id)
    if episode is None:
        raise NotFound("There is no episode with this id.")
    return episode


def deadline_views(
    deadlines: list[Deadline], history: PolicyHistory, as_of: date
) -> list[DeadlineView]:
    due_soon = history.in_force_on(as_of).due_soon_days
    return [DeadlineView(deadline=d, state=assess(d, as_of, due_soon)) for d in deadlines]


def stage_on(episode: Episode, as_of: date, today: date) -> EpisodeStage:
    """The stage as it stood on a past day (issue 18 §2); from today on, the stage it has."""
    return episode.stage if as_of >= today else episode.stage_on(as_of)


def episode_record(
    uow: UnitOfWork,
    episode: Episode,
    as_of: date,
    *,
    today: date,
    names: Names | None = None,
    with_plan: bool = False,
) -> EpisodeRecord:
    """The episode as it stood on `as_of`: its stage, every clock started by then with its status
    that day, who leads it and its QA officers' names (looked up unless `names` holds them);
    with `with_plan`, the plan then in force. The lead and the officers are read in one
    statement."""
    stage = stage_on(episode, as_of, today)
    plan = plan_in_force_on(uow.plans.for_episode(episode.id), as_of) if with_plan else None
    officers = {d.officer_id for d in episode.qa_decisions}
    wanted = [
        episode.lead_practitioner_id,
        *(() if names is not None else sorted(officers, key=str)),
    ]
    found = uow.practitioners.get_many(wanted)
    return EpisodeRecord(
        episode=episode,
        lead=found.get(episode.lead_practitioner_id),
        deadlines=deadline_views(episode.deadlines_known_on(as_of), uow.policies.history(), as_of),
        as_of=as_of,
        names=names
        if names is not None
        else Names(by_id={i: p.name for i, p in found.items() if i in officers}),
        stage=stage,
        plan_in_force=plan,
    )


def _require_lead(uow: UnitOfWork, practitioner_id: uuid.UUID, field: str) -> Practitioner:
    lead = uow.practitioners.get(practitioner_id)
    if lead is None or not lead.can_lead:
        raise InvalidValue(
            "This is not an active practitioner who can lead an episode.",
            field=field,
            code="lead_not_eligible",
        )
    return lead


@dataclass(frozen=True)
class EpisodeRequest:
    family_id: uuid.UUID
    source: RequestSource
    level_of_need: str
    lead_practitioner_id: uuid.UUID
    child_person_ids: tuple[uuid.UUID, ...]
    requested_on: date | None = None
    hub_id: uuid.UUID | None = None
    step_down_reference: str | None = None
    step_down_notes: str | None = None
    reason: str | None = None


def open_new_episode(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    request: EpisodeRequest,
    *,
    levels: Collection[str],
    idempotency: IdempotentRequest[EpisodeRecord] | None = None,
    family_help: FamilyHelpPolicy | None = None,
) -> EpisodeRecord | Replayed:
    """Open an episode for a family; a family that had one before gets a new one linked to the old.

    On a council that runs Family Help the episode opens as Family Help, its lead as family help
    lead practitioner; elsewhere nothing Family Help is stored (the episode is early help)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.OPEN_EPISODE, Target.family(request.family_id, "episode"))
        return run_idempotent(uc, idempotency, lambda: _open(uc, request, levels, family_help))


def open_for_request(
    uc: UseCase,
    request: EpisodeRequest,
    levels: Collection[str],
    family_help: FamilyHelpPolicy | None = None,
) -> EpisodeRecord:
    """Open an episode inside another use case (the front door's early help decision), by the
    same steps and rules as `open_new_episode`; the caller has decided access and recorded an
    `open_episode` audit entry for it to name the episode."""
    return _open(uc, request, levels, family_help)


def _open(
    uc: UseCase,
    request: EpisodeRequest,
    levels: Collection[str],
    family_help: FamilyHelpPolicy | None = None,
) -> EpisodeRecord:
    uow, today = uc.uow, uc.today
    requested_on = request.requested_on or today
    if requested_on > today:
        raise InvalidValue(
            "A request cannot be dated in the future.",
            field="requested_on",
            code="request_in_future",
        )
    family = uow.families.get(request.family_id)
    assert family is not None  # the access rules found it
    # One open episode per family: two requests opening one at once take turns from here,
    # so the second sees the first's episode below and is refused.
    uow.families.lock(family.id)
    hub_id = request.hub_id or family.hub_id
    hub = uow.reference.hub(hub_id)
    if hub is None or not hub.active:
        raise InvalidValue(
            "There is no active family hub with this id.", field="hub_id", code="hub_unknown"
        )
    for index, person_id in enumerate(request.child_person_ids):
        membership = family.membership_of(person_id, requested_on)
        if membership is None or membership.role is not MemberRole.CHILD:
            raise InvalidValue(
                "Each child must be a current child member of the family.",
                field=f"child_person_ids[{index}]",
                code="episode_child_not_child_member",
            )
    _require_lead(uow, request.lead_practitioner_id, "lead_practitioner_id")
    previous = uow.episodes.for_family(family.id)
    if any(e.is_open for e in previous):
        raise Conflict(
            "This family already has an open episode; close it before opening another.",
            code="episode_already_open",
        )
    closed = [e for e in previous if e.closed_on is not None]
    episode = open_episode(
        id=uuid.uuid4(),
        family_id=family.id,
        hub_id=hub_id,
        source=request.source,
        level_of_need=request.level_of_need,
        allowed_levels=levels,
        lead_practitioner_id=request.lead_practitioner_id,
        child_person_ids=request.child_person_ids,
        requested_on=requested_on,
        previous_episode_id=max(closed, key=lambda e: e.closed_on or requested_on).id
        if closed
        else None,
        step_down_reference=request.step_down_reference,
        step_down_notes=request.step_down_notes,
        reason=request.reason,
        recorded_at=uc.now,
    )
    uow.episodes.add(episode, at=uc.now)
    if family_help is not None and family_help.enabled:
        uow.family_help.add(
            new_record(
                episode.id,
                episode_type=family_help.new_episode_type,
                lead_practitioner_id=episode.lead_practitioner_id,
                lead_since=episode.requested_on,
                allocation_id=uuid.uuid4(),
            ),
            at=uc.now,
        )
    uc.identify(Action.OPEN_EPISODE, episode.id)
    return episode_record(uow, episode, today, today=today)


def get_episode(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID, as_of: date | None
) -> EpisodeRecord:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id))
        record = episode_record(
            uow, load_episode(uow, episode_id), as_of or uc.today, today=uc.today, with_plan=True
        )
        uc.commit()
        return record


def search_episodes(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    flt: EpisodeFilter,
    page: PageRequest,
    as_of: date | None,
) -> Page[EpisodeRecord]:
    """Episodes the user may read, matching the filter; scoped in SQL like every list."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.SEARCH_FAMILIES, "episode_search")
        found = uow.episodes.search(replace(flt, scope=uc.search_scope()), page)
        readable = uc.readable_episodes((e.id, e.family_id) for e in found.items)
        episodes = [e for e in found.items if e.id in readable]
        leads = uow.practitioners.get_many([e.lead_practitioner_id for e in episodes])
        names = resolve_names(uow, decisions=[d for e in episodes for d in e.qa_decisions])
        history = uow.policies.history()
        day = as_of or uc.today
        records = [
            EpisodeRecord(
                episode=e,
                lead=leads.get(e.lead_practitioner_id),
                deadlines=deadline_views(e.deadlines_known_on(day), history, day),
                as_of=day,
                names=names,
                stage=e.stage if day >= uc.today or day < e.requested_on else e.stage_on(day),
            )
            for e in episodes
        ]
        uc.commit()
        return Page(items=records, next_cursor=found.next_cursor)


def _step(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    expected_version: Expected,
    step: Callable[[UseCase, Episode], None],
    *,
    action: Action = Action.WRITE_EPISODE,
) -> EpisodeRecord:
    """One step of the process on an episode: access, version, the step, save, one commit."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(action, Target.episode(episode_id))
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        step(uc, episode)
        uow.episodes.save(episode, at=uc.now)
        record = episode_record(uow, episode, uc.today, today=uc.today)
        uc.commit()
        return record


def start_assessment(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    expected_version: Expected,
    started_on: date | None = None,
) -> tuple[EpisodeRecord, Assessment]:
    """Consent to take part is in force: the assessment starts and its clock runs from the consent date.

    `started_on` is the day it started (today by default): consent must have been in force then.
    """
    started: list[Assessment] = []

    def start(uc: UseCase, episode: Episode) -> None:
        on = happened_on(started_on, today=uc.today, field="started_on")
        consent = consent_in_force(
            uc.uow.consents.for_family(episode.family_id),
            ConsentPurpose.EARLY_HELP,
            on,
            children=episode.child_person_ids,
        )
        episode.start_assessment(
            on,
            consent_given_on=consent.given_on if consent else None,
            policy_history=uc.uow.policies.history(),
            calendar=uc.uow.reference_data.calendar(),
        )
        assessment = start_assessment_draft(
            id=uuid.uuid4(),
            episode_id=episode.id,
            started_on=on,
            allowed_headlines=uc.uow.reference_data.headline_codes(),
            covered_person_ids=episode.child_person_ids,
        )
        assessment.started_recorded_at = uc.now
        uc.uow.assessments.add(assessment, at=uc.now)
        started.append(assessment)

    record = _step(uow, clock, actor, episode_id, expected_version, start)
    return record, started[0]


def assign_lead(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    practitioner_id: uuid.UUID,
    reason: str | None,
    expected_version: Expected,
    effective_on: date | None = None,
) -> EpisodeRecord:
    """Hand the episode to another lead professional from `effective_on` (today by default); the
    history keeps who, from, to, when and why, and when it was recorded."""

    def assign(uc: UseCase, episode: Episode) -> None:
        on = happened_on(effective_on, today=uc.today, field="effective_on")
        lead = _require_lead(uc.uow, practitioner_id, "practitioner_id")
        episode.assign_lead(practitioner_id, on, reason, recorded_at=uc.now)
        # On Family Help the family help lead practitioner is the lead professional: it follows.
        family_help = uc.uow.family_help.get(episode.id)
        if family_help is not None and family_help.follow_lead_handover(
            lead.as_candidate(), on=on, new_id=uuid.uuid4(), recorded_at=uc.now
        ):
            uc.uow.family_help.save(family_help, at=uc.now)

    return _step(
        uow, clock, actor, episode_id, expected_version, assign, action=Action.REASSIGN_LEAD
    )


def change_level(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    level: str,
    reason: str | None,
    expected_version: Expected,
    levels: Collection[str],
    effective_on: date | None = None,
) -> EpisodeRecord:
    """Move the episode to another level of need from `effective_on` (today by default)."""

    def change(uc: UseCase, episode: Episode) -> None:
        on = happened_on(effective_on, today=uc.today, field="effective_on")
        episode.change_level(level, on, reason, levels, recorded_at=uc.now)

    return _step(
        uow, clock, actor, episode_id, expected_version, change, action=Action.STEER_EPISODE
    )


@dataclass(frozen=True)
class Closure:
    reason: ClosureReason
    family_view: FamilyView | None
    closed_on: date | None = None
    notes: str | None = None
    stepped_up_reference: str | None = None


def close_episode(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    closure: Closure,
    *,
    expected_version: Expected,
) -> EpisodeRecord:
    def close(uc: UseCase, episode: Episode) -> None:
        closed_on = happened_on(closure.closed_on, today=uc.today, field="closed_on")
        completions = [
            a.completed_on
            for a in uc.uow.assessments.for_episode(episode.id)
            if a.completed_on is not None
        ]
        episode.close(
            closed_on,
            closure.reason,
            closure.family_view,
            closure.notes,
            closure.stepped_up_reference,
            assessment_completed_on=max(completions, default=None),
        )
        episode.closed_recorded_at = uc.now

    return _step(
        uow, clock, actor, episode_id, expected_version, close, action=Action.STEER_EPISODE
    )


def record_consent_withdrawn_on_open_episodes(
    uow: UnitOfWork, family_id: uuid.UUID, on: date, *, at: datetime
) -> None:
    """Called inside a consent withdrawal: an open episode whose children no remaining consent to
    take part covers has its clocks stopped.

    Runs in the caller's unit of work so the withdrawal and its effect commit together.
    """
    consents = uow.consents.for_family(family_id)
    for episode in uow.episodes.for_family(family_id):
        if (
            episode.is_open
            and episode.stage is not EpisodeStage.REQUESTED
            and not episode.consent_withdrawn
            and consent_in_force(
                consents, ConsentPurpose.EARLY_HELP, on, children=episode.child_person_ids
            )
            is None
        ):
            episode.record_consent_withdrawn(on)
            uow.episodes.save(episode, at=at)


RECENT_MEETINGS = 5
"""How many of the latest TAF meetings the case view carries (the rest: the meetings list)."""


@dataclass(frozen=True)
class CaseView:
    """One episode as a lead's screen shows it: the episode with its clocks, the household, the
    current assessment and plan, the Team Around the Family and the latest meetings, with the
    names of everyone they mention, read in one transaction."""

    record: EpisodeRecord
    family: Family
    members: list[tuple[MemberRole, Person]]
    """The household's current members (names and roles only are shown: no contact details)."""
    assessment: Assessment | None
    plan: FamilyPlan | None
    taf: list[TafMember]
    meetings: list[TafMeeting]
    """The latest first, at most RECENT_MEETINGS."""
    meetings_held: int
    names: Names
    """The names of everyone the view mentions: TAF members, action owners, QA officers."""

    @property
    def versions(self) -> tuple[int, ...]:
        """Everything that changes what the view shows: its validator (ETag) is made of these."""
        return (
            self.record.episode.version,
            self.family.version,
            self.assessment.version if self.assessment else 0,
            self.plan.version if self.plan else 0,
            *sorted(m.version for m in self.taf),
            len(self.taf),
            self.meetings_held,
            self.record.lead.version if self.record.lead else 0,
        )


def get_case(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID, as_of: date | None
) -> CaseView:
    """The case on one screen: one request instead of one per panel."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "episode_case"))
        episode = load_episode(uow, episode_id)
        family = uow.families.get(episode.family_id)
        assert family is not None  # an episode's family is never deleted
        current = family.current_memberships(uc.today)
        people = uow.people.get_many([m.person_id for m in current])
        assessments = uow.assessments.for_episode(episode_id)
        plans = uow.plans.for_episode(episode_id)
        taf = uow.taf.members(episode_id)
        meetings = sorted(uow.taf.meetings(episode_id), key=lambda m: (m.held_on, m.id))
        plan = max(plans, key=lambda p: p.number, default=None)
        names = resolve_names(
            uow,
            taf=taf,
            plans=[plan] if plan else [],
            decisions=episode.qa_decisions,
            known_people=people.values(),
        )
        record = episode_record(uow, episode, as_of or uc.today, today=uc.today, names=names)
        view = CaseView(
            record=record,
            family=family,
            members=[(m.role, people[m.person_id]) for m in current if m.person_id in people],
            assessment=max(assessments, key=lambda a: a.number, default=None),
            plan=plan,
            taf=taf,
            meetings=list(reversed(meetings[-RECENT_MEETINGS:])),
            meetings_held=len(meetings),
            names=names,
        )
        uc.commit()
        return view
