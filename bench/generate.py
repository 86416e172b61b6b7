"""Load a county-sized data set into PostgreSQL through the services, for the benchmark.

Every family, consent, episode step, plan, TAF meeting, closure and Supporting Families need is
created by the same use cases the API calls (`app.services.*`), on a clock that walks forward
from each family's first contact to "today", so every deadline, status and refusal comes from the
real rules. Only the transaction boundary differs from the API: the services run against an
in-memory unit of work (`bench/staging.py`) and each batch of families is written through the
real SQL repositories in one transaction, because 60,000 episodes at one transaction per step
would take hours.

Deterministic: each family's story comes from its own `random.Random(seed, index)`, and `uuid4`
is drawn from that generator too, so the same seed and scale give the same database whichever
worker process loads a family.

    .venv/bin/python bench/generate.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import FixedClock
from app.db.engine import make_engine, make_session_factory
from app.db.repositories.reference import packaged_framework as catalogue
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Principal, Role
from app.domain.assessments import Need
from app.domain.consents import (
    Consent,
    ConsentPurpose,
    RecordingMethod,
    SharingScope,
    consent_in_force,
)
from app.domain.contacts import ContactKind
from app.domain.documents import OwnerKind
from app.domain.episodes import (
    ClosureReason,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.errors import DomainError
from app.domain.families import Address, MemberRole, Person, add_months
from app.domain.plans import Action, Outcome
from app.domain.practitioners import Practitioner
from app.domain.requests import Referrer, ReferrerKind, ScreeningOutcome, Urgency
from app.domain.supporting_families import (
    NeedOutcome,
    SustainmentResult,
    sustainment_due_on,
)
from app.domain.taf import ChildVoice, OutcomeProgress, TafMemberKind
from app.services import (
    assessments,
    consents,
    contacts,
    documents,
    episodes,
    families,
    needs,
    plans,
    practitioners,
    requests,
    taf,
)
from app.services.names import Named
from app.services.ports import Agency, ClaimsUnitOfWork, Hub
from app.services.use_case import Actor, Replayed
from app.settings import get_settings
from bench.staging import ReadOnlyReference, StagingUnitOfWork

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/familyhub_bench"
ZONE = ZoneInfo("Europe/London")
EMAIL_DOMAIN = "bench.familyhub.example"

HUB_NAMES = [
    "North Shore",
    "Bispham",
    "Layton",
    "Central",
    "Claremont",
    "Talbot",
    "Revoe",
    "South Shore",
    "Marton",
    "Mereside",
    "Squires Gate",
    "Grange Park",
]
POSTCODE_AREAS = [f"FY{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8)]
AGENCIES = [
    ("COUNCIL_EH", "Council Early Help and Support Service", "council_early_help"),
    ("HEALTH_VISITING", "0-19 Health Visiting Service", "health_visiting"),
    ("MIDWIFERY", "Community Midwifery", "health"),
    ("SCHOOLS", "Schools and academies", "school"),
    ("POLICE", "Police Early Action Team", "police"),
    ("HOUSING", "Council Housing Options", "housing"),
    ("CAMHS", "Child and Adolescent Mental Health Service", "health"),
    ("DA_SERVICE", "Domestic Abuse Support Service", "voluntary_sector"),
    ("DWP", "Supporting Families Employment Adviser (DWP)", "employment"),
]
LEAD_AGENCIES = ["COUNCIL_EH"] * 5 + ["HEALTH_VISITING", "SCHOOLS", "SCHOOLS", "HOUSING"]
SURNAMES = [
    "Hughes",
    "Patel",
    "Kowalski",
    "Okafor",
    "Brown",
    "Murphy",
    "Ahmed",
    "Walsh",
    "Nguyen",
    "Taylor",
    "Ali",
    "Evans",
    "Khan",
    "Roberts",
    "Begum",
    "Clarke",
    "Novak",
    "Mensah",
    "Wilson",
    "Sharma",
    "Jones",
    "Smith",
    "Williams",
    "Davies",
    "Thomas",
    "Johnson",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Harris",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "King",
    "Lee",
]
GIVEN = [
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Isla",
    "Oscar",
    "Amelia",
    "Zain",
    "Lily",
    "Jack",
    "Ruby",
    "Musa",
    "Freya",
    "Theo",
    "Aisha",
    "Harry",
    "Sarah",
    "Daniel",
    "Priya",
    "Tomasz",
    "Grace",
    "Kevin",
    "Fatima",
    "Liam",
    "Chloe",
    "Adebayo",
    "Rachel",
    "Mark",
    "Jade",
    "Imran",
    "Nicola",
    "Craig",
]
STREETS = [
    "Cedar Road",
    "Mill Lane",
    "Station Road",
    "Queen Street",
    "Park Avenue",
    "Church Walk",
    "Grange Road",
    "Victoria Terrace",
    "Highfield Road",
    "Talbot Square",
    "Lytham Road",
    "Waterloo Road",
]

LONG_HISTORY_EVERY = 10_000
"""Families 0, 10,000, 20,000 ... (references BF-0000000, BF-0010000 ...) have a long history:
back-to-back episodes over the five years with a contact most working days, so each one's
chronology holds well over 500 entries (issue 19's chronology benchmark reads them)."""


def long_history_references(families: int) -> list[str]:
    """The references of the families with a long history in a data set of `families`."""
    return [f"BF-{index:07d}" for index in range(0, families, LONG_HISTORY_EVERY)]


CONTACT_KINDS: list[tuple[ContactKind, float]] = [
    (ContactKind.HOME_VISIT, 0.38),
    (ContactKind.PHONE, 0.22),
    (ContactKind.SCHOOL, 0.12),
    (ContactKind.OFFICE, 0.08),
    (ContactKind.MESSAGE, 0.10),
    (ContactKind.VIDEO, 0.04),
    (ContactKind.ATTEMPTED_VISIT, 0.06),
]
SCREENINGS_WITHOUT_EPISODE: list[tuple[ScreeningOutcome, float]] = [
    (ScreeningOutcome.NO_FURTHER_ACTION, 0.45),
    (ScreeningOutcome.SIGNPOST, 0.45),
    (ScreeningOutcome.STEP_UP, 0.10),
]
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

CLOSURES: list[tuple[ClosureReason, float]] = [
    (ClosureReason.ALL_NEEDS_MET, 0.52),
    (ClosureReason.NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT, 0.14),
    (ClosureReason.STEPPED_DOWN_TO_UNIVERSAL, 0.12),
    (ClosureReason.STEPPED_UP_TO_SOCIAL_CARE, 0.08),
    (ClosureReason.MOVED_AWAY, 0.05),
    (ClosureReason.DISENGAGED, 0.06),
    (ClosureReason.CONSENT_WITHDRAWN, 0.03),
]


# --- the plan: who exists, pure and deterministic -------------------------------------------------


@dataclass(frozen=True)
class Config:
    database_url: str
    families: int
    seed: int
    today: date
    years: int
    hubs: int
    workers: int
    batch: int

    @property
    def start(self) -> date:
        return add_months(self.today, -12 * self.years)


@dataclass(frozen=True)
class Staff:
    """The practitioners the stories use (ids by hub), and each one as the rules see them."""

    leads_by_hub: dict[str, list[str]]
    qa_officers: list[str]
    hubs: dict[str, str]
    principals: dict[str, Principal]
    front_door: list[str]
    """Front door officers: they receive and screen the requests for support."""

    def actor(self, practitioner_id: str | uuid.UUID) -> Actor:
        """The staff member acting: every step of a story is taken by someone the rules judge."""
        return Actor(principal=self.principals[str(practitioner_id)])


@dataclass
class Tally:
    """What a worker created, for the summary (rule refusals are bugs in this generator)."""

    families: int = 0
    members: int = 0
    episodes: int = 0
    steps: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    audit: Counter[str] = field(default_factory=Counter)
    """The steps' access decisions by outcome (counted, not written: bench/staging.py)."""

    def add(self, other: Tally) -> None:
        self.families += other.families
        self.members += other.members
        self.episodes += other.episodes
        self.steps.update(other.steps)
        self.refusals.update(other.refusals)
        self.audit.update(other.audit)


def _seeded_uuid4(rng: random.Random) -> Callable[[], uuid.UUID]:
    return lambda: uuid.UUID(int=rng.getrandbits(128), version=4)


def _new_uow_factory(url: str) -> Callable[[], SqlUnitOfWork]:
    """Units of work that seal the audit entries they write (registering staff is audited) with
    the deployment's key, FAMILYHUB_AUDIT_KEY, as the service will."""
    factory = make_session_factory(make_engine(url, pool_size=2, max_overflow=0))
    keys = get_settings().audit_keys()
    return lambda: SqlUnitOfWork(factory, audit_keys=keys)


T = TypeVar("T")


def _done(result: T | Replayed) -> T:
    """A step's result; the generator sends no Idempotency-Key, so nothing is ever replayed."""
    assert not isinstance(result, Replayed)
    return result


def _clock(day: date) -> FixedClock:
    return FixedClock(datetime.combine(day, clock_time(10)).replace(tzinfo=UTC), ZONE)


def setup_reference_and_staff(cfg: Config) -> Staff:
    """Hubs, agencies and the practitioner directory, through the reference repository and the
    practitioner service. About one lead professional per 125 families (a caseload of ~15-25 open
    episodes each), a link worker per hub, QA officers and one user per oversight role.

    As an operator does (and demo/ does), the admin is bootstrapped with `seed_practitioner`;
    the admin then registers everyone else through the directory's use case, each grant audited."""
    new_uow = _new_uow_factory(cfg.database_url)
    rng = random.Random(f"{cfg.seed}:staff")
    uuid.uuid4 = _seeded_uuid4(rng)
    clock = _clock(cfg.start - timedelta(days=30))
    hubs: dict[str, str] = {}
    with new_uow() as uow:
        if uow.reference.hub_by_code("H01") is not None:
            raise SystemExit("the database already holds bench data; drop and recreate it first")
        for n in range(cfg.hubs):
            code = f"H{n + 1:02d}"
            hub = Hub(
                id=uuid.uuid4(),
                code=code,
                name=f"{HUB_NAMES[n % len(HUB_NAMES)]} Family Hub",
                neighbourhood=HUB_NAMES[n % len(HUB_NAMES)],
                active=True,
            )
            uow.reference.add_hub(hub)
            hubs[code] = str(hub.id)
        for code, name, kind in AGENCIES:
            uow.reference.add_agency(Agency(code=code, name=name, kind=kind, active=True))
        uow.commit()

    principals: dict[str, Principal] = {}

    def practitioner(
        email: str, name: str, agency: str, roles: set[Role], hub_codes: list[str]
    ) -> Practitioner:
        return Practitioner(
            id=uuid.uuid4(),
            name=name,
            email=f"{email}@{EMAIL_DOMAIN}",
            agency_code=agency,
            roles=frozenset(roles),
            hub_ids=frozenset(uuid.UUID(hubs[c]) for c in hub_codes),
        )

    admin = practitioners.seed_practitioner(
        new_uow(), clock, practitioner("admin", "Admin", "COUNCIL_EH", {Role.ADMIN}, [])
    )
    admin_actor = Actor(principal=admin.as_principal())

    def register(email: str, name: str, agency: str, roles: set[Role], hub_codes: list[str]) -> str:
        registered = _done(
            practitioners.register_practitioner(
                new_uow(), clock, admin_actor, practitioner(email, name, agency, roles, hub_codes)
            )
        )
        principals[str(registered.id)] = registered.as_principal()
        return str(registered.id)

    codes = sorted(hubs)
    leads_by_hub: dict[str, list[str]] = {c: [] for c in codes}
    n_leads = max(len(codes), math.ceil(cfg.families / 125))
    for n in range(n_leads):
        code = codes[n % len(codes)]
        agency = LEAD_AGENCIES[n % len(LEAD_AGENCIES)]
        leads_by_hub[code].append(
            register(
                f"lead{n + 1:04d}",
                f"Lead Professional {n + 1}",
                agency,
                {Role.PRACTITIONER},
                [code],
            )
        )
    for n, code in enumerate(codes):
        register(
            f"link{n + 1:02d}", f"Link Worker {code}", "COUNCIL_EH", {Role.LINK_WORKER}, [code]
        )
    qa = [
        register(f"qa{n + 1}", f"QA Officer {n + 1}", "COUNCIL_EH", {Role.QUALITY_ASSURANCE}, [])
        for n in range(max(2, n_leads // 60))
    ]
    front_door = [
        register(
            f"frontdoor{n + 1}",
            f"Front Door Officer {n + 1}",
            "COUNCIL_EH",
            {Role.FRONT_DOOR_OFFICER},
            [],
        )
        for n in range(max(2, n_leads // 80))
    ]
    for email, role in [
        ("manager", Role.MANAGER),
        ("reports", Role.REPORTING),
        ("auditor", Role.AUDITOR),
    ]:
        register(email, email.title(), "COUNCIL_EH", {role}, [])
    return Staff(
        leads_by_hub=leads_by_hub,
        qa_officers=qa,
        hubs=hubs,
        principals=principals,
        front_door=front_door,
    )


# --- one family's story ---------------------------------------------------------------------------


class _Stop(Exception):
    """The story has reached today: the episode stays at the stage it got to."""


@dataclass
class _Story:
    """Plays one family forward through the services on a walking clock."""

    cfg: Config
    staff: Staff
    uow: StagingUnitOfWork
    rng: random.Random
    tally: Tally
    last_lead: str = ""
    """The lead professional of the family's latest episode, who may open its next one."""
    long_history: bool = False
    """A family worked with for years (`LONG_HISTORY_EVERY`): contacts most working days."""

    def at(self, day: date) -> FixedClock:
        if day > self.cfg.today:
            raise _Stop
        return _clock(day)

    def new_uow(self) -> ClaimsUnitOfWork:
        """The batch's staging unit of work, typed as the services expect: it implements the
        repository methods these services call, not the whole Protocol."""
        return cast(ClaimsUnitOfWork, self.uow)

    def run(self, index: int) -> None:
        rng, cfg = self.rng, self.cfg
        self.long_history = index % LONG_HISTORY_EVERY == 0
        hub = f"H{rng.randrange(cfg.hubs) + 1:02d}"
        span = (cfg.today - cfg.start).days
        first_contact = cfg.start + timedelta(
            days=rng.randrange(5) if self.long_history else rng.randrange(span - 3)
        )
        # A lead professional of the hub registers the family; whoever holds it (its registrar,
        # then the lead of its last episode) opens the next episode, as the access rules allow.
        holder = rng.choice(self.staff.leads_by_hub[hub])
        record, carers, children = self._create_family(index, hub, first_contact, holder)
        self.tally.families += 1
        self.tally.members += len(carers) + len(children)
        if not children:
            return
        wanted = rng.choices([0, 1, 2, 3], weights=[8, 45, 30, 17])[0]
        day = first_contact + timedelta(days=rng.randrange(0, 20))
        if self.long_history:
            wanted = 20  # episode after episode until today
        elif rng.random() < 0.2:
            # A request the front door closed without an episode (no further action,
            # signposting to universal services, or a step up to children's social care).
            try:
                self._screened_away(record.family.id, children, first_contact)
            except _Stop:
                return
            day += timedelta(days=rng.randrange(30, 400))
        for _ in range(wanted):
            if day > cfg.today:
                break
            try:
                closed_on = self._episode(record.family.id, hub, carers, children, day, holder)
            except _Stop:
                return
            except DomainError as exc:
                self.tally.refusals[f"{type(exc).__name__}: {exc.detail}"[:140]] += 1
                return
            if closed_on is None:
                return
            holder = self.last_lead
            day = closed_on + timedelta(
                days=rng.randrange(20, 60) if self.long_history else rng.randrange(30, 540)
            )

    def _create_family(
        self, index: int, hub: str, on: date, registrar: str
    ) -> tuple[families.FamilyRecord, list[uuid.UUID], list[uuid.UUID]]:
        rng = self.rng
        surname = rng.choice(SURNAMES)
        members: list[families.NewMember] = []
        n_carers = 1 if rng.random() < 0.85 else 2
        n_children = rng.choices([0, 1, 2, 3, 4], weights=[8, 52, 26, 10, 4])[0]
        if self.long_history:
            n_carers, n_children = 2, 3
        for _ in range(n_carers):
            born = on - timedelta(days=rng.randrange(19 * 365, 50 * 365))
            members.append(
                families.NewMember(
                    role=MemberRole.PARENT_CARER,
                    person=Person(
                        id=uuid.uuid4(),
                        given_name=rng.choice(GIVEN),
                        family_name=surname,
                        date_of_birth=born,
                    ),
                    joined_on=on,
                )
            )
        for _ in range(n_children):
            born = on - timedelta(days=rng.randrange(30, 13 * 365))
            members.append(
                families.NewMember(
                    role=MemberRole.CHILD,
                    person=Person(
                        id=uuid.uuid4(),
                        given_name=rng.choice(GIVEN),
                        family_name=surname,
                        date_of_birth=born,
                        send=rng.random() < 0.12,
                    ),
                    joined_on=on,
                )
            )
        area = rng.choice(POSTCODE_AREAS)
        postcode = f"{area} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        record = families.create_family(
            self.new_uow(),
            self.at(on),
            self.staff.actor(registrar),
            families.FamilyDraft(
                address=Address.create(
                    line1=f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
                    town="Blackpool",
                    postcode=postcode,
                ),
                hub_id=uuid.UUID(self.staff.hubs[hub]),
                reference=f"BF-{index:07d}",
                members=members,
            ),
        )
        assert isinstance(record, families.FamilyRecord)
        self.tally.steps["create_family"] += 1
        carers = [m.person.id for m in members if m.role is MemberRole.PARENT_CARER and m.person]
        children = [m.person.id for m in members if m.role is MemberRole.CHILD and m.person]
        return record, carers, children

    def _consent(
        self,
        lead: Actor,
        family_id: uuid.UUID,
        carer: uuid.UUID,
        children: list[uuid.UUID],
        day: date,
    ) -> None:
        uow = self.new_uow()
        with uow:
            known = uow.consents.for_family(family_id)
        if consent_in_force(known, ConsentPurpose.EARLY_HELP, day) is not None:
            return
        for purpose in (ConsentPurpose.EARLY_HELP, ConsentPurpose.INFORMATION_SHARING):
            consents.record_consent(
                self.new_uow(),
                self.at(day),
                lead,
                Consent(
                    id=uuid.uuid4(),
                    family_id=family_id,
                    purpose=purpose,
                    given_by_person_id=carer,
                    given_on=day,
                    method=self.rng.choice(list(RecordingMethod)),
                    on_behalf_of_person_ids=tuple(children),
                    sharing_scope=SharingScope.ALL_TAF_MEMBERS
                    if purpose is ConsentPurpose.INFORMATION_SHARING
                    else None,
                ),
            )
            self.tally.steps["record_consent"] += 1
        if self.rng.random() < 0.5:
            self._document(lead, OwnerKind.FAMILY, family_id, day, "Signed consent form")

    def _close(
        self, lead: Actor, episode_id: uuid.UUID, version: int, day: date, reason: ClosureReason
    ) -> date:
        view = None
        if reason not in {
            ClosureReason.MOVED_AWAY,
            ClosureReason.DISENGAGED,
            ClosureReason.CONSENT_WITHDRAWN,
        }:
            improved = {
                ClosureReason.ALL_NEEDS_MET: FamilyLifeImproved.YES,
                ClosureReason.STEPPED_DOWN_TO_UNIVERSAL: FamilyLifeImproved.YES,
                ClosureReason.NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT: FamilyLifeImproved.PARTLY,
            }.get(reason, FamilyLifeImproved.NO)
            view = FamilyView(improved, "In the family's words.")
        episodes.close_episode(
            self.new_uow(),
            self.at(day),
            lead,
            episode_id,
            episodes.Closure(
                reason=reason,
                family_view=view,
                stepped_up_reference=f"CSC-{self.rng.randrange(10000, 99999)}"
                if reason is ClosureReason.STEPPED_UP_TO_SOCIAL_CARE
                else None,
            ),
            expected_version=version,
        )
        self.tally.steps["close_episode"] += 1
        return day

    def _episode(
        self,
        family_id: uuid.UUID,
        hub: str,
        carers: list[uuid.UUID],
        children: list[uuid.UUID],
        day: date,
        opener: str,
    ) -> date | None:
        """One episode from request to closure, or to the stage it has reached today.

        Durations are drawn so most steps meet their deadline and a realistic tail does not:
        the assessment (20 working days), QA, first TAF and reviews (every 4-6 weeks).
        """
        rng = self.rng
        lead = uuid.UUID(rng.choice(self.staff.leads_by_hub[hub]))
        acting = self.staff.actor(lead)
        level = rng.choice(["2", "2", "3"])
        if rng.random() < 0.6:
            # Most families arrive through the front door: a request, screened to early help,
            # which opens the episode (dated the day the request was received).
            episode_id, day = self._through_front_door(family_id, children, day, lead, level)
            stored = self.uow.episodes.get(episode_id)
            assert stored is not None
            version = stored.version
        else:
            source = rng.choice([s for s in RequestSource if s is not RequestSource.FRONT_DOOR])
            opened = episodes.open_new_episode(
                self.new_uow(),
                self.at(day),
                self.staff.actor(opener),
                episodes.EpisodeRequest(
                    family_id=family_id,
                    source=source,
                    level_of_need=level,
                    lead_practitioner_id=lead,
                    child_person_ids=tuple(children),
                    step_down_reference=f"CSC-{rng.randrange(10000, 99999)}"
                    if source is RequestSource.STEPPED_DOWN_FROM_SOCIAL_CARE
                    else None,
                ),
                levels=["2", "3"],
            )
            assert isinstance(opened, episodes.EpisodeRecord)
            episode_id, version = opened.episode.id, opened.episode.version
        self.last_lead = str(lead)
        self.tally.episodes += 1
        self.tally.steps["open_episode"] += 1
        fate = rng.random()
        if fate < 0.04:  # the family never agrees to early help
            return self._close(
                acting,
                episode_id,
                version,
                day + timedelta(days=rng.randrange(5, 40)),
                ClosureReason.DISENGAGED,
            )

        day += timedelta(days=rng.randrange(1, 12))
        self._consent(acting, family_id, carers[0], children, day)
        assessment_started = day
        started, assessment = episodes.start_assessment(
            self.new_uow(), self.at(day), acting, episode_id, expected_version=version
        )
        self.tally.steps["start_assessment"] += 1
        version = started.episode.version
        if fate < 0.08:  # disengages during the assessment
            return self._close(
                acting,
                episode_id,
                version,
                day + timedelta(days=rng.randrange(5, 50)),
                rng.choice([ClosureReason.DISENGAGED, ClosureReason.MOVED_AWAY]),
            )

        # The assessment: 20 working days (~28 calendar days); about one in six runs late.
        day += timedelta(
            days=rng.randrange(8, 28) if rng.random() < 0.83 else rng.randrange(29, 80)
        )
        self._contacts(acting, episode_id, carers, children, assessment_started, day)
        headline = rng.choice(["EDU", "HEALTH", "REL", "FIN", "HOUSING", "EYD", "DA", "SAFE"])
        need = Need(
            id=uuid.uuid4(),
            headline=headline,
            description="Needs identified with the family",
            person_ids=tuple(children[:1]),
        )
        clock = self.at(day)
        written = assessments.revise_assessment(
            self.new_uow(),
            clock,
            acting,
            episode_id,
            assessment.id,
            assessments.AssessmentChanges(
                fields={
                    "strengths": ["Loving, committed carers"],
                    "child_voice": "Said what home is like",
                    "parents_view": "Want things to be calmer",
                    "analysis": "Whole-family support will help.",
                },
                needs=[need],
            ),
            expected_version=assessment.version,
        )
        assessments.complete_assessment(
            self.new_uow(),
            clock,
            acting,
            episode_id,
            assessment.id,
            expected_version=written.version,
        )
        self.tally.steps["assessment_revise_and_complete"] += 2
        sf_needs = (
            self._record_sf_needs(acting, episode_id, children, day) if rng.random() < 0.45 else []
        )
        outcome = Outcome(
            id=uuid.uuid4(),
            description="Things improve at home and school",
            need_ids=(need.id,),
            measure="Family and school agree it has improved",
            baseline_score=rng.randrange(1, 5),
        )
        plans.draft_plan(
            self.new_uow(),
            clock,
            acting,
            episode_id,
            outcomes=[outcome],
            actions=[
                Action(
                    id=uuid.uuid4(),
                    outcome_id=outcome.id,
                    description="Agree a daily routine",
                    owner_taf_member_id=None,
                    owner_person_id=carers[0],
                    due_on=day + timedelta(days=42),
                )
            ],
        )
        submitted, _ = plans.submit_for_quality_assurance(
            self.new_uow(), clock, acting, episode_id, expected_version=version
        )
        self.tally.steps["draft_and_submit_plan"] += 2
        version = submitted.episode.version

        # Quality assurance: usually within a week; one plan in eight goes back once.
        qa = self.staff.actor(rng.choice(self.staff.qa_officers))
        if rng.random() < 0.12:
            day += timedelta(days=rng.randrange(1, 8))
            decided, _ = plans.decide_quality_assurance(
                self.new_uow(),
                self.at(day),
                qa,
                episode_id,
                outcome=QaOutcome.RETURNED,
                comments="Make the outcome measurable",
                expected_version=version,
            )
            day += timedelta(days=rng.randrange(2, 10))
            resubmitted, _ = plans.submit_for_quality_assurance(
                self.new_uow(),
                self.at(day),
                acting,
                episode_id,
                expected_version=decided.episode.version,
            )
            self.tally.steps["qa_returned_and_resubmitted"] += 2
            version = resubmitted.episode.version
        day += timedelta(days=rng.randrange(1, 8) if rng.random() < 0.85 else rng.randrange(8, 25))
        decided, _ = plans.decide_quality_assurance(
            self.new_uow(),
            self.at(day),
            qa,
            episode_id,
            outcome=QaOutcome.APPROVED,
            comments="",
            expected_version=version,
        )
        self.tally.steps["qa_approved"] += 1
        version = decided.episode.version

        # The first TAF meeting agrees the plan and makes the episode active.
        day += timedelta(
            days=rng.randrange(3, 18) if rng.random() < 0.85 else rng.randrange(18, 45)
        )
        clock = self.at(day)
        member = taf.add_member(
            self.new_uow(),
            clock,
            acting,
            episode_id,
            taf.Joining(
                kind=TafMemberKind.FAMILY_MEMBER,
                role="Parent or carer",
                person_id=carers[0],
                joined_on=day,
            ),
        )
        assert isinstance(member, Named)
        attendees = [member.value.id]
        partners = [p for p in self.staff.leads_by_hub[hub] if p != str(lead)]
        if partners and rng.random() < 0.6:
            partner = taf.add_member(
                self.new_uow(),
                clock,
                acting,
                episode_id,
                taf.Joining(
                    kind=TafMemberKind.PRACTITIONER,
                    role="Partner agency",
                    practitioner_id=uuid.UUID(rng.choice(partners)),
                    joined_on=day,
                ),
            )
            assert isinstance(partner, Named)
            attendees.append(partner.value.id)
            self.tally.steps["add_taf_practitioner"] += 1
        held = taf.hold_meeting(
            self.new_uow(),
            clock,
            acting,
            episode_id,
            taf.MeetingReport(
                held_on=day,
                attendee_member_ids=attendees,
                family_present=True,
                child_voice=ChildVoice.SHARED,
                progress=[OutcomeProgress(outcome_id=outcome.id, score=rng.randrange(2, 6))],
                decision=MeetingDecision.CONTINUE_PLAN,
            ),
            expected_version=version,
        )
        assert isinstance(held, taf.HeldMeeting)
        self.tally.steps["add_taf_family_and_first_meeting"] += 2
        version = held.record.episode.version

        # Reviews every 4-6 weeks, some late; then closure.
        reviews = rng.choices([1, 2, 3, 4, 5, 6, 8], weights=[10, 18, 22, 18, 14, 10, 8])[0]
        if self.long_history:
            reviews = rng.randrange(10, 16)
        reason = rng.choices([r for r, _ in CLOSURES], weights=[w for _, w in CLOSURES])[0]
        for n in range(reviews):
            since = day
            day += timedelta(
                days=rng.randrange(28, 43) if rng.random() < 0.82 else rng.randrange(43, 90)
            )
            self._contacts(acting, episode_id, carers, children, since, day)
            last = n == reviews - 1
            if last and reason in {
                ClosureReason.ALL_NEEDS_MET,
                ClosureReason.NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT,
            }:
                self._need_outcomes(acting, episode_id, sf_needs, day, reason)
            decision = MeetingDecision.CLOSE if last else MeetingDecision.CONTINUE_PLAN
            if last and reason is ClosureReason.STEPPED_UP_TO_SOCIAL_CARE:
                decision = MeetingDecision.STEP_UP
            held = taf.hold_meeting(
                self.new_uow(),
                self.at(day),
                acting,
                episode_id,
                taf.MeetingReport(
                    held_on=day,
                    attendee_member_ids=attendees,
                    family_present=rng.random() < 0.9,
                    child_voice=rng.choice([ChildVoice.PRESENT, ChildVoice.SHARED]),
                    progress=[
                        OutcomeProgress(
                            outcome_id=outcome.id, score=min(10, 4 + n + rng.randrange(3))
                        )
                    ],
                    decision=decision,
                ),
                expected_version=version,
            )
            assert isinstance(held, taf.HeldMeeting)
            self.tally.steps["review_meeting"] += 1
            version = held.record.episode.version
        closed_on = self._close(
            acting, episode_id, version, day + timedelta(days=rng.randrange(0, 10)), reason
        )
        self._sustainment(acting, episode_id, sf_needs, closed_on)
        return closed_on

    def _receive(
        self, family_id: uuid.UUID, children: list[uuid.UUID], day: date
    ) -> tuple[Actor, requests.RequestView]:
        """A request for support about the family arrives at the front door."""
        rng = self.rng
        officer = self.staff.actor(rng.choice(self.staff.front_door))
        if rng.random() < 0.2:
            referrer = Referrer(kind=ReferrerKind.SELF_REFERRAL)
        else:
            referrer = Referrer(
                kind=ReferrerKind.AGENCY,
                agency_code=rng.choice(AGENCIES)[0],
                name="Referring professional",
                role="Practitioner",
            )
        view = _done(
            requests.create_request(
                self.new_uow(),
                self.at(day),
                officer,
                requests.NewRequest(
                    referrer=referrer,
                    asked_for="Support for the family at home and at school",
                    reason="Worries about school attendance and routines at home",
                    family_agreed=True,
                    urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.ROUTINE,
                    received_on=day,
                    family_id=family_id,
                    child_person_ids=tuple(children),
                ),
            )
        )
        self.tally.steps["create_request"] += 1
        return officer, view

    def _decision_day(self, received_on: date) -> date:
        """Screening within one working day mostly; a tail of later decisions."""
        rng = self.rng
        late = rng.random() >= 0.88
        return received_on + timedelta(days=rng.randrange(3, 10) if late else rng.randrange(0, 2))

    def _through_front_door(
        self,
        family_id: uuid.UUID,
        children: list[uuid.UUID],
        day: date,
        lead: uuid.UUID,
        level: str,
    ) -> tuple[uuid.UUID, date]:
        """A request screened to early help: the screening opens the episode. Returns the
        episode and the day of the decision."""
        officer, view = self._receive(family_id, children, day)
        decided_on = self._decision_day(day)
        screened = requests.screen_request(
            self.new_uow(),
            self.at(decided_on),
            officer,
            view.request.id,
            requests.Screening(
                outcome=ScreeningOutcome.EARLY_HELP,
                reason="Needs met best by early help",
                decided_on=decided_on,
                lead_practitioner_id=lead,
                level_of_need=level,
            ),
            expected_version=view.request.version,
            levels=["2", "3"],
        )
        self.tally.steps["screen_request"] += 1
        decision = screened.request.decision
        assert decision is not None
        assert decision.episode_id is not None
        return decision.episode_id, decided_on

    def _screened_away(self, family_id: uuid.UUID, children: list[uuid.UUID], day: date) -> None:
        """A request that the front door closes without opening an episode."""
        rng = self.rng
        officer, view = self._receive(family_id, children, day)
        outcome = rng.choices(
            [o for o, _ in SCREENINGS_WITHOUT_EPISODE],
            weights=[w for _, w in SCREENINGS_WITHOUT_EPISODE],
        )[0]
        decided_on = self._decision_day(day)
        requests.screen_request(
            self.new_uow(),
            self.at(decided_on),
            officer,
            view.request.id,
            requests.Screening(
                outcome=outcome,
                reason="Screened at the front door",
                decided_on=decided_on,
                step_up_reference=f"CSC-{rng.randrange(10000, 99999)}"
                if outcome is ScreeningOutcome.STEP_UP
                else None,
            ),
            expected_version=view.request.version,
            levels=["2", "3"],
        )
        self.tally.steps["screen_request"] += 1

    def _contacts(
        self,
        lead: Actor,
        episode_id: uuid.UUID,
        carers: list[uuid.UUID],
        children: list[uuid.UUID],
        after: date,
        before: date,
    ) -> None:
        """The contacts between two steps: a visit or call every two or three weeks, most
        working days for a family with a long history."""
        rng = self.rng
        days = (before - after).days
        if days < 2:
            return
        per_week = 5.0 if self.long_history else 0.4
        count = int(days / 7 * per_week * rng.uniform(0.5, 1.5) + rng.random())
        for on in sorted(after + timedelta(days=rng.randrange(1, days)) for _ in range(count)):
            self._contact(lead, episode_id, carers, children, on)

    def _contact(
        self,
        lead: Actor,
        episode_id: uuid.UUID,
        carers: list[uuid.UUID],
        children: list[uuid.UUID],
        on: date,
    ) -> None:
        rng = self.rng
        kind = rng.choices([k for k, _ in CONTACT_KINDS], weights=[w for _, w in CONTACT_KINDS])[0]
        seen: tuple[uuid.UUID, ...] = ()
        alone: tuple[uuid.UUID, ...] = ()
        if kind in {ContactKind.HOME_VISIT, ContactKind.OFFICE, ContactKind.VIDEO}:
            seen = (carers[0], *children)
            if rng.random() < 0.3:
                alone = (children[0],)
        elif kind is ContactKind.SCHOOL:
            seen = alone = (children[0],)
        elif kind is ContactKind.PHONE:
            seen = (carers[0],)
        child_seen = any(p in children for p in seen)
        view = _done(
            contacts.record_contact(
                self.new_uow(),
                self.at(on),
                lead,
                episode_id,
                contacts.NewContact(
                    kind=kind,
                    note="Talked through the week and the plan's next steps with the family.",
                    happened_on=on,
                    seen_person_ids=seen,
                    children_seen_alone=alone,
                    child_voice="Said mornings are calmer now" if child_seen else None,
                    what_was_done="Reviewed the routine; agreed the next visit",
                    sensitive=rng.random() < 0.05,
                    significant=rng.random() < (0.5 if self.long_history else 0.15),
                ),
            )
        )
        self.tally.steps["record_contact"] += 1
        if rng.random() < 1 / 15:
            self._document(
                lead,
                OwnerKind.CONTACT,
                view.contact.id,
                on,
                rng.choice(["School report", "Letter from the GP", "Attendance record"]),
                under_episode=episode_id,
            )

    def _document(
        self,
        by: Actor,
        owner_kind: OwnerKind,
        owner_id: uuid.UUID,
        on: date,
        title: str,
        *,
        under_episode: uuid.UUID | None = None,
    ) -> None:
        """A small scanned PDF (a signed form, a letter, a school report), a few hundred
        bytes to 2 KB, uploaded through the documents use case."""
        content = b"%PDF-1.4\n" + self.rng.randbytes(self.rng.randrange(300, 2000))
        documents.upload_document(
            self.new_uow(),
            self.at(on),
            by,
            documents.NewDocument(
                owner_kind=owner_kind,
                owner_id=owner_id,
                title=title,
                description=None,
                filename=f"{title}.pdf",
                sensitive=False,
                visible_to=frozenset(),
                dated_on=on,
                under_episode=under_episode,
            ),
            [content],
            max_bytes=DOCUMENT_MAX_BYTES,
        )
        self.tally.steps["upload_document"] += 1

    def _record_sf_needs(
        self, lead: Actor, episode_id: uuid.UUID, children: list[uuid.UUID], day: date
    ) -> list[tuple[uuid.UUID, int]]:
        """Supporting Families needs with descriptors of the framework in force that day."""
        framework = catalogue().in_force_on(day)
        if framework is None:
            return []
        descriptors = [d.code for h in framework.headlines for d in h.descriptors]
        found = []
        for code in self.rng.sample(descriptors, k=min(len(descriptors), self.rng.randrange(1, 4))):
            view = needs.record_need(
                self.new_uow(),
                self.at(day),
                lead,
                episode_id,
                needs.NewNeed(
                    descriptor_code=code,
                    person_ids=tuple(children[:1]),
                    identified_on=day,
                    emerged_later=False,
                    evidence=needs.EvidenceIn(
                        source="EHA", reference=f"EHA-{self.rng.randrange(10**6)}"
                    ),
                ),
            )
            assert isinstance(view, needs.NeedView)
            self.tally.steps["record_sf_need"] += 1
            found.append((view.stored.record.need.id, view.stored.version))
        return found

    def _need_outcomes(
        self,
        lead: Actor,
        episode_id: uuid.UUID,
        sf_needs: list[tuple[uuid.UUID, int]],
        day: date,
        reason: ClosureReason,
    ) -> None:
        for i, (need_id, version) in enumerate(sf_needs):
            achieved = reason is ClosureReason.ALL_NEEDS_MET or i == 0
            view = needs.record_need_outcome(
                self.new_uow(),
                self.at(day),
                lead,
                episode_id,
                need_id,
                status=NeedOutcome.ACHIEVED if achieved else NeedOutcome.NOT_ACHIEVED,
                on=day,
                evidence=needs.EvidenceIn(
                    source="School MIS", reference=f"OUT-{self.rng.randrange(10**6)}"
                ),
                expected_version=version,
            )
            sf_needs[i] = (need_id, view.stored.version)
            self.tally.steps["record_need_outcome"] += 1

    def _sustainment(
        self,
        lead: Actor,
        episode_id: uuid.UUID,
        sf_needs: list[tuple[uuid.UUID, int]],
        closed_on: date,
    ) -> None:
        """The check after closure (six months for most descriptors), where that day has come."""
        uow = self.new_uow()
        with uow:
            stored = {s.record.need.id: s for s in uow.needs.for_episodes([episode_id])}
        for need_id, _version in sf_needs:
            s = stored.get(need_id)
            if s is None or s.record.outcome.status is not NeedOutcome.ACHIEVED:
                continue
            check_on = sustainment_due_on(s.record.need, closed_on, catalogue()) + timedelta(
                days=self.rng.randrange(0, 20)
            )
            if check_on > self.cfg.today:
                continue
            held = self.rng.random() < 0.85
            needs.record_sustainment(
                self.new_uow(),
                self.at(check_on),
                lead,
                episode_id,
                need_id,
                result=SustainmentResult.SUSTAINED if held else SustainmentResult.NOT_SUSTAINED,
                checked_on=check_on,
                lapsed_on=None if held else closed_on + timedelta(days=self.rng.randrange(20, 120)),
                evidence=needs.EvidenceIn(
                    source="School MIS", reference=f"SUS-{self.rng.randrange(10**6)}"
                ),
                expected_version=s.version,
            )
            self.tally.steps["record_sustainment"] += 1


# --- workers --------------------------------------------------------------------------------------


def _load_slice(args: tuple[Config, Staff, int, int]) -> Tally:
    """Load families [first, last) in batches, one transaction per batch; prints progress."""
    cfg, staff, first, last = args
    new_uow = _new_uow_factory(cfg.database_url)
    reference = ReadOnlyReference(new_uow())
    tally = Tally()
    started = time.monotonic()
    for batch_start in range(first, last, cfg.batch):
        staged = StagingUnitOfWork(reference)
        for index in range(batch_start, min(last, batch_start + cfg.batch)):
            rng = random.Random(f"{cfg.seed}:{index}")
            uuid.uuid4 = _seeded_uuid4(rng)
            _Story(cfg, staff, staged, rng, tally).run(index)
        uuid.uuid4 = _seeded_uuid4(random.Random(f"{cfg.seed}:write:{batch_start}"))
        staged.write_to(new_uow())
        tally.audit.update(staged.audit.outcomes)
        done = min(last, batch_start + cfg.batch) - first
        if done % (cfg.batch * 10) == 0 or done == last - first:
            rate = done / (time.monotonic() - started)
            print(
                f"  [pid {os.getpid()}] {done}/{last - first} families, {tally.episodes} episodes, "
                f"{rate:.0f} families/s",
                flush=True,
            )
    return tally


def _slices(total: int, workers: int) -> Iterator[tuple[int, int]]:
    size = math.ceil(total / workers)
    for start in range(0, total, size):
        yield start, min(total, start + size)


def row_counts(url: str) -> dict[str, int]:
    """Rows per table after loading, for RESULTS.md."""
    from sqlalchemy import text

    engine = make_engine(url)
    tables = [
        "hubs",
        "practitioners",
        "families",
        "people",
        "memberships",
        "consents",
        "episodes",
        "episode_deadlines",
        "assessments",
        "family_plans",
        "taf_members",
        "taf_meetings",
        "family_needs",
        "claims",
        "support_requests",
        "contacts",
        "documents",
        "document_chunks",
    ]
    with engine.connect() as conn:
        counts = {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in tables
        }
        counts["contacts.significant"] = int(
            conn.execute(text("SELECT count(*) FROM contacts WHERE significant")).scalar_one()
        )
        for stage, n in conn.execute(
            text("SELECT stage, count(*) FROM episodes GROUP BY stage ORDER BY 1")
        ):
            counts[f"episodes.stage={stage}"] = int(n)
    # As autovacuum leaves a live database: statistics for the planner, and the visibility map
    # and hint bits set, so the first timed requests do not pay for the bulk load's clean-up.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        is_postgres = conn.dialect.name == "postgresql"
        conn.execute(text("VACUUM (ANALYZE)" if is_postgres else "ANALYZE"))
    engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("FAMILYHUB_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--families", type=int, default=50_000, help="families at scale 1")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies the number of families"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--hubs", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100, help="families per transaction")
    parser.add_argument("--summary-json", type=Path, help="write counts and timings here")
    a = parser.parse_args(argv)
    cfg = Config(
        database_url=a.database_url,
        families=round(a.families * a.scale),
        seed=a.seed,
        today=a.today,
        years=a.years,
        hubs=a.hubs,
        workers=a.workers,
        batch=a.batch,
    )
    started = time.monotonic()
    print(
        f"generating {cfg.families} families over {cfg.start} .. {cfg.today}, {cfg.hubs} hubs, seed {cfg.seed}"
    )
    staff = setup_reference_and_staff(cfg)
    print(
        f"  staff: {sum(len(v) for v in staff.leads_by_hub.values())} lead professionals, {len(staff.qa_officers)} QA officers"
    )
    jobs = [(cfg, staff, first, last) for first, last in _slices(cfg.families, cfg.workers)]
    tally = Tally()
    if cfg.workers == 1:
        tally.add(_load_slice(jobs[0]))
    else:
        with multiprocessing.get_context("fork").Pool(cfg.workers) as pool:
            for part in pool.imap_unordered(_load_slice, jobs):
                tally.add(part)
    loaded = time.monotonic() - started
    counts = row_counts(cfg.database_url)
    total = time.monotonic() - started
    print(f"loaded in {loaded:.0f} s ({total:.0f} s with VACUUM ANALYZE)")
    print(f"  families {tally.families}, members {tally.members}, episodes {tally.episodes}")
    for step, n in sorted(tally.steps.items()):
        print(f"  {step:40s} {n}")
    for outcome, n in sorted(tally.audit.items()):
        print(f"  access decisions {outcome:23s} {n}")
    for table, n in counts.items():
        print(f"  rows {table:34s} {n}")
    if tally.refusals:
        print("  RULE REFUSALS (generator bugs):")
        for what, n in tally.refusals.most_common(10):
            print(f"    {n:6d} {what}")
    if a.summary_json:
        a.summary_json.write_text(
            json.dumps(
                {
                    "families": cfg.families,
                    "seed": cfg.seed,
                    "today": cfg.today.isoformat(),
                    "workers": cfg.workers,
                    "batch": cfg.batch,
                    "load_seconds": round(loaded, 1),
                    "total_seconds": round(total, 1),
                    "service_calls": dict(tally.steps),
                    "refusals": sum(tally.refusals.values()),
                    "access_decisions": dict(tally.audit),
                    "rows": counts,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
