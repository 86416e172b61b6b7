"""Working and calendar day counting, with real England and Wales bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db.repositories.reference import england_and_wales_calendar, packaged_calendar
from app.domain.calendar import DayBasis, WorkingCalendar
from app.domain.errors import InvalidValue

ENGLAND_AND_WALES = england_and_wales_calendar(2019, 2032)

FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2030, 12, 31)

dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
day_counts = st.integers(min_value=0, max_value=80)
bases = st.sampled_from(DayBasis)
# Real holidays, none at all, and random clusters (which can fill whole weeks).
calendars = st.one_of(
    st.just(ENGLAND_AND_WALES),
    st.just(WorkingCalendar(bank_holidays=frozenset())),
    st.frozensets(dates, max_size=40).map(lambda days: WorkingCalendar(bank_holidays=days)),
)


class TestWorkingDays:
    @pytest.mark.parametrize(
        ("day", "working"),
        [
            (date(2024, 12, 24), True),  # Christmas Eve is not a bank holiday
            (date(2024, 12, 25), False),  # Christmas Day
            (date(2024, 12, 26), False),  # Boxing Day
            (date(2024, 12, 27), True),
            (date(2024, 12, 28), False),  # Saturday
            (date(2024, 12, 29), False),  # Sunday
            (date(2025, 1, 1), False),  # New Year's Day
            (date(2025, 1, 2), True),
            (date(2025, 4, 17), True),
            (date(2025, 4, 18), False),  # Good Friday
            (date(2025, 4, 21), False),  # Easter Monday
            (date(2025, 4, 22), True),
            (date(2025, 5, 5), False),  # Early May bank holiday
            (date(2025, 5, 23), True),
            (date(2025, 5, 26), False),  # Spring (late May) bank holiday
            (date(2025, 5, 27), True),
        ],
    )
    def test_working_days_are_weekdays_that_are_not_bank_holidays(
        self, day: date, working: bool
    ) -> None:
        assert ENGLAND_AND_WALES.is_working_day(day) is working

    @given(day=dates, calendar=calendars)
    def test_a_day_is_a_working_day_exactly_when_it_is_a_weekday_and_not_a_bank_holiday(
        self, day: date, calendar: WorkingCalendar
    ) -> None:
        expected = day.weekday() < 5 and day not in calendar.bank_holidays
        assert calendar.is_working_day(day) is expected


class TestAddWorkingDays:
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            # seed-digest AMB-1 worked example: consent Mon 2 Dec 2024, 20 working days.
            (date(2024, 12, 2), 20, date(2025, 1, 2)),
            (date(2024, 12, 24), 1, date(2024, 12, 27)),
            (date(2024, 12, 24), 2, date(2024, 12, 30)),
            (date(2024, 12, 31), 1, date(2025, 1, 2)),
            (date(2025, 4, 17), 1, date(2025, 4, 22)),  # over Good Friday and Easter Monday
            (date(2025, 4, 17), 10, date(2025, 5, 6)),  # ... and the early May bank holiday
            (date(2025, 5, 23), 1, date(2025, 5, 27)),  # over the late May bank holiday
            (date(2025, 5, 19), 10, date(2025, 6, 3)),
            (date(2024, 12, 28), 1, date(2024, 12, 30)),  # a Saturday start counts Monday as day 1
            (date(2024, 12, 25), 0, date(2024, 12, 25)),  # day 0 is the start, working or not
        ],
    )
    def test_adding_working_days_skips_weekends_and_bank_holidays(
        self, start: date, n: int, expected: date
    ) -> None:
        assert ENGLAND_AND_WALES.add_working_days(start, n) == expected
        assert ENGLAND_AND_WALES.add_days(start, n, DayBasis.WORKING) == expected

    def test_twenty_calendar_days_from_2_december_2024_is_sunday_22_december(self) -> None:
        assert ENGLAND_AND_WALES.add_days(date(2024, 12, 2), 20, DayBasis.CALENDAR) == date(
            2024, 12, 22
        )

    def test_a_negative_number_of_days_is_refused(self) -> None:
        with pytest.raises(InvalidValue):
            ENGLAND_AND_WALES.add_working_days(date(2025, 1, 6), -1)
        with pytest.raises(InvalidValue):
            ENGLAND_AND_WALES.add_days(date(2025, 1, 6), -1, DayBasis.CALENDAR)

    def test_an_unknown_basis_is_refused_rather_than_read_as_calendar_days(self) -> None:
        with pytest.raises(InvalidValue):
            ENGLAND_AND_WALES.add_days(date(2025, 1, 6), 3, "weeks")  # type: ignore[arg-type]

    @given(start=dates, n=st.integers(min_value=1, max_value=80), calendar=calendars)
    def test_a_working_day_due_date_never_falls_on_a_weekend_or_bank_holiday(
        self, start: date, n: int, calendar: WorkingCalendar
    ) -> None:
        due = calendar.add_working_days(start, n)
        assert due.weekday() < 5
        assert due not in calendar.bank_holidays

    @given(start=dates, n=day_counts, m=day_counts, basis=bases, calendar=calendars)
    def test_adding_n_then_m_days_equals_adding_n_plus_m(
        self, start: date, n: int, m: int, basis: DayBasis, calendar: WorkingCalendar
    ) -> None:
        stepwise = calendar.add_days(calendar.add_days(start, n, basis), m, basis)
        assert stepwise == calendar.add_days(start, n + m, basis)

    @given(first=dates, second=dates, n=day_counts, basis=bases, calendar=calendars)
    def test_the_due_date_is_monotonic_in_the_start_date(
        self, first: date, second: date, n: int, basis: DayBasis, calendar: WorkingCalendar
    ) -> None:
        earlier, later = sorted((first, second))
        assert calendar.add_days(earlier, n, basis) <= calendar.add_days(later, n, basis)

    @given(start=dates, n=day_counts, m=day_counts, basis=bases, calendar=calendars)
    def test_the_due_date_is_strictly_monotonic_in_the_number_of_days(
        self, start: date, n: int, m: int, basis: DayBasis, calendar: WorkingCalendar
    ) -> None:
        fewer, more = sorted((n, m))
        if fewer == more:
            assert calendar.add_days(start, fewer, basis) == calendar.add_days(start, more, basis)
        else:
            assert calendar.add_days(start, fewer, basis) < calendar.add_days(start, more, basis)

    @given(start=dates, n=day_counts, basis=bases, calendar=calendars)
    def test_the_due_date_is_never_before_the_start(
        self, start: date, n: int, basis: DayBasis, calendar: WorkingCalendar
    ) -> None:
        due = calendar.add_days(start, n, basis)
        assert due >= start
        assert (due > start) is (n > 0)


class TestDaysBetween:
    @pytest.mark.parametrize(
        ("start", "end", "basis", "expected"),
        [
            (date(2024, 12, 2), date(2025, 1, 2), DayBasis.WORKING, 20),
            (date(2025, 1, 2), date(2024, 12, 2), DayBasis.WORKING, -20),
            (date(2024, 12, 2), date(2025, 1, 2), DayBasis.CALENDAR, 31),
            (date(2024, 12, 24), date(2024, 12, 26), DayBasis.WORKING, 0),  # two bank holidays
            (date(2025, 4, 17), date(2025, 4, 22), DayBasis.WORKING, 1),  # Easter weekend
            (date(2025, 5, 23), date(2025, 5, 27), DayBasis.WORKING, 1),  # late May weekend
            (date(2025, 3, 3), date(2025, 3, 3), DayBasis.WORKING, 0),
        ],
    )
    def test_days_between_counts_days_after_the_start_up_to_and_including_the_end(
        self, start: date, end: date, basis: DayBasis, expected: int
    ) -> None:
        assert ENGLAND_AND_WALES.days_between(start, end, basis) == expected

    @given(start=dates, n=day_counts, basis=bases, calendar=calendars)
    def test_days_between_undoes_add_days(
        self, start: date, n: int, basis: DayBasis, calendar: WorkingCalendar
    ) -> None:
        assert calendar.days_between(start, calendar.add_days(start, n, basis), basis) == n

    @given(first=dates, second=dates, basis=bases, calendar=calendars)
    def test_days_between_changes_sign_when_the_dates_swap(
        self, first: date, second: date, basis: DayBasis, calendar: WorkingCalendar
    ) -> None:
        forward = calendar.days_between(first, second, basis)
        assert calendar.days_between(second, first, basis) == -forward

    @given(start=dates, span=st.integers(min_value=0, max_value=400), calendar=calendars)
    def test_working_days_between_matches_counting_day_by_day(
        self, start: date, span: int, calendar: WorkingCalendar
    ) -> None:
        end = start + timedelta(days=span)
        by_hand = sum(
            1 for i in range(1, span + 1) if calendar.is_working_day(start + timedelta(days=i))
        )
        assert calendar.days_between(start, end, DayBasis.WORKING) == by_hand


class TestEnglandAndWalesCalendar:
    @pytest.mark.parametrize(
        "holiday",
        [
            date(2022, 9, 19),  # State funeral of Queen Elizabeth II (one-off)
            date(2023, 5, 8),  # Coronation of King Charles III (one-off)
            date(2027, 12, 27),  # substitute for Christmas Day on a Saturday
            date(2027, 12, 28),  # substitute for Boxing Day on a Sunday
        ],
    )
    def test_one_off_and_substitute_bank_holidays_are_included(self, holiday: date) -> None:
        assert not ENGLAND_AND_WALES.is_working_day(holiday)

    def test_only_the_years_asked_for_are_covered(self) -> None:
        calendar = england_and_wales_calendar(2025, 2025)
        assert {d.year for d in calendar.bank_holidays} == {2025}
        assert len(calendar.bank_holidays) == 8

    def test_a_year_range_running_backwards_is_refused(self) -> None:
        with pytest.raises(InvalidValue):
            england_and_wales_calendar(2026, 2025)

    def test_the_packaged_calendar_is_built_once_and_covers_2000_to_2050(self) -> None:
        calendar = packaged_calendar()
        assert packaged_calendar() is calendar
        years = {d.year for d in calendar.bank_holidays}
        assert min(years) == 2000
        assert max(years) == 2050
