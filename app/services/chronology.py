"""Use case: a family's chronology, one dated timeline across all its episodes (issue 19 §3).

Reading it is reading the family's record: the access rules decide once for the family (a TAF
member without consent to share, or a stranger, is answered as for an unknown family) and the read
is audited. Every record behind an entry is loaded in one statement per kind of record, whatever
the number of episodes, so a long history costs no more round trips than a short one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from app.domain.access import Action
from app.domain.chronology import ChronologyEntry, ChronologyFilter, FamilyRecord, chronology
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
        entries = chronology(_record_of(uc, family_id), flt)
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
        entries = chronology(_record_of(uc, family_id), flt)
        uc.commit()
    return iter(entries)


def _record_of(uc: UseCase, family_id: uuid.UUID) -> FamilyRecord:
    """Everything behind the timeline; requests for support, and the documents attached to them,
    only as far as the reader may read each request (their rules are the front door's, not the
    family's), each request audited as listed."""
    uow = uc.uow
    requests = uow.requests.for_family(family_id)
    readable = uc.readable_requests(r.id for r in requests) if requests else set()
    episodes = uow.episodes.for_family(family_id)
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
        contacts=uow.contacts.for_episodes(ids) if ids else [],
        documents=[
            *uow.documents.every_for_family(family_id),
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
