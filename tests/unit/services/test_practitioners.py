"""The practitioner directory's use cases on the in-memory unit of work: register, change, find;
every grant, revocation and switch-off is an audit entry committed with the change, and an
attempt on one's own access is kept as denied. No database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.domain.access import Role
from app.domain.errors import Conflict, Forbidden, NotFound, SelfRoleChange, StaleVersion
from app.domain.paging import PageRequest
from app.domain.practitioners import Practitioner
from app.services import practitioners
from app.services.ports import PractitionerFilter
from app.services.use_case import Actor
from tests.unit.services.builders import (
    NORTH,
    World,
    given_world,
    make_practitioner,
    one_use_case,
    outcomes,
)


@pytest.fixture
def world() -> World:
    return given_world()


def register(world: World, newcomer: Practitioner, who: str = "admin") -> object:
    return practitioners.register_practitioner(world.uow, world.clock, world.actor(who), newcomer)


def update(world: World, who: str, practitioner_id: uuid.UUID, **changes: Any) -> Practitioner:
    return practitioners.update_practitioner(
        world.uow,
        world.clock,
        world.actor(who),
        practitioner_id,
        changes,
        expected_version=world.uow.committed.practitioners[practitioner_id].version,
    )


class TestRegistering:
    def test_the_newcomer_and_each_role_granted_are_committed_together(self, world: World) -> None:
        newcomer = make_practitioner(
            Role.PRACTITIONER, Role.LINK_WORKER, email="Hana@Council.Example"
        )
        with one_use_case(world) as kept:
            registered = register(world, newcomer)
        assert isinstance(registered, Practitioner)
        assert world.uow.committed.practitioners[newcomer.id].email == "hana@council.example"
        assert [(e.action, e.outcome, e.resource_id) for e in kept] == [
            ("manage_practitioners", "allowed", str(newcomer.id)),
            ("grant_role:link_worker", "allowed", str(newcomer.id)),
            ("grant_role:practitioner", "allowed", str(newcomer.id)),
        ]

    def test_an_email_already_in_the_directory_is_refused(self, world: World) -> None:
        taken = world.people["lead"].email.upper()
        with one_use_case(world) as kept, pytest.raises(Conflict) as refused:
            register(world, make_practitioner(email=taken))
        assert refused.value.field == "email"
        assert len(world.uow.committed.practitioners) == len(world.people)
        assert outcomes(kept) == [("manage_practitioners", "refused", "practitioner_email_taken")]

    def test_only_an_admin_registers_anyone(self, world: World) -> None:
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            register(world, make_practitioner(Role.MANAGER), who="manager")
        assert len(world.uow.committed.practitioners) == len(world.people)
        assert outcomes(kept) == [("manage_practitioners", "denied", None)]

    def test_the_operator_bootstraps_the_directory_outside_the_rules_and_the_audit_trail(
        self, world: World
    ) -> None:
        first_admin = make_practitioner(Role.ADMIN, hub_ids=frozenset())
        commits = world.uow.commits
        practitioners.seed_practitioner(world.uow, world.clock, first_admin)
        assert world.uow.commits == commits + 1
        assert first_admin.id in world.uow.committed.practitioners
        assert world.uow.committed.audit == []


class TestChangingAccess:
    def test_nobody_changes_their_own_roles_and_the_attempt_is_kept(self, world: World) -> None:
        admin = world.people["admin"]
        with one_use_case(world) as kept, pytest.raises(SelfRoleChange) as refused:
            update(world, "admin", admin.id, roles=frozenset({Role.ADMIN, Role.MANAGER}))
        assert refused.value.field == "roles"
        assert world.uow.committed.practitioners[admin.id].roles == {Role.ADMIN}
        assert outcomes(kept) == [
            ("manage_practitioners", "refused", "own_roles_change"),
            ("grant_role:manager", "denied", None),
        ]

    def test_switching_a_colleague_off_is_a_security_event_of_its_own(self, world: World) -> None:
        school = world.people["school"]
        with one_use_case(world) as kept:
            update(world, "admin", school.id, active=False, roles=frozenset({Role.MANAGER}))
        assert world.uow.committed.practitioners[school.id].active is False
        assert [(e.action, e.resource_id) for e in kept] == [
            ("manage_practitioners", str(school.id)),
            ("grant_role:manager", str(school.id)),
            ("revoke_role:practitioner", str(school.id)),
            ("deactivate_practitioner", str(school.id)),
        ]

    def test_a_change_based_on_an_old_version_is_refused_and_grants_nothing(
        self, world: World
    ) -> None:
        school = world.people["school"]
        with one_use_case(world) as kept, pytest.raises(StaleVersion):
            practitioners.update_practitioner(
                world.uow,
                world.clock,
                world.actor("admin"),
                school.id,
                {"roles": frozenset({Role.MANAGER})},
                expected_version=school.version + 1,
            )
        assert world.uow.committed.practitioners[school.id].roles == {Role.PRACTITIONER}
        assert outcomes(kept) == [("manage_practitioners", "refused", "stale_version")]


class TestFinding:
    def test_an_unknown_practitioner_is_not_found_and_the_look_up_is_audited(
        self, world: World
    ) -> None:
        with one_use_case(world) as kept, pytest.raises(NotFound) as unknown:
            practitioners.get_practitioner(
                world.uow, world.clock, world.actor("lead"), uuid.uuid4()
            )
        assert unknown.value.detail == "There is no practitioner with this id."
        assert outcomes(kept) == [("read_directory", "refused", "not_found")]

    def test_a_search_leaves_out_who_was_switched_off(self, world: World) -> None:
        update(world, "admin", world.people["stranger"].id, active=False)
        with one_use_case(world) as kept:
            found = practitioners.search_practitioners(
                world.uow, world.clock, world.actor("lead"), PractitionerFilter(), PageRequest()
            )
        names = [p.name for p in found.items]
        assert "Pat Police" not in names
        assert "Lena Lead" in names
        assert outcomes(kept) == [("read_directory", "allowed", None)]

    def test_the_reporting_account_reads_no_directory(self, world: World) -> None:
        reporting = make_practitioner(Role.REPORTING, hub_ids=frozenset({NORTH}))
        world.uow.seed().practitioners[reporting.id] = reporting
        with one_use_case(world) as kept, pytest.raises(Forbidden):
            practitioners.search_practitioners(
                world.uow,
                world.clock,
                Actor(reporting.as_principal()),
                PractitionerFilter(),
                PageRequest(),
            )
        assert outcomes(kept) == [("read_directory", "denied", None)]
