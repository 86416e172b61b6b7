"""The case on one screen (`GET /api/v1/episodes/{id}/case`): what a lead's case page shows, with
the names of everyone it mentions, so a front end renders it from one response."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import ReadSchema
from app.api.schemas.episodes import (
    ASSESSMENT_READ,
    EPISODE_READ,
    FAMILY_TAF_READ,
    MEETING_READ,
    PLAN_READ,
    PRACTITIONER_TAF_READ,
    ActionRead,
    AssessmentRead,
    EpisodeRead,
    MeetingRead,
    OutcomeRead,
    QaDecisionRead,
    TafMemberRead,
)
from app.domain.families import MemberRole, household_name
from app.domain.plans import PlanStatus
from app.services.episodes import CaseView


class CaseMemberRead(ReadSchema):
    """A current member of the household, as the case page lists them (no contact details)."""

    person_id: uuid.UUID = Field(description="The person's id (`GET /api/v1/people/{id}`).")
    name: str = Field(description="Given and family name.", examples=["Ava Hughes"])
    role: MemberRole = Field(description="Their role in the household.")
    date_of_birth: date | None = Field(description="Null for an unborn child.")


class CaseFamilyRead(ReadSchema):
    """The household the episode is for, summarised."""

    id: uuid.UUID = Field(description="The household's id (`GET /api/v1/families/{id}`).")
    reference: str = Field(description="The household's reference.", examples=["FH-7WCG4S"])
    name: str = Field(description="The household as a row names it: its carers' surnames.")
    hub_id: uuid.UUID = Field(description="The family hub the household belongs to.")
    version: int = Field(description="The household's version: If-Match for changing it.")
    members: list[CaseMemberRead] = Field(description="Current members, in the order they joined.")


class NamedTafMemberRead(ReadSchema):
    """A member of the Team Around the Family, with their name."""

    member: TafMemberRead = Field(
        description="The TAF membership (a practitioner's or a family member's, by `kind`)."
    )
    name: str | None = Field(
        description="The practitioner's or family member's name (as `member.name`, kept for"
        " clients written before the membership carried it)."
    )


class CasePlanRead(ReadSchema):
    """The episode's current family plan, with the names of action owners and QA officers."""

    id: uuid.UUID = Field(description="The plan's id.")
    number: int = Field(description="Plan version: 1, 2 ... (a revision is a new version).")
    status: PlanStatus = Field(description="Where the plan is between drafting, QA and agreement.")
    outcomes: list[OutcomeRead] = Field(description="What the family and the TAF want to change.")
    actions: list[ActionRead] = Field(description="Who does what, by when.")
    qa_decisions: list[QaDecisionRead] = Field(description="Quality assurance decisions.")
    submitted_on: date | None = Field(description="When it was last sent for quality assurance.")
    agreed_on: date | None = Field(description="When the TAF agreed it.")
    version: int = Field(
        description="The plan's version: If-Match for PATCH /api/v1/episodes/{episode_id}/plans/"
        "{plan_id} and its actions."
    )


class EpisodeCaseRead(ReadSchema):
    """The case on one screen. Its ETag changes whenever anything it shows changes; each nested
    record carries its own `version`, the If-Match for changing that record."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "episode": EPISODE_READ,
                "family": {
                    "id": ex.FAMILY,
                    "reference": ex.FAMILY_REFERENCE,
                    "name": "Walker",
                    "hub_id": ex.HUB_NORTH,
                    "version": 3,
                    "members": [
                        {
                            "person_id": ex.SARAH,
                            "name": "Sarah Walker",
                            "role": "parent_carer",
                            "date_of_birth": "1990-02-14",
                        },
                        {
                            "person_id": ex.AVA,
                            "name": "Ava Walker",
                            "role": "child",
                            "date_of_birth": "2017-06-01",
                        },
                    ],
                },
                "assessment": ASSESSMENT_READ,
                "plan": {k: v for k, v in PLAN_READ.items() if k != "episode_id"},
                "taf": [
                    {"member": PRACTITIONER_TAF_READ, "name": "Grace Hughes"},
                    {"member": FAMILY_TAF_READ, "name": "Sarah Walker"},
                ],
                "recent_meetings": [MEETING_READ],
                "meetings_held": 1,
            }
        )
    )

    episode: EpisodeRead = Field(
        description="The episode with its stage and every clock; its `version` is If-Match for"
        " the episode's steps."
    )
    family: CaseFamilyRead = Field(description="The household, summarised.")
    assessment: AssessmentRead | None = Field(
        description="The latest assessment (its `version` is If-Match for changing it); null"
        " before one is started."
    )
    plan: CasePlanRead | None = Field(description="The latest plan; null before one is drafted.")
    taf: list[NamedTafMemberRead] = Field(
        description="The Team Around the Family, past members included."
    )
    recent_meetings: list[MeetingRead] = Field(
        description="The latest TAF meetings, newest first (the meetings list has them all)."
    )
    meetings_held: int = Field(description="How many TAF meetings have been held.")

    @classmethod
    def from_view(cls, view: CaseView) -> EpisodeCaseRead:
        names = view.names
        plan = view.plan
        return cls(
            episode=EpisodeRead.from_record(view.record),
            family=CaseFamilyRead(
                id=view.family.id,
                reference=view.family.reference,
                name=household_name(view.members),
                hub_id=view.family.hub_id,
                version=view.family.version,
                members=[
                    CaseMemberRead(
                        person_id=p.id,
                        name=p.display_name,
                        role=role,
                        date_of_birth=p.date_of_birth,
                    )
                    for role, p in view.members
                ],
            ),
            assessment=AssessmentRead.from_domain(view.assessment) if view.assessment else None,
            plan=None
            if plan is None
            else CasePlanRead(
                id=plan.id,
                number=plan.number,
                status=plan.status,
                outcomes=[OutcomeRead.from_domain(o) for o in plan.outcomes],
                actions=[ActionRead.from_domain(a, names) for a in plan.actions],
                qa_decisions=[QaDecisionRead.from_domain(d, names) for d in plan.qa_decisions],
                submitted_on=plan.submitted_on,
                agreed_on=plan.agreed_on,
                version=plan.version,
            ),
            taf=[
                NamedTafMemberRead(
                    member=TafMemberRead.from_domain(m, names), name=names.member(m.id)
                )
                for m in view.taf
            ],
            recent_meetings=[MeetingRead.from_domain(m, names) for m in view.meetings],
            meetings_held=view.meetings_held,
        )
