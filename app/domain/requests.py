"""Requests for support at the front door and their screening decision (issue 19 §1).

A request arrives at the front door (Blackpool's Request for Service Hub, seed-digest LVL-9;
Cambridgeshire's Early Help Hub, LVL-7): who asked, about which household and children, what is
asked and why, whether the family agreed, how urgent. A front door officer screens it: no further
action, signpost to universal services, early help (an episode opens for it), step up to
children's social care (AMB-8, LVL-12) or already open (the family's current episode takes it).
The decision has a clock of its own, set by policy (default: within 1 working day of receipt).

Nothing here reads the clock: every rule takes its dates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.domain.calendar import WorkingCalendar
from app.domain.errors import IllegalTransition, InvalidValue
from app.domain.step_dates import check_not_in_future
from app.domain.timeliness import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    TimelinessPolicy,
    assess,
)


class ReferrerKind(StrEnum):
    """Who made the request: a professional for an agency, or the family itself (LVL-8)."""

    AGENCY = "agency"
    SELF_REFERRAL = "self_referral"


class Urgency(StrEnum):
    """How urgent the referrer says the request is: routine or urgent."""

    ROUTINE = "routine"
    URGENT = "urgent"


class ScreeningOutcome(StrEnum):
    """The front door's decision on a request (issue 19 §1)."""

    NO_FURTHER_ACTION = "no_further_action"
    SIGNPOST = "signpost"
    """To universal services (seed-digest LVL-14: early help may be a single universal service)."""
    EARLY_HELP = "early_help"
    """An episode of early help opens for the request."""
    STEP_UP = "step_up"
    """To children's social care, with its reference (seed-digest AMB-8, LVL-12)."""
    ALREADY_OPEN = "already_open"
    """Attached to the family's current episode; its lead is told through the worklist."""


class RequestStatus(StrEnum):
    """Where a request stands: awaiting the front door's decision, or decided."""

    AWAITING_DECISION = "awaiting_decision"
    DECIDED = "decided"


@dataclass(frozen=True)
class Referrer:
    """Who asked: an agency's professional (name, role, contact) or the family themselves."""

    kind: ReferrerKind
    agency_code: str | None = None
    name: str | None = None
    role: str | None = None
    contact: str | None = None

    def __post_init__(self) -> None:
        if self.kind is ReferrerKind.AGENCY and not self.agency_code:
            raise InvalidValue(
                "A request from an agency names the agency.",
                field="referrer.agency_code",
                code="request_agency_required",
            )
        if self.kind is ReferrerKind.SELF_REFERRAL and self.agency_code:
            raise InvalidValue(
                "A self-referral comes from the family, not an agency.",
                field="referrer.agency_code",
                code="request_self_referral_with_agency",
            )


@dataclass(frozen=True)
class NewChild:
    """A child of a household not yet known to the service, as the referrer describes them."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None


@dataclass(frozen=True)
class NewHousehold:
    """A household not yet registered: its address and the children the request is about."""

    address_line1: str
    postcode: str
    children: tuple[NewChild, ...]
    contact_name: str | None = None
    """A parent or carer to contact."""

    def __post_init__(self) -> None:
        if not self.children:
            raise InvalidValue(
                "A request is about at least one child; name the child or children.",
                field="household.children",
                code="request_children_required",
            )


@dataclass(frozen=True)
class ScreeningDecision:
    """What the front door decided, when, why and who decided."""

    outcome: ScreeningOutcome
    decided_on: date
    reason: str
    decided_by: uuid.UUID
    recorded_at: datetime
    step_up_reference: str | None = None
    episode_id: uuid.UUID | None = None
    """The episode opened (early_help) or attached to (already_open)."""


@dataclass(frozen=True)
class PriorInvolvement:
    """Whether the household was known before this request: computed, never typed in.

    `earlier_episode`: an episode of the family requested before this request was received (an
    earlier offer of early help, seed 004:1229). `earlier_request`: a request for the same family
    received before this one (a repeat referral, seed 004:786 and 7149).
    """

    earlier_episode: bool = False
    earlier_request: bool = False

    @property
    def known(self) -> bool:
        return self.earlier_episode or self.earlier_request


@dataclass
class SupportRequest:
    """One request for support, from receipt to its screening decision."""

    id: uuid.UUID
    received_on: date
    recorded_at: datetime
    created_by_practitioner_id: uuid.UUID
    referrer: Referrer
    asked_for: str
    reason: str
    family_agreed: bool
    urgency: Urgency
    decision_due_on: date
    policy_version: int
    family_id: uuid.UUID | None = None
    child_person_ids: tuple[uuid.UUID, ...] = ()
    household: NewHousehold | None = None
    decision: ScreeningDecision | None = None
    acknowledged_on: date | None = None
    prior: PriorInvolvement = field(default_factory=PriorInvolvement)
    version: int = 0

    @property
    def status(self) -> RequestStatus:
        return RequestStatus.AWAITING_DECISION if self.decision is None else RequestStatus.DECIDED

    def deadline(self) -> Deadline:
        """The screening clock: day 0 the day of receipt, met on the day of the decision."""
        return Deadline(
            kind=DeadlineKind.ASSESSMENT,
            started_on=self.received_on,
            due_on=self.decision_due_on,
            due_from=None,
            policy_version=self.policy_version,
            met_on=self.decision.decided_on if self.decision else None,
        )

    def clock(self, as_of: date, due_soon_days: int) -> DeadlineState:
        """Where the screening decision stands on `as_of` (the same rule as every clock)."""
        return assess(self.deadline(), as_of, due_soon_days)

    def screen(self, decision: ScreeningDecision, *, today: date) -> None:
        """Record the screening decision: once, dated between receipt and today, with a reason;
        a step up carries social care's reference and an episode is named for early help and
        already open (the service finds or opens it)."""
        if self.decision is not None:
            raise IllegalTransition(
                "This request has already been screened.", code="request_already_screened"
            )
        check_not_in_future(decision.decided_on, today=today, field="decided_on")
        if decision.decided_on < self.received_on:
            raise InvalidValue(
                f"The decision is dated {decision.decided_on.isoformat()}, before the request "
                f"was received ({self.received_on.isoformat()}).",
                field="decided_on",
                code="decision_before_receipt",
            )
        if not decision.reason.strip():
            raise InvalidValue(
                "Say why the front door decided this.",
                field="reason",
                code="decision_reason_required",
            )
        if decision.outcome is ScreeningOutcome.STEP_UP and not decision.step_up_reference:
            raise InvalidValue(
                "A step up to children's social care carries its reference.",
                field="step_up_reference",
                code="step_up_reference_required",
            )
        if decision.outcome is not ScreeningOutcome.STEP_UP and decision.step_up_reference:
            raise InvalidValue(
                "Only a step up carries a social care reference.",
                field="step_up_reference",
                code="step_up_reference_not_step_up",
            )
        linked = decision.outcome in {ScreeningOutcome.EARLY_HELP, ScreeningOutcome.ALREADY_OPEN}
        if linked != (decision.episode_id is not None):
            raise ValueError("early help and already open name their episode; nothing else does")
        self.decision = decision


@dataclass(frozen=True)
class RequestCorrection:
    """What the front door (or the referrer) corrects in a request before it is screened: each
    field given replaces the request's; None leaves it as it is."""

    received_on: date | None = None
    referrer: Referrer | None = None
    asked_for: str | None = None
    reason: str | None = None
    family_agreed: bool | None = None
    urgency: Urgency | None = None
    child_person_ids: tuple[uuid.UUID, ...] | None = None
    """For a request about a registered household: the children it is about."""
    household: NewHousehold | None = None
    """For a request about a household not yet registered: the household as described."""


def correct_request(
    request: SupportRequest,
    correction: RequestCorrection,
    *,
    today: date,
    policy: TimelinessPolicy,
    calendar: WorkingCalendar,
) -> None:
    """Correct a request not yet screened (a wrong date, a mistyped reason, a child left out).

    Once screened, the request is what the front door decided on and stays as it was. A request
    names a registered household or describes one, as it was received: a correction keeps to
    the same kind (screening links a described household to its record). A new day of receipt
    moves the screening clock by the `policy` in force on that day.
    """
    if request.decision is not None:
        raise IllegalTransition(
            "This request has been screened: it stays as the front door decided on it.",
            code="request_screened_not_editable",
        )
    if correction.child_person_ids is not None:
        if request.family_id is None:
            raise InvalidValue(
                "This request describes a household not yet registered: correct its children"
                " in `household`.",
                field="child_person_ids",
                code="request_children_without_family",
            )
        if not correction.child_person_ids:
            raise InvalidValue(
                "A request is about at least one child; name the child or children.",
                field="child_person_ids",
                code="request_children_required",
            )
        request.child_person_ids = correction.child_person_ids
    if correction.household is not None:
        if request.family_id is not None:
            raise InvalidValue(
                "This request is about a registered household: correct `child_person_ids` instead.",
                field="household",
                code="request_household_with_family",
            )
        request.household = correction.household
    if correction.received_on is not None:
        check_not_in_future(correction.received_on, today=today, field="received_on")
        request.received_on = correction.received_on
        request.decision_due_on = decision_due_on(correction.received_on, policy, calendar)
        request.policy_version = policy.version
    if correction.referrer is not None:
        request.referrer = correction.referrer
    if correction.asked_for is not None:
        request.asked_for = correction.asked_for
    if correction.reason is not None:
        request.reason = correction.reason
    if correction.family_agreed is not None:
        request.family_agreed = correction.family_agreed
    if correction.urgency is not None:
        request.urgency = correction.urgency


def receive_request(
    *,
    id: uuid.UUID,
    received_on: date,
    today: date,
    recorded_at: datetime,
    created_by_practitioner_id: uuid.UUID,
    referrer: Referrer,
    asked_for: str,
    reason: str,
    family_agreed: bool,
    urgency: Urgency,
    policy: TimelinessPolicy,
    calendar: WorkingCalendar,
    family_id: uuid.UUID | None = None,
    child_person_ids: tuple[uuid.UUID, ...] = (),
    household: NewHousehold | None = None,
) -> SupportRequest:
    """A request as the front door receives it, its decision clock started on the day of receipt.

    It is about an existing family (and some of its children) or a household described anew,
    never both; it may not be dated in the future.
    """
    check_not_in_future(received_on, today=today, field="received_on")
    if (family_id is None) == (household is None):
        raise InvalidValue(
            "Name an existing family, or describe the household, but not both.",
            field="family_id",
            code="request_household_ambiguous",
        )
    if family_id is not None and not child_person_ids:
        raise InvalidValue(
            "A request is about at least one child; name the child or children.",
            field="child_person_ids",
            code="request_children_required",
        )
    return SupportRequest(
        id=id,
        received_on=received_on,
        recorded_at=recorded_at,
        created_by_practitioner_id=created_by_practitioner_id,
        referrer=referrer,
        asked_for=asked_for,
        reason=reason,
        family_agreed=family_agreed,
        urgency=urgency,
        decision_due_on=decision_due_on(received_on, policy, calendar),
        policy_version=policy.version,
        family_id=family_id,
        child_person_ids=child_person_ids,
        household=household,
    )


def decision_due_on(received_on: date, policy: TimelinessPolicy, calendar: WorkingCalendar) -> date:
    """The screening decision is due `policy.screening_decision.days` after receipt (day 0).

    The seeds set no time for the front door; 1 working day is the local default, kept as policy
    like the QA turnaround (seed-digest AMB-1, AMB-2, AMB-5).
    """
    rule = policy.screening_decision
    return calendar.add_days(received_on, rule.days, rule.basis)


def overdue_on(request: SupportRequest, as_of: date) -> bool:
    """Awaiting a decision after its due day."""
    return request.decision is None and request.clock(as_of, 0).status is DeadlineStatus.OVERDUE
