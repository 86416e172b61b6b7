"""The dashboard's counting rules: re-entry windows, age bands, length of support, shares, quarters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.episodes import is_reentry
from app.domain.errors import InvalidValue
from app.domain.families import add_months, age_on
from app.domain.measures import (
    AGE_BANDS,
    AgeBand,
    age_band,
    all_recorded_needs_achieved,
    check_reentry_months,
    family_life_group,
    mean,
    median,
    monitoring_group,
    quarter_of,
    reentered,
    share,
    support_days,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


class TestReentry:
    def test_day_365_after_a_closure_in_a_non_leap_year_is_inside_and_day_366_is_not(self) -> None:
        closed = date(2024, 3, 1)  # the next 12 months hold no 29 February: 365 days
        assert reentered(closed, closed + timedelta(days=365), 12)
        assert not reentered(closed, closed + timedelta(days=366), 12)

    def test_across_a_29_february_the_window_is_366_days(self) -> None:
        closed = date(2023, 3, 1)
        assert reentered(closed, closed + timedelta(days=366), 12)
        assert not reentered(closed, closed + timedelta(days=367), 12)

    def test_no_previous_closure_and_the_closure_day_itself(self) -> None:
        assert not reentered(None, date(2025, 1, 1), 12)
        assert reentered(date(2025, 1, 1), date(2025, 1, 1), 12)
        assert not reentered(date(2025, 1, 2), date(2025, 1, 1), 12)

    @given(closed=days, offset=st.integers(min_value=-30, max_value=800), months=st.integers(1, 60))
    def test_it_is_the_domain_rule_the_same_calendar_date_months_later(
        self, closed: date, offset: int, months: int
    ) -> None:
        requested = closed + timedelta(days=offset)
        inside = reentered(closed, requested, months)
        assert inside == is_reentry(closed, requested, months)
        assert inside == (closed <= requested <= add_months(closed, months))

    @given(closed=days)
    def test_in_a_365_day_year_after_closure_day_365_is_the_last_day_in(self, closed: date) -> None:
        year_later = add_months(closed, 12)
        if (year_later - closed).days != 365:
            return  # a 29 February (or a clamped month end) lies in between
        assert reentered(closed, closed + timedelta(days=365), 12)
        assert not reentered(closed, closed + timedelta(days=366), 12)

    @given(closed=days, offset=st.integers(min_value=0, max_value=800))
    def test_a_wider_window_never_counts_fewer(self, closed: date, offset: int) -> None:
        requested = closed + timedelta(days=offset)
        if reentered(closed, requested, 12):
            assert reentered(closed, requested, 24)

    def test_the_window_is_checked(self) -> None:
        with pytest.raises(InvalidValue):
            check_reentry_months(0)
        with pytest.raises(InvalidValue):
            check_reentry_months(61)
        check_reentry_months(12)


def band(dob: date | None, on: date, *, send: bool = False, edd: date | None = None) -> AgeBand:
    return age_band(date_of_birth=dob, expected_delivery_date=edd, send=send, on=on)


class TestAgeBands:
    @pytest.mark.parametrize(
        ("dob", "send", "expected"),
        [
            (date(2025, 3, 1), False, AgeBand.AGE_0_4),  # born today
            (date(2020, 3, 2), False, AgeBand.AGE_0_4),  # 5 tomorrow
            (date(2020, 3, 1), False, AgeBand.AGE_5_10),  # 5 today
            (date(2014, 3, 1), False, AgeBand.AGE_11_15),
            (date(2009, 3, 1), False, AgeBand.AGE_16_18),
            (date(2006, 3, 2), False, AgeBand.AGE_16_18),  # 19 tomorrow
            (date(2006, 3, 1), False, AgeBand.OUT_OF_SCOPE),  # 19 without SEND
            (date(2006, 3, 1), True, AgeBand.AGE_19_25_SEND),
            (date(1999, 3, 2), True, AgeBand.AGE_19_25_SEND),  # 25 for one more day
            (date(1999, 3, 1), True, AgeBand.OUT_OF_SCOPE),  # 26
        ],
    )
    def test_the_edges(self, dob: date, send: bool, expected: AgeBand) -> None:
        assert band(dob, date(2025, 3, 1), send=send) is expected

    def test_unborn(self) -> None:
        on = date(2025, 3, 1)
        assert band(None, on, edd=date(2025, 6, 1)) is AgeBand.UNBORN
        assert band(date(2025, 3, 2), on) is AgeBand.UNBORN  # born after the request
        assert band(None, on) is AgeBand.OUT_OF_SCOPE  # nothing to go on

    def test_the_bands_are_contiguous_domain_data(self) -> None:
        ages = [a for rule in AGE_BANDS for a in range(rule.min_age, rule.max_age + 1)]
        assert ages == list(range(26))
        assert [r.band.value for r in AGE_BANDS] == ["0-4", "5-10", "11-15", "16-18", "19-25 SEND"]

    @given(dob=days, on=days, send=st.booleans())
    def test_every_child_falls_in_exactly_the_band_of_their_age(
        self, dob: date, on: date, send: bool
    ) -> None:
        result = band(dob, on, send=send)
        if dob > on:
            assert result is AgeBand.UNBORN
            return
        age = age_on(dob, on)
        matching = [
            r.band
            for r in AGE_BANDS
            if r.min_age <= age <= r.max_age and (send or not r.needs_send)
        ]
        assert len(matching) <= 1
        assert result is (matching[0] if matching else AgeBand.OUT_OF_SCOPE)
        if age < 19:
            assert band(dob, on, send=not send) is result  # SEND matters only from 19


class TestCounting:
    def test_length_of_support(self) -> None:
        assert support_days(date(2025, 1, 6), date(2025, 2, 10)) == 35
        assert support_days(date(2025, 1, 6), date(2025, 1, 6)) == 0

    def test_median_and_mean(self) -> None:
        assert median([]) is None
        assert mean([]) is None
        assert median([35, 119, 35, 49]) == 42.0
        assert median([3, 1, 2]) == 2.0
        assert mean([35, 35, 49, 119]) == 59.5
        assert mean([1, 2]) == 1.5

    @given(st.lists(st.integers(0, 5000), min_size=1, max_size=50))
    def test_the_median_splits_the_values(self, values: list[int]) -> None:
        middle = median(values)
        assert middle is not None
        assert sum(v < middle for v in values) <= len(values) // 2
        assert sum(v > middle for v in values) <= len(values) // 2

    def test_shares(self) -> None:
        assert share(1, 4) == 0.25
        assert share(1, 3) == 0.3333
        assert share(0, 0) is None

    def test_all_recorded_needs_achieved(self) -> None:
        assert all_recorded_needs_achieved(2, 2)
        assert not all_recorded_needs_achieved(2, 1)
        assert not all_recorded_needs_achieved(0, 0)  # nothing recorded, nothing to say was met
        with pytest.raises(ValueError, match="more needs"):
            all_recorded_needs_achieved(1, 2)

    def test_groups(self) -> None:
        assert family_life_group(None) == "not_recorded"
        assert family_life_group("partly") == "partly"
        assert monitoring_group("  ") == "not_recorded"
        assert monitoring_group(" WBRI ") == "WBRI"


class TestQuarters:
    @pytest.mark.parametrize(
        ("end", "start"),
        [
            (date(2025, 3, 31), date(2025, 1, 1)),
            (date(2025, 6, 30), date(2025, 4, 1)),
            (date(2025, 9, 30), date(2025, 7, 1)),
            (date(2025, 12, 31), date(2025, 10, 1)),
        ],
    )
    def test_a_quarter_end_gives_its_quarter(self, end: date, start: date) -> None:
        assert quarter_of(end) == (start, end)

    @pytest.mark.parametrize("end", [date(2025, 3, 30), date(2025, 4, 30), date(2025, 1, 31)])
    def test_any_other_day_is_refused(self, end: date) -> None:
        with pytest.raises(InvalidValue):
            quarter_of(end)
