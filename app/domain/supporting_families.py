"""Supporting Families claims: needs and outcomes on the record, the claim rules, the claim's life.

Rule book: shared/domain/supporting-families.md. A need carries a framework descriptor, the members
it affects and its evidence (§3.3 item 6; E3, E4, E6); it gets an outcome and, after closure, a
sustainment check (§3.3 item 9; K6). The claim rules C1-C9 (§4.1) are small pure functions, each
returning a `RuleResult` whose reason an auditor or SF lead can read. With the look-back window
(§4.2), the programme-year check (K13) and the verified-descriptor gate (§2, §6 test 13) they decide
whether a claim may enter `ready`; C7 guards submission. The claim state machine is §4.5, the
evidence pack §4.3. Thresholds and windows come from `CouncilPolicy` and the framework catalogue,
never from constants here. Nothing reads the clock: every step is told its date.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Final

from app.domain.episodes import ClosureReason, LeadAssignment
from app.domain.errors import Conflict, Forbidden, IllegalTransition, InvalidValue, RuleReason
from app.domain.families import add_months
from app.domain.outcomes_framework import (
    ClaimRoute,
    CouncilPolicy,
    FrameworkCatalogue,
    NeedDescriptor,
)
from app.domain.step_dates import check_step_date

# --- needs, outcomes and sustainment on the record -----------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Where a fact is evidenced: source system, reference, who recorded it and when (§3.3, §4.3)."""

    source: str
    reference: str
    recorded_by: uuid.UUID
    recorded_on: date

    def __post_init__(self) -> None:
        _require_text(self.source, "evidence.source", "Say which system or document holds it.")
        _require_text(self.reference, "evidence.reference", "Give the evidence reference.")


@dataclass(frozen=True)
class RecordedNeed:
    """A family need as the claim sees it (§3.3 item 6, §5.3 `FamilyNeed`; E3, E4, E6).

    `id` is the need's id on the case record, so family plans can say which needs they address;
    `emerged_later` marks a need found during the work rather than at the start (E6).
    """

    id: uuid.UUID
    descriptor_code: str
    headline: str
    person_ids: tuple[uuid.UUID, ...]
    identified_on: date
    emerged_later: bool
    evidence: Evidence

    def __post_init__(self) -> None:
        _require_text(self.descriptor_code, "descriptor_code", "Choose the need's descriptor.")
        _require_text(self.headline, "headline", "Choose the need's headline.")
        if not self.person_ids:
            raise InvalidValue(
                "Say which family members the need affects.",
                field="person_ids",
                code="need_people_required",
            )
        if len(set(self.person_ids)) != len(self.person_ids):
            raise InvalidValue(
                "A family member is named twice for this need.",
                field="person_ids",
                code="need_person_repeated",
            )
        if self.evidence.recorded_on < self.identified_on:
            raise InvalidValue(
                "Evidence of a need cannot be recorded before the need was identified.",
                field="evidence.recorded_on",
                code="need_evidence_before_identified",
            )


class NeedOutcome(StrEnum):
    """Where a need's outcome stands (§5.3 `NeedOutcome.status`; C3)."""

    OPEN = "open"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"


@dataclass(frozen=True)
class OutcomeRecord:
    """A need's outcome: open, or achieved / not achieved on a date with evidence (§3.3 item 9, C3)."""

    status: NeedOutcome = NeedOutcome.OPEN
    on: date | None = None
    evidence: Evidence | None = None

    def __post_init__(self) -> None:
        if self.status is NeedOutcome.OPEN and (self.on is not None or self.evidence is not None):
            raise InvalidValue(
                "An open outcome has no date or evidence yet.",
                field="outcome.on",
                code="open_outcome_with_date",
            )
        if self.status is not NeedOutcome.OPEN and self.on is None:
            raise InvalidValue(
                "Say when the outcome was reached.",
                field="outcome.on",
                code="outcome_date_required",
            )


class SustainmentResult(StrEnum):
    """What the check after closure found (§5.3 `sustain_check_result`; C4, K6)."""

    SUSTAINED = "sustained"
    NOT_SUSTAINED = "not_sustained"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SustainmentCheck:
    """The re-check of an achieved outcome at `due_on`, the descriptor's point after closure (K6, C4).

    `lapsed_on` is the date of the event that broke the outcome (a new incident, say) when the
    result is not sustained (§6 test 5).
    """

    due_on: date
    checked_on: date
    result: SustainmentResult
    evidence: Evidence
    lapsed_on: date | None = None

    def __post_init__(self) -> None:
        if (self.result is SustainmentResult.NOT_SUSTAINED) != (self.lapsed_on is not None):
            raise InvalidValue(
                "Give the date the outcome lapsed when, and only when, it was not sustained.",
                field="lapsed_on",
                code="lapse_date_mismatch",
            )
        if self.lapsed_on is not None and self.lapsed_on > self.checked_on:
            raise InvalidValue(
                "An outcome cannot be found to have lapsed after the check that found it.",
                field="lapsed_on",
                code="lapse_after_check",
            )


@dataclass(frozen=True)
class NeedRecord:
    """One need with its outcome and its sustainment check, as filled in from the case record."""

    need: RecordedNeed
    outcome: OutcomeRecord = field(default_factory=OutcomeRecord)
    sustainment: SustainmentCheck | None = None


def sustainment_due_on(need: RecordedNeed, closed_on: date, catalogue: FrameworkCatalogue) -> date:
    """When the need's outcome is re-checked: its descriptor's sustain rule after closure (K6, §2).

    The descriptor is the one of the framework version in force when the need was identified (C1).
    """
    descriptor = catalogue.descriptor_in_force(need.descriptor_code, need.identified_on)
    if descriptor is None:
        raise InvalidValue(
            f"'{need.descriptor_code}' is not a need descriptor of the framework in force on "
            f"{need.identified_on.isoformat()}.",
            field="descriptor_code",
            code="need_descriptor_unknown",
        )
    return descriptor.sustain_rule.due_on(closed_on)


def record_outcome(
    record: NeedRecord, status: NeedOutcome, on: date | None, evidence: Evidence | None
) -> NeedRecord:
    """Set a need's outcome (§3.3 item 9, C3). A reached outcome needs its date and evidence.

    Once the outcome has been checked for sustainment it is history and cannot be rewritten.
    """
    if (
        record.sustainment is not None
        and record.sustainment.result is not SustainmentResult.UNKNOWN
    ):
        raise IllegalTransition(
            "This outcome has already been checked for sustainment after closure, so it cannot "
            "be changed; the check is the record of what happened.",
            code="outcome_sustainment_checked",
        )
    if status is not NeedOutcome.OPEN:
        if evidence is None:
            raise InvalidValue(
                "Record the evidence for the outcome.",
                field="outcome.evidence",
                code="outcome_evidence_required",
            )
        if on is not None and on < record.need.identified_on:
            raise InvalidValue(
                "An outcome cannot be reached before the need was identified.",
                field="outcome.on",
                code="outcome_reached_before_need",
            )
    return replace(record, outcome=OutcomeRecord(status=status, on=on, evidence=evidence))


def record_sustainment_check(
    record: NeedRecord,
    *,
    closed_on: date,
    catalogue: FrameworkCatalogue,
    checked_on: date,
    result: SustainmentResult,
    evidence: Evidence,
    lapsed_on: date | None = None,
) -> NeedRecord:
    """Record the sustainment check of an achieved outcome (K6, C4; §6 tests 4 and 5).

    A sustained result counts only on or after the due date; a lapse found inside the sustained
    period (from closure to the due date) turns the outcome `not_achieved` from the lapse date.
    An `unknown` result may be replaced by a later check.
    """
    if record.outcome.status is not NeedOutcome.ACHIEVED:
        raise IllegalTransition(
            "Only an achieved outcome is checked for sustainment; this one is "
            f"{record.outcome.status.value.replace('_', ' ')}.",
            code="sustainment_of_unachieved_outcome",
        )
    if (
        record.sustainment is not None
        and record.sustainment.result is not SustainmentResult.UNKNOWN
    ):
        raise IllegalTransition(
            "This outcome has already been checked for sustainment.",
            code="outcome_sustainment_checked",
        )
    if checked_on < closed_on:
        raise InvalidValue(
            "A sustainment check happens after the case is closed.",
            field="checked_on",
            code="sustainment_check_before_closure",
        )
    due = sustainment_due_on(record.need, closed_on, catalogue)
    if result is SustainmentResult.SUSTAINED and checked_on < due:
        raise InvalidValue(
            f"A sustained result can be recorded only on or after {due.isoformat()}, the end of "
            "the sustained period.",
            field="checked_on",
            code="sustained_before_period_end",
        )
    if lapsed_on is not None and not closed_on <= lapsed_on <= due:
        raise InvalidValue(
            f"The lapse must fall inside the sustained period, from closure on "
            f"{closed_on.isoformat()} to {due.isoformat()}; outside it the outcome held.",
            field="lapsed_on",
            code="lapse_outside_sustained_period",
        )
    check = SustainmentCheck(
        due_on=due, checked_on=checked_on, result=result, evidence=evidence, lapsed_on=lapsed_on
    )
    outcome = record.outcome
    if lapsed_on is not None:
        outcome = OutcomeRecord(status=NeedOutcome.NOT_ACHIEVED, on=lapsed_on, evidence=evidence)
    return replace(record, outcome=outcome, sustainment=check)


# --- what the record accepts, and when -----------------------------------------------------------


def check_need_identified(identified_on: date, *, today: date, requested_on: date) -> None:
    """A need is identified on a day of the episode, as every dated step is (issue 18 §1): not
    after today, not before the episode was requested (`app.domain.step_dates`)."""
    check_step_date(identified_on, today=today, field="identified_on", requested_on=requested_on)


def check_needs_recorded_while_open(episode_is_open: bool) -> None:
    """Needs are the work with the family: a closed episode takes no new ones (§3.3 item 6)."""
    if not episode_is_open:
        raise IllegalTransition(
            "The episode is closed; needs are recorded while the family is supported.",
            code="episode_closed",
        )


def need_descriptor(
    catalogue: FrameworkCatalogue, descriptor_code: str, identified_on: date
) -> NeedDescriptor:
    """The descriptor a need is recorded under: the one of the framework in force when the need
    was identified (C1)."""
    descriptor = catalogue.descriptor_in_force(descriptor_code, identified_on)
    if descriptor is None:
        raise InvalidValue(
            f"'{descriptor_code}' is not a need descriptor of the outcome framework in force on "
            f"{identified_on.isoformat()}.",
            field="descriptor_code",
            code="need_descriptor_unknown",
        )
    return descriptor


def check_need_members(person_ids: Sequence[uuid.UUID], member_ids: Collection[uuid.UUID]) -> None:
    """A need is about the family: each person it names is (or was) one of its members."""
    for index, person_id in enumerate(person_ids):
        if person_id not in member_ids:
            raise InvalidValue(
                "The need must be about members of the family.",
                field=f"person_ids[{index}]",
                code="need_person_not_in_family",
            )


def check_outcome_reached(on: date | None, today: date) -> None:
    if on is not None and on > today:
        raise InvalidValue(
            "An outcome cannot be reached in the future.",
            field="on",
            code="outcome_reached_in_future",
        )


def sustainment_check_day(checked_on: date | None, today: date) -> date:
    """The day a sustainment check is dated: today unless said, never in the future."""
    checked = checked_on or today
    if checked > today:
        raise InvalidValue(
            "A check cannot be dated in the future.",
            field="checked_on",
            code="sustainment_check_in_future",
        )
    return checked


def closed_for_sustainment(closed_on: date | None) -> date:
    """The closure a sustainment check counts from; an open episode has none to check (K6)."""
    if closed_on is None:
        raise IllegalTransition(
            "Outcomes are checked for sustainment after the episode is closed.",
            code="sustainment_check_before_closure_stage",
        )
    return closed_on


def check_support_dates(support: SupportDelivered, *, requested_on: date, today: date) -> None:
    """Support delivered is recorded once it has started, and within the episode (§3.3 item 7)."""
    if support.started_on > today:
        raise InvalidValue(
            "Support cannot start in the future.",
            field="started_on",
            code="support_started_in_future",
        )
    if support.started_on < requested_on:
        raise InvalidValue(
            "Support recorded for this episode starts after its request.",
            field="started_on",
            code="support_started_after_request",
        )


# --- the case a claim is judged on ---------------------------------------------------------------


class ClaimState(StrEnum):
    """The states of a claim (§4.5, a proposal [I] adopted as is)."""

    DRAFT = "draft"
    READY = "ready"
    INTERNAL_AUDIT = "internal_audit"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUBMITTED = "submitted"
    PAID = "paid"
    CLAWED_BACK = "clawed_back"


CLAIM_TRANSITIONS: Final[dict[ClaimState, frozenset[ClaimState]]] = {
    ClaimState.DRAFT: frozenset({ClaimState.READY}),
    # Editing needs, outcomes or closure sends a ready claim back to draft (§4.5).
    ClaimState.READY: frozenset({ClaimState.INTERNAL_AUDIT, ClaimState.DRAFT}),
    ClaimState.INTERNAL_AUDIT: frozenset({ClaimState.APPROVED, ClaimState.REJECTED}),
    ClaimState.APPROVED: frozenset({ClaimState.SUBMITTED}),
    ClaimState.SUBMITTED: frozenset({ClaimState.PAID, ClaimState.CLAWED_BACK}),
    ClaimState.PAID: frozenset({ClaimState.CLAWED_BACK}),
    ClaimState.REJECTED: frozenset(),
    ClaimState.CLAWED_BACK: frozenset(),
}
"""Allowed next states (§4.5); every move checks this table."""

ONE_PER_PHASE_STATES: Final = frozenset(
    {ClaimState.APPROVED, ClaimState.SUBMITTED, ClaimState.PAID}
)
"""Claims that stop another claim for the family in the same phase (C6, K10)."""

LIVE_CLAIM_STATES: Final = frozenset(
    {
        ClaimState.DRAFT,
        ClaimState.READY,
        ClaimState.INTERNAL_AUDIT,
        ClaimState.APPROVED,
        ClaimState.SUBMITTED,
        ClaimState.PAID,
    }
)
"""A claim in progress or successful: the family has its one claim for the phase, so no other is
raised (C6, K10). The database holds the same list in a partial unique index."""


FROZEN_STATES: Final = frozenset(
    {
        ClaimState.APPROVED,
        ClaimState.SUBMITTED,
        ClaimState.PAID,
        ClaimState.CLAWED_BACK,
        ClaimState.REJECTED,
    }
)
"""States in which the evidence pack and the case it records can no longer change (§4.3, §4.5)."""


@dataclass(frozen=True)
class AssessmentSummary:
    """A whole family assessment: when it was completed and whom it covered (§3.3 item 3, E5)."""

    assessment_id: uuid.UUID
    completed_on: date | None
    covered_person_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class PlanSummary:
    """One agreed version of the family plan and the needs its outcomes address (§3.3 item 5, E5)."""

    plan_id: uuid.UUID
    version: int
    agreed_on: date | None
    need_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class SupportDelivered:
    """A service or intervention the family received, with dates (§3.3 item 7, E5)."""

    service: str
    started_on: date
    ended_on: date | None = None
    provider: str = ""

    def __post_init__(self) -> None:
        _require_text(self.service, "service", "Name the support delivered.")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise InvalidValue(
                "Support cannot end before it starts.",
                field="ended_on",
                code="support_ended_before_start",
            )


@dataclass(frozen=True)
class PriorClaim:
    """Another claim for the same family, for the one-claim-per-phase rule (C6, K10)."""

    claim_id: uuid.UUID
    programme_phase: str
    state: ClaimState
    episode_id: uuid.UUID | None = None
    """The episode claimed for: its needs are the need set the claim paid for (K10)."""


def holds_phase(claims: Iterable[PriorClaim], phase: str | None) -> bool:
    """Whether one of the family's claims is live in `phase` (None: no programme year, no phase)."""
    return phase is not None and any(
        c.programme_phase == phase and c.state in LIVE_CLAIM_STATES for c in claims
    )


def live_claim_in_phase(claims: Iterable[PriorClaim], phase: str) -> PriorClaim | None:
    """The family's claim in progress or successful in `phase`, if it has one (C6, K10)."""
    return next(
        (c for c in claims if c.programme_phase == phase and c.state in LIVE_CLAIM_STATES), None
    )


def check_no_live_claim(claims: Iterable[PriorClaim], phase: str) -> None:
    """A family is claimed for once per programme phase (C6, K10): a second claim is refused,
    naming the one it already has."""
    existing = live_claim_in_phase(claims, phase)
    if existing is not None:
        raise Conflict(
            f"The family already has a {phase} claim that is {_state(existing.state)} (claim "
            f"{existing.claim_id}); a family is claimed for once per programme phase (C6, K10).",
            code="claim_already_live_for_phase",
        )


@dataclass(frozen=True)
class ClaimCase:
    """Everything the claim rules look at, as plain data the service layer fills from the record.

    - the claim's terms: `framework_version` (at attachment, K12, §5.3), `route` (C9) and
      `claim_date` (the claim's creation date; None judges a prospective claim on `as_of`);
    - the household: members, dependent children and expectant parents (E1, E2: who counts as a
      dependent child is worked out by the caller);
    - the intervention: start, closure and reason (§3.3 item 8), lead practitioner history,
      assessments, agreed plan versions and support delivered (E5);
    - the needs with their outcomes and sustainment checks (E3, E4, E6, C3, C4);
    - the family's other claims (C6).
    """

    family_id: uuid.UUID
    episode_id: uuid.UUID
    framework_version: str
    route: ClaimRoute
    member_ids: tuple[uuid.UUID, ...]
    dependent_child_ids: tuple[uuid.UUID, ...]
    expectant_parent_ids: tuple[uuid.UUID, ...]
    episode_started_on: date
    closed_on: date | None
    closure_reason: ClosureReason | None
    lead_history: tuple[LeadAssignment, ...]
    assessments: tuple[AssessmentSummary, ...]
    plans: tuple[PlanSummary, ...]
    support: tuple[SupportDelivered, ...]
    needs: tuple[NeedRecord, ...]
    previous_claims: tuple[PriorClaim, ...] = ()
    claim_date: date | None = None

    def __post_init__(self) -> None:
        seen: set[uuid.UUID] = set()
        for i, record in enumerate(self.needs):
            if record.need.id in seen:
                raise InvalidValue(
                    "The same need is listed twice.",
                    field=f"needs[{i}].id",
                    code="claim_need_repeated",
                )
            seen.add(record.need.id)
        if self.closed_on is not None and self.closed_on < self.episode_started_on:
            raise InvalidValue(
                "An episode cannot close before it starts.",
                field="closed_on",
                code="case_closed_before_start",
            )


# --- the rules -----------------------------------------------------------------------------------


class RuleId(StrEnum):
    """The rules a claim is judged by: C1-C9 of §4.1, plus K13, the §4.2 look-back and §2 sign-off."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"
    C6 = "C6"
    C7 = "C7"
    C8 = "C8"
    C9 = "C9"
    K13 = "K13"
    LOOKBACK = "LOOKBACK"
    VERIFIED = "VERIFIED"


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict and the reason, written for an auditor or SF lead to read."""

    rule_id: RuleId
    passed: bool
    reason: str


def rule_c1_family_and_needs(
    case: ClaimCase, policy: CouncilPolicy, catalogue: FrameworkCatalogue
) -> RuleResult:
    """C1: a dependent child or expectant parent (K1, E1) and at least `min_needs` needs across
    `min_distinct_headlines` headlines (K2, K3, E3), each a descriptor of the framework version in
    force when it was identified (E7). Needs are counted by distinct descriptor.
    """
    problems: list[str] = []
    if not case.dependent_child_ids and not case.expectant_parent_ids:
        problems.append(
            "The family has no dependent child and no expectant parent recorded, so it is not "
            "eligible (K1, E1)."
        )
    for record in case.needs:
        need = record.need
        version = catalogue.in_force_on(need.identified_on)
        if version is None:
            problems.append(
                f"Need {need.descriptor_code} was identified on {need.identified_on.isoformat()}, "
                "when no outcome framework version was in force (E7)."
            )
            continue
        descriptor = version.descriptor(need.descriptor_code)
        if descriptor is None:
            problems.append(
                f"Need {need.descriptor_code} is not a descriptor of framework {version.code}, "
                f"which was in force when it was identified on {need.identified_on.isoformat()} "
                "(E7)."
            )
        elif descriptor.headline != need.headline:
            problems.append(
                f"Need {need.descriptor_code} is recorded under headline {need.headline}, but "
                f"framework {version.code} puts it under {descriptor.headline}."
            )
    min_needs, min_headlines = policy.thresholds_for(case.framework_version)
    codes = sorted({r.need.descriptor_code for r in case.needs})
    headlines = sorted({r.need.headline for r in case.needs})
    if len(codes) < min_needs:
        problems.append(
            f"The family has {_count(len(codes), 'distinct need')}; at least {min_needs} are "
            "needed (K2, E3)."
        )
    if len(headlines) < min_headlines:
        problems.append(
            f"The needs fall under {_count(len(headlines), 'headline')} "
            f"({', '.join(headlines) or 'none'}); this council requires needs under at least "
            f"{min_headlines} different headlines (K3, §3.2)."
        )
    if problems:
        return _fail(RuleId.C1, " ".join(problems))
    who = _count(len(case.dependent_child_ids), "dependent child", "dependent children")
    if case.expectant_parent_ids:
        who += f" and {_count(len(case.expectant_parent_ids), 'expectant parent')}"
    return _pass(
        RuleId.C1,
        f"The family has {who}, and {_count(len(codes), 'need')} under "
        f"{_count(len(headlines), 'headline')} ({', '.join(headlines)}); the council requires "
        f"{min_needs} needs under {min_headlines} headlines.",
    )


def rule_c2_whole_family_working(case: ClaimCase, as_of: date) -> RuleResult:
    """C2 (E5, §3.3 items 3-7): a whole family assessment covering every member, a lead
    practitioner, a family plan addressing every need (emerging ones too) and support delivered.
    Plan coverage is the union of the agreed plan versions.
    """
    problems: list[str] = []
    completed = [
        a for a in case.assessments if a.completed_on is not None and a.completed_on <= as_of
    ]
    if not completed:
        problems.append("No whole family assessment has been completed (E5, §3.3 item 3).")
    else:
        covered = {p for a in completed for p in a.covered_person_ids}
        missed = [m for m in case.member_ids if m not in covered]
        if missed:
            problems.append(
                f"The assessment does not cover {_count(len(missed), 'household member')}, so it "
                "is not a whole family assessment (E5)."
            )
    if not any(lead.assigned_on <= as_of for lead in case.lead_history):
        problems.append("No lead practitioner has been assigned (E5, §3.3 item 4).")
    agreed = [p for p in case.plans if p.agreed_on is not None and p.agreed_on <= as_of]
    if not agreed:
        problems.append("No family plan has been agreed (E5, §3.3 item 5).")
    else:
        addressed = {n for p in agreed for n in p.need_ids}
        missing = sorted(r.need.descriptor_code for r in case.needs if r.need.id not in addressed)
        if missing:
            problems.append(
                f"The family plan does not address need(s) {', '.join(missing)}; the plan must "
                "cover every need, including needs that emerged later (E5, E6)."
            )
    if not any(s.started_on <= as_of for s in case.support):
        problems.append("No support delivered to the family is recorded (E5, §3.3 item 7).")
    if problems:
        return _fail(RuleId.C2, " ".join(problems))
    return _pass(
        RuleId.C2,
        "A whole family assessment, a lead practitioner, a family plan covering every need and "
        "support delivered are all recorded.",
    )


def rule_c3_outcomes_achieved(case: ClaimCase, as_of: date) -> RuleResult:
    """C3 (K5, E6): every need, including those that emerged later, is `achieved` with evidence.

    An outcome dated after `as_of` had not been reached on that day.
    """
    if not case.needs:
        return _fail(RuleId.C3, "No needs are recorded, so no outcome can be shown (C3).")
    problems = [
        problem for record in case.needs if (problem := _outcome_problem(record, as_of)) is not None
    ]
    if problems:
        return _fail(
            RuleId.C3,
            "Every need, including needs that emerged later, must be achieved with evidence "
            f"(C3, K5, E6): {'; '.join(problems)}.",
        )
    return _pass(RuleId.C3, f"All {_count(len(case.needs), 'need')} are achieved with evidence.")


def rule_c4_closed_and_sustained(
    case: ClaimCase, catalogue: FrameworkCatalogue, as_of: date
) -> RuleResult:
    """C4 (K6): the intervention is closed and each outcome still held at its sustainment date,
    as recorded by a check made on or after that date (the descriptor's rule, 6 months by default).
    """
    closed_on = case.closed_on
    if closed_on is None or closed_on > as_of:
        return _fail(
            RuleId.C4,
            "The intervention is not closed; outcomes are checked for sustainment only after "
            "closure (C4, K6).",
        )
    problems: list[str] = []
    latest: date = closed_on
    for record in case.needs:
        code = record.need.descriptor_code
        descriptor = catalogue.descriptor_in_force(code, record.need.identified_on)
        if descriptor is None:
            problems.append(
                f"{code}: the sustainment date is unknown because the descriptor is (C1)"
            )
            continue
        due = descriptor.sustain_rule.due_on(closed_on)
        latest = max(latest, due)
        check = record.sustainment
        if check is None or check.checked_on > as_of:
            problems.append(f"{code}: no sustainment check is recorded (due {due.isoformat()})")
        elif check.result is SustainmentResult.NOT_SUSTAINED:
            lapsed = check.lapsed_on.isoformat() if check.lapsed_on else "an unknown date"
            problems.append(
                f"{code}: not sustained, the outcome lapsed on {lapsed}, inside the sustained "
                f"period ending {due.isoformat()}"
            )
        elif check.result is SustainmentResult.UNKNOWN:
            problems.append(
                f"{code}: the check on {check.checked_on.isoformat()} could not confirm the outcome"
            )
        elif check.checked_on < due:
            problems.append(
                f"{code}: checked on {check.checked_on.isoformat()}, before its sustainment date "
                f"{due.isoformat()}"
            )
    if problems:
        return _fail(
            RuleId.C4,
            f"Each outcome must still hold at its sustainment date after closure on "
            f"{closed_on.isoformat()} (C4, K6): {'; '.join(problems)}.",
        )
    return _pass(
        RuleId.C4,
        f"Closed on {closed_on.isoformat()}; every outcome was checked and sustained at its "
        f"sustainment date (the last on {latest.isoformat()}).",
    )


def rule_c5_claim_after_sustained_period(
    case: ClaimCase, policy: CouncilPolicy, as_of: date
) -> RuleResult:
    """C5 (K6): the claim date is on or after closure plus `claim_after_closure_months` (6)."""
    closed_on = case.closed_on
    if closed_on is None or closed_on > as_of:
        return _fail(
            RuleId.C5,
            "The intervention is not closed, so the claim cannot yet be dated after the "
            "sustained period (C5).",
        )
    earliest = add_months(closed_on, policy.claim_after_closure_months)
    if as_of < earliest:
        return _fail(
            RuleId.C5,
            f"The claim date {as_of.isoformat()} is before {earliest.isoformat()}, "
            f"{policy.claim_after_closure_months} months after closure on "
            f"{closed_on.isoformat()} (C5, K6).",
        )
    return _pass(
        RuleId.C5,
        f"The claim date {as_of.isoformat()} is on or after {earliest.isoformat()}, "
        f"{policy.claim_after_closure_months} months after closure (C5).",
    )


def rule_c6_one_claim_per_phase(case: ClaimCase, policy: CouncilPolicy, as_of: date) -> RuleResult:
    """C6 (K10): no other claim for the family is approved, submitted or paid in the same programme
    phase; a clawed-back claim also counts unless the policy frees the family (§4.5) [I]. One
    claim per family and need set: an episode claimed for in an earlier phase (in progress or
    successful) is not claimed again in a later one, unless the year is a local scheme's and the
    council's policy lets it pay again for the same outcomes (`local_scheme_reclaims_episodes`).
    """
    claim_date = case.claim_date or as_of
    year = policy.programme_year_on(claim_date)
    if year is None:
        return _fail(
            RuleId.C6,
            f"No programme year covers the claim date {claim_date.isoformat()}, so its programme "
            "phase is unknown (C6; see K13).",
        )
    blocking = set(ONE_PER_PHASE_STATES)
    if not policy.clawback_frees_family:
        blocking.add(ClaimState.CLAWED_BACK)
    clashes = [
        c for c in case.previous_claims if c.programme_phase == year.phase and c.state in blocking
    ]
    reclaim = year.is_local_scheme and policy.local_scheme_reclaims_episodes
    same_needs = [
        c
        for c in case.previous_claims
        if c.episode_id == case.episode_id
        and c.programme_phase != year.phase
        and c.state in blocking | LIVE_CLAIM_STATES
    ]
    if same_needs and not reclaim:
        first = same_needs[0]
        return _fail(
            RuleId.C6,
            f"This episode was already claimed for in programme phase {first.programme_phase} "
            f"(claim {first.claim_id}, {_state(first.state)}); one claim is made per family and "
            f"need set (K10), and the council's local scheme does not claim the same outcomes "
            "again (policy: local_scheme_reclaims_episodes).",
        )
    if clashes:
        first = clashes[0]
        return _fail(
            RuleId.C6,
            f"The family already has a {year.phase} claim that is "
            f"{first.state.value.replace('_', ' ')} (claim {first.claim_id}); a family is claimed "
            "for once per programme phase (C6, K10).",
        )
    return _pass(
        RuleId.C6,
        f"The family has no other {year.phase} claim that is approved, submitted or paid (C6).",
    )


class AuditOutcome(StrEnum):
    """What internal audit decided (§4.5: approve, or reject with a reason)."""

    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class AuditDecision:
    """Internal audit's decision on a claim, with the auditor's notes (K9, C7, §4.3)."""

    auditor_id: uuid.UUID
    outcome: AuditOutcome
    decided_on: date
    notes: str

    def __post_init__(self) -> None:
        _require_text(self.notes, "notes", "Internal audit records its notes with the decision.")


def rule_c7_internal_audit(audit: AuditDecision | None) -> RuleResult:
    """C7 (K9): the claim has passed internal audit before submission."""
    if audit is None:
        return _fail(
            RuleId.C7,
            "Internal audit has not approved this claim, and nothing is submitted without its "
            "approval (C7, K9). Send the claim to internal audit first.",
        )
    if audit.outcome is AuditOutcome.REJECTED:
        return _fail(
            RuleId.C7,
            f"Internal audit rejected this claim on {audit.decided_on.isoformat()}: {audit.notes} "
            "(C7). Raise a new claim once the problems are fixed.",
        )
    return _pass(
        RuleId.C7, f"Internal audit approved this claim on {audit.decided_on.isoformat()} (C7)."
    )


def rule_c8_funding_model(policy: CouncilPolicy) -> RuleResult:
    """C8 (K11): only a payment-by-results council claims; Earned Autonomy areas still report."""
    if not policy.makes_claims:
        return _fail(
            RuleId.C8,
            "The council is an Earned Autonomy area: it receives its funding upfront and makes no "
            "payment-by-results claims (C8, K11). Its progress is still reported.",
        )
    return _pass(RuleId.C8, "The council is funded by payment by results (C8).")


def rule_c9_claim_route(case: ClaimCase, catalogue: FrameworkCatalogue) -> RuleResult:
    """C9 (K7): the claim route is one the framework version allows; continuous employment only
    before 2022-10 (held as each version's `claim_routes`).
    """
    version = catalogue.get_version(case.framework_version)
    if version is None:
        return _fail(
            RuleId.C9, f"There is no outcome framework version '{case.framework_version}' (C9)."
        )
    if case.route not in version.claim_routes:
        if case.route is ClaimRoute.CONTINUOUS_EMPLOYMENT:
            return _fail(
                RuleId.C9,
                f"Continuous employment is not a claim route under framework {version.code}; it "
                "was a route only until September 2022 (C9, K7). Claim significant and sustained "
                "progress instead.",
            )
        return _fail(
            RuleId.C9,
            f"The route {case.route.value} is not allowed under framework {version.code} (C9).",
        )
    return _pass(
        RuleId.C9,
        f"The route {case.route.value.replace('_', ' ')} is allowed under framework "
        f"{version.code} (C9).",
    )


def rule_k13_programme_year(case: ClaimCase, policy: CouncilPolicy, as_of: date) -> RuleResult:
    """K13 (§4.4): the claim date falls in a programme year of the policy; a local-scheme year
    after the national programme (no payment value) takes claims only if the council turned it on.
    """
    claim_date = case.claim_date or as_of
    year = policy.programme_year_on(claim_date)
    if year is None:
        return _fail(
            RuleId.K13,
            f"No programme year in the council's policy covers {claim_date.isoformat()}; claims "
            "are raised only within a programme year (K13, §4.4).",
        )
    if year.is_local_scheme and not policy.claims_after_programme:
        return _fail(
            RuleId.K13,
            f"{claim_date.isoformat()} falls in {year.label}, after the national payment-by-results "
            "programme ended in March 2025; claims are refused unless the council turns on a local "
            "results scheme (K13).",
        )
    value = (
        "a local scheme with no payment value"
        if year.unit_value_pence is None
        else f"£{year.unit_value_pence / 100:,.2f} per family"
    )
    return _pass(RuleId.K13, f"The claim falls in programme year {year.label}, {value} (K13).")


def rule_lookback(case: ClaimCase, policy: CouncilPolicy, as_of: date) -> RuleResult:
    """§4.2 look-back: the closure month lies in [M - `claim_lookback_months`, M -
    `claim_after_closure_months`], M being the processing month (Birmingham's table) [I].
    """
    closed_on = case.closed_on
    if closed_on is None or closed_on > as_of:
        return _fail(
            RuleId.LOOKBACK,
            "The intervention is not closed, so it cannot fall in the claim window (§4.2).",
        )
    lookback = policy.claim_lookback_months
    if lookback is None:
        return _pass(RuleId.LOOKBACK, "The council sets no look-back limit (§4.2).")
    processing, closure = _month_index(as_of), _month_index(closed_on)
    earliest, latest = processing - lookback, processing - policy.claim_after_closure_months
    if closure < earliest:
        return _fail(
            RuleId.LOOKBACK,
            f"The case closed in {_month(closure)}, more than {lookback} months before the "
            f"processing month {_month(processing)}; the earliest closure month it can claim is "
            f"{_month(earliest)} (§4.2).",
        )
    if closure > latest:
        return _fail(
            RuleId.LOOKBACK,
            f"The case closed in {_month(closure)}; claims processed in {_month(processing)} "
            f"cover closures up to {_month(latest)} (§4.2).",
        )
    return _pass(
        RuleId.LOOKBACK,
        f"The case closed in {_month(closure)}, inside the window {_month(earliest)} to "
        f"{_month(latest)} for claims processed in {_month(processing)} (§4.2).",
    )


def earliest_claimable_closure(policy: CouncilPolicy, as_of: date) -> date | None:
    """The first closure day the look-back window admits for claims processed on `as_of` (§4.2),
    so a batch need not judge episodes that closed too long ago; None when the council sets no
    look-back limit."""
    if policy.claim_lookback_months is None:
        return None
    earliest = _month_index(as_of) - policy.claim_lookback_months
    return date(earliest // 12, earliest % 12 + 1, 1)


def latest_claimable_closure(policy: CouncilPolicy, as_of: date) -> date:
    """The last closure day C5 admits for a claim dated `as_of`: the latest day whose closure
    plus `claim_after_closure_months` is on or before `as_of` (month ends clamp, so it is found
    by stepping rather than by subtracting), so a report need not load later closures."""
    months = policy.claim_after_closure_months
    day = add_months(as_of, -months)
    while add_months(day, months) > as_of:
        day -= timedelta(days=1)
    while add_months(day + timedelta(days=1), months) <= as_of:
        day += timedelta(days=1)
    return day


def rule_descriptors_verified(case: ClaimCase, catalogue: FrameworkCatalogue) -> RuleResult:
    """§2 "To do before go-live" (§6 test 13): no need may rely on a descriptor that a Supporting
    Families lead has not verified against the framework's Chapter 3 tables.
    """
    unverified = sorted(
        {
            r.need.descriptor_code
            for r in case.needs
            if (d := catalogue.descriptor_in_force(r.need.descriptor_code, r.need.identified_on))
            is not None
            and not d.verified
        }
    )
    if unverified:
        return _fail(
            RuleId.VERIFIED,
            f"Need descriptor(s) {', '.join(unverified)} have not been verified by a Supporting "
            "Families lead against Chapter 3 of the framework, so a claim relying on them cannot "
            "be made ready (§2).",
        )
    return _pass(RuleId.VERIFIED, "Every need descriptor used has been verified (§2).")


# --- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimEvaluation:
    """Every rule for entering `ready` (§4.5: C1-C6, C8-C9, with K13, look-back and sign-off).

    `failures` lists each failing rule with its reason, in rule order. C7 is not here: it guards
    submission (`Claim.submit`), not readiness.
    """

    as_of: date
    eligible: bool
    failures: tuple[RuleResult, ...]
    results: tuple[RuleResult, ...]

    def result(self, rule_id: RuleId) -> RuleResult:
        return next(r for r in self.results if r.rule_id is rule_id)

    @property
    def outcomes_met(self) -> bool:
        """Whether C1-C5 pass: the MI line "families claimable", counted for Earned Autonomy too
        (§5.2; §6 test 8)."""
        wanted = {RuleId.C1, RuleId.C2, RuleId.C3, RuleId.C4, RuleId.C5}
        return all(r.passed for r in self.results if r.rule_id in wanted)


def evaluate_claim(
    family_case: ClaimCase, policy: CouncilPolicy, catalogue: FrameworkCatalogue, as_of: date
) -> ClaimEvaluation:
    """Judge a family's claim as it stood on `as_of` by every rule for `ready` (§4.1, §4.5).

    Records dated after `as_of` (closure, outcomes, checks) are treated as not yet made.
    """
    case = family_case
    results = (
        rule_c1_family_and_needs(case, policy, catalogue),
        rule_c2_whole_family_working(case, as_of),
        rule_c3_outcomes_achieved(case, as_of),
        rule_c4_closed_and_sustained(case, catalogue, as_of),
        rule_c5_claim_after_sustained_period(case, policy, as_of),
        rule_c6_one_claim_per_phase(case, policy, as_of),
        rule_c8_funding_model(policy),
        rule_c9_claim_route(case, catalogue),
        rule_k13_programme_year(case, policy, as_of),
        rule_lookback(case, policy, as_of),
        rule_descriptors_verified(case, catalogue),
    )
    failures = tuple(r for r in results if not r.passed)
    return ClaimEvaluation(as_of=as_of, eligible=not failures, failures=failures, results=results)


class ClaimRulesFailed(IllegalTransition):
    """A claim step refused by one or more rules; `failures` holds each with its reason."""

    CODE: ClassVar[str] = "claim_rules_failed"

    def __init__(
        self, action: str, failures: Sequence[RuleResult], *, field: str = "claim_id"
    ) -> None:
        self.failures = tuple(failures)
        reasons = " ".join(f"[{f.rule_id.value}] {f.reason}" for f in self.failures)
        super().__init__(
            f"{action}: {reasons}",
            code=self.CODE,
            field=field,
            reasons=[RuleReason(f.rule_id.value, f.reason) for f in self.failures],
        )


def check_claimable(evaluation: ClaimEvaluation) -> None:
    """A claim is raised only for a family that passes every rule for `ready`; refused with each
    failing rule and its reason."""
    if not evaluation.eligible:
        raise ClaimRulesFailed(
            "The claim cannot be raised", evaluation.failures, field="episode_id"
        )


# --- the evidence pack ---------------------------------------------------------------------------

PACK_FORMAT: Final = 1
"""The layout of the evidence pack's content; a new layout gets a new number, old packs keep theirs."""


def canonical_json(content: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 text, no floats: the same content always gives the same text."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@dataclass(frozen=True)
class EvidencePack:
    """The immutable record of what a claim rested on, and its sha256 (§4.3 "Product requirement").

    Built from plain data; stored as its canonical JSON so a spot check years later can reproduce
    it and compare hashes (§5.4). Construction checks the text is canonical and matches the hash.
    """

    canonical_json: str
    content_hash: str

    def __post_init__(self) -> None:
        try:
            parsed = json.loads(self.canonical_json)
        except ValueError:
            raise InvalidValue(
                "The evidence pack is not valid JSON.",
                field="canonical_json",
                code="evidence_pack_not_json",
            ) from None
        if not isinstance(parsed, dict) or canonical_json(parsed) != self.canonical_json:
            raise InvalidValue(
                "The evidence pack is not in canonical form.",
                field="canonical_json",
                code="evidence_pack_not_canonical",
            )
        if _sha256(self.canonical_json) != self.content_hash:
            raise InvalidValue(
                "The evidence pack does not match its hash: it has been altered.",
                field="content_hash",
                code="evidence_pack_altered",
            )

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> EvidencePack:
        text = canonical_json(content)
        return cls(canonical_json=text, content_hash=_sha256(text))

    def content(self) -> dict[str, Any]:
        """A fresh copy of the content; changing it changes nothing in the pack."""
        parsed: dict[str, Any] = json.loads(self.canonical_json)
        return parsed

    def with_internal_audit(self, decision: AuditDecision) -> EvidencePack:
        """The same pack with internal audit's decision added: what the auditor saw, plus the verdict."""
        content = self.content()
        content["internal_audit"] = _audit_json(decision)
        return EvidencePack.from_content(content)


def build_evidence_pack(claim: Claim, case: ClaimCase) -> EvidencePack:
    """The pack for `claim` from `case`: needs, outcomes, sustainment checks, assessments, plans,
    support, lead practitioner history and the audit decision (§4.3). Lists are put in a fixed
    order, so the same facts loaded in any order give the same hash.
    """
    content: dict[str, Any] = {
        "pack_format": PACK_FORMAT,
        "claim": {
            "id": str(claim.id),
            "family_id": str(claim.family_id),
            "episode_id": str(claim.episode_id),
            "framework_version": claim.framework_version,
            "route": claim.route.value,
            "programme_year": claim.programme_year,
            "programme_phase": claim.programme_phase,
            "unit_value_pence": claim.unit_value_pence,
            "created_on": claim.created_on.isoformat(),
            "created_by": str(claim.created_by),
            "ready_on": _iso(claim.ready_on),
            "prepared_by": _str_or_none(claim.prepared_by),
        },
        "household": {
            "member_ids": _ids(case.member_ids),
            "dependent_child_ids": _ids(case.dependent_child_ids),
            "expectant_parent_ids": _ids(case.expectant_parent_ids),
        },
        "intervention": {
            "started_on": case.episode_started_on.isoformat(),
            "closed_on": _iso(case.closed_on),
            "closure_reason": None if case.closure_reason is None else case.closure_reason.value,
        },
        "needs": _ordered((_need_json(r) for r in case.needs), "identified_on"),
        "assessments": _ordered(
            (
                {
                    "assessment_id": str(a.assessment_id),
                    "completed_on": _iso(a.completed_on),
                    "covered_person_ids": _ids(a.covered_person_ids),
                }
                for a in case.assessments
            ),
            "completed_on",
        ),
        "plans": _ordered(
            (
                {
                    "plan_id": str(p.plan_id),
                    "version": p.version,
                    "agreed_on": _iso(p.agreed_on),
                    "need_ids": _ids(p.need_ids),
                }
                for p in case.plans
            ),
            "agreed_on",
        ),
        "support": _ordered(
            (
                {
                    "service": s.service,
                    "started_on": s.started_on.isoformat(),
                    "ended_on": _iso(s.ended_on),
                }
                for s in case.support
            ),
            "started_on",
        ),
        "lead_history": _ordered(
            (
                {
                    "practitioner_id": str(a.practitioner_id),
                    "from_practitioner_id": _str_or_none(a.from_practitioner_id),
                    "assigned_on": a.assigned_on.isoformat(),
                    "reason": a.reason,
                }
                for a in case.lead_history
            ),
            "assigned_on",
        ),
        "internal_audit": None if claim.audit is None else _audit_json(claim.audit),
    }
    return EvidencePack.from_content(content)


# --- the claim -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clawback:
    """A national spot check found the claim invalid: when and why (§4.5)."""

    on: date
    reason: str
    recorded_by: uuid.UUID

    def __post_init__(self) -> None:
        _require_text(self.reason, "reason", "Say why the claim was clawed back.")


@dataclass(frozen=True)
class ClaimEvent:
    """One step in a claim's life, for the audit trail (§4.5 "keep the audit trail")."""

    from_state: ClaimState | None
    to_state: ClaimState
    on: date
    by: uuid.UUID
    note: str | None = None


@dataclass
class Claim:
    """A payment-by-results claim for one family's intervention (§4.5, §5.3 `Claim`).

    The unit value is copied from the programme year when the claim is raised and never
    recomputed (§4.4, test 11). Methods move `state` through `CLAIM_TRANSITIONS`; they never touch
    `version`, which persistence increments.
    """

    id: uuid.UUID
    family_id: uuid.UUID
    episode_id: uuid.UUID
    framework_version: str
    route: ClaimRoute
    programme_year: str
    programme_phase: str
    unit_value_pence: int | None
    created_on: date
    created_by: uuid.UUID
    state: ClaimState = ClaimState.DRAFT
    ready_on: date | None = None
    prepared_by: uuid.UUID | None = None
    audit: AuditDecision | None = None
    submitted_on: date | None = None
    paid_on: date | None = None
    clawback: Clawback | None = None
    assurance_sampled: bool = False
    evidence_pack: EvidencePack | None = None
    history: list[ClaimEvent] = field(default_factory=list)
    version: int = 1

    def can_move_to(self, state: ClaimState) -> bool:
        return state in CLAIM_TRANSITIONS[self.state]

    def as_of(self, day: date) -> PriorClaim | None:
        """The claim as it stood at the end of `day`, for the one-claim-per-phase rule (None
        before it was raised)."""
        state = self.state_on(day)
        return None if state is None else PriorClaim(self.id, self.programme_phase, state)

    def state_on(self, day: date) -> ClaimState | None:
        """The state the claim was in at the end of `day` (None before it was raised), so a past
        period's figures do not change as the claim moves on."""
        reached = [event.to_state for event in self.history if event.on <= day]
        return reached[-1] if reached else None

    def mark_ready(
        self,
        case: ClaimCase,
        policy: CouncilPolicy,
        catalogue: FrameworkCatalogue,
        *,
        on: date,
        by: uuid.UUID,
    ) -> ClaimEvaluation:
        """draft -> ready, re-running every rule on `on` (§4.5); refused with every failing rule."""
        self._check_case(case)
        self._require_move(ClaimState.READY)
        self._check_date(on)
        evaluation = evaluate_claim(
            replace(case, claim_date=self.created_on), policy, catalogue, on
        )
        if not evaluation.eligible:
            raise ClaimRulesFailed("The claim cannot be made ready", evaluation.failures)
        self._move(ClaimState.READY, on, by, None)
        self.ready_on = on
        self.prepared_by = by
        return evaluation

    def record_case_edit(self, *, on: date, by: uuid.UUID, what: str) -> None:
        """Call before needs, outcomes or closure change: a ready claim goes back to draft; after
        approval, and while with internal audit, edits are refused (§4.5).
        """
        if self.state is ClaimState.INTERNAL_AUDIT or self.state in ONE_PER_PHASE_STATES:
            raise IllegalTransition(self._edit_refusal(), code="claim_locks_record")
        if self.state is ClaimState.READY:
            self._check_date(on)
            self._move(ClaimState.DRAFT, on, by, f"Case edited: {what}")
            self.ready_on = None
            self.prepared_by = None

    def send_to_internal_audit(self, case: ClaimCase, *, on: date, by: uuid.UUID) -> EvidencePack:
        """ready -> internal_audit, building the evidence pack the auditor reviews (K9, §4.3)."""
        self._check_case(case)
        self._require_move(ClaimState.INTERNAL_AUDIT)
        self._check_date(on)
        pack = build_evidence_pack(self, case)
        self._move(ClaimState.INTERNAL_AUDIT, on, by, None)
        self.evidence_pack = pack
        return pack

    def check_with_internal_audit(self) -> None:
        """Internal audit decides only on a claim sent to it (§4.5, K9): asked before the pack is
        rebuilt, so a claim in another state is refused for its state, not for its pack."""
        if self.state is not ClaimState.INTERNAL_AUDIT:
            raise IllegalTransition(
                f"This claim is {_state(self.state)}; internal audit decides only on a claim "
                "sent to it (§4.5, K9).",
                code="claim_step_out_of_turn",
            )

    def approve(self, *, auditor_id: uuid.UUID, on: date, notes: str) -> EvidencePack:
        """internal_audit -> approved by an auditor with notes; the evidence pack is then frozen.

        K9, C7 and §4.3; the person who prepared the claim cannot audit it [I].
        """
        return self._decide(AuditOutcome.APPROVED, auditor_id, on, notes)

    def reject(self, *, auditor_id: uuid.UUID, on: date, notes: str) -> EvidencePack:
        """internal_audit -> rejected (terminal) with the auditor's reason; a new claim may follow."""
        return self._decide(AuditOutcome.REJECTED, auditor_id, on, notes)

    def submit(self, *, on: date, by: uuid.UUID) -> None:
        """approved -> submitted; nothing is submitted without internal audit approval (C7, K9)."""
        c7 = rule_c7_internal_audit(self.audit)
        if self.state is not ClaimState.APPROVED or not c7.passed:
            if self.state in (ClaimState.DRAFT, ClaimState.READY, ClaimState.INTERNAL_AUDIT):
                raise ClaimRulesFailed("The claim cannot be submitted", (c7,))
            raise IllegalTransition(
                self._refusal(ClaimState.SUBMITTED), code="claim_step_out_of_turn"
            )
        self._check_date(on)
        self._move(ClaimState.SUBMITTED, on, by, None)
        self.submitted_on = on

    def mark_paid(self, *, on: date, by: uuid.UUID) -> None:
        """submitted -> paid (§4.5)."""
        self._require_move(ClaimState.PAID)
        self._check_date(on)
        self._move(ClaimState.PAID, on, by, None)
        self.paid_on = on

    def claw_back(self, *, on: date, by: uuid.UUID, reason: str) -> None:
        """submitted or paid -> clawed_back after a failed national spot check, keeping the reason
        and date (§4.5, K9).
        """
        self._require_move(ClaimState.CLAWED_BACK)
        self._check_date(on)
        clawback = Clawback(on=on, reason=reason, recorded_by=by)
        self._move(ClaimState.CLAWED_BACK, on, by, clawback.reason)
        self.clawback = clawback

    def record_assurance_sample(self, *, on: date, by: uuid.UUID) -> None:
        """Flag a submitted or paid claim as sampled for national assurance (K9 "assurance flag")."""
        if self.state not in (ClaimState.SUBMITTED, ClaimState.PAID):
            raise IllegalTransition(
                "Only a submitted or paid claim can be sampled for national assurance; this claim "
                f"is {_state(self.state)}.",
                code="claim_sampling_out_of_turn",
            )
        self._check_date(on)
        self.assurance_sampled = True
        self.history.append(
            ClaimEvent(self.state, self.state, on, by, "Sampled for national assurance")
        )

    def rebuild_evidence_pack(self, case: ClaimCase) -> EvidencePack:
        """Rebuild the pack from the record: a preview before audit; with audit or after, it must
        match the stored pack exactly, or the record changed and this refuses (§4.3, §5.4).
        """
        self._check_case(case)
        fresh = build_evidence_pack(self, case)
        if self.state in (ClaimState.DRAFT, ClaimState.READY):
            return fresh
        stored = self.evidence_pack
        if stored is None or fresh.content_hash != stored.content_hash:
            raise IllegalTransition(
                f"The evidence pack of a claim that is {_state(self.state)} cannot change, and "
                "the record no longer matches it. Correcting needs, outcomes or closure needs a "
                "new claim that reverses this one (§4.5).",
                code="evidence_pack_frozen",
            )
        return stored

    # --- helpers ---------------------------------------------------------------------------------

    def _decide(
        self, outcome: AuditOutcome, auditor_id: uuid.UUID, on: date, notes: str
    ) -> EvidencePack:
        target = ClaimState.APPROVED if outcome is AuditOutcome.APPROVED else ClaimState.REJECTED
        self._require_move(target)
        self._check_date(on)
        if auditor_id == self.prepared_by:
            raise Forbidden(
                "The person who prepared the claim cannot also audit it; internal audit must be "
                "independent (K9).",
                code="claim_auditor_not_independent",
            )
        if self.evidence_pack is None:
            raise IllegalTransition(
                "The claim has no evidence pack for internal audit to decide on.",
                code="claim_has_no_evidence_pack",
            )
        decision = AuditDecision(auditor_id=auditor_id, outcome=outcome, decided_on=on, notes=notes)
        pack = self.evidence_pack.with_internal_audit(decision)
        self._move(target, on, auditor_id, decision.notes)
        self.audit = decision
        self.evidence_pack = pack
        return pack

    def _check_case(self, case: ClaimCase) -> None:
        for name in ("family_id", "episode_id", "framework_version", "route"):
            if getattr(case, name) != getattr(self, name):
                raise InvalidValue(
                    f"The case's {name.replace('_', ' ')} does not match the claim's.",
                    field=f"case.{name}",
                    code="claim_case_mismatch",
                )

    def _require_move(self, target: ClaimState) -> None:
        if not self.can_move_to(target):
            raise IllegalTransition(self._refusal(target), code="claim_step_out_of_turn")

    def _check_date(self, on: date) -> None:
        last = self.history[-1].on if self.history else self.created_on
        if on < last:
            raise InvalidValue(
                f"This step cannot be dated before the claim's last step on {last.isoformat()}.",
                field="on",
                code="claim_step_before_last",
            )

    def _move(self, target: ClaimState, on: date, by: uuid.UUID, note: str | None) -> None:
        self.history.append(ClaimEvent(self.state, target, on, by, note))
        self.state = target

    def _refusal(self, target: ClaimState) -> str:
        here = f"This claim is {_state(self.state)}"
        if self.state is ClaimState.REJECTED:
            return f"{here}, which is final; raise a new claim once the problems are fixed (§4.5)."
        if self.state is ClaimState.CLAWED_BACK:
            return f"{here}, which is final (§4.5)."
        if target is ClaimState.READY and self.state is not ClaimState.DRAFT:
            return f"{here}; only a draft claim can be made ready (§4.5)."
        if target in (ClaimState.APPROVED, ClaimState.REJECTED):
            return f"{here}; internal audit decides only on a claim sent to it (§4.5, K9)."
        if target is ClaimState.INTERNAL_AUDIT:
            return f"{here}; only a ready claim goes to internal audit (§4.5)."
        if target is ClaimState.SUBMITTED:
            return f"{here}; only an approved claim is submitted, once (§4.5, C7)."
        if target is ClaimState.PAID:
            return f"{here}; only a submitted claim is paid (§4.5)."
        if target is ClaimState.CLAWED_BACK:
            return f"{here}; only a submitted or paid claim can be clawed back (§4.5)."
        return f"{here} and cannot become {_state(target)} (§4.5)."

    def _edit_refusal(self) -> str:
        if self.state is ClaimState.INTERNAL_AUDIT:
            return (
                "The family's needs, outcomes and closure cannot change while its claim is with "
                "internal audit; the auditor must reject the claim first (§4.5)."
            )
        return (
            f"The family's needs, outcomes and closure cannot change: its claim is "
            f"{_state(self.state)}. Correcting them needs a new claim that reverses this one "
            "(§4.5)."
        )


def raise_claim(
    *,
    id: uuid.UUID,
    case: ClaimCase,
    policy: CouncilPolicy,
    catalogue: FrameworkCatalogue,
    created_on: date,
    created_by: uuid.UUID,
) -> Claim:
    """Start a draft claim, refusing what no evidence could fix: an Earned Autonomy council (C8),
    a route the framework does not allow (C9), a date in no open programme year (K13) and a family
    already claimed for in the phase (C6). The unit value is copied now (§4.4).
    """
    dated = replace(case, claim_date=created_on)
    checks = (
        rule_c8_funding_model(policy),
        rule_c9_claim_route(dated, catalogue),
        rule_k13_programme_year(dated, policy, created_on),
        rule_c6_one_claim_per_phase(dated, policy, created_on),
    )
    failures = [r for r in checks if not r.passed]
    if failures:
        raise ClaimRulesFailed("The claim cannot be raised", failures, field="episode_id")
    year = policy.programme_year_on(created_on)
    if year is None:  # K13 passed, so a year exists; this keeps the type checker honest.
        raise IllegalTransition(
            "No programme year covers the claim date (K13).", code="programme_year_not_covering"
        )
    claim = Claim(
        id=id,
        family_id=case.family_id,
        episode_id=case.episode_id,
        framework_version=case.framework_version,
        route=case.route,
        programme_year=year.label,
        programme_phase=year.phase,
        unit_value_pence=year.unit_value_pence,
        created_on=created_on,
        created_by=created_by,
    )
    claim.history.append(ClaimEvent(None, ClaimState.DRAFT, created_on, created_by, None))
    return claim


# --- helpers -------------------------------------------------------------------------------------


def _pass(rule_id: RuleId, reason: str) -> RuleResult:
    return RuleResult(rule_id=rule_id, passed=True, reason=reason)


def _fail(rule_id: RuleId, reason: str) -> RuleResult:
    return RuleResult(rule_id=rule_id, passed=False, reason=reason)


def _outcome_problem(record: NeedRecord, as_of: date) -> str | None:
    need, outcome = record.need, record.outcome
    label = f"{need.descriptor_code} ({'emerged later' if need.emerged_later else 'at the start'})"
    if outcome.status is NeedOutcome.OPEN:
        return f"{label} is still open"
    if outcome.on is None or outcome.on > as_of:
        when = outcome.on.isoformat() if outcome.on else "an unknown date"
        return f"{label} is recorded as {outcome.status.value.replace('_', ' ')} only from {when}"
    if outcome.status is NeedOutcome.NOT_ACHIEVED:
        return f"{label} was not achieved (recorded {outcome.on.isoformat()})"
    if outcome.evidence is None:
        return f"{label} is achieved but has no evidence recorded"
    return None


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _state(state: ClaimState) -> str:
    return state.value.replace("_", " ")


def _require_text(value: object, name: str, message: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(message, field=name, code="text_required")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _str_or_none(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _ids(ids: Iterable[uuid.UUID]) -> list[str]:
    return sorted(str(i) for i in ids)


def _ordered(items: Iterable[dict[str, Any]], date_key: str) -> list[dict[str, Any]]:
    """Sort by the date field, then by the item's canonical text, so any load order hashes alike."""

    def key(item: dict[str, Any]) -> tuple[str, str]:
        return (item.get(date_key) or "", canonical_json(item))

    return sorted(items, key=key)


def _evidence_json(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {
        "source": evidence.source,
        "reference": evidence.reference,
        "recorded_by": str(evidence.recorded_by),
        "recorded_on": evidence.recorded_on.isoformat(),
    }


def _need_json(record: NeedRecord) -> dict[str, Any]:
    need, outcome, check = record.need, record.outcome, record.sustainment
    return {
        "id": str(need.id),
        "descriptor_code": need.descriptor_code,
        "headline": need.headline,
        "person_ids": _ids(need.person_ids),
        "identified_on": need.identified_on.isoformat(),
        "emerged_later": need.emerged_later,
        "evidence": _evidence_json(need.evidence),
        "outcome": {
            "status": outcome.status.value,
            "on": _iso(outcome.on),
            "evidence": _evidence_json(outcome.evidence),
        },
        "sustainment_check": None
        if check is None
        else {
            "due_on": check.due_on.isoformat(),
            "checked_on": check.checked_on.isoformat(),
            "result": check.result.value,
            "lapsed_on": _iso(check.lapsed_on),
            "evidence": _evidence_json(check.evidence),
        },
    }


def _audit_json(decision: AuditDecision) -> dict[str, Any]:
    return {
        "auditor_id": str(decision.auditor_id),
        "outcome": decision.outcome.value,
        "decided_on": decision.decided_on.isoformat(),
        "notes": decision.notes,
    }
