"""Family Help use cases on the fakes: who may step across and allocate, what is kept and audited,
and the CIN census extract (issue 20 §1-§2)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest

from app.domain.access import Role
from app.domain.episodes import RequestSource
from app.domain.errors import Forbidden, IllegalTransition, NotFound
from app.domain.family_help import (
    AllocationRole,
    CensusCodes,
    ChildProtection,
    ChildProtectionPlan,
    EpisodeType,
    FamilyHelpPolicy,
    S47Enquiry,
    StatutoryBasis,
    TransitionKind,
)
from app.services import episodes
from app.services import family_help as service
from app.services.use_case import Actor
from tests.unit.services.builders import (
    LEVELS,
    World,
    given_journey,
    given_world,
    make_practitioner,
    one_use_case,
    outcomes,
)

ON = FamilyHelpPolicy(enabled=True, threshold_document_version="2026-04")
OFF = FamilyHelpPolicy()
CODES = CensusCodes(
    referral_sources=frozenset({"2A"}),
    primary_needs=frozenset({"N4"}),
    closure_reasons=frozenset({"RC7"}),
    categories_of_abuse=frozenset({"NEG"}),
    ethnicities=frozenset({"WBRI", "NOBT"}),
    ethnicity_from_people={"white_british": "WBRI"},
    ethnicity_not_recorded="NOBT",
    gender_from_sex={"female": "2"},
    gender_not_known="0",
    gender_unborn="0",
)


@pytest.fixture
def world() -> World:
    return given_world()


def social_worker(world: World, name: str, *roles: Role) -> uuid.UUID:
    sw = make_practitioner(*roles, name=name, registered_social_worker=True)
    world.uow.seed().practitioners[sw.id] = sw
    return sw.id


def to_s17(world: World, journey_episode: uuid.UUID, actor: Actor, supervisor: uuid.UUID) -> None:
    stored = world.uow.committed.family_help.get(journey_episode)
    service.step_across(
        world.uow,
        world.clock,
        actor,
        journey_episode,
        service.StepInput(
            kind=TransitionKind.STEP_ACROSS,
            to_type=EpisodeType.FAMILY_HELP,
            to_basis=StatutoryBasis.S17,
            decided_by=supervisor,
            reason="Meets the child in need threshold",
            oversight_practitioner_id=supervisor,
        ),
        policy=ON,
        codes=CODES,
        expected_version=stored.version if stored else 0,
    )


class TestOpening:
    def test_a_family_help_council_opens_family_help_episodes_led_by_their_lead(
        self, world: World
    ) -> None:
        journey = given_journey(world)
        record = episodes.open_new_episode(
            world.uow,
            world.clock,
            journey.as_("lead"),
            episodes.EpisodeRequest(
                family_id=journey.family_id,
                source=RequestSource.SCHOOL,
                level_of_need="2",
                lead_practitioner_id=world.people["lead"].id,
                child_person_ids=(journey.child_id,),
            ),
            levels=LEVELS,
            family_help=ON,
        )
        assert isinstance(record, episodes.EpisodeRecord)
        stored = world.uow.committed.family_help[record.episode.id]
        assert stored.episode_type is EpisodeType.FAMILY_HELP
        assert stored.holder(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) == (
            world.people["lead"].id
        )

    def test_elsewhere_nothing_family_help_is_stored_and_the_episode_reads_as_early_help(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        assert journey.episode_id not in world.uow.committed.family_help
        view = service.get_family_help(
            world.uow, world.clock, journey.as_("lead"), journey.episode_id, OFF
        )
        assert view.record.episode_type is EpisodeType.EARLY_HELP
        assert view.record.version == 0
        assert view.practitioner_names[world.people["lead"].id] == "Lena Lead"


class TestSteppingAcross:
    def test_the_lead_records_a_supervisor_s_decision_and_the_episode_carries_on(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        supervisor = social_worker(world, "Sue Supervisor")
        before = journey.episode
        with one_use_case(world) as kept:
            to_s17(world, journey.episode_id, journey.as_("lead"), supervisor)
        stored = world.uow.committed.family_help[journey.episode_id]
        assert stored.statutory_basis is StatutoryBasis.S17
        assert stored.census.referral_on == world.today
        assert journey.episode.stage is before.stage
        assert journey.episode.version == before.version, "the episode itself is untouched"
        assert outcomes(kept) == [("step_across", "allowed", None)]

    def test_someone_with_no_tie_to_the_episode_cannot_even_see_it_to_step_across(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        supervisor = social_worker(world, "Sue Supervisor")
        with one_use_case(world) as kept, pytest.raises(NotFound):
            to_s17(world, journey.episode_id, journey.as_("stranger"), supervisor)
        assert journey.episode_id not in world.uow.committed.family_help
        assert outcomes(kept)[-1][1] == "denied"

    def test_off_the_step_is_refused_and_kept_as_refused(self, world: World) -> None:
        journey = given_journey(world).open()
        supervisor = social_worker(world, "Sue Supervisor")
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            service.step_across(
                world.uow,
                world.clock,
                journey.as_("manager"),
                journey.episode_id,
                service.StepInput(
                    kind=TransitionKind.STEP_ACROSS,
                    to_type=EpisodeType.FAMILY_HELP,
                    to_basis=StatutoryBasis.NONE,
                    decided_by=supervisor,
                    reason="Moving to Family Help",
                ),
                policy=OFF,
                codes=CODES,
                expected_version=0,
            )
        assert outcomes(kept) == [("step_across", "refused", "family_help_off")]


class TestAllocating:
    def test_a_manager_allocates_a_lead_from_another_agency_who_then_leads_the_episode(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        school = world.people["school"].id
        with one_use_case(world) as kept:
            service.allocate(
                world.uow,
                world.clock,
                journey.as_("manager"),
                journey.episode_id,
                service.AllocationInput(
                    practitioner_id=school,
                    role=AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
                    chosen_with_family=True,
                ),
                policy=ON,
                expected_version=0,
            )
        stored = world.uow.committed.family_help[journey.episode_id]
        assert stored.holder(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) == school
        assert journey.episode.lead_practitioner_id == school
        assert outcomes(kept) == [("allocate_practitioners", "allowed", None)]

    def test_the_lead_may_not_allocate(self, world: World) -> None:
        journey = given_journey(world).open()
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            service.allocate(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                service.AllocationInput(
                    practitioner_id=world.people["school"].id, role=AllocationRole.CO_WORKER
                ),
                policy=ON,
                expected_version=0,
            )
        assert outcomes(kept) == [("allocate_practitioners", "denied", None)]

    def test_moving_to_s47_keeps_the_lead_as_co_worker_and_they_keep_their_access(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        supervisor = social_worker(world, "Sue Supervisor")
        cp_lead = social_worker(world, "Chris Protection")
        to_s17(world, journey.episode_id, journey.as_("lead"), supervisor)
        world.later(7)
        version = world.uow.committed.family_help[journey.episode_id].version
        service.step_across(
            world.uow,
            world.clock,
            journey.as_("manager"),
            journey.episode_id,
            service.StepInput(
                kind=TransitionKind.STEP_ACROSS,
                to_type=EpisodeType.FAMILY_HELP,
                to_basis=StatutoryBasis.S47,
                decided_by=supervisor,
                reason="Strategy discussion: s47 enquiry",
                lead_child_protection_practitioner_id=cp_lead,
            ),
            policy=ON,
            codes=CODES,
            expected_version=version,
        )
        stored = world.uow.committed.family_help[journey.episode_id]
        lead = world.people["lead"].id
        assert stored.holder(AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER) == cp_lead
        assert lead in {a.practitioner_id for a in stored.current(AllocationRole.CO_WORKER)}
        view = service.get_family_help(
            world.uow, world.clock, journey.as_("lead"), journey.episode_id, ON
        )
        assert view.record.statutory_basis is StatutoryBasis.S47


class TestCensus:
    def test_the_extract_lists_each_child_of_s17_work_whoever_leads_it(self, world: World) -> None:
        journey = given_journey(world).open()
        supervisor = social_worker(world, "Sue Supervisor")
        to_s17(world, journey.episode_id, journey.as_("lead"), supervisor)
        stored = world.uow.committed.family_help[journey.episode_id]
        service.record_census_dates(
            world.uow,
            world.clock,
            journey.as_("lead"),
            journey.episode_id,
            replace(stored.census, primary_need_code="N4", assessment_started_on=world.today),
            policy=ON,
            codes=CODES,
            expected_version=stored.version,
        )
        reporting = make_practitioner(Role.REPORTING, name="Report Bot")
        world.uow.seed().practitioners[reporting.id] = reporting
        with one_use_case(world) as kept:
            lines = service.cin_census(
                world.uow,
                world.clock,
                Actor(reporting.as_principal()),
                period_start=date(2025, 1, 1),
                period_end=world.today,
                codes=CODES,
            )
        assert [(line.la_child_id, line.dates.primary_need_code) for line in lines] == [
            (str(journey.child_id), "N4")
        ]
        assert [(e.action, e.resource_type) for e in kept] == [
            ("export_cin_census", "cin_census"),
            ("export_cin_census", "cin_census"),
        ]

    def test_an_episode_that_never_had_a_statutory_basis_is_not_in_the_census(
        self, world: World
    ) -> None:
        given_journey(world).open()
        lines = service.cin_census(
            world.uow,
            world.clock,
            world.actor("manager"),
            period_start=date(2025, 1, 1),
            period_end=world.today,
            codes=CODES,
        )
        assert lines == []

    def test_a_practitioner_may_not_extract_the_census(self, world: World) -> None:
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            service.cin_census(
                world.uow,
                world.clock,
                world.actor("lead"),
                period_start=date(2025, 1, 1),
                period_end=world.today,
                codes=CODES,
            )
        assert outcomes(kept) == [("export_cin_census", "denied", None)]


class TestHandoverThroughTheEpisode:
    def test_a_lead_professional_handed_over_takes_the_family_help_lead_role_with_them(
        self, world: World
    ) -> None:
        journey = given_journey(world)
        record = episodes.open_new_episode(
            world.uow,
            world.clock,
            journey.as_("lead"),
            episodes.EpisodeRequest(
                family_id=journey.family_id,
                source=RequestSource.SCHOOL,
                level_of_need="2",
                lead_practitioner_id=world.people["lead"].id,
                child_person_ids=(journey.child_id,),
            ),
            levels=LEVELS,
            family_help=ON,
        )
        assert isinstance(record, episodes.EpisodeRecord)
        school = world.people["school"].id
        episodes.assign_lead(
            world.uow,
            world.clock,
            journey.as_("manager"),
            record.episode.id,
            practitioner_id=school,
            reason="Ava's school knows the family best",
            expected_version=record.episode.version,
        )
        stored = world.uow.committed.family_help[record.episode.id]
        assert stored.holder(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) == school
        [handed] = stored.current(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER)
        assert handed.chosen_with_family is None, "the family's say was not asked there"

    def test_an_episode_without_family_help_gets_no_record_from_a_handover(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        episodes.assign_lead(
            world.uow,
            world.clock,
            journey.as_("manager"),
            journey.episode_id,
            practitioner_id=world.people["school"].id,
            reason=None,
            expected_version=journey.episode.version,
        )
        assert journey.episode_id not in world.uow.committed.family_help


def to_s47(world: World, episode_id: uuid.UUID, actor: Actor, supervisor: uuid.UUID) -> None:
    cp_lead = social_worker(world, "Chris Protection")
    service.step_across(
        world.uow,
        world.clock,
        actor,
        episode_id,
        service.StepInput(
            kind=TransitionKind.STEP_ACROSS,
            to_type=EpisodeType.FAMILY_HELP,
            to_basis=StatutoryBasis.S47,
            decided_by=supervisor,
            reason="Strategy discussion: s47 enquiry",
            lead_child_protection_practitioner_id=cp_lead,
        ),
        policy=ON,
        codes=CODES,
        expected_version=world.uow.committed.family_help[episode_id].version,
    )


class TestChildProtectionInTheCensus:
    def test_an_enquiry_and_a_plan_recorded_on_s47_reach_the_extract_with_the_child_s_codes(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        supervisor = social_worker(world, "Sue Supervisor")
        to_s17(world, journey.episode_id, journey.as_("lead"), supervisor)
        world.later(3)
        to_s47(world, journey.episode_id, journey.as_("manager"), supervisor)
        child = world.uow.committed.people[journey.child_id]
        world.uow.committed.people[journey.child_id] = replace(
            child, sex="female", ethnicity="white_british", disabilities=("AUT", "COMM")
        )
        cp = ChildProtection(
            s47_enquiries=(S47Enquiry(started_on=world.today, icpc_on=world.today),),
            plans=(ChildProtectionPlan(started_on=world.today, initial_category_code="NEG"),),
        )
        with one_use_case(world) as kept:
            view = service.record_child_protection(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                cp,
                policy=ON,
                codes=CODES,
                expected_version=world.uow.committed.family_help[journey.episode_id].version,
            )
        assert view.record.child_protection == cp
        assert outcomes(kept) == [("write_episode", "allowed", None)]
        [line] = service.cin_census(
            world.uow,
            world.clock,
            world.actor("manager"),
            period_start=date(2025, 1, 1),
            period_end=world.today,
            codes=CODES,
        )
        assert (line.gender_code, line.ethnicity_code) == ("2", "WBRI")
        assert line.disabilities == ("AUT", "COMM")
        assert line.child_protection == cp

    def test_child_protection_on_child_in_need_work_alone_is_refused_and_nothing_is_kept(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        to_s17(world, journey.episode_id, journey.as_("lead"), social_worker(world, "Sue"))
        before = world.uow.committed.family_help[journey.episode_id]
        with pytest.raises(IllegalTransition) as refused:
            service.record_child_protection(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                ChildProtection(s47_enquiries=(S47Enquiry(started_on=world.today),)),
                policy=ON,
                codes=CODES,
                expected_version=before.version,
            )
        assert refused.value.code == "child_protection_without_s47"
        assert world.uow.committed.family_help[journey.episode_id] == before
