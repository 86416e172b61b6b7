"""Supporting Families needs on the in-memory unit of work: recorded under the framework in use
(the council's upload, else the shipped one), their outcomes, the sustainment check after closure
and support delivered; a ready claim goes back to draft when they change, one with internal audit
refuses the change. One commit each, refusals kept in the audit trail, no database."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.domain.episodes import EpisodeStage
from app.domain.errors import IllegalTransition, InvalidValue, NotFound
from app.domain.families import add_months
from app.domain.outcomes_framework import ClaimRoute, signed_off
from app.domain.supporting_families import (
    Claim,
    ClaimState,
    NeedOutcome,
    SupportDelivered,
    SustainmentResult,
)
from app.services import claims, needs
from app.services.ports import StoredClaim
from tests.unit.services.builders import (
    Journey,
    World,
    given_journey,
    given_world,
    one_use_case,
    outcomes,
)
from tests.unit.services.fakes import packaged_reference

EVIDENCE = needs.EvidenceIn(source="school attendance system", reference="ATT-2025-118")


@pytest.fixture
def world() -> World:
    return given_world()


def record_need(journey: Journey, code: str = "EDU.a", **overrides: object) -> object:
    fields: dict[str, object] = {
        "descriptor_code": code,
        "person_ids": (journey.child_id,),
        "identified_on": journey.world.today,
        "emerged_later": False,
        "evidence": EVIDENCE,
    }
    fields.update(overrides)
    return needs.record_need(
        journey.world.uow,
        journey.world.clock,
        journey.as_("lead"),
        journey.episode_id,
        needs.NewNeed(**fields),  # type: ignore[arg-type]
    )


def achieved(journey: Journey, need: needs.NeedView) -> needs.NeedView:
    return needs.record_need_outcome(
        journey.world.uow,
        journey.world.clock,
        journey.as_("lead"),
        journey.episode_id,
        need.stored.record.need.id,
        status=NeedOutcome.ACHIEVED,
        on=journey.world.today,
        evidence=EVIDENCE,
        expected_version=need.stored.version,
    )


def check_sustained(journey: Journey, need_id: uuid.UUID) -> needs.NeedView:
    stored = journey.world.uow.committed.needs[need_id]
    return needs.record_sustainment(
        journey.world.uow,
        journey.world.clock,
        journey.as_("lead"),
        journey.episode_id,
        need_id,
        result=SustainmentResult.SUSTAINED,
        checked_on=None,
        lapsed_on=None,
        evidence=EVIDENCE,
        expected_version=stored.version,
    )


def claim_in(journey: Journey, state: ClaimState) -> Claim:
    """A claim on the journey's episode, stored as the batch left it."""
    claim = Claim(
        id=uuid.uuid4(),
        family_id=journey.family_id,
        episode_id=journey.episode_id,
        framework_version="2022-10",
        route=ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS,
        programme_year="2024-25",
        programme_phase="2022-25",
        unit_value_pence=80000,
        created_on=journey.world.today - timedelta(days=2),
        created_by=journey.world.people["manager"].id,
        state=state,
    )
    journey.world.uow.seed().claims[claim.id] = StoredClaim(claim, date(2025, 2, 28))
    return claim


class TestRecordingANeed:
    def test_the_need_takes_its_headline_from_the_descriptor_in_force(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        with one_use_case(world) as kept:
            view = record_need(journey, "HEALTH.b")
        assert isinstance(view, needs.NeedView)
        need = view.stored.record.need
        assert need.headline == "HEALTH"
        assert need.evidence.recorded_by == world.people["lead"].id
        assert world.uow.committed.needs[need.id].family_id == journey.family_id
        assert [(e.outcome, e.resource_id) for e in kept] == [("allowed", str(need.id))]

    def test_a_descriptor_the_framework_does_not_have_is_refused(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            record_need(journey, "EDU.z")
        assert refused.value.field == "descriptor_code"
        assert world.uow.committed.needs == {}
        assert outcomes(kept) == [("write_episode", "refused", "need_descriptor_unknown")]

    def test_the_framework_the_council_uploaded_is_the_one_needs_are_recorded_under(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        document = signed_off(packaged_reference().framework_document)
        education = document["versions"][1]["headlines"][0]
        education["descriptors"].append(
            {**education["descriptors"][0], "code": "EDU.local", "text": "Not in a school place."}
        )
        with pytest.raises(InvalidValue):
            record_need(journey, "EDU.local")
        claims.upload_framework(
            world.uow, world.clock, journey.as_("admin"), document, reason="A local descriptor"
        )
        view = record_need(journey, "EDU.local")
        assert isinstance(view, needs.NeedView)
        assert view.stored.record.need.headline == "EDU"

    def test_a_need_about_someone_outside_the_family_is_refused(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            record_need(journey, person_ids=(uuid.uuid4(),))
        assert refused.value.field == "person_ids[0]"
        assert outcomes(kept) == [("write_episode", "refused", "need_person_not_in_family")]

    def test_a_need_is_not_identified_in_the_future(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            record_need(journey, identified_on=world.today + timedelta(days=1))
        assert refused.value.field == "identified_on"
        assert outcomes(kept) == [("write_episode", "refused", "step_date_in_future")]

    def test_a_need_is_not_identified_before_the_episode_was_requested(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        requested_on = world.uow.committed.episodes[journey.episode_id].requested_on
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            record_need(journey, identified_on=requested_on - timedelta(days=1))
        assert refused.value.field == "identified_on"
        assert outcomes(kept) == [("write_episode", "refused", "step_date_before_request")]

    def test_a_need_entered_late_keeps_when_it_was_recorded(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        requested_on = world.uow.committed.episodes[journey.episode_id].requested_on
        view = record_need(journey, identified_on=requested_on)
        assert isinstance(view, needs.NeedView)
        assert view.stored.record.need.identified_on == requested_on
        assert view.stored.recorded_at == world.clock.now()

    def test_an_episode_one_may_not_know_answers_as_an_unknown_one(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        record_need(journey)
        answers = []
        for episode_id in (journey.episode_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                needs.list_needs(world.uow, world.clock, journey.as_("stranger"), episode_id)
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no episode with this id.",
                [("read_episode", "denied", None)],
            )
        )


class TestOutcomesAndTheSustainmentCheck:
    def test_an_outcome_achieved_is_checked_six_months_after_closure(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        view = record_need(journey)
        assert isinstance(view, needs.NeedView)
        achieved(journey, view)
        journey.close()
        (listed,) = needs.list_needs(
            world.uow, world.clock, journey.as_("lead"), journey.episode_id
        )
        assert listed.sustainment_due_on == add_months(world.today, 6)
        need_id = view.stored.record.need.id
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            check_sustained(journey, need_id)
        assert refused.value.field == "checked_on"
        assert outcomes(kept) == [("write_episode", "refused", "sustained_before_period_end")]
        world.later(190)
        with one_use_case(world) as kept:
            checked = check_sustained(journey, need_id)
        assert checked.stored.record.sustainment is not None
        assert outcomes(kept) == [("write_episode", "allowed", None)]

    def test_an_open_episodes_outcomes_are_not_checked_for_sustainment(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        view = record_need(journey)
        assert isinstance(view, needs.NeedView)
        achieved(journey, view)
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            check_sustained(journey, view.stored.record.need.id)
        assert outcomes(kept) == [
            ("write_episode", "refused", "sustainment_check_before_closure_stage")
        ]


class TestDatedOutcomes:
    """Issue 18 §1: an outcome and its sustainment check are dated through the step-date rule,
    and keep when they were recorded."""

    def outcome(self, journey: Journey, need: needs.NeedView, on: object) -> needs.NeedView:
        return needs.record_need_outcome(
            journey.world.uow,
            journey.world.clock,
            journey.as_("lead"),
            journey.episode_id,
            need.stored.record.need.id,
            status=NeedOutcome.ACHIEVED,
            on=on,  # type: ignore[arg-type]
            evidence=EVIDENCE,
            expected_version=need.stored.version,
        )

    def test_an_outcome_is_today_unless_dated_and_keeps_when_it_was_recorded(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        need = record_need(journey)
        assert isinstance(need, needs.NeedView)
        world.later(3)
        reached = self.outcome(journey, need, None)
        assert reached.stored.record.outcome.on == world.today
        assert reached.stored.outcome_recorded_at == world.clock.now()

    def test_an_outcome_before_the_need_was_identified_or_ahead_of_today_is_refused(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        world.later(5)
        need = record_need(journey)
        assert isinstance(need, needs.NeedView)
        for day, code in (
            (world.today - timedelta(days=6), "step_date_before_request"),
            (world.today - timedelta(days=1), "step_date_before_previous_step"),
            (world.today + timedelta(days=1), "step_date_in_future"),
        ):
            with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
                self.outcome(journey, need, day)
            assert (refused.value.field, refused.value.code) == ("on", code)
            assert outcomes(kept) == [("write_episode", "refused", code)]

    def test_a_sustainment_check_keeps_when_it_was_recorded(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        need = record_need(journey)
        assert isinstance(need, needs.NeedView)
        achieved(journey, need)
        journey.close()
        world.later(190)
        checked = check_sustained(journey, need.stored.record.need.id)
        assert checked.stored.sustainment_recorded_at == world.clock.now()
        assert world.uow.committed.needs[need.stored.record.need.id].sustainment_recorded_at == (
            world.clock.now()
        )


class TestTheClaimsTheRecordWasJudgedOn:
    def test_a_ready_claim_goes_back_to_draft_when_a_need_is_added(self, world: World) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        claim = claim_in(journey, ClaimState.READY)
        with one_use_case(world):
            record_need(journey)
        stored = world.uow.committed.claims[claim.id].claim
        assert stored.state is ClaimState.DRAFT
        assert stored.history[-1].note == "Case edited: need EDU.a added"

    def test_a_claim_with_internal_audit_refuses_the_change_and_keeps_the_refusal(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        claim_in(journey, ClaimState.INTERNAL_AUDIT)
        support = SupportDelivered("Attendance mentoring", world.today)
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            needs.record_support(
                world.uow, world.clock, journey.as_("lead"), journey.episode_id, support
            )
        assert world.uow.committed.support == []
        assert outcomes(kept) == [("write_episode", "refused", "claim_locks_record")]
