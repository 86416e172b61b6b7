"""Family Help rules: step-across, allocations by role, and the CIN census dates.

shared/domain/families-first.md §3.1 items 1-3 and §3.2 items 7-9; each rule is an example and, where
it is about dates or sequences of steps, a Hypothesis property; a state machine checks that no
sequence of steps breaks the invariants of the bases.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.domain.access import Action, Principal, Role, Visibility, decide
from app.domain.errors import Conflict, DomainError, IllegalTransition, InvalidValue
from app.domain.family_help import (
    AllocationRole,
    Candidate,
    CensusCodes,
    CensusDates,
    EpisodeType,
    FamilyHelpPolicy,
    FamilyHelpRecord,
    StatutoryBasis,
    StepRequest,
    TransitionKind,
    check_census_dates,
    new_record,
    normalise_registration_number,
)
from tests.unit.domain import test_access as matrix

REQUESTED_ON = date(2026, 1, 5)
TODAY = date(2026, 6, 1)
ON = FamilyHelpPolicy(enabled=True, threshold_document_version="2026-04")
OFF = FamilyHelpPolicy()
CODES = CensusCodes(
    referral_sources=frozenset({"2A", "6"}),
    primary_needs=frozenset({"N1", "N4"}),
    closure_reasons=frozenset({"RC7", "RC8"}),
)


def person(*, social_worker: bool = False, can_lead: bool = True, active: bool = True) -> Candidate:
    return Candidate(
        practitioner_id=uuid.uuid4(),
        active=active,
        can_lead=can_lead,
        registered_social_worker=social_worker,
    )


LEAD = person()
SUPERVISOR = person(social_worker=True)
SOCIAL_WORKER = person(social_worker=True)


def record(**overrides: Any) -> FamilyHelpRecord:
    made = new_record(
        uuid.uuid4(),
        episode_type=EpisodeType.FAMILY_HELP,
        lead_practitioner_id=LEAD.practitioner_id,
        lead_since=REQUESTED_ON,
        allocation_id=uuid.uuid4(),
    )
    for key, value in overrides.items():
        setattr(made, key, value)
    return made


def ask(**overrides: Any) -> StepRequest:
    fields: dict[str, Any] = {
        "kind": TransitionKind.STEP_ACROSS,
        "to_type": EpisodeType.FAMILY_HELP,
        "to_basis": StatutoryBasis.S17,
        "effective_on": date(2026, 2, 2),
        "decided_by": SUPERVISOR,
        "reason": "Neglect concerns meet the child in need threshold.",
        "oversight": SUPERVISOR,
    }
    fields.update(overrides)
    return StepRequest(**fields)


def step(r: FamilyHelpRecord, request: StepRequest, policy: FamilyHelpPolicy = ON) -> None:
    r.step(
        request,
        policy=policy,
        episode_open=True,
        requested_on=REQUESTED_ON,
        census_codes=CODES,
        new_id=uuid.uuid4(),
        allocation_ids=[uuid.uuid4() for _ in range(4)],
    )


def current_roles(r: FamilyHelpRecord) -> set[tuple[uuid.UUID, AllocationRole]]:
    return {(a.practitioner_id, a.role) for a in r.current()}


class TestStepAcross:
    def test_to_child_in_need_keeps_the_record_and_starts_the_census_period(self) -> None:
        r = record()
        step(r, ask())
        assert (r.episode_type, r.statutory_basis) == (EpisodeType.FAMILY_HELP, StatutoryBasis.S17)
        assert r.census.referral_on == date(2026, 2, 2)
        (t,) = r.transitions
        assert t.from_basis is StatutoryBasis.NONE
        assert t.decided_by == SUPERVISOR.practitioner_id
        assert t.threshold_document_version == "2026-04"
        assert (SUPERVISOR.practitioner_id, AllocationRole.PRACTICE_SUPERVISOR) in current_roles(r)

    def test_a_council_not_on_family_help_keeps_today_s_behaviour(self) -> None:
        r = record(episode_type=EpisodeType.EARLY_HELP)
        with pytest.raises(IllegalTransition) as refused:
            step(r, ask(), policy=OFF)
        assert refused.value.code == "family_help_off"
        assert r.transitions == []

    def test_early_help_has_no_statutory_basis(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            step(record(), ask(to_type=EpisodeType.EARLY_HELP))
        assert refused.value.code == "early_help_statutory_basis"

    def test_a_change_of_basis_is_decided_by_a_social_worker(self) -> None:
        r = record()
        with pytest.raises(InvalidValue) as refused:
            step(r, ask(decided_by=person()))
        assert refused.value.code == "social_worker_required"
        assert r.statutory_basis is StatutoryBasis.NONE

    def test_s17_needs_a_social_work_qualified_oversight(self) -> None:
        with pytest.raises(InvalidValue) as no_one:
            step(record(), ask(oversight=None))
        assert no_one.value.code == "oversight_required"
        with pytest.raises(InvalidValue) as not_sw:
            step(record(), ask(oversight=person()))
        assert not_sw.value.code == "social_worker_required"

    def test_s47_needs_a_registered_social_worker_as_lead_child_protection_practitioner(
        self,
    ) -> None:
        r = record()
        step(r, ask())
        with pytest.raises(InvalidValue) as missing:
            step(r, ask(to_basis=StatutoryBasis.S47, effective_on=date(2026, 3, 2)))
        assert missing.value.code == "lead_child_protection_practitioner_required"
        with pytest.raises(InvalidValue) as not_sw:
            step(
                r,
                ask(
                    to_basis=StatutoryBasis.S47,
                    effective_on=date(2026, 3, 2),
                    lead_child_protection_practitioner=person(),
                ),
            )
        assert not_sw.value.code == "social_worker_required"
        assert r.statutory_basis is StatutoryBasis.S17

    def test_moving_to_s47_keeps_the_family_help_lead_as_a_co_worker(self) -> None:
        r = record()
        step(r, ask())
        step(
            r,
            ask(
                to_basis=StatutoryBasis.S47,
                effective_on=date(2026, 3, 2),
                lead_child_protection_practitioner=SOCIAL_WORKER,
            ),
        )
        roles = current_roles(r)
        assert (LEAD.practitioner_id, AllocationRole.CO_WORKER) in roles
        assert (
            SOCIAL_WORKER.practitioner_id,
            AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
        ) in roles
        assert r.census.referral_on == date(2026, 2, 2), "child protection is within the CIN period"

    def test_leaving_statutory_work_closes_the_census_period_with_a_reason(self) -> None:
        r = record()
        step(r, ask())
        with pytest.raises(InvalidValue) as refused:
            step(r, ask(to_basis=StatutoryBasis.NONE, effective_on=date(2026, 4, 1)))
        assert refused.value.code == "census_closure_reason_required"
        step(
            r,
            ask(
                to_basis=StatutoryBasis.NONE,
                effective_on=date(2026, 4, 1),
                cin_closure_reason_code="RC7",
            ),
        )
        assert (r.census.closed_on, r.census.closure_reason_code) == (date(2026, 4, 1), "RC7")

    def test_an_external_step_up_records_the_other_system_instead_of_closing(self) -> None:
        r = record()
        with pytest.raises(InvalidValue) as refused:
            step(r, ask(kind=TransitionKind.STEP_UP_EXTERNAL, to_basis=StatutoryBasis.S47))
        assert refused.value.code == "external_reference_required"
        step(
            r,
            ask(
                kind=TransitionKind.STEP_UP_EXTERNAL,
                to_basis=StatutoryBasis.S47,
                oversight=None,
                external_system="Mosaic",
                external_reference="CSC-4411",
            ),
        )
        assert r.statutory_basis is StatutoryBasis.S47
        assert r.transitions[-1].external_reference == "CSC-4411"
        assert (LEAD.practitioner_id, AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) in (
            current_roles(r)
        ), "the statutory work and its allocations are the other system's"

    def test_an_external_step_must_go_the_way_it_says(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            step(
                record(),
                ask(
                    kind=TransitionKind.STEP_DOWN_EXTERNAL,
                    external_system="Mosaic",
                    external_reference="CSC-1",
                ),
            )
        assert refused.value.code == "step_direction_mismatch"

    def test_no_change_is_refused(self) -> None:
        with pytest.raises(Conflict) as refused:
            step(record(), ask(to_basis=StatutoryBasis.NONE))
        assert refused.value.code == "step_across_no_change"

    def test_the_threshold_document_version_is_required(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            step(record(), ask(), policy=FamilyHelpPolicy(enabled=True))
        assert refused.value.code == "threshold_version_required"

    @given(days=st.integers(min_value=-60, max_value=60))
    def test_a_step_is_never_dated_before_the_last_one(self, days: int) -> None:
        r = record()
        step(r, ask())
        later = date(2026, 2, 2) + timedelta(days=days)
        request = ask(
            to_basis=StatutoryBasis.S47,
            effective_on=later,
            lead_child_protection_practitioner=SOCIAL_WORKER,
        )
        if days < 0:
            with pytest.raises(InvalidValue):
                step(r, request)
            assert r.statutory_basis is StatutoryBasis.S17
        else:
            step(r, request)
            assert [t.effective_on for t in r.transitions] == sorted(
                t.effective_on for t in r.transitions
            )


class TestAllocations:
    def allocate(
        self, r: FamilyHelpRecord, role: AllocationRole, who: Candidate, **kw: Any
    ) -> None:
        r.allocate(
            role,
            who,
            on=kw.pop("on", date(2026, 2, 10)),
            episode_open=True,
            requested_on=REQUESTED_ON,
            new_id=uuid.uuid4(),
            **kw,
        )

    def test_a_lead_from_any_agency_hands_over_and_the_family_s_say_is_recorded(self) -> None:
        r = record()
        school_worker = person()
        self.allocate(
            r,
            AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
            school_worker,
            chosen_with_family=True,
            family_choice_note="Ava asked for her.",
        )
        (lead,) = r.current(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER)
        assert lead.practitioner_id == school_worker.practitioner_id
        assert lead.chosen_with_family is True
        ended = [a for a in r.allocations if a.practitioner_id == LEAD.practitioner_id]
        assert ended[0].ended_on == date(2026, 2, 10)

    def test_the_family_s_say_is_required_for_a_lead(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            self.allocate(record(), AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER, person())
        assert refused.value.code == "family_say_required"

    def test_someone_who_cannot_lead_is_no_family_help_lead(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            self.allocate(
                record(),
                AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
                person(can_lead=False),
                chosen_with_family=False,
            )
        assert refused.value.code == "lead_not_eligible"

    def test_co_workers_come_from_any_agency_but_not_twice(self) -> None:
        r = record()
        helper = person(can_lead=False)
        self.allocate(r, AllocationRole.CO_WORKER, helper)
        with pytest.raises(Conflict):
            self.allocate(r, AllocationRole.CO_WORKER, helper)

    def test_oversight_needs_a_social_worker(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            self.allocate(record(), AllocationRole.OVERSIGHT_MANAGER, person())
        assert refused.value.code == "social_worker_required"

    def test_the_last_oversight_of_s17_work_cannot_be_ended(self) -> None:
        r = record()
        step(r, ask())
        (oversight,) = [a for a in r.current() if a.role is AllocationRole.PRACTICE_SUPERVISOR]
        with pytest.raises(IllegalTransition) as refused:
            r.end_allocation(oversight.id, on=date(2026, 3, 1), reason=None, episode_open=True)
        assert refused.value.code == "oversight_still_needed"
        self.allocate(r, AllocationRole.OVERSIGHT_MANAGER, SOCIAL_WORKER)
        r.end_allocation(oversight.id, on=date(2026, 3, 1), reason="left", episode_open=True)
        assert oversight.id not in {a.id for a in r.current()}

    def test_a_lead_child_protection_practitioner_only_on_s47(self) -> None:
        with pytest.raises(IllegalTransition):
            self.allocate(
                record(), AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER, SOCIAL_WORKER
            )

    def test_nobody_is_allocated_to_a_closed_episode(self) -> None:
        with pytest.raises(IllegalTransition):
            record().allocate(
                AllocationRole.CO_WORKER,
                person(),
                on=date(2026, 2, 10),
                episode_open=False,
                requested_on=REQUESTED_ON,
                new_id=uuid.uuid4(),
            )

    @given(offset=st.integers(min_value=-30, max_value=30))
    def test_an_allocation_is_never_ended_before_it_began(self, offset: int) -> None:
        r = record()
        self.allocate(r, AllocationRole.CO_WORKER, person(), on=date(2026, 2, 10))
        co = r.current(AllocationRole.CO_WORKER)[0]
        end = co.started_on + timedelta(days=offset)
        if offset < 0:
            with pytest.raises(InvalidValue):
                r.end_allocation(co.id, on=end, reason=None, episode_open=True)
        else:
            ended = r.end_allocation(co.id, on=end, reason=None, episode_open=True)
            assert ended.ended_on is not None
            assert ended.ended_on >= ended.started_on


def test_a_registration_number_is_sw_and_digits_and_only_for_the_registered() -> None:
    assert normalise_registration_number(" sw 12345 ", registered=True) == "SW12345"
    assert normalise_registration_number("", registered=False) is None
    with pytest.raises(InvalidValue):
        normalise_registration_number("12345", registered=True)
    with pytest.raises(InvalidValue):
        normalise_registration_number("SW12345", registered=False)


# --- census dates ----------------------------------------------------------------------------------

census_dates = st.builds(
    CensusDates,
    referral_on=st.dates(date(2025, 1, 1), date(2026, 7, 1)),
    assessment_started_on=st.none() | st.dates(date(2025, 1, 1), date(2026, 7, 1)),
    assessment_authorised_on=st.none() | st.dates(date(2025, 1, 1), date(2026, 7, 1)),
    plan_started_on=st.none() | st.dates(date(2025, 1, 1), date(2026, 7, 1)),
    plan_ended_on=st.none() | st.dates(date(2025, 1, 1), date(2026, 7, 1)),
)


@given(census_dates)
def test_accepted_census_dates_keep_the_census_s_order(dates: CensusDates) -> None:
    """Whatever is accepted obeys CIN validation 1103 and 4015 and never lies in the future."""
    try:
        check_census_dates(dates, CODES, today=TODAY)
    except InvalidValue:
        return
    assert dates.referral_on is not None
    assert dates.referral_on <= TODAY
    for later in (dates.assessment_started_on, dates.plan_started_on):
        assert later is None or dates.referral_on <= later <= TODAY
    if dates.assessment_authorised_on is not None:
        assert dates.assessment_started_on is not None
        assert dates.assessment_started_on <= dates.assessment_authorised_on
    if dates.plan_ended_on is not None:
        assert dates.plan_started_on is not None
        assert dates.plan_started_on <= dates.plan_ended_on


@given(census_dates, st.integers(min_value=0, max_value=40))
def test_a_closure_is_never_before_another_census_date(dates: CensusDates, gap: int) -> None:
    try:
        check_census_dates(dates, CODES, today=TODAY)
    except InvalidValue:
        assume(False)
    known = [
        d
        for d in (
            dates.referral_on,
            dates.assessment_started_on,
            dates.assessment_authorised_on,
            dates.plan_started_on,
            dates.plan_ended_on,
        )
        if d is not None
    ]
    latest = max(known)
    closed = CensusDates(**{**dates.__dict__, "closed_on": latest - timedelta(days=gap + 1)})
    closed = CensusDates(**{**closed.__dict__, "closure_reason_code": "RC7"})
    with pytest.raises(InvalidValue) as refused:
        check_census_dates(closed, CODES, today=TODAY)
    assert refused.value.code == "census_date_out_of_order"
    on_the_day = CensusDates(**{**closed.__dict__, "closed_on": latest})
    assert check_census_dates(on_the_day, CODES, today=TODAY).closed_on == latest


def test_census_codes_come_from_the_reference_lists() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_census_dates(
            CensusDates(referral_on=date(2026, 1, 1), primary_need_code="N99"), CODES, today=TODAY
        )
    assert refused.value.code == "census_code_unknown"


def test_census_dates_only_for_statutory_work() -> None:
    with pytest.raises(IllegalTransition):
        record().record_census_dates(CensusDates(referral_on=date(2026, 1, 1)), CODES, today=TODAY)


# --- any sequence of steps -------------------------------------------------------------------------


class FamilyHelpMachine(RuleBasedStateMachine):
    """Random steps across and allocations: refusals leave the record as it was, and the rules of
    each basis hold after every accepted step."""

    def __init__(self) -> None:
        super().__init__()
        self.record = record()
        self.day = date(2026, 1, 10)

    def _try(self, action: Any) -> None:
        before = (
            self.record.episode_type,
            self.record.statutory_basis,
            list(self.record.allocations),
            list(self.record.transitions),
            self.record.census,
        )
        try:
            action()
        except DomainError:
            after = (
                self.record.episode_type,
                self.record.statutory_basis,
                list(self.record.allocations),
                list(self.record.transitions),
                self.record.census,
            )
            assert after == before, "a refusal changes nothing"

    @rule(days=st.integers(0, 20))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(
        basis=st.sampled_from(StatutoryBasis),
        kind=st.sampled_from(TransitionKind),
        decider_is_sw=st.booleans(),
        with_lcpp=st.booleans(),
        with_oversight=st.booleans(),
        closure=st.sampled_from([None, "RC7"]),
    )
    def step_across(
        self,
        basis: StatutoryBasis,
        kind: TransitionKind,
        decider_is_sw: bool,
        with_lcpp: bool,
        with_oversight: bool,
        closure: str | None,
    ) -> None:
        external = kind is not TransitionKind.STEP_ACROSS
        request = ask(
            kind=kind,
            to_basis=basis,
            effective_on=self.day,
            decided_by=person(social_worker=decider_is_sw),
            lead_child_protection_practitioner=person(social_worker=True) if with_lcpp else None,
            oversight=person(social_worker=True) if with_oversight else None,
            external_system="Mosaic" if external else None,
            external_reference="CSC-1" if external else None,
            cin_closure_reason_code=closure,
        )
        self._try(lambda: step(self.record, request))

    @rule(
        role=st.sampled_from(AllocationRole),
        sw=st.booleans(),
        chosen=st.sampled_from([None, True, False]),
    )
    def allocate(self, role: AllocationRole, sw: bool, chosen: bool | None) -> None:
        self._try(
            lambda: self.record.allocate(
                role,
                person(social_worker=sw),
                on=self.day,
                episode_open=True,
                requested_on=REQUESTED_ON,
                new_id=uuid.uuid4(),
                chosen_with_family=chosen,
            )
        )

    @precondition(lambda self: bool(self.record.current()))
    @rule(data=st.data())
    def end_one(self, data: st.DataObject) -> None:
        chosen = data.draw(st.sampled_from(self.record.current()))
        self._try(
            lambda: self.record.end_allocation(
                chosen.id, on=self.day, reason=None, episode_open=True
            )
        )

    @invariant()
    def one_holder_of_each_lead_role(self) -> None:
        for role in (
            AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
            AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
        ):
            assert len(self.record.current(role)) <= 1

    @invariant()
    def early_help_has_no_basis(self) -> None:
        if self.record.episode_type is EpisodeType.EARLY_HELP:
            assert self.record.statutory_basis is StatutoryBasis.NONE

    @invariant()
    def the_basis_has_its_social_workers(self) -> None:
        last = self.record.transitions[-1] if self.record.transitions else None
        if last is None or last.kind is not TransitionKind.STEP_ACROSS:
            return  # the statutory work is held in another system (or there is none)
        basis = self.record.statutory_basis
        if basis is StatutoryBasis.S47:
            assert self.record.current(AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER)
        if basis is StatutoryBasis.S17:
            assert any(
                a.role in (AllocationRole.OVERSIGHT_MANAGER, AllocationRole.PRACTICE_SUPERVISOR)
                for a in self.record.current()
            )

    @invariant()
    def statutory_work_is_in_the_census(self) -> None:
        if self.record.statutory_basis is not StatutoryBasis.NONE:
            assert self.record.census.referral_on is not None
            assert self.record.census.closed_on is None

    @invariant()
    def transitions_in_date_order(self) -> None:
        days = [t.effective_on for t in self.record.transitions]
        assert days == sorted(days)


FamilyHelpMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25)
TestFamilyHelpMachine = FamilyHelpMachine.TestCase


def test_a_lead_moved_to_child_protection_keeps_working_in_every_order() -> None:
    """Whatever the lead's start, moving to s47 leaves them a current co-worker."""

    @given(st.integers(0, 30))
    def check(days: int) -> None:
        r = record()
        step(r, ask(effective_on=REQUESTED_ON + timedelta(days=days)))
        step(
            r,
            ask(
                to_basis=StatutoryBasis.S47,
                effective_on=REQUESTED_ON + timedelta(days=days + 1),
                lead_child_protection_practitioner=SOCIAL_WORKER,
            ),
        )
        assume(r.statutory_basis is StatutoryBasis.S47)
        assert (LEAD.practitioner_id, AllocationRole.CO_WORKER) in current_roles(r)
        assert not r.current(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER)

    check()


# --- who may do it ---------------------------------------------------------------------------------


class TestAccess:
    """The Family Help actions in the access rules (app/domain/access.py)."""

    @staticmethod
    def decide_on_episode(principal: Principal, action: Action, lead: uuid.UUID) -> Visibility:
        return decide(
            principal,
            action,
            matrix.record(matrix.episode(lead_practitioner_id=lead)),
            today=matrix.TODAY,
            episode_id=matrix.EPISODE,
        ).visibility

    @pytest.mark.parametrize(
        ("roles", "leads", "step", "allocate"),
        [
            ({Role.PRACTITIONER}, True, Visibility.ALLOWED, Visibility.FORBIDDEN),
            ({Role.MANAGER}, False, Visibility.ALLOWED, Visibility.ALLOWED),
            ({Role.PRACTITIONER}, False, Visibility.HIDDEN, Visibility.HIDDEN),
            ({Role.QUALITY_ASSURANCE}, False, Visibility.HIDDEN, Visibility.HIDDEN),
            ({Role.REPORTING}, False, Visibility.HIDDEN, Visibility.HIDDEN),
        ],
    )
    def test_the_lead_records_steps_and_only_managers_allocate(
        self, roles: set[Role], leads: bool, step: Visibility, allocate: Visibility
    ) -> None:
        who = matrix.principal(*roles)
        lead = matrix.ME if leads else matrix.OTHER_PRACTITIONER
        assert self.decide_on_episode(who, Action.STEP_ACROSS, lead) is step
        assert self.decide_on_episode(who, Action.ALLOCATE_PRACTITIONERS, lead) is allocate

    @pytest.mark.parametrize(
        ("role", "allowed"),
        [
            (Role.REPORTING, True),
            (Role.MANAGER, True),
            (Role.AUDITOR, False),
            (Role.PRACTITIONER, False),
            (Role.ADMIN, False),
        ],
    )
    def test_the_child_level_census_goes_to_the_reporting_account_and_managers_only(
        self, role: Role, allowed: bool
    ) -> None:
        decision = decide(
            matrix.principal(role), Action.EXPORT_CIN_CENSUS, None, today=matrix.TODAY
        )
        assert decision.allowed is allowed


class TestFollowingTheEpisodeHandover:
    def test_the_role_follows_the_lead_professional(self) -> None:
        r = record()
        newcomer = person()
        handed = r.follow_lead_handover(newcomer, on=date(2026, 2, 1), new_id=uuid.uuid4())
        assert handed is not None
        assert r.holder(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) == newcomer.practitioner_id
        assert r.follow_lead_handover(newcomer, on=date(2026, 2, 1), new_id=uuid.uuid4()) is None

    def test_on_s47_the_co_working_former_lead_is_left_as_they_are(self) -> None:
        r = record()
        step(r, ask())
        step(
            r,
            ask(
                to_basis=StatutoryBasis.S47,
                effective_on=date(2026, 3, 2),
                lead_child_protection_practitioner=SOCIAL_WORKER,
            ),
        )
        before = list(r.allocations)
        assert r.follow_lead_handover(person(), on=date(2026, 3, 3), new_id=uuid.uuid4()) is None
        assert r.allocations == before
