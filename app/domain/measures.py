"""The early help dashboard measures: their definitions and the counting rules that are not plain SQL.

Seeds: the Blackpool dashboard (seed 004:1228-1232), the social care improvement plan's early
help rows (004:782-813) and the re-entry window (seed-digest AMB-12). Reports carry counts and ids
only, never names or case notes. Everything here is pure: the queries fetch facts, these rules
count them, so the API, the CSV export and the scheduled CLI job all agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from app.domain.episodes import ClosureReason, FamilyLifeImproved, RequestSource, is_reentry
from app.domain.errors import InvalidValue
from app.domain.families import add_months, age_on
from app.domain.timeliness import DeadlineKind

DEFAULT_REENTRY_MONTHS: Final = 12
"""Seed 004:785: "within 12 months of a previous episode ceasing" (a parameter, AMB-12)."""

MAX_REENTRY_MONTHS: Final = 60
"""Longest re-entry window a report may ask for (the 2-year de-escalation measure fits well)."""

MAX_REPORT_DAYS: Final = 3660
"""Longest period a report covers (ten years), so a typo cannot scan the whole history forever."""

NOT_RECORDED: Final = "not_recorded"
"""The group for a blank monitoring field (sex, ethnicity, family view)."""

TIMELINESS_KINDS: Final = (DeadlineKind.ASSESSMENT, DeadlineKind.FIRST_TAF, DeadlineKind.REVIEW)
"""The time limits the dashboard reports on (seed 004:1234-1243); QA is an internal step."""


# --- age bands -----------------------------------------------------------------------------------


class AgeBand(StrEnum):
    """Reach by age (seed-digest FAM-1, FAM-2: conception to 19, up to 25 with SEND)."""

    UNBORN = "unborn"
    AGE_0_4 = "0-4"
    AGE_5_10 = "5-10"
    AGE_11_15 = "11-15"
    AGE_16_18 = "16-18"
    AGE_19_25_SEND = "19-25 SEND"
    OUT_OF_SCOPE = "out_of_scope"
    """19 or over without SEND, over 25, or neither a date of birth nor an expected delivery date."""


@dataclass(frozen=True)
class BandRule:
    band: AgeBand
    min_age: int
    max_age: int
    """Inclusive, in whole years on the day (`families.age_on`)."""
    needs_send: bool = False


AGE_BANDS: Final[tuple[BandRule, ...]] = (
    BandRule(AgeBand.AGE_0_4, 0, 4),
    BandRule(AgeBand.AGE_5_10, 5, 10),
    BandRule(AgeBand.AGE_11_15, 11, 15),
    BandRule(AgeBand.AGE_16_18, 16, 18),
    BandRule(AgeBand.AGE_19_25_SEND, 19, 25, needs_send=True),
)
"""The bands after birth, in order; a child is unborn before any of them."""


def age_band(
    *, date_of_birth: date | None, expected_delivery_date: date | None, send: bool, on: date
) -> AgeBand:
    """The child's band on `on` (the day their episode was requested).

    Unborn: no date of birth but an expected delivery date, or born after `on`. Ages are whole
    years with the birthday counting on the day, so a child is 5-10 from their 5th birthday.
    """
    if date_of_birth is None:
        return AgeBand.UNBORN if expected_delivery_date is not None else AgeBand.OUT_OF_SCOPE
    if date_of_birth > on:
        return AgeBand.UNBORN
    age = age_on(date_of_birth, on)
    for rule in AGE_BANDS:
        if rule.min_age <= age <= rule.max_age and (send or not rule.needs_send):
            return rule.band
    return AgeBand.OUT_OF_SCOPE


# --- counting rules ------------------------------------------------------------------------------


def reentered(previous_closed_on: date | None, requested_on: date, window_months: int) -> bool:
    """Whether a new episode re-entered early help within the window after the previous ceased.

    Uses `episodes.is_reentry`: "within 12 months" runs up to and including the same calendar date
    12 months on (clamped to month end), so after a closure on 1 Mar 2024 a request on 1 Mar 2025
    (day 365) is a re-entry and one on 2 Mar 2025 (day 366) is not. No previous episode, or one
    never closed, is not a re-entry.
    """
    if previous_closed_on is None:
        return False
    return is_reentry(previous_closed_on, requested_on, window_months)


def support_days(requested_on: date, closed_on: date) -> int:
    """Length of support: calendar days from the request to the closure (same day = 0)."""
    return (closed_on - requested_on).days


def median(values: Sequence[int]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[int]) -> float | None:
    """The arithmetic mean to one decimal place; None when empty."""
    if not values:
        return None
    return round(sum(values) / len(values), 1)


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator to four decimal places; None when the denominator is zero."""
    if denominator == 0:
        return None
    return round(numerator / denominator, 4)


def all_recorded_needs_achieved(needs_recorded: int, needs_achieved: int) -> bool:
    """Closed with every Supporting Families need on the record achieved (AMB-12 per-need reading).

    An episode with no needs recorded does not count: there is nothing to say was met.
    """
    if needs_achieved > needs_recorded or needs_achieved < 0:
        raise ValueError("more needs achieved than recorded")
    return needs_recorded > 0 and needs_achieved == needs_recorded


def family_life_group(answer: str | None) -> str:
    """The 3-point family view at closure (yes/partly/no), or not_recorded when not asked."""
    if answer is None:
        return NOT_RECORDED
    return FamilyLifeImproved(answer).value


def monitoring_group(value: str | None) -> str:
    """A monitoring field as a report group: blanks are `not_recorded`."""
    if value is None or not value.strip():
        return NOT_RECORDED
    return value.strip()


# --- periods -------------------------------------------------------------------------------------


AWAITING_DECISION = "awaiting_decision"
"""The front door's requests not yet screened, as a group beside the screening outcomes."""

_ASKED_TO_ASSESS = frozenset({"early_help", "already_open"})


def front_door_without_prior_early_help(earlier_episode: bool) -> bool:
    """A contact to the front door "for families who have not had an offer of early help prior to
    the contact" (seed 004:1229): the household had no episode requested on or before the day
    the request was received."""
    return not earlier_episode


def front_door_known_family_asked_to_assess(
    outcome: str | None, *, earlier_episode: bool, earlier_request: bool
) -> bool:
    """A contact "that result[s] in services who already know the family ... being asked to do an
    early help assessment" (seed 004:1229): screened to early help (an episode to assess) or
    attached to the open episode, for a household services knew before (an earlier episode or
    request). The local reading: "knowing the family" is having worked with it through the front
    door or an episode."""
    return outcome in _ASKED_TO_ASSESS and (earlier_episode or earlier_request)


def check_period(start: date, end: date) -> None:
    if start > end:
        raise InvalidValue(
            "The period cannot start after it ends.", field="from", code="period_start_after_end"
        )
    if (end - start).days > MAX_REPORT_DAYS:
        raise InvalidValue(
            f"A report covers at most {MAX_REPORT_DAYS} days; ask for a shorter period.",
            field="to",
            code="period_too_long",
        )


def check_reentry_months(months: int) -> None:
    if not 1 <= months <= MAX_REENTRY_MONTHS:
        raise InvalidValue(
            f"The re-entry window is from 1 to {MAX_REENTRY_MONTHS} months.",
            field="reentry_months",
            code="reentry_window_out_of_range",
        )


def quarter_of(quarter_end: date) -> tuple[date, date]:
    """The calendar quarter ending on `quarter_end` (31 Mar, 30 Jun, 30 Sep or 31 Dec)."""
    following = quarter_end + timedelta(days=1)
    if following.day != 1 or following.month not in (1, 4, 7, 10):
        raise InvalidValue(
            "quarter_end must be the last day of a calendar quarter "
            "(31 March, 30 June, 30 September or 31 December).",
            field="quarter_end",
            code="quarter_end_not_quarter_end",
        )
    return add_months(following, -3), quarter_end


# --- measure definitions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    name: str
    definition: str
    source: str


MEASURES: Final[tuple[Measure, ...]] = (
    Measure(
        "families_with_assessment_or_plan",
        "Distinct families with an early help assessment completed or a family plan submitted "
        "in the period.",
        "seed 004:1229 (families supported by an early help assessment and plan)",
    ),
    Measure(
        "new_episodes",
        "Episodes requested in the period, in total and by request source.",
        "seed 004:1229; sources seed-digest LVL-8, LVL-9",
    ),
    Measure(
        "closures",
        "Episodes closed in the period, by reason; all_needs_met is the closure reason "
        "all_needs_met; all_recorded_needs_achieved counts closures whose every recorded need "
        "was achieved (none recorded does not count); family_life_improved is the family's "
        "3-point answer at closure.",
        "seed 004:1232; seed-digest AMB-12",
    ),
    Measure(
        "step_ups",
        "Episodes closed in the period with the reason stepped_up_to_social_care.",
        "seed-digest AMB-8",
    ),
    Measure(
        "step_downs",
        "from_social_care: episodes requested in the period with the source "
        "stepped_down_from_social_care; to_universal: closures in the period with the reason "
        "stepped_down_to_universal.",
        "seed 004:1229, 1231; seed-digest AMB-8",
    ),
    Measure(
        "reentries",
        "Episodes requested in the period within reentry_months of the previous episode's "
        "closure, up to and including the same calendar date reentry_months later (day 365 "
        "after a closure in a non-leap year is inside, day 366 is not); share is of new episodes.",
        "seed 004:785; seed-digest AMB-12",
    ),
    Measure(
        "length_of_support_days",
        "Calendar days from request to closure for episodes closed in the period: count, median "
        "and mean.",
        "seed 004:788",
    ),
    Measure(
        "timeliness",
        "Per time limit (assessment, first_taf, review), the deadlines due in the period as they "
        "stood the day after it ends (or today, if earlier): met on time, met late, overdue and "
        "unmet, and the share met on time. The same rule as the timeliness summary.",
        "seed 004:1234-1243; seed 004:787",
    ),
    Measure(
        "reach",
        "Distinct children named on episodes requested in the period, by age band on the day of "
        "the request (unborn, 0-4, 5-10, 11-15, 16-18, 19-25 SEND), sex, ethnicity and SEND.",
        "seed-digest FAM-1, FAM-13; seed 004:4783",
    ),
)


QUARTERLY_MEASURES: Final[tuple[Measure, ...]] = (
    Measure(
        "families_attached",
        "Distinct families with an episode open at any time in the quarter.",
        "Supporting Families quarterly progress",
    ),
    Measure(
        "families_open_at_quarter_end",
        "Distinct families with an episode still open at the end of the quarter's last day.",
        "Supporting Families quarterly progress",
    ),
    Measure(
        "families_closed_in_quarter",
        "Distinct families with an episode closed in the quarter.",
        "Supporting Families quarterly progress",
    ),
    Measure(
        "needs_at_attachment",
        "Distinct attached families with a need of each headline identified at attachment.",
        "Supporting Families outcome framework",
    ),
    Measure(
        "emerging_needs",
        "Distinct attached families with a need of each headline that emerged later.",
        "Supporting Families outcome framework",
    ),
    Measure(
        "outcomes_achieved",
        "Needs whose outcome was achieved in the quarter, by headline.",
        "Supporting Families outcome framework",
    ),
    Measure(
        "claims.families_newly_claimable",
        "Distinct families whose closed episode passed claim rules C1-C5 by the quarter's last "
        "day but not on the day before the quarter began (closures inside the look-back window).",
        "Supporting Families quarterly progress (families claimable)",
    ),
    Measure(
        "claims.families_claimable_unclaimed",
        "Distinct families passing C1-C5 on the quarter's last day with no claim in progress or "
        "made for the programme phase: claims still to raise.",
        "Supporting Families quarterly progress (families claimable)",
    ),
    Measure(
        "claims.claims_by_state",
        "Claims that entered each state in the quarter (draft = raised, then ready, "
        "internal_audit, approved, rejected, submitted, paid, clawed_back).",
        "Supporting Families quarterly progress (claims submitted, approved and rejected)",
    ),
    Measure(
        "claims.value_submitted_pence",
        "The unit values, in pence, of the claims submitted in the quarter.",
        "Supporting Families quarterly progress (£ claimed)",
    ),
    Measure(
        "claims.value_clawed_back_pence",
        "The unit values, in pence, of the claims clawed back in the quarter.",
        "Supporting Families quarterly progress (£ claimed)",
    ),
)


STEP_UP: Final = ClosureReason.STEPPED_UP_TO_SOCIAL_CARE
STEP_DOWN_TO_UNIVERSAL: Final = ClosureReason.STEPPED_DOWN_TO_UNIVERSAL
STEP_DOWN_FROM_SOCIAL_CARE: Final = RequestSource.STEPPED_DOWN_FROM_SOCIAL_CARE
