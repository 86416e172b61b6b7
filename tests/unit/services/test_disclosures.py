"""The disclosure log's use cases on the in-memory unit of work: an entry and its audit entry
commit together, a refusal keeps only its audit entry, and a stranger learns nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from app.domain.disclosures import Disclosure, DisclosureDecision, LawfulBasis, RecipientType
from app.domain.errors import ConsentRequired, InvalidValue, NotFound
from app.domain.paging import PageRequest
from app.services import disclosures
from app.services.ports import DisclosureFilter
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


def make_disclosure(journey: Journey, **overrides: object) -> Disclosure:
    lead = journey.world.people["lead"].id
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "family_id": journey.family_id,
        "decision": DisclosureDecision.SHARED,
        "decided_on": journey.world.today,
        "recipient_name": "Blackpool CID",
        "recipient_type": RecipientType.POLICE,
        "information": "The assessment",
        "purpose": "A s.47 enquiry",
        "person_ids": (journey.child_id,),
        "lawful_basis": LawfulBasis.CA1989_S47,
        "decided_by_practitioner_id": lead,
        "recorded_by_practitioner_id": lead,
    }
    fields.update(overrides)
    return Disclosure(**fields)  # type: ignore[arg-type]


def record(journey: Journey, disclosure: Disclosure, who: str = "lead") -> object:
    world = journey.world
    return disclosures.record_disclosure(world.uow, world.clock, journey.as_(who), disclosure)


def test_the_entry_and_its_audit_entry_commit_together_stamped_by_the_service(
    world: World,
) -> None:
    journey = given_journey(world)
    entry = make_disclosure(journey)
    with one_use_case(world) as kept:
        stored = record(journey, entry)
    assert isinstance(stored, Disclosure)
    assert world.uow.committed.disclosures[entry.id].recorded_at == world.clock.now()
    assert [(e.action, e.outcome, e.resource_id) for e in kept] == [
        ("write_family", "allowed", str(entry.id))
    ]


def test_a_refused_entry_leaves_the_log_as_it_was_and_its_refusal_in_the_audit_trail(
    world: World,
) -> None:
    journey = given_journey(world)
    with one_use_case(world) as kept, pytest.raises(ConsentRequired):
        record(journey, make_disclosure(journey, lawful_basis=LawfulBasis.CONSENT))
    assert world.uow.committed.disclosures == {}
    assert outcomes(kept) == [("write_family", "refused", "disclosure_consent_not_in_force")]


def test_a_decider_the_directory_does_not_know_is_refused(world: World) -> None:
    journey = given_journey(world)
    with one_use_case(world), pytest.raises(InvalidValue) as refused:
        record(journey, make_disclosure(journey, decided_by_practitioner_id=uuid.uuid4()))
    assert refused.value.field == "decided_by_practitioner_id"


def test_a_stranger_is_answered_as_for_an_unknown_family(world: World) -> None:
    journey = given_journey(world)
    answers = []
    for family_id in (journey.family_id, uuid.uuid4()):
        entry = replace(make_disclosure(journey), family_id=family_id)
        with one_use_case(world) as kept, pytest.raises(NotFound) as hidden:
            record(journey, entry, who="stranger")
        answers.append((hidden.value.detail, outcomes(kept)))
    assert (
        answers[0]
        == answers[1]
        == ("There is no family with this id.", [("write_family", "denied", None)])
    )
    assert world.uow.committed.disclosures == {}


def test_the_log_lists_only_this_familys_entries(world: World) -> None:
    journey, other = given_journey(world), given_journey(world)
    mine = make_disclosure(journey)
    record(journey, mine)
    record(other, make_disclosure(other))
    page = disclosures.list_disclosures(
        world.uow,
        world.clock,
        journey.as_("lead"),
        journey.family_id,
        DisclosureFilter(),
        PageRequest(),
    )
    assert [d.id for d in page.items] == [mine.id]
