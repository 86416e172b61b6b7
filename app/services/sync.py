"""Delta sync of a practitioner's caseload for offline mobile use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.domain.access import Action, decide, may_read_sensitive
from app.domain.contacts import Contact, children_seen
from app.domain.episodes import Episode
from app.domain.errors import InvalidValue
from app.domain.families import Family, Person
from app.domain.plans import FamilyPlan
from app.domain.sync import RecordType, SyncDiff, carried_offline, contact_stamp, page_of
from app.domain.taf import TafMeeting, TafMember
from app.services.contacts import ContactView
from app.services.episodes import EpisodeRecord, deadline_views
from app.services.families import FamilyRecord
from app.services.names import Names, resolve_names
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import Actor, UseCase

SYNC_PAGE_DEFAULT = 500
SYNC_PAGE_MAX = 2000
"""Records sent per sync page: a slow connection takes a large caseload in several."""


@dataclass(frozen=True)
class CaseloadRecords:
    families: dict[uuid.UUID, Family]
    people: dict[uuid.UUID, Person]
    episodes: list[Episode]
    plans: list[FamilyPlan]
    taf_members: list[TafMember]
    meetings: list[TafMeeting]
    contacts: list[Contact] = field(default_factory=list)


@dataclass(frozen=True)
class RecordVersions:
    """Every record of a set of families by id, with its owner and version: what a diff needs."""

    families: dict[uuid.UUID, int]
    episodes: dict[uuid.UUID, tuple[uuid.UUID, int]]
    """Episode id → (family id, version)."""
    plans: dict[uuid.UUID, tuple[uuid.UUID, int]]
    """Plan id → (episode id, version); likewise TAF members."""
    taf_members: dict[uuid.UUID, tuple[uuid.UUID, int]]
    meetings: dict[uuid.UUID, uuid.UUID]
    """Meeting id → episode id (meetings never change)."""
    contacts: dict[uuid.UUID, ContactStamp] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactStamp:
    """What the sync needs of a contact to decide whether this reader's copy changed."""

    episode_id: uuid.UUID
    family_id: uuid.UUID
    version: int
    sensitive: bool
    named_practitioner_ids: tuple[uuid.UUID, ...]


class SyncQueries(Protocol):
    def caseload_family_ids(self, practitioner_id: uuid.UUID) -> list[uuid.UUID]: ...
    def versions(self, family_ids: list[uuid.UUID]) -> RecordVersions: ...
    def records(
        self,
        family_ids: list[uuid.UUID],
        episode_ids: list[uuid.UUID],
        children_of: list[uuid.UUID],
        contact_ids: list[uuid.UUID],
    ) -> CaseloadRecords:
        """The families (with their people) and episodes named, every plan, TAF member and
        meeting of the episodes in `children_of`, and the contacts named."""
        ...

    def episode_children(
        self, episode_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[uuid.UUID, ...]]:
        """Each episode's children, in one statement (to say which child a contact saw)."""
        ...

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
    more: bool
    """More changes wait: sync again at once with `cursor`."""
    records: CaseloadRecords
    """Only the new and changed records."""
    episode_records: list[EpisodeRecord] = field(default_factory=list)
    """The changed episodes with who leads and their deadlines' status today."""
    families: list[FamilyRecord] = field(default_factory=list)
    """The changed families with their people, as this reader may see them."""
    removed: dict[RecordType, set[str]] = field(default_factory=dict)
    names: Names = field(default_factory=Names)
    """The names of everyone the changed records mention (TAF members, attendees, action owners,
    QA officers)."""
    contacts: list[ContactView] = field(default_factory=list)
    """The changed contacts as this reader may see them (a sensitive note's text withheld from
    those the access rules do not let read it)."""


class SyncUnitOfWork(UnitOfWork, Protocol):
    @property
    def sync(self) -> SyncQueries: ...


def changes_since(
    uow: SyncUnitOfWork,
    clock: Clock,
    actor: Actor,
    since: uuid.UUID | None,
    *,
    limit: int = SYNC_PAGE_DEFAULT,
) -> Changes:
    """The caseload's records created, changed or no longer visible since the cursor `since`.

    The caseload is the families the user works with today (`carried_offline`: an open episode
    they lead, are allocated to as lead child protection practitioner or co-worker, or sit on the
    TAF of, or a family they registered with no episode yet), each judged by the access rules
    today, so withdrawn consent, a handover, an ended allocation or a closure removes them at once.
    """
    principal = actor.principal
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_MY_WORK, "sync")
        today = uc.today
        q = uow.sync
        previous = q.load_state(since, principal.practitioner_id) if since else None
        if since is not None and previous is None:
            raise InvalidValue(
                "This sync cursor is unknown or expired; sync again without `since`.",
                field="since",
                code="sync_cursor_expired",
            )
        candidates = q.caseload_family_ids(principal.practitioner_id)
        facts = uow.access.for_families(candidates, today)
        visible = {
            fid
            for fid, record in facts.items()
            if carried_offline(principal.practitioner_id, record, today)
            and decide(principal, Action.READ_FAMILY, record, today=today).allowed
        }
        # Versions first, whole records only for what changed: a lead's scope holds hundreds of
        # families over the years, and a delta sync usually sends a handful (bench/RESULTS.md).
        versions = q.versions(sorted(visible))
        readable = {
            eid
            for eid, (fid, _version) in versions.episodes.items()
            if decide(
                principal, Action.READ_EPISODE, facts[fid], today=today, episode_id=eid
            ).allowed
        }
        shown = {
            cid
            for cid, stamp in versions.contacts.items()
            if stamp.episode_id in readable
            and (
                not stamp.sensitive
                or may_read_sensitive(
                    principal,
                    facts[stamp.family_id],
                    episode_id=stamp.episode_id,
                    named_practitioner_ids=frozenset(stamp.named_practitioner_ids),
                    today=today,
                )
            )
        }
        snapshot = _snapshot(versions, readable, shown)
        page = page_of(previous, snapshot, limit)
        found = page.diff
        changed, tafs = _changed(q, versions, found)
        leads = uow.practitioners.get_many([e.lead_practitioner_id for e in changed.episodes])
        names = resolve_names(
            uow,
            taf=tafs,
            plans=changed.plans,
            decisions=[d for e in changed.episodes for d in e.qa_decisions],
            known_people=changed.people.values(),
        )
        history = uow.policies.history()
        episode_records = [
            EpisodeRecord(
                episode=e,
                lead=leads.get(e.lead_practitioner_id),
                deadlines=deadline_views(e.every_deadline(), history, today),
                as_of=today,
                names=names,
                stage=e.stage,
            )
            for e in changed.episodes
        ]
        uc.prefetch_restrictions(changed.people.values())
        families = [
            FamilyRecord(
                family=f,
                people={m.person_id: changed.people[m.person_id] for m in f.memberships},
                relationships=[],
                restricted_visible=frozenset(
                    uc.restricted_visible(
                        facts[f.id], [changed.people[m.person_id] for m in f.memberships]
                    )
                ),
            )
            for f in changed.families.values()
        ]
        children_by_episode = {e.id: e.child_person_ids for e in changed.episodes}
        child_ids = q.episode_children([c.episode_id for c in changed.contacts])
        children_by_episode = {**child_ids, **children_by_episode}
        contact_names = uow.practitioners.names(
            list(
                dict.fromkeys(
                    [c.recorded_by for c in changed.contacts]
                    + [
                        a.amended_by
                        for c in changed.contacts
                        if c.id in shown
                        for a in c.amendments
                    ]
                )
            )
        )
        contacts = [
            ContactView(
                contact=c,
                children=children_seen(c, children_by_episode.get(c.episode_id, ())),
                note_shown=c.id in shown,
                names=contact_names,
            )
            for c in changed.contacts
        ]
        uc.listed_families(changed.families)
        cursor = q.save_state(principal.practitioner_id, page.sent, at=uc.now)
        uc.commit()
    return Changes(
        cursor=cursor,
        full=previous is None,
        more=page.more,
        records=changed,
        families=families,
        episode_records=episode_records,
        removed=found.removed,
        names=names,
        contacts=contacts,
    )


def _snapshot(
    versions: RecordVersions, readable: set[uuid.UUID], shown: set[uuid.UUID]
) -> dict[str, dict[str, int]]:
    def of_readable(
        records: dict[uuid.UUID, tuple[uuid.UUID, int]],
    ) -> dict[str, int]:
        return {str(rid): version for rid, (eid, version) in records.items() if eid in readable}

    return {
        RecordType.FAMILY.value: {str(fid): v for fid, v in versions.families.items()},
        RecordType.EPISODE.value: {
            str(eid): version
            for eid, (_fid, version) in versions.episodes.items()
            if eid in readable
        },
        RecordType.PLAN.value: of_readable(versions.plans),
        RecordType.TAF_MEMBER.value: of_readable(versions.taf_members),
        RecordType.MEETING.value: {
            str(mid): 1 for mid, eid in versions.meetings.items() if eid in readable
        },
        RecordType.CONTACT.value: {
            str(cid): contact_stamp(stamp.version, note_shown=cid in shown)
            for cid, stamp in versions.contacts.items()
            if stamp.episode_id in readable
        },
    }


def _changed(
    q: SyncQueries, versions: RecordVersions, found: SyncDiff
) -> tuple[CaseloadRecords, list[TafMember]]:
    """The new and changed records, and the whole TAF of every episode they belong to (whose
    members' names their attendees and action owners show)."""

    def ids(kind: RecordType) -> set[uuid.UUID]:
        return {uuid.UUID(rid) for rid in found.changed.get(kind, set())}

    plans, members, meetings = (
        ids(RecordType.PLAN),
        ids(RecordType.TAF_MEMBER),
        ids(RecordType.MEETING),
    )
    children_of = (
        {versions.plans[p][0] for p in plans}
        | {versions.taf_members[m][0] for m in members}
        | {versions.meetings[m] for m in meetings}
    )
    loaded = q.records(
        sorted(ids(RecordType.FAMILY)),
        sorted(ids(RecordType.EPISODE)),
        sorted(children_of),
        sorted(ids(RecordType.CONTACT)),
    )
    changed = CaseloadRecords(
        families=loaded.families,
        people=loaded.people,
        episodes=loaded.episodes,
        plans=[p for p in loaded.plans if p.id in plans],
        taf_members=[m for m in loaded.taf_members if m.id in members],
        meetings=[m for m in loaded.meetings if m.id in meetings],
        contacts=loaded.contacts,
    )
    return changed, loaded.taf_members
