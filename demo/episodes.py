"""Demo staff and episodes at every stage of the cycle, some of them late, for `make run`.

Each episode is played forward through the same services the API uses, on a clock that walks
from the day of the request to today, so every deadline is computed by the real rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.clock import FixedClock
from app.domain.access import Role
from app.domain.assessments import Need
from app.domain.consents import (
    Consent,
    ConsentPurpose,
    RecordingMethod,
    SharingScope,
    consent_in_force,
)
from app.domain.episodes import (
    ClosureReason,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.families import Family, MemberRole
from app.domain.family_help import FamilyHelpPolicy
from app.domain.plans import Action, Outcome
from app.domain.practitioners import Practitioner
from app.domain.taf import ChildVoice, OutcomeProgress, TafMemberKind
from app.services import assessments, consents, episodes, plans, practitioners, taf
from app.services.families import FamilyRecord
from app.services.names import Named
from app.services.ports import ClaimsUnitOfWork, Clock
from app.services.use_case import Actor
from demo import claims as demo_claims
from demo.claims import SfStory

STAFF = [
    # email, name, agency, roles, hub codes
    (
        "lena.lead@familyhub.example",
        "Lena Lead",
        "COUNCIL_EH",
        {Role.PRACTITIONER},
        ["NORTH", "CENTRAL"],
    ),
    (
        "harriet.hv@familyhub.example",
        "Harriet Hughes-Visitor",
        "HEALTH_VISITING",
        {Role.PRACTITIONER},
        ["SOUTH"],
    ),
    (
        "sam.school@familyhub.example",
        "Sam Schofield",
        "SCHOOL_ST_ANNES",
        {Role.PRACTITIONER},
        ["CENTRAL"],
    ),
    ("pat.police@familyhub.example", "Pat Constable", "POLICE", {Role.PRACTITIONER}, []),
    ("hana.housing@familyhub.example", "Hana Housing", "HOUSING", {Role.PRACTITIONER}, []),
    ("quinn.qa@familyhub.example", "Quinn Quality", "COUNCIL_EH", {Role.QUALITY_ASSURANCE}, []),
    ("lee.link@familyhub.example", "Lee Link", "COUNCIL_EH", {Role.LINK_WORKER}, ["NORTH"]),
    (
        "cara.link@familyhub.example",
        "Cara Link",
        "COUNCIL_EH",
        {Role.LINK_WORKER},
        ["CENTRAL", "SOUTH"],
    ),
    ("mo.manager@familyhub.example", "Mo Manager", "COUNCIL_EH", {Role.MANAGER}, []),
    ("reports@familyhub.example", "Reporting job", "COUNCIL_EH", {Role.REPORTING}, []),
    ("ada.admin@familyhub.example", "Ada Admin", "COUNCIL_EH", {Role.ADMIN}, []),
    ("aud.auditor@familyhub.example", "Aud Auditor", "COUNCIL_EH", {Role.AUDITOR}, []),
    (
        "fran.frontdoor@familyhub.example",
        "Fran Frontdoor",
        "COUNCIL_EH",
        {Role.FRONT_DOOR_OFFICER},
        [],
    ),
    (
        "sid.socialworker@familyhub.example",
        "Sid Social-Worker",
        "CHILDRENS_SOCIAL_CARE",
        {Role.PRACTITIONER},
        ["NORTH", "CENTRAL", "SOUTH"],
    ),
    (
        "pam.supervisor@familyhub.example",
        "Pam Practice-Supervisor",
        "CHILDRENS_SOCIAL_CARE",
        {Role.MANAGER},
        [],
    ),
]

PROFESSIONS = {
    # email: (profession, registered social worker, Social Work England number)
    "lena.lead@familyhub.example": ("Family support worker", False, None),
    "harriet.hv@familyhub.example": ("Health visitor", False, None),
    "sam.school@familyhub.example": ("Designated safeguarding lead (school)", False, None),
    "sid.socialworker@familyhub.example": ("Social worker", True, "SW104233"),
    "pam.supervisor@familyhub.example": ("Practice supervisor (social work)", True, "SW088172"),
}
"""Who is what: Family Help leads come from any agency; oversight and child protection need a
registered social worker (shared/domain/families-first.md §3.2)."""

# How far each demo episode gets, and how long ago it was requested.
STAGES = [
    "requested",
    "assessing",
    "assessing_late",
    "awaiting_qa",
    "awaiting_qa_long",
    "returned",
    "approved",
    "approved_late",
    "active",
    "active_review_late",
    "closed_met",
    "closed_stepped_up",
    "closed_partly",
]


REGISTRAR = "lena.lead@familyhub.example"
"""The demo practitioner who registers the demo households."""
OPENER = "mo.manager@familyhub.example"
"""The demo manager who opens the demo episodes (managers open episodes for any family)."""
ADMIN = "ada.admin@familyhub.example"
"""The directory's first member, bootstrapped by the operator; registers the other demo staff."""
QA_OFFICER = "quinn.qa@familyhub.example"
"""The demo Early Help and Support Service officer who decides on the demo plans."""
FRONT_DOOR = "fran.frontdoor@familyhub.example"
"""The demo front door officer who receives and screens the requests for support."""
SOCIAL_WORKER = "sid.socialworker@familyhub.example"
"""A registered social worker: lead child protection practitioner on the s.47 demo episode."""
SUPERVISOR = "pam.supervisor@familyhub.example"
"""A registered social worker and practice supervisor: oversees s.17 work, decides steps across."""
LEAD = "lena.lead@familyhub.example"
"""The demo lead practitioner whose caseload shows the daily record."""


@dataclass(frozen=True)
class PlayedEpisode:
    """A demo episode as played: the daily record adds its contacts and documents to these."""

    record: FamilyRecord
    stage: str
    lead: str
    episode_id: uuid.UUID


@dataclass
class _Player:
    new_uow: Callable[[], ClaimsUnitOfWork]
    today: date
    zone: ZoneInfo
    actors: dict[str, Actor]
    family_help: FamilyHelpPolicy
    played: list[PlayedEpisode] = field(default_factory=list)

    @property
    def staff(self) -> dict[str, uuid.UUID]:
        return {email: a.principal.practitioner_id for email, a in self.actors.items()}

    def clock(self, day: date) -> Clock:
        return on_day(day, self.zone)

    def play(
        self,
        record: FamilyRecord,
        stage: str,
        started_days_ago: int,
        lead: str,
        story: SfStory | None = None,
    ) -> None:
        family = record.family
        if not _can_have_episode(family):
            return
        self.played.append(
            PlayedEpisode(
                record, stage, lead, self._play(record, stage, started_days_ago, lead, story)
            )
        )

    def _play(
        self,
        record: FamilyRecord,
        stage: str,
        started_days_ago: int,
        lead: str,
        story: SfStory | None,
    ) -> uuid.UUID:
        """Open the episode `started_days_ago` and take it as far as `stage`; returns its id."""
        family = record.family
        children = _current(family, MemberRole.CHILD)
        carers = _current(family, MemberRole.PARENT_CARER)
        day = self.today - timedelta(days=started_days_ago)
        opened = episodes.open_new_episode(
            self.new_uow(),
            self.clock(day),
            self.actors[OPENER],
            episodes.EpisodeRequest(
                family_id=family.id,
                source=_source(started_days_ago),
                level_of_need="2" if started_days_ago % 2 else "3",
                lead_practitioner_id=self.staff[lead],
                child_person_ids=children,
            ),
            levels=["2", "3"],
            family_help=self.family_help,
        )
        assert isinstance(opened, episodes.EpisodeRecord)
        episode_id, version = opened.episode.id, opened.episode.version
        if stage == "requested":
            return episode_id
        day = self._ensure_consent(
            self.actors[lead], family.id, carers[0], children, day + timedelta(days=2)
        )
        started, assessment = episodes.start_assessment(
            self.new_uow(), self.clock(day), self.actors[lead], episode_id, expected_version=version
        )
        version = started.episode.version
        if stage in {"assessing", "assessing_late"}:
            return episode_id
        headlines = story.headlines if story else (_headline(started_days_ago),)
        needs = [
            Need(
                id=uuid.uuid4(),
                headline=headline,
                description="Needs identified with the family",
                person_ids=children[:1],
            )
            for headline in headlines
        ]
        day += timedelta(days=9)
        assessed_on = day
        # A Supporting Families episode is assessed with every member of the household (E5).
        whole_family = (
            {"covered_person_ids": [m.person_id for m in family.memberships if m.left_on is None]}
            if story
            else {}
        )
        written = assessments.revise_assessment(
            self.new_uow(),
            self.clock(day),
            self.actors[lead],
            episode_id,
            assessment.id,
            assessments.AssessmentChanges(
                fields={
                    "strengths": ["Loving, committed carers"],
                    "child_voice": "Said what home is like",
                    "parents_view": "Want things to be calmer",
                    "analysis": "Whole-family support will help.",
                    **whole_family,
                },
                needs=needs,
            ),
            expected_version=assessment.version,
        )
        assessments.complete_assessment(
            self.new_uow(),
            self.clock(day),
            self.actors[lead],
            episode_id,
            assessment.id,
            expected_version=written.version,
        )
        outcome = Outcome(
            id=uuid.uuid4(),
            description="Things improve at home and school",
            need_ids=tuple(n.id for n in needs),
            measure="Family and school agree it has improved",
            baseline_score=3,
        )
        plans.draft_plan(
            self.new_uow(),
            self.clock(day),
            self.actors[lead],
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
        day += timedelta(days=4 if stage != "awaiting_qa_long" else 2)
        submitted, _ = plans.submit_for_quality_assurance(
            self.new_uow(), self.clock(day), self.actors[lead], episode_id, expected_version=version
        )
        version = submitted.episode.version
        if stage in {"awaiting_qa", "awaiting_qa_long"}:
            return episode_id
        day += timedelta(days=3)
        outcome_of_qa = QaOutcome.RETURNED if stage == "returned" else QaOutcome.APPROVED
        decided, _plan = plans.decide_quality_assurance(
            self.new_uow(),
            self.clock(day),
            self.actors[QA_OFFICER],
            episode_id,
            outcome=outcome_of_qa,
            comments="Make the outcome measurable" if stage == "returned" else "",
            expected_version=version,
        )
        version = decided.episode.version
        if stage in {"returned", "approved", "approved_late"}:
            return episode_id
        day += timedelta(days=6)
        joined = taf.add_member(
            self.new_uow(),
            self.clock(day),
            self.actors[lead],
            episode_id,
            taf.Joining(
                kind=TafMemberKind.FAMILY_MEMBER,
                role="Parent or carer",
                person_id=carers[0],
                joined_on=day,
            ),
        )
        assert isinstance(joined, Named)
        member = joined.value
        held = taf.hold_meeting(
            self.new_uow(),
            self.clock(day),
            self.actors[lead],
            episode_id,
            taf.MeetingReport(
                held_on=day,
                attendee_member_ids=[member.id],
                family_present=True,
                child_voice=ChildVoice.SHARED,
                progress=[OutcomeProgress(outcome_id=outcome.id, score=4)],
                decision=MeetingDecision.CONTINUE_PLAN,
            ),
            expected_version=version,
        )
        assert isinstance(held, taf.HeldMeeting)
        version = held.record.episode.version
        if story is not None:
            demo_claims.record_needs_and_support(
                self.new_uow,
                self.clock(day),
                episode_id,
                [n.id for n in needs],
                story,
                person_ids=children[:1],
                identified_on=assessed_on,
                lead=self.actors[lead],
            )
        reviews = max(
            0, (self.today - day).days // 35 - (1 if stage == "active_review_late" else 0)
        )
        if stage.startswith("closed"):
            reviews = 2
        for n in range(reviews):
            review_day = day + timedelta(days=35)
            if review_day >= self.today:
                break
            day = review_day
            last = n == reviews - 1 and stage.startswith("closed")
            held = taf.hold_meeting(
                self.new_uow(),
                self.clock(day),
                self.actors[lead],
                episode_id,
                taf.MeetingReport(
                    held_on=day,
                    attendee_member_ids=[member.id],
                    family_present=True,
                    child_voice=ChildVoice.PRESENT,
                    progress=[OutcomeProgress(outcome_id=outcome.id, score=min(10, 5 + 2 * n))],
                    decision=MeetingDecision.CLOSE if last else MeetingDecision.CONTINUE_PLAN,
                ),
                expected_version=version,
            )
            assert isinstance(held, taf.HeldMeeting)
            version = held.record.episode.version
        if not stage.startswith("closed"):
            return episode_id
        reason, view = {
            "closed_met": (
                ClosureReason.ALL_NEEDS_MET,
                FamilyView(FamilyLifeImproved.YES, "Much calmer at home."),
            ),
            "closed_partly": (
                ClosureReason.NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT,
                FamilyView(FamilyLifeImproved.PARTLY, "Better, but money is still tight."),
            ),
            "closed_stepped_up": (
                ClosureReason.STEPPED_UP_TO_SOCIAL_CARE,
                FamilyView(FamilyLifeImproved.NO, "We need more help than this."),
            ),
        }[stage]
        if story is not None:
            demo_claims.record_outcomes(
                self.new_uow, self.clock(day), episode_id, story, lead=self.actors[lead]
            )
        episodes.close_episode(
            self.new_uow(),
            self.clock(day),
            self.actors[lead],
            episode_id,
            episodes.Closure(
                reason=reason,
                family_view=view,
                stepped_up_reference="CSC-4411" if stage == "closed_stepped_up" else None,
            ),
            expected_version=version,
        )
        if story is not None:
            demo_claims.record_sustainment_checks(
                self.new_uow,
                self.clock,
                episode_id,
                story,
                closed_on=day,
                today=self.today,
                lead=self.actors[lead],
            )
        return episode_id

    def _ensure_consent(
        self,
        lead: Actor,
        family_id: uuid.UUID,
        carer: uuid.UUID,
        children: tuple[uuid.UUID, ...],
        day: date,
    ) -> date:
        """Use consent the family already gave, or have the lead record it on `day`; returns the
        day work can start."""
        with self.new_uow() as uow:
            existing = consent_in_force(
                uow.consents.for_family(family_id), ConsentPurpose.EARLY_HELP, day
            )
        if existing is None:
            for purpose in (ConsentPurpose.EARLY_HELP, ConsentPurpose.INFORMATION_SHARING):
                consents.record_consent(
                    self.new_uow(),
                    self.clock(day),
                    lead,
                    Consent(
                        id=uuid.uuid4(),
                        family_id=family_id,
                        purpose=purpose,
                        given_by_person_id=carer,
                        given_on=day,
                        method=RecordingMethod.WRITTEN,
                        on_behalf_of_person_ids=children,
                        sharing_scope=SharingScope.ALL_TAF_MEMBERS
                        if purpose is ConsentPurpose.INFORMATION_SHARING
                        else None,
                    ),
                )
        return day


def _current(family: Family, role: MemberRole) -> tuple[uuid.UUID, ...]:
    return tuple(m.person_id for m in family.memberships if m.role is role and m.left_on is None)


def _can_have_episode(family: Family) -> bool:
    """The demo plays episodes for households with a child and a parent or carer living there."""
    return bool(_current(family, MemberRole.CHILD) and _current(family, MemberRole.PARENT_CARER))


def _source(n: int) -> RequestSource:
    sources = list(RequestSource)
    return sources[n % len(sources)]


def _headline(n: int) -> str:
    return ["EDU", "HEALTH", "REL", "FIN", "HOUSING", "EYD"][n % 6]


def load_staff(new_uow: Callable[[], ClaimsUnitOfWork], clock: Clock) -> dict[str, Actor]:
    """A demo user for every role (issue tokens for them with `familyhub token --user <email>`),
    each as the actor the services see when the demo acts as them.

    The directory's first member, the admin, is bootstrapped as an operator does
    (`seed_practitioner`: nobody is signed in yet, so no access rule or audit entry applies); the
    admin then registers everyone else through the directory's use case, each grant audited.
    """
    with new_uow() as uow:
        hubs = {h.code: h.id for h in uow.reference.hubs()}
        existing = {email: uow.practitioners.get_by_email(email) for email, *_ in STAFF}
    wanted = {
        email: Practitioner(
            id=uuid.uuid4(),
            name=name,
            email=email,
            agency_code=agency,
            roles=frozenset(roles),
            hub_ids=frozenset(hubs[c] for c in hub_codes),
            profession=PROFESSIONS.get(email, (None, False, None))[0],
            registered_social_worker=PROFESSIONS.get(email, (None, False, None))[1],
            social_work_registration_number=PROFESSIONS.get(email, (None, False, None))[2],
        )
        for email, name, agency, roles, hub_codes in STAFF
    }
    admin = existing[ADMIN] or practitioners.seed_practitioner(new_uow(), clock, wanted[ADMIN])
    actors = {ADMIN: Actor(principal=admin.as_principal())}
    for email, practitioner in wanted.items():
        if email in actors:
            continue
        found = existing[email]
        if found is None:
            registered = practitioners.register_practitioner(
                new_uow(), clock, actors[ADMIN], practitioner
            )
            assert isinstance(registered, Practitioner)
            found = registered
        actors[email] = Actor(principal=found.as_principal())
    return actors


def load_demo_episodes(
    new_uow: Callable[[], ClaimsUnitOfWork],
    clock: Clock,
    families: list[FamilyRecord],
    actors: dict[str, Actor],
    family_help: FamilyHelpPolicy,
) -> list[PlayedEpisode]:
    """Episodes at every stage, spread over the demo households, some on time and some late;
    opened as a council with `family_help` opens them. Returns them in the order played."""
    player = _Player(
        new_uow=new_uow,
        today=clock.today(),
        zone=demo_zone(clock),
        actors=actors,
        family_help=family_help,
    )
    leads = [
        "lena.lead@familyhub.example",
        "harriet.hv@familyhub.example",
        "sam.school@familyhub.example",
    ]
    ages = {
        "requested": 3,
        "assessing": 10,
        "assessing_late": 40,
        "awaiting_qa": 24,
        "awaiting_qa_long": 45,
        "returned": 30,
        "approved": 32,
        "approved_late": 60,
        "active": 90,
        "active_review_late": 150,
        "closed_met": 200,
        "closed_stepped_up": 160,
        "closed_partly": 300,
    }
    stories = demo_claims.assign_stories(
        [index for index, record in enumerate(families) if _can_have_episode(record.family)]
    )
    for index, record in enumerate(families):
        story = stories.get(index)
        if story is not None:
            # An earlier episode, closed before the family's current one was requested.
            sf_stage = "closed_partly" if story.not_achieved else "closed_met"
            player.play(
                record, sf_stage, story.requested_days_ago, leads[index % len(leads)], story
            )
        stage = STAGES[index % len(STAGES)]
        player.play(record, stage, ages[stage] + index % 4, leads[index % len(leads)])
    demo_claims.load_demo_claims(new_uow, clock, actors)
    return player.played


def demo_zone(clock: Clock) -> ZoneInfo:
    """The council's time zone, from the clock the demo was given."""
    return getattr(clock, "zone", ZoneInfo("Europe/London"))


def on_day(day: date, zone: ZoneInfo) -> Clock:
    """A clock standing at 10:00 UTC on `day`: each demo step is recorded on the day it happened."""
    return FixedClock(datetime.combine(day, time(10)).replace(tzinfo=UTC), zone)
