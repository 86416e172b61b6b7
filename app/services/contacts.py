"""Use cases for contacts and case notes on an episode: record one, list and read them, correct
one with an amendment.

Recording and correcting is `RECORD_CONTACT` (the lead, TAF members under consent); reading is
reading the episode. Whether a sensitive note's text is shown is the domain's decision
(`may_read_sensitive`), made per contact here so lists, single reads and the offline sync
withhold the same notes from the same people.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from app.domain.access import Action, Principal, RecordFacts, may_read_sensitive
from app.domain.contacts import (
    ChildSeen,
    Contact,
    ContactKind,
    NoteField,
    check_may_amend,
    check_named_practitioners_known,
    children_seen,
)
from app.domain.contacts import (
    record_contact as check_new_contact,
)
from app.domain.errors import NotFound
from app.domain.paging import Page, PageRequest
from app.domain.versions import Expected, check_version
from app.services.episodes import load_episode
from app.services.ports import Clock, ContactFilter, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class NewContact:
    """A contact as the practitioner describes it; the service adds who and when it is recorded."""

    kind: ContactKind
    note: str
    happened_on: date | None = None
    """Today (the council's date) when not given."""
    happened_at: time | None = None
    seen_person_ids: tuple[uuid.UUID, ...] = ()
    children_seen_alone: tuple[uuid.UUID, ...] = ()
    child_voice: str | None = None
    what_was_done: str | None = None
    sensitive: bool = False
    named_practitioner_ids: tuple[uuid.UUID, ...] = ()
    significant: bool = False


@dataclass(frozen=True)
class ContactView:
    """A contact as this reader may see it: with `note_shown` False its free text (note, child's
    voice, what was done, amendments and named readers) is withheld."""

    contact: Contact
    children: list[ChildSeen]
    note_shown: bool
    names: dict[uuid.UUID, str]
    """Names of the recorder and of whoever amended it."""


def note_shown(principal: Principal, record: RecordFacts, contact: Contact, *, today: date) -> bool:
    """Whether this reader sees the contact's text: always unless it is sensitive, then only as
    the access rules say."""
    return not contact.sensitive or may_read_sensitive(
        principal,
        record,
        episode_id=contact.episode_id,
        named_practitioner_ids=frozenset(contact.named_practitioner_ids),
        today=today,
    )


def _views(
    uc: UseCase,
    record: RecordFacts,
    contacts: Sequence[Contact],
    child_ids: Sequence[uuid.UUID],
) -> list[ContactView]:
    """Views of a page of contacts, with their people's names in one statement."""
    shown = {c.id: note_shown(uc.principal, record, c, today=uc.today) for c in contacts}
    wanted: list[uuid.UUID] = []
    for c in contacts:
        wanted.append(c.recorded_by)
        if shown[c.id]:
            wanted.extend(a.amended_by for a in c.amendments)
    names = uc.uow.practitioners.names(list(dict.fromkeys(wanted)))
    return [
        ContactView(
            contact=c,
            children=children_seen(c, child_ids),
            note_shown=shown[c.id],
            names=names,
        )
        for c in contacts
    ]


def _record_facts(record: RecordFacts | None) -> RecordFacts:
    assert record is not None  # `require` on an episode always has its family's facts
    return record


def _contact_of(uow: UnitOfWork, episode_id: uuid.UUID, contact_id: uuid.UUID) -> Contact:
    """The episode's contact; another episode's is answered as an unknown id."""
    contact = uow.contacts.get(contact_id)
    if contact is None or contact.episode_id != episode_id:
        raise NotFound("This episode has no contact with this id.")
    return contact


def record_contact(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    new: NewContact,
    *,
    idempotency: IdempotentRequest[ContactView] | None = None,
) -> ContactView | Replayed:
    """Record a contact with the family on the episode, by the lead or a TAF member."""
    with UseCase(uow, clock, actor) as uc:
        record = _record_facts(
            uc.require(Action.RECORD_CONTACT, Target.episode(episode_id, "contact"))
        )
        return run_idempotent(uc, idempotency, lambda: _record(uc, record, episode_id, new))


def _record(
    uc: UseCase, record: RecordFacts, episode_id: uuid.UUID, new: NewContact
) -> ContactView:
    uow = uc.uow
    episode = load_episode(uow, episode_id)
    family = uow.families.get(episode.family_id)
    assert family is not None  # an episode's family is never deleted
    happened_on = uc.today if new.happened_on is None else new.happened_on
    contact = Contact(
        id=uuid.uuid4(),
        episode_id=episode.id,
        family_id=episode.family_id,
        happened_on=happened_on,
        happened_at=new.happened_at,
        kind=new.kind,
        seen_person_ids=new.seen_person_ids,
        children_seen_alone=new.children_seen_alone,
        child_voice=new.child_voice,
        what_was_done=new.what_was_done,
        note=new.note,
        sensitive=new.sensitive,
        named_practitioner_ids=new.named_practitioner_ids,
        significant=new.significant,
        recorded_by=uc.principal.practitioner_id,
        recorded_at=uc.now,
    )
    check_new_contact(
        contact,
        today=uc.today,
        requested_on=episode.requested_on,
        episode_open=episode.is_open,
        member_ids={m.person_id for m in family.current_memberships(happened_on)},
        child_ids=set(episode.child_person_ids),
    )
    known = uow.practitioners.get_many(list(new.named_practitioner_ids))
    check_named_practitioners_known(new.named_practitioner_ids, known.keys())
    uow.contacts.add(contact, at=uc.now)
    uc.identify(Action.RECORD_CONTACT, contact.id, episode.family_id)
    return _views(uc, record, [contact], episode.child_person_ids)[0]


def list_contacts(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    flt: ContactFilter,
    page: PageRequest,
) -> Page[ContactView]:
    """The episode's contacts by the date they happened, then id; sensitive text withheld from
    readers the rules do not let read it."""
    with UseCase(uow, clock, actor) as uc:
        record = _record_facts(
            uc.require(Action.READ_EPISODE, Target.episode(episode_id, "contact"))
        )
        episode = load_episode(uow, episode_id)
        found = uow.contacts.for_episode(episode_id, flt, page)
        views = _views(uc, record, found.items, episode.child_person_ids)
        uc.commit()
        return Page(items=views, next_cursor=found.next_cursor)


def get_contact(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID, contact_id: uuid.UUID
) -> ContactView:
    """One contact with its amendment history (or its text withheld)."""
    with UseCase(uow, clock, actor) as uc:
        record = _record_facts(
            uc.require(Action.READ_EPISODE, Target.episode(episode_id, "contact", contact_id))
        )
        contact = _contact_of(uow, episode_id, contact_id)
        episode = load_episode(uow, episode_id)
        view = _views(uc, record, [contact], episode.child_person_ids)[0]
        uc.commit()
        return view


@dataclass(frozen=True)
class Correction:
    field: NoteField
    text: str
    reason: str


def amend_contact(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    contact_id: uuid.UUID,
    correction: Correction,
    *,
    expected_version: Expected,
) -> ContactView:
    """Append a correction to a saved contact; its original text stays on the record."""
    with UseCase(uow, clock, actor) as uc:
        record = _record_facts(
            uc.require(Action.RECORD_CONTACT, Target.episode(episode_id, "contact", contact_id))
        )
        contact = _contact_of(uow, episode_id, contact_id)
        check_version(expected_version, contact.version)
        episode = load_episode(uow, episode_id)
        check_may_amend(
            contact,
            practitioner_id=uc.principal.practitioner_id,
            lead_id=episode.lead_practitioner_id,
        )
        contact.amend(
            which=correction.field,
            text=correction.text,
            reason=correction.reason,
            by=uc.principal.practitioner_id,
            at=uc.now,
            amendment_id=uuid.uuid4(),
        )
        uow.contacts.save(contact, at=uc.now)
        view = _views(uc, record, [contact], episode.child_person_ids)[0]
        uc.commit()
        return view


def shown_notes(
    principal: Principal,
    facts: dict[uuid.UUID, RecordFacts],
    contacts: Iterable[Contact],
    *,
    today: date,
) -> set[uuid.UUID]:
    """Of contacts of families whose facts are given, those whose text this reader sees (for the
    offline sync, which judges many families at once)."""
    return {
        c.id
        for c in contacts
        if c.family_id in facts and note_shown(principal, facts[c.family_id], c, today=today)
    }
