"""The front door's rules: a request's screening clock, its decision, and who reads or screens it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db.repositories.reference import england_and_wales_calendar
from app.domain.access import (
    Action,
    EpisodeFacts,
    Principal,
    RequestFacts,
    Role,
    Visibility,
    decide_request,
    may_read_sensitive_request_document,
    request_scope,
)
from app.domain.calendar import DayBasis
from app.domain.errors import IllegalTransition, InvalidValue
from app.domain.requests import (
    NewChild,
    NewHousehold,
    Referrer,
    ReferrerKind,
    RequestCorrection,
    ScreeningDecision,
    ScreeningOutcome,
    SupportRequest,
    Urgency,
    correct_request,
    decision_due_on,
    overdue_on,
    receive_request,
)
from app.domain.timeliness import DEFAULT_POLICY, DayCountRule, DeadlineStatus, TimelinessPolicy

ENGLAND_AND_WALES = england_and_wales_calendar(2019, 2032)
AT = datetime(2025, 1, 6, 9, tzinfo=UTC)
MONDAY = date(2025, 1, 6)
OFFICER = uuid.uuid4()
days_in_range = st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 6, 30))


def make_request(received_on: date = MONDAY, **overrides: Any) -> SupportRequest:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "received_on": received_on,
        "today": max(received_on, MONDAY),
        "recorded_at": AT,
        "created_by_practitioner_id": uuid.uuid4(),
        "referrer": Referrer(ReferrerKind.AGENCY, agency_code="SCHOOL"),
        "asked_for": "Help with routines",
        "reason": "Attendance 80%",
        "family_agreed": True,
        "urgency": Urgency.ROUTINE,
        "policy": DEFAULT_POLICY,
        "calendar": ENGLAND_AND_WALES,
        "household": NewHousehold("3 Elm Street", "FY1 1AA", (NewChild("Mia", "Price"),)),
    }
    fields.update(overrides)
    return receive_request(**fields)


def decision(
    outcome: ScreeningOutcome = ScreeningOutcome.SIGNPOST, **overrides: Any
) -> ScreeningDecision:
    fields: dict[str, Any] = {
        "outcome": outcome,
        "decided_on": MONDAY,
        "reason": "Parenting group",
        "decided_by": OFFICER,
        "recorded_at": AT,
    }
    fields.update(overrides)
    return ScreeningDecision(**fields)


class TestTheScreeningClock:
    def test_a_request_received_on_friday_is_due_on_monday(self) -> None:
        assert make_request(date(2025, 1, 10)).decision_due_on == date(2025, 1, 13)

    def test_the_christmas_bank_holidays_are_skipped(self) -> None:
        assert decision_due_on(date(2024, 12, 24), DEFAULT_POLICY, ENGLAND_AND_WALES) == date(
            2024, 12, 27
        )

    @given(received_on=days_in_range)
    def test_the_decision_is_due_on_the_next_working_day_by_default(
        self, received_on: date
    ) -> None:
        due = decision_due_on(received_on, DEFAULT_POLICY, ENGLAND_AND_WALES)
        assert due > received_on
        assert ENGLAND_AND_WALES.is_working_day(due)
        between = [received_on + timedelta(days=n) for n in range(1, (due - received_on).days)]
        assert not any(ENGLAND_AND_WALES.is_working_day(d) for d in between)

    @given(received_on=days_in_range, days=st.integers(min_value=1, max_value=30))
    def test_the_policy_sets_the_days_and_their_basis(self, received_on: date, days: int) -> None:
        policy = TimelinessPolicy(
            version=2,
            effective_from=date(2000, 1, 1),
            screening_decision=DayCountRule(days, DayBasis.CALENDAR),
        )
        assert decision_due_on(received_on, policy, ENGLAND_AND_WALES) == received_on + timedelta(
            days=days
        )

    @given(received_on=days_in_range, after=st.integers(min_value=0, max_value=20))
    def test_awaiting_a_decision_is_overdue_only_after_its_due_day(
        self, received_on: date, after: int
    ) -> None:
        request = make_request(received_on, today=received_on)
        as_of = received_on + timedelta(days=after)
        assert overdue_on(request, as_of) is (as_of > request.decision_due_on)

    @given(received_on=days_in_range, late_by=st.integers(min_value=0, max_value=10))
    def test_a_decision_meets_the_clock_on_time_or_late_never_overdue(
        self, received_on: date, late_by: int
    ) -> None:
        request = make_request(received_on, today=received_on)
        decided_on = request.decision_due_on + timedelta(days=late_by)
        request.screen(decision(decided_on=decided_on), today=decided_on)
        state = request.clock(decided_on + timedelta(days=30), 0)
        assert state.status is (DeadlineStatus.MET_LATE if late_by else DeadlineStatus.MET_ON_TIME)
        assert not overdue_on(request, decided_on + timedelta(days=30))

    def test_the_policy_refuses_to_switch_the_screening_clock_off(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            TimelinessPolicy(
                version=2,
                effective_from=date(2000, 1, 1),
                screening_decision=DayCountRule(1, DayBasis.WORKING, enabled=False),
            )
        assert refused.value.field == "screening_decision.enabled"

    def test_a_stored_policy_without_the_setting_reads_the_default(self) -> None:
        stored = {"version": 1, "effective_from": "2000-01-01"}
        rule = TimelinessPolicy.from_dict(stored).screening_decision
        assert rule == DayCountRule(1, DayBasis.WORKING)


class TestReceiving:
    def test_a_request_cannot_be_dated_in_the_future(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            make_request(MONDAY + timedelta(days=1), today=MONDAY)
        assert refused.value.code == "step_date_in_future"

    def test_it_names_a_family_or_describes_a_household_never_neither(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            make_request(household=None)
        assert refused.value.code == "request_household_ambiguous"

    def test_a_family_named_by_id_needs_its_children(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            make_request(household=None, family_id=uuid.uuid4())
        assert refused.value.field == "child_person_ids"

    def test_an_agency_request_names_the_agency_and_a_self_referral_none(self) -> None:
        with pytest.raises(InvalidValue):
            Referrer(ReferrerKind.AGENCY)
        with pytest.raises(InvalidValue):
            Referrer(ReferrerKind.SELF_REFERRAL, agency_code="SCHOOL")


class TestScreening:
    @given(before=st.integers(min_value=1, max_value=60))
    def test_a_decision_dated_before_receipt_is_refused(self, before: int) -> None:
        request = make_request()
        with pytest.raises(InvalidValue) as refused:
            request.screen(decision(decided_on=MONDAY - timedelta(days=before)), today=MONDAY)
        assert refused.value.code == "decision_before_receipt"
        assert request.decision is None

    def test_a_decision_dated_after_today_is_refused(self) -> None:
        request = make_request()
        with pytest.raises(InvalidValue) as refused:
            request.screen(decision(decided_on=MONDAY + timedelta(days=1)), today=MONDAY)
        assert refused.value.field == "decided_on"

    def test_a_step_up_carries_its_reference_and_only_a_step_up_does(self) -> None:
        with pytest.raises(InvalidValue) as missing:
            make_request().screen(decision(ScreeningOutcome.STEP_UP), today=MONDAY)
        with pytest.raises(InvalidValue) as stray:
            make_request().screen(decision(step_up_reference="CSC-1"), today=MONDAY)
        assert missing.value.code == "step_up_reference_required"
        assert stray.value.code == "step_up_reference_not_step_up"

    def test_a_request_is_screened_once(self) -> None:
        request = make_request()
        request.screen(decision(), today=MONDAY)
        with pytest.raises(IllegalTransition):
            request.screen(decision(ScreeningOutcome.NO_FURTHER_ACTION), today=MONDAY)


# --- who reads and screens a request ---------------------------------------------------------

ME = uuid.uuid4()
HUB = uuid.uuid4()


def principal(*roles: Role, **overrides: Any) -> Principal:
    fields: dict[str, Any] = {
        "practitioner_id": ME,
        "agency_code": "SCHOOL",
        "roles": frozenset(roles),
        "hub_ids": frozenset({HUB}),
    }
    fields.update(overrides)
    return Principal(**fields)


def facts(*, made_by_me: bool = False, lead: bool = False, in_my_hub: bool = False) -> RequestFacts:
    episode = None
    if lead or in_my_hub:
        episode = EpisodeFacts(
            episode_id=uuid.uuid4(),
            hub_id=HUB if in_my_hub else uuid.uuid4(),
            lead_practitioner_id=ME if lead else uuid.uuid4(),
        )
    return RequestFacts(uuid.uuid4(), ME if made_by_me else uuid.uuid4(), episode)


ALLOWED, FORBIDDEN, HIDDEN = Visibility.ALLOWED, Visibility.FORBIDDEN, Visibility.HIDDEN


# Read, screen, acknowledge; attach a document to it; erase a document attached to it.
_R, _S, _A, _D, _E = (
    Action.READ_REQUEST,
    Action.SCREEN_REQUEST,
    Action.ACKNOWLEDGE_REQUEST,
    Action.ATTACH_REQUEST_DOCUMENT,
    Action.ERASE_DOCUMENT,
)


@pytest.mark.parametrize(
    ("who", "facts_of", "read", "screen", "acknowledge", "attach", "erase"),
    [
        (
            principal(Role.FRONT_DOOR_OFFICER),
            facts(),
            ALLOWED,
            ALLOWED,
            FORBIDDEN,
            ALLOWED,
            FORBIDDEN,
        ),
        (principal(Role.MANAGER), facts(), ALLOWED, ALLOWED, FORBIDDEN, ALLOWED, ALLOWED),
        (
            principal(Role.PRACTITIONER),
            facts(made_by_me=True),
            ALLOWED,
            FORBIDDEN,
            FORBIDDEN,
            ALLOWED,
            FORBIDDEN,
        ),
        (
            principal(Role.PRACTITIONER),
            facts(lead=True),
            ALLOWED,
            FORBIDDEN,
            ALLOWED,
            FORBIDDEN,
            FORBIDDEN,
        ),
        (
            principal(Role.PRACTITIONER),
            facts(in_my_hub=True),
            HIDDEN,
            HIDDEN,
            HIDDEN,
            HIDDEN,
            HIDDEN,
        ),
        (principal(Role.PRACTITIONER), facts(), HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        (
            principal(Role.LINK_WORKER),
            facts(in_my_hub=True),
            ALLOWED,
            FORBIDDEN,
            FORBIDDEN,
            FORBIDDEN,
            FORBIDDEN,
        ),
        (principal(Role.LINK_WORKER), facts(lead=True), HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        (
            principal(Role.QUALITY_ASSURANCE),
            facts(made_by_me=True),
            ALLOWED,
            FORBIDDEN,
            FORBIDDEN,
            ALLOWED,
            FORBIDDEN,
        ),
        (principal(Role.ADMIN), facts(made_by_me=True), HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        (principal(Role.AUDITOR), facts(), HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        (principal(Role.REPORTING, Role.MANAGER), facts(), HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        (
            principal(Role.FRONT_DOOR_OFFICER, active=False),
            facts(),
            HIDDEN,
            HIDDEN,
            HIDDEN,
            HIDDEN,
            HIDDEN,
        ),
        (principal(Role.MANAGER), None, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    ],
)
def test_who_reads_screens_and_acknowledges_a_request_and_adds_or_erases_its_documents(
    who: Principal,
    facts_of: RequestFacts | None,
    read: Visibility,
    screen: Visibility,
    acknowledge: Visibility,
    attach: Visibility,
    erase: Visibility,
) -> None:
    decided = [decide_request(who, action, facts_of).visibility for action in (_R, _S, _A, _D, _E)]
    assert decided == [read, screen, acknowledge, attach, erase]


@given(
    roles=st.frozensets(st.sampled_from(Role), max_size=3),
    active=st.booleans(),
    made_by_me=st.booleans(),
    lead=st.booleans(),
    in_my_hub=st.booleans(),
    named=st.booleans(),
)
def test_a_sensitive_document_on_a_request_opens_only_for_a_reader_of_the_request(
    roles: frozenset[Role],
    active: bool,
    made_by_me: bool,
    lead: bool,
    in_my_hub: bool,
    named: bool,
) -> None:
    """Naming someone grants nothing by itself; managers and the linked episode's lead open it
    without being named."""
    who = principal(*roles, active=active)
    request = facts(made_by_me=made_by_me, lead=lead, in_my_hub=in_my_hub)
    opens = may_read_sensitive_request_document(
        who, request, named_practitioner_ids=frozenset({ME} if named else ())
    )
    reads = decide_request(who, Action.READ_REQUEST, request).allowed
    if opens:
        assert reads
    if reads:
        leads = lead and Role.PRACTITIONER in roles
        assert opens == (named or Role.MANAGER in roles or leads)


def test_decide_request_refuses_an_action_that_is_not_about_a_request() -> None:
    with pytest.raises(ValueError, match="not an action on a request"):
        decide_request(principal(Role.MANAGER), Action.READ_FAMILY, facts())


@given(
    roles=st.frozensets(st.sampled_from(Role), max_size=3),
    active=st.booleans(),
    made_by_me=st.booleans(),
    lead=st.booleans(),
    in_my_hub=st.booleans(),
)
def test_the_list_scope_holds_exactly_the_requests_the_rules_let_one_read(
    roles: frozenset[Role], active: bool, made_by_me: bool, lead: bool, in_my_hub: bool
) -> None:
    """`request_scope` is what the SQL pages within: it must agree with `decide_request`."""
    who = principal(*roles, active=active)
    request = facts(made_by_me=made_by_me, lead=lead, in_my_hub=in_my_hub)
    scope = request_scope(who)
    episode = request.episode
    in_scope = scope.everything or (
        request.created_by_practitioner_id == scope.created_by
        or (episode is not None and episode.lead_practitioner_id == scope.led_by)
        or (episode is not None and episode.hub_id in scope.hub_ids)
    )
    assert in_scope is decide_request(who, Action.READ_REQUEST, request).allowed


# --- correcting a request before it is screened ------------------------------------------------


def correct(request: SupportRequest, today: date = MONDAY, **fields: Any) -> None:
    correct_request(
        request,
        RequestCorrection(**fields),
        today=today,
        policy=DEFAULT_POLICY,
        calendar=ENGLAND_AND_WALES,
    )


class TestCorrectingARequest:
    @given(received=days_in_range, corrected=days_in_range)
    def test_a_new_day_of_receipt_moves_the_decision_clock_with_it(
        self, received: date, corrected: date
    ) -> None:
        request = make_request(received, today=max(received, corrected))
        correct(request, today=max(received, corrected), received_on=corrected)
        assert request.received_on == corrected
        assert request.decision_due_on == decision_due_on(
            corrected, DEFAULT_POLICY, ENGLAND_AND_WALES
        )

    def test_a_request_received_on_friday_and_recorded_on_monday_is_due_on_monday(self) -> None:
        request = make_request(MONDAY)
        correct(request, received_on=MONDAY - timedelta(days=3))
        assert request.decision_due_on == MONDAY

    def test_the_day_of_receipt_cannot_be_moved_into_the_future(self) -> None:
        request = make_request(MONDAY)
        with pytest.raises(InvalidValue) as refused:
            correct(request, received_on=MONDAY + timedelta(days=1))
        assert refused.value.field == "received_on"
        assert request.received_on == MONDAY

    def test_a_screened_request_stays_as_the_front_door_decided_on_it(self) -> None:
        request = make_request(MONDAY)
        request.screen(decision(), today=MONDAY)
        with pytest.raises(IllegalTransition) as refused:
            correct(request, reason="Something else")
        assert refused.value.code == "request_screened_not_editable"
        assert request.reason == "Attendance 80%"

    def test_a_described_household_is_corrected_as_a_household_not_by_child_ids(self) -> None:
        described = make_request(MONDAY)
        with pytest.raises(InvalidValue) as refused:
            correct(described, child_person_ids=(uuid.uuid4(),))
        assert refused.value.field == "child_person_ids"
        correct(
            described,
            household=NewHousehold("4 Elm Street", "FY1 1AA", (NewChild("Mia", "Price"),)),
        )
        assert described.household is not None
        assert described.household.address_line1 == "4 Elm Street"

    def test_a_registered_household_keeps_at_least_one_child_and_takes_no_description(
        self,
    ) -> None:
        child = uuid.uuid4()
        about_family = make_request(
            MONDAY, household=None, family_id=uuid.uuid4(), child_person_ids=(child,)
        )
        with pytest.raises(InvalidValue) as no_child:
            correct(about_family, child_person_ids=())
        assert no_child.value.field == "child_person_ids"
        with pytest.raises(InvalidValue) as described:
            correct(
                about_family, household=NewHousehold("1 Elm St", "FY1 1AA", (NewChild("A", "B"),))
            )
        assert described.value.field == "household"
        assert about_family.child_person_ids == (child,)

    def test_only_the_fields_given_change(self) -> None:
        request = make_request(MONDAY)
        correct(request, urgency=Urgency.URGENT)
        assert (request.urgency, request.reason, request.asked_for, request.family_agreed) == (
            Urgency.URGENT,
            "Attendance 80%",
            "Help with routines",
            True,
        )
        assert request.decision_due_on == decision_due_on(MONDAY, DEFAULT_POLICY, ENGLAND_AND_WALES)


class TestWhoCorrectsARequest:
    @pytest.mark.parametrize(
        ("who", "facts_of", "expected"),
        [
            (principal(Role.FRONT_DOOR_OFFICER), facts(), ALLOWED),
            (principal(Role.MANAGER), facts(), ALLOWED),
            (principal(Role.PRACTITIONER), facts(made_by_me=True), ALLOWED),
            (principal(Role.LINK_WORKER), facts(made_by_me=True), ALLOWED),
            (principal(Role.PRACTITIONER), facts(lead=True), FORBIDDEN),
            (principal(Role.LINK_WORKER), facts(in_my_hub=True), FORBIDDEN),
            (principal(Role.PRACTITIONER), facts(), HIDDEN),
            (principal(Role.ADMIN), facts(made_by_me=True), HIDDEN),
            (principal(Role.REPORTING, Role.MANAGER), facts(), HIDDEN),
            (principal(Role.PRACTITIONER, active=False), facts(made_by_me=True), HIDDEN),
        ],
    )
    def test_the_front_door_and_whoever_made_it(
        self, who: Principal, facts_of: RequestFacts, expected: Visibility
    ) -> None:
        assert decide_request(who, Action.EDIT_REQUEST, facts_of).visibility is expected
