"""What the services need from the outside world, as Protocols the db layer satisfies structurally."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self
from zoneinfo import ZoneInfo

from app.domain.access import RecordFacts, RequestFacts, RequestScope, SearchScope
from app.domain.assessments import Assessment
from app.domain.audit import (
    AuditEntry,
    AuditKeys,
    ChainHead,
    LegacyEntry,
    SealBacklog,
    SealedEntry,
)
from app.domain.calendar import WorkingCalendar
from app.domain.consents import Consent
from app.domain.contacts import Contact, ContactKind
from app.domain.disclosures import Disclosure, DisclosureDecision, LawfulBasis
from app.domain.documents import Document, OwnerKind
from app.domain.episodes import ClosureReason, Episode, LeadAssignment
from app.domain.families import DuplicateCandidate, Family, MemberRole, Person, Relationship
from app.domain.family_help import FamilyHelpRecord
from app.domain.family_network import FgdmMeeting, FgdmOffer, NetworkMember
from app.domain.outcomes_framework import CouncilPolicy, FrameworkCatalogue, Headline
from app.domain.paging import Page, PageRequest
from app.domain.plans import FamilyPlan
from app.domain.practitioners import Practitioner
from app.domain.requests import RequestStatus, ScreeningOutcome, SupportRequest, Urgency
from app.domain.supporting_families import (
    AssessmentSummary,
    Claim,
    NeedRecord,
    PlanSummary,
    RuleResult,
    SupportDelivered,
)
from app.domain.taf import TafMeeting, TafMember
from app.domain.timeliness import Deadline, PolicyHistory, TimelinessPolicy


class Clock(Protocol):
    def now(self) -> datetime: ...
    def today(self) -> date: ...
    @property
    def zone(self) -> ZoneInfo:
        """The council's time zone: where a day starts and ends."""
        ...


@dataclass(frozen=True)
class Hub:
    id: uuid.UUID
    code: str
    name: str
    neighbourhood: str | None
    active: bool


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str
    active: bool


@dataclass(frozen=True)
class FamilyFilter:
    name: str | None = None
    postcode: str | None = None
    reference: str | None = None
    hub_id: uuid.UUID | None = None
    date_of_birth: date | None = None
    scope: SearchScope | None = None
    """Only families the user could be allowed to read (None: no narrowing)."""


@dataclass(frozen=True)
class Household:
    """A household a person belongs to, or once belonged to."""

    family_id: uuid.UUID
    current: bool


@dataclass(frozen=True)
class ChangeHint:
    """Something in a family's record changed: which family, which kind of record, which one
    (ids only: a hint carries no personal data; app/services/changes.py)."""

    family_id: uuid.UUID
    resource_type: str
    resource_id: str | None


class ChangeFeed(Protocol):
    def announce(self, hints: Sequence[ChangeHint]) -> None:
        """Say these records changed, once (and only if) the transaction commits."""
        ...


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status_code: int
    body: Any
    headers: dict[str, str]


class ReferenceRepository(Protocol):
    def hubs(self, *, include_inactive: bool = False) -> list[Hub]: ...
    def hub(self, hub_id: uuid.UUID) -> Hub | None: ...
    def hub_by_code(self, code: str) -> Hub | None: ...
    def add_hub(self, hub: Hub) -> None: ...
    def agencies(self, *, include_inactive: bool = False) -> list[Agency]: ...
    def agency_codes(self) -> set[str]: ...
    def add_agency(self, agency: Agency) -> None: ...


class ReferenceData(Protocol):
    """What the rules are applied with and the service ships (app/data/, the bank holidays of
    the `holidays` package); where a council may correct it (the outcome framework), the council's
    version. Unverified rules are data here, never constants in a service (the rule book's [U])."""

    def calendar(self) -> WorkingCalendar:
        """Working days for deadlines: England and Wales bank holidays."""
        ...

    def outcome_headlines(self) -> tuple[Headline, ...]:
        """The headlines an assessment's needs are tagged with (codes, names, aliases)."""
        ...

    def headline_codes(self) -> frozenset[str]: ...

    def disability_codes(self) -> frozenset[str]:
        """The CIN census disability codes a person's disabilities are recorded in."""
        ...

    def framework(self) -> FrameworkCatalogue:
        """The Supporting Families framework in use: the newest an admin uploaded, or the shipped
        one when none was."""
        ...

    def shipped_framework_document(self) -> dict[str, Any]:
        """The framework document the service ships (a copy: the caller may change it)."""
        ...


class FamilyRepository(Protocol):
    def get(self, family_id: uuid.UUID) -> Family | None: ...
    def get_many(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Family]: ...
    # Hold the household until the transaction ends, so checks across its records take turns.
    def lock(self, family_id: uuid.UUID) -> None: ...
    def add(self, family: Family, *, at: datetime) -> None: ...
    def save(self, family: Family, *, at: datetime) -> None: ...
    def reference_exists(self, reference: str) -> bool: ...
    def search(self, flt: FamilyFilter, page: PageRequest) -> Page[Family]: ...
    def families_of_person(self, person_id: uuid.UUID) -> list[uuid.UUID]: ...
    def households_of_person(self, person_id: uuid.UUID) -> list[Household]: ...
    def possible_duplicates(
        self,
        *,
        children: Sequence[tuple[str, str, date]],
        postcode_surnames: Sequence[tuple[str, str]],
        nhs_numbers: Sequence[tuple[str, date]] = (),
        exclude: uuid.UUID | None = None,
    ) -> list[DuplicateCandidate]: ...
    def add_relationship(self, relationship: Relationship, *, at: datetime) -> None: ...
    def relationships(self, family_id: uuid.UUID) -> list[Relationship]: ...
    def count(self) -> int: ...
    def references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]: ...


class PeopleRepository(Protocol):
    def get(self, person_id: uuid.UUID) -> Person | None: ...
    def get_many(self, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]: ...
    def add(self, person: Person, *, at: datetime) -> None: ...
    def save(self, person: Person, *, at: datetime) -> None: ...


class ConsentRepository(Protocol):
    def get(self, consent_id: uuid.UUID) -> Consent | None: ...
    def for_family(self, family_id: uuid.UUID) -> list[Consent]: ...
    def add(self, consent: Consent, *, at: datetime) -> None: ...
    def save(self, consent: Consent, *, at: datetime) -> None: ...


@dataclass(frozen=True)
class DisclosureFilter:
    decision: DisclosureDecision | None = None
    lawful_basis: LawfulBasis | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    episode_id: uuid.UUID | None = None


class DisclosureRepository(Protocol):
    """The disclosure log: entries are added, never changed."""

    def get(self, disclosure_id: uuid.UUID) -> Disclosure | None: ...
    def for_family(
        self, family_id: uuid.UUID, flt: DisclosureFilter, page: PageRequest
    ) -> Page[Disclosure]: ...
    def every_for_family(self, family_id: uuid.UUID) -> list[Disclosure]: ...
    def add(self, disclosure: Disclosure) -> None: ...


class FamilyNetworkRepository(Protocol):
    """A family's network members outside the household, its FGDM offers and meetings."""

    def members_of(self, family_id: uuid.UUID) -> list[NetworkMember]: ...
    def member(self, member_id: uuid.UUID) -> NetworkMember | None: ...
    def add_member(self, member: NetworkMember, *, at: datetime) -> None: ...
    def save_member(self, member: NetworkMember, *, at: datetime) -> None: ...
    def offers_of(self, family_id: uuid.UUID) -> list[FgdmOffer]: ...
    def offer(self, offer_id: uuid.UUID) -> FgdmOffer | None: ...
    def add_offer(self, offer: FgdmOffer, *, at: datetime) -> None: ...
    def save_offer(self, offer: FgdmOffer, *, at: datetime) -> None: ...
    def meetings_of(self, family_id: uuid.UUID) -> list[FgdmMeeting]: ...
    def add_meeting(self, meeting: FgdmMeeting, *, at: datetime) -> None: ...


class IdempotencyRepository(Protocol):
    def find(self, scope: str, key: str) -> StoredResponse | None: ...
    def remember(self, scope: str, key: str, response: StoredResponse, *, at: datetime) -> None: ...


@dataclass(frozen=True)
class PractitionerFilter:
    agency_code: str | None = None
    hub_id: uuid.UUID | None = None
    role: str | None = None
    name: str | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class EpisodeFilter:
    family_id: uuid.UUID | None = None
    hub_id: uuid.UUID | None = None
    lead_practitioner_id: uuid.UUID | None = None
    stage: str | None = None
    open_only: bool = False
    scope: SearchScope | None = None


class PractitionerRepository(Protocol):
    def get(self, practitioner_id: uuid.UUID) -> Practitioner | None: ...
    def get_by_email(self, email: str) -> Practitioner | None: ...
    def get_many(self, practitioner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Practitioner]: ...
    def names(self, practitioner_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]: ...
    def add(self, practitioner: Practitioner, *, at: datetime) -> None: ...
    def save(self, practitioner: Practitioner, *, at: datetime) -> None: ...
    def search(self, flt: PractitionerFilter, page: PageRequest) -> Page[Practitioner]: ...


class PolicyRepository(Protocol):
    def history(self) -> PolicyHistory: ...
    def add(self, policy: TimelinessPolicy, *, reason: str | None, at: datetime) -> None: ...


class EpisodeRepository(Protocol):
    def get(self, episode_id: uuid.UUID) -> Episode | None: ...
    def add(self, episode: Episode, *, at: datetime) -> None: ...
    def save(self, episode: Episode, *, at: datetime) -> None: ...
    def for_family(self, family_id: uuid.UUID) -> list[Episode]: ...
    def get_many(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Episode]: ...
    def search(self, flt: EpisodeFilter, page: PageRequest) -> Page[Episode]: ...
    def deadline_history(self, episode_id: uuid.UUID) -> list[Deadline]: ...


@dataclass(frozen=True)
class CensusChildRow:
    """One child of an episode with a child in need period, as the CIN census extract needs it."""

    episode_id: uuid.UUID
    person_id: uuid.UUID
    la_child_id: str | None
    upn: str | None
    date_of_birth: date | None
    record: FamilyHelpRecord
    nhs_number: str | None = None
    expected_birth_on: date | None = None
    sex: str | None = None
    ethnicity: str | None = None
    disabilities: tuple[str, ...] = ()


class FamilyHelpRepository(Protocol):
    def get(self, episode_id: uuid.UUID) -> FamilyHelpRecord | None: ...
    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[FamilyHelpRecord]: ...
    def add(self, record: FamilyHelpRecord, *, at: datetime) -> None: ...
    def save(self, record: FamilyHelpRecord, *, at: datetime) -> None: ...
    def census_children(self, period_start: date, period_end: date) -> list[CensusChildRow]:
        """Every child of every episode whose child in need period overlaps the period, ordered
        by referral date, episode and child."""
        ...


class AssessmentRepository(Protocol):
    def get(self, assessment_id: uuid.UUID) -> Assessment | None: ...
    def for_episode(self, episode_id: uuid.UUID) -> list[Assessment]: ...
    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Assessment]: ...
    def add(self, assessment: Assessment, *, at: datetime) -> None: ...
    def save(self, assessment: Assessment, *, at: datetime) -> None: ...


class PlanRepository(Protocol):
    def get(self, plan_id: uuid.UUID) -> FamilyPlan | None: ...
    def for_episode(self, episode_id: uuid.UUID) -> list[FamilyPlan]: ...
    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[FamilyPlan]: ...
    def add(self, plan: FamilyPlan, *, at: datetime) -> None: ...
    def save(self, plan: FamilyPlan, *, at: datetime) -> None: ...


class TafRepository(Protocol):
    def member(self, member_id: uuid.UUID) -> TafMember | None: ...
    def members(self, episode_id: uuid.UUID) -> list[TafMember]: ...
    def add_member(self, member: TafMember, *, at: datetime) -> None: ...
    def save_member(self, member: TafMember, *, at: datetime) -> None: ...
    def meetings(self, episode_id: uuid.UUID) -> list[TafMeeting]: ...
    def members_for(self, episode_ids: Sequence[uuid.UUID]) -> list[TafMember]: ...
    def meetings_for(self, episode_ids: Sequence[uuid.UUID]) -> list[TafMeeting]: ...
    def add_meeting(self, meeting: TafMeeting, *, at: datetime) -> None: ...


@dataclass(frozen=True)
class AuditRecord:
    """What to write in the audit trail about one access; the store adds its id, the sealer its
    place in the chain."""

    actor_id: uuid.UUID | None
    actor_roles: tuple[str, ...]
    action: str
    resource_type: str
    outcome: str
    resource_id: str | None = None
    family_id: uuid.UUID | None = None
    request_id: str | None = None
    break_glass_reason: str | None = None
    problem_code: str | None = None
    """Why the request failed after the access rules allowed it (the problem's code)."""


class AccessFactsRepository(Protocol):
    """The facts `app.domain.access.decide` needs. Plan actions assigned to TAF members are loaded
    only `with_assigned_actions`: only the actions in `ACTIONS_ON_ASSIGNED_PLAN_ACTIONS` need
    them, and without them those are refused, never wrongly allowed."""

    def for_episode(
        self, episode_id: uuid.UUID, today: date, *, with_assigned_actions: bool = False
    ) -> RecordFacts | None: ...
    def for_families(
        self,
        family_ids: Sequence[uuid.UUID],
        today: date,
        *,
        with_assigned_actions: bool = False,
    ) -> dict[uuid.UUID, RecordFacts]: ...


class AuditTrail(Protocol):
    """The audit tables as the unit of work's transaction sees them."""

    def append(self, records: Sequence[AuditRecord], *, at: datetime) -> None:
        """Insert entries, unsealed, in this transaction: no lock on the chain is taken."""
        ...

    def for_family(self, family_id: uuid.UUID, page: PageRequest) -> Page[AuditEntry]: ...
    def security_events(
        self, *, since: datetime, until: datetime, page: PageRequest
    ) -> Page[AuditEntry]:
        """Access changes and break-glass reads that happened in [since, until), newest first."""
        ...

    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]: ...


class AuditChain(AuditTrail, Protocol):
    """The trail as the keyed chain sees it: for the operator's checks, outside any request."""

    def legacy_entries(self, batch: int = 1000) -> Iterator[LegacyEntry]: ...
    def sealed_entries(self, batch: int = 1000) -> Iterator[SealedEntry]: ...
    def head(self) -> ChainHead: ...
    def count(self) -> int: ...
    def backlog(self) -> SealBacklog: ...


class AuditSealer(Protocol):
    """Seals every entry not yet sealed, in one transaction of its own under the chain's lock."""

    def seal_pending(self, *, lookback: int | None = ...) -> int:
        """How many entries it sealed. `lookback` bounds how far below the newest sealed entry's
        id it looks for late commits (None: the whole table)."""
        ...


@dataclass
class StoredNeed:
    """A need on the case record: the claim rules' view of it, and where it belongs."""

    record: NeedRecord
    episode_id: uuid.UUID
    family_id: uuid.UUID
    version: int = 1
    outcome_recorded_at: datetime | None = None
    """When the outcome was recorded, beside its date (issue 18 §1); null while open."""
    recorded_at: datetime | None = None
    """When the need was recorded, beside `identified_on` (issue 18 §1)."""
    sustainment_recorded_at: datetime | None = None
    """When the sustainment check was recorded, beside `checked_on`."""


@dataclass(frozen=True)
class StoredSupport:
    id: uuid.UUID
    episode_id: uuid.UUID
    support: SupportDelivered
    recorded_at: datetime | None = None
    """When the support was recorded, beside `started_on` (issue 18 §1)."""


class NeedRepository(Protocol):
    def get(self, need_id: uuid.UUID) -> StoredNeed | None: ...
    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredNeed]: ...
    def add(self, need: StoredNeed, *, at: datetime) -> None: ...
    def save(self, need: StoredNeed, *, at: datetime) -> None: ...
    def support_for(self, episode_ids: Sequence[uuid.UUID]) -> list[StoredSupport]: ...
    def add_support(self, support: StoredSupport, *, at: datetime) -> None: ...


@dataclass(frozen=True)
class ContactFilter:
    """Which of an episode's contacts a list shows: kinds (any when empty) and a date range."""

    kinds: frozenset[ContactKind] = frozenset()
    happened_from: date | None = None
    happened_to: date | None = None


class ContactRepository(Protocol):
    def get(self, contact_id: uuid.UUID) -> Contact | None: ...
    def add(self, contact: Contact, *, at: datetime) -> None: ...
    def save(self, contact: Contact, *, at: datetime) -> None:
        """Store the amendments not yet stored; refuse (StaleVersion) if the contact changed
        since it was read."""
        ...

    def for_episode(
        self, episode_id: uuid.UUID, flt: ContactFilter, page: PageRequest
    ) -> Page[Contact]:
        """A page of the episode's contacts by happened date then id, in a fixed number of
        statements."""
        ...

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[Contact]: ...
    def significant_for_episodes(
        self,
        episode_ids: Sequence[uuid.UUID],
        *,
        from_day: date | None = None,
        later_limit: int | None = None,
    ) -> list[Contact]:
        """The episodes' contacts marked significant (the chronology's), by day then id: every
        one on `from_day` and the first `later_limit` after it (all when None); with no
        `from_day`, the first `later_limit` of all. As a timeline reads them: their free text,
        corrections and named readers are not read (a chronology never shows a note)."""
        ...

    def last_contact_on(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, date]:
        """The date of each episode's latest contact (episodes with none are left out)."""


class DocumentRepository(Protocol):
    """Documents and their content, kept in chunks so neither way holds a whole file."""

    def get(self, document_id: uuid.UUID) -> Document | None: ...
    def for_owner(
        self, owner_kind: OwnerKind, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Document]:
        """Latest dated first (then latest uploaded, then id): erased documents included."""
        ...

    def every_for_family(self, family_id: uuid.UUID) -> list[Document]:
        """Every document filed under the family (its own, its episodes', its contacts')."""
        ...

    def for_owners(self, owner_kind: OwnerKind, owner_ids: list[uuid.UUID]) -> list[Document]:
        """Every document of these records (a family's requests, for its chronology)."""
        ...

    def add_chunk(self, document_id: uuid.UUID, seq: int, data: bytes) -> None:
        """Store one chunk of a document being uploaded (its row is added after the last)."""
        ...

    def add(self, document: Document, *, at: datetime) -> None: ...
    def chunk(self, document_id: uuid.UUID, seq: int) -> bytes | None: ...
    def erase(self, document: Document, *, at: datetime) -> None:
        """Save the erasure and delete every chunk of the content."""
        ...


@dataclass(frozen=True)
class RequestFilter:
    """Which requests for support a list shows, within what the user may read (`scope`)."""

    scope: RequestScope
    status: RequestStatus | None = None
    overdue_on: date | None = None
    """Only those awaiting a decision whose due day is before this day."""
    outcome: ScreeningOutcome | None = None
    urgency: Urgency | None = None
    family_id: uuid.UUID | None = None
    received_from: date | None = None
    received_to: date | None = None


class RequestRepository(Protocol):
    """Requests for support; each read carries the household's prior involvement, computed."""

    def get(self, request_id: uuid.UUID) -> SupportRequest | None: ...
    def for_family(self, family_id: uuid.UUID) -> list[SupportRequest]: ...
    def add(self, request: SupportRequest, *, at: datetime) -> None: ...
    def save(self, request: SupportRequest, *, at: datetime) -> None: ...
    def facts(self, request_id: uuid.UUID) -> RequestFacts | None: ...
    def facts_many(self, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RequestFacts]: ...
    def search(self, flt: RequestFilter, page: PageRequest) -> Page[SupportRequest]: ...
    def attached_unacknowledged(self, lead_id: uuid.UUID) -> list[SupportRequest]: ...


class UnitOfWork(Protocol):
    """One business transaction: nothing is kept unless the service calls commit()."""

    @property
    def reference(self) -> ReferenceRepository: ...
    @property
    def reference_data(self) -> ReferenceData: ...
    @property
    def families(self) -> FamilyRepository: ...
    @property
    def people(self) -> PeopleRepository: ...
    @property
    def consents(self) -> ConsentRepository: ...
    @property
    def disclosures(self) -> DisclosureRepository: ...
    @property
    def network(self) -> FamilyNetworkRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...

    @property
    def practitioners(self) -> PractitionerRepository: ...
    @property
    def policies(self) -> PolicyRepository: ...
    @property
    def episodes(self) -> EpisodeRepository: ...
    @property
    def family_help(self) -> FamilyHelpRepository: ...
    @property
    def assessments(self) -> AssessmentRepository: ...
    @property
    def plans(self) -> PlanRepository: ...
    @property
    def taf(self) -> TafRepository: ...
    @property
    def access(self) -> AccessFactsRepository: ...
    @property
    def audit(self) -> AuditTrail: ...
    @property
    def changes(self) -> ChangeFeed: ...
    @property
    def needs(self) -> NeedRepository: ...
    @property
    def contacts(self) -> ContactRepository: ...
    @property
    def documents(self) -> DocumentRepository: ...
    @property
    def requests(self) -> RequestRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class AuditChainUnitOfWork(UnitOfWork, Protocol):
    """A unit of work holding the audit keys: the operator's checks of the chain, and sealing."""

    @property
    def audit(self) -> AuditChain: ...
    @property
    def audit_sealer(self) -> AuditSealer: ...
    @property
    def audit_keys(self) -> AuditKeys: ...


# --- Supporting Families claims ------------------------------------------------------------------


@dataclass
class StoredClaim:
    """A claim as persisted: the domain claim, the batch period it was raised for and the rule
    results it was last judged by (every rule with its reason)."""

    claim: Claim
    period_end: date
    evaluation: tuple[RuleResult, ...] = ()
    evaluated_on: date | None = None
    recorded_at: datetime | None = None
    """When the claim was raised on the record (issue 18 §2: a report as known at an earlier
    instant leaves it out)."""


@dataclass(frozen=True)
class StoredFramework:
    """An outcome framework document as uploaded by an admin: who, when and why."""

    version: int
    document: dict[str, Any]
    reason: str
    created_by: uuid.UUID | None
    created_at: datetime


@dataclass(frozen=True)
class StoredSfPolicy:
    """A version of the council's claim policy, in force from `effective_from`, and known from
    `recorded_on` (the council's day it was recorded): a period is judged by the versions known
    by its end."""

    version: int
    effective_from: date
    policy: CouncilPolicy
    reason: str
    created_by: uuid.UUID | None
    created_at: datetime
    recorded_on: date


@dataclass(frozen=True)
class HouseholdMember:
    """One membership of the episode's household with the three facts that say whether the
    person counts as a child (E2) or is unborn (E1)."""

    person_id: uuid.UUID
    role: MemberRole
    joined_on: date
    left_on: date | None
    date_of_birth: date | None
    expected_delivery_date: date | None
    send: bool

    def is_current_on(self, on: date) -> bool:
        return self.joined_on <= on and (self.left_on is None or on < self.left_on)


@dataclass(frozen=True)
class CaseRecordedAt:
    """When each part of a claim case's record was recorded, beside the day it happened, so a
    report can judge the case as it was known at an instant (issue 18 §2). Each tuple runs
    parallel to the record's own (household, assessments, plans, support, needs); None, or a
    tuple too short, is a part recorded before familyhub kept the time: known at every instant."""

    closure: datetime | None = None
    members: tuple[datetime | None, ...] = ()
    assessments_started: tuple[datetime | None, ...] = ()
    assessments_completed: tuple[datetime | None, ...] = ()
    plans: tuple[datetime | None, ...] = ()
    support: tuple[datetime | None, ...] = ()
    needs: tuple[datetime | None, ...] = ()
    outcomes: tuple[datetime | None, ...] = ()
    sustainment_checks: tuple[datetime | None, ...] = ()


@dataclass(frozen=True)
class ClaimCaseRecord:
    """What the claim rules read of one episode, loaded as columns rather than as its family,
    people, assessments and plans (a county's claims report judges 12,000 of them): the
    household's memberships in the order they were made, the assessments and plan versions in
    number order, support by start, needs by the day they were identified."""

    episode_id: uuid.UUID
    family_id: uuid.UUID
    hub_id: uuid.UUID
    requested_on: date
    closed_on: date | None
    closure_reason: ClosureReason | None
    lead_history: tuple[LeadAssignment, ...]
    household: tuple[HouseholdMember, ...]
    assessments: tuple[AssessmentSummary, ...]
    plans: tuple[PlanSummary, ...]
    support: tuple[SupportDelivered, ...]
    needs: tuple[NeedRecord, ...]
    recorded_at: CaseRecordedAt = field(default_factory=CaseRecordedAt)


class ClaimRepository(Protocol):
    def get(self, claim_id: uuid.UUID) -> StoredClaim | None: ...
    def case_records(self, episode_ids: Sequence[uuid.UUID]) -> list[ClaimCaseRecord]:
        """The episodes' records for the claim rules, in the order given (unknown ids left out),
        in a fixed number of statements whatever the number of episodes."""
        ...

    def for_family(self, family_id: uuid.UUID) -> list[StoredClaim]: ...
    def for_families(self, family_ids: Sequence[uuid.UUID]) -> list[StoredClaim]: ...
    def for_period(self, period_end: date) -> list[StoredClaim]: ...
    def add(self, stored: StoredClaim, *, at: datetime) -> None: ...
    def save(self, stored: StoredClaim, *, at: datetime) -> None: ...
    def closed_episodes_with_needs(
        self,
        closed_by: date,
        *,
        closed_from: date | None = None,
        all_needs_achieved: bool = False,
        sustained_by: date | None = None,
        needs_at_least: tuple[int, int] | None = None,
    ) -> list[uuid.UUID]:
        """Episodes closed in [closed_from, closed_by] with Supporting Families needs, oldest
        closure first; with `all_needs_achieved`, none short of achieved (C3); with
        `sustained_by`, each need's sustainment check recorded as sustained on or before that
        day (what C4 needs before it looks at the dates); with `needs_at_least` (n, h), at least
        n distinct descriptors under h distinct headlines (C1's counts)."""
        ...

    def raised_by(self, day: date) -> list[StoredClaim]: ...
    def family_references(self, family_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]: ...
    def frameworks(self) -> list[StoredFramework]: ...
    def add_framework(self, framework: StoredFramework) -> None: ...
    def policies(self) -> list[StoredSfPolicy]: ...
    def add_policy(self, policy: StoredSfPolicy) -> None: ...


class ClaimsUnitOfWork(UnitOfWork, Protocol):
    """The unit of work with the claims repository (claims, framework and policy documents)."""

    @property
    def claims(self) -> ClaimRepository: ...
