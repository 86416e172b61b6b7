"""When a step happened: not in the future, not before the request, not before the step it follows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.errors import InvalidValue
from app.domain.step_dates import PreviousStep, check_step_date, happened_on

IN_FUTURE = "step_date_in_future"
BEFORE_REQUEST = "step_date_before_request"
BEFORE_PREVIOUS_STEP = "step_date_before_previous_step"


days = st.dates(date(2015, 1, 1), date(2035, 12, 31))
steps = st.lists(
    st.builds(PreviousStep, on=days, what=st.sampled_from(["the request", "the plan went"])),
    max_size=4,
)


class TestHappenedOn:
    @given(today=days)
    def test_a_step_without_a_date_happened_today(self, today: date) -> None:
        assert happened_on(None, today=today, field="submitted_on") == today

    @given(today=days, back=st.integers(0, 3000))
    def test_a_step_dated_today_or_earlier_keeps_its_date(self, today: date, back: int) -> None:
        on = today - timedelta(days=back)
        assert happened_on(on, today=today, field="submitted_on") == on

    @given(today=days, ahead=st.integers(1, 3000))
    def test_a_step_dated_after_today_is_refused_naming_the_field_and_both_dates(
        self, today: date, ahead: int
    ) -> None:
        on = today + timedelta(days=ahead)
        with pytest.raises(InvalidValue) as refused:
            happened_on(on, today=today, field="decided_on")
        assert refused.value.code == IN_FUTURE
        assert refused.value.field == "decided_on"
        assert on.isoformat() in refused.value.detail
        assert today.isoformat() in refused.value.detail


class TestStepDate:
    @given(on=days, today=days, requested_on=days, follows=steps)
    def test_a_date_is_accepted_exactly_when_it_is_between_the_latest_earlier_step_and_today(
        self, on: date, today: date, requested_on: date, follows: list[PreviousStep]
    ) -> None:
        earliest = max([requested_on, *(s.on for s in follows)])

        def check() -> None:
            check_step_date(
                on, today=today, field="closed_on", requested_on=requested_on, follows=follows
            )

        if earliest <= on <= today:
            check()
        else:
            with pytest.raises(InvalidValue) as refused:
                check()
            assert refused.value.field == "closed_on"
            expected = IN_FUTURE if on > today else None
            if expected is None:
                expected = BEFORE_REQUEST if on < requested_on else BEFORE_PREVIOUS_STEP
            assert refused.value.code == expected

    @given(today=days, requested_on=days, back=st.integers(1, 400))
    def test_a_step_before_the_request_is_refused_naming_the_request_date(
        self, today: date, requested_on: date, back: int
    ) -> None:
        on = requested_on - timedelta(days=back)
        assume(on <= today)
        with pytest.raises(InvalidValue) as refused:
            check_step_date(on, today=today, field="started_on", requested_on=requested_on)
        assert refused.value.code == BEFORE_REQUEST
        assert requested_on.isoformat() in refused.value.detail
        assert on.isoformat() in refused.value.detail

    @given(follows=st.lists(days, min_size=1, max_size=4), back=st.integers(1, 400))
    def test_a_step_before_the_latest_step_it_follows_names_that_step_and_its_date(
        self, follows: list[date], back: int
    ) -> None:
        latest = max(follows)
        on = latest - timedelta(days=back)
        previous = [
            PreviousStep(d, "the assessment started" if d == latest else "an earlier step")
            for d in follows
        ]
        with pytest.raises(InvalidValue) as refused:
            check_step_date(on, today=latest, field="closed_on", follows=previous)
        assert refused.value.code == BEFORE_PREVIOUS_STEP
        assert refused.value.detail == (
            f"This step is dated {on.isoformat()}, before the assessment started "
            f"({latest.isoformat()})."
        )

    def test_a_closure_on_the_day_the_assessment_started_is_accepted(self) -> None:
        started = PreviousStep(date(2024, 3, 4), "the assessment started")
        check_step_date(
            date(2024, 3, 4),
            today=date(2025, 1, 1),
            field="closed_on",
            requested_on=date(2024, 3, 1),
            follows=[started],
        )

    def test_the_future_is_refused_before_the_order_is_looked_at(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            check_step_date(
                date(2025, 1, 2),
                today=date(2025, 1, 1),
                field="closed_on",
                follows=[PreviousStep(date(2025, 6, 1), "a later step")],
            )
        assert refused.value.code == IN_FUTURE
