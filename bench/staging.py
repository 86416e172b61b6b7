# The in-memory repositories keep the services' Protocol signatures, `at` included, unused here.
# ruff: noqa: ARG002
"""An in-memory unit of work that stages a batch of families, then writes it with the SQL repositories.

Played step by step against PostgreSQL, one county-sized data set costs ~250 SQL statements per
family (each service call reloads and re-saves its aggregate), about 5 families a second on two
cores: seven hours for 50,000 families. So the generator runs the very same service functions
against this unit of work, whose repositories keep the aggregates in memory, and at the end of a
batch hands every aggregate, in its final state, to the real `SqlUnitOfWork` repositories (`add`),
in one transaction. Every rule in the services and the domain still runs; only the intermediate
round trips are skipped.

Every step is taken by a staff member (an `Actor`), so each use case asks the access rules
(`decide`) on facts this unit of work derives from the staged aggregates exactly as
`SqlAccessFacts` derives them from the tables.

What differs from a step-by-step load, and why it does not matter for the benchmark:
- each stored row starts at version 1 (the repositories' `add` sets it), so ETags are "1";
- `created_at` is the time of the first step and `updated_at` equals it;
- duplicate-household warnings are not looked up (they are advisory and never stored);
- the audit entries of the steps are counted, not written: a county's five years of history
  would be millions of rows that no timed request reads (each timed request writes its own);
- change hints are not announced (nobody listens while the data is loaded), and no step sends
  an Idempotency-Key.
Reference data, practitioners and the timeliness policy are read once from the database.
"""

from __future__ import annotations

import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import MappingProxyType, TracebackType
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.models import PractitionerRow
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import (
    EpisodeFacts,
    RecordFacts,
    RequestFacts,
    TafSeat,
    sharing_in_force,
)
from app.domain.assessments import Assessment
from app.domain.calendar import WorkingCalendar
from app.domain.consents import Consent
from app.domain.contacts import Contact
from app.domain.documents import Document
from app.domain.episodes import Episode, EpisodeStage
from app.domain.families import DuplicateCandidate, Family, Person, Relationship
from app.domain.family_help import FamilyHelpRecord
from app.domain.family_network import NetworkMember
from app.domain.outcomes_framework import FrameworkCatalogue, Headline
from app.domain.plans import FamilyPlan, PlanStatus
from app.domain.practitioners import Practitioner
from app.domain.requests import SupportRequest
from app.domain.taf import TafMeeting, TafMember
from app.domain.timeliness import PolicyHistory
from app.services.ports import (
    Agency,
    AuditRecord,
    ChangeHint,
    Household,
    Hub,
    StoredClaim,
    StoredFramework,
    StoredNeed,
    StoredResponse,
    StoredSfPolicy,
    StoredSupport,
)


class ReadOnlyReference:
    """Hubs, agencies, practitioners and the timeliness policy, read once per worker process."""

    def __init__(self, sql: SqlUnitOfWork) -> None:
        with sql:
            self._hubs = {h.id: h for h in sql.reference.hubs(include_inactive=True)}
            self._agencies = sql.reference.agencies(include_inactive=True)
            self._policy = sql.policies.history()
            self.frameworks = sql.claims.frameworks()
            self.sf_policies = sql.claims.policies()
            ids = list(sql.session.scalars(select(PractitionerRow.id)))
            self._practitioners = sql.practitioners.get_many(ids)
            self._calendar = sql.reference_data.calendar()
            self._headlines = sql.reference_data.outcome_headlines()
            self._headline_codes = sql.reference_data.headline_codes()
            self._framework = sql.reference_data.framework()

    # ReferenceData
    def calendar(self) -> WorkingCalendar:
        return self._calendar

    def outcome_headlines(self) -> tuple[Headline, ...]:
        return self._headlines

    def headline_codes(self) -> frozenset[str]:
        return self._headline_codes

    def framework(self) -> FrameworkCatalogue:
        return self._framework

    # ReferenceRepository
    def hubs(self, *, include_inactive: bool = False) -> list[Hub]:
        return [h for h in self._hubs.values() if include_inactive or h.active]

    def hub(self, hub_id: uuid.UUID) -> Hub | None:
        return self._hubs.get(hub_id)

    def hub_by_code(self, code: str) -> Hub | None:
        return next((h for h in self._hubs.values() if h.code == code), None)

    def agencies(self, *, include_inactive: bool = False) -> list[Agency]:
        return [a for a in self._agencies if include_inactive or a.active]

    def agency_codes(self) -> set[str]:
        return {a.code for a in self._agencies if a.active}

    # PractitionerRepository (read side)
    def get(self, practitioner_id: uuid.UUID) -> Practitioner | None:
        return self._practitioners.get(practitioner_id)

    def get_many(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Practitioner]:
        return {i: self._practitioners[i] for i in ids if i in self._practitioners}

    def get_by_email(self, email: str) -> Practitioner | None:
        return next((p for p in self._practitioners.values() if p.email == email), None)

    def names(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {i: self._practitioners[i].name for i in ids if i in self._practitioners}

    # PolicyRepository
    def history(self) -> PolicyHistory:
        return self._policy


class _Claims:
    """The claim repository as a freshly loaded county has it: framework and policy, no claims yet."""

    def __init__(self, frameworks: list[StoredFramework], policies: list[StoredSfPolicy]) -> None:
        self._frameworks = frameworks
        self._policies = policies

    def frameworks(self) -> list[StoredFramework]:
        return self._frameworks

    def policies(self) -> list[StoredSfPolicy]:
        return self._policies

    def for_family(self, family_id: uuid.UUID) -> list[StoredClaim]:
        return []

    def for_families(self, family_ids: Sequence[uuid.UUID]) -> list[StoredClaim]:
        return []


class _Store:
    """Objects by id with the time they were first stored, in insertion order."""

    def __init__(self) -> None:
        self.items: dict[uuid.UUID, Any] = {}
        self.first_at: dict[uuid.UUID, datetime] = {}

    def add(self, key: uuid.UUID, obj: Any, at: datetime) -> None:
        obj.version = 1
        self.items[key] = obj
        self.first_at.setdefault(key, at)

    def save(self, key: uuid.UUID, obj: Any) -> None:
        obj.version += 1
        self.items[key] = obj


class _Families:
    def __init__(self) -> None:
        self.store = _Store()
        self.taken_references: set[str] = set()
        self.relations: dict[uuid.UUID, list[Relationship]] = defaultdict(list)

    def get(self, family_id: uuid.UUID) -> Family | None:
        return self.store.items.get(family_id)

    def add(self, family: Family, *, at: datetime) -> None:
        self.store.add(family.id, family, at)
        self.taken_references.add(family.reference)

    def save(self, family: Family, *, at: datetime) -> None:
        self.store.save(family.id, family)

    def reference_exists(self, reference: str) -> bool:
        return reference in self.taken_references

    def lock(self, family_id: uuid.UUID) -> None:
        """Nothing to take turns with: one process plays one family's story at a time."""

    def get_many(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Family]:
        return {i: self.store.items[i] for i in family_ids if i in self.store.items}

    def possible_duplicates(self, **_: Any) -> list[DuplicateCandidate]:
        return []

    def relationships(self, family_id: uuid.UUID) -> list[Relationship]:
        return list(self.relations[family_id])

    def add_relationship(self, relationship: Relationship, *, at: datetime) -> None:
        self.relations[relationship.family_id].append(relationship)

    def households_of_person(self, person_id: uuid.UUID) -> list[Household]:
        return [
            Household(
                f.id, any(m.person_id == person_id and m.left_on is None for m in f.memberships)
            )
            for f in self.store.items.values()
            if any(m.person_id == person_id for m in f.memberships)
        ]

    def families_of_person(self, person_id: uuid.UUID) -> list[uuid.UUID]:
        return [h.family_id for h in self.households_of_person(person_id)]

    def references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {i: self.store.items[i].reference for i in family_ids if i in self.store.items}


class _People:
    def __init__(self) -> None:
        self.store = _Store()

    def get(self, person_id: uuid.UUID) -> Person | None:
        return self.store.items.get(person_id)

    def get_many(self, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
        return {i: self.store.items[i] for i in person_ids if i in self.store.items}

    def add(self, person: Person, *, at: datetime) -> None:
        self.store.add(person.id, person, at)

    def save(self, person: Person, *, at: datetime) -> None:
        self.store.save(person.id, person)


class _Consents:
    def __init__(self) -> None:
        self.store = _Store()

    def get(self, consent_id: uuid.UUID) -> Consent | None:
        return self.store.items.get(consent_id)

    def for_family(self, family_id: uuid.UUID) -> list[Consent]:
        return [c for c in self.store.items.values() if c.family_id == family_id]

    def add(self, consent: Consent, *, at: datetime) -> None:
        self.store.add(consent.id, consent, at)

    def save(self, consent: Consent, *, at: datetime) -> None:
        self.store.save(consent.id, consent)


class _Episodes:
    def __init__(self) -> None:
        self.store = _Store()

    def get(self, episode_id: uuid.UUID) -> Episode | None:
        return self.store.items.get(episode_id)

    def get_many(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Episode]:
        return {i: self.store.items[i] for i in episode_ids if i in self.store.items}

    def for_family(self, family_id: uuid.UUID) -> list[Episode]:
        found = [e for e in self.store.items.values() if e.family_id == family_id]
        return sorted(found, key=lambda e: (e.requested_on, e.id))

    def add(self, episode: Episode, *, at: datetime) -> None:
        self.store.add(episode.id, episode, at)

    def save(self, episode: Episode, *, at: datetime) -> None:
        self.store.save(episode.id, episode)


class _ByEpisode:
    """Assessments and plans: by id, listed per episode in the order they were added."""

    def __init__(self) -> None:
        self.store = _Store()

    def get(self, item_id: uuid.UUID) -> Any:
        return self.store.items.get(item_id)

    def for_episode(self, episode_id: uuid.UUID) -> list[Any]:
        return [x for x in self.store.items.values() if x.episode_id == episode_id]

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Any]:
        wanted = set(episode_ids)
        return [x for x in self.store.items.values() if x.episode_id in wanted]

    def add(self, item: Assessment | FamilyPlan, *, at: datetime) -> None:
        self.store.add(item.id, item, at)

    def save(self, item: Assessment | FamilyPlan, *, at: datetime) -> None:
        self.store.save(item.id, item)


class _Taf:
    def __init__(self) -> None:
        self.member_store = _Store()
        self.meeting_list: list[tuple[TafMeeting, datetime]] = []

    def member(self, member_id: uuid.UUID) -> TafMember | None:
        return self.member_store.items.get(member_id)

    def members(self, episode_id: uuid.UUID) -> list[TafMember]:
        return [m for m in self.member_store.items.values() if m.episode_id == episode_id]

    def add_member(self, member: TafMember, *, at: datetime) -> None:
        self.member_store.add(member.id, member, at)

    def save_member(self, member: TafMember, *, at: datetime) -> None:
        self.member_store.save(member.id, member)

    def meetings(self, episode_id: uuid.UUID) -> list[TafMeeting]:
        return [m for m, _ in self.meeting_list if m.episode_id == episode_id]

    def add_meeting(self, meeting: TafMeeting, *, at: datetime) -> None:
        self.meeting_list.append((meeting, at))


class _Needs:
    def __init__(self) -> None:
        self.store = _Store()

    def get(self, need_id: uuid.UUID) -> StoredNeed | None:
        return self.store.items.get(need_id)

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredNeed]:
        wanted = set(episode_ids)
        return [n for n in self.store.items.values() if n.episode_id in wanted]

    def add(self, need: StoredNeed, *, at: datetime) -> None:
        self.store.add(need.record.need.id, need, at)

    def save(self, need: StoredNeed, *, at: datetime) -> None:
        need.version = self.store.items[need.record.need.id].version
        self.store.save(need.record.need.id, need)

    def support_for(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredSupport]:
        return []


class _NoNetwork:
    """No family network outside the households and no family group decision-making: the
    generated stories do not use them (plans' action owners are looked up here)."""

    def members_of(self, family_id: uuid.UUID) -> list[NetworkMember]:
        return []


class _NoFamilyHelp:
    """The council runs early help only (no Family Help policy): episodes have no Family Help
    record, as on a database where the policy was never switched on."""

    def get(self, episode_id: uuid.UUID) -> FamilyHelpRecord | None:
        return None


class _Contacts:
    def __init__(self) -> None:
        self.store = _Store()

    def get(self, contact_id: uuid.UUID) -> Contact | None:
        return self.store.items.get(contact_id)

    def add(self, contact: Contact, *, at: datetime) -> None:
        self.store.add(contact.id, contact, at)

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Contact]:
        wanted = set(episode_ids)
        return [c for c in self.store.items.values() if c.episode_id in wanted]


class _Documents:
    """Documents and their content's chunks, written after the rows they belong to."""

    def __init__(self) -> None:
        self.store = _Store()
        self.chunks: list[tuple[uuid.UUID, int, bytes]] = []

    def get(self, document_id: uuid.UUID) -> Document | None:
        return self.store.items.get(document_id)

    def every_for_family(self, family_id: uuid.UUID) -> list[Document]:
        return [d for d in self.store.items.values() if d.family_id == family_id]

    def add_chunk(self, document_id: uuid.UUID, seq: int, data: bytes) -> None:
        self.chunks.append((document_id, seq, data))

    def add(self, document: Document, *, at: datetime) -> None:
        self.store.add(document.id, document, at)


class _Requests:
    """Requests for support, with the facts `decide_request` needs derived as the SQL
    repository derives them (who made it, the episode its screening linked it to)."""

    def __init__(self, uow: StagingUnitOfWork) -> None:
        self.store = _Store()
        self._uow = uow

    def get(self, request_id: uuid.UUID) -> SupportRequest | None:
        return self.store.items.get(request_id)

    def for_family(self, family_id: uuid.UUID) -> list[SupportRequest]:
        found = [r for r in self.store.items.values() if r.family_id == family_id]
        return sorted(found, key=lambda r: (r.received_on, r.id))

    def add(self, request: SupportRequest, *, at: datetime) -> None:
        self.store.add(request.id, request, at)

    def save(self, request: SupportRequest, *, at: datetime) -> None:
        self.store.save(request.id, request)

    def facts(self, request_id: uuid.UUID) -> RequestFacts | None:
        return self.facts_many([request_id]).get(request_id)

    def facts_many(self, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RequestFacts]:
        found: dict[uuid.UUID, RequestFacts] = {}
        for request_id in request_ids:
            request: SupportRequest | None = self.store.items.get(request_id)
            if request is None:
                continue
            episode_id = request.decision.episode_id if request.decision else None
            episode = self._uow.episodes.get(episode_id) if episode_id else None
            found[request_id] = RequestFacts(
                request.id,
                request.created_by_practitioner_id,
                EpisodeFacts(
                    episode_id=episode.id,
                    hub_id=episode.hub_id,
                    lead_practitioner_id=episode.lead_practitioner_id,
                )
                if episode is not None
                else None,
                request.family_id,
            )
        return found


class _Access:
    """The facts `decide` needs, derived from the staged aggregates as `SqlAccessFacts` derives
    them from the tables (every family of a story is staged in the batch that plays it)."""

    def __init__(self, uow: StagingUnitOfWork) -> None:
        self._uow = uow

    def for_episode(
        self, episode_id: uuid.UUID, today: date, *, with_assigned_actions: bool = False
    ) -> RecordFacts | None:
        episode = self._uow.episodes.get(episode_id)
        if episode is None:
            return None
        return self.for_families([episode.family_id], today).get(episode.family_id)

    def for_families(
        self,
        family_ids: Sequence[uuid.UUID],
        today: date,
        *,
        with_assigned_actions: bool = False,
    ) -> dict[uuid.UUID, RecordFacts]:
        uow = self._uow
        facts: dict[uuid.UUID, RecordFacts] = {}
        for family in uow.families.get_many(list(dict.fromkeys(family_ids))).values():
            agencies, all_taf = sharing_in_force(uow.consents.for_family(family.id), today)
            facts[family.id] = RecordFacts(
                family_id=family.id,
                family_hub_id=family.hub_id,
                created_by_practitioner_id=family.created_by_practitioner_id,
                sharing_agencies_in_force=agencies,
                sharing_with_all_taf_in_force=all_taf,
                episodes=tuple(self._episode(e) for e in uow.episodes.for_family(family.id)),
            )
        return facts

    def _episode(self, episode: Episode) -> EpisodeFacts:
        uow = self._uow
        members = uow.taf.members(episode.id)
        seats = tuple(
            TafSeat(
                practitioner_id=m.practitioner_id,
                agency_code=m.agency_code,
                joined_on=m.joined_on,
                left_on=m.left_on,
            )
            for m in members
            if m.practitioner_id is not None and m.agency_code is not None
        )
        practitioner_of = {m.id: m.practitioner_id for m in members if m.practitioner_id}
        assigned: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        plans: list[FamilyPlan] = uow.plans.for_episode(episode.id)
        for plan in plans:
            for action in plan.actions:
                member = action.owner_taf_member_id
                owner = practitioner_of.get(member) if member is not None else None
                if owner is not None:
                    assigned[owner].add(action.id)
        return EpisodeFacts(
            episode_id=episode.id,
            hub_id=episode.hub_id,
            lead_practitioner_id=episode.lead_practitioner_id,
            taf=seats,
            plan_awaiting_qa=any(p.status is PlanStatus.SUBMITTED for p in plans),
            is_open=episode.stage is not EpisodeStage.CLOSED,
            assigned_action_ids_by_practitioner=MappingProxyType(
                {p: frozenset(a) for p, a in assigned.items()}
            ),
        )


class _Audit:
    """Counts the steps' audit entries, by outcome; see the module docstring."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()

    def append(self, records: Sequence[AuditRecord], *, at: datetime) -> None:
        self.outcomes.update(r.outcome for r in records)


class _NoChanges:
    def announce(self, hints: Sequence[ChangeHint]) -> None:
        return None


class _NoIdempotency:
    def find(self, scope: str, key: str) -> StoredResponse | None:
        return None

    def remember(self, scope: str, key: str, response: StoredResponse, *, at: datetime) -> None:
        raise AssertionError("the generator sends no Idempotency-Key")


class StagingUnitOfWork:
    """Satisfies the services' `UnitOfWork` for the story steps the generator plays.

    `commit` keeps everything (the batch is written by `write_to`); nothing is rolled back, so a
    refused step must leave no half-applied change: the services check before they store.
    """

    def __init__(self, reference: ReadOnlyReference) -> None:
        self.reference = reference
        self.reference_data = reference
        self.practitioners = reference
        self.policies = reference
        self.claims = _Claims(reference.frameworks, reference.sf_policies)
        self.families = _Families()
        self.people = _People()
        self.consents = _Consents()
        self.episodes = _Episodes()
        self.assessments = _ByEpisode()
        self.plans = _ByEpisode()
        self.taf = _Taf()
        self.needs = _Needs()
        self.contacts = _Contacts()
        self.documents = _Documents()
        self.requests = _Requests(self)
        self.network = _NoNetwork()
        self.family_help = _NoFamilyHelp()
        self.access = _Access(self)
        self.audit = _Audit()
        self.changes = _NoChanges()
        self.idempotency = _NoIdempotency()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        return None

    def flush(self) -> None:
        return None

    def rollback(self) -> None:
        return None

    def write_to(self, sql: SqlUnitOfWork) -> None:
        """Store the batch with the SQL repositories in one transaction, parents before children.

        The repositories flush after each `add` (right for the API's one-aggregate writes); here
        each kind of aggregate is added with flushing held back and flushed once, so SQLAlchemy
        sends one multi-row INSERT per table instead of one round trip per row. Within a kind,
        rows go out in the order they were added (parent rows first), which keeps the foreign
        keys satisfied.
        """
        with sql:
            session = sql.session
            stores: list[tuple[_Store, Callable[..., None]]] = [
                (self.people.store, sql.people.add),
                (self.families.store, sql.families.add),
                (self.consents.store, sql.consents.add),
            ]
            for store, repo_add in stores:
                with _flush_once(session):
                    for key, obj in store.items.items():
                        repo_add(obj, at=store.first_at[key])
            with _flush_once(session):
                for family_id, relations in self.families.relations.items():
                    for r in relations:
                        sql.families.add_relationship(r, at=self.families.store.first_at[family_id])
            # An episode may name the family's previous episode, so one generation at a time.
            by_family: dict[uuid.UUID, list[Episode]] = defaultdict(list)
            for e in self.episodes.store.items.values():
                by_family[e.family_id].append(e)
            generation = 0
            while True:
                wave = [
                    eps[generation]
                    for eps in (sorted(v, key=lambda e: e.requested_on) for v in by_family.values())
                    if len(eps) > generation
                ]
                if not wave:
                    break
                with _flush_once(session):
                    for e in wave:
                        sql.episodes.add(e, at=self.episodes.store.first_at[e.id])
                generation += 1
            stores = [
                (self.assessments.store, sql.assessments.add),
                (self.plans.store, sql.plans.add),
                (self.taf.member_store, sql.taf.add_member),
                (self.needs.store, sql.needs.add),
            ]
            for store, repo_add in stores:
                with _flush_once(session):
                    for key, obj in store.items.items():
                        repo_add(obj, at=store.first_at[key])
            with _flush_once(session):
                for meeting, at in self.taf.meeting_list:
                    sql.taf.add_meeting(meeting, at=at)
            # A request names the episode its screening opened; a document may belong to a
            # contact; a document's chunks are inserted after its row.
            stores = [
                (self.requests.store, sql.requests.add),
                (self.contacts.store, sql.contacts.add),
                (self.documents.store, sql.documents.add),
            ]
            for store, repo_add in stores:
                with _flush_once(session):
                    for key, obj in store.items.items():
                        repo_add(obj, at=store.first_at[key])
            for document_id, seq, data in self.documents.chunks:
                sql.documents.add_chunk(document_id, seq, data)
            sql.commit()


@contextmanager
def _flush_once(session: Session) -> Iterator[None]:
    """Hold back the repositories' own flushes (and autoflush) until the block ends, then flush
    table by table in foreign-key order (the ORM has no relationships to order them by)."""
    session.flush = lambda *_args, **_kwargs: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        del session.flush
    pending: dict[str, list[object]] = defaultdict(list)
    for obj in session.new:
        pending[type(obj).__table__.name].append(obj)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Session.flush(objects=...) is legacy, and exactly this
        for table in Base.metadata.sorted_tables:
            if pending.get(table.name):
                session.flush(pending.pop(table.name))
    session.flush()


__all__ = ["ReadOnlyReference", "StagingUnitOfWork"]
