"""The claims lines of the quarterly return: what each claim did in the quarter, counted once."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.claims_progress import EpisodeClaimability, claims_progress
from app.domain.outcomes_framework import ClaimRoute
from app.domain.supporting_families import Claim, ClaimEvent, ClaimState

Q_START, Q_END = date(2024, 10, 1), date(2024, 12, 31)
BY = uuid.UUID(int=7)
PATH = (
    ClaimState.DRAFT,
    ClaimState.READY,
    ClaimState.INTERNAL_AUDIT,
    ClaimState.APPROVED,
    ClaimState.SUBMITTED,
)


def make_claim(days: list[date], *, unit_value_pence: int | None = 80000) -> Claim:
    """A claim that reached draft, ready, internal audit, approved and submitted on `days`."""
    history, before = [], None
    for state, on in zip(PATH, days, strict=False):
        history.append(ClaimEvent(before, state, on, BY))
        before = state
    return Claim(
        id=uuid.uuid4(),
        family_id=uuid.uuid4(),
        episode_id=uuid.uuid4(),
        framework_version="2022-10",
        route=ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS,
        programme_year="2024-25",
        programme_phase="2022-25",
        unit_value_pence=unit_value_pence,
        created_on=days[0],
        created_by=BY,
        state=before or ClaimState.DRAFT,
        history=history,
    )


def test_a_claim_raised_in_one_quarter_and_submitted_in_the_next_counts_in_each_for_its_steps() -> (
    None
):
    claim = make_claim([date(2024, 12, 31)] * 3 + [date(2025, 1, 6), date(2025, 1, 6)])
    q4 = claims_progress([], [claim], start=Q_START, end=Q_END)
    q1 = claims_progress([], [claim], start=date(2025, 1, 1), end=date(2025, 3, 31))
    assert (q4.claims_by_state["draft"], q4.claims_by_state["submitted"]) == (1, 0)
    assert q4.value_submitted_pence == 0
    assert (q1.claims_by_state["draft"], q1.claims_by_state["submitted"]) == (0, 1)
    assert q1.value_submitted_pence == 80000


def test_a_local_scheme_claim_has_no_value_but_still_counts() -> None:
    claim = make_claim([Q_START] * 5, unit_value_pence=None)
    progress = claims_progress([], [claim], start=Q_START, end=Q_END)
    assert progress.claims_by_state["submitted"] == 1
    assert progress.value_submitted_pence == 0


def test_families_newly_claimable_and_still_to_claim() -> None:
    new, old, never = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    episodes = [
        EpisodeClaimability(
            new, claimable_at_start=False, claimable_at_end=True, has_live_claim=False
        ),
        EpisodeClaimability(
            old, claimable_at_start=True, claimable_at_end=True, has_live_claim=True
        ),
        EpisodeClaimability(
            never, claimable_at_start=False, claimable_at_end=False, has_live_claim=False
        ),
    ]
    progress = claims_progress(episodes, [], start=Q_START, end=Q_END)
    assert (progress.families_newly_claimable, progress.families_claimable_unclaimed) == (1, 1)
    assert set(progress.claims_by_state.values()) == {0}


def test_a_family_counts_once_and_is_claimable_if_any_of_its_episodes_is() -> None:
    family = uuid.uuid4()
    episodes = [
        EpisodeClaimability(
            family, claimable_at_start=False, claimable_at_end=True, has_live_claim=False
        ),
        EpisodeClaimability(
            family, claimable_at_start=True, claimable_at_end=False, has_live_claim=False
        ),
        EpisodeClaimability(
            family, claimable_at_start=False, claimable_at_end=True, has_live_claim=False
        ),
    ]
    progress = claims_progress(episodes, [], start=Q_START, end=Q_END)
    # Claimable before the quarter through its second episode: not new, but still to claim.
    assert (progress.families_newly_claimable, progress.families_claimable_unclaimed) == (0, 1)


def test_the_state_on_a_day_is_the_last_step_taken_by_its_end() -> None:
    claim = make_claim([date(2024, 12, 31)] * 3 + [date(2025, 1, 6)])
    assert claim.state_on(date(2024, 12, 30)) is None
    assert claim.state_on(date(2024, 12, 31)) is ClaimState.INTERNAL_AUDIT
    assert claim.state_on(date(2025, 1, 6)) is ClaimState.APPROVED


@given(
    start=st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 12, 31)),
    gaps=st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=5),
)
def test_every_step_of_a_claim_is_counted_in_exactly_one_quarter(
    start: date, gaps: list[int]
) -> None:
    days, day = [], start
    for gap in gaps:
        day += timedelta(days=gap)
        days.append(day)
    claim = make_claim(days)
    counted = 0
    quarter_start = date(start.year, 1, 1)
    while quarter_start <= days[-1]:
        month = quarter_start.month + 3
        next_start = date(quarter_start.year + (month > 12), (month - 1) % 12 + 1, 1)
        progress = claims_progress(
            [], [claim], start=quarter_start, end=next_start - timedelta(days=1)
        )
        counted += sum(progress.claims_by_state.values())
        quarter_start = next_start
    assert counted == len({(e.to_state) for e in claim.history})
