"""Use cases for Supporting Families needs on the case record: record them, their outcomes, the
sustainment check after closure, and the support delivered."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from app.domain.episodes import Episode
from app.domain.errors import IllegalTransition, InvalidValue, NotFound
from app.domain.outcomes_framework import FrameworkCatalogue
from app.domain.supporting_families import (
    Evidence,
    NeedOutcome,
    NeedRecord,
    RecordedNeed,
    SupportDelivered,
    SustainmentResult,
    record_outcome,
    record_sustainment_check,
    sustainment_due_on,
)
from app.domain.versions import Expected, check_version
from app.services.claims import effective_catalogue
from app.services.episodes import load_episode
from app.services.ports import ClaimsUnitOfWork, Clock, StoredNeed, StoredSupport


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


def _note_case_edit(
    uow: ClaimsUnitOfWork, clock: Clock, episode: Episode, *, by: uuid.UUID, what: str
) -> None:
    """Tell the episode's claims the record they were judged on is changing: a ready claim goes
    back to draft, and a claim with internal audit or approved refuses the edit (§4.5), so an
    evidence pack can never disagree with the record it froze."""
    for stored in uow.claims.for_family(episode.family_id):
        if stored.claim.episode_id != episode.id:
            continue
        before = stored.claim.state
        stored.claim.record_case_edit(on=clock.today(), by=by, what=what)
        if stored.claim.state is not before:
            uow.claims.save(stored, at=clock.now())


def _load(uow: ClaimsUnitOfWork, episode_id: uuid.UUID, need_id: uuid.UUID) -> StoredNeed:
    stored = uow.needs.get(need_id)
    if stored is None or stored.episode_id != episode_id:
        raise NotFound("This episode has no need with this id.")
    return stored


def list_needs(uow: ClaimsUnitOfWork, episode_id: uuid.UUID) -> list[NeedView]:
    with uow:
        episode = load_episode(uow, episode_id)
        catalogue = effective_catalogue(uow)
        return [
            NeedView(s, _due(s, episode, catalogue)) for s in uow.needs.for_episodes([episode_id])
        ]


def record_need(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    need_id: uuid.UUID | None,
    descriptor_code: str,
    person_ids: tuple[uuid.UUID, ...],
    identified_on: date,
    emerged_later: bool,
    evidence: EvidenceIn,
    recorded_by: uuid.UUID,
) -> NeedView:
    """A need with its descriptor of the framework in force when it was identified (rule C1)."""
    today = clock.today()
    if identified_on > today:
        raise InvalidValue("A need cannot be identified in the future.", field="identified_on")
    with uow:
        episode = load_episode(uow, episode_id)
        if not episode.is_open:
            raise IllegalTransition(
                "The episode is closed; needs are recorded while the family is supported."
            )
        descriptor = effective_catalogue(uow).descriptor_in_force(descriptor_code, identified_on)
        if descriptor is None:
            raise InvalidValue(
                f"'{descriptor_code}' is not a need descriptor of the outcome framework in force on "
                f"{identified_on.isoformat()}.",
                field="descriptor_code",
            )
        family = uow.families.get(episode.family_id)
        members = {m.person_id for m in family.memberships} if family else set()
        for index, person_id in enumerate(person_ids):
            if person_id not in members:
                raise InvalidValue(
                    "The need must be about members of the family.", field=f"person_ids[{index}]"
                )
        if need_id is not None and uow.needs.get(need_id) is not None:
            raise InvalidValue("This need is already recorded.", field="id")
        _note_case_edit(uow, clock, episode, by=recorded_by, what=f"need {descriptor.code} added")
        need = RecordedNeed(
            id=need_id or uuid.uuid4(),
            descriptor_code=descriptor.code,
            headline=descriptor.headline,
            person_ids=person_ids,
            identified_on=identified_on,
            emerged_later=emerged_later,
            evidence=Evidence(
                source=evidence.source,
                reference=evidence.reference,
                recorded_by=recorded_by,
                recorded_on=today,
            ),
        )
        stored = StoredNeed(
            record=NeedRecord(need=need), episode_id=episode_id, family_id=episode.family_id
        )
        uow.needs.add(stored, at=clock.now())
        uow.commit()
        return NeedView(stored, None)


def record_need_outcome(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    need_id: uuid.UUID,
    *,
    status: NeedOutcome,
    on: date | None,
    evidence: EvidenceIn | None,
    recorded_by: uuid.UUID,
    expected_version: Expected,
) -> NeedView:
    today = clock.today()
    if on is not None and on > today:
        raise InvalidValue("An outcome cannot be reached in the future.", field="on")
    with uow:
        episode = load_episode(uow, episode_id)
        stored = _load(uow, episode_id, need_id)
        check_version(expected_version, stored.version)
        proof = (
            Evidence(
                source=evidence.source,
                reference=evidence.reference,
                recorded_by=recorded_by,
                recorded_on=today,
            )
            if evidence
            else None
        )
        stored = replace(stored, record=record_outcome(stored.record, status, on, proof))
        code = stored.record.need.descriptor_code
        _note_case_edit(uow, clock, episode, by=recorded_by, what=f"outcome of {code}")
        uow.needs.save(stored, at=clock.now())
        uow.commit()
        return NeedView(stored, _due(stored, episode, effective_catalogue(uow)))


def record_sustainment(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    need_id: uuid.UUID,
    *,
    result: SustainmentResult,
    checked_on: date | None,
    lapsed_on: date | None,
    evidence: EvidenceIn,
    recorded_by: uuid.UUID,
    expected_version: Expected,
) -> NeedView:
    """The re-check of an achieved outcome after closure (default 6 months): did it hold?"""
    today = clock.today()
    checked = checked_on or today
    if checked > today:
        raise InvalidValue("A check cannot be dated in the future.", field="checked_on")
    with uow:
        episode = load_episode(uow, episode_id)
        if episode.closed_on is None:
            raise IllegalTransition(
                "Outcomes are checked for sustainment after the episode is closed."
            )
        stored = _load(uow, episode_id, need_id)
        check_version(expected_version, stored.version)
        proof = Evidence(
            source=evidence.source,
            reference=evidence.reference,
            recorded_by=recorded_by,
            recorded_on=today,
        )
        catalogue = effective_catalogue(uow)
        record = record_sustainment_check(
            stored.record,
            closed_on=episode.closed_on,
            catalogue=catalogue,
            checked_on=checked,
            result=result,
            evidence=proof,
            lapsed_on=lapsed_on,
        )
        stored = replace(stored, record=record)
        code = stored.record.need.descriptor_code
        _note_case_edit(uow, clock, episode, by=recorded_by, what=f"sustainment check of {code}")
        uow.needs.save(stored, at=clock.now())
        uow.commit()
        return NeedView(stored, _due(stored, episode, catalogue))


def list_support(uow: ClaimsUnitOfWork, episode_id: uuid.UUID) -> list[StoredSupport]:
    with uow:
        load_episode(uow, episode_id)
        return uow.needs.support_for([episode_id])


def record_support(
    uow: ClaimsUnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    support: SupportDelivered,
    *,
    recorded_by: uuid.UUID,
) -> StoredSupport:
    if support.started_on > clock.today():
        raise InvalidValue("Support cannot start in the future.", field="started_on")
    with uow:
        episode = load_episode(uow, episode_id)
        if support.started_on < episode.requested_on:
            raise InvalidValue(
                "Support recorded for this episode starts after its request.", field="started_on"
            )
        stored = StoredSupport(id=uuid.uuid4(), episode_id=episode_id, support=support)
        _note_case_edit(uow, clock, episode, by=recorded_by, what="support delivered")
        uow.needs.add_support(stored, at=clock.now())
        uow.commit()
        return stored


def sustainment_checks_due(uow: ClaimsUnitOfWork, episodes: Sequence[ClosedCase]) -> list[NeedView]:
    """Achieved outcomes of closed episodes still waiting for their sustainment check."""
    closed = {e.id: e for e in episodes if e.closed_on is not None}
    catalogue = effective_catalogue(uow)
    views = []
    for stored in uow.needs.for_episodes(list(closed)):
        check = stored.record.sustainment
        if check is not None and check.result is not SustainmentResult.UNKNOWN:
            continue
        due = _due(stored, closed[stored.episode_id], catalogue)
        if due is not None:
            views.append(NeedView(stored, due))
    return views
