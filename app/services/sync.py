"""Delta sync of a practitioner's caseload for offline mobile use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.domain.access import Action, RequestFacts, decide, may_read_sensitive
from app.domain.contacts import Contact, children_seen
from app.domain.disclosures import Disclosure
from app.domain.episodes import Episode
from app.domain.errors import InvalidValue
from app.domain.families import Family, Person
from app.domain.family_help import FamilyHelpPolicy, FamilyHelpRecord
from app.domain.family_network import FgdmMeeting, FgdmOffer, NetworkMember
from app.domain.plans import FamilyPlan
from app.domain.requests import SupportRequest
from app.domain.sync import (
    RecordType,
    SyncDiff,
    carried_offline,
    carried_request,
    contact_stamp,
    network_member_stamp,
    page_of,
)
from app.domain.taf import TafMeeting, TafMember
from app.services.contacts import ContactView
from app.services.episodes import EpisodeRecord, deadline_views
from app.services.families import FamilyRecord
from app.services.family_help import FamilyHelpView, practitioners_named
from app.services.names import Names, resolve_names
from app.services.ports import Clock, UnitOfWork
from app.services.requests import RequestView
from app.services.use_case import Actor, Target, UseCase

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
    network_members: dict[uuid.UUID, NetworkStamp] = field(default_factory=dict)
    fgdm_offers: dict[uuid.UUID, tuple[uuid.UUID, int]] = field(default_factory=dict)
    """Offer id → (family id, version)."""
    fgdm_meetings: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    """FGDM meeting id → family id (a meeting as held is never changed)."""
    disclosures: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    """Disclosure id → family id (an entry of the log is never changed)."""
    requests: dict[uuid.UUID, RequestStamp] = field(default_factory=dict)
    """Every request about these families, with what `decide_request` needs."""
    family_help: dict[uuid.UUID, int] = field(default_factory=dict)
    """Episode id → version of its stored Family Help record (an episode never stepped across,
    allocated or given census dates has none: it is plain early help)."""


@dataclass(frozen=True)
class NetworkStamp:
    """What the sync needs of a network member to decide whether this reader's copy changed:
    both versions, and the person's restriction (whose details this reader sees)."""

    family_id: uuid.UUID
    version: int
    person_version: int
    restricted: bool
    restriction_family_id: uuid.UUID | None
    restriction_visible_to: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class RequestStamp:
    version: int
    facts: RequestFacts


@dataclass(frozen=True)
class FamilyWideRecords:
    """The family's own records named by a sync page, each kind in one statement."""

    network_members: list[NetworkMember] = field(default_factory=list)
    people: dict[uuid.UUID, Person] = field(default_factory=dict)
    """The network members' people."""
    fgdm_offers: list[FgdmOffer] = field(default_factory=list)
    fgdm_meetings: list[FgdmMeeting] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)
    requests: list[SupportRequest] = field(default_factory=list)


@dataclass(frozen=True)
class SyncedNetworkMember:
    """A network member as this reader may see them (restricted details only if allowed)."""

    member: NetworkMember
    person: Person
    details_shown: bool


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

    def family_wide(
        self,
        network_member_ids: list[uuid.UUID],
        fgdm_offer_ids: list[uuid.UUID],
        fgdm_meeting_ids: list[uuid.UUID],
        disclosure_ids: list[uuid.UUID],
        request_ids: list[uuid.UUID],
    ) -> FamilyWideRecords:
        """The network members (with their people), FGDM offers and meetings, disclosures and
        requests named: one statement per kind, whatever the number."""
        ...

    def family_help(self, episode_ids: list[uuid.UUID]) -> list[FamilyHelpRecord]:
        """The Family Help records of the episodes named, in one statement."""
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
    network_members: list[SyncedNetworkMember] = field(default_factory=list)
    fgdm_offers: list[FgdmOffer] = field(default_factory=list)
    fgdm_meetings: list[FgdmMeeting] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)
    requests: list[RequestView] = field(default_factory=list)
    """The changed requests for support about carried families that this user may read."""
    family_help: list[FamilyHelpView] = field(default_factory=list)
    """The changed Family Help records of the episodes this user may read, with the names of
    the practitioners they mention."""


class SyncUnitOfWork(UnitOfWork, Protocol):
    @property
    def sync(self) -> SyncQueries: ...


def changes_since(
    uow: SyncUnitOfWork,
    clock: Clock,
    actor: Actor,
    since: uuid.UUID | None,
    *,
    policy: FamilyHelpPolicy,
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
        uc.prefetch_restriction_households(
            (
                stamp.restriction_family_id
                for stamp in versions.network_members.values()
                if stamp.restricted and stamp.restriction_family_id is not None
            ),
            known=facts,
        )
        details_shown = {
            mid
            for mid, stamp in versions.network_members.items()
            if stamp.restricted
            and uc.may_see_restricted(
                facts[stamp.family_id],
                restriction_family_id=stamp.restriction_family_id,
                named_practitioner_ids=frozenset(stamp.restriction_visible_to),
            )
        }
        carried_requests = {
            rid
            for rid, stamp in versions.requests.items()
            if carried_request(principal, stamp.facts, visible)
        }
        snapshot = _snapshot(versions, readable, shown, details_shown, carried_requests)
        page = page_of(previous, snapshot, limit)
        found = page.diff
        changed, tafs = _changed(q, versions, found)
        family_wide = _changed_family_wide(q, found)
        family_help = q.family_help(
            sorted(uuid.UUID(eid) for eid in found.changed.get(RecordType.FAMILY_HELP, set()))
        )
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
        # The contacts' and the Family Help records' practitioners, named in one statement.
        practitioner_names = uow.practitioners.names(
            list(
                dict.fromkeys(
                    [c.recorded_by for c in changed.contacts]
                    + [
                        a.amended_by
                        for c in changed.contacts
                        if c.id in shown
                        for a in c.amendments
                    ]
                    + [p for r in family_help for p in practitioners_named(r)]
                )
            )
        )
        contacts = [
            ContactView(
                contact=c,
                children=children_seen(c, children_by_episode.get(c.episode_id, ())),
                note_shown=c.id in shown,
                names=practitioner_names,
            )
            for c in changed.contacts
        ]
        uc.listed_families(changed.families)
        _audit_family_wide(uc, family_wide)
        for record in family_help:  # in the family's access log, as the episode it belongs to
            family_id = versions.episodes[record.episode_id][0]
            uc.record(
                "list_" + Action.READ_EPISODE.value,
                Target.family(family_id, RecordType.FAMILY_HELP.value, record.episode_id),
            )
        due_soon = history.in_force_on(today).due_soon_days
        requests = [
            RequestView(request=r, clock=r.clock(today, due_soon), as_of=today)
            for r in family_wide.requests
        ]
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
        network_members=[
            SyncedNetworkMember(
                member=m,
                person=family_wide.people[m.person_id],
                details_shown=m.id in details_shown,
            )
            for m in family_wide.network_members
        ],
        fgdm_offers=family_wide.fgdm_offers,
        fgdm_meetings=family_wide.fgdm_meetings,
        disclosures=family_wide.disclosures,
        requests=requests,
        family_help=[
            FamilyHelpView(
                record=r,
                policy=policy,
                practitioner_names={
                    p: practitioner_names[p]
                    for p in practitioners_named(r)
                    if p in practitioner_names
                },
            )
            for r in family_help
        ],
    )


def _changed_family_wide(q: SyncQueries, found: SyncDiff) -> FamilyWideRecords:
    def ids(kind: RecordType) -> list[uuid.UUID]:
        return sorted(uuid.UUID(rid) for rid in found.changed.get(kind, set()))

    return q.family_wide(
        ids(RecordType.NETWORK_MEMBER),
        ids(RecordType.FGDM_OFFER),
        ids(RecordType.FGDM_MEETING),
        ids(RecordType.DISCLOSURE),
        ids(RecordType.SUPPORT_REQUEST),
    )


def _audit_family_wide(uc: UseCase, sent: FamilyWideRecords) -> None:
    """Each of the family's own records sent is audited as a listed read of the family (the rule
    it was judged by), naming the record, so the family's access log shows what left for the
    device; a request as a listed read of the request, as its own list audits it."""
    listed = "list_" + Action.READ_FAMILY.value
    entries = (
        [(RecordType.NETWORK_MEMBER, m.family_id, m.id) for m in sent.network_members]
        + [(RecordType.FGDM_OFFER, o.family_id, o.id) for o in sent.fgdm_offers]
        + [(RecordType.FGDM_MEETING, m.family_id, m.id) for m in sent.fgdm_meetings]
        + [(RecordType.DISCLOSURE, d.family_id, d.id) for d in sent.disclosures]
    )
    for kind, family_id, record_id in entries:
        uc.record(listed, Target.family(family_id, kind.value, record_id))
    for request in sent.requests:
        assert request.family_id is not None  # only requests about carried families travel
        uc.record(
            "list_" + Action.READ_REQUEST.value,
            Target.family(request.family_id, RecordType.SUPPORT_REQUEST.value, request.id),
        )


def _snapshot(
    versions: RecordVersions,
    readable: set[uuid.UUID],
    shown: set[uuid.UUID],
    details_shown: set[uuid.UUID],
    carried_requests: set[uuid.UUID],
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
        # Of the families carried only (the versions were read for them alone).
        RecordType.NETWORK_MEMBER.value: {
            str(mid): network_member_stamp(
                stamp.version, stamp.person_version, details_shown=mid in details_shown
            )
            for mid, stamp in versions.network_members.items()
        },
        RecordType.FGDM_OFFER.value: {
            str(oid): version for oid, (_fid, version) in versions.fgdm_offers.items()
        },
        RecordType.FGDM_MEETING.value: {str(mid): 1 for mid in versions.fgdm_meetings},
        RecordType.DISCLOSURE.value: {str(did): 1 for did in versions.disclosures},
        RecordType.SUPPORT_REQUEST.value: {
            str(rid): versions.requests[rid].version for rid in carried_requests
        },
        # Read by the rule of GET /episodes/{id}/family-help: whoever may read the episode.
        RecordType.FAMILY_HELP.value: {
            str(eid): version for eid, version in versions.family_help.items() if eid in readable
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
