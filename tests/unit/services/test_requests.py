"""The front door's use cases on the in-memory unit of work: a request received and screened, each
outcome committing with its decision (or nothing at all on a refusal), audited like every access."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.domain.access import RequestScope, Role
from app.domain.episodes import EpisodeStage, RequestSource
from app.domain.errors import Conflict, Forbidden, IllegalTransition, InvalidValue, NotFound
from app.domain.paging import PageRequest
from app.domain.requests import (
    NewChild,
    NewHousehold,
    Referrer,
    ReferrerKind,
    RequestCorrection,
    RequestStatus,
    ScreeningOutcome,
    Urgency,
)
from app.services import requests
from app.services.ports import RequestFilter
from tests.unit.services.builders import (
    LEVELS,
    Journey,
    World,
    given_journey,
    given_world,
    make_practitioner,
    one_use_case,
    outcomes,
)


@pytest.fixture
def world() -> World:
    world = given_world()
    officer = make_practitioner(Role.FRONT_DOOR_OFFICER, name="Fern Front", hub_ids=frozenset())
    world.uow.seed().practitioners[officer.id] = officer
    world.people["front_door"] = officer
    return world


def new_request(**overrides: Any) -> requests.NewRequest:
    fields: dict[str, Any] = {
        "referrer": Referrer(ReferrerKind.AGENCY, agency_code="SCHOOL", name="Sam School"),
        "asked_for": "Help with routines",
        "reason": "Attendance 80%",
        "family_agreed": True,
        "urgency": Urgency.ROUTINE,
        "household": NewHousehold("3 Elm Street", "FY1 1AA", (NewChild("Mia", "Price"),)),
    }
    fields.update(overrides)
    return requests.NewRequest(**fields)


def about(journey: Journey) -> requests.NewRequest:
    return new_request(
        household=None, family_id=journey.family_id, child_person_ids=(journey.child_id,)
    )


def receive(
    world: World, new: requests.NewRequest, who: str = "front_door"
) -> requests.RequestView:
    made = requests.create_request(world.uow, world.clock, world.actor(who), new)
    assert isinstance(made, requests.RequestView)
    return made


def screen(
    world: World, view: requests.RequestView, who: str = "front_door", **fields: Any
) -> requests.RequestView:
    return requests.screen_request(
        world.uow,
        world.clock,
        world.actor(who),
        view.request.id,
        requests.Screening(**{"reason": "Screened", **fields}),
        expected_version=view.request.version,
        levels=LEVELS,
    )


class TestReceiving:
    def test_the_request_and_its_audit_entry_commit_together(self, world: World) -> None:
        with one_use_case(world) as kept:
            made = receive(world, new_request(), who="school")
        assert made.request.id in world.uow.committed.requests
        assert [(e.action, e.outcome, e.resource_id) for e in kept] == [
            ("create_request", "allowed", str(made.request.id))
        ]

    def test_an_unknown_agency_is_refused_and_nothing_is_kept(self, world: World) -> None:
        referrer = Referrer(ReferrerKind.AGENCY, agency_code="NOWHERE")
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            receive(world, new_request(referrer=referrer))
        assert refused.value.field == "referrer.agency_code"
        assert world.uow.committed.requests == {}
        assert outcomes(kept) == [("create_request", "refused", "agency_unknown")]

    def test_a_child_not_of_the_household_is_refused(self, world: World) -> None:
        journey = given_journey(world)
        with pytest.raises(InvalidValue) as refused:
            receive(
                world,
                new_request(
                    household=None,
                    family_id=journey.family_id,
                    child_person_ids=(journey.parent_id,),
                ),
            )
        assert refused.value.code == "request_child_not_child_member"

    def test_a_second_request_for_a_household_is_a_repeat_referral(self, world: World) -> None:
        journey = given_journey(world)
        first = receive(world, about(journey))
        world.later(1)
        second = receive(world, about(journey))
        assert first.request.prior.earlier_request is False
        assert second.request.prior.earlier_request is True
        assert second.request.prior.earlier_episode is False


class TestScreening:
    def test_early_help_opens_the_episode_in_the_same_commit(self, world: World) -> None:
        journey = given_journey(world)
        made = receive(world, about(journey))
        with one_use_case(world) as kept:
            decided = screen(
                world,
                made,
                outcome=ScreeningOutcome.EARLY_HELP,
                lead_practitioner_id=world.people["lead"].id,
                level_of_need="2",
            )
        assert decided.request.decision is not None
        episode = world.uow.committed.episodes[decided.request.decision.episode_id]  # type: ignore[index]
        assert episode.source is RequestSource.FRONT_DOOR
        assert episode.stage is EpisodeStage.REQUESTED
        assert episode.requested_on == made.request.received_on
        assert [(e.action, e.resource_id) for e in kept] == [
            ("screen_request", str(made.request.id)),
            ("open_episode", str(episode.id)),
        ]
        # The episode this request opened is not an earlier offer of early help.
        assert decided.request.prior.earlier_episode is False

    def test_early_help_for_a_family_with_an_open_episode_is_refused_and_keeps_nothing(
        self, world: World
    ) -> None:
        journey = given_journey(world).open()
        made = receive(world, about(journey))
        with pytest.raises(Conflict) as refused:
            screen(
                world,
                made,
                outcome=ScreeningOutcome.EARLY_HELP,
                lead_practitioner_id=world.people["lead"].id,
                level_of_need="2",
            )
        assert refused.value.code == "episode_already_open"
        assert world.uow.committed.requests[made.request.id].decision is None
        assert len(world.uow.committed.episodes) == 1

    def test_already_open_attaches_the_request_to_the_open_episode(self, world: World) -> None:
        journey = given_journey(world).open()
        made = receive(world, about(journey))
        decided = screen(world, made, outcome=ScreeningOutcome.ALREADY_OPEN)
        assert decided.request.decision is not None
        assert decided.request.decision.episode_id == journey.episode_id
        assert decided.request.prior.earlier_episode is True
        attached = world.uow.requests.attached_unacknowledged(world.people["lead"].id)
        assert [r.id for r in attached] == [made.request.id]

    def test_a_new_household_is_linked_to_its_record_when_screened(self, world: World) -> None:
        made = receive(world, new_request())
        journey = given_journey(world)
        decided = screen(
            world,
            made,
            outcome=ScreeningOutcome.SIGNPOST,
            family_id=journey.family_id,
            child_person_ids=(journey.child_id,),
        )
        assert decided.request.family_id == journey.family_id
        assert decided.request.household is not None  # what the referrer said is kept

    def test_a_practitioner_who_made_the_request_may_not_screen_it(self, world: World) -> None:
        made = receive(world, new_request(), who="school")
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            screen(world, made, who="school", outcome=ScreeningOutcome.SIGNPOST)
        assert outcomes(kept) == [("screen_request", "denied", None)]

    def test_a_stranger_is_told_the_request_does_not_exist(self, world: World) -> None:
        made = receive(world, new_request(), who="school")
        with pytest.raises(NotFound):
            requests.get_request(world.uow, world.clock, world.actor("stranger"), made.request.id)
        with pytest.raises(NotFound):
            requests.get_request(world.uow, world.clock, world.actor("stranger"), uuid.uuid4())


def edit(
    world: World, view: requests.RequestView, who: str = "front_door", **fields: Any
) -> requests.RequestView:
    return requests.edit_request(
        world.uow,
        world.clock,
        world.actor(who),
        view.request.id,
        RequestCorrection(**fields),
        expected_version=view.request.version,
    )


class TestCorrecting:
    def test_the_correction_and_its_audit_entry_commit_together(self, world: World) -> None:
        made = receive(world, new_request(), who="school")
        with one_use_case(world) as kept:
            corrected = edit(world, made, who="school", reason="Attendance 70% and falling")
        assert world.uow.committed.requests[made.request.id].reason == "Attendance 70% and falling"
        assert corrected.request.version == made.request.version + 1
        assert outcomes(kept) == [("edit_request", "allowed", None)]

    def test_an_unknown_agency_is_refused_and_nothing_is_kept(self, world: World) -> None:
        made = receive(world, new_request())
        with one_use_case(world) as kept, pytest.raises(InvalidValue) as refused:
            edit(
                world,
                made,
                asked_for="Something else",
                referrer=Referrer(ReferrerKind.AGENCY, agency_code="NOWHERE"),
            )
        assert refused.value.field == "referrer.agency_code"
        assert world.uow.committed.requests[made.request.id].asked_for == "Help with routines"
        assert outcomes(kept) == [("edit_request", "refused", "agency_unknown")]

    def test_a_screened_request_is_not_corrected(self, world: World) -> None:
        made = receive(world, new_request())
        screened = screen(world, made, outcome=ScreeningOutcome.SIGNPOST)
        with one_use_case(world) as kept, pytest.raises(IllegalTransition):
            edit(world, screened, reason="Too late")
        assert outcomes(kept) == [("edit_request", "refused", "request_screened_not_editable")]

    def test_a_stranger_is_told_the_request_does_not_exist(self, world: World) -> None:
        made = receive(world, new_request(), who="school")
        with pytest.raises(NotFound):
            edit(world, made, who="stranger", reason="Not mine")


class TestListing:
    def test_each_user_lists_only_what_they_may_read(self, world: World) -> None:
        mine = receive(world, new_request(), who="school")
        receive(world, new_request())

        def listed(who: str) -> list[uuid.UUID]:
            page = requests.list_requests(
                world.uow,
                world.clock,
                world.actor(who),
                RequestFilter(scope=RequestScope(), status=RequestStatus.AWAITING_DECISION),
                PageRequest(limit=10),
            )
            return [v.request.id for v in page.items]

        assert listed("school") == [mine.request.id]
        assert len(listed("front_door")) == 2
        assert listed("stranger") == []

    def test_the_overdue_view_waits_for_the_day_after_the_due_day(self, world: World) -> None:
        made = receive(world, new_request())  # Monday 3 March 2025: due Tuesday

        def overdue() -> list[uuid.UUID]:
            page = requests.list_requests(
                world.uow,
                world.clock,
                world.actor("front_door"),
                RequestFilter(scope=RequestScope(), status=RequestStatus.AWAITING_DECISION),
                PageRequest(limit=10),
                overdue=True,
            )
            return [v.request.id for v in page.items]

        world.later(1)
        assert overdue() == []
        world.later(1)
        assert overdue() == [made.request.id]
