# The in-memory repositories keep the services' Protocol signatures, `at` included, unused here.
# ruff: noqa: ARG002
"""An in-memory unit of work, in Cosmic Python's style: services tested without a database.

Each repository keeps domain objects in dicts; `commit()` makes the work of the transaction
visible and `rollback()` (or leaving without commit) throws it away, so the services' one-commit
discipline is tested for real: the fake keeps a committed copy and a working copy of everything.
Saving is a compare-and-swap on the version the object was read at, as the SQL repositories'
(`row_to_save`). The access facts are computed from the stored objects by the same domain helpers
the SQL repository uses (`sharing_in_force`), plan actions' owners included when asked for.

Reference data comes from a `ReferenceSet`: the packaged one by default, any other a test passes
(a calendar with other bank holidays, a shorter headline list, another framework); the framework
an admin uploaded through the claims repository wins over the packaged one, as in the database.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from types import MappingProxyType, TracebackType
from typing import Any, Self

from app.db.repositories.census_codes import packaged_census_codes
from app.db.repositories.reference import (
    packaged_calendar,
    packaged_framework_document,
    packaged_headlines,
)
from app.domain.access import (
    ALLOCATIONS_GRANTING_ACCESS,
    AllocatedPractitioner,
    EpisodeFacts,
    RecordFacts,
    RequestFacts,
    RequestScope,
    SearchScope,
    TafSeat,
    sharing_in_force,
)
from app.domain.assessments import Assessment
from app.domain.audit import AuditEntry, entry_content
from app.domain.calendar import WorkingCalendar
from app.domain.consents import Consent
from app.domain.contacts import Contact, ContactKind
from app.domain.disclosures import Disclosure
from app.domain.documents import Document, OwnerKind
from app.domain.episodes import Episode, EpisodeStage
from app.domain.errors import Conflict, StaleVersion
from app.domain.families import (
    DuplicateCandidate,
    Family,
    Person,
    Relationship,
    normalise_name,
)
from app.domain.family_help import STATUTORY_BASES, FamilyHelpRecord
from app.domain.family_network import FgdmMeeting, FgdmOffer, NetworkMember
from app.domain.outcomes_framework import FrameworkCatalogue, Headline, parse_framework
from app.domain.paging import Page, PageRequest, encode_cursor, page_in_memory
from app.domain.plans import FamilyPlan, PlanStatus
from app.domain.practitioners import Practitioner
from app.domain.requests import PriorInvolvement, RequestStatus, ScreeningOutcome, SupportRequest
from app.domain.supporting_families import (
    LIVE_CLAIM_STATES,
    AssessmentSummary,
    NeedOutcome,
    PlanSummary,
    SustainmentResult,
)
from app.domain.taf import TafMeeting, TafMember
from app.domain.timeliness import DEFAULT_POLICY, Deadline, PolicyHistory, TimelinessPolicy
from app.services.ports import (
    Agency,
    AuditRecord,
    CensusChildRow,
    ChangeHint,
    ClaimCaseRecord,
    ContactFilter,
    DisclosureFilter,
    EpisodeFilter,
    FamilyFilter,
    Household,
    HouseholdMember,
    Hub,
    PractitionerFilter,
    RequestFilter,
    StoredClaim,
    StoredFramework,
    StoredNeed,
    StoredResponse,
    StoredSfPolicy,
    StoredSupport,
)


@dataclass(frozen=True)
class ReferenceSet:
    """The reference data a fake unit of work is built with (`packaged_reference()` by default)."""

    calendar: WorkingCalendar
    headlines: tuple[Headline, ...]
    framework_document: dict[str, Any]

    @property
    def framework(self) -> FrameworkCatalogue:
        return _parsed(json.dumps(self.framework_document, sort_keys=True))


@cache
def _parsed(canonical_json: str) -> FrameworkCatalogue:
    return parse_framework(json.loads(canonical_json))


def packaged_reference() -> ReferenceSet:
    """What the service ships: England and Wales bank holidays, app/data's headlines and framework."""
    return ReferenceSet(packaged_calendar(), packaged_headlines(), packaged_framework_document())


@dataclass
class _State:
    """Everything the fake stores; copied whole on commit and on rollback."""

    hubs: dict[uuid.UUID, Hub] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    families: dict[uuid.UUID, Family] = field(default_factory=dict)
    people: dict[uuid.UUID, Person] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    consents: dict[uuid.UUID, Consent] = field(default_factory=dict)
    disclosures: dict[uuid.UUID, Disclosure] = field(default_factory=dict)
    network_members: dict[uuid.UUID, NetworkMember] = field(default_factory=dict)
    fgdm_offers: dict[uuid.UUID, FgdmOffer] = field(default_factory=dict)
    fgdm_meetings: dict[uuid.UUID, FgdmMeeting] = field(default_factory=dict)
    practitioners: dict[uuid.UUID, Practitioner] = field(default_factory=dict)
    episodes: dict[uuid.UUID, Episode] = field(default_factory=dict)
    assessments: dict[uuid.UUID, Assessment] = field(default_factory=dict)
    plans: dict[uuid.UUID, FamilyPlan] = field(default_factory=dict)
    taf_members: dict[uuid.UUID, TafMember] = field(default_factory=dict)
    meetings: dict[uuid.UUID, TafMeeting] = field(default_factory=dict)
    policies: list[TimelinessPolicy] = field(default_factory=list)
    idempotency: dict[tuple[str, str], StoredResponse] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    needs: dict[uuid.UUID, StoredNeed] = field(default_factory=dict)
    support: list[StoredSupport] = field(default_factory=list)
    claims: dict[uuid.UUID, StoredClaim] = field(default_factory=dict)
    frameworks: list[StoredFramework] = field(default_factory=list)
    sf_policies: list[StoredSfPolicy] = field(default_factory=list)
    contacts: dict[uuid.UUID, Contact] = field(default_factory=dict)
    documents: dict[uuid.UUID, Document] = field(default_factory=dict)
    document_chunks: dict[tuple[uuid.UUID, int], bytes] = field(default_factory=dict)
    requests: dict[uuid.UUID, SupportRequest] = field(default_factory=dict)
    family_help: dict[uuid.UUID, FamilyHelpRecord] = field(default_factory=dict)


def _swap(stored: Any, record: Any) -> None:
    """Compare-and-swap, as `row_to_save`: the stored copy must still be at the version the
    record was read at; the record then carries the next version."""
    if stored is None:
        raise LookupError(getattr(record, "id", None))
    if stored.version != record.version:
        raise StaleVersion.changed_elsewhere()
    record.version += 1


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def state(self) -> _State:
        return self._uow.working


class FakeReference(_Repository):
    def hubs(self, *, include_inactive: bool = False) -> list[Hub]:
        return [h for h in self.state.hubs.values() if include_inactive or h.active]

    def hub(self, hub_id: uuid.UUID) -> Hub | None:
        return self.state.hubs.get(hub_id)

    def hub_by_code(self, code: str) -> Hub | None:
        return next((h for h in self.state.hubs.values() if h.code == code), None)

    def add_hub(self, hub: Hub) -> None:
        self.state.hubs[hub.id] = hub

    def agencies(self, *, include_inactive: bool = False) -> list[Agency]:
        return [a for a in self.state.agencies.values() if include_inactive or a.active]

    def agency_codes(self) -> set[str]:
        return set(self.state.agencies)

    def add_agency(self, agency: Agency) -> None:
        self.state.agencies[agency.code] = agency


class FakeFamilies(_Repository):
    def get(self, family_id: uuid.UUID) -> Family | None:
        return copy.deepcopy(self.state.families.get(family_id))

    def get_many(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Family]:
        return {fid: f for fid in family_ids if (f := self.get(fid)) is not None}

    def lock(self, family_id: uuid.UUID) -> None:
        return None

    def add(self, family: Family, *, at: datetime) -> None:
        if any(f.reference == family.reference for f in self.state.families.values()):
            raise Conflict("The change clashes with a record already stored.", code="record_clash")
        family.version = 1
        self.state.families[family.id] = copy.deepcopy(family)

    def save(self, family: Family, *, at: datetime) -> None:
        _swap(self.state.families.get(family.id), family)
        self.state.families[family.id] = copy.deepcopy(family)

    def reference_exists(self, reference: str) -> bool:
        return any(f.reference == reference for f in self.state.families.values())

    def search(self, flt: FamilyFilter, page: PageRequest) -> Page[Family]:
        found = [
            copy.deepcopy(f)
            for f in self.state.families.values()
            if (flt.reference is None or f.reference.startswith(flt.reference.upper()))
            and (flt.hub_id is None or f.hub_id == flt.hub_id)
        ]
        return page_in_memory(found, lambda f: (f.reference,), page)

    def households_of_person(self, person_id: uuid.UUID) -> list[Household]:
        found: dict[uuid.UUID, bool] = {}
        for family in self.state.families.values():
            for m in family.memberships:
                if m.person_id == person_id:
                    found[family.id] = found.get(family.id, False) or m.left_on is None
        return sorted(
            (Household(fid, current) for fid, current in found.items()),
            key=lambda h: (not h.current, str(h.family_id)),
        )

    def families_of_person(self, person_id: uuid.UUID) -> list[uuid.UUID]:
        return [h.family_id for h in self.households_of_person(person_id) if h.current]

    def possible_duplicates(
        self,
        *,
        children: Sequence[tuple[str, str, date]],
        postcode_surnames: Sequence[tuple[str, str]],
        nhs_numbers: Sequence[tuple[str, date]] = (),
        exclude: uuid.UUID | None = None,
    ) -> list[DuplicateCandidate]:
        found: dict[uuid.UUID, DuplicateCandidate] = {}
        wanted = {(normalise_name(g), normalise_name(f), d) for g, f, d in children}
        for family in self.state.families.values():
            for m in family.memberships:
                person = self.state.people[m.person_id]
                if (person.nhs_number, person.date_of_birth) in set(nhs_numbers):
                    found[family.id] = DuplicateCandidate(
                        family.id, family.reference, "same NHS number", likely=True
                    )
                key = (
                    normalise_name(person.given_name),
                    normalise_name(person.family_name),
                    person.date_of_birth,
                )
                if key in wanted:
                    found.setdefault(
                        family.id,
                        DuplicateCandidate(family.id, family.reference, "same child"),
                    )
        found.pop(exclude, None) if exclude else None
        return sorted(found.values(), key=lambda c: (not c.likely, c.reference))

    def add_relationship(self, relationship: Relationship, *, at: datetime) -> None:
        self.state.relationships.append(relationship)

    def relationships(self, family_id: uuid.UUID) -> list[Relationship]:
        return [r for r in self.state.relationships if r.family_id == family_id]

    def count(self) -> int:
        return len(self.state.families)

    def references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {
            fid: self.state.families[fid].reference
            for fid in family_ids
            if fid in self.state.families
        }


class FakePeople(_Repository):
    def get(self, person_id: uuid.UUID) -> Person | None:
        return copy.deepcopy(self.state.people.get(person_id))

    def get_many(self, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
        return {pid: p for pid in person_ids if (p := self.get(pid)) is not None}

    def add(self, person: Person, *, at: datetime) -> None:
        person.version = 1
        self.state.people[person.id] = copy.deepcopy(person)

    def save(self, person: Person, *, at: datetime) -> None:
        _swap(self.state.people.get(person.id), person)
        self.state.people[person.id] = copy.deepcopy(person)


class FakeConsents(_Repository):
    def get(self, consent_id: uuid.UUID) -> Consent | None:
        return copy.deepcopy(self.state.consents.get(consent_id))

    def for_family(self, family_id: uuid.UUID) -> list[Consent]:
        found = [c for c in self.state.consents.values() if c.family_id == family_id]
        return copy.deepcopy(sorted(found, key=lambda c: (c.given_on, str(c.id))))

    def add(self, consent: Consent, *, at: datetime) -> None:
        consent.version = 1
        self.state.consents[consent.id] = copy.deepcopy(consent)

    def save(self, consent: Consent, *, at: datetime) -> None:
        _swap(self.state.consents.get(consent.id), consent)
        self.state.consents[consent.id] = copy.deepcopy(consent)


class FakeDisclosures(_Repository):
    def get(self, disclosure_id: uuid.UUID) -> Disclosure | None:
        return self.state.disclosures.get(disclosure_id)

    def for_family(
        self, family_id: uuid.UUID, flt: DisclosureFilter, page: PageRequest
    ) -> Page[Disclosure]:
        found = [
            d
            for d in self.state.disclosures.values()
            if d.family_id == family_id
            and (flt.decision is None or d.decision is flt.decision)
            and (flt.lawful_basis is None or d.lawful_basis is flt.lawful_basis)
            and (flt.decided_from is None or d.decided_on >= flt.decided_from)
            and (flt.decided_to is None or d.decided_on <= flt.decided_to)
            and (flt.episode_id is None or d.episode_id == flt.episode_id)
        ]
        return page_in_memory(found, lambda d: (d.decided_on.isoformat(), d.id), page)

    def every_for_family(self, family_id: uuid.UUID) -> list[Disclosure]:
        return [d for d in self.state.disclosures.values() if d.family_id == family_id]

    def add(self, disclosure: Disclosure) -> None:
        self.state.disclosures[disclosure.id] = disclosure


class FakeFamilyNetwork(_Repository):
    def members_of(self, family_id: uuid.UUID) -> list[NetworkMember]:
        found = [m for m in self.state.network_members.values() if m.family_id == family_id]
        return copy.deepcopy(sorted(found, key=lambda m: (m.added_on, str(m.id))))

    def member(self, member_id: uuid.UUID) -> NetworkMember | None:
        return copy.deepcopy(self.state.network_members.get(member_id))

    def add_member(self, member: NetworkMember, *, at: datetime) -> None:
        member.version = 1
        member.recorded_at = at
        self.state.network_members[member.id] = copy.deepcopy(member)

    def save_member(self, member: NetworkMember, *, at: datetime) -> None:
        _swap(self.state.network_members.get(member.id), member)
        self.state.network_members[member.id] = copy.deepcopy(member)

    def offers_of(self, family_id: uuid.UUID) -> list[FgdmOffer]:
        found = [o for o in self.state.fgdm_offers.values() if o.family_id == family_id]
        return copy.deepcopy(sorted(found, key=lambda o: (o.decided_on, str(o.id))))

    def offer(self, offer_id: uuid.UUID) -> FgdmOffer | None:
        return copy.deepcopy(self.state.fgdm_offers.get(offer_id))

    def add_offer(self, offer: FgdmOffer, *, at: datetime) -> None:
        offer.version = 1
        offer.recorded_at = at
        self.state.fgdm_offers[offer.id] = copy.deepcopy(offer)

    def save_offer(self, offer: FgdmOffer, *, at: datetime) -> None:
        _swap(self.state.fgdm_offers.get(offer.id), offer)
        self.state.fgdm_offers[offer.id] = copy.deepcopy(offer)

    def meetings_of(self, family_id: uuid.UUID) -> list[FgdmMeeting]:
        found = [m for m in self.state.fgdm_meetings.values() if m.family_id == family_id]
        return sorted(found, key=lambda m: (m.held_on, str(m.id)))

    def add_meeting(self, meeting: FgdmMeeting, *, at: datetime) -> None:
        self.state.fgdm_meetings[meeting.id] = replace(meeting, recorded_at=at)


class FakeIdempotency(_Repository):
    def find(self, scope: str, key: str) -> StoredResponse | None:
        return self.state.idempotency.get((scope, key))

    def remember(self, scope: str, key: str, response: StoredResponse, *, at: datetime) -> None:
        if (scope, key) in self.state.idempotency:
            raise Conflict("The change clashes with a record already stored.", code="record_clash")
        self.state.idempotency[(scope, key)] = response


class FakePractitioners(_Repository):
    def get(self, practitioner_id: uuid.UUID) -> Practitioner | None:
        return copy.deepcopy(self.state.practitioners.get(practitioner_id))

    def get_by_email(self, email: str) -> Practitioner | None:
        wanted = email.strip().lower()
        found = next((p for p in self.state.practitioners.values() if p.email == wanted), None)
        return copy.deepcopy(found)

    def get_many(self, practitioner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Practitioner]:
        return {pid: p for pid in practitioner_ids if (p := self.get(pid)) is not None}

    def names(self, practitioner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {pid: p.name for pid, p in self.get_many(practitioner_ids).items()}

    def add(self, practitioner: Practitioner, *, at: datetime) -> None:
        practitioner.version = 1
        self.state.practitioners[practitioner.id] = copy.deepcopy(practitioner)

    def save(self, practitioner: Practitioner, *, at: datetime) -> None:
        _swap(self.state.practitioners.get(practitioner.id), practitioner)
        self.state.practitioners[practitioner.id] = copy.deepcopy(practitioner)

    def search(self, flt: PractitionerFilter, page: PageRequest) -> Page[Practitioner]:
        found = [p for p in self.state.practitioners.values() if flt.include_inactive or p.active]
        return page_in_memory(found, lambda p: (p.name, p.id), page)


class FakePolicies(_Repository):
    def history(self) -> PolicyHistory:
        return PolicyHistory(tuple(self.state.policies) or (DEFAULT_POLICY,))

    def add(self, policy: TimelinessPolicy, *, reason: str | None, at: datetime) -> None:
        self.state.policies.append(policy)


class FakeEpisodes(_Repository):
    def get(self, episode_id: uuid.UUID) -> Episode | None:
        return copy.deepcopy(self.state.episodes.get(episode_id))

    def add(self, episode: Episode, *, at: datetime) -> None:
        episode.version = 1
        self.state.episodes[episode.id] = copy.deepcopy(episode)

    def save(self, episode: Episode, *, at: datetime) -> None:
        _swap(self.state.episodes.get(episode.id), episode)
        self.state.episodes[episode.id] = copy.deepcopy(episode)

    def for_family(self, family_id: uuid.UUID) -> list[Episode]:
        return [copy.deepcopy(e) for e in self.state.episodes.values() if e.family_id == family_id]

    def get_many(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Episode]:
        return {eid: e for eid in episode_ids if (e := self.get(eid)) is not None}

    def search(self, flt: EpisodeFilter, page: PageRequest) -> Page[Episode]:
        """Newest request first, then id, within the user's scope (`episode_in_scope`)."""
        found = [
            e
            for e in self.state.episodes.values()
            if (flt.family_id is None or e.family_id == flt.family_id)
            and (flt.hub_id is None or e.hub_id == flt.hub_id)
            and (
                flt.lead_practitioner_id is None
                or e.lead_practitioner_id == flt.lead_practitioner_id
            )
            and (flt.stage is None or e.stage == flt.stage)
            and (not flt.open_only or e.stage is not EpisodeStage.CLOSED)
            and (flt.scope is None or self._in_scope(e, flt.scope))
        ]
        found.sort(key=lambda e: (e.requested_on, str(e.id)), reverse=True)
        after = page.after_key(date.fromisoformat, uuid.UUID)
        if after is not None:
            found = [e for e in found if (e.requested_on, str(e.id)) < (after[0], str(after[1]))]
        chunk = found[: page.limit]
        more = len(found) > page.limit
        cursor = encode_cursor((chunk[-1].requested_on.isoformat(), chunk[-1].id)) if more else None
        return Page(items=copy.deepcopy(chunk), next_cursor=cursor)

    def _in_scope(self, episode: Episode, scope: SearchScope) -> bool:
        """The SQL scope's conditions (app/db/repositories/scope.py), on the stored objects."""
        if scope.everything:
            return True
        assert scope.today is not None
        facts = self._uow.access.for_families([episode.family_id], scope.today)
        record = facts[episode.family_id]
        seen = record.episode(episode.id)
        assert seen is not None
        pid = scope.practitioner_id
        return (
            (
                pid is not None
                and (
                    seen.lead_practitioner_id == pid
                    or any(
                        a.practitioner_id == pid and a.is_active_on(scope.today)
                        for a in seen.allocated
                    )
                    or any(
                        seat.practitioner_id == pid
                        and seat.is_active_on(scope.today)
                        and (
                            seen.statutory_basis
                            or record.sharing_with_all_taf_in_force
                            or seat.agency_code in record.sharing_agencies_in_force
                        )
                        for seat in seen.taf
                    )
                )
            )
            or seen.hub_id in scope.hub_ids
            or (scope.plans_awaiting_qa and seen.plan_awaiting_qa)
        )

    def deadline_history(self, episode_id: uuid.UUID) -> list[Deadline]:
        return list(self.state.episodes[episode_id].current_deadlines())


class FakeFamilyHelp(_Repository):
    def get(self, episode_id: uuid.UUID) -> FamilyHelpRecord | None:
        return copy.deepcopy(self.state.family_help.get(episode_id))

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[FamilyHelpRecord]:
        return [
            copy.deepcopy(self.state.family_help[e])
            for e in episode_ids
            if e in self.state.family_help
        ]

    def add(self, record: FamilyHelpRecord, *, at: datetime) -> None:
        if record.episode_id in self.state.family_help:
            raise Conflict("The change clashes with a record already stored.", code="record_clash")
        record.version = 1
        self.state.family_help[record.episode_id] = copy.deepcopy(record)

    def save(self, record: FamilyHelpRecord, *, at: datetime) -> None:
        _swap(self.state.family_help.get(record.episode_id), record)
        self.state.family_help[record.episode_id] = copy.deepcopy(record)

    def census_children(self, period_start: date, period_end: date) -> list[CensusChildRow]:
        found = []
        for record in self.state.family_help.values():
            census = record.census
            if census.referral_on is None or census.referral_on > period_end:
                continue
            if census.closed_on is not None and census.closed_on < period_start:
                continue
            episode = self.state.episodes[record.episode_id]
            for person_id in sorted(episode.child_person_ids):
                person = self.state.people.get(person_id)
                ids = {i.scheme.value: i.value for i in person.identifiers} if person else {}
                found.append(
                    CensusChildRow(
                        episode_id=record.episode_id,
                        person_id=person_id,
                        la_child_id=ids.get("la_child_id"),
                        upn=ids.get("upn"),
                        date_of_birth=person.date_of_birth if person else None,
                        record=copy.deepcopy(record),
                        nhs_number=ids.get("nhs_number"),
                        expected_birth_on=person.expected_delivery_date if person else None,
                        sex=person.sex if person else None,
                        ethnicity=person.ethnicity if person else None,
                        disabilities=person.disabilities if person else (),
                    )
                )
        return sorted(found, key=lambda r: (r.record.census.referral_on, r.episode_id, r.person_id))


class FakeAssessments(_Repository):
    def get(self, assessment_id: uuid.UUID) -> Assessment | None:
        return copy.deepcopy(self.state.assessments.get(assessment_id))

    def for_episode(self, episode_id: uuid.UUID) -> list[Assessment]:
        return [
            copy.deepcopy(a) for a in self.state.assessments.values() if a.episode_id == episode_id
        ]

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Assessment]:
        return [a for eid in episode_ids for a in self.for_episode(eid)]

    def add(self, assessment: Assessment, *, at: datetime) -> None:
        assessment.version = 1
        self.state.assessments[assessment.id] = copy.deepcopy(assessment)

    def save(self, assessment: Assessment, *, at: datetime) -> None:
        _swap(self.state.assessments.get(assessment.id), assessment)
        self.state.assessments[assessment.id] = copy.deepcopy(assessment)


class FakePlans(_Repository):
    def get(self, plan_id: uuid.UUID) -> FamilyPlan | None:
        return copy.deepcopy(self.state.plans.get(plan_id))

    def for_episode(self, episode_id: uuid.UUID) -> list[FamilyPlan]:
        found = [p for p in self.state.plans.values() if p.episode_id == episode_id]
        return copy.deepcopy(sorted(found, key=lambda p: p.number))

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[FamilyPlan]:
        return [p for eid in episode_ids for p in self.for_episode(eid)]

    def add(self, plan: FamilyPlan, *, at: datetime) -> None:
        plan.version = 1
        self.state.plans[plan.id] = copy.deepcopy(plan)

    def save(self, plan: FamilyPlan, *, at: datetime) -> None:
        _swap(self.state.plans.get(plan.id), plan)
        self.state.plans[plan.id] = copy.deepcopy(plan)


class FakeTaf(_Repository):
    def member(self, member_id: uuid.UUID) -> TafMember | None:
        return copy.deepcopy(self.state.taf_members.get(member_id))

    def members(self, episode_id: uuid.UUID) -> list[TafMember]:
        return [
            copy.deepcopy(m) for m in self.state.taf_members.values() if m.episode_id == episode_id
        ]

    def add_member(self, member: TafMember, *, at: datetime) -> None:
        member.version = 1
        self.state.taf_members[member.id] = copy.deepcopy(member)

    def save_member(self, member: TafMember, *, at: datetime) -> None:
        _swap(self.state.taf_members.get(member.id), member)
        self.state.taf_members[member.id] = copy.deepcopy(member)

    def meetings(self, episode_id: uuid.UUID) -> list[TafMeeting]:
        return [
            copy.deepcopy(m) for m in self.state.meetings.values() if m.episode_id == episode_id
        ]

    def members_for(self, episode_ids: Sequence[uuid.UUID]) -> list[TafMember]:
        return [m for e in episode_ids for m in self.members(e)]

    def meetings_for(self, episode_ids: Sequence[uuid.UUID]) -> list[TafMeeting]:
        return [m for e in episode_ids for m in self.meetings(e)]

    def add_meeting(self, meeting: TafMeeting, *, at: datetime) -> None:
        self.state.meetings[meeting.id] = copy.deepcopy(meeting)


class FakeNeeds(_Repository):
    def get(self, need_id: uuid.UUID) -> StoredNeed | None:
        return copy.deepcopy(self.state.needs.get(need_id))

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredNeed]:
        wanted = set(episode_ids)
        return [copy.deepcopy(n) for n in self.state.needs.values() if n.episode_id in wanted]

    def add(self, need: StoredNeed, *, at: datetime) -> None:
        self.state.needs[need.record.need.id] = copy.deepcopy(need)

    def save(self, need: StoredNeed, *, at: datetime) -> None:
        _swap(self.state.needs.get(need.record.need.id), need)
        self.state.needs[need.record.need.id] = copy.deepcopy(need)

    def support_for(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredSupport]:
        wanted = set(episode_ids)
        return [s for s in self.state.support if s.episode_id in wanted]

    def add_support(self, support: StoredSupport, *, at: datetime) -> None:
        self.state.support.append(support)


class FakeContacts(_Repository):
    def get(self, contact_id: uuid.UUID) -> Contact | None:
        return copy.deepcopy(self.state.contacts.get(contact_id))

    def add(self, contact: Contact, *, at: datetime) -> None:
        self.state.contacts[contact.id] = copy.deepcopy(contact)

    def save(self, contact: Contact, *, at: datetime) -> None:
        stored = self.state.contacts.get(contact.id)
        assert stored is not None
        # Only amendments are appended: the contact as first recorded never changes.
        assert stored.amendments == contact.amendments[: len(stored.amendments)]
        assert (stored.note, stored.child_voice, stored.what_was_done) == (
            contact.note,
            contact.child_voice,
            contact.what_was_done,
        )
        _swap(stored, contact)
        self.state.contacts[contact.id] = copy.deepcopy(contact)

    def _ordered(self, contacts: list[Contact]) -> list[Contact]:
        return sorted(
            (copy.deepcopy(c) for c in contacts), key=lambda c: (c.happened_on, str(c.id))
        )

    def for_episode(
        self, episode_id: uuid.UUID, flt: ContactFilter, page: PageRequest
    ) -> Page[Contact]:
        chosen = [
            c
            for c in self.state.contacts.values()
            if c.episode_id == episode_id
            and (not flt.kinds or c.kind in flt.kinds)
            and (flt.happened_from is None or c.happened_on >= flt.happened_from)
            and (flt.happened_to is None or c.happened_on <= flt.happened_to)
        ]
        return page_in_memory(
            self._ordered(chosen), lambda c: (c.happened_on.isoformat(), str(c.id)), page
        )

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Contact]:
        wanted = set(episode_ids)
        return self._ordered([c for c in self.state.contacts.values() if c.episode_id in wanted])

    def significant_for_episodes(
        self,
        episode_ids: Sequence[uuid.UUID],
        *,
        from_day: date | None = None,
        later_limit: int | None = None,
    ) -> list[Contact]:
        wanted = [
            replace(
                c,
                note="",
                child_voice=None,
                what_was_done=None,
                named_practitioner_ids=(),
                amendments=[],
            )
            for c in self.for_episodes(episode_ids)
            if c.significant
        ]
        on_the_day = [c for c in wanted if from_day is not None and c.happened_on == from_day]
        later = [c for c in wanted if from_day is None or c.happened_on > from_day]
        return on_the_day + later[:later_limit]

    def last_contact_on(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, date]:
        found: dict[uuid.UUID, date] = {}
        for c in self.state.contacts.values():
            if c.episode_id in episode_ids and c.kind is not ContactKind.ATTEMPTED_VISIT:
                found[c.episode_id] = max(c.happened_on, found.get(c.episode_id, c.happened_on))
        return found


class FakeClaims(_Repository):
    """Claims, and the framework and policy documents admins upload; one live claim per family
    and programme phase, as the database's partial unique index."""

    def get(self, claim_id: uuid.UUID) -> StoredClaim | None:
        return copy.deepcopy(self.state.claims.get(claim_id))

    def _sorted(self, found: list[StoredClaim]) -> list[StoredClaim]:
        return copy.deepcopy(sorted(found, key=lambda s: (s.claim.created_on, str(s.claim.id))))

    def for_family(self, family_id: uuid.UUID) -> list[StoredClaim]:
        return self._sorted(
            [s for s in self.state.claims.values() if s.claim.family_id == family_id]
        )

    def for_families(self, family_ids: Sequence[uuid.UUID]) -> list[StoredClaim]:
        found = [c for fid in family_ids for c in self.for_family(fid)]
        return sorted(found, key=lambda s: (str(s.claim.family_id), s.claim.created_on))

    def for_period(self, period_end: date) -> list[StoredClaim]:
        return self._sorted([s for s in self.state.claims.values() if s.period_end == period_end])

    def case_records(self, episode_ids: Sequence[uuid.UUID]) -> list[ClaimCaseRecord]:
        """From the stored aggregates, in the orders the SQL repository reads them in."""
        found = []
        for episode_id in episode_ids:
            episode = self.state.episodes.get(episode_id)
            if episode is None:
                continue
            family = self.state.families[episode.family_id]
            household = tuple(
                HouseholdMember(
                    person_id=m.person_id,
                    role=m.role,
                    joined_on=m.joined_on,
                    left_on=m.left_on,
                    date_of_birth=(p := self.state.people[m.person_id]).date_of_birth,
                    expected_delivery_date=p.expected_delivery_date,
                    send=p.send,
                )
                for m in sorted(family.memberships, key=lambda m: m.joined_on)
            )
            assessments = sorted(
                (a for a in self.state.assessments.values() if a.episode_id == episode_id),
                key=lambda a: a.number,
            )
            plans = sorted(
                (p for p in self.state.plans.values() if p.episode_id == episode_id),
                key=lambda p: p.number,
            )
            needs = sorted(
                (n.record for n in self.state.needs.values() if n.episode_id == episode_id),
                key=lambda r: (r.need.identified_on, str(r.need.id)),
            )
            support = sorted(
                (s.support for s in self.state.support if s.episode_id == episode_id),
                key=lambda s: s.started_on,
            )
            found.append(
                ClaimCaseRecord(
                    episode_id=episode.id,
                    family_id=episode.family_id,
                    hub_id=episode.hub_id,
                    requested_on=episode.requested_on,
                    closed_on=episode.closed_on,
                    closure_reason=episode.closure_reason,
                    lead_history=tuple(episode.lead_history),
                    household=household,
                    assessments=tuple(
                        AssessmentSummary(a.id, a.completed_on, a.covered_person_ids)
                        for a in assessments
                    ),
                    plans=tuple(
                        PlanSummary(
                            plan_id=p.id,
                            version=p.number,
                            agreed_on=p.agreed_on,
                            need_ids=tuple(
                                dict.fromkeys(n for o in p.outcomes for n in o.need_ids)
                            ),
                        )
                        for p in plans
                    ),
                    support=tuple(support),
                    needs=tuple(copy.deepcopy(needs)),
                )
            )
        return found

    def _check_one_live(self, stored: StoredClaim) -> None:
        claim = stored.claim
        if claim.state not in LIVE_CLAIM_STATES:
            return
        if any(
            other.claim.id != claim.id
            and other.claim.family_id == claim.family_id
            and other.claim.programme_phase == claim.programme_phase
            and other.claim.state in LIVE_CLAIM_STATES
            for other in self.state.claims.values()
        ):
            raise Conflict(
                "The family already has a live claim for this programme phase; a family is "
                "claimed for once per phase (C6, K10).",
                code="claim_already_live_for_phase",
            )

    def add(self, stored: StoredClaim, *, at: datetime) -> None:
        self._check_one_live(stored)
        stored.claim.version = 1
        self.state.claims[stored.claim.id] = copy.deepcopy(stored)

    def save(self, stored: StoredClaim, *, at: datetime) -> None:
        self._check_one_live(stored)
        _swap(getattr(self.state.claims.get(stored.claim.id), "claim", None), stored.claim)
        self.state.claims[stored.claim.id] = copy.deepcopy(stored)

    def closed_episodes_with_needs(
        self,
        closed_by: date,
        *,
        closed_from: date | None = None,
        all_needs_achieved: bool = False,
        sustained_by: date | None = None,
        needs_at_least: tuple[int, int] | None = None,
    ) -> list[uuid.UUID]:
        needs_of: dict[uuid.UUID, list[StoredNeed]] = {}
        for need in self.state.needs.values():
            needs_of.setdefault(need.episode_id, []).append(need)
        found = [
            e
            for e in self.state.episodes.values()
            if e.closed_on is not None
            and e.closed_on <= closed_by
            and (closed_from is None or e.closed_on >= closed_from)
            and e.id in needs_of
            and (
                not all_needs_achieved
                or all(n.record.outcome.status is NeedOutcome.ACHIEVED for n in needs_of[e.id])
            )
            and (
                sustained_by is None
                or all(
                    (check := n.record.sustainment) is not None
                    and check.result is SustainmentResult.SUSTAINED
                    and check.checked_on <= sustained_by
                    for n in needs_of[e.id]
                )
            )
            and (
                needs_at_least is None
                or (
                    len({n.record.need.descriptor_code for n in needs_of[e.id]})
                    >= needs_at_least[0]
                    and len({n.record.need.headline for n in needs_of[e.id]}) >= needs_at_least[1]
                )
            )
        ]
        return [e.id for e in sorted(found, key=lambda e: (e.closed_on, str(e.id)))]

    def raised_by(self, day: date) -> list[StoredClaim]:
        found = [s for s in self.state.claims.values() if s.period_end <= day]
        return copy.deepcopy(
            sorted(found, key=lambda s: (s.period_end, s.claim.created_on, str(s.claim.id)))
        )

    def family_references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {
            fid: self.state.families[fid].reference
            for fid in family_ids
            if fid in self.state.families
        }

    def frameworks(self) -> list[StoredFramework]:
        return copy.deepcopy(sorted(self.state.frameworks, key=lambda f: f.version))

    def add_framework(self, framework: StoredFramework) -> None:
        if any(f.version == framework.version for f in self.state.frameworks):
            raise Conflict("The change clashes with a record already stored.", code="record_clash")
        self.state.frameworks.append(copy.deepcopy(framework))

    def policies(self) -> list[StoredSfPolicy]:
        return copy.deepcopy(sorted(self.state.sf_policies, key=lambda p: p.version))

    def add_policy(self, policy: StoredSfPolicy) -> None:
        if any(p.version == policy.version for p in self.state.sf_policies):
            raise Conflict("The change clashes with a record already stored.", code="record_clash")
        self.state.sf_policies.append(copy.deepcopy(policy))


class FakeReferenceData(_Repository):
    def __init__(self, uow: FakeUnitOfWork, packaged: ReferenceSet) -> None:
        super().__init__(uow)
        self.packaged = packaged

    def calendar(self) -> WorkingCalendar:
        return self.packaged.calendar

    def outcome_headlines(self) -> tuple[Headline, ...]:
        return self.packaged.headlines

    def headline_codes(self) -> frozenset[str]:
        return frozenset(h.code for h in self.packaged.headlines)

    def disability_codes(self) -> frozenset[str]:
        return packaged_census_codes().disabilities

    def framework(self) -> FrameworkCatalogue:
        uploaded = self.state.frameworks
        if not uploaded:
            return self.packaged.framework
        newest = max(uploaded, key=lambda f: f.version)
        return _parsed(json.dumps(newest.document, sort_keys=True))

    def shipped_framework_document(self) -> dict[str, Any]:
        return copy.deepcopy(self.packaged.framework_document)


class FakeAccessFacts(_Repository):
    """The facts `decide` needs, worked out from the stored objects."""

    def for_episode(
        self, episode_id: uuid.UUID, today: date, *, with_assigned_actions: bool = False
    ) -> RecordFacts | None:
        episode = self.state.episodes.get(episode_id)
        if episode is None:
            return None
        return self.for_families(
            [episode.family_id], today, with_assigned_actions=with_assigned_actions
        ).get(episode.family_id)

    def for_families(
        self,
        family_ids: Sequence[uuid.UUID],
        today: date,
        *,
        with_assigned_actions: bool = False,
    ) -> dict[uuid.UUID, RecordFacts]:
        facts: dict[uuid.UUID, RecordFacts] = {}
        for fid in family_ids:
            family = self.state.families.get(fid)
            if family is None:
                continue
            consents = [c for c in self.state.consents.values() if c.family_id == fid]
            agencies, all_taf = sharing_in_force(consents, today)
            episodes = [e for e in self.state.episodes.values() if e.family_id == fid]
            facts[fid] = RecordFacts(
                family_id=fid,
                family_hub_id=family.hub_id,
                created_by_practitioner_id=family.created_by_practitioner_id,
                sharing_agencies_in_force=agencies,
                sharing_with_all_taf_in_force=all_taf,
                episodes=tuple(
                    self._episode_facts(e, with_assigned_actions=with_assigned_actions)
                    for e in episodes
                ),
            )
        return facts

    def _episode_facts(self, episode: Episode, *, with_assigned_actions: bool) -> EpisodeFacts:
        seats: list[TafSeat] = []
        practitioner_of: dict[uuid.UUID, uuid.UUID] = {}
        for m in self.state.taf_members.values():
            if m.episode_id == episode.id and m.practitioner_id is not None and m.agency_code:
                seats.append(TafSeat(m.practitioner_id, m.agency_code, m.joined_on, m.left_on))
                practitioner_of[m.id] = m.practitioner_id
        assigned: dict[uuid.UUID, set[uuid.UUID]] = {}
        if with_assigned_actions:
            for plan in self.state.plans.values():
                if plan.episode_id != episode.id:
                    continue
                for action in plan.actions:
                    member = action.owner_taf_member_id
                    if member is not None and member in practitioner_of:
                        assigned.setdefault(practitioner_of[member], set()).add(action.id)
        help_record = self.state.family_help.get(episode.id)
        return EpisodeFacts(
            episode_id=episode.id,
            hub_id=episode.hub_id,
            lead_practitioner_id=episode.lead_practitioner_id,
            taf=tuple(seats),
            plan_awaiting_qa=any(
                p.episode_id == episode.id and p.status is PlanStatus.SUBMITTED
                for p in self.state.plans.values()
            ),
            is_open=episode.stage is not EpisodeStage.CLOSED,
            allocated=tuple(
                AllocatedPractitioner(a.practitioner_id, a.role, a.started_on, a.ended_on)
                for a in help_record.allocations
                if a.role in ALLOCATIONS_GRANTING_ACCESS
            )
            if help_record is not None
            else (),
            statutory_basis=help_record is not None
            and help_record.statutory_basis in STATUTORY_BASES,
            assigned_action_ids_by_practitioner=MappingProxyType(
                {p: frozenset(a) for p, a in assigned.items()}
            ),
        )


class FakeRequests(_Repository):
    """Requests for support; prior involvement worked out from the stored objects, as the SQL
    does (app/db/repositories/requests.py)."""

    def _prior(self, request: SupportRequest) -> PriorInvolvement:
        if request.family_id is None:
            return PriorInvolvement()
        opened = (
            request.decision.episode_id
            if request.decision and request.decision.outcome is ScreeningOutcome.EARLY_HELP
            else None
        )
        return PriorInvolvement(
            earlier_episode=any(
                e.family_id == request.family_id
                and e.requested_on <= request.received_on
                and e.id != opened
                for e in self.state.episodes.values()
            ),
            earlier_request=any(
                o.family_id == request.family_id
                and (o.received_on, o.recorded_at) < (request.received_on, request.recorded_at)
                for o in self.state.requests.values()
            ),
        )

    def get(self, request_id: uuid.UUID) -> SupportRequest | None:
        found = self.state.requests.get(request_id)
        if found is None:
            return None
        request = copy.deepcopy(found)
        request.prior = self._prior(request)
        return request

    def for_family(self, family_id: uuid.UUID) -> list[SupportRequest]:
        found = [r for r in self.state.requests.values() if r.family_id == family_id]
        return [
            r
            for r in (
                self.get(f.id) for f in sorted(found, key=lambda r: (r.received_on, str(r.id)))
            )
            if r is not None
        ]

    def add(self, request: SupportRequest, *, at: datetime) -> None:
        request.version = 1
        self.state.requests[request.id] = copy.deepcopy(request)

    def save(self, request: SupportRequest, *, at: datetime) -> None:
        _swap(self.state.requests.get(request.id), request)
        self.state.requests[request.id] = copy.deepcopy(request)

    def facts(self, request_id: uuid.UUID) -> RequestFacts | None:
        return self.facts_many([request_id]).get(request_id)

    def facts_many(self, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RequestFacts]:
        found: dict[uuid.UUID, RequestFacts] = {}
        for rid in request_ids:
            request = self.state.requests.get(rid)
            if request is None:
                continue
            episode_id = request.decision.episode_id if request.decision else None
            episode = self.state.episodes.get(episode_id) if episode_id else None
            found[rid] = RequestFacts(
                rid,
                request.created_by_practitioner_id,
                EpisodeFacts(episode.id, episode.hub_id, episode.lead_practitioner_id)
                if episode
                else None,
                request.family_id,
            )
        return found

    def _in_scope(self, request: SupportRequest, scope: RequestScope) -> bool:
        if scope.everything:
            return True
        facts = self.facts(request.id)
        assert facts is not None
        episode = facts.episode
        return (
            request.created_by_practitioner_id == scope.created_by
            or (episode is not None and episode.lead_practitioner_id == scope.led_by)
            or (episode is not None and episode.hub_id in scope.hub_ids)
        )

    def search(self, flt: RequestFilter, page: PageRequest) -> Page[SupportRequest]:
        by_due = flt.status is RequestStatus.AWAITING_DECISION
        found = [
            r
            for r in self.state.requests.values()
            if self._in_scope(r, flt.scope)
            and (flt.status is None or r.status is flt.status)
            and (
                flt.overdue_on is None
                or (r.decision is None and r.decision_due_on < flt.overdue_on)
            )
            and (flt.outcome is None or (r.decision and r.decision.outcome is flt.outcome))
            and (flt.urgency is None or r.urgency is flt.urgency)
            and (flt.family_id is None or r.family_id == flt.family_id)
            and (flt.received_from is None or r.received_on >= flt.received_from)
            and (flt.received_to is None or r.received_on <= flt.received_to)
        ]
        if by_due:
            shown = page_in_memory(
                sorted(found, key=lambda r: (r.decision_due_on, str(r.id))),
                lambda r: (r.decision_due_on.isoformat(), str(r.id)),
                page,
            )
        else:
            found.sort(key=lambda r: (r.received_on, str(r.id)), reverse=True)
            after = page.after_key(date.fromisoformat, uuid.UUID)
            if after is not None:
                found = [r for r in found if (r.received_on, str(r.id)) < (after[0], str(after[1]))]
            chunk = found[: page.limit]
            more = len(found) > page.limit
            last = chunk[-1] if more else None
            cursor = encode_cursor((last.received_on.isoformat(), last.id)) if last else None
            shown = Page(items=chunk, next_cursor=cursor)
        items = [g for r in shown.items if (g := self.get(r.id)) is not None]
        return Page(items=items, next_cursor=shown.next_cursor)

    def attached_unacknowledged(self, lead_id: uuid.UUID) -> list[SupportRequest]:
        found = []
        for r in self.state.requests.values():
            d = r.decision
            if d is None or d.outcome is not ScreeningOutcome.ALREADY_OPEN or r.acknowledged_on:
                continue
            episode = self.state.episodes.get(d.episode_id) if d.episode_id else None
            if episode and episode.is_open and episode.lead_practitioner_id == lead_id:
                found.append(r)
        return [g for r in found if (g := self.get(r.id)) is not None]


class FakeAuditTrail(_Repository):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow)
        self.appended = False

    def append(self, records: Sequence[AuditRecord], *, at: datetime) -> None:
        for record in records:
            content = entry_content(
                occurred_at=at,
                actor_id=record.actor_id,
                actor_roles=record.actor_roles,
                action=record.action,
                resource_type=record.resource_type,
                resource_id=record.resource_id,
                family_id=record.family_id,
                request_id=record.request_id,
                outcome=record.outcome,
                break_glass_reason=record.break_glass_reason,
                problem_code=record.problem_code,
            )
            self.state.audit.append(AuditEntry(**vars(content), id=len(self.state.audit) + 1))
        self.appended = self.appended or bool(records)

    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]:
        return iter(list(self.state.audit))

    def for_family(self, family_id: uuid.UUID, page: PageRequest) -> Page[AuditEntry]:
        found = [e for e in reversed(self.state.audit) if e.family_id == family_id]
        return Page(items=found[: page.limit], next_cursor=None)

    def security_events(
        self, *, since: datetime, until: datetime, page: PageRequest
    ) -> Page[AuditEntry]:
        found = [e for e in reversed(self.state.audit) if since <= e.occurred_at < until]
        return Page(items=found[: page.limit], next_cursor=None)


class FakeChangeFeed:
    """The hints a use case announced, kept once its commit has happened."""

    def __init__(self) -> None:
        self.pending: list[ChangeHint] = []
        self.announced: list[ChangeHint] = []

    def announce(self, hints: Sequence[ChangeHint]) -> None:
        self.pending.extend(hints)


class FakeDocuments(_Repository):
    def get(self, document_id: uuid.UUID) -> Document | None:
        return copy.deepcopy(self.state.documents.get(document_id))

    def every_for_family(self, family_id: uuid.UUID) -> list[Document]:
        return [d for d in self.state.documents.values() if d.family_id == family_id]

    def for_owners(self, owner_kind: OwnerKind, owner_ids: list[uuid.UUID]) -> list[Document]:
        wanted = set(owner_ids)
        return [
            copy.deepcopy(d)
            for d in self.state.documents.values()
            if d.owner_kind is owner_kind and d.owner_id in wanted
        ]

    def for_owner(
        self, owner_kind: OwnerKind, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Document]:
        mine = [
            d
            for d in self.state.documents.values()
            if d.owner_kind is owner_kind and d.owner_id == owner_id
        ]
        ordered = sorted(mine, key=lambda d: (d.dated_on, d.uploaded_at, str(d.id)), reverse=True)
        after = page.after_key(date.fromisoformat, datetime.fromisoformat, str)
        if after is not None:
            on, at, did = after
            ordered = [d for d in ordered if (d.dated_on, d.uploaded_at, str(d.id)) < (on, at, did)]
        shown = ordered[: page.limit]
        more = len(ordered) > page.limit
        last = shown[-1] if shown else None
        cursor = (
            encode_cursor((last.dated_on.isoformat(), last.uploaded_at.isoformat(), last.id))
            if more and last is not None
            else None
        )
        return Page(items=copy.deepcopy(shown), next_cursor=cursor)

    def add_chunk(self, document_id: uuid.UUID, seq: int, data: bytes) -> None:
        self.state.document_chunks[(document_id, seq)] = bytes(data)

    def add(self, document: Document, *, at: datetime) -> None:
        missing = [
            seq
            for seq in range(document.content.chunk_count)
            if (document.id, seq) not in self.state.document_chunks
        ]
        assert not missing, "every chunk is stored before the document"
        document.version = 1
        self.state.documents[document.id] = copy.deepcopy(document)

    def chunk(self, document_id: uuid.UUID, seq: int) -> bytes | None:
        return self.state.document_chunks.get((document_id, seq))

    def erase(self, document: Document, *, at: datetime) -> None:
        _swap(self.state.documents.get(document.id), document)
        self.state.documents[document.id] = copy.deepcopy(document)
        for key in [k for k in self.state.document_chunks if k[0] == document.id]:
            del self.state.document_chunks[key]


class FakeUnitOfWork:
    """Nothing is kept unless committed; `commits` counts them (a use case commits once)."""

    def __init__(self, reference: ReferenceSet | None = None) -> None:
        self.committed = _State()
        self.working = _State()
        self.commits = 0
        self.open = False
        self.reference = FakeReference(self)
        self.reference_data = FakeReferenceData(self, reference or packaged_reference())
        self.families = FakeFamilies(self)
        self.people = FakePeople(self)
        self.consents = FakeConsents(self)
        self.disclosures = FakeDisclosures(self)
        self.network = FakeFamilyNetwork(self)
        self.idempotency = FakeIdempotency(self)
        self.practitioners = FakePractitioners(self)
        self.policies = FakePolicies(self)
        self.episodes = FakeEpisodes(self)
        self.family_help = FakeFamilyHelp(self)
        self.assessments = FakeAssessments(self)
        self.plans = FakePlans(self)
        self.taf = FakeTaf(self)
        self.needs = FakeNeeds(self)
        self.contacts = FakeContacts(self)
        self.claims = FakeClaims(self)
        self.access = FakeAccessFacts(self)
        self.requests = FakeRequests(self)
        self.audit = FakeAuditTrail(self)
        self.changes = FakeChangeFeed()
        self.documents = FakeDocuments(self)

    def __enter__(self) -> Self:
        if not self.open:
            self.working = copy.deepcopy(self.committed)
            self.open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.open = False

    def commit(self) -> None:
        self.committed = copy.deepcopy(self.working)
        self.commits += 1
        self.changes.announced += self.changes.pending
        self.changes.pending = []

    def rollback(self) -> None:
        self.working = copy.deepcopy(self.committed)
        self.changes.pending = []

    def seed(self) -> _State:
        """Write straight into the committed state (arranging a test)."""
        return self.committed
