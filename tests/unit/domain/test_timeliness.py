"""Timeliness rules: the four early help clocks, their status on a day, and versioned policy."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db.repositories.reference import england_and_wales_calendar
from app.domain.calendar import DayBasis, WorkingCalendar
from app.domain.errors import InvalidValue
from app.domain.timeliness import (
    DEFAULT_POLICY,
    MAX_RULE_DAYS,
    DayCountRule,
    Deadline,
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    FirstTafClockStart,
    PolicyHistory,
    ReviewWindowRule,
    TimelinessPolicy,
    assess,
    assessment_deadline,
    check_new_policy_effective,
    first_taf_deadline,
    policy_for_report,
    quality_assurance_deadline,
    review_deadline,
    summary_period,
)

ENGLAND_AND_WALES = england_and_wales_calendar(2019, 2032)
NO_HOLIDAYS = WorkingCalendar(bank_holidays=frozenset())

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
calendars = st.sampled_from([ENGLAND_AND_WALES, NO_HOLIDAYS])
due_soon_days = st.integers(min_value=0, max_value=10)


@st.composite
def deadlines(draw: st.DrawFn) -> Deadline:
    """Any valid deadline, met and stopped or not, with events on or after the clock start."""
    start = draw(dates)
    due_on = start + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
    due_from = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=due_on)))
    after_start = st.dates(min_value=start, max_value=due_on + timedelta(days=30))
    return Deadline(
        kind=draw(st.sampled_from(DeadlineKind)),
        started_on=start,
        due_on=due_on,
        due_from=due_from,
        policy_version=draw(st.integers(min_value=1, max_value=5)),
        met_on=draw(st.one_of(st.none(), after_start)),
        stopped_on=draw(st.one_of(st.none(), after_start)),
    )


@st.composite
def day_count_rules(draw: st.DrawFn, *, may_disable: bool) -> DayCountRule:
    return DayCountRule(
        days=draw(st.integers(min_value=1, max_value=MAX_RULE_DAYS)),
        basis=draw(st.sampled_from(DayBasis)),
        enabled=draw(st.booleans()) if may_disable else True,
    )


@st.composite
def policies(draw: st.DrawFn) -> TimelinessPolicy:
    earliest = draw(st.integers(min_value=1, max_value=MAX_RULE_DAYS))
    latest = draw(st.integers(min_value=earliest, max_value=MAX_RULE_DAYS))
    return TimelinessPolicy(
        version=draw(st.integers(min_value=1, max_value=10_000)),
        effective_from=draw(st.dates()),
        assessment=draw(day_count_rules(may_disable=False)),
        first_taf=draw(day_count_rules(may_disable=False)),
        quality_assurance=draw(day_count_rules(may_disable=True)),
        review=ReviewWindowRule(earliest, latest, draw(st.sampled_from(DayBasis))),
        first_taf_clock_start=draw(st.sampled_from(FirstTafClockStart)),
        due_soon_days=draw(st.integers(min_value=0, max_value=MAX_RULE_DAYS)),
        no_contact_working_days=draw(st.integers(min_value=1, max_value=MAX_RULE_DAYS)),
        screening_decision=draw(day_count_rules(may_disable=False)),
    )


def unmet(deadline: Deadline) -> Deadline:
    return replace(deadline, met_on=None, stopped_on=None)


def _state(status: DeadlineStatus, days_overdue: int, days_until_due: int | None) -> DeadlineState:
    return DeadlineState(status, days_overdue, days_until_due, early=False)


class TestAssessmentDeadline:
    def test_assessment_due_20_working_days_after_consent_skips_christmas_bank_holidays(
        self,
    ) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        assert deadline == Deadline(
            kind=DeadlineKind.ASSESSMENT,
            started_on=date(2024, 12, 2),
            due_on=date(2025, 1, 2),
            due_from=None,
            policy_version=1,
        )

    def test_submitting_on_day_20_is_on_time_and_on_day_21_is_one_day_late(self) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        on_day_20 = assess(deadline.met(date(2025, 1, 2)), date(2025, 1, 10), due_soon_days=5)
        on_day_21 = assess(deadline.met(date(2025, 1, 3)), date(2025, 1, 10), due_soon_days=5)
        assert on_day_20.status is DeadlineStatus.MET_ON_TIME
        assert on_day_21.status is DeadlineStatus.MET_LATE
        assert on_day_21.days_overdue == 1

    def test_a_calendar_day_policy_puts_the_assessment_due_on_sunday_22_december(self) -> None:
        policy = replace(DEFAULT_POLICY, assessment=DayCountRule(20, DayBasis.CALENDAR))
        deadline = assessment_deadline(date(2024, 12, 2), policy, ENGLAND_AND_WALES)
        assert deadline.due_on == date(2024, 12, 22)


class TestFirstTafDeadline:
    def test_first_taf_due_10_working_days_after_qa_approval_skips_easter_and_may_day(
        self,
    ) -> None:
        # Approved Thu 17 Apr 2025: Good Friday, Easter Monday and 5 May are not counted.
        deadline = first_taf_deadline(date(2025, 4, 17), DEFAULT_POLICY, ENGLAND_AND_WALES)
        assert deadline.kind is DeadlineKind.FIRST_TAF
        assert deadline.started_on == date(2025, 4, 17)
        assert deadline.due_on == date(2025, 5, 6)
        assert deadline.due_from is None

    def test_the_first_taf_clock_starts_at_approval_by_default(self) -> None:
        assert DEFAULT_POLICY.first_taf_clock_start is FirstTafClockStart.APPROVAL


class TestQualityAssuranceDeadline:
    def test_qa_decision_due_5_working_days_after_submission(self) -> None:
        deadline = quality_assurance_deadline(date(2024, 12, 23), DEFAULT_POLICY, ENGLAND_AND_WALES)
        assert deadline is not None
        assert deadline.kind is DeadlineKind.QUALITY_ASSURANCE
        assert deadline.due_on == date(2025, 1, 2)

    def test_a_disabled_qa_turnaround_sets_no_deadline(self) -> None:
        policy = replace(
            DEFAULT_POLICY, quality_assurance=DayCountRule(5, DayBasis.WORKING, enabled=False)
        )
        assert quality_assurance_deadline(date(2024, 12, 23), policy, ENGLAND_AND_WALES) is None


class TestReviewDeadline:
    def test_next_review_is_due_from_4_weeks_and_overdue_after_6_weeks(self) -> None:
        deadline = review_deadline(date(2025, 1, 6), DEFAULT_POLICY, ENGLAND_AND_WALES)
        assert deadline.kind is DeadlineKind.REVIEW
        assert deadline.due_from == date(2025, 2, 3)
        assert deadline.due_on == date(2025, 2, 17)

    @given(meeting=dates, calendar=calendars)
    def test_the_review_window_always_lies_28_to_42_calendar_days_after_the_previous_meeting(
        self, meeting: date, calendar: WorkingCalendar
    ) -> None:
        deadline = review_deadline(meeting, DEFAULT_POLICY, calendar)
        assert deadline.due_from is not None
        assert (deadline.due_from - meeting).days == 28
        assert (deadline.due_on - meeting).days == 42

    @pytest.mark.parametrize(
        ("day", "status", "early", "days_overdue"),
        [
            (1, DeadlineStatus.MET_ON_TIME, True, 0),
            (27, DeadlineStatus.MET_ON_TIME, True, 0),
            (28, DeadlineStatus.MET_ON_TIME, False, 0),
            (42, DeadlineStatus.MET_ON_TIME, False, 0),
            (43, DeadlineStatus.MET_LATE, False, 1),
            (50, DeadlineStatus.MET_LATE, False, 8),
        ],
    )
    def test_a_review_before_day_28_is_early_day_42_is_on_time_and_later_is_late(
        self, day: int, status: DeadlineStatus, early: bool, days_overdue: int
    ) -> None:
        meeting = date(2025, 1, 6)
        deadline = review_deadline(meeting, DEFAULT_POLICY, ENGLAND_AND_WALES)
        held = meeting + timedelta(days=day)
        state = assess(deadline.met(held), held, due_soon_days=5)
        assert state.status is status
        assert state.early is early
        assert state.days_overdue == days_overdue
        assert state.days_until_due is None


class TestAssess:
    def test_an_unmet_deadline_counts_days_until_due_and_days_overdue_in_calendar_days(
        self,
    ) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        assert assess(deadline, date(2024, 12, 20), 5) == _state(DeadlineStatus.ON_TIME, 0, 13)
        assert assess(deadline, date(2024, 12, 28), 5) == _state(DeadlineStatus.DUE_SOON, 0, 5)
        assert assess(deadline, date(2025, 1, 2), 5) == _state(DeadlineStatus.DUE_SOON, 0, 0)
        assert assess(deadline, date(2025, 1, 3), 5) == _state(DeadlineStatus.OVERDUE, 1, -1)
        assert assess(deadline, date(2025, 1, 6), 5) == _state(DeadlineStatus.OVERDUE, 4, -4)

    def test_a_stopped_clock_that_was_not_met_is_stopped(self) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        stopped = deadline.stopped(date(2024, 12, 10))
        assert assess(stopped, date(2025, 2, 1), 5) == _state(DeadlineStatus.STOPPED, 0, None)

    def test_a_met_deadline_stays_met_when_its_clock_is_stopped_later(self) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        met_then_stopped = deadline.met(date(2024, 12, 20)).stopped(date(2025, 1, 10))
        assert assess(met_then_stopped, date(2025, 2, 1), 5).status is DeadlineStatus.MET_ON_TIME

    def test_asking_about_a_date_before_the_deadline_was_met_treats_it_as_unmet(self) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        met_late = deadline.met(date(2025, 1, 10))
        assert assess(met_late, date(2025, 1, 6), 5).status is DeadlineStatus.OVERDUE
        assert assess(met_late, date(2025, 1, 10), 5).status is DeadlineStatus.MET_LATE

    def test_asking_about_a_date_before_the_clock_was_stopped_ignores_the_stop(self) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        stopped = deadline.stopped(date(2025, 1, 10))
        assert assess(stopped, date(2025, 1, 6), 5).status is DeadlineStatus.OVERDUE
        assert assess(stopped, date(2025, 1, 10), 5).status is DeadlineStatus.STOPPED

    def test_a_negative_due_soon_window_is_refused(self) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        with pytest.raises(InvalidValue) as error:
            assess(deadline, date(2024, 12, 20), -1)
        assert error.value.field == "due_soon_days"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"due_on": date(2024, 12, 1)}, "due_on"),
            ({"due_from": date(2025, 1, 3)}, "due_from"),
            ({"met_on": date(2024, 12, 1)}, "met_on"),
            ({"stopped_on": date(2024, 12, 1)}, "stopped_on"),
            ({"policy_version": 0}, "policy_version"),
        ],
    )
    def test_a_deadline_with_events_before_its_clock_started_is_refused(
        self, changes: dict[str, Any], field: str
    ) -> None:
        deadline = assessment_deadline(date(2024, 12, 2), DEFAULT_POLICY, ENGLAND_AND_WALES)
        with pytest.raises(InvalidValue) as error:
            replace(deadline, **changes)
        assert error.value.field == field

    @given(deadline=deadlines(), as_of=dates, soon=due_soon_days)
    def test_a_deadline_is_overdue_exactly_when_as_of_is_after_the_due_date_and_it_is_not_met(
        self, deadline: Deadline, as_of: date, soon: int
    ) -> None:
        met = deadline.met_on is not None and deadline.met_on <= as_of
        stopped = deadline.stopped_on is not None and deadline.stopped_on <= as_of
        state = assess(deadline, as_of, soon)
        expected = as_of > deadline.due_on and not met and not stopped
        assert (state.status is DeadlineStatus.OVERDUE) is expected
        if expected:
            assert state.days_overdue == (as_of - deadline.due_on).days

    @given(deadline=deadlines(), as_of=dates, soon=due_soon_days)
    def test_a_met_deadline_is_on_time_exactly_when_met_by_the_due_date(
        self, deadline: Deadline, as_of: date, soon: int
    ) -> None:
        state = assess(deadline, as_of, soon)
        if deadline.met_on is not None and deadline.met_on <= as_of:
            on_time = deadline.met_on <= deadline.due_on
            assert state.status is (
                DeadlineStatus.MET_ON_TIME if on_time else DeadlineStatus.MET_LATE
            )
            assert state.days_until_due is None
            assert state.days_overdue == max(0, (deadline.met_on - deadline.due_on).days)
        else:
            assert state.status not in {DeadlineStatus.MET_ON_TIME, DeadlineStatus.MET_LATE}
            assert state.early is False

    @given(deadline=deadlines(), soon=due_soon_days)
    def test_status_goes_on_time_then_due_soon_then_overdue_exactly_once_as_time_passes(
        self, deadline: Deadline, soon: int
    ) -> None:
        deadline = unmet(deadline)
        days = (deadline.due_on - deadline.started_on).days + 10
        seen: list[DeadlineStatus] = []
        for offset in range(days + 1):
            as_of = deadline.started_on + timedelta(days=offset)
            status = assess(deadline, as_of, soon).status
            if not seen or seen[-1] is not status:
                seen.append(status)
            due_soon_from = deadline.due_on - timedelta(days=soon)
            if as_of > deadline.due_on:
                assert status is DeadlineStatus.OVERDUE
            elif as_of >= due_soon_from:
                assert status is DeadlineStatus.DUE_SOON
            else:
                assert status is DeadlineStatus.ON_TIME
        order = [DeadlineStatus.ON_TIME, DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE]
        assert seen == order[len(order) - len(seen) :]
        assert seen[-2:] == [DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE]


class TestPolicyValidation:
    def test_the_default_policy_follows_the_seed_digest_defaults(self) -> None:
        assert DEFAULT_POLICY.version == 1
        assert DEFAULT_POLICY.effective_from == date(2000, 1, 1)
        assert DEFAULT_POLICY.assessment == DayCountRule(20, DayBasis.WORKING)
        assert DEFAULT_POLICY.first_taf == DayCountRule(10, DayBasis.WORKING)
        assert DEFAULT_POLICY.quality_assurance == DayCountRule(5, DayBasis.WORKING)
        assert DEFAULT_POLICY.review == ReviewWindowRule(28, 42, DayBasis.CALENDAR)
        assert DEFAULT_POLICY.due_soon_days == 5

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"version": 0}, "version"),
            ({"assessment": DayCountRule(0, DayBasis.WORKING)}, "assessment.days"),
            ({"first_taf": DayCountRule(-1, DayBasis.WORKING)}, "first_taf.days"),
            ({"quality_assurance": DayCountRule(0, DayBasis.WORKING)}, "quality_assurance.days"),
            ({"assessment": DayCountRule(MAX_RULE_DAYS + 1, DayBasis.WORKING)}, "assessment.days"),
            ({"assessment": DayCountRule(20, "weeks")}, "assessment.basis"),  # type: ignore[arg-type]
            (
                {"assessment": DayCountRule(20, DayBasis.WORKING, enabled=False)},
                "assessment.enabled",
            ),
            (
                {"first_taf": DayCountRule(10, DayBasis.WORKING, enabled=False)},
                "first_taf.enabled",
            ),
            ({"review": ReviewWindowRule(earliest_days=0)}, "review.earliest_days"),
            ({"review": ReviewWindowRule(latest_days=-6)}, "review.latest_days"),
            ({"review": ReviewWindowRule(43, 42)}, "review.earliest_days"),
            ({"due_soon_days": -1}, "due_soon_days"),
            ({"first_taf_clock_start": "approved"}, "first_taf_clock_start"),
        ],
    )
    def test_an_invalid_policy_is_refused_naming_the_field(
        self, changes: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(InvalidValue) as error:
            replace(DEFAULT_POLICY, **changes)
        assert error.value.field == field

    def test_the_qa_turnaround_may_be_disabled_because_the_seeds_set_none(self) -> None:
        rule = DayCountRule(5, DayBasis.WORKING, enabled=False)
        assert replace(DEFAULT_POLICY, quality_assurance=rule).quality_assurance == rule

    def test_a_review_window_of_a_single_day_is_allowed(self) -> None:
        policy = replace(DEFAULT_POLICY, review=ReviewWindowRule(35, 35))
        deadline = review_deadline(date(2025, 1, 6), policy, ENGLAND_AND_WALES)
        assert deadline.due_from == deadline.due_on == date(2025, 2, 10)


class TestPolicySerialisation:
    @given(policy=policies())
    def test_a_policy_survives_a_round_trip_through_json(self, policy: TimelinessPolicy) -> None:
        stored = json.dumps(policy.to_dict())
        assert TimelinessPolicy.from_dict(json.loads(stored)) == policy

    def test_the_stored_form_uses_iso_dates_and_enum_values(self) -> None:
        assert DEFAULT_POLICY.to_dict() == {
            "version": 1,
            "effective_from": "2000-01-01",
            "assessment": {"days": 20, "basis": "working_days", "enabled": True},
            "first_taf": {"days": 10, "basis": "working_days", "enabled": True},
            "quality_assurance": {"days": 5, "basis": "working_days", "enabled": True},
            "review": {"earliest_days": 28, "latest_days": 42, "basis": "calendar_days"},
            "first_taf_clock_start": "approval",
            "due_soon_days": 5,
            "no_contact_working_days": 20,
            "screening_decision": {"days": 1, "basis": "working_days", "enabled": True},
        }

    def test_settings_left_out_take_their_defaults(self) -> None:
        stored = {"version": 1, "effective_from": "2000-01-01"}
        assert TimelinessPolicy.from_dict(stored) == DEFAULT_POLICY

    @pytest.mark.parametrize(
        ("path", "value", "field"),
        [
            (("version",), None, "version"),
            (("version",), "1", "version"),
            (("version",), True, "version"),
            (("effective_from",), None, "effective_from"),
            (("effective_from",), "1 April 2025", "effective_from"),
            (("effective_from",), 20250401, "effective_from"),
            (("assessment",), [20, "working_days"], "assessment"),
            (("assessment", "days"), None, "assessment.days"),
            (("assessment", "days"), "20", "assessment.days"),
            (("assessment", "days"), 20.5, "assessment.days"),
            (("assessment", "days"), True, "assessment.days"),
            (("assessment", "basis"), None, "assessment.basis"),
            (("assessment", "basis"), "weeks", "assessment.basis"),
            (("quality_assurance", "enabled"), "yes", "quality_assurance.enabled"),
            (("review",), "4-6 weeks", "review"),
            (("review", "earliest_days"), "28", "review.earliest_days"),
            (("review", "basis"), 7, "review.basis"),
            (("first_taf_clock_start",), "approved", "first_taf_clock_start"),
            (("due_soon_days",), -5, "due_soon_days"),
            (("due_soon_day",), 5, "due_soon_day"),
            (("review", "weeks"), 6, "review.weeks"),
        ],
    )
    def test_a_stored_policy_with_a_missing_or_wrong_value_is_refused_naming_the_field(
        self, path: tuple[str, ...], value: object, field: str
    ) -> None:
        stored = DEFAULT_POLICY.to_dict()
        parent = stored
        for key in path[:-1]:
            parent = parent[key]
        if value is None:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        with pytest.raises(InvalidValue) as error:
            TimelinessPolicy.from_dict(stored)
        assert error.value.field == field

    def test_a_stored_policy_that_is_not_an_object_is_refused(self) -> None:
        with pytest.raises(InvalidValue):
            TimelinessPolicy.from_dict([1, "2000-01-01"])  # type: ignore[arg-type]


SHORTER_FROM_2025 = TimelinessPolicy(
    version=2,
    effective_from=date(2025, 1, 1),
    assessment=DayCountRule(15, DayBasis.CALENDAR),
)


class TestPolicyHistory:
    def test_a_clock_uses_the_policy_in_force_on_the_day_it_started(self) -> None:
        history = PolicyHistory((DEFAULT_POLICY,)).with_new_version(SHORTER_FROM_2025)
        before = date(2024, 12, 31)
        after = date(2025, 1, 1)
        assert history.in_force_on(before) is DEFAULT_POLICY
        assert history.in_force_on(after) is SHORTER_FROM_2025
        old_clock = assessment_deadline(before, history.in_force_on(before), ENGLAND_AND_WALES)
        new_clock = assessment_deadline(after, history.in_force_on(after), ENGLAND_AND_WALES)
        assert (old_clock.policy_version, old_clock.due_on) == (1, date(2025, 1, 29))
        assert (new_clock.policy_version, new_clock.due_on) == (2, date(2025, 1, 16))

    @given(start=dates, calendar=calendars)
    def test_a_new_policy_changes_clocks_started_afterwards_and_not_before(
        self, start: date, calendar: WorkingCalendar
    ) -> None:
        original = PolicyHistory((DEFAULT_POLICY,))
        changed = original.with_new_version(SHORTER_FROM_2025)
        was = assessment_deadline(start, original.in_force_on(start), calendar)
        now = assessment_deadline(start, changed.in_force_on(start), calendar)
        if start < SHORTER_FROM_2025.effective_from:
            assert now == was
        else:
            assert now.policy_version == 2
            assert now.due_on == start + timedelta(days=15)

    def test_versions_taking_effect_on_the_same_day_resolve_to_the_higher_version(self) -> None:
        same_day = replace(SHORTER_FROM_2025, version=3)
        history = PolicyHistory((same_day, DEFAULT_POLICY, SHORTER_FROM_2025))
        assert history.in_force_on(date(2025, 6, 1)) is same_day

    def test_a_date_before_every_version_has_no_policy_in_force(self) -> None:
        with pytest.raises(InvalidValue):
            PolicyHistory((SHORTER_FROM_2025,)).in_force_on(date(2024, 12, 31))
        with pytest.raises(InvalidValue):
            PolicyHistory(()).in_force_on(date(2024, 12, 31))

    def test_a_new_version_must_be_numbered_above_the_existing_ones(self) -> None:
        history = PolicyHistory((DEFAULT_POLICY, SHORTER_FROM_2025))
        with pytest.raises(InvalidValue) as error:
            history.with_new_version(replace(SHORTER_FROM_2025, effective_from=date(2026, 1, 1)))
        assert error.value.field == "version"

    def test_a_new_version_cannot_take_effect_before_the_latest_one(self) -> None:
        history = PolicyHistory((DEFAULT_POLICY, SHORTER_FROM_2025))
        backdated = replace(SHORTER_FROM_2025, version=3, effective_from=date(2024, 6, 1))
        with pytest.raises(InvalidValue) as error:
            history.with_new_version(backdated)
        assert error.value.field == "effective_from"

    def test_adding_a_version_leaves_the_old_history_unchanged(self) -> None:
        history = PolicyHistory((DEFAULT_POLICY,))
        history.with_new_version(SHORTER_FROM_2025)
        assert history.versions == (DEFAULT_POLICY,)

    def test_duplicate_version_numbers_are_refused(self) -> None:
        with pytest.raises(InvalidValue) as error:
            PolicyHistory((DEFAULT_POLICY, replace(SHORTER_FROM_2025, version=1)))
        assert error.value.field == "versions"


class TestTheManagersViews:
    @given(as_of=dates)
    def test_the_summary_covers_the_three_months_before_the_day_by_default(
        self, as_of: date
    ) -> None:
        start, end = summary_period(as_of, None, None)
        assert end == as_of - timedelta(days=1)
        assert start <= end
        assert 89 <= (as_of - start).days <= 92  # three calendar months, however long

    @given(as_of=dates, start=dates, end=dates)
    def test_a_chosen_period_is_kept_unless_it_ends_before_it_starts(
        self, as_of: date, start: date, end: date
    ) -> None:
        if start > end:
            with pytest.raises(InvalidValue) as refused:
                summary_period(as_of, start, end)
            assert refused.value.field == "from"
        else:
            assert summary_period(as_of, start, end) == (start, end)

    def test_a_day_before_every_policy_is_refused_naming_as_of(self) -> None:
        history = PolicyHistory((DEFAULT_POLICY,))
        assert policy_for_report(history, date(2025, 3, 3)) == DEFAULT_POLICY
        with pytest.raises(InvalidValue) as refused:
            policy_for_report(history, date(1999, 12, 31))
        assert refused.value.field == "as_of"

    @given(today=dates, offset=st.integers(min_value=-30, max_value=30))
    def test_a_new_version_takes_effect_today_or_later(self, today: date, offset: int) -> None:
        policy = replace(DEFAULT_POLICY, effective_from=today + timedelta(days=offset))
        if offset < 0:
            with pytest.raises(InvalidValue) as refused:
                check_new_policy_effective(policy, today)
            assert refused.value.field == "effective_from"
        else:
            check_new_policy_effective(policy, today)
