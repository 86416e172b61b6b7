"""Use cases of Family Help: read an episode's type, basis and allocations, step across, allocate
and end a role, record the CIN census dates, s.47 enquiries and child protection plans, and
extract the CIN census children.

The rules are app/domain/family_help.py's; this module fetches what they need (the practitioners
named, the episode's dates), decides access through the domain (`UseCase.require`) and commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from app.domain.access import Action
from app.domain.episodes import Episode
from app.domain.errors import InvalidValue
from app.domain.family_help import (
    Allocation,
    AllocationRole,
    Candidate,
    CensusCodes,
    CensusDates,
    ChildProtection,
    EpisodeType,
    FamilyHelpPolicy,
    FamilyHelpRecord,
    StatutoryBasis,
    StepRequest,
    Transition,
    TransitionKind,
    census_ethnicity,
    census_gender,
    new_record,
)
from app.domain.measures import check_period
from app.domain.step_dates import happened_on
from app.domain.versions import Expected, check_version
from app.services.episodes import load_episode
from app.services.ports import CensusChildRow, Clock, UnitOfWork
from app.services.use_case import Actor, Target, UseCase

MAX_CENSUS_DAYS = 400
"""A census year and some slack: a longer extract is a mistake, not a return."""


@dataclass(frozen=True)
class FamilyHelpView:
    """An episode's Family Help record with the names to show beside it."""

    record: FamilyHelpRecord
    policy: FamilyHelpPolicy
    practitioner_names: dict[uuid.UUID, str]


def _record_of(uow: UnitOfWork, episode: Episode) -> FamilyHelpRecord:
    """The stored record, or the one an episode without Family Help history has: early help, no
    basis, its lead professional as lead (version 0: not stored yet)."""
    stored = uow.family_help.get(episode.id)
    if stored is not None:
        return stored
    since = episode.lead_history[-1].assigned_on if episode.lead_history else episode.requested_on
    return new_record(
        episode.id,
        episode_type=EpisodeType.EARLY_HELP,
        lead_practitioner_id=episode.lead_practitioner_id,
        lead_since=since,
        allocation_id=uuid.uuid5(episode.id, "family-help-lead"),
    )


def _store(uow: UnitOfWork, record: FamilyHelpRecord, uc: UseCase) -> None:
    if record.version == 0:
        uow.family_help.add(record, at=uc.now)
    else:
        uow.family_help.save(record, at=uc.now)


def practitioners_named(record: FamilyHelpRecord) -> list[uuid.UUID]:
    """Everyone the record's read shape names: those allocated and those who decided a step."""
    ids = {a.practitioner_id for a in record.allocations} | {
        t.decided_by for t in record.transitions
    }
    return sorted(ids)


def _view(uow: UnitOfWork, record: FamilyHelpRecord, policy: FamilyHelpPolicy) -> FamilyHelpView:
    return FamilyHelpView(
        record=record,
        policy=policy,
        practitioner_names=uow.practitioners.names(practitioners_named(record)),
    )


def _candidate(uow: UnitOfWork, practitioner_id: uuid.UUID, field: str) -> Candidate:
    found = uow.practitioners.get(practitioner_id)
    if found is None:
        raise InvalidValue(
            "There is no practitioner with this id.", field=field, code="practitioner_unknown"
        )
    return found.as_candidate()


def get_family_help(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID, policy: FamilyHelpPolicy
) -> FamilyHelpView:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "family_help"))
        record = _record_of(uow, load_episode(uow, episode_id))
        view = _view(uow, record, policy)
        uc.commit()
        return view


@dataclass(frozen=True)
class StepInput:
    """A step across as asked for; the service looks up the practitioners it names."""

    kind: TransitionKind
    to_type: EpisodeType
    to_basis: StatutoryBasis
    decided_by: uuid.UUID
    reason: str
    effective_on: date | None = None
    threshold_document_version: str | None = None
    external_system: str | None = None
    external_reference: str | None = None
    lead_child_protection_practitioner_id: uuid.UUID | None = None
    oversight_practitioner_id: uuid.UUID | None = None
    oversight_role: AllocationRole = AllocationRole.PRACTICE_SUPERVISOR
    cin_closure_reason_code: str | None = None


def step_across(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    step: StepInput,
    *,
    policy: FamilyHelpPolicy,
    codes: CensusCodes,
    expected_version: Expected,
) -> tuple[FamilyHelpView, Transition]:
    """Move the episode to another type or statutory basis on the same record (If-Match: the
    Family Help record's version); the episode's assessment, plan, TAF and clocks are untouched."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.STEP_ACROSS, Target.episode(episode_id, "family_help"))
        episode = load_episode(uow, episode_id)
        record = _record_of(uow, episode)
        check_version(expected_version, record.version)
        on = happened_on(step.effective_on, today=uc.today, field="effective_on")
        request = StepRequest(
            kind=step.kind,
            to_type=step.to_type,
            to_basis=step.to_basis,
            effective_on=on,
            decided_by=_candidate(uow, step.decided_by, "decided_by"),
            reason=step.reason,
            threshold_document_version=step.threshold_document_version,
            external_system=step.external_system,
            external_reference=step.external_reference,
            lead_child_protection_practitioner=(
                _candidate(
                    uow,
                    step.lead_child_protection_practitioner_id,
                    "lead_child_protection_practitioner_id",
                )
                if step.lead_child_protection_practitioner_id is not None
                else None
            ),
            oversight=(
                _candidate(uow, step.oversight_practitioner_id, "oversight_practitioner_id")
                if step.oversight_practitioner_id is not None
                else None
            ),
            oversight_role=step.oversight_role,
            cin_closure_reason_code=step.cin_closure_reason_code,
        )
        transition = record.step(
            request,
            policy=policy,
            episode_open=episode.is_open,
            requested_on=episode.requested_on,
            census_codes=codes,
            new_id=uuid.uuid4(),
            allocation_ids=(uuid.uuid4() for _ in range(4)),
            recorded_at=uc.now,
        )
        _store(uow, record, uc)
        view = _view(uow, record, policy)
        uc.commit()
        return view, transition


@dataclass(frozen=True)
class AllocationInput:
    practitioner_id: uuid.UUID
    role: AllocationRole
    started_on: date | None = None
    chosen_with_family: bool | None = None
    family_choice_note: str | None = None


def allocate(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    request: AllocationInput,
    *,
    policy: FamilyHelpPolicy,
    expected_version: Expected,
) -> tuple[FamilyHelpView, Allocation]:
    """Give a practitioner from any agency a role on the episode. A new family help lead
    practitioner also becomes the episode's lead professional (the handover the episode keeps),
    so what they may see follows the role."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.ALLOCATE_PRACTITIONERS, Target.episode(episode_id, "family_help"))
        episode = load_episode(uow, episode_id)
        record = _record_of(uow, episode)
        check_version(expected_version, record.version)
        on = happened_on(request.started_on, today=uc.today, field="started_on")
        allocation = record.allocate(
            request.role,
            _candidate(uow, request.practitioner_id, "practitioner_id"),
            on=on,
            episode_open=episode.is_open,
            requested_on=episode.requested_on,
            new_id=uuid.uuid4(),
            chosen_with_family=request.chosen_with_family,
            family_choice_note=request.family_choice_note,
            recorded_at=uc.now,
        )
        if (
            request.role is AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER
            and episode.lead_practitioner_id != request.practitioner_id
        ):
            episode.assign_lead(
                request.practitioner_id,
                on,
                "allocated as family help lead practitioner",
                recorded_at=uc.now,
            )
            uow.episodes.save(episode, at=uc.now)
        _store(uow, record, uc)
        view = _view(uow, record, policy)
        uc.commit()
        return view, allocation


def end_allocation(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    allocation_id: uuid.UUID,
    *,
    ended_on: date | None,
    reason: str | None,
    policy: FamilyHelpPolicy,
    expected_version: Expected,
) -> FamilyHelpView:
    """End a practitioner's role on the episode, when the basis does not need it."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(
            Action.ALLOCATE_PRACTITIONERS, Target.episode(episode_id, "family_help", allocation_id)
        )
        episode = load_episode(uow, episode_id)
        record = _record_of(uow, episode)
        check_version(expected_version, record.version)
        on = happened_on(ended_on, today=uc.today, field="ended_on")
        record.end_allocation(allocation_id, on=on, reason=reason, episode_open=episode.is_open)
        _store(uow, record, uc)
        view = _view(uow, record, policy)
        uc.commit()
        return view


def record_census_dates(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    dates: CensusDates,
    *,
    policy: FamilyHelpPolicy,
    codes: CensusCodes,
    expected_version: Expected,
) -> FamilyHelpView:
    """Record the CIN census dates of the episode's child in need period, whoever leads it (the
    lead professional, as every other step of the episode)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "cin_census_dates"))
        episode = load_episode(uow, episode_id)
        record = _record_of(uow, episode)
        check_version(expected_version, record.version)
        record.record_census_dates(dates, codes, today=uc.today)
        _store(uow, record, uc)
        view = _view(uow, record, policy)
        uc.commit()
        return view


def record_child_protection(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    child_protection: ChildProtection,
    *,
    policy: FamilyHelpPolicy,
    codes: CensusCodes,
    expected_version: Expected,
) -> FamilyHelpView:
    """Record the s.47 enquiries and child protection plans of the child in need period
    (replacing those recorded), as the census dates are recorded."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "cin_census_child_protection"))
        episode = load_episode(uow, episode_id)
        record = _record_of(uow, episode)
        check_version(expected_version, record.version)
        record.record_child_protection(child_protection, codes, today=uc.today)
        _store(uow, record, uc)
        view = _view(uow, record, policy)
        uc.commit()
        return view


@dataclass(frozen=True)
class CensusLine:
    """One child's line of the CIN census extract: identifiers, characteristics as census codes,
    and the child in need period's dates, s.47 enquiries and child protection plans."""

    la_child_id: str
    upn: str | None
    date_of_birth: date | None
    dates: CensusDates
    episode_id: uuid.UUID
    nhs_number: str | None = None
    expected_birth_on: date | None = None
    gender_code: str | None = None
    ethnicity_code: str | None = None
    disabilities: tuple[str, ...] = ()
    child_protection: ChildProtection = field(default_factory=ChildProtection)


def cin_census(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    period_start: date,
    period_end: date,
    codes: CensusCodes,
) -> list[CensusLine]:
    """Every child of every episode whose child in need period overlaps the period, with the
    census's child-level dates. Each episode reported is an audit entry: the extract is
    personal data about each child."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.EXPORT_CIN_CENSUS, "cin_census")
        check_period(period_start, period_end)
        if (period_end - period_start).days > MAX_CENSUS_DAYS:
            raise InvalidValue(
                f"A census extract covers at most {MAX_CENSUS_DAYS} days.",
                field="to",
                code="census_period_too_long",
            )
        rows = uow.family_help.census_children(period_start, period_end)
        for episode_id in dict.fromkeys(r.episode_id for r in rows):
            uc.record(Action.EXPORT_CIN_CENSUS.value, Target.episode(episode_id, "cin_census"))
        lines = [_line(r, codes) for r in rows]
        uc.commit()
        return lines


def _line(row: CensusChildRow, codes: CensusCodes) -> CensusLine:
    return CensusLine(
        la_child_id=row.la_child_id or str(row.person_id),
        upn=row.upn,
        date_of_birth=row.date_of_birth,
        dates=row.record.census,
        episode_id=row.episode_id,
        nhs_number=row.nhs_number,
        expected_birth_on=row.expected_birth_on,
        gender_code=census_gender(
            row.sex, born_on=row.date_of_birth, expected_on=row.expected_birth_on, codes=codes
        ),
        ethnicity_code=census_ethnicity(row.ethnicity, codes),
        disabilities=row.disabilities,
        child_protection=row.record.child_protection,
    )
