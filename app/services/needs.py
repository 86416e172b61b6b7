"""Use cases for Supporting Families needs on the case record: record them, their outcomes, the
sustainment check after closure, and the support delivered.

Every step is a step on the episode: the lead professional writes (WRITE_EPISODE), whoever may
read the episode reads (READ_EPISODE). The rules of what the record accepts are the domain's
(`app.domain.supporting_families`); what stays here needs the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from app.domain.access import Action
from app.domain.episodes import Episode
from app.domain.errors import InvalidValue, NotFound
from app.domain.outcomes_framework import FrameworkCatalogue
from app.domain.step_dates import PreviousStep, check_step_date, check_step_order, happened_on
from app.domain.supporting_families import (
    Evidence,
    NeedOutcome,
    NeedRecord,
    RecordedNeed,
    SupportDelivered,
    SustainmentResult,
    check_need_identified,
    check_need_members,
    check_needs_recorded_while_open,
    check_support_dates,
    closed_for_sustainment,
    need_descriptor,
    record_outcome,
    record_sustainment_check,
    sustainment_due_on,
)
from app.domain.versions import Expected, check_version
from app.services.episodes import load_episode
from app.services.ports import ClaimsUnitOfWork, Clock, StoredNeed, StoredSupport
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class NeedView:
    stored: StoredNeed
    sustainment_due_on: date | None
    """When the outcome is re-checked: set once the episode is closed and the outcome achieved."""


@dataclass(frozen=True)
class EvidenceIn:
    source: str
    reference: str


class ClosedCase(Protocol):
    """What a sustainment check's due date needs of an episode: which, and when it closed."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def closed_on(self) -> date | None: ...


def _due(stored: StoredNeed, episode: ClosedCase, catalogue: FrameworkCatalogue) -> date | None:
    if episode.closed_on is None or stored.record.outcome.status is not NeedOutcome.ACHIEVED:
        return None
    return sustainment_due_on(stored.record.need, episode.closed_on, catalogue)


def _evidence(uc: UseCase, evidence: EvidenceIn) -> Evidence:
    """Evidence recorded by the signed-in practitioner, today."""
    return Evidence(
        source=evidence.source,
        reference=evidence.reference,
        recorded_by=uc.principal.practitioner_id,
        recorded_on=uc.today,
    )


def _note_case_edit(uow: ClaimsUnitOfWork, uc: UseCase, episode: Episode, *, what: str) -> None:
    """Tell the episode's claims the record they were judged on is changing: a ready claim goes
    back to draft, and a claim with internal audit or approved refuses the edit (§4.5), so an
    evidence pack can never disagree with the record it froze."""
    for stored in uow.claims.for_family(episode.family_id):
        if stored.claim.episode_id != episode.id:
            continue
        before = stored.claim.state
        stored.claim.record_case_edit(on=uc.today, by=uc.principal.practitioner_id, what=what)
        if stored.claim.state is not before:
            uow.claims.save(stored, at=uc.now)


def _load(uow: ClaimsUnitOfWork, episode_id: uuid.UUID, need_id: uuid.UUID) -> StoredNeed:
    stored = uow.needs.get(need_id)
    if stored is None or stored.episode_id != episode_id:
        raise NotFound("This episode has no need with this id.")
    return stored


def list_needs(
    uow: ClaimsUnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID
) -> list[NeedView]:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "family_need"))
        episode = load_episode(uow, episode_id)
        catalogue = uow.reference_data.framework()
        views = [
            NeedView(s, _due(s, episode, catalogue)) for s in uow.needs.for_episodes([episode_id])
        ]
        uc.commit()
        return views


@dataclass(frozen=True)
class NewNeed:
    descriptor_code: str
    person_ids: tuple[uuid.UUID, ...]
    identified_on: date
    emerged_later: bool
    evidence: EvidenceIn
    need_id: uuid.UUID | None = None
    """The assessment need's id, to link the two; a new id when None."""


def record_need(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    new: NewNeed,
    *,
    idempotency: IdempotentRequest[NeedView] | None = None,
) -> NeedView | Replayed:
    """A need with its descriptor of the framework in force when it was identified (rule C1)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "family_need"))
        return run_idempotent(uc, idempotency, lambda: _record_need(uow, uc, episode_id, new))


def _record_need(
    uow: ClaimsUnitOfWork, uc: UseCase, episode_id: uuid.UUID, new: NewNeed
) -> NeedView:
    """Whether the need's id is already taken is asked of the database, so it is checked here."""
    episode = load_episode(uow, episode_id)
    check_need_identified(new.identified_on, today=uc.today, requested_on=episode.requested_on)
    check_needs_recorded_while_open(episode.is_open)
    descriptor = need_descriptor(
        uow.reference_data.framework(), new.descriptor_code, new.identified_on
    )
    family = uow.families.get(episode.family_id)
    check_need_members(new.person_ids, {m.person_id for m in family.memberships} if family else ())
    if new.need_id is not None and uow.needs.get(new.need_id) is not None:
        raise InvalidValue(
            "This need is already recorded.", field="id", code="need_already_recorded"
        )
    _note_case_edit(uow, uc, episode, what=f"need {descriptor.code} added")
    need = RecordedNeed(
        id=new.need_id or uuid.uuid4(),
        descriptor_code=descriptor.code,
        headline=descriptor.headline,
        person_ids=new.person_ids,
        identified_on=new.identified_on,
        emerged_later=new.emerged_later,
        evidence=_evidence(uc, new.evidence),
    )
    stored = StoredNeed(
        record=NeedRecord(need=need),
        episode_id=episode_id,
        family_id=episode.family_id,
        recorded_at=uc.now,
    )
    uow.needs.add(stored, at=uc.now)
    uc.identify(Action.WRITE_EPISODE, need.id)
    return NeedView(stored, None)


def _outcome_day(
    uc: UseCase, episode: Episode, stored: StoredNeed, status: NeedOutcome, on: date | None
) -> date | None:
    """The day an outcome was reached: today unless said (an open outcome has none), never in
    the future, nor before the request or the need's identification (issue 18 §1)."""
    if status is NeedOutcome.OPEN:
        return on
    day = happened_on(on, today=uc.today, field="on")
    check_step_order(
        day,
        field="on",
        requested_on=episode.requested_on,
        follows=[PreviousStep(stored.record.need.identified_on, "the need was identified")],
    )
    return day


def record_need_outcome(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    need_id: uuid.UUID,
    *,
    status: NeedOutcome,
    on: date | None,
    evidence: EvidenceIn | None,
    expected_version: Expected,
) -> NeedView:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "family_need", need_id))
        episode = load_episode(uow, episode_id)
        stored = _load(uow, episode_id, need_id)
        check_version(expected_version, stored.version)
        day = _outcome_day(uc, episode, stored, status, on)
        proof = _evidence(uc, evidence) if evidence else None
        stored = replace(
            stored,
            record=record_outcome(stored.record, status, day, proof),
            outcome_recorded_at=None if status is NeedOutcome.OPEN else uc.now,
        )
        code = stored.record.need.descriptor_code
        _note_case_edit(uow, uc, episode, what=f"outcome of {code}")
        uow.needs.save(stored, at=uc.now)
        view = NeedView(stored, _due(stored, episode, uow.reference_data.framework()))
        uc.commit()
        return view


def record_sustainment(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    need_id: uuid.UUID,
    *,
    result: SustainmentResult,
    checked_on: date | None,
    lapsed_on: date | None,
    evidence: EvidenceIn,
    expected_version: Expected,
) -> NeedView:
    """The re-check of an achieved outcome after closure (default 6 months): did it hold?"""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "family_need", need_id))
        checked = happened_on(checked_on, today=uc.today, field="checked_on")
        episode = load_episode(uow, episode_id)
        closed_on = closed_for_sustainment(episode.closed_on)
        check_step_order(
            checked,
            field="checked_on",
            requested_on=episode.requested_on,
            follows=[PreviousStep(closed_on, "the episode closed")],
        )
        stored = _load(uow, episode_id, need_id)
        check_version(expected_version, stored.version)
        catalogue = uow.reference_data.framework()
        record = record_sustainment_check(
            stored.record,
            closed_on=closed_on,
            catalogue=catalogue,
            checked_on=checked,
            result=result,
            evidence=_evidence(uc, evidence),
            lapsed_on=lapsed_on,
        )
        stored = replace(stored, record=record, sustainment_recorded_at=uc.now)
        code = stored.record.need.descriptor_code
        _note_case_edit(uow, uc, episode, what=f"sustainment check of {code}")
        uow.needs.save(stored, at=uc.now)
        view = NeedView(stored, _due(stored, episode, catalogue))
        uc.commit()
        return view


@dataclass(frozen=True)
class NewSupport:
    """Support delivered as a request gives it: the day it started is today unless said."""

    service: str
    provider: str
    started_on: date | None = None
    ended_on: date | None = None

    def delivered(self, today: date) -> SupportDelivered:
        return SupportDelivered(
            service=self.service,
            provider=self.provider,
            started_on=happened_on(self.started_on, today=today, field="started_on"),
            ended_on=self.ended_on,
        )


def list_support(
    uow: ClaimsUnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID
) -> list[StoredSupport]:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "support"))
        load_episode(uow, episode_id)
        support = uow.needs.support_for([episode_id])
        uc.commit()
        return support


def record_support(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    support: SupportDelivered | NewSupport,
    *,
    idempotency: IdempotentRequest[StoredSupport] | None = None,
) -> StoredSupport | Replayed:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "support"))
        return run_idempotent(
            uc, idempotency, lambda: _record_support(uow, uc, episode_id, support)
        )


def _record_support(
    uow: ClaimsUnitOfWork,
    uc: UseCase,
    episode_id: uuid.UUID,
    support: SupportDelivered | NewSupport,
) -> StoredSupport:
    episode = load_episode(uow, episode_id)
    if isinstance(support, NewSupport):
        support = support.delivered(uc.today)
    check_step_date(
        support.started_on, today=uc.today, field="started_on", requested_on=episode.requested_on
    )
    check_support_dates(support, requested_on=episode.requested_on, today=uc.today)
    stored = StoredSupport(
        id=uuid.uuid4(), episode_id=episode_id, support=support, recorded_at=uc.now
    )
    _note_case_edit(uow, uc, episode, what="support delivered")
    uow.needs.add_support(stored, at=uc.now)
    uc.identify(Action.WRITE_EPISODE, stored.id)
    return stored


def sustainment_checks_due(uow: ClaimsUnitOfWork, episodes: Sequence[ClosedCase]) -> list[NeedView]:
    """Achieved outcomes of closed episodes still waiting for their sustainment check (inside the
    caller's use case: the worklist's)."""
    closed = {e.id: e for e in episodes if e.closed_on is not None}
    catalogue = uow.reference_data.framework()
    views = []
    for stored in uow.needs.for_episodes(list(closed)):
        check = stored.record.sustainment
        if check is not None and check.result is not SustainmentResult.UNKNOWN:
            continue
        due = _due(stored, closed[stored.episode_id], catalogue)
        if due is not None:
            views.append(NeedView(stored, due))
    return views
