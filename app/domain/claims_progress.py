"""The claims lines of the Supporting Families quarterly progress return (rule book §5.2).

The return asks, for each quarter, how many families were claimable (passed C1-C5), how many
claims were submitted, approved and rejected, and the £ claimed. Earned Autonomy councils report
the same lines with no claims, so every figure is always present (zero rather than missing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.domain.supporting_families import Claim, ClaimState


@dataclass(frozen=True)
class EpisodeClaimability:
    """Whether one closed episode passed C1-C5 on two days, and whether its family is claimed."""

    family_id: uuid.UUID
    claimable_at_start: bool
    """On the day before the quarter began."""
    claimable_at_end: bool
    """On the quarter's last day."""
    has_live_claim: bool
    """A claim in progress or successful (draft to paid) for the episode's programme phase."""


@dataclass(frozen=True)
class ClaimsProgress:
    families_newly_claimable: int
    """Families that passed C1-C5 by the quarter's last day but not on the day before it began."""
    families_claimable_unclaimed: int
    """Families passing C1-C5 on the quarter's last day with no claim in progress or made: the
    claims still to raise."""
    claims_by_state: dict[str, int]
    """Claims that entered each state during the quarter (a claim raised counts under `draft`);
    every state is listed."""
    value_submitted_pence: int
    """The unit values of the claims submitted in the quarter: the £ claimed (a local scheme with
    no payment value adds nothing)."""
    value_clawed_back_pence: int
    """The unit values of the claims clawed back in the quarter."""


def claims_progress(
    episodes: Iterable[EpisodeClaimability], claims: Iterable[Claim], *, start: date, end: date
) -> ClaimsProgress:
    """Tally a quarter's claims lines from each closed episode's claimability and each claim's
    history. A family is claimable on a day when any of its episodes is: families are counted,
    not episodes."""
    at_start: set[uuid.UUID] = set()
    at_end: set[uuid.UUID] = set()
    claimed: set[uuid.UUID] = set()
    for episode in episodes:
        if episode.claimable_at_start:
            at_start.add(episode.family_id)
        if episode.claimable_at_end:
            at_end.add(episode.family_id)
        if episode.has_live_claim:
            claimed.add(episode.family_id)
    newly = len(at_end - at_start)
    unclaimed = len(at_end - claimed)
    entered = {state.value: 0 for state in ClaimState}
    submitted = clawed_back = 0
    for claim in claims:
        reached = {event.to_state for event in claim.history if start <= event.on <= end}
        for state in reached:
            entered[state.value] += 1
        value = claim.unit_value_pence or 0
        if ClaimState.SUBMITTED in reached:
            submitted += value
        if ClaimState.CLAWED_BACK in reached:
            clawed_back += value
    return ClaimsProgress(
        families_newly_claimable=newly,
        families_claimable_unclaimed=unclaimed,
        claims_by_state=entered,
        value_submitted_pence=submitted,
        value_clawed_back_pence=clawed_back,
    )
