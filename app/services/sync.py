"""Delta sync of a practitioner's caseload for offline mobile use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.domain.access import Action, Principal, SearchScope, decide
from app.domain.episodes import Episode
from app.domain.errors import InvalidValue
from app.domain.families import Family, Person
from app.domain.plans import FamilyPlan
from app.domain.sync import RecordType, SyncDiff, diff
from app.domain.taf import TafMeeting, TafMember
from app.services.episodes import EpisodeRecord, deadline_views
from app.services.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class CaseloadRecords:
    families: dict[uuid.UUID, Family]
    people: dict[uuid.UUID, Person]
    episodes: list[Episode]
    plans: list[FamilyPlan]
    taf_members: list[TafMember]
    meetings: list[TafMeeting]


class SyncQueries(Protocol):
    def family_ids_in(self, scope: SearchScope) -> list[uuid.UUID]: ...
    def records(self, family_ids: list[uuid.UUID]) -> CaseloadRecords: ...
    def load_state(
        self, state_id: uuid.UUID, practitioner_id: uuid.UUID
    ) -> dict[str, Any] | None: ...
    def save_state(
        self, practitioner_id: uuid.UUID, snapshot: dict[str, Any], *, at: datetime
    ) -> uuid.UUID: ...


@dataclass(frozen=True)
class Changes:
    cursor: uuid.UUID
    full: bool
    records: CaseloadRecords
    """Only the new and changed records."""
    episode_records: list[EpisodeRecord] = field(default_factory=list)
    """The changed episodes with who leads and their deadlines' status today."""
    removed: dict[RecordType, set[str]] = field(default_factory=dict)


def changes_since(
    uow: UnitOfWork,
    queries: Callable[[], SyncQueries],
    principal: Principal,
    since: uuid.UUID | None,
    clock: Clock,
) -> Changes:
    """The caseload's records created, changed or no longer visible since the cursor `since`.

    The caseload is the families the user holds as a practitioner (lead, TAF seat, registrar), each
    judged by the access rules today, so withdrawn consent or a handover removes them at once.
    """
    today = clock.today()
    with uow:
        q = queries()
        previous = q.load_state(since, principal.practitioner_id) if since else None
        if since is not None and previous is None:
            raise InvalidValue(
                "This sync cursor is unknown or expired; sync again without `since`.", field="since"
            )
        candidates = q.family_ids_in(SearchScope(practitioner_id=principal.practitioner_id))
        facts = uow.access.for_families(candidates, today)
        visible = {
            fid
            for fid, record in facts.items()
            if decide(principal, Action.READ_FAMILY, record, today=today).allowed
        }
        records = q.records(sorted(visible))
        readable = {
            e.id
            for e in records.episodes
            if decide(
                principal, Action.READ_EPISODE, facts[e.family_id], today=today, episode_id=e.id
            ).allowed
        }
        records = _only_episodes(records, readable)
        snapshot = _snapshot(records)
        found = diff(previous, snapshot)
        changed = _changed(records, found)
        leads = uow.practitioners.get_many([e.lead_practitioner_id for e in changed.episodes])
        history = uow.policies.history()
        episode_records = [
            EpisodeRecord(
                episode=e,
                lead=leads.get(e.lead_practitioner_id),
                deadlines=deadline_views(e.current_deadlines(), history, today),
                as_of=today,
            )
            for e in changed.episodes
        ]
        cursor = q.save_state(principal.practitioner_id, snapshot, at=clock.now())
        uow.commit()
    return Changes(
        cursor=cursor,
        full=previous is None,
        records=changed,
        episode_records=episode_records,
        removed=found.removed,
    )


def _only_episodes(records: CaseloadRecords, readable: set[uuid.UUID]) -> CaseloadRecords:
    return CaseloadRecords(
        families=records.families,
        people=records.people,
        episodes=[e for e in records.episodes if e.id in readable],
        plans=[p for p in records.plans if p.episode_id in readable],
        taf_members=[m for m in records.taf_members if m.episode_id in readable],
        meetings=[m for m in records.meetings if m.episode_id in readable],
    )


def _snapshot(records: CaseloadRecords) -> dict[str, dict[str, int]]:
    return {
        RecordType.FAMILY.value: {str(f.id): f.version for f in records.families.values()},
        RecordType.EPISODE.value: {str(e.id): e.version for e in records.episodes},
        RecordType.PLAN.value: {str(p.id): p.version for p in records.plans},
        RecordType.TAF_MEMBER.value: {str(m.id): m.version for m in records.taf_members},
        RecordType.MEETING.value: {str(m.id): 1 for m in records.meetings},
    }


def _changed(records: CaseloadRecords, found: SyncDiff) -> CaseloadRecords:
    def keep(kind: RecordType, rid: uuid.UUID) -> bool:
        return str(rid) in found.changed.get(kind, set())

    families = {fid: f for fid, f in records.families.items() if keep(RecordType.FAMILY, fid)}
    return CaseloadRecords(
        families=families,
        people={
            pid: p
            for pid, p in records.people.items()
            if any(m.person_id == pid for f in families.values() for m in f.memberships)
        },
        episodes=[e for e in records.episodes if keep(RecordType.EPISODE, e.id)],
        plans=[p for p in records.plans if keep(RecordType.PLAN, p.id)],
        taf_members=[m for m in records.taf_members if keep(RecordType.TAF_MEMBER, m.id)],
        meetings=[m for m in records.meetings if keep(RecordType.MEETING, m.id)],
    )
