"""Request and response shapes of the early help cycle: episodes, assessments, plans, TAF, meetings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from app.api.schemas import examples as ex
from app.api.schemas.base import (
    CaseDate,
    Code,
    LongText,
    Name,
    PageOf,
    ReadSchema,
    Schema,
    ShortText,
    union_tags,
)
from app.domain.assessments import Assessment, AssessmentStatus, Need
from app.domain.episodes import (
    ClosureReason,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.plans import Action, ActionStatus, FamilyPlan, Outcome, PlanStatus
from app.domain.taf import ChildVoice, OutcomeProgress, TafMeeting, TafMember, TafMemberKind
from app.domain.timeliness import DeadlineKind, DeadlineStatus
from app.services.episodes import DeadlineView, EpisodeRecord
from app.services.names import Names

Score = Annotated[int, Field(ge=0, le=10, description="0 (worst) to 10 (best).")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]

union_tags(*TafMemberKind)


# --- episodes ------------------------------------------------------------------------------------


class EpisodeCreate(Schema):
    """A request for early help for a family, opening an episode."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "family_id": ex.FAMILY,
                "source": "school",
                "level_of_need": "2",
                "lead_practitioner_id": ex.LEAD,
                "child_person_ids": [ex.AVA],
                "requested_on": "2026-01-12",
                "reason": "Attendance has fallen to 78% this term; mornings are a struggle.",
            }
        )
    )

    family_id: uuid.UUID = Field(description="The family the request is for.")
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
    step_down_notes: LongText | None = Field(
        default=None, description="Social care's notes on a step-down."
    )
    reason: Reason | None = Field(
        default=None, description="Why the family needs early help (no names)."
    )


class LeadAssignmentIn(Schema):
    """A handover to another lead professional."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "practitioner_id": ex.SCHOOL_WORKER,
                "reason": "Priya is on long-term leave.",
                "effective_on": "2026-03-02",
            }
        )
    )

    practitioner_id: uuid.UUID = Field(description="The new lead professional.")
    reason: Reason | None = Field(default=None, description="Why the lead changes.")
    effective_on: CaseDate | None = Field(
        default=None,
        description="The day the handover took effect: not in the future, not before the last "
        "handover; today by default. The clocks carry on.",
    )


class LevelChangeIn(Schema):
    """A change in the level of need."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "level_of_need": "3",
                "reason": "Housing arrears and a second child now at risk.",
                "effective_on": "2026-03-02",
            }
        )
    )

    level_of_need: Code = Field(description="The new level (see GET /api/v1/levels-of-need).")
    reason: Reason | None = Field(default=None, description="Why the level changes.")
    effective_on: CaseDate | None = Field(
        default=None,
        description="The day the new level took effect: not in the future, not before the last "
        "change of level; today by default.",
    )


class FamilyViewIn(Schema):
    """The family's answer to "has family life improved?", in their words."""

    improved: FamilyLifeImproved = Field(description="Did family life improve: yes, partly or no.")
    in_their_words: LongText = Field(min_length=1, description="The family's own words.")


class ClosureIn(Schema):
    """The end of an episode."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "reason": "all_needs_met",
                "family_view": {"improved": "yes", "in_their_words": "Mornings are calm now."},
                "closed_on": "2026-06-19",
            }
        )
    )

    reason: ClosureReason = Field(description="Why the episode ends.")
    family_view: FamilyViewIn | None = Field(
        default=None,
        description="Required unless the family withdrew consent, moved away or disengaged.",
    )
    closed_on: CaseDate | None = Field(
        default=None,
        description="The day it closed: not in the future, not before any step recorded on the "
        "episode (the assessment's start and completion included); today by default.",
    )
    notes: LongText | None = Field(default=None, description="Closing notes.")
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
    """One clock of the episode (assessment, QA, first TAF, review) and where it stands."""

    kind: DeadlineKind = Field(description="Which deadline.")
    started_on: date = Field(description="Day 0 of the clock.")
    due_from: date | None = Field(
        description="Reviews: the earliest on-time date; earlier is flagged early."
    )
    due_on: date = Field(description="The last on-time date.")
    met_on: date | None = Field(description="When it was met; null while not met.")
    stopped_on: date | None = Field(
        description="Clocks stop when consent is withdrawn or the episode closes."
    )
    policy_version: int = Field(
        description="The practice standards in force when the clock started."
    )
    status: DeadlineStatus = Field(description="Where it stands on the episode's `as_of`.")
    days_overdue: int = Field(description="Calendar days past due; 0 when not overdue.")
    days_until_due: int | None = Field(
        description="Calendar days to the due date (negative when overdue); null once met or stopped."
    )
    early: bool = Field(description="Reviews: held before the window opened.")

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
    """The lead professional."""

    practitioner_id: uuid.UUID = Field(description="Their id in the directory.")
    name: str | None = Field(description="Their name; null if no longer in the directory.")
    agency_code: str | None = Field(description="Their agency.")


class LeadAssignmentRead(ReadSchema):
    """One handover of the episode."""

    practitioner_id: uuid.UUID = Field(description="The lead from this handover.")
    from_practitioner_id: uuid.UUID | None = Field(
        description="The lead before; null for the first assignment."
    )
    assigned_on: date = Field(description="The day of the handover.")
    reason: str | None = Field(description="Why the lead changed.")
    recorded_at: datetime | None = Field(
        description="When the handover was recorded (UTC); null if before familyhub kept it."
    )


class LevelChangeRead(ReadSchema):
    """One change of the level of need."""

    level: str = Field(description="The level from this change.")
    changed_on: date = Field(description="The day it changed.")
    reason: str | None = Field(description="Why it changed.")
    recorded_at: datetime | None = Field(
        description="When the change was recorded (UTC); null if before familyhub kept it."
    )


class QaDecisionRead(ReadSchema):
    """A quality assurance decision on a plan."""

    outcome: QaOutcome = Field(description="approved, or returned with comments.")
    decided_on: date = Field(description="The day of the decision.")
    officer_id: uuid.UUID = Field(description="The quality assurance officer.")
    comments: str = Field(description="Their comments (empty when approved without).")
    plan_version: int = Field(description="The version of the plan decided on.")
    recorded_at: datetime | None = Field(
        description="When the decision was recorded (UTC), beside `decided_on`, when it was made; "
        "null for decisions recorded before familyhub kept it."
    )
    officer_name: str | None = Field(
        description="The quality assurance officer's name; null if no longer on record.",
        examples=["Tom Okafor"],
    )

    @classmethod
    def from_domain(cls, d: QaDecision, names: Names) -> QaDecisionRead:
        return cls(
            outcome=d.outcome,
            decided_on=d.decided_on,
            officer_id=d.officer_id,
            comments=d.comments,
            plan_version=d.plan_version,
            officer_name=names.officer(d),
            recorded_at=d.recorded_at,
        )


class FamilyViewRead(ReadSchema):
    """The family's view of family life at closure."""

    improved: FamilyLifeImproved = Field(description="Did family life improve: yes, partly or no.")
    in_their_words: str = Field(description="The family's own words.")


EPISODE_READ: dict[str, Any] = {
    "id": ex.EPISODE,
    "family_id": ex.FAMILY,
    "hub_id": ex.HUB_NORTH,
    "source": "school",
    "level_of_need": "2",
    "stage": "active",
    "lead": {"practitioner_id": ex.LEAD, "name": "Priya Shah", "agency_code": "BLACKPOOL_EH"},
    "child_person_ids": [ex.AVA],
    "requested_on": "2026-01-12",
    "previous_episode_id": None,
    "step_down_reference": None,
    "consent_given_on": "2026-01-12",
    "consent_withdrawn_on": None,
    "assessment_started_on": "2026-01-14",
    "plan_submitted_on": "2026-02-06",
    "plan_submitted_recorded_at": "2026-02-06T11:03:51Z",
    "meetings_held": 1,
    "last_meeting_on": "2026-02-23",
    "closed_on": None,
    "closed_recorded_at": None,
    "closure_reason": None,
    "family_view": None,
    "closure_notes": None,
    "stepped_up_reference": None,
    "as_of": "2026-03-02",
    "deadlines": [
        {
            "kind": "assessment",
            "started_on": "2026-01-12",
            "due_from": None,
            "due_on": "2026-02-20",
            "met_on": "2026-02-06",
            "stopped_on": None,
            "policy_version": 1,
            "status": "met_on_time",
            "days_overdue": 0,
            "days_until_due": None,
            "early": False,
        },
        {
            "kind": "review",
            "started_on": "2026-02-23",
            "due_from": "2026-04-20",
            "due_on": "2026-05-18",
            "met_on": None,
            "stopped_on": None,
            "policy_version": 1,
            "status": "on_time",
            "days_overdue": 0,
            "days_until_due": 77,
            "early": False,
        },
    ],
    "lead_history": [
        {
            "practitioner_id": ex.LEAD,
            "from_practitioner_id": None,
            "assigned_on": "2026-01-12",
            "reason": None,
            "recorded_at": "2026-01-12T10:05:00Z",
        }
    ],
    "level_history": [
        {
            "level": "2",
            "changed_on": "2026-01-12",
            "reason": None,
            "recorded_at": "2026-01-12T10:05:00Z",
        }
    ],
    "qa_decisions": [
        {
            "outcome": "approved",
            "decided_on": "2026-02-10",
            "officer_id": ex.QA_OFFICER,
            "comments": "",
            "plan_version": 2,
            "recorded_at": "2026-02-10T15:42:07Z",
            "officer_name": "Tom Okafor",
        }
    ],
    "version": 7,
}


class EpisodeRead(ReadSchema):
    """An episode of early help: who leads, its stage, and every deadline's status."""

    model_config = ConfigDict(json_schema_extra=ex.examples(EPISODE_READ))

    id: uuid.UUID = Field(description="The episode's id.")
    family_id: uuid.UUID = Field(description="The family it is for.")
    hub_id: uuid.UUID = Field(description="The family hub leading the work.")
    source: RequestSource = Field(description="How the need came to light.")
    level_of_need: str = Field(description="The level of need now.")
    stage: EpisodeStage = Field(
        description="Where the episode is in assess – plan – do – review; with a past `as_of`, "
        "where it stood at the end of that day (in a list: the current stage for an episode "
        "requested after it)."
    )
    lead: LeadRead = Field(description="Who leads now; the family and the TAF can always see it.")
    child_person_ids: list[uuid.UUID] = Field(description="The children it is about.")
    requested_on: date = Field(description="When the request came in.")
    previous_episode_id: uuid.UUID | None = Field(
        description="The earlier episode this one re-enters after."
    )
    step_down_reference: str | None = Field(description="Social care reference of a step-down.")
    consent_given_on: date | None = Field(
        description="When consent to take part was given; null until then."
    )
    consent_withdrawn_on: date | None = Field(
        description="When consent was withdrawn (the clocks stop); null while in force."
    )
    assessment_started_on: date | None = Field(
        description="When the assessment started; null until then."
    )
    plan_submitted_on: date | None = Field(
        description="When the plan was last sent for quality assurance."
    )
    plan_submitted_recorded_at: datetime | None = Field(
        description="When that submission was recorded (UTC); null before it, or for a "
        "submission recorded before familyhub kept it."
    )
    meetings_held: int = Field(description="TAF meetings held so far.")
    last_meeting_on: date | None = Field(description="The last TAF meeting; null before the first.")
    closed_on: date | None = Field(description="When it closed; null while open.")
    closed_recorded_at: datetime | None = Field(
        description="When the closure was recorded (UTC); null while open."
    )
    closure_reason: ClosureReason | None = Field(description="Why it closed; null while open.")
    family_view: FamilyViewRead | None = Field(
        description="The family's view at closure; null while open or when not asked."
    )
    closure_notes: str | None = Field(description="Closing notes.")
    stepped_up_reference: str | None = Field(description="Social care reference on a step-up.")
    as_of: date = Field(
        description="The day the view is of: the stage, the clocks started by then and their "
        "status that day (the other facts are the record as it is now)."
    )
    deadlines: list[DeadlineRead] = Field(
        description="Every clock this episode had started by `as_of`, past reviews and earlier "
        "QA turnarounds included, by start day; each with its status on `as_of`."
    )
    lead_history: list[LeadAssignmentRead] = Field(description="Every handover, oldest first.")
    level_history: list[LevelChangeRead] = Field(description="Every level of need, oldest first.")
    qa_decisions: list[QaDecisionRead] = Field(
        description="Every quality assurance decision on its plans, oldest first."
    )
    version: int = Field(description='The episode\'s version: its ETag is `"<version>"`.')

    @classmethod
    def from_record(cls, record: EpisodeRecord) -> EpisodeRead:
        e = record.episode
        return cls(
            id=e.id,
            family_id=e.family_id,
            hub_id=e.hub_id,
            source=e.source,
            level_of_need=e.level_of_need,
            stage=record.stage,
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
            assessment_started_on=e.assessment_started_on,
            plan_submitted_on=e.plan_submitted_on,
            plan_submitted_recorded_at=e.plan_submitted_recorded_at,
            meetings_held=e.meetings_held,
            last_meeting_on=e.last_meeting_on,
            closed_on=e.closed_on,
            closed_recorded_at=e.closed_recorded_at,
            closure_reason=e.closure_reason,
            family_view=FamilyViewRead.model_validate(e.family_view) if e.family_view else None,
            closure_notes=e.closure_notes,
            stepped_up_reference=e.stepped_up_reference,
            as_of=record.as_of,
            deadlines=[DeadlineRead.from_view(v) for v in record.deadlines],
            lead_history=[LeadAssignmentRead.model_validate(h) for h in e.lead_history],
            level_history=[LevelChangeRead.model_validate(h) for h in e.level_history],
            qa_decisions=[QaDecisionRead.from_domain(d, record.names) for d in e.qa_decisions],
            version=e.version,
        )


class PlanInForceRead(ReadSchema):
    """The version of the family plan in force on a day: agreed at a TAF meeting by then."""

    id: uuid.UUID = Field(description="The plan version's id.")
    number: int = Field(description="The version number, from 1.")
    agreed_on: date = Field(description="The TAF meeting that agreed it.")


class EpisodeViewRead(EpisodeRead):
    """One episode as it stood on `as_of`: its stage, the plan then in force and its clocks."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                **EPISODE_READ,
                "plan_in_force": {"id": ex.PLAN, "number": 1, "agreed_on": "2026-02-23"},
            }
        )
    )

    plan_in_force: PlanInForceRead | None = Field(
        description="The plan in force on `as_of` (the latest agreed by then); null before a "
        "first TAF meeting agreed one."
    )

    @classmethod
    def from_view_record(cls, record: EpisodeRecord) -> EpisodeViewRead:
        plan = record.plan_in_force
        return cls(
            **EpisodeRead.from_record(record).model_dump(),
            plan_in_force=PlanInForceRead(id=plan.id, number=plan.number, agreed_on=plan.agreed_on)
            if plan is not None and plan.agreed_on is not None
            else None,
        )


# --- assessments ---------------------------------------------------------------------------------


class EpisodePage(PageOf[EpisodeRead]):
    """One page of episodes."""


class AssessmentNeedIn(Schema):
    """A need the assessment found, tagged with a Supporting Families headline."""

    id: uuid.UUID | None = Field(
        default=None, description="Keep the id of an existing need; new ones get one."
    )
    headline: Code = Field(
        description="Supporting Families headline code (see GET /api/v1/outcome-headlines)."
    )
    description: LongText = Field(min_length=1, description="The need, in words.")
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
    """Changes to the draft assessment: only the fields sent change."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "covered_person_ids": [ex.SARAH, ex.AVA],
                "strengths": ["Warm relationship with mum", "Ava loves reading"],
                "needs": [
                    {
                        "headline": "EDU",
                        "description": "Attendance 78% this term; late most Mondays.",
                        "person_ids": [ex.AVA],
                    }
                ],
                "child_voice": "I hate mornings.",
                "parents_view": "Mornings are a battle since I started the early shift.",
                "analysis": "Routines are the root: support mum with the mornings.",
            }
        )
    )

    covered_person_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=30, description="The members the assessment covers."
    )
    strengths: list[LongText] | None = Field(
        default=None, max_length=50, description="The family's strengths."
    )
    needs: list[AssessmentNeedIn] | None = Field(
        default=None, max_length=50, description="Every need (replaces the list whole)."
    )
    child_voice: LongText | None = Field(default=None, description="The child's own words.")
    parents_view: LongText | None = Field(default=None, description="The parents' view.")
    analysis: LongText | None = Field(default=None, description="The practitioner's analysis.")

    def fields(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, exclude={"needs"})
        if "covered_person_ids" in sent and sent["covered_person_ids"] is None:
            sent["covered_person_ids"] = []
        if "strengths" in sent and sent["strengths"] is None:
            sent["strengths"] = []
        return sent

    def domain_needs(self) -> list[Need] | None:
        return None if self.needs is None else [n.to_domain() for n in self.needs]


class AssessmentNeedRead(ReadSchema):
    """A need the assessment found."""

    id: uuid.UUID = Field(description="The need's id (a plan outcome names it).")
    headline: str = Field(description="Supporting Families headline code.")
    description: str = Field(description="The need, in words.")
    person_ids: list[uuid.UUID] = Field(description="Members the need is about.")


ASSESSMENT_READ: dict[str, Any] = {
    "id": ex.ASSESSMENT,
    "episode_id": ex.EPISODE,
    "number": 1,
    "status": "completed",
    "covered_person_ids": [ex.SARAH, ex.AVA],
    "strengths": ["Warm relationship with mum"],
    "needs": [
        {
            "id": ex.ASSESSMENT_NEED,
            "headline": "EDU",
            "description": "Attendance 78% this term; late most Mondays.",
            "person_ids": [ex.AVA],
        }
    ],
    "child_voice": "I hate mornings.",
    "parents_view": "Mornings are a battle since I started the early shift.",
    "analysis": "Routines are the root: support mum with the mornings.",
    "started_on": "2026-01-14",
    "started_recorded_at": "2026-01-14T09:12:30Z",
    "completed_on": "2026-02-05",
    "completed_recorded_at": "2026-02-05T16:20:11Z",
    "version": 4,
}


class AssessmentRead(ReadSchema):
    """One version of the episode's early help assessment."""

    model_config = ConfigDict(json_schema_extra=ex.examples(ASSESSMENT_READ))

    id: uuid.UUID = Field(description="The assessment version's id.")
    episode_id: uuid.UUID = Field(description="The episode it belongs to.")
    number: int = Field(description="1 for the first assessment, 2 for a reassessment ...")
    status: AssessmentStatus = Field(description="draft, or completed (never changes again).")
    covered_person_ids: list[uuid.UUID] = Field(description="The members it covers.")
    strengths: list[str] = Field(description="The family's strengths.")
    needs: list[AssessmentNeedRead] = Field(description="The needs it found.")
    child_voice: str | None = Field(description="The child's own words.")
    parents_view: str | None = Field(description="The parents' view.")
    analysis: str | None = Field(description="The practitioner's analysis.")
    started_on: date = Field(description="When it was started.")
    started_recorded_at: datetime | None = Field(
        description="When the start was recorded (UTC); null if recorded before familyhub kept it."
    )
    completed_on: date | None = Field(description="When it was completed; null while a draft.")
    completed_recorded_at: datetime | None = Field(
        description="When the completion was recorded (UTC); null while a draft."
    )
    version: int = Field(description='The assessment\'s version: its ETag is `"<version>"`.')

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
                AssessmentNeedRead(
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
            started_recorded_at=a.started_recorded_at,
            completed_on=a.completed_on,
            completed_recorded_at=a.completed_recorded_at,
            version=a.version,
        )


# --- plans ---------------------------------------------------------------------------------------


class PlanOutcomeIn(Schema):
    """An outcome the plan works towards."""

    id: uuid.UUID | None = Field(
        default=None, description="Keep the id of an existing outcome; new ones get one."
    )
    description: LongText = Field(min_length=1, description="The outcome, in the family's words.")
    need_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="The assessed needs it answers."
    )
    measure: LongText = Field(min_length=1, description="How progress will be judged.")
    baseline_score: Score = Field(description="Where things stand now, 0 (worst) to 10 (best).")

    def to_domain(self) -> Outcome:
        return Outcome(
            id=self.id or uuid.uuid4(),
            description=self.description,
            need_ids=tuple(self.need_ids),
            measure=self.measure,
            baseline_score=self.baseline_score,
        )


class ActionIn(Schema):
    """An action of the plan, owned by a TAF member or a family member."""

    id: uuid.UUID | None = Field(
        default=None, description="Keep the id of an existing action; new ones get one."
    )
    outcome_id: uuid.UUID | None = Field(
        default=None, description="The outcome it serves (none for a quick win)."
    )
    description: LongText = Field(min_length=1, description="What is to be done.")
    owner_taf_member_id: uuid.UUID | None = Field(default=None, description="A TAF member ... ")
    owner_person_id: uuid.UUID | None = Field(
        default=None, description="... or a family member (exactly one)."
    )
    due_on: CaseDate = Field(description="When it is due.")
    status: ActionStatus = Field(
        default=ActionStatus.NOT_STARTED, description="Where it stands; not_started by default."
    )
    owner_name: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None,
        description="Ignored: the owner's name as a plan's action was read, so an action read"
        " can be sent back as it is; the name always follows the owner's id.",
    )

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


PLAN_IN: dict[str, Any] = {
    "outcomes": [
        {
            "description": "Ava is in school on time every day.",
            "need_ids": [ex.ASSESSMENT_NEED],
            "measure": "Attendance above 95% over half a term.",
            "baseline_score": 3,
        }
    ],
    "actions": [
        {
            "description": "A morning routine chart on the fridge.",
            "owner_person_id": ex.SARAH,
            "due_on": "2026-03-06",
        }
    ],
}


class PlanCreate(Schema):
    """A suggested family plan: outcomes linked to the assessed needs, and actions."""

    model_config = ConfigDict(json_schema_extra=ex.examples(PLAN_IN))

    outcomes: list[PlanOutcomeIn] = Field(
        default_factory=list, max_length=50, description="The outcomes it works towards."
    )
    actions: list[ActionIn] = Field(
        default_factory=list, max_length=200, description="Who does what by when."
    )


class PlanUpdate(Schema):
    """Changes to a draft or returned plan: a list sent replaces that list whole."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"actions": PLAN_IN["actions"]}))

    outcomes: list[PlanOutcomeIn] | None = Field(
        default=None, max_length=50, description="Every outcome (replaces the list)."
    )
    actions: list[ActionIn] | None = Field(
        default=None, max_length=200, description="Every action (replaces the list)."
    )


class ActionStatusIn(Schema):
    """Progress on one action of the agreed plan."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"status": "done"}))

    status: ActionStatus = Field(description="Where the action stands now.")


class OutcomeRead(ReadSchema):
    """An outcome the plan works towards."""

    id: uuid.UUID = Field(description="The outcome's id (meetings score progress against it).")
    description: str = Field(description="The outcome, in the family's words.")
    need_ids: list[uuid.UUID] = Field(description="The assessed needs it answers.")
    measure: str = Field(description="How progress will be judged.")
    baseline_score: int = Field(description="Where things stood, 0 (worst) to 10 (best).")

    @classmethod
    def from_domain(cls, o: Outcome) -> OutcomeRead:
        return cls(
            id=o.id,
            description=o.description,
            need_ids=list(o.need_ids),
            measure=o.measure,
            baseline_score=o.baseline_score,
        )


class ActionRead(ReadSchema):
    """An action of the plan."""

    id: uuid.UUID = Field(description="The action's id.")
    outcome_id: uuid.UUID | None = Field(description="The outcome it serves; null for a quick win.")
    description: str = Field(description="What is to be done.")
    owner_taf_member_id: uuid.UUID | None = Field(description="The TAF member who owns it ...")
    owner_person_id: uuid.UUID | None = Field(description="... or the family member who does.")
    due_on: date = Field(description="When it is due.")
    status: ActionStatus = Field(description="Where it stands.")
    owner_name: str | None = Field(
        description="The owner's name: the TAF member's or the family member's; null if no"
        " longer on record.",
        examples=["Sarah Walker"],
    )

    @classmethod
    def from_domain(cls, a: Action, names: Names) -> ActionRead:
        return cls(
            id=a.id,
            outcome_id=a.outcome_id,
            description=a.description,
            owner_taf_member_id=a.owner_taf_member_id,
            owner_person_id=a.owner_person_id,
            due_on=a.due_on,
            status=a.status,
            owner_name=names.action_owner(a),
        )


PLAN_READ: dict[str, Any] = {
    "id": ex.PLAN,
    "episode_id": ex.EPISODE,
    "number": 1,
    "status": "agreed",
    "outcomes": [
        {
            "id": ex.OUTCOME,
            "description": "Ava is in school on time every day.",
            "need_ids": [ex.ASSESSMENT_NEED],
            "measure": "Attendance above 95% over half a term.",
            "baseline_score": 3,
        }
    ],
    "actions": [
        {
            "id": ex.ACTION,
            "outcome_id": ex.OUTCOME,
            "description": "A morning routine chart on the fridge.",
            "owner_taf_member_id": None,
            "owner_person_id": ex.SARAH,
            "due_on": "2026-03-06",
            "status": "in_progress",
            "owner_name": "Sarah Walker",
        }
    ],
    "qa_decisions": [
        {
            "outcome": "approved",
            "decided_on": "2026-02-10",
            "officer_id": ex.QA_OFFICER,
            "comments": "",
            "plan_version": 2,
            "recorded_at": "2026-02-10T15:42:07Z",
            "officer_name": "Tom Okafor",
        }
    ],
    "submitted_on": "2026-02-06",
    "submitted_recorded_at": "2026-02-06T11:03:51Z",
    "agreed_on": "2026-02-23",
    "version": 3,
}


class PlanRead(ReadSchema):
    """One version of the family plan."""

    model_config = ConfigDict(json_schema_extra=ex.examples(PLAN_READ))

    id: uuid.UUID = Field(description="The plan version's id.")
    episode_id: uuid.UUID = Field(description="The episode it belongs to.")
    number: int = Field(description="Plan version: 1, 2 ... (a revision is a new version).")
    status: PlanStatus = Field(description="Where the plan is: draft to agreed, or superseded.")
    outcomes: list[OutcomeRead] = Field(description="The outcomes it works towards.")
    actions: list[ActionRead] = Field(description="Who does what by when.")
    qa_decisions: list[QaDecisionRead] = Field(description="Quality assurance decisions on it.")
    submitted_on: date | None = Field(description="When it was sent for quality assurance.")
    submitted_recorded_at: datetime | None = Field(
        description="When that submission was recorded (UTC); null before it, or for a "
        "submission recorded before familyhub kept it."
    )
    agreed_on: date | None = Field(description="When the TAF agreed it.")
    version: int = Field(description='The plan\'s version: its ETag is `"<version>"`.')

    @classmethod
    def from_domain(cls, p: FamilyPlan, names: Names) -> PlanRead:
        return cls(
            id=p.id,
            episode_id=p.episode_id,
            number=p.number,
            status=p.status,
            outcomes=[OutcomeRead.from_domain(o) for o in p.outcomes],
            actions=[ActionRead.from_domain(a, names) for a in p.actions],
            qa_decisions=[QaDecisionRead.from_domain(d, names) for d in p.qa_decisions],
            submitted_on=p.submitted_on,
            submitted_recorded_at=p.submitted_recorded_at,
            agreed_on=p.agreed_on,
            version=p.version,
        )


class QaDecisionIn(Schema):
    """A quality assurance decision on the submitted plan."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "outcome": "returned",
                "comments": "Add who takes Ava to school on Mondays.",
                "decided_on": "2026-02-09",
            }
        )
    )

    outcome: QaOutcome = Field(
        description="approved, or returned to the lead professional with comments."
    )
    comments: LongText = Field(default="", description="Required when returning the plan.")
    decided_on: CaseDate | None = Field(
        default=None,
        description="The day of the decision: not in the future, not before the plan was sent; "
        "today by default. An approval starts the first-TAF clock that day.",
    )


class AssessmentStartIn(Schema):
    """When the assessment started (the body may be left out: today)."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"started_on": "2026-01-14"}))

    started_on: CaseDate | None = Field(
        default=None,
        description="The day it started: consent to take part in force then, not in the future, "
        "not before the request; today by default.",
    )


class AssessmentCompletionIn(Schema):
    """When the assessment was completed (the body may be left out: today)."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"completed_on": "2026-02-05"}))

    completed_on: CaseDate | None = Field(
        default=None,
        description="The day it was completed: not in the future, not before it started; "
        "today by default.",
    )


class PlanSubmissionIn(Schema):
    """When the assessment and plan went to quality assurance (the body may be left out: today)."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"submitted_on": "2026-02-06"}))

    submitted_on: CaseDate | None = Field(
        default=None,
        description="The day they were sent: not in the future, not before the assessment was "
        "completed or any earlier step; today by default. The first submission meets the "
        "assessment clock that day.",
    )


# --- TAF -----------------------------------------------------------------------------------------


class _TafMemberIn(Schema):
    role: Name = Field(description="Their role in the TAF (e.g. 'school nurse', 'mum').")
    joined_on: CaseDate | None = Field(default=None, description="Today by default.")


class PractitionerTafMemberIn(_TafMemberIn):
    """A practitioner joining the TAF (only while consent to share with their agency is in force)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "kind": "practitioner",
                "practitioner_id": ex.SCHOOL_WORKER,
                "role": "Attendance officer",
            }
        )
    )

    kind: Literal["practitioner"] = Field(description="A practitioner member.")
    practitioner_id: uuid.UUID = Field(description="The practitioner, from the directory.")
    person_id: SkipJsonSchema[None] = Field(
        default=None, description="Always null here (kept for older clients)."
    )


class FamilyTafMemberIn(_TafMemberIn):
    """A member of the family joining the TAF."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"kind": "family_member", "person_id": ex.SARAH, "role": "Mum"}
        )
    )

    kind: Literal["family_member"] = Field(description="A family member.")
    person_id: uuid.UUID = Field(description="The household member.")
    practitioner_id: SkipJsonSchema[None] = Field(
        default=None, description="Always null here (kept for older clients)."
    )


class TafMemberIn(
    RootModel[Annotated[PractitionerTafMemberIn | FamilyTafMemberIn, Field(discriminator="kind")]]
):
    """A member joining the Team Around the Family: a practitioner or a family member (`kind`)."""


class LeaveTafIn(Schema):
    """A member leaving the Team Around the Family."""

    model_config = ConfigDict(json_schema_extra=ex.examples({"left_on": "2026-04-17"}))

    left_on: CaseDate | None = Field(default=None, description="Today by default.")


class _TafMemberRead(ReadSchema):
    id: uuid.UUID = Field(description="The TAF member's id.")
    episode_id: uuid.UUID = Field(description="The episode whose TAF it is.")
    role: str = Field(description="Their role in the TAF.")
    joined_on: date = Field(description="When they joined.")
    left_on: date | None = Field(description="When they left; null while a member.")
    joined_recorded_at: datetime | None = Field(
        description="When the joining was recorded (UTC), beside `joined_on`."
    )
    left_recorded_at: datetime | None = Field(
        description="When the leaving was recorded (UTC); null while a member."
    )
    version: int = Field(description='The member\'s version: its ETag is `"<version>"`.')
    name: str | None = Field(
        description="The practitioner's or family member's name; null if no longer on record."
    )


PRACTITIONER_TAF_READ: dict[str, Any] = {
    "id": ex.TAF_SCHOOL,
    "episode_id": ex.EPISODE,
    "kind": "practitioner",
    "practitioner_id": ex.SCHOOL_WORKER,
    "agency_code": "SCHOOL_ST_ANNES",
    "role": "Attendance officer",
    "person_id": None,
    "joined_on": "2026-02-11",
    "left_on": None,
    "joined_recorded_at": "2026-02-11T10:15:00Z",
    "left_recorded_at": None,
    "version": 1,
    "name": "Grace Hughes",
}
FAMILY_TAF_READ: dict[str, Any] = {
    "id": ex.TAF_MUM,
    "episode_id": ex.EPISODE,
    "kind": "family_member",
    "practitioner_id": None,
    "agency_code": None,
    "role": "Mum",
    "person_id": ex.SARAH,
    "joined_on": "2026-02-11",
    "left_on": None,
    "joined_recorded_at": "2026-02-11T10:15:00Z",
    "left_recorded_at": None,
    "version": 1,
    "name": "Sarah Walker",
}


class PractitionerTafMemberRead(_TafMemberRead):
    """A practitioner in the TAF."""

    model_config = ConfigDict(json_schema_extra=ex.examples(PRACTITIONER_TAF_READ))

    kind: Literal["practitioner"] = Field(description="A practitioner member.")
    practitioner_id: uuid.UUID = Field(description="The practitioner.")
    agency_code: str | None = Field(description="The agency they joined for.")
    person_id: SkipJsonSchema[None] = Field(description="Always null for a practitioner.")


class FamilyTafMemberRead(_TafMemberRead):
    """A member of the family in the TAF."""

    model_config = ConfigDict(json_schema_extra=ex.examples(FAMILY_TAF_READ))

    kind: Literal["family_member"] = Field(description="A family member.")
    person_id: uuid.UUID = Field(description="The household member.")
    practitioner_id: SkipJsonSchema[None] = Field(description="Always null for a family member.")
    agency_code: SkipJsonSchema[None] = Field(description="Always null for a family member.")


class TafMemberRead(
    RootModel[
        Annotated[PractitionerTafMemberRead | FamilyTafMemberRead, Field(discriminator="kind")]
    ]
):
    """A member of the Team Around the Family: a practitioner or a family member (`kind`)."""

    @classmethod
    def from_domain(cls, m: TafMember, names: Names) -> TafMemberRead:
        common: dict[str, Any] = {
            "id": m.id,
            "episode_id": m.episode_id,
            "role": m.role,
            "joined_on": m.joined_on,
            "left_on": m.left_on,
            "joined_recorded_at": m.joined_recorded_at,
            "left_recorded_at": m.left_recorded_at,
            "version": m.version,
            "name": names.member(m.id),
        }
        if m.kind == TafMemberKind.PRACTITIONER:
            assert m.practitioner_id is not None, "a practitioner member names the practitioner"
            return cls(
                PractitionerTafMemberRead(
                    kind="practitioner",
                    practitioner_id=m.practitioner_id,
                    agency_code=m.agency_code,
                    person_id=None,
                    **common,
                )
            )
        assert m.person_id is not None, "a family member names the person"
        return cls(
            FamilyTafMemberRead(
                kind="family_member",
                person_id=m.person_id,
                practitioner_id=None,
                agency_code=None,
                **common,
            )
        )


class ProgressIn(Schema):
    """Progress on one outcome, scored at a meeting."""

    outcome_id: uuid.UUID = Field(description="The plan outcome scored.")
    score: Score = Field(description="Where things stand now, 0 (worst) to 10 (best).")


class MeetingIn(Schema):
    """A TAF meeting held: the first agrees the plan, later ones review it."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "held_on": "2026-02-23",
                "attendee_member_ids": [ex.TAF_SCHOOL, ex.TAF_MUM],
                "family_present": True,
                "child_voice": "shared",
                "progress": [{"outcome_id": ex.OUTCOME, "score": 4}],
                "decision": "continue",
                "next_review_on": "2026-05-18",
                "notes": "Chart is up; Mondays still hard.",
            }
        )
    )

    held_on: CaseDate | None = Field(
        default=None,
        description="The day it was held: today (the council's) by default; not in the future, "
        "not before the plan's approval or the last meeting, nor before the request.",
    )
    attendee_member_ids: list[uuid.UUID] = Field(
        max_length=50, description="TAF members who attended."
    )
    family_present: bool = Field(description="Whether the family took part.")
    child_voice: ChildVoice = Field(
        description="present, shared (their view was shared) or not_shared."
    )
    progress: list[ProgressIn] = Field(
        default_factory=list, max_length=50, description="Score per outcome."
    )
    decision: MeetingDecision = Field(description="What should happen next.")
    next_review_on: CaseDate | None = Field(
        default=None, description="When the next review is planned."
    )
    notes: LongText | None = Field(default=None, description="The meeting's notes.")
    agrees_plan_id: uuid.UUID | None = Field(
        default=None,
        description="At a review: the revised plan this meeting agrees (the first meeting agrees "
        "the approved plan by itself).",
    )

    def domain_progress(self) -> list[OutcomeProgress]:
        return [OutcomeProgress(outcome_id=p.outcome_id, score=p.score) for p in self.progress]


class ProgressRead(ReadSchema):
    """Progress on one outcome, scored at a meeting."""

    outcome_id: uuid.UUID = Field(description="The plan outcome scored.")
    score: int = Field(description="0 (worst) to 10 (best).")


MEETING_READ: dict[str, Any] = {
    "id": ex.MEETING,
    "episode_id": ex.EPISODE,
    "held_on": "2026-02-23",
    "recorded_at": "2026-02-23T16:40:00Z",
    "is_first": True,
    "attendee_member_ids": [ex.TAF_SCHOOL, ex.TAF_MUM],
    "family_present": True,
    "child_voice": "shared",
    "progress": [{"outcome_id": ex.OUTCOME, "score": 4}],
    "decision": "continue",
    "next_review_on": "2026-05-18",
    "notes": "Chart is up; Mondays still hard.",
    "attendees": [
        {"member_id": ex.TAF_SCHOOL, "name": "Grace Hughes"},
        {"member_id": ex.TAF_MUM, "name": "Sarah Walker"},
    ],
}


class AttendeeRead(ReadSchema):
    """Someone at a TAF meeting."""

    member_id: uuid.UUID = Field(description="Their TAF membership.")
    name: str | None = Field(description="Their name; null if no longer on record.")


class MeetingRead(ReadSchema):
    """A TAF meeting held."""

    model_config = ConfigDict(json_schema_extra=ex.examples(MEETING_READ))

    id: uuid.UUID = Field(description="The meeting's id.")
    episode_id: uuid.UUID = Field(description="The episode it was about.")
    held_on: date = Field(description="The day it was held.")
    recorded_at: datetime | None = Field(
        description="When the meeting was recorded (UTC), beside `held_on`."
    )
    is_first: bool = Field(
        description="The first TAF meeting agrees the plan; later ones are reviews."
    )
    attendee_member_ids: list[uuid.UUID] = Field(description="TAF members who attended.")
    family_present: bool = Field(description="Whether the family took part.")
    child_voice: ChildVoice = Field(description="How the child's voice was heard.")
    progress: list[ProgressRead] = Field(description="Score per outcome.")
    decision: MeetingDecision = Field(description="What should happen next.")
    next_review_on: date | None = Field(description="When the next review is planned.")
    notes: str | None = Field(description="The meeting's notes.")
    attendees: list[AttendeeRead] = Field(
        description="Who attended, by name, in the order of `attendee_member_ids`."
    )

    @classmethod
    def from_domain(cls, m: TafMeeting, names: Names) -> MeetingRead:
        return cls(
            id=m.id,
            episode_id=m.episode_id,
            held_on=m.held_on,
            recorded_at=m.recorded_at,
            is_first=m.is_first,
            attendee_member_ids=list(m.attendee_member_ids),
            family_present=m.family_present,
            child_voice=m.child_voice,
            progress=[ProgressRead(outcome_id=p.outcome_id, score=p.score) for p in m.progress],
            decision=m.decision,
            next_review_on=m.next_review_on,
            notes=m.notes,
            attendees=[
                AttendeeRead(member_id=a, name=names.member(a)) for a in m.attendee_member_ids
            ],
        )


class EpisodeWithPlan(ReadSchema):
    """A step that moves the episode and its plan together; the ETag header is the episode's."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "episode": {**EPISODE_READ, "stage": "plan_approved", "meetings_held": 0},
                "plan": {**PLAN_READ, "status": "approved", "agreed_on": None},
            }
        )
    )

    episode: EpisodeRead = Field(description="The episode after the step.")
    plan: PlanRead = Field(description="The plan after the step.")


class EpisodeWithAssessment(ReadSchema):
    """The episode with the assessment just started; the ETag header is the episode's."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "episode": {**EPISODE_READ, "stage": "assessing", "meetings_held": 0},
                "assessment": {
                    **ASSESSMENT_READ,
                    "status": "draft",
                    "completed_on": None,
                    "needs": [],
                    "version": 1,
                },
            }
        )
    )

    episode: EpisodeRead = Field(description="The episode, now assessing.")
    assessment: AssessmentRead = Field(
        description='The draft assessment (its own ETag is `"<version>"`).'
    )


class EpisodeWithMeeting(ReadSchema):
    """The episode with the TAF meeting just recorded; the ETag header is the episode's."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"episode": EPISODE_READ, "meeting": MEETING_READ})
    )

    episode: EpisodeRead = Field(description="The episode after the meeting.")
    meeting: MeetingRead = Field(description="The meeting recorded.")
