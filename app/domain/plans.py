"""The family plan: outcomes agreed with the family and the actions the TAF takes towards them.

Seed 004_dec79d85712017e0.txt:1239 (the lead professional pulls together a "Family Plan", engages
with quality assurance, and the first TAF meeting is "to formally agree the plan and prioritise
actions"), 004:1521 ("one family plan which the whole team around the family work to. Families and
professionals agree outcomes together") and 004:1240 (the "do" stage: "ensuring that actions in
the family's plan happen"). Two gates, QA approval then TAF agreement, follow seed-digest AMB-22.

Plan versions: a plan is revised by starting plan `number + 1` as a draft from the agreed one. The
agreed plan stays the one the TAF works to until the revision is agreed, and only then becomes
superseded (`FamilyPlan.agree(..., replaces=old)`). The seed puts QA before the first TAF meeting
only (004:1239), so a revision may be agreed at a TAF review straight from draft, or be sent
through QA first and agreed once approved.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum, StrEnum

from app.domain.access import Role
from app.domain.episodes import Episode, QaDecision, QaOutcome
from app.domain.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from app.domain.practitioners import Practitioner

MIN_SCORE = 0
MAX_SCORE = 10
"""Outcome scores run 0 to 10, so progress can be counted "from notification through to closure"
(seed 004:1574) and compared at each review (004:1241)."""


class PlanStatus(StrEnum):
    """Where a plan version is between drafting, QA (004:1239), TAF agreement and replacement."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    AGREED = "agreed"
    SUPERSEDED = "superseded"

    @property
    def words(self) -> str:
        """How a sentence says where the plan is ("this plan is awaiting quality assurance")."""
        return {
            "draft": "still a draft",
            "submitted": "awaiting quality assurance",
            "returned": "returned by quality assurance",
            "approved": "approved and waiting for the TAF to agree it",
            "agreed": "agreed by the TAF",
            "superseded": "replaced by a newer version",
        }[self.value]


EDITABLE_STATUSES = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
"""Only a plan still being written can change; what QA or the TAF saw stays as they saw it."""

OPEN_PLAN_STATUSES = frozenset(
    {PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.APPROVED}
)
"""A plan on its way to the TAF's agreement: an episode has one at a time."""


class ActionStatus(StrEnum):
    """Progress of one action in the "do" stage (seed 004:1240)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class _Unset(Enum):
    """Marks an argument left out of `edit`."""

    UNSET = "unset"


UNSET = _Unset.UNSET


@dataclass(frozen=True)
class Outcome:
    """What the family and professionals want to change, tied to assessed needs (seed 004:1521).

    `baseline_score` (0-10) is where the family starts, so reviews can show progress (004:1241).
    Checked when it joins a plan (`validate_outcomes`), so errors can name its position.
    """

    id: uuid.UUID
    description: str
    need_ids: tuple[uuid.UUID, ...]
    measure: str
    baseline_score: int


@dataclass(frozen=True)
class Action:
    """One thing someone will do, owned by a TAF member or by a family member (seed 004:1521-1522).

    `outcome_id` may be None for quick wins and sustainability actions not tied to one outcome
    (004:1238 "immediate needs or quick wins"; 004:1526 sustainability plan).
    """

    id: uuid.UUID
    outcome_id: uuid.UUID | None
    description: str
    owner_taf_member_id: uuid.UUID | None
    owner_person_id: uuid.UUID | None
    due_on: date
    status: ActionStatus = ActionStatus.NOT_STARTED


@dataclass
class FamilyPlan:
    """One version (`number`) of an episode's family plan."""

    id: uuid.UUID
    episode_id: uuid.UUID
    number: int
    status: PlanStatus
    outcomes: tuple[Outcome, ...]
    actions: tuple[Action, ...]
    qa_decisions: list[QaDecision] = field(default_factory=list)
    submitted_on: date | None = None
    agreed_on: date | None = None
    submitted_recorded_at: datetime | None = None
    """When the latest submission was recorded, beside `submitted_on` (issue 18 §1)."""
    version: int = 1

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def outcome_ids(self) -> frozenset[uuid.UUID]:
        """The outcomes a TAF meeting may score progress against (seed 004:1241)."""
        return frozenset(outcome.id for outcome in self.outcomes)

    def edit(
        self,
        *,
        known_need_ids: Collection[uuid.UUID],
        outcomes: Sequence[Outcome] | _Unset = UNSET,
        actions: Sequence[Action] | _Unset = UNSET,
    ) -> None:
        """Change the outcomes or actions of a plan still being written (draft or returned by QA).

        Seed 004:1239: QA reviews the suggested plan and the TAF agrees it; once either has seen
        it, changes go into a new plan version (`revise`). Outcomes must address assessed needs.
        """
        if not self.is_editable:
            raise IllegalTransition(
                f"This plan cannot be changed because it is {self.status.words}: a plan that quality "
                "assurance or the TAF has seen stays as they saw it. Start a revised plan instead.",
                code="plan_not_editable",
            )
        new_outcomes = self.outcomes if outcomes is _Unset.UNSET else tuple(outcomes)
        new_actions = self.actions if actions is _Unset.UNSET else tuple(actions)
        validate_outcomes(new_outcomes, known_need_ids)
        validate_actions(new_actions, {o.id for o in new_outcomes})
        self.outcomes = new_outcomes
        self.actions = new_actions

    def submit(self, on: date, known_need_ids: Collection[uuid.UUID]) -> None:
        """Send the plan to the Early Help and Support Service for review (seed 004:1239).

        A plan needs at least one outcome, each tied to a need in the assessment (004:1521).
        """
        if not self.is_editable:
            raise IllegalTransition(
                self._not_editable("sent for quality assurance"), code="plan_not_editable"
            )
        if not self.outcomes:
            raise InvalidValue(
                "A plan needs at least one outcome agreed with the family before quality "
                "assurance can review it.",
                field="outcomes",
                code="plan_outcomes_required",
            )
        validate_outcomes(self.outcomes, known_need_ids)
        validate_actions(self.actions, self.outcome_ids)
        if self.qa_decisions and on < self.qa_decisions[-1].decided_on:
            raise InvalidValue(
                "The plan cannot be sent back before quality assurance returned it.",
                field="submitted_on",
                code="plan_resubmitted_before_return",
            )
        self.status = PlanStatus.SUBMITTED
        self.submitted_on = on

    def record_qa_decision(self, decision: QaDecision) -> None:
        """Approve or return the submitted plan; a return carries comments (seed-digest AMB-22)."""
        if self.status is not PlanStatus.SUBMITTED:
            raise IllegalTransition(
                "Quality assurance can only decide on a plan that has been sent for review; "
                f"this plan is {self.status.words}.",
                code="plan_not_awaiting_qa",
            )
        if decision.plan_version != self.number:
            raise InvalidValue(
                f"This decision is for plan version {decision.plan_version}, "
                f"but this is version {self.number}.",
                field="plan_version",
                code="qa_decision_wrong_version",
            )
        if self.submitted_on is not None and decision.decided_on < self.submitted_on:
            raise InvalidValue(
                "Quality assurance cannot decide before the plan was submitted.",
                field="decided_on",
                code="qa_decision_before_submission",
            )
        self.qa_decisions.append(decision)
        self.status = (
            PlanStatus.APPROVED if decision.outcome is QaOutcome.APPROVED else PlanStatus.RETURNED
        )

    def agree(
        self,
        on: date,
        *,
        known_need_ids: Collection[uuid.UUID],
        replaces: FamilyPlan | None = None,
    ) -> None:
        """The TAF formally agrees the plan with the family; an earlier version becomes superseded.

        Seed 004:1239: the first TAF meeting is "to formally agree the plan and prioritise actions"
        after QA has reviewed it. A revised plan (number 2 and up) may be agreed at a TAF review
        straight from draft, or after QA approval; the version it `replaces` stays in force until
        this moment.
        """
        if self.status is PlanStatus.APPROVED:
            pass
        elif self.status is PlanStatus.DRAFT and self.number > 1:
            if not self.outcomes:
                raise InvalidValue(
                    "A plan needs at least one outcome agreed with the family.",
                    field="outcomes",
                    code="plan_outcomes_required",
                )
        elif self.status is PlanStatus.DRAFT:
            raise IllegalTransition(
                "The first family plan cannot be agreed before quality assurance has approved it "
                "(the plan is 'draft').",
                code="plan_agreed_before_approval",
            )
        else:
            raise IllegalTransition(self._agree_refusal(), code="plan_agreement_out_of_turn")
        validate_outcomes(self.outcomes, known_need_ids)
        validate_actions(self.actions, self.outcome_ids)
        self._check_replaces(on, replaces)
        approved_on = self.qa_decisions[-1].decided_on if self.qa_decisions else None
        if approved_on is not None and on < approved_on:
            raise InvalidValue(
                "The plan cannot be agreed before quality assurance approved it.",
                field="agreed_on",
                code="plan_agreement_dated_before_approval",
            )
        self.status = PlanStatus.AGREED
        self.agreed_on = on
        if replaces is not None:
            replaces.status = PlanStatus.SUPERSEDED

    def revise(self, new_id: uuid.UUID, on: date) -> FamilyPlan:
        """Start the next version of an agreed plan as a draft with the same outcomes and actions.

        Seed 004:1241: reviews identify "what should happen next"; the agreed plan stays in force
        until the TAF agrees the revision.
        """
        if self.status is not PlanStatus.AGREED:
            raise IllegalTransition(
                f"Only the agreed plan can be revised; this plan is {self.status.words}"
                + (
                    ", so change it directly."
                    if self.is_editable
                    else ", and a revision starts from the plan the TAF agreed."
                ),
                code="plan_revision_of_unagreed",
            )
        if self.agreed_on is not None and on < self.agreed_on:
            raise InvalidValue(
                "A revision cannot start before the plan it revises was agreed.",
                field="revised_on",
                code="plan_revision_before_agreement",
            )
        return replace(
            self,
            id=new_id,
            number=self.number + 1,
            status=PlanStatus.DRAFT,
            qa_decisions=[],
            submitted_on=None,
            agreed_on=None,
            submitted_recorded_at=None,
            version=1,
        )

    def update_action_status(self, action_id: uuid.UUID, status: ActionStatus) -> None:
        """Record progress on an action of the agreed plan, the "do" stage (seed 004:1240)."""
        if self.status is not PlanStatus.AGREED:
            raise IllegalTransition(
                "Progress on actions is recorded against the plan the TAF agreed; "
                f"this plan is {self.status.words}.",
                code="action_progress_on_unagreed_plan",
            )
        for i, action in enumerate(self.actions):
            if action.id == action_id:
                updated = replace(action, status=status)
                self.actions = (*self.actions[:i], updated, *self.actions[i + 1 :])
                return
        raise NotFound("This plan has no such action.", field="action_id")

    def _not_editable(self, what: str) -> str:
        return (
            f"The plan cannot be {what} because it is {self.status.words}: only a draft plan or one "
            "returned by quality assurance can be."
        )

    def _agree_refusal(self) -> str:
        why = {
            PlanStatus.SUBMITTED: "it is still waiting for a quality assurance decision",
            PlanStatus.RETURNED: "quality assurance returned it for changes",
            PlanStatus.AGREED: "it has already been agreed",
            PlanStatus.SUPERSEDED: "a later version has replaced it",
        }.get(self.status, "it is not ready")
        return f"The TAF cannot agree this plan: {why} (the plan is {self.status.words})."

    def _check_replaces(self, on: date, replaces: FamilyPlan | None) -> None:
        if self.number == 1:
            if replaces is not None:
                raise InvalidValue(
                    "The first plan of an episode replaces no earlier plan.",
                    field="replaces",
                    code="plan_first_replaces_nothing",
                )
            return
        if replaces is None:
            raise InvalidValue(
                "Say which agreed plan this revision replaces.",
                field="replaces",
                code="plan_revision_replaces_required",
            )
        if (
            replaces.episode_id != self.episode_id
            or replaces.number != self.number - 1
            or replaces.status is not PlanStatus.AGREED
        ):
            raise InvalidValue(
                "A revised plan replaces the agreed plan just before it in the same episode.",
                field="replaces",
                code="plan_revision_replaces_wrong_plan",
            )
        if replaces.agreed_on is not None and on < replaces.agreed_on:
            raise InvalidValue(
                "A revision cannot be agreed before the plan it replaces.",
                field="agreed_on",
                code="plan_revision_agreed_before_replaced",
            )


def start_plan_draft(
    *,
    id: uuid.UUID,
    episode_id: uuid.UUID,
    known_need_ids: Collection[uuid.UUID],
    outcomes: Sequence[Outcome] = (),
    actions: Sequence[Action] = (),
) -> FamilyPlan:
    """The suggested plan, drafted with the assessment (seed 004:1238 "detailing the suggested plan")."""
    outcome_tuple = tuple(outcomes)
    action_tuple = tuple(actions)
    validate_outcomes(outcome_tuple, known_need_ids)
    validate_actions(action_tuple, {o.id for o in outcome_tuple})
    return FamilyPlan(
        id=id,
        episode_id=episode_id,
        number=1,
        status=PlanStatus.DRAFT,
        outcomes=outcome_tuple,
        actions=action_tuple,
    )


def validate_outcomes(outcomes: Sequence[Outcome], known_need_ids: Collection[uuid.UUID]) -> None:
    """Each outcome addresses assessed needs, says how it is measured and starts from a 0-10 score.

    Seed 004:1521 (outcomes agreed together for the needs found) and 004:1574 (issues quantified
    from notification to closure).
    """
    seen: set[uuid.UUID] = set()
    for i, outcome in enumerate(outcomes):
        prefix = f"outcomes[{i}]"
        if outcome.id in seen:
            raise InvalidValue(
                "The same outcome is listed twice.",
                field=f"{prefix}.id",
                code="plan_outcome_repeated",
            )
        seen.add(outcome.id)
        if not outcome.description.strip():
            raise InvalidValue(
                "Describe the outcome the family wants.",
                field=f"{prefix}.description",
                code="plan_outcome_description_required",
            )
        if not outcome.need_ids:
            raise InvalidValue(
                "Say which assessed need the outcome addresses.",
                field=f"{prefix}.need_ids",
                code="plan_outcome_needs_required",
            )
        unknown = [n for n in outcome.need_ids if n not in known_need_ids]
        if unknown:
            raise InvalidValue(
                "The outcome refers to a need that is not in the assessment.",
                field=f"{prefix}.need_ids",
                code="plan_outcome_need_unknown",
            )
        if not outcome.measure.strip():
            raise InvalidValue(
                "Say how progress towards the outcome will be measured.",
                field=f"{prefix}.measure",
                code="plan_outcome_measure_required",
            )
        if not is_valid_score(outcome.baseline_score):
            raise InvalidValue(
                f"The starting score must be a whole number from {MIN_SCORE} to {MAX_SCORE}.",
                field=f"{prefix}.baseline_score",
                code="plan_outcome_score_out_of_range",
            )


def validate_actions(actions: Sequence[Action], outcome_ids: Collection[uuid.UUID]) -> None:
    """Each action is described, has exactly one owner, and belongs to an outcome of this plan.

    Seed 004:1521-1522: everyone, the family included, works to the one plan, so each action
    names who will do it.
    """
    seen: set[uuid.UUID] = set()
    for i, action in enumerate(actions):
        prefix = f"actions[{i}]"
        if action.id in seen:
            raise InvalidValue(
                "The same action is listed twice.",
                field=f"{prefix}.id",
                code="plan_action_repeated",
            )
        seen.add(action.id)
        if not action.description.strip():
            raise InvalidValue(
                "Describe what will be done.",
                field=f"{prefix}.description",
                code="plan_action_description_required",
            )
        if (action.owner_taf_member_id is None) == (action.owner_person_id is None):
            raise InvalidValue(
                "Give each action exactly one owner: a TAF member or a family member.",
                field=f"{prefix}.owner_taf_member_id",
                code="plan_action_owner_count",
            )
        if action.outcome_id is not None and action.outcome_id not in outcome_ids:
            raise InvalidValue(
                "The action refers to an outcome that is not in this plan.",
                field=f"{prefix}.outcome_id",
                code="plan_action_outcome_unknown",
            )


def is_valid_score(value: object) -> bool:
    """A whole number from 0 to 10; True and False are not scores."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and MIN_SCORE <= value <= MAX_SCORE
    )


# --- the plans of one episode --------------------------------------------------------------------


def check_new_plan(episode: Episode, plans: Sequence[FamilyPlan]) -> None:
    """The suggested plan is the episode's first (seed 004:1238); every later version starts by
    revising the agreed one, and a closed episode takes no plan at all."""
    if not episode.is_open:
        raise IllegalTransition(
            "The episode is closed; it takes no new plan.", code="episode_closed"
        )
    if any(p.status in OPEN_PLAN_STATUSES for p in plans):
        raise Conflict(
            "This episode already has a plan in progress; change that one instead.",
            code="plan_already_in_progress",
        )
    if plans:
        raise Conflict(
            "Revise the agreed plan to start its next version.", code="plan_agreed_revise_instead"
        )


def revision_of(
    plan: FamilyPlan, plans: Sequence[FamilyPlan], new_id: uuid.UUID, on: date
) -> FamilyPlan:
    """The next version of the agreed `plan` (`FamilyPlan.revise`), unless one is already being
    written: the episode works to one plan and has at most one on its way to replace it."""
    if any(p.status in OPEN_PLAN_STATUSES for p in plans if p.id != plan.id):
        raise Conflict(
            "A revision of this plan is already in progress.",
            code="plan_revision_already_in_progress",
        )
    return plan.revise(new_id, on)


def check_action_owners(
    actions: Sequence[Action],
    *,
    taf_member_ids: Collection[uuid.UUID],
    family_person_ids: Collection[uuid.UUID],
) -> None:
    """Every action is owned by a member of this episode's TAF or of the family (seed 004:1522)."""
    for index, action in enumerate(actions):
        if (
            action.owner_taf_member_id is not None
            and action.owner_taf_member_id not in taf_member_ids
        ):
            raise InvalidValue(
                "The owner is not a member of this Team Around the Family.",
                field=f"actions[{index}].owner_taf_member_id",
                code="plan_action_owner_not_taf_member",
            )
        if action.owner_person_id is not None and action.owner_person_id not in family_person_ids:
            raise InvalidValue(
                "The owner is not a member of the family.",
                field=f"actions[{index}].owner_person_id",
                code="plan_action_owner_not_family_member",
            )


def check_actions_may_change(episode: Episode) -> None:
    """The "do" stage ends with the episode: a closed episode's actions stay as they were."""
    if not episode.is_open:
        raise IllegalTransition(
            "The episode is closed; its actions can no longer change.", code="episode_closed"
        )


def plan_to_submit(plans: Sequence[FamilyPlan]) -> FamilyPlan:
    """The plan the lead sends for quality assurance: the latest one still being written."""
    writing = [p for p in plans if p.status in EDITABLE_STATUSES]
    if not writing:
        raise IllegalTransition(
            "Write the suggested plan before sending it for quality assurance.",
            code="plan_not_written",
        )
    return writing[-1]


def plan_awaiting_qa(plans: Sequence[FamilyPlan]) -> FamilyPlan:
    """The plan quality assurance decides on: the latest one sent for review."""
    submitted = [p for p in plans if p.status is PlanStatus.SUBMITTED]
    if not submitted:
        raise IllegalTransition(
            "No plan of this episode is waiting for quality assurance.", code="plan_not_awaiting_qa"
        )
    return submitted[-1]


def check_qa_officer(officer: Practitioner | None) -> None:
    """Only an active Early Help and Support Service officer decides on a plan (seed 004:1239)."""
    if officer is None or not officer.active or Role.QUALITY_ASSURANCE not in officer.roles:
        raise InvalidValue(
            "Only an active quality assurance officer can decide on a plan.",
            field="officer_id",
            code="qa_officer_not_eligible",
        )


def plan_in_force_on(plans: Sequence[FamilyPlan], on: date) -> FamilyPlan | None:
    """The plan in force at the end of `on`: the latest version agreed at a TAF meeting on or
    before it (a revision agreed later supersedes it from that day). Issue 18 §2; before the
    first meeting agrees a plan, none is in force (seed 004:1239)."""
    agreed = [p for p in plans if p.agreed_on is not None and p.agreed_on <= on]
    return max(agreed, key=lambda p: (p.agreed_on or on, p.number), default=None)
