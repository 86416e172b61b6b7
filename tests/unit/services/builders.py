"""Builders for the service tests: the staff, and one family's episode walked through the cycle by
the services themselves, each step as the member of staff who does it (no database).

`given_world()` seeds what an operator sets up (hubs, agencies, the directory); a `Journey` then
registers a household and moves its episode on with the real use cases, so a test starts from a
state the process itself produced. `one_use_case(world)` checks that what runs inside it commits
exactly once, and hands back the audit entries that commit kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from app.clock import FixedClock
from app.domain.access import Role
from app.domain.assessments import Assessment, Need
from app.domain.audit import AuditEntry
from app.domain.consents import Consent, ConsentPurpose, RecordingMethod, SharingScope
from app.domain.episodes import (
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.families import Address, MemberRole, Person
from app.domain.plans import Action as PlanAction
from app.domain.plans import FamilyPlan, Outcome
from app.domain.practitioners import Practitioner
from app.domain.taf import ChildVoice, TafMember, TafMemberKind
from app.services import assessments, consents, episodes, families, plans, taf
from app.services.names import Named
from app.services.ports import Agency, Hub
from app.services.use_case import Actor
from tests.unit.services.fakes import FakeUnitOfWork, ReferenceSet

NOW = datetime(2025, 3, 3, 10, tzinfo=UTC)
"""A Monday, clear of bank holidays."""
NORTH = uuid.UUID(int=1)
SOUTH = uuid.UUID(int=2)
LEVELS = frozenset({"2", "3"})
AGENCIES = ("COUNCIL_EH", "SCHOOL", "POLICE", "HOUSING")


def make_practitioner(*roles: Role, **overrides: object) -> Practitioner:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "name": "Lena Lead",
        "email": f"{uuid.uuid4().hex[:8]}@council.example",
        "agency_code": "COUNCIL_EH",
        "roles": frozenset(roles or {Role.PRACTITIONER}),
        "hub_ids": frozenset({NORTH}),
    }
    fields.update(overrides)
    return Practitioner(**fields)  # type: ignore[arg-type]


@dataclass
class World:
    uow: FakeUnitOfWork
    clock: FixedClock
    people: dict[str, Practitioner]
    """The directory, by the part each plays: lead, school, stranger, qa, manager, link, admin."""

    def actor(self, who: str) -> Actor:
        return Actor(self.people[who].as_principal())

    @property
    def today(self) -> date:
        return self.clock.today()

    def later(self, days: int) -> None:
        self.clock.instant += timedelta(days=days)


def given_world(reference: ReferenceSet | None = None) -> World:
    """Two hubs, four agencies and a member of staff for every part the tests need."""
    uow = FakeUnitOfWork(reference)
    seed = uow.seed()
    seed.hubs[NORTH] = Hub(NORTH, "NORTH", "North Family Hub", "North", True)
    seed.hubs[SOUTH] = Hub(SOUTH, "SOUTH", "South Family Hub", "South", True)
    for code in AGENCIES:
        seed.agencies[code] = Agency(code, code.title(), code.lower(), True)
    people = {
        "lead": make_practitioner(name="Lena Lead"),
        "school": make_practitioner(name="Sam School", agency_code="SCHOOL"),
        "stranger": make_practitioner(name="Pat Police", agency_code="POLICE"),
        "qa": make_practitioner(Role.QUALITY_ASSURANCE, name="Quinn Quality"),
        "manager": make_practitioner(Role.MANAGER, name="Mo Manager"),
        "link": make_practitioner(Role.LINK_WORKER, name="Lee Link"),
        "south_link": make_practitioner(Role.LINK_WORKER, name="Cara Link", hub_ids={SOUTH}),
        "admin": make_practitioner(Role.ADMIN, name="Ada Admin", hub_ids=frozenset()),
    }
    for practitioner in people.values():
        seed.practitioners[practitioner.id] = practitioner
    return World(uow, FixedClock(NOW), people)


@contextmanager
def one_use_case(world: World) -> Iterator[list[AuditEntry]]:
    """What runs inside commits exactly once (the work and its audit entries, or the entries
    alone after a refusal); yields the entries that commit kept, filled in on the way out."""
    commits, seen = world.uow.commits, len(world.uow.committed.audit)
    kept: list[AuditEntry] = []
    yield kept
    assert world.uow.commits == commits + 1, "a use case commits exactly once"
    kept.extend(world.uow.committed.audit[seen:])


def outcomes(entries: list[AuditEntry]) -> list[tuple[str, str, str | None]]:
    return [(e.action, e.outcome, e.problem_code) for e in entries]


@dataclass
class Journey:
    """One household and its episode, moved on by the services as the staff would move it."""

    world: World
    family_id: uuid.UUID
    parent_id: uuid.UUID
    child_id: uuid.UUID
    episode_id: uuid.UUID = field(default_factory=uuid.uuid4)
    assessment_id: uuid.UUID | None = None
    need_id: uuid.UUID = field(default_factory=uuid.uuid4)
    outcome_id: uuid.UUID = field(default_factory=uuid.uuid4)
    plan_id: uuid.UUID | None = None

    # --- what the record holds now (committed) ---------------------------------------------------

    @property
    def episode(self) -> Episode:
        return self.world.uow.committed.episodes[self.episode_id]

    @property
    def assessment(self) -> Assessment:
        assert self.assessment_id is not None
        return self.world.uow.committed.assessments[self.assessment_id]

    @property
    def plan(self) -> FamilyPlan:
        assert self.plan_id is not None
        return self.world.uow.committed.plans[self.plan_id]

    def as_(self, who: str) -> Actor:
        return self.world.actor(who)

    # --- the steps -------------------------------------------------------------------------------

    def consent(
        self, purpose: ConsentPurpose = ConsentPurpose.EARLY_HELP, *agencies: str
    ) -> Consent:
        """The parent consents for themselves and the child: to take part, or to share with the
        agencies named (all TAF members when none are)."""
        sharing = purpose is ConsentPurpose.INFORMATION_SHARING
        recorded = consents.record_consent(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            Consent(
                id=uuid.uuid4(),
                family_id=self.family_id,
                purpose=purpose,
                given_by_person_id=self.parent_id,
                given_on=self.world.today,
                method=RecordingMethod.VERBAL,
                on_behalf_of_person_ids=(self.child_id,),
                sharing_scope=(
                    (SharingScope.NAMED_AGENCIES if agencies else SharingScope.ALL_TAF_MEMBERS)
                    if sharing
                    else None
                ),
                agency_codes=frozenset(agencies),
            ),
        )
        assert isinstance(recorded, Consent)
        return recorded

    def open(self) -> Journey:
        record = episodes.open_new_episode(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            episodes.EpisodeRequest(
                family_id=self.family_id,
                source=RequestSource.SCHOOL,
                level_of_need="2",
                lead_practitioner_id=self.world.people["lead"].id,
                child_person_ids=(self.child_id,),
            ),
            levels=LEVELS,
        )
        assert isinstance(record, episodes.EpisodeRecord)
        self.episode_id = record.episode.id
        return self

    def start_assessment(self) -> Journey:
        self.consent()
        _, assessment = episodes.start_assessment(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            expected_version=self.episode.version,
        )
        self.assessment_id = assessment.id
        return self

    def write_assessment(self, headline: str = "EDU") -> Journey:
        assert self.assessment_id is not None
        assessments.revise_assessment(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            self.assessment_id,
            assessments.AssessmentChanges(
                fields={
                    "covered_person_ids": (self.parent_id, self.child_id),
                    "analysis": "Ava misses school when her mother is unwell.",
                },
                needs=[Need(self.need_id, headline, "Ava misses school", (self.child_id,))],
            ),
            expected_version=self.assessment.version,
        )
        return self

    def complete_assessment(self) -> Journey:
        assert self.assessment_id is not None
        assessments.complete_assessment(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            self.assessment_id,
            expected_version=self.assessment.version,
        )
        return self

    def draft_plan(self, *actions: PlanAction) -> Journey:
        """The suggested plan: one outcome for the need, and these actions (the parent's walk to
        school when none are given)."""
        drafted = plans.draft_plan(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            outcomes=[self.make_outcome()],
            actions=actions or [self.make_action(owner_person_id=self.parent_id)],
        )
        assert isinstance(drafted, Named)
        self.plan_id = drafted.value.id
        return self

    def make_outcome(self) -> Outcome:
        return Outcome(self.outcome_id, "Ava goes to school every day", (self.need_id,), "days", 3)

    def make_action(self, **owner: uuid.UUID) -> PlanAction:
        return PlanAction(
            id=uuid.uuid4(),
            outcome_id=self.outcome_id,
            description="Walk Ava to school",
            owner_taf_member_id=owner.get("owner_taf_member_id"),
            owner_person_id=owner.get("owner_person_id"),
            due_on=self.world.today + timedelta(days=28),
        )

    def submit(self) -> Journey:
        plans.submit_for_quality_assurance(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            expected_version=self.episode.version,
        )
        return self

    def decide(self, outcome: QaOutcome = QaOutcome.APPROVED, comments: str = "") -> Journey:
        plans.decide_quality_assurance(
            self.world.uow,
            self.world.clock,
            self.as_("qa"),
            self.episode_id,
            outcome=outcome,
            comments=comments,
            expected_version=self.episode.version,
        )
        return self

    def join(self, who: str, *sharing_with: str) -> TafMember:
        """Consent to share with the practitioner's agency, then they join the TAF."""
        practitioner = self.world.people[who]
        self.consent(
            ConsentPurpose.INFORMATION_SHARING, *(sharing_with or (practitioner.agency_code,))
        )
        member = taf.add_member(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            taf.Joining(TafMemberKind.PRACTITIONER, "Attendance officer", practitioner.id),
        )
        assert isinstance(member, Named)
        return member.value

    def meet(self, decision: MeetingDecision = MeetingDecision.CONTINUE_PLAN) -> Journey:
        held = taf.hold_meeting(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            taf.MeetingReport(
                held_on=self.world.today,
                attendee_member_ids=(),
                family_present=True,
                child_voice=ChildVoice.SHARED,
                progress=(),
                decision=decision,
            ),
            expected_version=self.episode.version,
        )
        assert isinstance(held, taf.HeldMeeting)
        return self

    def close(self, reason: ClosureReason = ClosureReason.ALL_NEEDS_MET) -> Journey:
        episodes.close_episode(
            self.world.uow,
            self.world.clock,
            self.as_("lead"),
            self.episode_id,
            episodes.Closure(reason, FamilyView(FamilyLifeImproved.YES, "Ava is happier")),
            expected_version=self.episode.version,
        )
        return self

    def up_to(self, stage: EpisodeStage) -> Journey:
        """Walk the episode through the cycle until it reaches `stage`."""
        steps = [
            (EpisodeStage.REQUESTED, self.open),
            (EpisodeStage.ASSESSING, self.start_assessment),
            (
                EpisodeStage.PLAN_AWAITING_QA,
                lambda: self.write_assessment().complete_assessment().draft_plan().submit(),
            ),
            (EpisodeStage.PLAN_APPROVED, self.decide),
            (EpisodeStage.ACTIVE, self.meet),
            (EpisodeStage.CLOSED, self.close),
        ]
        for reached, step in steps:
            step()
            if reached is stage:
                return self
        raise ValueError(f"a journey does not pass through {stage}")


def given_journey(world: World, *, hub_id: uuid.UUID = NORTH) -> Journey:
    """A mother and her daughter, living together since 2020, registered by the lead."""
    parent = Person(uuid.uuid4(), "Sarah", "Hughes", date(1990, 2, 14))
    child = Person(uuid.uuid4(), "Ava", "Hughes", date(2017, 6, 1))
    since = date(2020, 1, 6)
    record = families.create_family(
        world.uow,
        world.clock,
        world.actor("lead"),
        families.FamilyDraft(
            address=Address.create(line1="12 Cedar Road", postcode="FY1 3HT"),
            hub_id=hub_id,
            members=(
                families.NewMember(MemberRole.PARENT_CARER, joined_on=since, person=parent),
                families.NewMember(MemberRole.CHILD, joined_on=since, person=child),
            ),
        ),
    )
    assert isinstance(record, families.FamilyRecord)
    return Journey(world, record.family.id, parent.id, child.id)
