"""Timeliness rules of the early help cycle: the deadlines, the policy that sets them, their status.

The rules are in Blackpool's "Early Help Assessment process for Lead Professionals" (seed
004_dec79d85712017e0.txt, lines 1237-1241); where the seed is silent the defaults are those of
shared/domain/seed-digest.md section 4 (AMB-1 to AMB-5), kept as versioned policy, not constants.
Nothing here reads the clock: every function takes its dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from app.domain.calendar import DayBasis, WorkingCalendar
from app.domain.errors import InvalidValue
from app.domain.families import add_months

# A rule measured in years is a typo, and an unbounded one would make working-day stepping slow.
MAX_RULE_DAYS = 366


class DeadlineKind(StrEnum):
    """The four clocks of the early help cycle (seed 004 lines 1238-1241; seed-digest AMB-5)."""

    ASSESSMENT = "assessment"
    QUALITY_ASSURANCE = "quality_assurance"
    FIRST_TAF = "first_taf"
    REVIEW = "review"


class DeadlineStatus(StrEnum):
    """Where a deadline stands on a given day, as dashboards and overdue lists show it."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    STOPPED = "stopped"


class FirstTafClockStart(StrEnum):
    """The QA event that starts the first-TAF clock; the seed's "reviewed" is ambiguous (AMB-3)."""

    APPROVAL = "approval"
    FIRST_REVIEW = "first_review"


@dataclass(frozen=True)
class DayCountRule:
    """A deadline `days` days after its start; the policy holding it validates it."""

    days: int
    basis: DayBasis
    enabled: bool = True


@dataclass(frozen=True)
class ReviewWindowRule:
    """Reviews due from `earliest_days` to `latest_days` after the last TAF meeting, both inclusive.

    Blackpool Early Help Strategy, 004 seed line 1241: "Reviews/ TAF meetings should take place
    every 4-6 weeks"; day 28 to day 42 with day 42 on time, in calendar days (seed-digest AMB-4).
    """

    earliest_days: int = 28
    latest_days: int = 42
    basis: DayBasis = DayBasis.CALENDAR


@dataclass(frozen=True)
class TimelinessPolicy:
    """One version of a council's timeliness settings, in force from `effective_from`.

    Defaults follow seed-digest AMB-1 to AMB-5: 20 and 10 working days for assessment and first
    TAF, a 28-42 calendar-day review window, a 5 working-day QA turnaround.
    """

    version: int
    effective_from: date
    assessment: DayCountRule = field(default_factory=lambda: DayCountRule(20, DayBasis.WORKING))
    first_taf: DayCountRule = field(default_factory=lambda: DayCountRule(10, DayBasis.WORKING))
    quality_assurance: DayCountRule = field(
        default_factory=lambda: DayCountRule(5, DayBasis.WORKING)
    )
    review: ReviewWindowRule = field(default_factory=ReviewWindowRule)
    screening_decision: DayCountRule = field(
        default_factory=lambda: DayCountRule(1, DayBasis.WORKING)
    )
    """The front door's decision on a request for support (issue 19 §1; a local default)."""
    first_taf_clock_start: FirstTafClockStart = FirstTafClockStart.APPROVAL
    due_soon_days: int = 5
    no_contact_working_days: int = 20
    """An open episode whose family has had no contact for this many working days (since the
    last contact, or the request) is flagged on its lead's worklist (issue 19 §2; a local
    choice, not in the seeds)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Refuse settings no clock could run on, naming the field for the settings screen."""
        _check_int(self.version, "version", minimum=1)
        if not isinstance(self.effective_from, date) or isinstance(self.effective_from, datetime):
            raise InvalidValue(
                "effective_from must be a date.",
                field="effective_from",
                code="policy_value_not_date",
            )
        # The seed sets these two deadlines (004 lines 1238-1239); only the QA turnaround, which
        # is a local addition (seed-digest AMB-5), may be switched off.
        _check_rule(self.assessment, "assessment", may_disable=False)
        _check_rule(self.first_taf, "first_taf", may_disable=False)
        _check_rule(self.quality_assurance, "quality_assurance", may_disable=True)
        _check_rule(self.screening_decision, "screening_decision", may_disable=False)
        _check_int(
            self.review.earliest_days, "review.earliest_days", minimum=1, maximum=MAX_RULE_DAYS
        )
        _check_int(self.review.latest_days, "review.latest_days", minimum=1, maximum=MAX_RULE_DAYS)
        if self.review.earliest_days > self.review.latest_days:
            raise InvalidValue(
                "review.earliest_days must not be after review.latest_days.",
                field="review.earliest_days",
                code="policy_review_window_reversed",
            )
        _check_enum(self.review.basis, DayBasis, "review.basis")
        _check_enum(self.first_taf_clock_start, FirstTafClockStart, "first_taf_clock_start")
        _check_int(self.due_soon_days, "due_soon_days", minimum=0, maximum=MAX_RULE_DAYS)
        _check_int(
            self.no_contact_working_days,
            "no_contact_working_days",
            minimum=1,
            maximum=MAX_RULE_DAYS,
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-able form (dates as ISO strings, enums as values) for storing the policy."""
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "assessment": _rule_to_dict(self.assessment),
            "first_taf": _rule_to_dict(self.first_taf),
            "quality_assurance": _rule_to_dict(self.quality_assurance),
            "review": {
                "earliest_days": self.review.earliest_days,
                "latest_days": self.review.latest_days,
                "basis": self.review.basis.value,
            },
            "first_taf_clock_start": self.first_taf_clock_start.value,
            "due_soon_days": self.due_soon_days,
            "no_contact_working_days": self.no_contact_working_days,
            "screening_decision": _rule_to_dict(self.screening_decision),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> TimelinessPolicy:
        """Read `to_dict` output back; defaulted keys may be missing, unknown keys are refused."""
        data = _mapping(d, None, _POLICY_KEYS, required=("version", "effective_from"))
        kwargs: dict[str, Any] = {
            "version": data["version"],
            "effective_from": _iso_date(data["effective_from"], "effective_from"),
        }
        for name in ("assessment", "first_taf", "quality_assurance", "screening_decision"):
            if name in data:
                kwargs[name] = _rule_from_dict(data[name], name)
        if "review" in data:
            review = _mapping(data["review"], "review", _REVIEW_KEYS, required=())
            review_kwargs: dict[str, Any] = {
                key: review[key] for key in ("earliest_days", "latest_days") if key in review
            }
            if "basis" in review:
                review_kwargs["basis"] = _enum_value(review["basis"], DayBasis, "review.basis")
            kwargs["review"] = ReviewWindowRule(**review_kwargs)
        if "first_taf_clock_start" in data:
            kwargs["first_taf_clock_start"] = _enum_value(
                data["first_taf_clock_start"], FirstTafClockStart, "first_taf_clock_start"
            )
        if "due_soon_days" in data:
            kwargs["due_soon_days"] = data["due_soon_days"]
        if "no_contact_working_days" in data:
            kwargs["no_contact_working_days"] = data["no_contact_working_days"]
        return cls(**kwargs)


@dataclass(frozen=True)
class PolicyHistory:
    """Every policy version a council has had, so each clock runs on the rules of its start day.

    House style 3.6: "deadlines follow the policy version in force when the clock started".
    """

    versions: tuple[TimelinessPolicy, ...]

    def __post_init__(self) -> None:
        numbers = [policy.version for policy in self.versions]
        if len(numbers) != len(set(numbers)):
            raise InvalidValue(
                "Policy version numbers must be unique.",
                field="versions",
                code="policy_version_repeated",
            )

    def in_force_on(self, d: date) -> TimelinessPolicy:
        """The version with the latest `effective_from` on or before `d`; ties go to the higher."""
        candidates = [policy for policy in self.versions if policy.effective_from <= d]
        if not candidates:
            raise InvalidValue(
                f"No timeliness policy was in force on {d.isoformat()}.",
                field="date",
                code="policy_not_in_force",
            )
        return max(candidates, key=lambda policy: (policy.effective_from, policy.version))

    def with_new_version(self, policy: TimelinessPolicy) -> PolicyHistory:
        """Append a version; history is never rewritten, so running clocks keep their rules."""
        if self.versions:
            if policy.version <= max(existing.version for existing in self.versions):
                raise InvalidValue(
                    "A new policy version must be numbered above every existing version.",
                    field="version",
                    code="policy_version_not_above",
                )
            if policy.effective_from < max(existing.effective_from for existing in self.versions):
                raise InvalidValue(
                    "A new policy version cannot take effect before the latest existing version.",
                    field="effective_from",
                    code="policy_effective_before_latest",
                )
        return PolicyHistory(versions=(*self.versions, policy))


@dataclass(frozen=True)
class Deadline:
    """One running clock: day 0 is `started_on`, on time up to and including `due_on`.

    `due_from` is set only for reviews, whose window opens before it closes (seed-digest AMB-4).
    `policy_version` is kept so due dates can be recomputed when a policy changes (house style 3.6).
    """

    kind: DeadlineKind
    started_on: date
    due_on: date
    due_from: date | None
    policy_version: int
    met_on: date | None = None
    stopped_on: date | None = None

    def __post_init__(self) -> None:
        if self.due_on < self.started_on:
            raise InvalidValue(
                "A deadline cannot fall before its clock starts.",
                field="due_on",
                code="deadline_due_before_start",
            )
        if self.due_from is not None and not self.started_on <= self.due_from <= self.due_on:
            raise InvalidValue(
                "due_from must lie between the clock start and the due date.",
                field="due_from",
                code="deadline_due_from_outside",
            )
        if self.met_on is not None and self.met_on < self.started_on:
            raise InvalidValue(
                "A deadline cannot be met before its clock starts.",
                field="met_on",
                code="deadline_met_before_start",
            )
        if self.stopped_on is not None and self.stopped_on < self.started_on:
            raise InvalidValue(
                "A clock cannot be stopped before it starts.",
                field="stopped_on",
                code="deadline_stopped_before_start",
            )
        _check_int(self.policy_version, "policy_version", minimum=1)

    def met(self, on: date) -> Deadline:
        """The deadline with its end event recorded on `on`."""
        return replace(self, met_on=on)

    def stopped(self, on: date) -> Deadline:
        """The deadline with its clock stopped on `on` (consent withdrawn, episode closed)."""
        return replace(self, stopped_on=on)


def assessment_deadline(
    consent_date: date, policy: TimelinessPolicy, calendar: WorkingCalendar
) -> Deadline:
    """Assessment and suggested plan due `policy.assessment.days` after consent.

    Blackpool Early Help Strategy, 004 seed line 1238: "The assessment and detailing the suggested
    plan should be undertaken within 20 days". Starts on the consent date as day 0 and is met when
    assessment and plan go to quality assurance (seed-digest AMB-2); working days by default
    (seed-digest AMB-1).
    """
    rule = policy.assessment
    return Deadline(
        kind=DeadlineKind.ASSESSMENT,
        started_on=consent_date,
        due_on=calendar.add_days(consent_date, rule.days, rule.basis),
        due_from=None,
        policy_version=policy.version,
    )


def quality_assurance_deadline(
    submitted_date: date, policy: TimelinessPolicy, calendar: WorkingCalendar
) -> Deadline | None:
    """QA decision due `policy.quality_assurance.days` after submission; None when the rule is off.

    The seed gives QA no time limit (004 seed line 1239), so a plan could wait unseen;
    seed-digest AMB-5 suggests a configurable turnaround, 5 working days here as a local default.
    """
    rule = policy.quality_assurance
    if not rule.enabled:
        return None
    return Deadline(
        kind=DeadlineKind.QUALITY_ASSURANCE,
        started_on=submitted_date,
        due_on=calendar.add_days(submitted_date, rule.days, rule.basis),
        due_from=None,
        policy_version=policy.version,
    )


def first_taf_deadline(
    clock_start_date: date, policy: TimelinessPolicy, calendar: WorkingCalendar
) -> Deadline:
    """First TAF meeting due `policy.first_taf.days` after the QA event named by the policy.

    Blackpool Early Help Strategy, 004 seed line 1239: "The first meeting of the TAF group should
    happen no more than 10 days after the suggested plan has been reviewed by the Early Help and
    Support Service". The caller passes the approval or the first QA decision date, as
    `policy.first_taf_clock_start` says (seed-digest AMB-3); met when the meeting is held.
    """
    rule = policy.first_taf
    return Deadline(
        kind=DeadlineKind.FIRST_TAF,
        started_on=clock_start_date,
        due_on=calendar.add_days(clock_start_date, rule.days, rule.basis),
        due_from=None,
        policy_version=policy.version,
    )


def review_deadline(
    previous_meeting_date: date, policy: TimelinessPolicy, calendar: WorkingCalendar
) -> Deadline:
    """Next review due from day `earliest_days` to day `latest_days` after the previous TAF meeting.

    Blackpool Early Help Strategy, 004 seed line 1241: "Reviews/ TAF meetings should take place
    every 4-6 weeks"; day 42 is on time, and an earlier review is allowed but flagged
    (seed-digest AMB-4).
    """
    rule = policy.review
    return Deadline(
        kind=DeadlineKind.REVIEW,
        started_on=previous_meeting_date,
        due_on=calendar.add_days(previous_meeting_date, rule.latest_days, rule.basis),
        due_from=calendar.add_days(previous_meeting_date, rule.earliest_days, rule.basis),
        policy_version=policy.version,
    )


@dataclass(frozen=True)
class DeadlineState:
    """A deadline's status on one day; day counts are calendar days, as people read them."""

    status: DeadlineStatus
    days_overdue: int
    days_until_due: int | None
    early: bool


def assess(deadline: Deadline, as_of: date, due_soon_days: int) -> DeadlineState:
    """The status of `deadline` as it stood on `as_of`.

    Events recorded after `as_of` are ignored, so asking about a past date never sees the future.
    Due soon from `due_soon_days` calendar days before the due date; overdue the day after it;
    a met review held before its window opened is on time but early (seed-digest AMB-4).
    """
    if isinstance(due_soon_days, bool) or due_soon_days < 0:
        raise InvalidValue(
            "due_soon_days must be zero or more.",
            field="due_soon_days",
            code="policy_due_soon_negative",
        )
    met_on = deadline.met_on if deadline.met_on is not None and deadline.met_on <= as_of else None
    stopped = deadline.stopped_on is not None and deadline.stopped_on <= as_of
    if met_on is not None:
        late_by = (met_on - deadline.due_on).days
        early = deadline.due_from is not None and met_on < deadline.due_from
        if late_by > 0:
            return DeadlineState(DeadlineStatus.MET_LATE, late_by, None, early=False)
        return DeadlineState(DeadlineStatus.MET_ON_TIME, 0, None, early=early)
    if stopped:
        return DeadlineState(DeadlineStatus.STOPPED, 0, None, early=False)
    until_due = (deadline.due_on - as_of).days
    if until_due < 0:
        return DeadlineState(DeadlineStatus.OVERDUE, -until_due, until_due, early=False)
    if until_due <= due_soon_days:
        return DeadlineState(DeadlineStatus.DUE_SOON, 0, until_due, early=False)
    return DeadlineState(DeadlineStatus.ON_TIME, 0, until_due, early=False)


# --- the managers' views and new policy versions ------------------------------------------------

SUMMARY_PERIOD_MONTHS = 3
"""The summary's rates cover the three months before `as_of` unless told otherwise."""


def summary_period(as_of: date, start: date | None, end: date | None) -> tuple[date, date]:
    """The period whose deadlines the summary's rates cover: by default the three months before
    `as_of` (from the same day three months earlier to the day before)."""
    period = (
        start or add_months(as_of, -SUMMARY_PERIOD_MONTHS),
        end or as_of - timedelta(days=1),
    )
    if period[0] > period[1]:
        raise InvalidValue(
            "The period cannot start after it ends.", field="from", code="period_start_after_end"
        )
    return period


def policy_for_report(history: PolicyHistory, as_of: date) -> TimelinessPolicy:
    """The policy in force on the day a view reports on; a day before every policy is refused
    naming `as_of`."""
    try:
        return history.in_force_on(as_of)
    except InvalidValue as exc:
        raise InvalidValue(exc.detail, field="as_of", code=exc.code) from None


def check_new_policy_effective(policy: TimelinessPolicy, today: date) -> None:
    """A new version takes effect today or later: it applies to clocks that start on or after its
    effective date, so back-dating it would pretend running clocks had other rules."""
    if policy.effective_from < today:
        raise InvalidValue(
            "A new policy version cannot take effect in the past: it applies to clocks that "
            "start on or after its effective date.",
            field="effective_from",
            code="policy_effective_in_past",
        )


# --- validation and (de)serialisation helpers -------------------------------------------------

_E = TypeVar("_E", bound=StrEnum)

_POLICY_KEYS = frozenset(
    {
        "version",
        "effective_from",
        "assessment",
        "first_taf",
        "quality_assurance",
        "review",
        "first_taf_clock_start",
        "due_soon_days",
        "no_contact_working_days",
        "screening_decision",
    }
)
_RULE_KEYS = frozenset({"days", "basis", "enabled"})
_REVIEW_KEYS = frozenset({"earliest_days", "latest_days", "basis"})


def _check_int(value: object, name: str, *, minimum: int, maximum: int | None = None) -> None:
    # bool is an int subclass; True as "days" is a data error, not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidValue(
            f"{name} must be a whole number.", field=name, code="policy_value_not_whole_number"
        )
    if value < minimum:
        raise InvalidValue(
            f"{name} must be at least {minimum}.", field=name, code="policy_value_too_small"
        )
    if maximum is not None and value > maximum:
        raise InvalidValue(
            f"{name} must be at most {maximum}.", field=name, code="policy_value_too_large"
        )


def _check_enum(value: object, enum: type[StrEnum], name: str) -> None:
    # A bare string equal to a member's value would compare equal but fail `is` checks.
    if not isinstance(value, enum):
        raise InvalidValue(
            f"{name} must be one of {[m.value for m in enum]}.",
            field=name,
            code="policy_value_not_one_of",
        )


def _check_rule(rule: DayCountRule, name: str, *, may_disable: bool) -> None:
    if not isinstance(rule, DayCountRule):
        raise InvalidValue(
            f"{name} must be a day-count rule.", field=name, code="policy_value_not_day_rule"
        )
    _check_int(rule.days, f"{name}.days", minimum=1, maximum=MAX_RULE_DAYS)
    _check_enum(rule.basis, DayBasis, f"{name}.basis")
    if not isinstance(rule.enabled, bool):
        raise InvalidValue(
            f"{name}.enabled must be true or false.",
            field=f"{name}.enabled",
            code="policy_value_not_boolean",
        )
    if not rule.enabled and not may_disable:
        raise InvalidValue(
            f"The {name} deadline is set by the early help process and cannot be disabled.",
            field=f"{name}.enabled",
            code="policy_deadline_mandatory",
        )


def _rule_to_dict(rule: DayCountRule) -> dict[str, Any]:
    return {"days": rule.days, "basis": rule.basis.value, "enabled": rule.enabled}


def _rule_from_dict(value: object, name: str) -> DayCountRule:
    # Types of days and enabled are checked by TimelinessPolicy.validate, which names the field.
    data = _mapping(value, name, _RULE_KEYS, required=("days", "basis"))
    kwargs: dict[str, Any] = {
        "days": data["days"],
        "basis": _enum_value(data["basis"], DayBasis, f"{name}.basis"),
    }
    if "enabled" in data:
        kwargs["enabled"] = data["enabled"]
    return DayCountRule(**kwargs)


def _mapping(
    value: object, name: str | None, allowed: frozenset[str], *, required: tuple[str, ...]
) -> Mapping[str, object]:
    prefix = f"{name}." if name else ""
    if not isinstance(value, Mapping):
        raise InvalidValue(
            f"{name or 'policy'} must be an object.", field=name, code="policy_value_not_object"
        )
    for key in value:
        if key not in allowed:
            raise InvalidValue(
                f"Unknown setting {prefix}{key}.",
                field=f"{prefix}{key}",
                code="policy_setting_unknown",
            )
    for key in required:
        if key not in value:
            raise InvalidValue(
                f"{prefix}{key} is required.",
                field=f"{prefix}{key}",
                code="policy_setting_required",
            )
    return value


def _iso_date(value: object, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidValue(
            f"{name} must be an ISO date string.", field=name, code="policy_value_not_date"
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(
            f"{name} must be an ISO date (YYYY-MM-DD).", field=name, code="policy_value_not_date"
        ) from None


def _enum_value(value: object, enum: type[_E], name: str) -> _E:
    for member in enum:
        if isinstance(value, str) and value == member.value:
            return member
    raise InvalidValue(
        f"{name} must be one of {[m.value for m in enum]}.",
        field=name,
        code="policy_value_not_one_of",
    )


# Defined last because building it runs the validation helpers above.
DEFAULT_POLICY = TimelinessPolicy(version=1, effective_from=date(2000, 1, 1))
