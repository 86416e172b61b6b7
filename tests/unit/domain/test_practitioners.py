"""The practitioner directory's rules: nobody changes their own access, every change to someone's
access is named role by role, and an entry names an agency and hubs in use and an email of its own."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.domain.access import Role
from app.domain.errors import Conflict, Forbidden, InvalidValue, SelfRoleChange
from app.domain.practitioners import (
    access_changes,
    check_references,
    refuse_own_access_change,
    refuse_taken_email,
)
from app.domain.security_events import ACCESS_CHANGE_ACTIONS, AccessChange, SecurityEventKind
from tests.unit.domain.builders import make_practitioner, new_id

GRANT = SecurityEventKind.GRANT_ROLE
REVOKE = SecurityEventKind.REVOKE_ROLE

OWN_ACCESS_CHANGES: dict[str, tuple[dict[str, Any], str]] = {
    "an admin makes themselves a manager": (
        {"roles": frozenset({Role.ADMIN, Role.MANAGER})},
        "roles",
    ),
    "an admin swaps admin for manager": ({"roles": frozenset({Role.MANAGER})}, "roles"),
    "an admin gives up admin": ({"roles": frozenset({Role.AUDITOR})}, "roles"),
    "an admin deactivates themselves": ({"active": False}, "active"),
}


@pytest.mark.parametrize("case", list(OWN_ACCESS_CHANGES))
def test_nobody_changes_their_own_roles_or_active_flag(case: str) -> None:
    changes, field = OWN_ACCESS_CHANGES[case]
    me = make_practitioner()
    with pytest.raises(SelfRoleChange) as refused:
        refuse_own_access_change(me.id, me, replace(me, **changes))
    assert refused.value.field == field
    assert "another admin" in refused.value.detail
    assert isinstance(refused.value, Forbidden)  # a 403, like every refusal of this kind


def test_nobody_reactivates_themselves_either() -> None:
    me = make_practitioner(active=False)
    with pytest.raises(SelfRoleChange) as refused:
        refuse_own_access_change(me.id, me, replace(me, active=True))
    assert refused.value.field == "active"


def test_a_change_of_roles_and_active_flag_together_names_the_roles() -> None:
    me = make_practitioner()
    with pytest.raises(SelfRoleChange) as refused:
        refuse_own_access_change(
            me.id, me, replace(me, roles=frozenset({Role.MANAGER}), active=False)
        )
    assert refused.value.field == "roles"


def test_one_changes_ones_own_name_email_agency_and_hubs() -> None:
    me = make_practitioner()
    renamed = replace(
        me,
        name="Ada Admin-Smith",
        email="ada.smith@council.example",
        agency_code="HOUSING",
        hub_ids=frozenset({new_id()}),
        roles=frozenset(me.roles),  # the same roles, sent again
        active=True,
    )
    refuse_own_access_change(me.id, me, renamed)


@pytest.mark.parametrize(
    "changes",
    [{"roles": frozenset({Role.ADMIN, Role.MANAGER})}, {"active": False}],
    ids=["grants manager", "deactivates"],
)
def test_an_admin_changes_someone_elses_roles_and_active_flag(changes: dict[str, Any]) -> None:
    colleague = make_practitioner()
    refuse_own_access_change(new_id(), colleague, replace(colleague, **changes))


def test_each_role_granted_and_revoked_is_a_change_of_its_own() -> None:
    lead = make_practitioner(roles=frozenset({Role.PRACTITIONER, Role.LINK_WORKER}))
    promoted = replace(lead, roles=frozenset({Role.LINK_WORKER, Role.MANAGER, Role.ADMIN}))
    assert access_changes(lead, promoted) == [
        AccessChange(GRANT, lead.id, Role.ADMIN),
        AccessChange(GRANT, lead.id, Role.MANAGER),
        AccessChange(REVOKE, lead.id, Role.PRACTITIONER),
    ]


def test_switching_someone_off_and_on_are_changes() -> None:
    colleague = make_practitioner()
    switched_off = replace(colleague, active=False)
    assert access_changes(colleague, switched_off) == [
        AccessChange(SecurityEventKind.DEACTIVATE, colleague.id)
    ]
    assert access_changes(switched_off, colleague) == [
        AccessChange(SecurityEventKind.REACTIVATE, colleague.id)
    ]


def test_registering_someone_grants_each_of_their_roles() -> None:
    newcomer = make_practitioner(roles=frozenset({Role.MANAGER, Role.PRACTITIONER}))
    assert access_changes(None, newcomer) == [
        AccessChange(GRANT, newcomer.id, Role.MANAGER),
        AccessChange(GRANT, newcomer.id, Role.PRACTITIONER),
    ]


def test_changing_a_name_changes_nobodys_access() -> None:
    colleague = make_practitioner()
    assert access_changes(colleague, replace(colleague, name="Ada Smith")) == []


@pytest.mark.parametrize("role", list(Role))
def test_every_grant_and_revocation_is_recorded_under_an_action_the_report_reads(
    role: Role,
) -> None:
    someone = new_id()
    assert AccessChange(GRANT, someone, role).audit_action == f"grant_role:{role.value}"
    assert AccessChange(REVOKE, someone, role).audit_action == f"revoke_role:{role.value}"
    assert {f"grant_role:{role.value}", f"revoke_role:{role.value}"} <= ACCESS_CHANGE_ACTIONS


def test_a_change_names_a_role_exactly_when_it_is_a_grant_or_a_revocation() -> None:
    with pytest.raises(ValueError):
        AccessChange(GRANT, new_id())
    with pytest.raises(ValueError):
        AccessChange(SecurityEventKind.DEACTIVATE, new_id(), Role.ADMIN)
    with pytest.raises(ValueError):
        AccessChange(SecurityEventKind.BREAK_GLASS_READ, new_id())


# --- references and email ------------------------------------------------------------------------


def test_a_practitioner_of_an_agency_and_hubs_in_use_passes() -> None:
    north, south = new_id(), new_id()
    worker = make_practitioner(agency_code="SCHOOL", hub_ids=frozenset({north, south}))
    check_references(worker, active_agency_codes={"SCHOOL"}, active_hub_ids={north, south})


def test_an_agency_not_in_use_is_refused_first() -> None:
    worker = make_practitioner(agency_code="CLOSED", hub_ids=frozenset({new_id()}))
    with pytest.raises(InvalidValue) as refused:
        check_references(worker, active_agency_codes={"SCHOOL"}, active_hub_ids=set())
    assert (refused.value.field, refused.value.detail) == (
        "agency_code",
        "There is no active agency with this code.",
    )


def test_one_hub_not_in_use_is_refused() -> None:
    north = new_id()
    worker = make_practitioner(agency_code="SCHOOL", hub_ids=frozenset({north, new_id()}))
    with pytest.raises(InvalidValue) as refused:
        check_references(worker, active_agency_codes={"SCHOOL"}, active_hub_ids={north})
    assert (refused.value.field, refused.value.detail) == (
        "hub_ids",
        "There is no active family hub with this id.",
    )


def test_an_email_someone_else_holds_is_a_conflict_ones_own_is_not() -> None:
    ada = make_practitioner()
    namesake = make_practitioner(email=ada.email)
    refuse_taken_email(ada, None)
    refuse_taken_email(ada, ada)
    with pytest.raises(Conflict) as refused:
        refuse_taken_email(namesake, ada)
    assert refused.value.field == "email"
    assert refused.value.detail == "A practitioner with this email is already registered."
