"""Family Help in the demo, for a council that runs it (FAMILYHUB_FAMILY_HELP=on): an s.17 episode
with its allocations, CIN census dates, a family network member, FGDM and the sharing log, and an
episode stepped across from s.17 to s.47.

A council not on Family Help cannot have any of this (the rules refuse a step across while the
setting is off), so the demo loads it only when the setting is on; running `familyhub demo-data`
again after switching it on adds it to a demo loaded before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from app.domain.access import Role
from app.domain.disclosures import (
    Disclosure,
    DisclosureDecision,
    LawfulBasis,
    NotSharingReason,
    RecipientType,
)
from app.domain.episodes import RequestSource
from app.domain.families import MemberRole, Person, add_months
from app.domain.family_help import (
    AllocationRole,
    CensusCodes,
    CensusDates,
    EpisodeType,
    FamilyHelpPolicy,
    StatutoryBasis,
    TransitionKind,
)
from app.domain.family_network import (
    FgdmMeeting,
    FgdmMeetingType,
    FgdmOffer,
    FgdmOfferStatus,
    NetworkMember,
    NetworkRelationship,
)
from app.services import disclosures, episodes, family_help, family_network
from app.services.families import FamilyRecord
from app.services.ports import UnitOfWork
from app.services.use_case import Actor
from demo.episodes import LEAD, OPENER, SOCIAL_WORKER, SUPERVISOR, on_day

FIRST_REFERENCE = "DEMO-FH1"
"""The s.17 family's reference: the loader looks for it to tell whether Family Help is loaded."""
THRESHOLD_DOCUMENT = "Continuum of need 2025 v2"
"""The demo council's threshold document version that its step-across decisions apply."""
HEALTH_VISITOR = "harriet.hv@familyhub.example"


@dataclass
class FamilyHelpDemo:
    new_uow: Callable[[], UnitOfWork]
    today: date
    zone: ZoneInfo
    actors: dict[str, Actor]
    policy: FamilyHelpPolicy
    codes: CensusCodes
    register: Callable[[date, str, str, list[tuple[MemberRole, Person]]], FamilyRecord]
    """Registers a household on a day, in a hub, under a reference."""

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def staff(self, email: str) -> uuid.UUID:
        return self.actors[email].principal.practitioner_id

    def born(self, years: int, days: int = 0) -> date:
        return add_months(self.today, -12 * years) - timedelta(days=days)

    def open(
        self, family: FamilyRecord, days_ago: int, lead: str, children: list[Person]
    ) -> uuid.UUID:
        opened = episodes.open_new_episode(
            self.new_uow(),
            on_day(self.ago(days_ago), self.zone),
            self.actors[OPENER],
            episodes.EpisodeRequest(
                family_id=family.family.id,
                source=RequestSource.FRONT_DOOR,
                level_of_need="3",
                lead_practitioner_id=self.staff(lead),
                child_person_ids=tuple(c.id for c in children),
                reason="Needs beyond targeted help: Family Help with a lead practitioner.",
            ),
            levels=["2", "3"],
            family_help=self.policy,
        )
        assert isinstance(opened, episodes.EpisodeRecord)
        return opened.episode.id

    def version(self, episode_id: uuid.UUID) -> int:
        view = family_help.get_family_help(
            self.new_uow(),
            on_day(self.today, self.zone),
            self.actors[OPENER],
            episode_id,
            self.policy,
        )
        return view.record.version

    def step(self, episode_id: uuid.UUID, days_ago: int, step: family_help.StepInput) -> None:
        family_help.step_across(
            self.new_uow(),
            on_day(self.ago(days_ago), self.zone),
            self.actors[OPENER],
            episode_id,
            step,
            policy=self.policy,
            codes=self.codes,
            expected_version=self.version(episode_id),
        )

    def allocate(
        self, episode_id: uuid.UUID, days_ago: int, request: family_help.AllocationInput
    ) -> None:
        family_help.allocate(
            self.new_uow(),
            on_day(self.ago(days_ago), self.zone),
            self.actors[OPENER],
            episode_id,
            request,
            policy=self.policy,
            expected_version=self.version(episode_id),
        )

    def census(self, episode_id: uuid.UUID, lead: str, days_ago: int, dates: CensusDates) -> None:
        family_help.record_census_dates(
            self.new_uow(),
            on_day(self.ago(days_ago), self.zone),
            self.actors[lead],
            episode_id,
            dates,
            policy=self.policy,
            codes=self.codes,
            expected_version=self.version(episode_id),
        )


def family_help_loaded(uow: UnitOfWork) -> bool:
    with uow:
        return uow.families.reference_exists(FIRST_REFERENCE)


def load_family_help(demo: FamilyHelpDemo) -> None:
    """The s.17 family and the family stepped across to s.47."""
    assert demo.policy.enabled
    assert all(Role.PRACTITIONER in demo.actors[e].principal.roles for e in (LEAD, SOCIAL_WORKER))
    _child_in_need(demo)
    _child_protection(demo)


def _child_in_need(d: FamilyHelpDemo) -> None:
    """Ward: a mum and two children under s.17, led by the family support worker with a practice
    supervisor's oversight; the grandmother outside the household is in the network, the family
    accepted a family group conference and made their plan there; the school is told under the
    duty to share, the landlord is not."""
    mum = Person(
        id=uuid.uuid4(),
        given_name="Kirsty",
        family_name="Ward",
        date_of_birth=d.born(29),
        sex="female",
    )
    ruby = Person(
        id=uuid.uuid4(),
        given_name="Ruby-Mae",
        family_name="Ward",
        date_of_birth=d.born(8, 45),
        sex="female",
    )
    kai = Person(
        id=uuid.uuid4(),
        given_name="Kai",
        family_name="Ward",
        date_of_birth=d.born(5, 200),
        sex="male",
    )
    family = d.register(
        d.ago(62),
        "NORTH",
        FIRST_REFERENCE,
        [(MemberRole.PARENT_CARER, mum), (MemberRole.CHILD, ruby), (MemberRole.CHILD, kai)],
    )
    episode_id = d.open(family, 60, LEAD, [ruby, kai])
    d.allocate(
        episode_id,
        55,
        family_help.AllocationInput(
            practitioner_id=d.staff(HEALTH_VISITOR),
            role=AllocationRole.CO_WORKER,
            started_on=d.ago(55),
        ),
    )
    d.step(
        episode_id,
        40,
        family_help.StepInput(
            kind=TransitionKind.STEP_ACROSS,
            to_type=EpisodeType.FAMILY_HELP,
            to_basis=StatutoryBasis.S17,
            decided_by=d.staff(SUPERVISOR),
            reason="Ruby-Mae's needs (neglect of health and school) will not be met without "
            "services under s.17; the family agree.",
            effective_on=d.ago(40),
            threshold_document_version=THRESHOLD_DOCUMENT,
            oversight_practitioner_id=d.staff(SUPERVISOR),
            oversight_role=AllocationRole.PRACTICE_SUPERVISOR,
        ),
    )
    d.census(
        episode_id,
        LEAD,
        10,
        CensusDates(
            referral_on=d.ago(40),
            referral_source_code="5D",
            primary_need_code="N4",
            assessment_started_on=d.ago(40),
            assessment_authorised_on=d.ago(25),
            plan_started_on=d.ago(22),
        ),
    )
    lead = d.actors[LEAD]
    gran = Person(
        id=uuid.uuid4(),
        given_name="Linda",
        family_name="Ward",
        date_of_birth=d.born(58),
        sex="female",
    )
    family_network.add_network_member(
        d.new_uow(),
        on_day(d.ago(38), d.zone),
        lead,
        NetworkMember(
            id=uuid.uuid4(),
            family_id=family.family.id,
            person_id=gran.id,
            child_person_ids=(ruby.id, kai.id),
            relationship=NetworkRelationship.GRANDPARENT,
            parental_responsibility=False,
            added_on=d.ago(38),
            agreed_role="Takes the children to school on Tuesdays and Thursdays; has them for tea on Fridays.",
        ),
        gran,
    )
    offer = family_network.record_fgdm_offer(
        d.new_uow(),
        on_day(d.ago(36), d.zone),
        lead,
        FgdmOffer(
            id=uuid.uuid4(),
            family_id=family.family.id,
            status=FgdmOfferStatus.AWAITING_ANSWER,
            decided_on=d.ago(36),
            decided_by_practitioner_id=d.staff(LEAD),
            episode_id=episode_id,
            offered_to_person_ids=(mum.id, gran.id),
        ),
    )
    assert isinstance(offer, FgdmOffer)
    family_network.answer_fgdm_offer(
        d.new_uow(),
        on_day(d.ago(33), d.zone),
        lead,
        family.family.id,
        offer.id,
        accepted=True,
        answered_on=d.ago(33),
        expected_version=offer.version,
    )
    family_network.record_fgdm_meeting(
        d.new_uow(),
        on_day(d.ago(24), d.zone),
        lead,
        FgdmMeeting(
            id=uuid.uuid4(),
            family_id=family.family.id,
            held_on=d.ago(24),
            meeting_type=FgdmMeetingType.FAMILY_GROUP_CONFERENCE,
            coordinator_name="Jo Bright (independent FGC coordinator)",
            coordinator_independent=True,
            private_family_time=True,
            attendee_person_ids=(mum.id, gran.id),
            offer_id=offer.id,
            attendee_practitioner_ids=(d.staff(LEAD),),
            family_plan="Nan does the school run twice a week; Kirsty goes to the GP about her low "
            "mood; Ruby-Mae's dentist appointment is booked and Nan goes with them.",
            plan_agreed=True,
        ),
    )
    disclosures.record_disclosure(
        d.new_uow(),
        on_day(d.ago(20), d.zone),
        lead,
        Disclosure(
            id=uuid.uuid4(),
            family_id=family.family.id,
            decision=DisclosureDecision.SHARED,
            decided_on=d.ago(20),
            recipient_name="Designated safeguarding lead, St Anne's Primary School",
            recipient_type=RecipientType.EDUCATION,
            recipient_agency_code="SCHOOL_ST_ANNES",
            information="That Ruby-Mae is a child in need and the days her grandmother brings her.",
            purpose="So school can follow up absences on the days the plan says she is brought.",
            decided_by_practitioner_id=d.staff(SUPERVISOR),
            recorded_by_practitioner_id=d.staff(LEAD),
            episode_id=episode_id,
            person_ids=(ruby.id,),
            lawful_basis=LawfulBasis.CA2004_S16LA,
        ),
    )
    disclosures.record_disclosure(
        d.new_uow(),
        on_day(d.ago(14), d.zone),
        lead,
        Disclosure(
            id=uuid.uuid4(),
            family_id=family.family.id,
            decision=DisclosureDecision.NOT_SHARED,
            decided_on=d.ago(14),
            recipient_name="Coastal Homes housing association",
            recipient_type=RecipientType.HOUSING,
            information="Kirsty's mental health and the child in need plan.",
            purpose="The landlord asked why the rent is late.",
            decided_by_practitioner_id=d.staff(SUPERVISOR),
            recorded_by_practitioner_id=d.staff(LEAD),
            episode_id=episode_id,
            person_ids=(mum.id,),
            not_sharing_reason=NotSharingReason.NOT_RELEVANT,
            explanation="The plan is not relevant to the rent arrears; Kirsty will speak to the "
            "landlord herself with the debt adviser.",
        ),
    )


def _child_protection(d: FamilyHelpDemo) -> None:
    """Kowalczyk: the family chose the health visitor as their lead practitioner; under s.17, then stepped across to s.47 after an
    injury; the registered social worker leads child protection, the health visitor co-works."""
    dad = Person(
        id=uuid.uuid4(),
        given_name="Piotr",
        family_name="Kowalczyk",
        date_of_birth=d.born(38),
        sex="male",
    )
    mum = Person(
        id=uuid.uuid4(),
        given_name="Anna",
        family_name="Kowalczyk",
        date_of_birth=d.born(35),
        sex="female",
    )
    zofia = Person(
        id=uuid.uuid4(),
        given_name="Zofia",
        family_name="Kowalczyk",
        date_of_birth=d.born(10, 90),
        sex="female",
    )
    jakub = Person(
        id=uuid.uuid4(),
        given_name="Jakub",
        family_name="Kowalczyk",
        date_of_birth=d.born(3, 10),
        sex="male",
    )
    family = d.register(
        d.ago(75),
        "SOUTH",
        "DEMO-FH2",
        [
            (MemberRole.PARENT_CARER, dad),
            (MemberRole.PARENT_CARER, mum),
            (MemberRole.CHILD, zofia),
            (MemberRole.CHILD, jakub),
        ],
    )
    episode_id = d.open(family, 72, LEAD, [zofia, jakub])
    d.allocate(
        episode_id,
        70,
        family_help.AllocationInput(
            practitioner_id=d.staff(HEALTH_VISITOR),
            role=AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
            started_on=d.ago(70),
            chosen_with_family=True,
            family_choice_note="Anna asked for the health visitor the family already knows.",
        ),
    )
    d.step(
        episode_id,
        50,
        family_help.StepInput(
            kind=TransitionKind.STEP_ACROSS,
            to_type=EpisodeType.FAMILY_HELP,
            to_basis=StatutoryBasis.S17,
            decided_by=d.staff(SUPERVISOR),
            reason="Jakub's speech and weight are not improving and dad's drinking is worse: "
            "child in need assessment.",
            effective_on=d.ago(50),
            threshold_document_version=THRESHOLD_DOCUMENT,
            oversight_practitioner_id=d.staff(SUPERVISOR),
            oversight_role=AllocationRole.OVERSIGHT_MANAGER,
        ),
    )
    d.census(
        episode_id,
        HEALTH_VISITOR,
        30,
        CensusDates(
            referral_on=d.ago(50),
            referral_source_code="3B",
            primary_need_code="N3",
            assessment_started_on=d.ago(49),
            assessment_authorised_on=d.ago(35),
            plan_started_on=d.ago(33),
        ),
    )
    d.step(
        episode_id,
        9,
        family_help.StepInput(
            kind=TransitionKind.STEP_ACROSS,
            to_type=EpisodeType.FAMILY_HELP,
            to_basis=StatutoryBasis.S47,
            decided_by=d.staff(SUPERVISOR),
            reason="Nursery reported bruising to Jakub's upper arm; strategy discussion agreed a "
            "s.47 enquiry.",
            effective_on=d.ago(9),
            threshold_document_version=THRESHOLD_DOCUMENT,
            lead_child_protection_practitioner_id=d.staff(SOCIAL_WORKER),
        ),
    )
