"""Request and response shapes of the early help cycle: episodes, assessments, plans, TAF, meetings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.api.schemas.base import CaseDate, Code, LongText, Name, ReadSchema, Schema, ShortText
from app.domain.assessments import Assessment, AssessmentStatus, Need
from app.domain.episodes import (
    ClosureReason,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.plans import Action, ActionStatus, FamilyPlan, Outcome, PlanStatus
from app.domain.taf import ChildVoice, OutcomeProgress, TafMeeting, TafMember, TafMemberKind
from app.domain.timeliness import DeadlineKind, DeadlineStatus
from app.services.episodes import DeadlineView, EpisodeRecord

Score = Annotated[int, Field(ge=0, le=10, description="0 (worst) to 10 (best).")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


# --- episodes ------------------------------------------------------------------------------------


class EpisodeCreate(Schema):
    family_id: uuid.UUID
    source: RequestSource = Field(description="How the need came to light.")
    level_of_need: Code = Field(
        description="A level of need from the council's list (early help: 2 or 3)."
    )
    lead_practitioner_id: uuid.UUID = Field(description="The lead professional.")
    child_person_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=30, description="The children it is about."
    )
    hub_id: uuid.UUID | None = Field(
        default=None, description="The hub leading the work; the family's by default."
    )
    requested_on: CaseDate | None = Field(
        default=None, description="When the request came in; today by default."
    )
    step_down_reference: ShortText | None = Field(
        default=None, description="Social care reference of a step-down."
    )
    step_down_notes: LongText | None = None
    reason: Reason | None = Field(
        default=None, description="Why the family needs early help (no names)."
    )


class LeadAssignmentIn(Schema):
    practitioner_id: uuid.UUID
    reason: Reason | None = None


class LevelChangeIn(Schema):
    level_of_need: Code
    reason: Reason | None = None


class FamilyViewIn(Schema):
    improved: FamilyLifeImproved = Field(description="Did family life improve: yes, partly or no.")
    in_their_words: LongText = Field(min_length=1, description="The family's own words.")


class ClosureIn(Schema):
    reason: ClosureReason
    family_view: FamilyViewIn | None = Field(
        default=None,
        description="Required unless the family withdrew consent, moved away or disengaged.",
    )
    closed_on: CaseDate | None = Field(default=None, description="Today by default.")
    notes: LongText | None = None
    stepped_up_reference: ShortText | None = Field(
        default=None, description="Social care reference on a step-up."
    )

    def view(self) -> FamilyView | None:
        if self.family_view is None:
            return None
        return FamilyView(
            improved=self.family_view.improved, in_their_words=self.family_view.in_their_words
        )


class DeadlineRead(ReadSchema):
    kind: DeadlineKind
    started_on: date = Field(description="Day 0 of the clock.")
    due_from: date | None = Field(
        description="Reviews: the earliest on-time date; earlier is flagged early."
    )
    due_on: date = Field(description="The last on-time date.")
    met_on: date | None
    stopped_on: date | None = Field(
        description="Clocks stop when consent is withdrawn or the episode closes."
    )
    policy_version: int = Field(
        description="The practice standards in force when the clock started."
    )
    status: DeadlineStatus
    days_overdue: int
    days_until_due: int | None
    early: bool

    @classmethod
    def from_view(cls, view: DeadlineView) -> DeadlineRead:
        d, s = view.deadline, view.state
        return cls(
            kind=d.kind,
            started_on=d.started_on,
            due_from=d.due_from,
            due_on=d.due_on,
            met_on=d.met_on,
            stopped_on=d.stopped_on,
            policy_version=d.policy_version,
            status=s.status,
            days_overdue=s.days_overdue,
            days_until_due=s.days_until_due,
            early=s.early,
        )


class LeadRead(ReadSchema):
    practitioner_id: uuid.UUID
    name: str | None
    agency_code: str | None


class LeadAssignmentRead(ReadSchema):
    practitioner_id: uuid.UUID
    from_practitioner_id: uuid.UUID | None
    assigned_on: date
    reason: str | None


class LevelChangeRead(ReadSchema):
    level: str
    changed_on: date
    reason: str | None


class QaDecisionRead(ReadSchema):
    outcome: QaOutcome
    decided_on: date
    officer_id: uuid.UUID
    comments: str
    plan_version: int


class FamilyViewRead(ReadSchema):
    improved: FamilyLifeImproved
    in_their_words: str


class EpisodeRead(ReadSchema):
    id: uuid.UUID
    family_id: uuid.UUID
    hub_id: uuid.UUID
    source: RequestSource
    level_of_need: str
    stage: EpisodeStage
    lead: LeadRead = Field(description="Who leads now; the family and the TAF can always see it.")
    child_person_ids: list[uuid.UUID]
    requested_on: date
    previous_episode_id: uuid.UUID | None = Field(
        description="The earlier episode this one re-enters after."
    )
    step_down_reference: str | None
    consent_given_on: date | None
    consent_withdrawn_on: date | None
    plan_submitted_on: date | None
    meetings_held: int
    last_meeting_on: date | None
    closed_on: date | None
    closure_reason: ClosureReason | None
    family_view: FamilyViewRead | None
    closure_notes: str | None
    stepped_up_reference: str | None
    as_of: date = Field(description="The date deadline statuses are worked out for.")
    deadlines: list[DeadlineRead] = Field(
        description="Every clock this episode has running or met, with status."
    )
    lead_history: list[LeadAssignmentRead]
    level_history: list[LevelChangeRead]
    qa_decisions: list[QaDecisionRead]
    version: int

    @classmethod
    def from_record(cls, record: EpisodeRecord) -> EpisodeRead:
        e = record.episode
        return cls(
            id=e.id,
            family_id=e.family_id,
            hub_id=e.hub_id,
            source=e.source,
            level_of_need=e.level_of_need,
            stage=e.stage,
            lead=LeadRead(
                practitioner_id=e.lead_practitioner_id,
                name=record.lead.name if record.lead else None,
                agency_code=record.lead.agency_code if record.lead else None,
            ),
            child_person_ids=list(e.child_person_ids),
            requested_on=e.requested_on,
            previous_episode_id=e.previous_episode_id,
            step_down_reference=e.step_down_reference,
            consent_given_on=e.consent_given_on,
            consent_withdrawn_on=e.consent_withdrawn_on,
            plan_submitted_on=e.plan_submitted_on,
            meetings_held=e.meetings_held,
            last_meeting_on=e.last_meeting_on,
            closed_on=e.closed_on,
            closure_reason=e.closure_reason,
            family_view=FamilyViewRead.model_validate(e.family_view) if e.family_view else None,
            closure_notes=e.closure_notes,
            stepped_up_reference=e.stepped_up_reference,
            as_of=record.as_of,
            deadlines=[DeadlineRead.from_view(v) for v in record.deadlines],
            lead_history=[LeadAssignmentRead.model_validate(h) for h in e.lead_history],
            level_history=[LevelChangeRead.model_validate(h) for h in e.level_history],
            qa_decisions=[QaDecisionRead.model_validate(d) for d in e.qa_decisions],
            version=e.version,
        )


# --- assessments ---------------------------------------------------------------------------------


class NeedIn(Schema):
    id: uuid.UUID | None = Field(
        default=None, description="Keep the id of an existing need; new ones get one."
    )
    headline: Code = Field(
        description="Supporting Families headline code (see GET /api/v1/outcome-headlines)."
    )
    description: LongText = Field(min_length=1)
    person_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=30, description="Members the need is about."
    )

    def to_domain(self) -> Need:
        return Need(
            id=self.id or uuid.uuid4(),
            headline=self.headline,
            description=self.description,
            person_ids=tuple(self.person_ids),
        )


class AssessmentUpdate(Schema):
    """Only the fields sent change."""

    covered_person_ids: list[uuid.UUID] | None = Field(default=None, max_length=30)
    strengths: list[LongText] | None = Field(default=None, max_length=50)
    needs: list[NeedIn] | None = Field(default=None, max_length=50)
    child_voice: LongText | None = None
    parents_view: LongText | None = None
    analysis: LongText | None = None

    def fields(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, exclude={"needs"})
        if "covered_person_ids" in sent and sent["covered_person_ids"] is None:
            sent["covered_person_ids"] = []
        if "strengths" in sent and sent["strengths"] is None:
            sent["strengths"] = []
        return sent

    def domain_needs(self) -> list[Need] | None:
        return None if self.needs is None else [n.to_domain() for n in self.needs]


class NeedRead(ReadSchema):
    id: uuid.UUID
    headline: str
    description: str
    person_ids: list[uuid.UUID]


class AssessmentRead(ReadSchema):
    id: uuid.UUID
    episode_id: uuid.UUID
    number: int = Field(description="1 for the first assessment, 2 for a reassessment ...")
    status: AssessmentStatus
    covered_person_ids: list[uuid.UUID]
    strengths: list[str]
    needs: list[NeedRead]
    child_voice: str | None
    parents_view: str | None
    analysis: str | None
    started_on: date
    completed_on: date | None
    version: int

    @classmethod
    def from_domain(cls, a: Assessment) -> AssessmentRead:
        return cls(
            id=a.id,
            episode_id=a.episode_id,
            number=a.number,
            status=a.status,
            covered_person_ids=list(a.covered_person_ids),
            strengths=list(a.strengths),
            needs=[
                NeedRead(
                    id=n.id,
                    headline=n.headline,
                    description=n.description,
                    person_ids=list(n.person_ids),
                )
                for n in a.needs
            ],
            child_voice=a.child_voice,
            parents_view=a.parents_view,
            analysis=a.analysis,
            started_on=a.started_on,
            completed_on=a.completed_on,
            version=a.version,
        )


# --- plans ---------------------------------------------------------------------------------------


class OutcomeIn(Schema):
    id: uuid.UUID | None = None
    description: LongText = Field(min_length=1)
    need_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="The assessed needs it answers."
    )
    measure: LongText = Field(min_length=1, description="How progress will be judged.")
    baseline_score: Score

    def to_domain(self) -> Outcome:
        return Outcome(
            id=self.id or uuid.uuid4(),
            description=self.description,
            need_ids=tuple(self.need_ids),
            measure=self.measure,
            baseline_score=self.baseline_score,
        )


class ActionIn(Schema):
    id: uuid.UUID | None = None
    outcome_id: uuid.UUID | None = Field(
        default=None, description="The outcome it serves (none for a quick win)."
    )
    description: LongText = Field(min_length=1)
    owner_taf_member_id: uuid.UUID | None = Field(default=None, description="A TAF member ... ")
    owner_person_id: uuid.UUID | None = Field(
        default=None, description="... or a family member (exactly one)."
    )
    due_on: CaseDate
    status: ActionStatus = ActionStatus.NOT_STARTED

    def to_domain(self) -> Action:
        return Action(
            id=self.id or uuid.uuid4(),
            outcome_id=self.outcome_id,
            description=self.description,
            owner_taf_member_id=self.owner_taf_member_id,
            owner_person_id=self.owner_person_id,
            due_on=self.due_on,
            status=self.status,
        )


class PlanCreate(Schema):
    outcomes: list[OutcomeIn] = Field(default_factory=list, max_length=50)
    actions: list[ActionIn] = Field(default_factory=list, max_length=200)


class PlanUpdate(Schema):
    outcomes: list[OutcomeIn] | None = Field(default=None, max_length=50)
    actions: list[ActionIn] | None = Field(default=None, max_length=200)


class ActionStatusIn(Schema):
    status: ActionStatus


class OutcomeRead(ReadSchema):
    id: uuid.UUID
    description: str
    need_ids: list[uuid.UUID]
    measure: str
    baseline_score: int


class ActionRead(ReadSchema):
    id: uuid.UUID
    outcome_id: uuid.UUID | None
    description: str
    owner_taf_member_id: uuid.UUID | None
    owner_person_id: uuid.UUID | None
    due_on: date
    status: ActionStatus


class PlanRead(ReadSchema):
    id: uuid.UUID
    episode_id: uuid.UUID
    number: int = Field(description="Plan version: 1, 2 ... (a revision is a new version).")
    status: PlanStatus
    outcomes: list[OutcomeRead]
    actions: list[ActionRead]
    qa_decisions: list[QaDecisionRead]
    submitted_on: date | None
    agreed_on: date | None
    version: int

    @classmethod
    def from_domain(cls, p: FamilyPlan) -> PlanRead:
        return cls(
            id=p.id,
            episode_id=p.episode_id,
            number=p.number,
            status=p.status,
            outcomes=[
                OutcomeRead(
                    id=o.id,
                    description=o.description,
                    need_ids=list(o.need_ids),
                    measure=o.measure,
                    baseline_score=o.baseline_score,
                )
                for o in p.outcomes
            ],
            actions=[ActionRead.model_validate(a) for a in p.actions],
            qa_decisions=[QaDecisionRead.model_validate(d) for d in p.qa_decisions],
            submitted_on=p.submitted_on,
            agreed_on=p.agreed_on,
            version=p.version,
        )


class QaDecisionIn(Schema):
    outcome: QaOutcome = Field(
        description="approved, or returned to the lead professional with comments."
    )
    comments: LongText = Field(default="", description="Required when returning the plan.")


# --- TAF -----------------------------------------------------------------------------------------


class TafMemberIn(Schema):
    kind: TafMemberKind
    practitioner_id: uuid.UUID | None = Field(
        default=None, description="For a practitioner member."
    )
    person_id: uuid.UUID | None = Field(default=None, description="For a family member.")
    role: Name = Field(description="Their role in the TAF (e.g. 'school nurse', 'mum').")
    joined_on: CaseDate | None = Field(default=None, description="Today by default.")


class LeaveTafIn(Schema):
    left_on: CaseDate | None = None


class TafMemberRead(ReadSchema):
    id: uuid.UUID
    episode_id: uuid.UUID
    kind: TafMemberKind
    practitioner_id: uuid.UUID | None
    agency_code: str | None
    role: str
    person_id: uuid.UUID | None
    joined_on: date
    left_on: date | None
    version: int

    @classmethod
    def from_domain(cls, m: TafMember) -> TafMemberRead:
        return cls.model_validate(m)


class ProgressIn(Schema):
    outcome_id: uuid.UUID
    score: Score


class MeetingIn(Schema):
    held_on: CaseDate
    attendee_member_ids: list[uuid.UUID] = Field(
        max_length=50, description="TAF members who attended."
    )
    family_present: bool
    child_voice: ChildVoice = Field(
        description="present, shared (their view was shared) or not_shared."
    )
    progress: list[ProgressIn] = Field(
        default_factory=list, max_length=50, description="Score per outcome."
    )
    decision: MeetingDecision
    next_review_on: CaseDate | None = None
    notes: LongText | None = None
    agrees_plan_id: uuid.UUID | None = Field(
        default=None,
        description="At a review: the revised plan this meeting agrees (the first meeting agrees "
        "the approved plan by itself).",
    )

    def domain_progress(self) -> list[OutcomeProgress]:
        return [OutcomeProgress(outcome_id=p.outcome_id, score=p.score) for p in self.progress]


class ProgressRead(ReadSchema):
    outcome_id: uuid.UUID
    score: int


class MeetingRead(ReadSchema):
    id: uuid.UUID
    episode_id: uuid.UUID
    held_on: date
    is_first: bool = Field(
        description="The first TAF meeting agrees the plan; later ones are reviews."
    )
    attendee_member_ids: list[uuid.UUID]
    family_present: bool
    child_voice: ChildVoice
    progress: list[ProgressRead]
    decision: MeetingDecision
    next_review_on: date | None
    notes: str | None

    @classmethod
    def from_domain(cls, m: TafMeeting) -> MeetingRead:
        return cls(
            id=m.id,
            episode_id=m.episode_id,
            held_on=m.held_on,
            is_first=m.is_first,
            attendee_member_ids=list(m.attendee_member_ids),
            family_present=m.family_present,
            child_voice=m.child_voice,
            progress=[ProgressRead(outcome_id=p.outcome_id, score=p.score) for p in m.progress],
            decision=m.decision,
            next_review_on=m.next_review_on,
            notes=m.notes,
        )


class EpisodeWithPlan(ReadSchema):
    episode: EpisodeRead
    plan: PlanRead


class EpisodeWithAssessment(ReadSchema):
    episode: EpisodeRead
    assessment: AssessmentRead


class EpisodeWithMeeting(ReadSchema):
    episode: EpisodeRead
    meeting: MeetingRead
