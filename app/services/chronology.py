"""Use case: a family's chronology, one dated timeline across all its episodes (issue 19 §3).

Reading it is reading the family's record: the access rules decide once for the family (a TAF
member without consent to share, or a stranger, is answered as for an unknown family) and the read
is audited. Every record behind an entry is loaded in one statement per kind of record, whatever
the number of episodes, so a long history costs no more round trips than a short one.

Contacts are most of a long history (a family seen most working days for years has hundreds of
significant ones), so a page loads only the significant contacts it can show: those of the
cursor's day and the first `limit + 1` after it. Each contact is one entry, so the page's contact
entries are among them whatever the other kinds hold (issue 19: a 500-entry timeline's first
page in under 50 ms).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.access import Action
from app.domain.chronology import (
    ChronologyEntry,
    ChronologyFilter,
    EntryKind,
    FamilyRecord,
    chronology,
)
from app.domain.contacts import Contact
from app.domain.documents import OwnerKind
from app.domain.paging import Page, PageRequest, encode_cursor
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import Actor, Target, UseCase


def family_chronology(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    family_id: uuid.UUID,
    flt: ChronologyFilter,
    page: PageRequest,
) -> Page[ChronologyEntry]:
    """One page of the family's timeline, oldest first."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "chronology"))
        entries = chronology(_record_of(uc, family_id, _ContactWindow.of(flt, page)), flt)
        found = _page(entries, page)
        uc.commit()
        return found


def every_entry(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, flt: ChronologyFilter
) -> Iterator[ChronologyEntry]:
    """The whole filtered timeline, for a CSV download: decided and audited before the first
    entry is given out."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_FAMILY, Target.family(family_id, "chronology"))
        entries = chronology(_record_of(uc, family_id, _ContactWindow.of(flt, None)), flt)
        uc.commit()
    return iter(entries)


@dataclass(frozen=True)
class _ContactWindow:
    """Which significant contacts a page of the timeline can show.

    Each contact is one entry, ordered by day then id as the timeline orders it, so the page's
    contact entries are among every contact of the first day it can start on and the first
    `limit + 1` after that day (one more than a page, so whether more follow is known). A filter
    by person is judged on each contact's people in the domain, so then all are loaded."""

    wanted: bool
    episode_id: uuid.UUID | None
    from_day: date | None
    later_limit: int | None

    @classmethod
    def of(cls, flt: ChronologyFilter, page: PageRequest | None) -> _ContactWindow:
        after = page.after_key(str, str, str, str) if page is not None else None
        days = [d for d in (flt.on_or_after, date.fromisoformat(after[0]) if after else None) if d]
        return cls(
            wanted=not flt.kinds or EntryKind.CONTACT in flt.kinds,
            episode_id=flt.episode_id,
            from_day=max(days) if days else None,
            later_limit=page.limit + 1 if page is not None and flt.person_id is None else None,
        )

    def load(self, uow: UnitOfWork, episode_ids: Sequence[uuid.UUID]) -> list[Contact]:
        if self.episode_id is not None:
            episode_ids = [i for i in episode_ids if i == self.episode_id]
        if not self.wanted or not episode_ids:
            return []
        return uow.contacts.significant_for_episodes(
            episode_ids, from_day=self.from_day, later_limit=self.later_limit
        )


def _record_of(uc: UseCase, family_id: uuid.UUID, window: _ContactWindow) -> FamilyRecord:
    """Everything behind the timeline the reader may read: an episode's records only if they
    may read that episode (reading the family does not open an earlier episode another lead
    closed), and requests for support, and the documents attached to them, only as far as the
    reader may read each request (their rules are the front door's, not the family's), each
    request audited as listed."""
    uow = uc.uow
    requests = uow.requests.for_family(family_id)
    readable = uc.readable_requests(r.id for r in requests) if requests else set()
    every_episode = uow.episodes.for_family(family_id)
    allowed = uc.readable_episode_ids((e.id, e.family_id) for e in every_episode)
    episodes = [e for e in every_episode if (e.id, e.family_id) in allowed]
    ids = [e.id for e in episodes]
    return FamilyRecord(
        consents=uow.consents.for_family(family_id),
        episodes=episodes,
        assessments=uow.assessments.for_episodes(ids) if ids else [],
        plans=uow.plans.for_episodes(ids) if ids else [],
        members=uow.taf.members_for(ids),
        meetings=uow.taf.meetings_for(ids),
        needs=[(n.episode_id, n.record) for n in uow.needs.for_episodes(ids)] if ids else [],
        disclosures=uow.disclosures.every_for_family(family_id),
        network_members=uow.network.members_of(family_id),
        fgdm_offers=uow.network.offers_of(family_id),
        fgdm_meetings=uow.network.meetings_of(family_id),
        contacts=window.load(uow, ids),
        documents=[
            *(
                d
                for d in uow.documents.every_for_family(family_id)
                if d.episode_id is None or d.episode_id in ids
            ),
            # A request's documents stay on it, under its rules, whatever it became.
            *uow.documents.for_owners(OwnerKind.REQUEST, sorted(readable, key=str)),
        ],
        requests=[r for r in requests if r.id in readable],
        family_help=uow.family_help.for_episodes(ids),
        zone=uc.clock.zone,
    )


def _page(entries: list[ChronologyEntry], page: PageRequest) -> Page[ChronologyEntry]:
    after = page.after_key(str, str, str, str)
    if after is not None:
        entries = [e for e in entries if e.sort_key > after]
    chunk = entries[: page.limit]
    more = len(entries) > page.limit
    return Page(items=chunk, next_cursor=encode_cursor(chunk[-1].sort_key) if more else None)
