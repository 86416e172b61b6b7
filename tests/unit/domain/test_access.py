"""Who may do what: the role × relationship × action matrix, break glass and restricted details."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.access import (
    MIN_BREAK_GLASS_REASON,
    Action,
    AllocatedPractitioner,
    Decision,
    EpisodeFacts,
    Principal,
    RecordFacts,
    Role,
    TafSeat,
    Visibility,
    decide,
    decide_named,
    may_read_sensitive,
    may_see_restricted_details,
    require_break_glass_reason,
    sharing_in_force,
)
from app.domain.consents import Consent, ConsentPurpose, RecordingMethod, SharingScope, Withdrawal
from app.domain.errors import Forbidden, InvalidValue
from app.domain.family_help import AllocationRole
from app.domain.sync import carried_offline

TODAY = date(2025, 3, 3)
ME = uuid.UUID(int=1)
OTHER_PRACTITIONER = uuid.UUID(int=2)
FAMILY = uuid.UUID(int=10)
HUB = uuid.UUID(int=20)
OTHER_HUB = uuid.UUID(int=21)
EPISODE = uuid.UUID(int=30)
SIBLING_EPISODE = uuid.UUID(int=31)
ITEM_MINE = uuid.UUID(int=40)
ITEM_OTHERS = uuid.UUID(int=41)
MY_AGENCY = "SCHOOL"
REASON = "Urgent safeguarding call from the school about this family"

A, F, H = Visibility.ALLOWED, Visibility.FORBIDDEN, Visibility.HIDDEN


def principal(*roles: Role, **overrides: object) -> Principal:
    fields: dict[str, object] = {
        "practitioner_id": ME,
        "agency_code": MY_AGENCY,
        "roles": frozenset(roles),
        "hub_ids": frozenset(),
    }
    fields.update(overrides)
    return Principal(**fields)  # type: ignore[arg-type]


def episode(**overrides: object) -> EpisodeFacts:
    fields: dict[str, object] = {
        "episode_id": EPISODE,
        "hub_id": HUB,
        "lead_practitioner_id": OTHER_PRACTITIONER,
        "taf": (),
        "plan_awaiting_qa": False,
        "is_open": True,
        "assigned_action_ids_by_practitioner": {
            ME: frozenset({ITEM_MINE}),
            OTHER_PRACTITIONER: frozenset({ITEM_OTHERS}),
        },
    }
    fields.update(overrides)
    return EpisodeFacts(**fields)  # type: ignore[arg-type]


def record(*episodes: EpisodeFacts, **overrides: object) -> RecordFacts:
    fields: dict[str, object] = {
        "family_id": FAMILY,
        "family_hub_id": HUB,
        "episodes": episodes or (episode(),),
        "sharing_agencies_in_force": frozenset(),
        "sharing_with_all_taf_in_force": False,
        "created_by_practitioner_id": None,
    }
    fields.update(overrides)
    return RecordFacts(**fields)  # type: ignore[arg-type]


def seat(**overrides: object) -> TafSeat:
    fields: dict[str, object] = {
        "practitioner_id": ME,
        "agency_code": MY_AGENCY,
        "joined_on": TODAY - timedelta(days=30),
        "left_on": None,
    }
    fields.update(overrides)
    return TafSeat(**fields)  # type: ignore[arg-type]


def allocation(**overrides: object) -> AllocatedPractitioner:
    fields: dict[str, object] = {
        "practitioner_id": ME,
        "role": AllocationRole.CO_WORKER,
        "started_on": TODAY - timedelta(days=10),
        "ended_on": None,
    }
    fields.update(overrides)
    return AllocatedPractitioner(**fields)  # type: ignore[arg-type]


def on_s47(*allocated: AllocatedPractitioner, **overrides: object) -> EpisodeFacts:
    """An s.47 episode someone else leads, with these allocations."""
    return episode(allocated=allocated, statutory_basis=True, **overrides)


LCPP = AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER


# Each relationship: the principal and the record they act on (the target episode is EPISODE).
RELATIONSHIPS: dict[str, Callable[[], tuple[Principal, RecordFacts]]] = {
    "lead_of_open_episode": lambda: (
        principal(Role.PRACTITIONER),
        record(episode(lead_practitioner_id=ME)),
    ),
    "lead_of_closed_episode": lambda: (
        principal(Role.PRACTITIONER),
        record(episode(lead_practitioner_id=ME, is_open=False)),
    ),
    "taf_member_with_agency_consent": lambda: (
        principal(Role.PRACTITIONER),
        record(episode(taf=(seat(),)), sharing_agencies_in_force=frozenset({MY_AGENCY})),
    ),
    "taf_member_with_all_taf_consent": lambda: (
        principal(Role.PRACTITIONER),
        record(episode(taf=(seat(),)), sharing_with_all_taf_in_force=True),
    ),
    "taf_member_consent_withdrawn": lambda: (
        principal(Role.PRACTITIONER),
        record(episode(taf=(seat(),)), sharing_agencies_in_force=frozenset({"POLICE"})),
    ),
    "taf_member_left": lambda: (
        principal(Role.PRACTITIONER),
        record(
            episode(taf=(seat(left_on=TODAY - timedelta(days=1)),)),
            sharing_with_all_taf_in_force=True,
        ),
    ),
    "lcpp_allocated": lambda: (
        principal(Role.PRACTITIONER),
        record(on_s47(allocation(role=LCPP))),
    ),
    "co_worker": lambda: (principal(Role.PRACTITIONER), record(on_s47(allocation()))),
    "co_worker_of_closed_episode": lambda: (
        principal(Role.PRACTITIONER),
        record(on_s47(allocation(), is_open=False)),
    ),
    "co_worker_ended_today": lambda: (
        principal(Role.PRACTITIONER),
        record(on_s47(allocation(ended_on=TODAY))),
    ),
    "co_worker_from_tomorrow": lambda: (
        principal(Role.PRACTITIONER),
        record(on_s47(allocation(started_on=TODAY + timedelta(days=1)))),
    ),
    "practice_supervisor_allocated": lambda: (
        principal(Role.PRACTITIONER),
        record(on_s47(allocation(role=AllocationRole.PRACTICE_SUPERVISOR))),
    ),
    "co_worker_not_practitioner": lambda: (
        principal(Role.FRONT_DOOR_OFFICER),
        record(on_s47(allocation())),
    ),
    "link_worker_in_hub": lambda: (
        principal(Role.LINK_WORKER, hub_ids=frozenset({HUB})),
        record(),
    ),
    "link_worker_other_hub": lambda: (
        principal(Role.LINK_WORKER, hub_ids=frozenset({OTHER_HUB})),
        record(),
    ),
    "qa_with_plan_awaiting": lambda: (
        principal(Role.QUALITY_ASSURANCE),
        record(episode(plan_awaiting_qa=True)),
    ),
    "qa_without": lambda: (principal(Role.QUALITY_ASSURANCE), record()),
    "manager": lambda: (principal(Role.MANAGER), record()),
    "reporting": lambda: (principal(Role.REPORTING), record()),
    "admin": lambda: (principal(Role.ADMIN), record()),
    "auditor": lambda: (principal(Role.AUDITOR), record()),
    "stranger_practitioner": lambda: (principal(Role.PRACTITIONER), record()),
    "inactive_user": lambda: (
        principal(Role.PRACTITIONER, Role.MANAGER, active=False),
        record(episode(lead_practitioner_id=ME)),
    ),
}

# (column, action, action item) — "update_unassigned" updates an action assigned to someone else.
RECORD_COLUMNS: tuple[tuple[str, Action, uuid.UUID | None], ...] = (
    ("read_family", Action.READ_FAMILY, None),
    ("write_family", Action.WRITE_FAMILY, None),
    ("open_episode", Action.OPEN_EPISODE, None),
    ("read_episode", Action.READ_EPISODE, None),
    ("write_episode", Action.WRITE_EPISODE, None),
    ("update_assigned", Action.UPDATE_ASSIGNED_ACTION, ITEM_MINE),
    ("update_unassigned", Action.UPDATE_ASSIGNED_ACTION, ITEM_OTHERS),
    ("decide_qa", Action.DECIDE_QA, None),
    ("reassign_lead", Action.REASSIGN_LEAD, None),
    ("read_access_log", Action.READ_ACCESS_LOG, None),
    ("erase_document", Action.ERASE_DOCUMENT, None),
    ("record_contact", Action.RECORD_CONTACT, None),
    ("steer_episode", Action.STEER_EPISODE, None),
    ("step_across", Action.STEP_ACROSS, None),
)

# fmt: off
RECORD_MATRIX: dict[str, tuple[Visibility, ...]] = {
    # In the order of RECORD_COLUMNS: read family, write family, open episode, read episode,
    # write episode, update assigned/unassigned action, QA, reassign lead, access log, erase,
    # record contact, steer episode, step across.
    "lead_of_open_episode":            (A, A, A, A, A, A, A, F, F, F, F, A, A, A),
    "lead_of_closed_episode":          (A, F, A, A, A, F, F, F, F, F, F, A, A, A),
    "taf_member_with_agency_consent":  (A, F, F, A, F, A, F, F, F, F, F, A, F, F),
    "taf_member_with_all_taf_consent": (A, F, F, A, F, A, F, F, F, F, F, A, F, F),
    "taf_member_consent_withdrawn":    (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "taf_member_left":                 (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "lcpp_allocated":                  (A, A, F, A, A, A, A, F, F, F, F, A, F, F),
    "co_worker":                       (A, A, F, A, A, A, A, F, F, F, F, A, F, F),
    "co_worker_of_closed_episode":     (A, F, F, A, A, F, F, F, F, F, F, A, F, F),
    "co_worker_ended_today":           (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "co_worker_from_tomorrow":         (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "practice_supervisor_allocated":   (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "co_worker_not_practitioner":      (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "link_worker_in_hub":              (A, F, F, A, F, F, F, F, F, F, F, F, F, F),
    "link_worker_other_hub":           (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "qa_with_plan_awaiting":           (A, F, F, A, F, F, F, A, F, F, F, F, F, F),
    "qa_without":                      (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "manager":                         (A, F, A, A, F, F, F, F, A, A, A, F, F, A),
    "reporting":                       (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "admin":                           (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "auditor":                         (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "stranger_practitioner":           (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
    "inactive_user":                   (H, H, H, H, H, H, H, H, H, H, H, H, H, H),
}
# fmt: on

GLOBAL_COLUMNS = (
    Action.READ_TIMELINESS,
    Action.READ_REPORTS,
    Action.MANAGE_PRACTITIONERS,
    Action.MANAGE_POLICY,
    Action.READ_ACCESS_LOG,
    Action.READ_SECURITY_EVENTS,
    Action.AUDIT_CLAIMS,
    Action.PREPARE_CLAIMS,
    Action.CREATE_FAMILY,
    Action.SEARCH_FAMILIES,
)

# fmt: off
GLOBAL_MATRIX: dict[str, tuple[Visibility, ...]] = {
    #                    timel reprt users polcy log   secur audit prep  creat srch
    "practitioner":      (F,    F,    F,    F,    F,    F,    F,    F,    A,    A),
    "link_worker":       (A,    F,    F,    F,    F,    F,    F,    F,    F,    A),
    "quality_assurance": (F,    F,    F,    F,    F,    F,    F,    F,    F,    A),
    "manager":           (A,    A,    F,    F,    A,    A,    F,    A,    A,    A),
    "reporting":         (F,    A,    F,    F,    F,    F,    F,    A,    F,    F),
    "admin":             (F,    F,    A,    A,    F,    F,    F,    F,    F,    F),
    "auditor":           (F,    A,    F,    F,    F,    F,    A,    F,    F,    F),
}
# fmt: on


def decide_cell(
    who: Principal,
    facts: RecordFacts,
    action: Action,
    item: uuid.UUID | None = None,
    *,
    episode_id: uuid.UUID = EPISODE,
    break_glass_reason: str | None = None,
) -> Decision:
    return decide(
        who,
        action,
        facts,
        today=TODAY,
        episode_id=episode_id,
        action_item_id=item,
        break_glass_reason=break_glass_reason,
    )


def test_every_relationship_has_a_row() -> None:
    assert set(RECORD_MATRIX) == set(RELATIONSHIPS)
    assert all(len(row) == len(RECORD_COLUMNS) for row in RECORD_MATRIX.values())
    assert all(len(row) == len(GLOBAL_COLUMNS) for row in GLOBAL_MATRIX.values())


@pytest.mark.parametrize(
    ("relationship", "column", "action", "item", "expected"),
    [
        pytest.param(rel, col, action, item, RECORD_MATRIX[rel][i], id=f"{rel}-{col}")
        for rel in RECORD_MATRIX
        for i, (col, action, item) in enumerate(RECORD_COLUMNS)
    ],
)
def test_record_matrix(
    relationship: str,
    column: str,
    action: Action,
    item: uuid.UUID | None,
    expected: Visibility,
) -> None:
    who, facts = RELATIONSHIPS[relationship]()
    decision = decide_cell(who, facts, action, item)
    assert decision.visibility is expected, decision.reason
    assert decision.allowed is (expected is A)
    assert decision.break_glass is False
    assert decision.reason
    for identifier in (ME, OTHER_PRACTITIONER, FAMILY, HUB, EPISODE, ITEM_MINE, ITEM_OTHERS):
        assert str(identifier) not in decision.reason


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        pytest.param(role, action, GLOBAL_MATRIX[role][i], id=f"{role}-{action}")
        for role in GLOBAL_MATRIX
        for i, action in enumerate(GLOBAL_COLUMNS)
    ],
)
def test_council_wide_matrix(role: str, action: Action, expected: Visibility) -> None:
    decision = decide(principal(Role(role)), action, None, today=TODAY)
    assert decision.visibility is expected, decision.reason


@pytest.mark.parametrize("action", GLOBAL_COLUMNS)
def test_an_inactive_user_is_forbidden_every_council_wide_action(action: Action) -> None:
    everything = principal(*Role, active=False)
    assert decide(everything, action, None, today=TODAY).visibility is F


class TestRelationshipsInDetail:
    def test_a_lead_reads_the_family_but_not_a_sibling_episode_led_by_someone_else(self) -> None:
        facts = record(
            episode(lead_practitioner_id=ME),
            episode(episode_id=SIBLING_EPISODE, is_open=False),
        )
        who = principal(Role.PRACTITIONER)
        assert decide_cell(who, facts, Action.READ_FAMILY).allowed
        sibling = decide_cell(who, facts, Action.READ_EPISODE, episode_id=SIBLING_EPISODE)
        assert sibling.visibility is H
        sibling_write = decide_cell(who, facts, Action.WRITE_EPISODE, episode_id=SIBLING_EPISODE)
        assert sibling_write.visibility is H

    def test_an_episode_of_another_family_is_hidden_even_from_a_manager(self) -> None:
        decision = decide_cell(
            principal(Role.MANAGER), record(), Action.READ_EPISODE, episode_id=uuid.UUID(int=99)
        )
        assert decision.visibility is H

    def test_a_lead_without_the_practitioner_role_has_no_relationship_rights(self) -> None:
        facts = record(episode(lead_practitioner_id=ME))
        assert decide_cell(principal(Role.ADMIN), facts, Action.READ_FAMILY).visibility is H

    def test_roles_add_up(self) -> None:
        facts = record(episode(lead_practitioner_id=ME))
        who = principal(Role.ADMIN, Role.PRACTITIONER)
        assert decide_cell(who, facts, Action.WRITE_EPISODE).allowed
        assert decide(who, Action.MANAGE_POLICY, None, today=TODAY).allowed

    def test_the_reporting_role_is_exclusive(self) -> None:
        who = principal(Role.REPORTING, Role.MANAGER, Role.PRACTITIONER)
        facts = record(episode(lead_practitioner_id=ME))
        assert decide_cell(who, facts, Action.READ_FAMILY).visibility is H
        assert decide(who, Action.READ_TIMELINESS, None, today=TODAY).visibility is F
        assert decide(who, Action.READ_ACCESS_LOG, facts, today=TODAY).visibility is H
        assert decide(who, Action.READ_REPORTS, None, today=TODAY).allowed

    @pytest.mark.parametrize("role", list(Role))
    def test_every_role_reads_the_pick_lists_the_reporting_account_too(self, role: Role) -> None:
        assert decide(principal(role), Action.READ_REFERENCE_DATA, None, today=TODAY).allowed

    def test_an_inactive_user_reads_no_pick_list(self) -> None:
        switched_off = principal(Role.PRACTITIONER, active=False)
        decision = decide(switched_off, Action.READ_REFERENCE_DATA, None, today=TODAY)
        assert decision.visibility is F

    def test_a_taf_member_sees_only_the_episode_they_sit_on(self) -> None:
        facts = record(
            episode(taf=(seat(),)),
            episode(episode_id=SIBLING_EPISODE),
            sharing_agencies_in_force=frozenset({MY_AGENCY}),
        )
        who = principal(Role.PRACTITIONER)
        assert decide_cell(who, facts, Action.READ_EPISODE).allowed
        sibling = decide_cell(who, facts, Action.READ_EPISODE, episode_id=SIBLING_EPISODE)
        assert sibling.visibility is H

    def test_consent_must_cover_the_agency_of_the_seat(self) -> None:
        facts = record(
            episode(taf=(seat(agency_code="POLICE"),)),
            sharing_agencies_in_force=frozenset({MY_AGENCY}),
        )
        assert decide_cell(principal(Role.PRACTITIONER), facts, Action.READ_FAMILY).visibility is H

    @pytest.mark.parametrize(
        ("joined_on", "left_on", "expected"),
        [
            (TODAY, None, A),  # joined today
            (TODAY + timedelta(days=1), None, H),  # not yet joined
            (TODAY - timedelta(days=9), TODAY, H),  # the leaving day is already out
            (TODAY - timedelta(days=9), TODAY + timedelta(days=1), A),  # leaves tomorrow
        ],
    )
    def test_a_seat_counts_only_while_active_today(
        self, joined_on: date, left_on: date | None, expected: Visibility
    ) -> None:
        facts = record(
            episode(taf=(seat(joined_on=joined_on, left_on=left_on),)),
            sharing_with_all_taf_in_force=True,
        )
        who = principal(Role.PRACTITIONER)
        assert decide_cell(who, facts, Action.READ_EPISODE).visibility is expected

    def test_a_taf_member_cannot_update_their_action_once_the_episode_closed(self) -> None:
        facts = record(
            episode(taf=(seat(),), is_open=False), sharing_agencies_in_force=frozenset({MY_AGENCY})
        )
        who = principal(Role.PRACTITIONER)
        decision = decide_cell(who, facts, Action.UPDATE_ASSIGNED_ACTION, ITEM_MINE)
        assert decision.visibility is F

    def test_withdrawing_consent_today_removes_the_agencys_access_at_once(self) -> None:
        sharing = Consent(
            id=uuid.UUID(int=50),
            family_id=FAMILY,
            purpose=ConsentPurpose.INFORMATION_SHARING,
            given_by_person_id=uuid.UUID(int=51),
            given_on=TODAY - timedelta(days=60),
            method=RecordingMethod.WRITTEN,
            sharing_scope=SharingScope.NAMED_AGENCIES,
            agency_codes=frozenset({MY_AGENCY, "HEALTH"}),
        )
        early_help = replace(
            sharing,
            id=uuid.UUID(int=52),
            purpose=ConsentPurpose.EARLY_HELP,
            sharing_scope=None,
            agency_codes=frozenset(),
        )
        who = principal(Role.PRACTITIONER)

        def read_today() -> Decision:
            agencies, all_taf = sharing_in_force([sharing, early_help], TODAY)
            facts = record(
                episode(taf=(seat(),)),
                sharing_agencies_in_force=agencies,
                sharing_with_all_taf_in_force=all_taf,
            )
            return decide_cell(who, facts, Action.READ_FAMILY)

        assert read_today().allowed
        sharing.withdraw(Withdrawal(withdrawn_on=TODAY, reason="The family asked us to stop."))
        assert read_today().visibility is H

    def test_sharing_with_all_taf_members(self) -> None:
        consent = Consent(
            id=uuid.UUID(int=50),
            family_id=FAMILY,
            purpose=ConsentPurpose.INFORMATION_SHARING,
            given_by_person_id=uuid.UUID(int=51),
            given_on=TODAY,
            method=RecordingMethod.DIGITAL,
            sharing_scope=SharingScope.ALL_TAF_MEMBERS,
        )
        assert sharing_in_force([consent], TODAY) == (frozenset(), True)
        assert sharing_in_force([consent], TODAY - timedelta(days=1)) == (frozenset(), False)

    def test_a_link_worker_reads_a_family_of_their_hub_but_not_an_episode_elsewhere(self) -> None:
        facts = record(episode(hub_id=OTHER_HUB))
        who = principal(Role.LINK_WORKER, hub_ids=frozenset({HUB}))
        assert decide_cell(who, facts, Action.READ_FAMILY).allowed
        assert decide_cell(who, facts, Action.READ_EPISODE).visibility is H

    def test_a_link_worker_reads_a_family_with_an_episode_in_their_hub(self) -> None:
        facts = record(episode(hub_id=HUB), family_hub_id=OTHER_HUB)
        who = principal(Role.LINK_WORKER, hub_ids=frozenset({HUB}))
        assert decide_cell(who, facts, Action.READ_FAMILY).allowed
        assert decide_cell(who, facts, Action.READ_EPISODE).allowed
        assert decide_cell(who, facts, Action.WRITE_FAMILY).visibility is F

    def test_qa_sees_only_the_episode_whose_plan_awaits_review(self) -> None:
        facts = record(
            episode(plan_awaiting_qa=True), episode(episode_id=SIBLING_EPISODE, is_open=False)
        )
        who = principal(Role.QUALITY_ASSURANCE)
        assert decide_cell(who, facts, Action.READ_FAMILY).allowed
        assert decide_cell(who, facts, Action.DECIDE_QA).allowed
        assert decide_cell(who, facts, Action.DECIDE_QA, episode_id=SIBLING_EPISODE).visibility is H
        assert (
            decide_cell(who, facts, Action.READ_EPISODE, episode_id=SIBLING_EPISODE).visibility is H
        )

    def test_the_practitioner_who_registered_a_family_holds_it_until_its_first_episode(
        self,
    ) -> None:
        who = principal(Role.PRACTITIONER)
        facts = RecordFacts(family_id=FAMILY, family_hub_id=HUB, created_by_practitioner_id=ME)
        for action in (Action.READ_FAMILY, Action.WRITE_FAMILY, Action.OPEN_EPISODE):
            assert decide(who, action, facts, today=TODAY).allowed
        with_episode = replace(facts, episodes=(episode(),))
        assert decide(who, Action.READ_FAMILY, with_episode, today=TODAY).visibility is H

    def test_someone_else_registering_a_family_grants_nothing(self) -> None:
        facts = RecordFacts(
            family_id=FAMILY, family_hub_id=HUB, created_by_practitioner_id=OTHER_PRACTITIONER
        )
        who = principal(Role.PRACTITIONER)
        assert decide(who, Action.READ_FAMILY, facts, today=TODAY).visibility is H

    def test_a_manager_reads_the_access_log_of_a_record(self) -> None:
        assert decide(
            principal(Role.MANAGER), Action.READ_ACCESS_LOG, record(), today=TODAY
        ).allowed


class TestCallerMistakes:
    def test_a_record_action_needs_the_record(self) -> None:
        with pytest.raises(ValueError, match="record"):
            decide(principal(Role.MANAGER), Action.READ_FAMILY, None, today=TODAY)

    def test_an_episode_action_needs_the_episode(self) -> None:
        with pytest.raises(ValueError, match="episode"):
            decide(principal(Role.MANAGER), Action.READ_EPISODE, record(), today=TODAY)

    def test_updating_an_action_needs_its_id(self) -> None:
        with pytest.raises(ValueError, match="action"):
            decide_cell(principal(Role.PRACTITIONER), record(), Action.UPDATE_ASSIGNED_ACTION)


class TestBreakGlass:
    @pytest.mark.parametrize(
        "relationship",
        [
            "stranger_practitioner",
            "link_worker_other_hub",
            "qa_without",
            "taf_member_consent_withdrawn",
            "taf_member_left",
        ],
    )
    @pytest.mark.parametrize("action", [Action.READ_FAMILY, Action.READ_EPISODE])
    def test_a_practitioner_class_user_reads_with_a_reason(
        self, relationship: str, action: Action
    ) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        decision = decide_cell(who, facts, action, break_glass_reason=REASON)
        assert decision.visibility is A
        assert decision.break_glass is True
        assert "break glass" in decision.reason
        assert REASON not in decision.reason

    @pytest.mark.parametrize("reason", [None, "", "   ", "too short", " short    "])
    def test_without_a_real_reason_the_normal_denial_stands(self, reason: str | None) -> None:
        who, facts = RELATIONSHIPS["stranger_practitioner"]()
        decision = decide_cell(who, facts, Action.READ_FAMILY, break_glass_reason=reason)
        assert decision.visibility is H
        assert decision.break_glass is False

    def test_a_reason_of_exactly_the_minimum_length_is_enough(self) -> None:
        who, facts = RELATIONSHIPS["stranger_practitioner"]()
        reason = "  " + "x" * MIN_BREAK_GLASS_REASON + "  "
        assert decide_cell(who, facts, Action.READ_FAMILY, break_glass_reason=reason).break_glass

    @pytest.mark.parametrize(
        ("relationship", "action", "item", "expected"),
        [
            ("stranger_practitioner", Action.WRITE_FAMILY, None, H),
            ("stranger_practitioner", Action.WRITE_EPISODE, None, H),
            ("stranger_practitioner", Action.OPEN_EPISODE, None, H),
            ("stranger_practitioner", Action.UPDATE_ASSIGNED_ACTION, ITEM_MINE, H),
            ("link_worker_in_hub", Action.WRITE_EPISODE, None, F),
            ("taf_member_with_agency_consent", Action.UPDATE_ASSIGNED_ACTION, ITEM_OTHERS, F),
            ("lead_of_closed_episode", Action.WRITE_FAMILY, None, F),
            ("qa_without", Action.DECIDE_QA, None, H),
            ("manager", Action.WRITE_FAMILY, None, F),
        ],
    )
    def test_break_glass_never_writes(
        self, relationship: str, action: Action, item: uuid.UUID | None, expected: Visibility
    ) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        decision = decide_cell(who, facts, action, item, break_glass_reason=REASON)
        assert decision.visibility is expected
        assert decision.break_glass is False

    @pytest.mark.parametrize("relationship", ["reporting", "admin", "auditor", "inactive_user"])
    def test_non_case_roles_and_inactive_users_cannot_break_glass(self, relationship: str) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        decision = decide_cell(who, facts, Action.READ_FAMILY, break_glass_reason=REASON)
        assert decision.visibility is H
        assert decision.break_glass is False

    @pytest.mark.parametrize("relationship", ["manager", "lead_of_open_episode"])
    def test_a_user_who_may_read_anyway_is_not_recorded_as_breaking_glass(
        self, relationship: str
    ) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        decision = decide_cell(who, facts, Action.READ_EPISODE, break_glass_reason=REASON)
        assert decision.allowed
        assert decision.break_glass is False

    def test_break_glass_does_not_reach_an_episode_of_another_family(self) -> None:
        who, facts = RELATIONSHIPS["stranger_practitioner"]()
        decision = decide_cell(
            who,
            facts,
            Action.READ_EPISODE,
            episode_id=uuid.UUID(int=99),
            break_glass_reason=REASON,
        )
        assert decision.visibility is H

    def test_the_api_validates_the_reason_before_looking_at_any_record(self) -> None:
        assert require_break_glass_reason(f"  {REASON}  ") == REASON
        for short in (None, "", "  short  "):
            with pytest.raises(InvalidValue) as caught:
                require_break_glass_reason(short)
            assert caught.value.field == "break_glass_reason"


class TestRestrictedDetails:
    @pytest.mark.parametrize(
        ("relationship", "named", "expected"),
        [
            ("lead_of_open_episode", False, True),
            ("lead_of_closed_episode", False, False),
            ("lead_of_closed_episode", True, True),
            ("manager", False, True),
            ("taf_member_with_agency_consent", False, False),
            ("taf_member_with_agency_consent", True, True),
            ("taf_member_consent_withdrawn", True, False),
            ("taf_member_left", True, False),
            ("link_worker_in_hub", False, False),
            ("link_worker_in_hub", True, True),
            ("qa_with_plan_awaiting", False, False),
            ("stranger_practitioner", True, False),
            ("reporting", True, False),
            ("admin", True, False),
            ("auditor", True, False),
            ("inactive_user", True, False),
        ],
    )
    def test_who_sees_restricted_details(
        self, relationship: str, named: bool, expected: bool
    ) -> None:
        """Seen through the household where the restriction was set."""
        who, facts = RELATIONSHIPS[relationship]()
        names = frozenset({ME}) if named else frozenset({OTHER_PRACTITIONER})
        assert (
            may_see_restricted_details(
                who, facts, viewed_through=facts, named_practitioner_ids=names, today=TODAY
            )
            is expected
        )

    def test_an_inactive_manager_sees_nothing_restricted(self) -> None:
        who = principal(Role.MANAGER, active=False)
        assert not may_see_restricted_details(
            who,
            record(),
            viewed_through=record(),
            named_practitioner_ids=frozenset({ME}),
            today=TODAY,
        )

    def test_leading_another_household_of_the_person_shows_nothing(self) -> None:
        """The restriction belongs to the person: a household made for the purpose, with its own
        open episode led by the attacker, grants nothing."""
        who, own_household = RELATIONSHIPS["lead_of_open_episode"]()
        where_it_was_set = record()
        assert not may_see_restricted_details(
            who,
            where_it_was_set,
            viewed_through=own_household,
            named_practitioner_ids=frozenset({OTHER_PRACTITIONER}),
            today=TODAY,
        )

    def test_the_lead_where_it_was_set_sees_it_through_another_household(self) -> None:
        """A child of separated parents: the lead of the household where the restriction was set
        sees it wherever they meet the child."""
        who, where_it_was_set = RELATIONSHIPS["lead_of_open_episode"]()
        assert may_see_restricted_details(
            who,
            where_it_was_set,
            viewed_through=record(),
            named_practitioner_ids=frozenset(),
            today=TODAY,
        )

    @pytest.mark.parametrize(
        "relationship", ["taf_member_with_agency_consent", "link_worker_in_hub"]
    )
    def test_a_named_practitioner_must_read_the_household_they_see_the_person_through(
        self, relationship: str
    ) -> None:
        who, readable = RELATIONSHIPS[relationship]()
        elsewhere = record(
            episode(hub_id=OTHER_HUB, lead_practitioner_id=OTHER_PRACTITIONER),
            family_hub_id=OTHER_HUB,
        )
        named = frozenset({ME})
        assert may_see_restricted_details(
            who, elsewhere, viewed_through=readable, named_practitioner_ids=named, today=TODAY
        )
        assert not may_see_restricted_details(
            who, readable, viewed_through=elsewhere, named_practitioner_ids=named, today=TODAY
        )


class TestARequestNamingARecord:
    """What the gate decides before the rules: a named record that does not exist."""

    @pytest.mark.parametrize("action", [Action.READ_FAMILY, Action.READ_EPISODE])
    def test_a_record_that_does_not_exist_is_hidden_as_one_the_user_may_not_see(
        self, action: Action
    ) -> None:
        absent = decide_named(
            principal(Role.MANAGER),
            action,
            None,
            names_record=False,
            today=TODAY,
            episode_id=EPISODE,
        )
        assert absent.visibility is H
        assert (
            absent.visibility
            is decide(
                principal(Role.PRACTITIONER), action, record(), today=TODAY, episode_id=EPISODE
            ).visibility
        )

    def test_an_access_log_named_for_a_family_that_does_not_exist_is_hidden(self) -> None:
        named = decide_named(
            principal(Role.MANAGER), Action.READ_ACCESS_LOG, None, names_record=True, today=TODAY
        )
        council_wide = decide_named(
            principal(Role.MANAGER), Action.READ_ACCESS_LOG, None, names_record=False, today=TODAY
        )
        assert (named.visibility, council_wide.visibility) == (H, A)

    def test_a_record_that_exists_is_judged_by_the_rules(self) -> None:
        found = record(episode(lead_practitioner_id=ME))
        assert (
            decide_named(
                principal(Role.PRACTITIONER),
                Action.READ_EPISODE,
                found,
                names_record=True,
                today=TODAY,
                episode_id=EPISODE,
            ).visibility
            is A
        )


class TestTimelinessHubScope:
    def test_a_manager_sees_the_council_or_the_hub_asked_for(self) -> None:
        from app.domain.access import timeliness_hub_scope

        assert timeliness_hub_scope(principal(Role.MANAGER), None) is None
        assert timeliness_hub_scope(principal(Role.MANAGER), OTHER_HUB) == frozenset({OTHER_HUB})

    @given(st.sets(st.sampled_from([HUB, OTHER_HUB, uuid.UUID(int=22)]), min_size=1))
    def test_a_link_worker_naming_no_hub_sees_all_of_theirs_and_only_theirs(
        self, hubs: set[uuid.UUID]
    ) -> None:
        from app.domain.access import timeliness_hub_scope

        worker = principal(Role.LINK_WORKER, hub_ids=frozenset(hubs))
        assert timeliness_hub_scope(worker, None) == frozenset(hubs)
        for hub in hubs:
            assert timeliness_hub_scope(worker, hub) == frozenset({hub})
        outside = uuid.UUID(int=99)
        with pytest.raises(Forbidden):
            timeliness_hub_scope(worker, outside)


# Who opens a sensitive note or document of EPISODE: (not named on it, named on it).
SENSITIVE: dict[str, tuple[bool, bool]] = {
    "lead_of_open_episode": (True, True),
    "lead_of_closed_episode": (True, True),
    "taf_member_with_agency_consent": (False, True),
    "taf_member_with_all_taf_consent": (False, True),
    "taf_member_consent_withdrawn": (False, False),
    "taf_member_left": (False, False),
    "lcpp_allocated": (True, True),
    "co_worker": (True, True),
    "co_worker_of_closed_episode": (True, True),
    "co_worker_ended_today": (False, False),
    "co_worker_from_tomorrow": (False, False),
    "practice_supervisor_allocated": (False, False),
    "co_worker_not_practitioner": (False, False),
    "link_worker_in_hub": (False, True),
    "link_worker_other_hub": (False, False),
    "qa_with_plan_awaiting": (False, True),
    "qa_without": (False, False),
    "manager": (True, True),
    "reporting": (False, False),
    "admin": (False, False),
    "auditor": (False, False),
    "stranger_practitioner": (False, False),
    "inactive_user": (False, False),
}


class TestSensitiveRecords:
    def test_every_relationship_is_judged(self) -> None:
        assert set(SENSITIVE) == set(RELATIONSHIPS)

    @pytest.mark.parametrize("relationship", sorted(SENSITIVE))
    def test_only_the_lead_managers_and_named_readers_of_the_record_open_it(
        self, relationship: str
    ) -> None:
        who, facts = RELATIONSHIPS[relationship]()
        expected = SENSITIVE[relationship]
        got = tuple(
            may_read_sensitive(
                who, facts, episode_id=EPISODE, named_practitioner_ids=named, today=TODAY
            )
            for named in (frozenset(), frozenset({ME}))
        )
        assert got == expected

    def test_leading_a_sibling_episode_does_not_open_this_episodes_sensitive_record(self) -> None:
        facts = record(episode(), episode(episode_id=SIBLING_EPISODE, lead_practitioner_id=ME))
        me = principal(Role.PRACTITIONER)
        assert not may_read_sensitive(
            me, facts, episode_id=EPISODE, named_practitioner_ids=frozenset(), today=TODAY
        )
        # A family's own sensitive record is the lead's of any of its episodes.
        assert may_read_sensitive(
            me, facts, episode_id=None, named_practitioner_ids=frozenset(), today=TODAY
        )

    def test_another_familys_episode_opens_nothing(self) -> None:
        who, facts = RELATIONSHIPS["lead_of_open_episode"]()
        assert not may_read_sensitive(
            who,
            facts,
            episode_id=SIBLING_EPISODE,
            named_practitioner_ids=frozenset({ME}),
            today=TODAY,
        )


@given(
    statutory=st.booleans(),
    consent_for_my_agency=st.booleans(),
    consent_for_all=st.booleans(),
    seat_active=st.booleans(),
)
def test_a_taf_seat_reads_on_consent_or_on_a_statutory_basis_and_never_without_a_seat(
    statutory: bool, consent_for_my_agency: bool, consent_for_all: bool, seat_active: bool
) -> None:
    """Issue 20 §5: on s.17 or s.47 the seat's agency needs no consent; otherwise it does."""
    seats = (seat(),) if seat_active else (seat(left_on=TODAY - timedelta(days=1)),)
    facts = record(
        episode(taf=seats, statutory_basis=statutory),
        sharing_agencies_in_force=frozenset({MY_AGENCY}) if consent_for_my_agency else frozenset(),
        sharing_with_all_taf_in_force=consent_for_all,
    )
    allowed = decide(principal(Role.PRACTITIONER), Action.READ_FAMILY, facts, today=TODAY).allowed
    assert allowed == (seat_active and (statutory or consent_for_my_agency or consent_for_all))


@given(
    role=st.sampled_from(AllocationRole),
    started=st.integers(-5, 5),
    ended=st.none() | st.integers(-5, 5),
    episode_open=st.booleans(),
    practitioner=st.booleans(),
)
def test_an_allocation_works_the_episode_only_as_child_protection_lead_or_co_worker_while_current(
    role: AllocationRole,
    started: int,
    ended: int | None,
    episode_open: bool,
    practitioner: bool,
) -> None:
    """Issue 20 §2: a current allocation as lead child protection practitioner or co-worker reads
    the family and the episode, writes its day-to-day records and reads its sensitive notes as the
    lead does, and is carried offline while the episode is open; it never steers the episode, and
    from the allocation's end date (or before its start) it grants nothing."""
    start = TODAY + timedelta(days=started)
    end = None if ended is None else max(start, TODAY + timedelta(days=ended))
    facts = record(
        on_s47(allocation(role=role, started_on=start, ended_on=end), is_open=episode_open)
    )
    me = principal(Role.PRACTITIONER if practitioner else Role.FRONT_DOOR_OFFICER)
    current = start <= TODAY and (end is None or end > TODAY)
    works = (
        practitioner
        and current
        and role in {AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER, AllocationRole.CO_WORKER}
    )

    def visibility(action: Action) -> Visibility:
        return decide_cell(me, facts, action).visibility

    assert visibility(Action.READ_FAMILY) is (A if works else H)
    assert visibility(Action.READ_EPISODE) is (A if works else H)
    assert visibility(Action.WRITE_EPISODE) is (A if works else H)
    assert visibility(Action.RECORD_CONTACT) is (A if works else H)
    assert visibility(Action.WRITE_FAMILY) is (A if works and episode_open else F if works else H)
    for lead_only in (Action.STEER_EPISODE, Action.STEP_ACROSS, Action.OPEN_EPISODE):
        assert visibility(lead_only) is (F if works else H)
    assert (
        may_read_sensitive(
            me, facts, episode_id=EPISODE, named_practitioner_ids=frozenset(), today=TODAY
        )
        is works
    )
    assert carried_offline(ME, facts, TODAY) is (
        current
        and episode_open
        and role in {AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER, AllocationRole.CO_WORKER}
    )


def test_an_allocation_to_a_sibling_episode_does_not_open_this_one() -> None:
    facts = record(episode(), on_s47(allocation(), episode_id=SIBLING_EPISODE))
    me = principal(Role.PRACTITIONER)
    assert decide_cell(me, facts, Action.READ_FAMILY).allowed
    assert decide_cell(me, facts, Action.READ_EPISODE).visibility is H
    assert not may_read_sensitive(
        me, facts, episode_id=EPISODE, named_practitioner_ids=frozenset(), today=TODAY
    )
