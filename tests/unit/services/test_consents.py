"""Consent's use cases on the in-memory unit of work: recorded, withdrawn (stopping the clocks and
the TAF's access in the same commit), read; refusals kept in the audit trail, no database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.domain.consents import (
    Consent,
    ConsentPurpose,
    RecordingMethod,
    SharingScope,
    Withdrawal,
)
from app.domain.episodes import EpisodeStage
from app.domain.errors import InvalidValue, NotFound, StaleVersion
from app.domain.paging import PageRequest
from app.services import consents, episodes
from tests.unit.services.builders import (
    Journey,
    World,
    given_journey,
    given_world,
    one_use_case,
    outcomes,
)


@pytest.fixture
def world() -> World:
    return given_world()


def make_consent(journey: Journey, **overrides: object) -> Consent:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "family_id": journey.family_id,
        "purpose": ConsentPurpose.EARLY_HELP,
        "given_by_person_id": journey.parent_id,
        "given_on": journey.world.today,
        "method": RecordingMethod.WRITTEN,
        "on_behalf_of_person_ids": (journey.child_id,),
    }
    fields.update(overrides)
    return Consent(**fields)  # type: ignore[arg-type]


def record(journey: Journey, consent: Consent, who: str = "lead") -> object:
    return consents.record_consent(
        journey.world.uow, journey.world.clock, journey.as_(who), consent
    )


def withdraw(journey: Journey, consent: Consent, **overrides: object) -> Consent:
    fields: dict[str, object] = {
        "withdrawal": Withdrawal(journey.world.today, "The family no longer wants help"),
        "expected_version": journey.world.uow.committed.consents[consent.id].version,
    }
    fields.update(overrides)
    return consents.withdraw_consent(
        journey.world.uow,
        journey.world.clock,
        journey.as_("lead"),
        journey.family_id,
        consent.id,
        **fields,  # type: ignore[arg-type]
    )


class TestRecordingConsent:
    def test_the_consent_and_its_audit_entry_commit_together(self, world: World) -> None:
        journey = given_journey(world)
        consent = make_consent(journey)
        with one_use_case(world) as kept:
            record(journey, consent)
        assert world.uow.committed.consents[consent.id].given_by_person_id == journey.parent_id
        assert [(e.action, e.outcome, e.resource_id) for e in kept] == [
            ("write_family", "allowed", str(consent.id))
        ]

    def test_consent_given_by_someone_outside_the_household_is_refused(self, world: World) -> None:
        journey = given_journey(world)
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            record(journey, make_consent(journey, given_by_person_id=uuid.uuid4()))
        assert refused.value.field == "given_by_person_id"
        assert world.uow.committed.consents == {}
        assert outcomes(kept) == [("write_family", "refused", "consent_giver_not_member")]

    def test_sharing_with_an_agency_the_council_does_not_know_is_refused(
        self, world: World
    ) -> None:
        journey = given_journey(world)
        sharing = make_consent(
            journey,
            purpose=ConsentPurpose.INFORMATION_SHARING,
            sharing_scope=SharingScope.NAMED_AGENCIES,
            agency_codes=frozenset({"SCHOOL", "CIRCUS"}),
        )
        with one_use_case(world), pytest.raises(InvalidValue) as refused:
            record(journey, sharing)
        assert (refused.value.detail, refused.value.field) == (
            "Unknown agencies: CIRCUS.",
            "agency_codes",
        )

    def test_a_family_one_may_not_know_answers_as_an_unknown_one(self, world: World) -> None:
        journey = given_journey(world)
        answers = []
        for family_id in (journey.family_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                record(journey, make_consent(journey, family_id=family_id), who="stranger")
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no family with this id.",
                [("write_family", "denied", None)],
            )
        )
        assert world.uow.committed.consents == {}


class TestWithdrawingConsent:
    def test_withdrawing_consent_to_take_part_stops_the_clocks_in_the_same_commit(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        (taking_part,) = world.uow.committed.consents.values()
        world.later(3)
        with one_use_case(world) as kept:
            withdraw(journey, taking_part)
        assert journey.episode.consent_withdrawn_on == world.today
        clock = journey.episode.assessment_deadline
        assert clock is not None
        assert clock.stopped_on == world.today
        assert world.uow.committed.consents[taking_part.id].withdrawal is not None
        assert outcomes(kept) == [("write_family", "allowed", None)]

    def test_withdrawing_consent_to_share_ends_the_agencys_access_at_once(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ACTIVE)
        journey.join("school")
        sharing = next(
            c
            for c in world.uow.committed.consents.values()
            if c.purpose is ConsentPurpose.INFORMATION_SHARING
        )
        school = journey.as_("school")
        episodes.get_episode(world.uow, world.clock, school, journey.episode_id, None)
        withdraw(journey, sharing)
        answers = []
        for episode_id in (journey.episode_id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
                episodes.get_episode(world.uow, world.clock, school, episode_id, None)
            answers.append((hidden.value.detail, outcomes(kept)))
        assert (
            answers[0]
            == answers[1]
            == (
                "There is no episode with this id.",
                [("read_episode", "denied", None)],
            )
        )

    def test_a_withdrawal_based_on_an_old_version_is_refused_and_kept_as_refused(
        self, world: World
    ) -> None:
        journey = given_journey(world).up_to(EpisodeStage.ASSESSING)
        (taking_part,) = world.uow.committed.consents.values()
        with one_use_case(world) as kept, pytest.raises(StaleVersion):
            withdraw(journey, taking_part, expected_version=taking_part.version + 1)
        assert world.uow.committed.consents[taking_part.id].withdrawal is None
        assert journey.episode.consent_withdrawn_on is None
        assert outcomes(kept) == [("write_family", "refused", "stale_version")]

    def test_a_withdrawal_is_not_dated_ahead(self, world: World) -> None:
        journey = given_journey(world)
        consent = journey.consent()
        ahead = Withdrawal(world.today + timedelta(days=1), "Moving away")
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            withdraw(journey, consent, withdrawal=ahead)
        assert refused.value.field == "withdrawn_on"
        assert outcomes(kept) == [("write_family", "refused", "step_date_in_future")]


class TestReadingConsent:
    def test_another_familys_consent_answers_as_an_unknown_one(self, world: World) -> None:
        ours, theirs = given_journey(world), given_journey(world)
        their_consent = theirs.consent()
        answers = []
        for consent_id in (their_consent.id, uuid.uuid4()):
            with one_use_case(world) as kept, pytest.raises(NotFound) as unknown:
                consents.get_consent(
                    world.uow, world.clock, ours.as_("lead"), ours.family_id, consent_id
                )
            answers.append((unknown.value.detail, [(e.outcome, e.problem_code) for e in kept]))
        assert (
            answers[0]
            == answers[1]
            == (
                "This family has no consent with this id.",
                [("refused", "not_found")],
            )
        )

    def test_the_history_keeps_withdrawn_consent_and_answers_what_is_in_force(
        self, world: World
    ) -> None:
        journey = given_journey(world)
        first = journey.consent()
        withdraw(journey, first)
        world.later(7)
        again = journey.consent()
        history = consents.list_consents(
            world.uow, world.clock, journey.as_("lead"), journey.family_id, PageRequest()
        )
        assert [c.id for c in history.items] == [first.id, again.id]
        with one_use_case(world) as kept:
            answer = consents.is_consent_in_force(
                world.uow,
                world.clock,
                journey.as_("lead"),
                journey.family_id,
                purpose=ConsentPurpose.EARLY_HELP,
                on=None,
                agency_code=None,
            )
        assert answer.in_force
        assert answer.consent is not None
        assert answer.consent.id == again.id
        assert outcomes(kept) == [("read_family", "allowed", None)]
