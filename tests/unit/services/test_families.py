"""Household use cases on the in-memory unit of work: access, audit and one commit, no database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from app.clock import FixedClock
from app.domain.access import Action, Role
from app.domain.errors import Forbidden, InvalidValue, NotFound, StaleVersion
from app.domain.families import Address, ContactDetails, MemberRole, Person
from app.domain.practitioners import Practitioner
from app.services import families
from app.services.ports import Hub, StoredResponse
from app.services.use_case import AccessNotDecided, Actor, IdempotentRequest, Replayed
from tests.unit.services.fakes import FakeUnitOfWork

NOW = datetime(2025, 3, 3, 10, tzinfo=UTC)
NORTH = uuid.UUID(int=1)


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


def make_person(**overrides: object) -> Person:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "given_name": "Ava",
        "family_name": "Hughes",
        "date_of_birth": date(2017, 6, 1),
    }
    fields.update(overrides)
    return Person(**fields)  # type: ignore[arg-type]


def make_draft(*members: families.NewMember) -> families.FamilyDraft:
    return families.FamilyDraft(
        address=Address.create(line1="12 Cedar Road", postcode="FY1 3HT"),
        hub_id=NORTH,
        members=members
        or (
            families.NewMember(
                MemberRole.PARENT_CARER,
                person=make_person(given_name="Sarah", date_of_birth=date(1990, 2, 14)),
            ),
            families.NewMember(MemberRole.CHILD, person=make_person()),
        ),
    )


@dataclass
class World:
    uow: FakeUnitOfWork
    clock: FixedClock
    registrar: Actor
    stranger: Actor


@pytest.fixture
def world() -> World:
    uow = FakeUnitOfWork()
    uow.seed().hubs[NORTH] = Hub(NORTH, "NORTH", "North Family Hub", "North", True)
    registrar, stranger = make_practitioner(), make_practitioner(agency_code="POLICE")
    for p in (registrar, stranger):
        uow.seed().practitioners[p.id] = p
    return World(
        uow,
        FixedClock(NOW),
        Actor(registrar.as_principal(), declared_action=None),
        Actor(stranger.as_principal()),
    )


def register(world: World, draft: families.FamilyDraft | None = None) -> families.FamilyRecord:
    record = families.create_family(world.uow, world.clock, world.registrar, draft or make_draft())
    assert isinstance(record, families.FamilyRecord)
    return record


class TestRegisteringAHousehold:
    def test_the_household_its_people_and_its_audit_entry_commit_together_once(
        self, world: World
    ) -> None:
        record = register(world)
        assert world.uow.commits == 1
        assert record.family.id in world.uow.committed.families
        assert len(world.uow.committed.people) == 2
        assert [(e.action, e.outcome, e.family_id) for e in world.uow.committed.audit] == [
            ("create_family", "allowed", record.family.id)
        ]

    def test_a_refused_registration_keeps_nothing_but_its_audit_entry(self, world: World) -> None:
        bad = make_draft(
            families.NewMember(MemberRole.CHILD, person=make_person(date_of_birth=date(2030, 1, 1)))
        )
        with pytest.raises(InvalidValue) as refused:
            families.create_family(world.uow, world.clock, world.registrar, bad)
        assert refused.value.field == "members[0].person.date_of_birth"
        assert world.uow.committed.families == {}
        assert [(e.action, e.outcome, e.problem_code) for e in world.uow.committed.audit] == [
            ("create_family", "refused", "birth_date_in_future")
        ]

    def test_the_same_idempotency_key_replays_the_first_answer(self, world: World) -> None:
        request: IdempotentRequest[families.FamilyRecord] = IdempotentRequest(
            scope="me POST /families",
            key="k1",
            fingerprint="f",
            render=lambda r: StoredResponse("", 201, {"id": str(r.family.id)}, {}),
        )
        first = families.create_family(
            world.uow, world.clock, world.registrar, make_draft(), idempotency=request
        )
        again = families.create_family(
            world.uow, world.clock, world.registrar, make_draft(), idempotency=request
        )
        assert isinstance(first, families.FamilyRecord)
        assert isinstance(again, Replayed)
        assert again.response.body == {"id": str(first.family.id)}
        assert len(world.uow.committed.families) == 1


class TestAPersonReachedById:
    def test_an_unknown_and_a_hidden_person_are_answered_alike_and_both_audited(
        self, world: World
    ) -> None:
        record = register(world)
        someone, nobody = next(iter(record.people)), uuid.uuid4()
        answers = []
        for person_id in (someone, nobody):
            with pytest.raises(NotFound) as hidden:
                families.get_person(world.uow, world.clock, world.stranger, person_id)
            answers.append((type(hidden.value), hidden.value.detail, hidden.value.field))
        assert answers[0] == answers[1]
        denied = [e for e in world.uow.committed.audit if e.outcome == "denied"]
        assert [e.resource_id for e in denied] == [
            str(someone),
            str(answers and denied[1].resource_id),
        ]
        assert denied[0].family_id == record.family.id

    def test_adding_someone_one_may_not_change_answers_as_an_unknown_id(self, world: World) -> None:
        victim = next(iter(register(world).people))
        hers = make_draft(families.NewMember(MemberRole.PARENT_CARER, person_id=victim))
        nobody = make_draft(families.NewMember(MemberRole.PARENT_CARER, person_id=uuid.uuid4()))
        refusals = []
        for draft in (hers, nobody):
            with pytest.raises(InvalidValue) as refused:
                families.create_family(world.uow, world.clock, world.stranger, draft)
            refusals.append((refused.value.detail, refused.value.field))
        assert (
            refusals[0]
            == refusals[1]
            == ("There is no person with this id.", "members[0].person_id")
        )

    def test_the_restriction_is_the_persons_wherever_they_are_seen(self, world: World) -> None:
        hidden_contact = ContactDetails(phone="07700 900123")
        draft = make_draft(
            families.NewMember(
                MemberRole.PARENT_CARER,
                person=make_person(
                    given_name="Natalie",
                    date_of_birth=date(1993, 1, 1),
                    contact=hidden_contact,
                    contact_restricted=True,
                    restriction_reason="Fleeing domestic abuse",
                ),
            )
        )
        record = register(world, draft)
        natalie = next(iter(record.people.values()))
        assert natalie.restriction_family_id == record.family.id
        view = families.get_person(world.uow, world.clock, world.registrar, natalie.id)
        # The registrar of a household with no episode reads it but does not lead it.
        assert view.may_see_restricted is False
        with pytest.raises(Forbidden) as refused:
            families.update_person(
                world.uow,
                world.clock,
                world.registrar,
                natalie.id,
                expected_version=natalie.version,
                changes={"contact_restricted": False},
            )
        assert refused.value.field == "contact_restricted"

    def test_disabilities_are_checked_against_the_census_list_in_force(self, world: World) -> None:
        draft = make_draft(
            families.NewMember(
                MemberRole.CHILD,
                person=make_person(date_of_birth=date(2016, 5, 1), disabilities=("LD", "HEAR")),
            )
        )
        record = register(world, draft)
        child = next(iter(record.people.values()))
        assert child.disabilities == ("LD", "HEAR")
        with pytest.raises(InvalidValue) as refused:
            families.update_person(
                world.uow,
                world.clock,
                world.registrar,
                child.id,
                expected_version=child.version,
                changes={"disabilities": ("LD", "SEN")},
            )
        assert (refused.value.code, refused.value.field) == (
            "disability_code_unknown",
            "disabilities",
        )
        assert world.uow.committed.people[child.id].disabilities == ("LD", "HEAR")


class TestChangingAHousehold:
    def test_a_stale_version_is_refused_and_recorded_as_refused(self, world: World) -> None:
        record = register(world)
        with pytest.raises(StaleVersion):
            families.update_family(
                world.uow,
                world.clock,
                world.registrar,
                record.family.id,
                expected_version=record.family.version + 1,
                hub_id=NORTH,
            )
        last = world.uow.committed.audit[-1]
        assert (last.action, last.outcome, last.problem_code) == (
            "write_family",
            "refused",
            "stale_version",
        )
        assert world.uow.committed.families[record.family.id].version == record.family.version


class TestTheDeclaredAction:
    def test_a_use_case_that_never_decides_the_routes_action_fails(self, world: World) -> None:
        record = register(world)
        misdeclared = Actor(world.registrar.principal, declared_action=Action.WRITE_EPISODE)
        with pytest.raises(AccessNotDecided):
            families.get_family(world.uow, world.clock, misdeclared, record.family.id)
