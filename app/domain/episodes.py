"""The episode of early help: one family's journey from request to closure, and its clocks.

The lifecycle follows Blackpool's "Early Help Assessment process for Lead Professionals" (seed
004_dec79d85712017e0.txt, lines 1237-1241: consent, assess, plan, QA review, first TAF meeting,
do and review) as laid out in seed-digest §1.5 and §1.15. Where the seed is silent (a plan returned
by QA, consent withdrawn, closure reasons) the defaults are those of seed-digest §4 (AMB-2, AMB-3,
AMB-4, AMB-8, AMB-9, AMB-11, AMB-12, AMB-22). Every stage move is checked against one table,
`TRANSITIONS`. Nothing here reads the clock: every step is told the date it happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final, TypeGuard

from app.domain import timeliness
from app.domain.calendar import WorkingCalendar
from app.domain.errors import (
    Conflict,
    ConsentRequired,
    IllegalTransition,
    InvalidValue,
)
from app.domain.families import add_months
from app.domain.step_dates import PreviousStep, check_step_order
from app.domain.timeliness import Deadline, FirstTafClockStart, PolicyHistory

# --- vocabulary ----------------------------------------------------------------------------------


class EpisodeStage(StrEnum):
    """Where the episode is in assess, plan, do, review (seed-digest §1.15, AMB-22)."""

    REQUESTED = "requested"
    ASSESSING = "assessing"
    PLAN_AWAITING_QA = "plan_awaiting_qa"
    PLAN_RETURNED = "plan_returned"
    PLAN_APPROVED = "plan_approved"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def words(self) -> str:
        """How a sentence says where the episode is ("the episode is being assessed")."""
        return _STAGE_WORDS[self]


_STAGE_WORDS: Final[dict[EpisodeStage, str]] = {
    EpisodeStage.REQUESTED: "only requested so far",
    EpisodeStage.ASSESSING: "being assessed",
    EpisodeStage.PLAN_AWAITING_QA: "waiting for quality assurance of its plan",
    EpisodeStage.PLAN_RETURNED: "waiting for its returned plan to be sent again",
    EpisodeStage.PLAN_APPROVED: "waiting for its first TAF meeting",
    EpisodeStage.ACTIVE: "under way with an agreed plan",
    EpisodeStage.CLOSED: "closed",
}


TRANSITIONS: Final[dict[EpisodeStage, frozenset[EpisodeStage]]] = {
    EpisodeStage.REQUESTED: frozenset({EpisodeStage.ASSESSING, EpisodeStage.CLOSED}),
    EpisodeStage.ASSESSING: frozenset({EpisodeStage.PLAN_AWAITING_QA, EpisodeStage.CLOSED}),
    EpisodeStage.PLAN_AWAITING_QA: frozenset(
        {EpisodeStage.PLAN_APPROVED, EpisodeStage.PLAN_RETURNED, EpisodeStage.CLOSED}
    ),
    EpisodeStage.PLAN_RETURNED: frozenset({EpisodeStage.PLAN_AWAITING_QA, EpisodeStage.CLOSED}),
    EpisodeStage.PLAN_APPROVED: frozenset({EpisodeStage.ACTIVE, EpisodeStage.CLOSED}),
    # A review meeting keeps an active episode active.
    EpisodeStage.ACTIVE: frozenset({EpisodeStage.ACTIVE, EpisodeStage.CLOSED}),
    # Closed episodes are never reopened; a new request opens a new, linked episode (seed 004:785).
    EpisodeStage.CLOSED: frozenset(),
}
"""Allowed next stages; every move checks this table (seed-digest §1.15 states, AMB-22 two gates)."""


class RequestSource(StrEnum):
    """Who asked for early help (seed-digest LVL-8, LVL-9; step-down is AMB-8)."""

    FAMILY = "family_asked"
    SCHOOL = "school"
    HEALTH_VISITOR = "health_visitor"
    MIDWIFE = "midwife"
    GP = "gp"
    POLICE = "police"
    HOUSING = "housing"
    FRONT_DOOR = "front_door"
    STEPPED_DOWN_FROM_SOCIAL_CARE = "stepped_down_from_social_care"
    OTHER = "other"


class ClosureReason(StrEnum):
    """Why an episode ended (seed-digest CLO-1, AMB-8 step up, AMB-9 withdrawal, AMB-12)."""

    ALL_NEEDS_MET = "all_needs_met"
    NEEDS_PARTLY_MET_NO_FURTHER_SUPPORT = "needs_partly_met_no_further_support"
    STEPPED_UP_TO_SOCIAL_CARE = "stepped_up_to_social_care"
    STEPPED_DOWN_TO_UNIVERSAL = "stepped_down_to_universal"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    MOVED_AWAY = "moved_away"
    DISENGAGED = "disengaged"
    OTHER = "other"


CLOSURES_WITHOUT_FAMILY_VIEW: Final = frozenset(
    {ClosureReason.CONSENT_WITHDRAWN, ClosureReason.MOVED_AWAY, ClosureReason.DISENGAGED}
)
"""Reasons where the family may not be there to ask; every other closure asks (seed 004:1232)."""

CLOSURES_AFTER_WITHDRAWAL: Final = frozenset(
    {ClosureReason.CONSENT_WITHDRAWN, ClosureReason.STEPPED_UP_TO_SOCIAL_CARE}
)
"""The only ways out once consent is withdrawn (seed-digest AMB-9; step up for safeguarding, AMB-8)."""


class FamilyLifeImproved(StrEnum):
    """The 3-point answer to "has family life improved?" (seed 004:1232; seed-digest AMB-12)."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class QaOutcome(StrEnum):
    """What the Early Help and Support Service decides on a plan (seed-digest AMB-22)."""

    APPROVED = "approved"
    RETURNED = "returned"


class MeetingDecision(StrEnum):
    """What a TAF meeting decided should happen next (seed 004:1241, "what should happen next")."""

    CONTINUE_PLAN = "continue"
    REVISE_PLAN = "revise_plan"
    CLOSE = "close"
    STEP_UP = "step_up"


_NO_NEXT_REVIEW: Final = frozenset({MeetingDecision.CLOSE, MeetingDecision.STEP_UP})


# --- value objects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyView:
    """The family's own view of family life at closure, in their words (seed 004:1232, AMB-12)."""

    improved: FamilyLifeImproved
    in_their_words: str

    def __post_init__(self) -> None:
        if not self.in_their_words.strip():
            raise InvalidValue(
                "Record the family's view in their own words.",
                field="family_view.in_their_words",
                code="family_view_required",
            )


@dataclass(frozen=True)
class QaDecision:
    """A quality assurance decision on one version of the plan (seed 004:1239; AMB-22).

    A return must say what to change, so the lead professional can act on it.
    """

    outcome: QaOutcome
    decided_on: date
    officer_id: uuid.UUID
    comments: str
    plan_version: int
    recorded_at: datetime | None = None
    """When the decision was recorded, beside `decided_on`, when it was made (issue 18 §1); the
    caller's timestamp, null for decisions recorded before familyhub kept it."""

    def __post_init__(self) -> None:
        if self.outcome is QaOutcome.RETURNED and not self.comments.strip():
            raise InvalidValue(
                "A plan returned by quality assurance needs comments saying what to change.",
                field="comments",
                code="qa_return_comments_required",
            )
        if self.plan_version < 1:
            raise InvalidValue(
                "Plan versions are numbered from 1.",
                field="plan_version",
                code="plan_version_below_one",
            )


@dataclass(frozen=True)
class LevelChange:
    """One entry in the level-of-need history (seed 004:1180 "moving support"; AMB-7)."""

    level: str
    changed_on: date
    reason: str | None
    recorded_at: datetime | None = None
    """When the change was recorded, beside `changed_on`, when it took effect (issue 18 §1)."""


@dataclass(frozen=True)
class LeadAssignment:
    """One handover of the lead professional role, from whom to whom (seed-digest AMB-11)."""

    practitioner_id: uuid.UUID
    from_practitioner_id: uuid.UUID | None
    assigned_on: date
    reason: str | None
    recorded_at: datetime | None = None
    """When the handover was recorded, beside `assigned_on`, when it took effect (issue 18 §1)."""


# --- the aggregate -------------------------------------------------------------------------------


@dataclass
class Episode:
    """One period of early help for a family, from request to closure (seed 004:785; §3 glossary).

    Methods record what happened and move the stage through `TRANSITIONS`; they never touch
    `version`, which persistence increments.
    """

    id: uuid.UUID
    family_id: uuid.UUID
    hub_id: uuid.UUID
    source: RequestSource
    level_of_need: str
    lead_practitioner_id: uuid.UUID
    child_person_ids: tuple[uuid.UUID, ...]
    requested_on: date
    stage: EpisodeStage = EpisodeStage.REQUESTED
    previous_episode_id: uuid.UUID | None = None
    step_down_reference: str | None = None
    step_down_notes: str | None = None
    consent_given_on: date | None = None
    consent_withdrawn_on: date | None = None
    assessment_deadline: Deadline | None = None
    quality_assurance_deadline: Deadline | None = None
    first_taf_deadline: Deadline | None = None
    review_deadline: Deadline | None = None
    assessment_started_on: date | None = None
    plan_submitted_on: date | None = None
    qa_decisions: list[QaDecision] = field(default_factory=list)
    level_history: list[LevelChange] = field(default_factory=list)
    lead_history: list[LeadAssignment] = field(default_factory=list)
    meetings_held: int = 0
    last_meeting_on: date | None = None
    closed_on: date | None = None
    closure_reason: ClosureReason | None = None
    family_view: FamilyView | None = None
    closure_notes: str | None = None
    stepped_up_reference: str | None = None
    settled_deadlines: list[Deadline] = field(default_factory=list)
    """Clocks replaced by a newer clock of the same kind since loading (a review after a review, a
    resubmission to QA); persistence keeps them so timeliness can be reported over time."""
    plan_submitted_recorded_at: datetime | None = None
    """When the first submission to QA was recorded (the caller's timestamp; null for steps
    recorded before familyhub kept it)."""
    closed_recorded_at: datetime | None = None
    """When the closure was recorded (see `plan_submitted_recorded_at`)."""
    earlier_deadlines: list[Deadline] = field(default_factory=list)
    """Clocks replaced before loading (past reviews, earlier QA turnarounds), oldest first: with
    the current ones they are every clock the episode has had (issue 18 §2)."""
    plan_submissions: list[date] = field(default_factory=list)
    """The day of every submission of the plan to quality assurance, in order (a returned plan
    is sent again): with the QA decisions they say where the episode stood on any day."""
    version: int = 1

    # --- read helpers ----------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Open until closed; closed episodes are never reopened (seed 004:785 counts new episodes)."""
        return self.stage is not EpisodeStage.CLOSED

    @property
    def consent_withdrawn(self) -> bool:
        """Whether the family has withdrawn consent to early help in this episode (AMB-9)."""
        return self.consent_withdrawn_on is not None

    def current_deadlines(self) -> list[Deadline]:
        """The clocks this episode has started, in process order (seed 004:1238-1241)."""
        return [d for d in self._deadline_slots() if d is not None]

    def every_deadline(self) -> list[Deadline]:
        """Every clock the episode has had, past reviews included, by start day then process
        order (issue 18 §2: a second meeting must not drop the first review's clock)."""
        seen: dict[tuple[timeliness.DeadlineKind, date], Deadline] = {}
        for deadline in (*self.earlier_deadlines, *self.settled_deadlines):
            seen[(deadline.kind, deadline.started_on)] = deadline
        for current in self.current_deadlines():
            seen[(current.kind, current.started_on)] = current
        order = list(timeliness.DeadlineKind)
        return sorted(seen.values(), key=lambda d: (d.started_on, order.index(d.kind)))

    def deadlines_known_on(self, on: date) -> list[Deadline]:
        """The clocks started by the end of `on`; their status on `on` is `timeliness.assess`'s,
        which ignores a meeting or closure dated later (issue 18 §2)."""
        return [d for d in self.every_deadline() if d.started_on <= on]

    def stage_on(self, on: date) -> EpisodeStage:
        """Where the episode stood at the end of `on`, from the dates its steps happened.

        Issue 18 §2 ("views as they stood"). The steps follow one another in the order of
        `TRANSITIONS` and none is dated before the one it follows (`app.domain.step_dates`), so
        the stage on a day is the one reached by the last step dated on or before it. The k-th
        QA decision answers the k-th submission, so same-day submissions and decisions are
        ordered by their count. A day before the request is refused, naming `as_of`.
        """
        if on < self.requested_on:
            raise InvalidValue(
                f"The episode was requested on {self.requested_on.isoformat()}; there is no "
                f"view of it on {on.isoformat()}, before it existed.",
                field="as_of",
                code="as_of_before_request",
            )
        if self.closed_on is not None and self.closed_on <= on:
            return EpisodeStage.CLOSED
        first_meeting = self.first_taf_deadline.met_on if self.first_taf_deadline else None
        if first_meeting is not None and first_meeting <= on:
            return EpisodeStage.ACTIVE
        decided = [d for d in self.qa_decisions if d.decided_on <= on]
        if decided and decided[-1].outcome is QaOutcome.APPROVED:
            return EpisodeStage.PLAN_APPROVED
        sent = [s for s in self.plan_submissions if s <= on]
        if len(sent) > len(decided):
            return EpisodeStage.PLAN_AWAITING_QA
        if decided:
            return EpisodeStage.PLAN_RETURNED
        if self.assessment_started_on is not None and self.assessment_started_on <= on:
            return EpisodeStage.ASSESSING
        return EpisodeStage.REQUESTED

    def can_move_to(self, stage: EpisodeStage) -> bool:
        """Whether `TRANSITIONS` allows the move; consent and data checks still apply."""
        return stage in TRANSITIONS[self.stage]

    # --- assess ----------------------------------------------------------------------------------

    def start_assessment(
        self,
        on: date,
        *,
        consent_given_on: date | None,
        policy_history: PolicyHistory,
        calendar: WorkingCalendar,
    ) -> None:
        """Start assessing once the family has consented; the assessment clock starts at consent.

        Seed 004:1237-1238: "gain explicit consent from the family to take part" then "The assessment
        and detailing the suggested plan should be undertaken within 20 days". The clock starts on
        the consent date under the policy in force that day (seed-digest AMB-2, house style 3.6).
        The caller checks that `consent_given_on` is consent that is still in force.
        """
        self._refuse_if_closed("The assessment cannot start")
        self._refuse_if_consent_withdrawn("start an assessment")
        if self.stage is not EpisodeStage.REQUESTED:
            raise IllegalTransition(
                "The assessment has already started for this episode; a family is assessed once "
                f"per episode, and a fresh assessment is a reassessment{self._stage_note()}.",
                code="assessment_already_started",
            )
        check_step_order(on, field="started_on", requested_on=self.requested_on)
        if consent_given_on is None:
            raise ConsentRequired(
                "Consent to take part in early help is not in force for every child this episode "
                "is about, so the assessment cannot start: the family must first give explicit "
                "consent to early help (naming the children, or for the household as a whole).",
                code="early_help_consent_not_in_force",
            )
        if consent_given_on > on:
            raise InvalidValue(
                "The assessment cannot start before the family gave consent.",
                field="consent_given_on",
                code="assessment_before_consent",
            )
        # Consent given before this request (for an earlier piece of work, say) cannot start a clock
        # before the episode existed: day 0 is then the request date. A local reading of AMB-2.
        clock_start = max(consent_given_on, self.requested_on)
        # Work out the clock before changing anything, so a refusal leaves the episode as it was.
        policy = policy_history.in_force_on(clock_start)
        clock = timeliness.assessment_deadline(clock_start, policy, calendar)
        self._move_to(EpisodeStage.ASSESSING)
        self.assessment_started_on = on
        self.consent_given_on = consent_given_on
        self.assessment_deadline = clock

    # --- plan ------------------------------------------------------------------------------------

    def submit_plan_for_qa(
        self,
        on: date,
        *,
        assessment_completed: bool,
        plan_has_outcomes: bool,
        policy_history: PolicyHistory,
        calendar: WorkingCalendar,
        assessment_completed_on: date | None = None,
    ) -> None:
        """Send the assessment and suggested plan to the Early Help and Support Service for review.

        Seed 004:1239 ("engage with a quality assurance process"). The first submission meets the
        20-day assessment clock (seed-digest AMB-2: it ends when assessment and plan go to QA);
        each submission starts a QA turnaround clock when the policy has one (AMB-5).
        """
        self._refuse_if_closed("The plan cannot be sent for quality assurance")
        self._refuse_if_consent_withdrawn("send the plan for quality assurance")
        if not self.can_move_to(EpisodeStage.PLAN_AWAITING_QA):
            raise IllegalTransition(self._submit_refusal(), code="plan_submission_out_of_turn")
        if not assessment_completed:
            raise IllegalTransition(
                "The plan cannot be sent for quality assurance until the early help assessment "
                f"is completed{self._stage_note()}.",
                code="plan_submitted_before_assessment_complete",
            )
        if not plan_has_outcomes:
            raise IllegalTransition(
                "The plan cannot be sent for quality assurance until it has at least one outcome "
                f"agreed with the family{self._stage_note()}.",
                code="plan_submitted_without_outcomes",
            )
        completed = (
            [PreviousStep(assessment_completed_on, "the assessment was completed")]
            if assessment_completed_on is not None
            else []
        )
        check_step_order(
            on,
            field="submitted_on",
            requested_on=self.requested_on,
            follows=[*self._steps(), *completed],
        )
        qa_clock = timeliness.quality_assurance_deadline(
            on, policy_history.in_force_on(on), calendar
        )
        first_submission = self.plan_submitted_on is None
        self._move_to(EpisodeStage.PLAN_AWAITING_QA)
        self.plan_submitted_on = on
        self.plan_submissions.append(on)
        if first_submission and _is_running(self.assessment_deadline):
            self.assessment_deadline = self.assessment_deadline.met(on)
        self._settle(self.quality_assurance_deadline, qa_clock)
        self.quality_assurance_deadline = qa_clock

    def record_qa_decision(
        self,
        decision: QaDecision,
        policy_history: PolicyHistory,
        calendar: WorkingCalendar,
    ) -> None:
        """Record the QA review; approval starts the first-TAF clock, a return sends the plan back.

        Seed 004:1239: "The first meeting of the TAF group should happen no more than 10 days after
        the suggested plan has been reviewed by the Early Help and Support Service". Whether the
        clock starts at approval or at the first review of any kind is policy (seed-digest AMB-3),
        read from the version in force on the decision date.
        """
        self._refuse_if_closed("Quality assurance cannot decide on the plan")
        self._refuse_if_consent_withdrawn("record a quality assurance decision")
        if self.stage is not EpisodeStage.PLAN_AWAITING_QA:
            raise IllegalTransition(self._qa_refusal(), code="qa_decision_out_of_turn")
        check_step_order(
            decision.decided_on,
            field="decided_on",
            requested_on=self.requested_on,
            follows=self._steps(),
        )
        approved = decision.outcome is QaOutcome.APPROVED
        taf_clock = self.first_taf_deadline
        if approved:
            policy = policy_history.in_force_on(decision.decided_on)
            clock_start = decision.decided_on
            if (
                policy.first_taf_clock_start is FirstTafClockStart.FIRST_REVIEW
                and self.qa_decisions
            ):
                clock_start = self.qa_decisions[0].decided_on
            taf_clock = timeliness.first_taf_deadline(clock_start, policy, calendar)
        self._move_to(EpisodeStage.PLAN_APPROVED if approved else EpisodeStage.PLAN_RETURNED)
        self.qa_decisions.append(decision)
        if _is_running(self.quality_assurance_deadline):
            self.quality_assurance_deadline = self.quality_assurance_deadline.met(
                decision.decided_on
            )
        self.first_taf_deadline = taf_clock

    # --- do and review ---------------------------------------------------------------------------

    def hold_meeting(
        self,
        on: date,
        *,
        decision: MeetingDecision,
        policy_history: PolicyHistory,
        calendar: WorkingCalendar,
    ) -> bool:
        """Record a TAF meeting; returns True when it was the first one, which agrees the plan.

        Seed 004:1239 (the first TAF meeting "formally agree[s] the plan") and 004:1241 ("Reviews/
        TAF meetings should take place every 4-6 weeks"). Each meeting meets the clock that was
        waiting for it; unless the meeting decided to close or step up, the next review clock
        starts from it under the policy in force that day (seed-digest AMB-4).
        """
        self._refuse_if_closed("A TAF meeting cannot be held")
        self._refuse_if_consent_withdrawn("hold a TAF meeting")
        if not self.can_move_to(EpisodeStage.ACTIVE):
            raise IllegalTransition(
                "A TAF meeting cannot be held before quality assurance has approved the plan"
                f"{self._stage_note()}.",
                code="meeting_before_plan_approval",
            )
        follows = [PreviousStep(self._approved_on(), "quality assurance approved the plan")]
        if self.last_meeting_on is not None:
            follows.append(PreviousStep(self.last_meeting_on, "the last TAF meeting"))
        check_step_order(on, field="held_on", requested_on=self.requested_on, follows=follows)
        next_review: Deadline | None = None
        if decision not in _NO_NEXT_REVIEW:
            policy = policy_history.in_force_on(on)
            next_review = timeliness.review_deadline(on, policy, calendar)
        is_first = self.stage is EpisodeStage.PLAN_APPROVED
        self._move_to(EpisodeStage.ACTIVE)
        if is_first:
            if _is_running(self.first_taf_deadline):
                self.first_taf_deadline = self.first_taf_deadline.met(on)
        elif _is_running(self.review_deadline):
            self.review_deadline = self.review_deadline.met(on)
        if next_review is not None:
            self._settle(self.review_deadline, next_review)
            self.review_deadline = next_review
        self.meetings_held += 1
        self.last_meeting_on = on
        return is_first

    # --- level and lead --------------------------------------------------------------------------

    def change_level(
        self,
        level: str,
        on: date,
        reason: str | None,
        allowed_levels: Collection[str],
        *,
        recorded_at: datetime | None = None,
    ) -> None:
        """Move support to another level of need, keeping the history (seed 004:1180; AMB-7)."""
        self._refuse_if_closed("The level of need cannot be changed")
        self._refuse_if_consent_withdrawn("change the level of need")
        _check_level(level, allowed_levels)
        if level == self.level_of_need:
            raise Conflict(
                f"The level of need is already '{level}'.",
                field="level_of_need",
                code="level_of_need_unchanged",
            )
        last = self.level_history[-1].changed_on if self.level_history else self.requested_on
        self._check_not_before(on, last, "effective_on", "the last change of level")
        self.level_of_need = level
        self.level_history.append(
            LevelChange(
                level=level, changed_on=on, reason=_optional(reason), recorded_at=recorded_at
            )
        )

    def assign_lead(
        self,
        practitioner_id: uuid.UUID,
        on: date,
        reason: str | None = None,
        *,
        recorded_at: datetime | None = None,
    ) -> None:
        """Hand the lead professional role to another practitioner; the clocks carry on.

        Seed-digest AMB-11: keep the handover history; clocks do not reset on handover. Allowed
        after consent is withdrawn, so that someone can still close or step up the episode.
        """
        self._refuse_if_closed("The lead professional cannot be changed")
        if practitioner_id == self.lead_practitioner_id:
            raise Conflict(
                "This practitioner is already the lead professional.",
                field="practitioner_id",
                code="lead_unchanged",
            )
        last = self.lead_history[-1].assigned_on if self.lead_history else self.requested_on
        self._check_not_before(on, last, "effective_on", "the last handover")
        self.lead_history.append(
            LeadAssignment(
                practitioner_id=practitioner_id,
                from_practitioner_id=self.lead_practitioner_id,
                assigned_on=on,
                reason=_optional(reason),
                recorded_at=recorded_at,
            )
        )
        self.lead_practitioner_id = practitioner_id

    # --- consent withdrawn and closure -----------------------------------------------------------

    def record_consent_withdrawn(self, on: date) -> None:
        """The family withdrew consent: every clock stops, and only closure or step up remain.

        The seeds never mention withdrawal; seed-digest AMB-9 suggests it is recorded and stops
        the clocks. Working on without consent is not early help, so the episode must be closed
        or, where there are safeguarding concerns, stepped up (AMB-8).
        """
        self._refuse_if_closed("Consent withdrawal cannot be recorded")
        if self.consent_withdrawn_on is not None:
            raise IllegalTransition(
                "The family's withdrawal of consent is already recorded on "
                f"{self.consent_withdrawn_on.isoformat()}; close or step up the episode.",
                code="consent_withdrawal_already_recorded",
            )
        check_step_order(
            on, field="consent_withdrawn_on", requested_on=self.requested_on, follows=self._steps()
        )
        self.consent_withdrawn_on = on
        self._stop_running_clocks(on)

    def close(
        self,
        on: date,
        reason: ClosureReason,
        family_view: FamilyView | None,
        notes: str | None = None,
        stepped_up_reference: str | None = None,
        *,
        assessment_completed_on: date | None = None,
    ) -> None:
        """End the episode, recording why and the family's view of family life.

        Seed 004:1232 ("close to early help with all needs met"; "reporting improved family life at
        the closure of EHA"); step up closes with a link to the social care record (seed-digest
        AMB-8); withdrawal closes the episode (AMB-9). The family's view is asked for unless they
        are no longer there to ask (withdrew, moved away, disengaged, or a step up after they
        withdrew consent). Running clocks stop.
        """
        if self.stage is EpisodeStage.CLOSED:
            closed_on = self.closed_on.isoformat() if self.closed_on else "an earlier date"
            raise IllegalTransition(
                f"This episode was already closed on {closed_on}; closed episodes are never "
                "reopened, so open a new episode linked to this one.",
                code="episode_already_closed",
            )
        if self.consent_withdrawn_on is not None and reason not in CLOSURES_AFTER_WITHDRAWAL:
            raise ConsentRequired(
                "The family withdrew consent to early help on "
                f"{self.consent_withdrawn_on.isoformat()}, so the episode can only be closed "
                "with the reason 'consent withdrawn' or stepped up to children's social care.",
                code="early_help_consent_withdrawn",
            )
        if (
            family_view is None
            and reason not in CLOSURES_WITHOUT_FAMILY_VIEW
            and self.consent_withdrawn_on is None
        ):
            raise InvalidValue(
                "Ask the family whether family life has improved, and record it in their words, "
                "before closing the episode.",
                field="family_view",
                code="closure_family_view_required",
            )
        notes = _optional(notes)
        if reason is ClosureReason.OTHER and notes is None:
            raise InvalidValue(
                "Say why the episode is closing when the reason is 'other'.",
                field="closure_notes",
                code="closure_notes_required",
            )
        reference = _optional(stepped_up_reference)
        if reference is not None and reason is not ClosureReason.STEPPED_UP_TO_SOCIAL_CARE:
            raise InvalidValue(
                "A social care reference is only recorded when the episode is stepped up.",
                field="stepped_up_reference",
                code="stepped_up_reference_without_step_up",
            )
        facts = self._facts()
        if assessment_completed_on is not None:
            facts.append(PreviousStep(assessment_completed_on, "the assessment was completed"))
        check_step_order(on, field="closed_on", requested_on=self.requested_on, follows=facts)
        self._move_to(EpisodeStage.CLOSED)
        self.closed_on = on
        self.closure_reason = reason
        self.family_view = family_view
        self.closure_notes = notes
        self.stepped_up_reference = reference
        if reason is ClosureReason.CONSENT_WITHDRAWN and self.consent_withdrawn_on is None:
            self.consent_withdrawn_on = on
        self._stop_running_clocks(on)

    # --- internals -------------------------------------------------------------------------------

    def _deadline_slots(self) -> Iterator[Deadline | None]:
        yield self.assessment_deadline
        yield self.quality_assurance_deadline
        yield self.first_taf_deadline
        yield self.review_deadline

    def _move_to(self, target: EpisodeStage) -> None:
        # Every stage change goes through the table; callers give the reason-specific message first.
        if target not in TRANSITIONS[self.stage]:
            raise IllegalTransition(
                f"This step is not possible now: the episode is {self.stage.words}.",
                code="episode_step_out_of_turn",
            )
        self.stage = target

    def _stage_note(self) -> str:
        return f" (the episode is {self.stage.words})"

    def _refuse_if_closed(self, action: str) -> None:
        if self.stage is EpisodeStage.CLOSED:
            raise IllegalTransition(
                f"{action}: the episode is closed, and closed episodes are never reopened; "
                "open a new episode linked to this one.",
                code="episode_closed",
            )

    def _refuse_if_consent_withdrawn(self, action: str) -> None:
        if self.consent_withdrawn_on is not None:
            raise ConsentRequired(
                f"You cannot {action}: the family withdrew consent to early help on "
                f"{self.consent_withdrawn_on.isoformat()}, so the episode must now be closed "
                "(reason 'consent withdrawn') or stepped up to children's social care.",
                code="early_help_consent_withdrawn",
            )

    def _submit_refusal(self) -> str:
        if self.stage is EpisodeStage.REQUESTED:
            why = "the assessment has not started; the family's consent comes first"
        elif self.stage is EpisodeStage.PLAN_AWAITING_QA:
            why = "the plan is already waiting for a quality assurance decision"
        else:
            why = (
                "quality assurance has already approved the plan; changes are now agreed "
                "at TAF meetings"
            )
        return f"The plan cannot be sent for quality assurance: {why}{self._stage_note()}."

    def _qa_refusal(self) -> str:
        if self.stage in (EpisodeStage.PLAN_APPROVED, EpisodeStage.ACTIVE):
            why = "quality assurance has already approved this episode's plan"
        elif self.stage is EpisodeStage.PLAN_RETURNED:
            why = "the plan was returned and has not been sent back for review yet"
        else:
            why = "the plan has not been sent for review yet"
        return f"Quality assurance cannot decide on the plan: {why}{self._stage_note()}."

    def _approved_on(self) -> date:
        approvals = [d.decided_on for d in self.qa_decisions if d.outcome is QaOutcome.APPROVED]
        return approvals[-1] if approvals else self.requested_on

    def _steps(self) -> list[PreviousStep]:
        """The dated steps of the process so far, so that a new step cannot be dated before them."""
        steps = [
            PreviousStep(d.decided_on, "quality assurance decided on the plan")
            for d in self.qa_decisions
        ]
        named = (
            (self.consent_given_on, "the family gave consent"),
            (self.assessment_started_on, "the assessment started"),
            (self.plan_submitted_on, "the plan was sent for quality assurance"),
            (self.last_meeting_on, "the last TAF meeting"),
            (self.consent_withdrawn_on, "the family withdrew consent"),
        )
        steps += [PreviousStep(on, what) for on, what in named if on is not None]
        return steps

    def _facts(self) -> list[PreviousStep]:
        """Every date recorded on the episode, level changes and handovers included."""
        facts = self._steps()
        facts += [
            PreviousStep(c.changed_on, "the level of need changed") for c in self.level_history
        ]
        facts += [
            PreviousStep(a.assigned_on, "the lead professional changed") for a in self.lead_history
        ]
        return facts

    def _check_not_before(self, on: date, earliest: date, field_name: str, what: str) -> None:
        check_step_order(
            on,
            field=field_name,
            requested_on=self.requested_on,
            follows=[PreviousStep(earliest, what)],
        )

    def _settle(self, old: Deadline | None, new: Deadline | None) -> None:
        if old is not None and (new is None or new.started_on != old.started_on):
            self.settled_deadlines.append(old)

    def _stop_running_clocks(self, on: date) -> None:
        def stop(deadline: Deadline | None) -> Deadline | None:
            if deadline is None or not _is_running(deadline):
                return deadline
            return deadline.stopped(on)

        self.assessment_deadline = stop(self.assessment_deadline)
        self.quality_assurance_deadline = stop(self.quality_assurance_deadline)
        self.first_taf_deadline = stop(self.first_taf_deadline)
        self.review_deadline = stop(self.review_deadline)


# --- factory and pure rules ----------------------------------------------------------------------


def open_episode(
    *,
    id: uuid.UUID,
    family_id: uuid.UUID,
    hub_id: uuid.UUID,
    source: RequestSource,
    level_of_need: str,
    allowed_levels: Collection[str],
    lead_practitioner_id: uuid.UUID,
    child_person_ids: Collection[uuid.UUID],
    requested_on: date,
    previous_episode_id: uuid.UUID | None = None,
    step_down_reference: str | None = None,
    step_down_notes: str | None = None,
    reason: str | None = None,
    recorded_at: datetime | None = None,
) -> Episode:
    """Open an episode for a request for early help, with its first level and lead.

    Seed 004:1237 ("A need or problem is identified"); the lead professional is named from the
    start (004:1238); levels of need are configuration (seed-digest AMB-7); a step-down from social
    care opens an episode with its own source (AMB-8); a re-entry links the previous episode (004:785).
    `reason` is recorded on the first level and lead history entries.
    """
    children = tuple(child_person_ids)
    if not children:
        raise InvalidValue(
            "An episode of early help is about at least one child; name the child or children.",
            field="child_person_ids",
            code="episode_children_required",
        )
    if len(set(children)) != len(children):
        raise InvalidValue(
            "A child is named twice.", field="child_person_ids", code="episode_child_repeated"
        )
    _check_level(level_of_need, allowed_levels)
    if previous_episode_id is not None and previous_episode_id == id:
        raise InvalidValue(
            "An episode cannot follow on from itself.",
            field="previous_episode_id",
            code="episode_follows_itself",
        )
    reference = _optional(step_down_reference)
    step_notes = _optional(step_down_notes)
    if source is not RequestSource.STEPPED_DOWN_FROM_SOCIAL_CARE and (reference or step_notes):
        raise InvalidValue(
            "Step-down details are recorded only when the request is a step-down from "
            "children's social care.",
            field="step_down_reference",
            code="step_down_reference_without_step_down",
        )
    why = _optional(reason)
    return Episode(
        id=id,
        family_id=family_id,
        hub_id=hub_id,
        source=source,
        level_of_need=level_of_need,
        lead_practitioner_id=lead_practitioner_id,
        child_person_ids=children,
        requested_on=requested_on,
        previous_episode_id=previous_episode_id,
        step_down_reference=reference,
        step_down_notes=step_notes,
        level_history=[
            LevelChange(
                level=level_of_need, changed_on=requested_on, reason=why, recorded_at=recorded_at
            )
        ],
        lead_history=[
            LeadAssignment(
                practitioner_id=lead_practitioner_id,
                from_practitioner_id=None,
                assigned_on=requested_on,
                reason=why,
                recorded_at=recorded_at,
            )
        ],
    )


def is_reentry(previous_closed_on: date, new_requested_on: date, window_months: int = 12) -> bool:
    """Whether a new request re-enters early help within the window after the last episode ceased.

    Seed 004:785: "Number of new Early Help episodes within 12 months of a previous episode
    ceasing"; the window is a report parameter with a 12-month default (seed-digest AMB-12).
    "Within 12 months" runs up to and including the same calendar date 12 months on (clamped to
    month end), so day 365 of a non-leap span is inside and day 366 is not. A request made while
    the previous episode was still open is not a re-entry.
    """
    if window_months < 1:
        raise InvalidValue(
            "The re-entry window must be at least one month.",
            field="window_months",
            code="reentry_window_out_of_range",
        )
    if new_requested_on < previous_closed_on:
        return False
    return new_requested_on <= add_months(previous_closed_on, window_months)


def _check_level(level: str, allowed_levels: Collection[str]) -> None:
    if level not in allowed_levels:
        allowed = ", ".join(sorted(allowed_levels)) or "none configured"
        raise InvalidValue(
            f"'{level}' is not a level of need this council uses (allowed: {allowed}).",
            field="level_of_need",
            code="level_of_need_unknown",
        )


def _optional(text: str | None) -> str | None:
    """Trimmed text, with blanks stored as None so reports never count empty strings."""
    if text is None:
        return None
    return text.strip() or None


def _is_running(deadline: Deadline | None) -> TypeGuard[Deadline]:
    return deadline is not None and deadline.met_on is None and deadline.stopped_on is None
