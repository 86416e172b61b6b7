"""Delta sync for mobile devices: what changed, appeared or disappeared since the last sync.

A device keeps a local copy of its user's caseload while offline. Each sync compares the versions
of every record the user may see now with those sent last time: new and changed records are sent
whole, and records no longer visible (consent withdrawn, a handover, a closed case) are listed so
the device can delete its copy (the front-end issue).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import UUID

from app.domain.access import (
    ALLOCATIONS_GRANTING_ACCESS,
    Action,
    Principal,
    RecordFacts,
    RequestFacts,
    decide_request,
)


class RecordType(StrEnum):
    """The kinds of record a device holds. A family's network members, FGDM offers and meetings
    and disclosure log are read as the family is (their endpoints ask `READ_FAMILY`), so they
    travel exactly while the family does; requests for support by `carried_request`."""

    FAMILY = "family"
    EPISODE = "episode"
    PLAN = "plan"
    TAF_MEMBER = "taf_member"
    MEETING = "meeting"
    CONTACT = "contact"
    NETWORK_MEMBER = "network_member"
    FGDM_OFFER = "fgdm_offer"
    FGDM_MEETING = "fgdm_meeting"
    DISCLOSURE = "disclosure"
    SUPPORT_REQUEST = "support_request"
    FAMILY_HELP = "family_help"
    """An episode's Family Help record (type, basis, step-across, allocations, census dates and
    child protection); its id is the episode's."""


def carried_offline(practitioner_id: UUID, record: RecordFacts, on: date) -> bool:
    """Whether a family belongs on this practitioner's device: their caseload as it is today.

    That is a family with an open episode they lead, are allocated to today as lead child
    protection practitioner or co-worker (they work it as the lead does), or sit on the TAF of,
    or one they registered that has no episode yet. A closed case stays readable online, but it leaves the device at the
    next sync: a lost phone should not carry years of closed records, and a lead's history holds
    ten times more families than their open caseload (bench/RESULTS.md). Consent and the other
    access rules are judged separately, by `app.domain.access.decide`.
    """
    if not record.episodes:
        return record.created_by_practitioner_id == practitioner_id
    return any(
        episode.is_open
        and (
            episode.lead_practitioner_id == practitioner_id
            or any(
                a.practitioner_id == practitioner_id
                and a.role in ALLOCATIONS_GRANTING_ACCESS
                and a.is_active_on(on)
                for a in episode.allocated
            )
            or any(
                seat.practitioner_id == practitioner_id and seat.is_active_on(on)
                for seat in episode.taf
            )
        )
        for episode in record.episodes
    )


def carried_request(
    principal: Principal, request: RequestFacts, carried_family_ids: Collection[UUID]
) -> bool:
    """Whether a request for support travels with the caseload: it is about a family on the
    device, and the front door's own rule (`decide_request`) lets this user read it.

    Only requests about carried families travel, whoever may read more online: a front door
    officer's queue (every request, many about households nobody works with yet) stays at the
    front door's desk, not on a phone that can be lost. A practitioner carries the requests they
    made and those linked to an episode they lead, about the families they work with today.
    """
    return (
        request.family_id is not None
        and request.family_id in carried_family_ids
        and decide_request(principal, Action.READ_REQUEST, request).allowed
    )


Snapshot = Mapping[str, Mapping[str, int]]
"""Record type → record id → version (meetings never change: version 1; a contact's stamp is
`contact_stamp`)."""


def contact_stamp(version: int, *, note_shown: bool) -> int:
    """A contact's version as the device holds it: the copy with its note and the copy with
    the note withheld differ, so when a reader comes to see a sensitive note (named later, or
    made lead) or stops seeing it (consent to share withdrawn), the contact is sent again."""
    return version * 2 + (1 if note_shown else 0)


def network_member_stamp(version: int, person_version: int, *, details_shown: bool) -> int:
    """A network member's version as the device holds it: the membership's version and its
    person's (a change to either is a new copy), and whether this reader sees the person's
    restricted contact details (the copy with them and the copy without differ, as for a
    household member), packed into one number that no other combination gives."""
    total = version + person_version
    return (total * (total + 1) // 2 + person_version) * 2 + (1 if details_shown else 0)


@dataclass(frozen=True)
class SyncDiff:
    changed: dict[RecordType, set[str]] = field(default_factory=dict)
    """Records new to the device or changed since it last synced."""
    removed: dict[RecordType, set[str]] = field(default_factory=dict)
    """Records the device holds that it may no longer see (or that no longer exist)."""


def diff(previous: Snapshot | None, current: Snapshot) -> SyncDiff:
    """Everything in `current` not in `previous` at the same version is changed; the rest removed."""
    before = previous or {}
    changed: dict[RecordType, set[str]] = {}
    removed: dict[RecordType, set[str]] = {}
    for kind in RecordType:
        now = current.get(kind.value, {})
        then = before.get(kind.value, {})
        changed[kind] = {rid for rid, version in now.items() if then.get(rid) != version}
        removed[kind] = {rid for rid in then if rid not in now}
    return SyncDiff(changed=changed, removed=removed)


SYNC_ORDER = (
    RecordType.FAMILY,
    RecordType.EPISODE,
    RecordType.PLAN,
    RecordType.TAF_MEMBER,
    RecordType.MEETING,
    RecordType.CONTACT,
    RecordType.NETWORK_MEMBER,
    RecordType.FGDM_OFFER,
    RecordType.FGDM_MEETING,
    RecordType.DISCLOSURE,
    RecordType.SUPPORT_REQUEST,
    RecordType.FAMILY_HELP,
)
"""Parents before children, so a device never holds a plan before the episode it belongs to."""


@dataclass(frozen=True)
class SyncPage:
    """One page of a sync: what to send now, what the device will then hold, whether more waits."""

    diff: SyncDiff
    sent: dict[str, dict[str, int]]
    """The device's copy once it has applied this page: the next page is worked out from it."""
    more: bool


def page_of(previous: Snapshot | None, current: Snapshot, limit: int) -> SyncPage:
    """At most `limit` new or changed records (parents first, then by id), and every removal.

    A device on a slow connection syncs a large caseload in pages: each page's cursor remembers
    what the device holds after it, so the next page carries on from there, and a record that
    changed meanwhile is simply sent again.
    """
    whole = diff(previous, current)
    before = previous or {}
    sent: dict[str, dict[str, int]] = {
        kind.value: {
            rid: version
            for rid, version in before.get(kind.value, {}).items()
            if rid not in whole.removed.get(kind, set())
        }
        for kind in RecordType
    }
    changed: dict[RecordType, set[str]] = {kind: set() for kind in RecordType}
    room = limit
    more = False
    for kind in SYNC_ORDER:
        for rid in sorted(whole.changed.get(kind, set())):
            if room == 0:
                more = True
                break
            changed[kind].add(rid)
            sent[kind.value][rid] = current[kind.value][rid]
            room -= 1
    return SyncPage(SyncDiff(changed=changed, removed=whole.removed), sent, more)
