"""The episode's use cases on the in-memory unit of work: open it, start the assessment, hand it
over, close it, find it; one commit each, refusals kept in the audit trail, no database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain.calendar import WorkingCalendar
from app.domain.episodes import (
    ClosureReason,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    RequestSource,
)
from app.domain.errors import (
    Conflict,
    ConsentRequired,
    Forbidden,
    IllegalTransition,
    InvalidValue,
    NotFound,
    StaleVersion,
)
from app.domain.paging import PageRequest
from app.services import episodes
from app.services.ports import EpisodeFilter
from tests.unit.services.builders import (
    LEVELS,
    SOUTH,
    Journey,
    World,
    given_journey,
    given_world,
    one_use_case,
    outcomes,
)
from tests.unit.services.fakes import packaged_reference


@pytest.fixture
def world() -> World:
    return given_world()


def request_for(journey: Journey, **overrides: object) -> episodes.EpisodeRequest:
    fields: dict[str, object] = {
        "family_id": journey.family_id,
        "source": RequestSource.SCHOOL,
        "level_of_need": "2",
        "lead_practitioner_id": journey.world.people["lead"].id,
        "child_person_ids": (journey.child_id,),
    }
    fields.update(overrides)
    return episodes.EpisodeRequest(**fields)  # type: ignore[arg-type]


def open_as(journey: Journey, who: str, **overrides: object) -> object:
    return episodes.open_new_episode(
        journey.world.uow,
        journey.world.clock,
        journey.as_(who),
        request_for(journey, **overrides),
        levels=LEVELS,
    )


class TestOpeningAnEpisode:
    def test_the_registrar_opens_the_first_episode_and_the_audit_entry_names_it(
        self, world: World
    ) -> None:
        journey = given_journey(world)
        with one_use_case(world) as kept:
            record = open_as(journey, "lead")
        assert isinstance(record, episodes.EpisodeRecord)
        assert world.uow.committed.episodes[record.episode.id].stage is EpisodeStage.REQUESTED
        assert [(e.action, e.outcome, e.resource_id) for e in kept] == [
            ("open_episode", "allowed", str(record.episode.id))
        ]

    def test_a_second_open_episode_is_refused_and_the_refusal_is_kept(self, world: World) -> None:
        journey = given_journey(world).open()
        with one_use_case(world) as kept, pytest.raises(Conflict):
            open_as(journey, "lead")
        assert list(world.uow.committed.episodes) == [journey.episode_id]
        assert outcomes(kept) == [("open_episode", "refused", "episode_already_open")]

    def test_a_lead_who_cannot_lead_is_refused_naming_the_field(self, world: World) -> None:
        journey = given_journey(world)
        qa_officer = world.people["qa"].id
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            open_as(journey, "lead", lead_practitioner_id=qa_officer)
        assert refused.value.field == "lead_practitioner_id"
        assert world.uow.committed.episodes == {}
        assert outcomes(kept) == [("open_episode", "refused", "lead_not_eligible")]

    def test_a_family_one_may_not_know_answers_as_an_unknown_one(self, world: World) -> None:
        journey = given_journey(world)
        answers = []
        for family_id in (journey.family_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                open_as(journey, "stranger", family_id=family_id)
            answers.append((hidden.value.detail, hidden.value.field, outcomes(kept)))
        assert answers[0] == answers[1]
        assert answers[0][2] == [("open_episode", "denied", None)]


class TestStartingTheAssessment:
    def test_without_consent_to_take_part_nothing_starts(self, world: World) -> None:
        journey = given_journey(world).open()
        with one_use_case(world) as kept, pytest.raises(ConsentRequired):
            episodes.start_assessment(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                expected_version=journey.episode.version,
            )
        assert journey.episode.stage is EpisodeStage.REQUESTED
        assert world.uow.committed.assessments == {}
        assert outcomes(kept) == [("write_episode", "refused", "early_help_consent_not_in_force")]

    def test_the_assessment_and_its_draft_start_together(self, world: World) -> None:
        journey = given_journey(world).open()
        journey.consent()
        with one_use_case(world):
            record, draft = episodes.start_assessment(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                expected_version=journey.episode.version,
            )
        assert record.episode.stage is EpisodeStage.ASSESSING
        assert world.uow.committed.assessments[draft.id].covered_person_ids == (journey.child_id,)

    def test_the_clock_counts_the_working_days_of_the_reference_data_it_is_given(self) -> None:
        # 20 working days from Monday 3 March 2025 end on 31 March; a bank holiday on the 10th
        # (the council's, not England's) pushes the deadline to 1 April.
        holiday = date(2025, 3, 10)
        dues = []
        for calendar in (packaged_reference().calendar, WorkingCalendar(frozenset({holiday}))):
            world = given_world(replace(packaged_reference(), calendar=calendar))
            journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
            deadline = journey.episode.assessment_deadline
            assert deadline is not None
            dues.append(deadline.due_on)
        assert dues == [date(2025, 3, 31), date(2025, 4, 1)]


class TestHandingOver:
    def test_the_lead_may_not_hand_their_own_episode_over(self, world: World) -> None:
        journey = given_journey(world).open()
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            episodes.assign_lead(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                practitioner_id=world.people["school"].id,
                reason="Moving on",
                expected_version=journey.episode.version,
            )
        assert journey.episode.lead_practitioner_id == world.people["lead"].id
        assert outcomes(kept) == [("reassign_lead", "denied", None)]

    def test_a_manager_hands_it_over_and_the_history_keeps_who_from_and_to(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        lead, school = world.people["lead"].id, world.people["school"].id
        with one_use_case(world) as kept:
            episodes.assign_lead(
                world.uow,
                world.clock,
                journey.as_("manager"),
                journey.episode_id,
                practitioner_id=school,
                reason="Ava's school knows the family best",
                expected_version=journey.episode.version,
            )
        assert [(h.from_practitioner_id, h.practitioner_id) for h in journey.episode.lead_history][
            -1
        ] == (lead, school)
        assert outcomes(kept) == [("reassign_lead", "allowed", None)]

    def test_a_handover_based_on_an_old_version_is_refused_and_kept_as_refused(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        with one_use_case(world) as kept, pytest.raises(StaleVersion):
            episodes.assign_lead(
                world.uow,
                world.clock,
                journey.as_("manager"),
                journey.episode_id,
                practitioner_id=world.people["school"].id,
                reason=None,
                expected_version=journey.episode.version + 1,
            )
        assert journey.episode.lead_practitioner_id == world.people["lead"].id
        assert outcomes(kept) == [("reassign_lead", "refused", "stale_version")]


class TestClosing:
    def test_an_episode_is_not_closed_in_the_future(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            episodes.close_episode(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.episode_id,
                episodes.Closure(
                    ClosureReason.ALL_NEEDS_MET,
                    FamilyView(FamilyLifeImproved.YES, "Much better"),
                    closed_on=world.today + timedelta(days=1),
                ),
                expected_version=journey.episode.version,
            )
        assert refused.value.field == "closed_on"
        assert journey.episode.is_open
        assert outcomes(kept) == [("steer_episode", "refused", "step_date_in_future")]

    def test_a_closed_episode_stops_its_clocks_and_takes_no_second_closure(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.CLOSED)
        review = journey.episode.review_deadline
        assert review is not None
        assert review.stopped_on == world.today
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            journey.close()
        assert outcomes(kept) == [("steer_episode", "refused", "episode_already_closed")]


class TestReadingAndFinding:
    def test_a_hidden_and_an_unknown_episode_answer_alike(self, world: World) -> None:
        journey = given_journey(world).open()
        answers = []
        for episode_id in (journey.episode_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                episodes.get_episode(
                    world.uow, world.clock, journey.as_("stranger"), episode_id, None
                )
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no episode with this id.",
                [("read_episode", "denied", None)],
            )
        )

    def test_a_link_worker_finds_the_episodes_of_their_hubs_only(self, world: World) -> None:
        north = given_journey(world).open()
        south = given_journey(world, hub_id=SOUTH).open()
        with one_use_case(world) as kept:
            found = episodes.search_episodes(
                world.uow, world.clock, north.as_("link"), EpisodeFilter(), PageRequest(), None
            )
        assert [r.episode.id for r in found.items] == [north.episode_id]
        assert south.episode_id not in {e.resource_id for e in kept}
        assert outcomes(kept) == [
            ("search_families", "allowed", None),
            ("list_read_episode", "allowed", None),
        ]
