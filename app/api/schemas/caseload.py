"""Shapes of a practitioner's day: caseload and worklist."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import ConfigDict, Field

from app.api.schemas.base import ReadSchema
from app.api.schemas.episodes import EpisodeRead, MeetingRead, PlanRead, TafMemberRead
from app.api.schemas.families import FamilyRead
from app.domain.access import Role
from app.domain.caseload import WorkKind
from app.domain.episodes import EpisodeStage
from app.domain.sync import RecordType
from app.domain.timeliness import DeadlineKind, DeadlineStatus
from app.services.caseload import CaseloadEntry, WorkRow
from app.services.practitioners import Profile


class ChildRead(ReadSchema):
    person_id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_delivery_date: date | None


class NextDeadlineRead(ReadSchema):
    kind: DeadlineKind
    due_on: date
    status: DeadlineStatus
    days_overdue: int
    days_until_due: int | None


class CaseloadItemRead(ReadSchema):
    episode_id: uuid.UUID
    family_id: uuid.UUID
    family_name: str = Field(description="The household's carers' surnames.")
    family_reference: str
    hub_id: uuid.UUID
    stage: EpisodeStage
    level_of_need: str
    children: list[ChildRead]
    next_deadline: NextDeadlineRead | None = Field(
        description="The running clock due soonest; null if none."
    )
    version: int = Field(description="The episode's version (its ETag).")

    @classmethod
    def from_entry(cls, entry: CaseloadEntry) -> CaseloadItemRead:
        e = entry.episode
        nxt = None
        if entry.next is not None:
            d, s = entry.next
            nxt = NextDeadlineRead(
                kind=d.kind,
                due_on=d.due_on,
                status=s.status,
                days_overdue=s.days_overdue,
                days_until_due=s.days_until_due,
            )
        return cls(
            episode_id=e.id,
            family_id=e.family_id,
            family_name=entry.family_name,
            family_reference=entry.family_reference,
            hub_id=e.hub_id,
            stage=e.stage,
            level_of_need=e.level_of_need,
            children=[
                ChildRead(
                    person_id=c.id,
                    given_name=c.given_name,
                    family_name=c.family_name,
                    date_of_birth=c.date_of_birth,
                    expected_delivery_date=c.expected_delivery_date,
                )
                for c in entry.children
            ],
            next_deadline=nxt,
            version=e.version,
        )


class WorkItemRead(ReadSchema):
    """One thing due from me, with what its row shows (no further call needed to render it)."""

    kind: WorkKind = Field(description="What to do.")
    episode_id: uuid.UUID = Field(description="The episode the work is for.")
    episode_version: int | None = Field(
        description="The episode's version: If-Match for its next step (null if unknown)."
    )
    family_id: uuid.UUID = Field(description="The household the episode is for.")
    family_reference: str = Field(description="The household's reference, as people quote it.")
    family_name: str = Field(description="The household as a row names it: its carers' surnames.")
    due_on: date | None = Field(description="When it is due; null for undated work.")
    status: DeadlineStatus | None = Field(
        description="Where the due date stands today; null for undated work."
    )
    days_overdue: int = Field(description="Days past the due date (0 when not overdue).")
    plan_id: uuid.UUID | None = Field(
        description="The plan the work is on: awaiting your decision, returned to you, or holding"
        " your action."
    )
    action_id: uuid.UUID | None = Field(description="For a plan action: the action.")
    need_id: uuid.UUID | None = Field(
        description="For a sustainment check: the need whose outcome to re-check."
    )
    description: str | None = Field(description="What the work is, in words.")
    qa_comments: str | None = Field(
        description="For a returned plan: what the quality assurance officer asked to change."
    )
    qa_officer_name: str | None = Field(
        description="For a returned plan: the quality assurance officer who returned it."
    )
    qa_decided_on: date | None = Field(description="For a returned plan: when it was returned.")

    @classmethod
    def from_row(cls, row: WorkRow) -> WorkItemRead:
        item = row.item
        return cls(
            kind=item.kind,
            episode_id=item.episode_id,
            episode_version=row.episode_version,
            family_id=item.family_id,
            family_reference=row.family_reference,
            family_name=row.family_name,
            due_on=item.due_on,
            status=item.state.status if item.state else None,
            days_overdue=item.state.days_overdue if item.state else 0,
            plan_id=row.plan_id,
            action_id=item.action_id,
            need_id=item.need_id,
            description=item.description,
            qa_comments=item.qa_comments,
            qa_officer_name=row.qa_officer_name,
            qa_decided_on=item.qa_decided_on,
        )


class RemovedRecord(ReadSchema):
    type: RecordType = Field(description="family, episode, plan, taf_member or meeting.")
    id: uuid.UUID


class ChangesRead(ReadSchema):
    cursor: uuid.UUID = Field(description="Pass as `since` next time.")
    full: bool = Field(
        description="True on the first page of a sync from nothing (no `since`): replace the local"
        " copy with this page, then add the pages that follow."
    )
    more: bool = Field(
        description="More new or changed records wait: sync again at once with `cursor` as"
        " `since` (large caseloads come in pages of `limit`)."
    )
    families: list[FamilyRead]
    episodes: list[EpisodeRead]
    plans: list[PlanRead] = Field(description="Plans with their actions.")
    taf_members: list[TafMemberRead]
    meetings: list[MeetingRead]
    removed: list[RemovedRecord] = Field(
        description="Records to delete locally: gone from the caseload (consent withdrawn, handover) or deleted."
    )


class MyHubRead(ReadSchema):
    """A family hub the signed-in user works in (practitioners) or watches (link workers)."""

    id: uuid.UUID = Field(description="The hub's id, as filters such as `hub_id` take it.")
    code: str = Field(description="The hub's short code.", examples=["NORTH"])
    name: str = Field(description="The hub's name, to show.", examples=["North Family Hub"])


class MyAgencyRead(ReadSchema):
    """The agency the signed-in user works for."""

    code: str = Field(description="The agency's code.", examples=["COUNCIL_EH"])
    name: str = Field(
        description="The agency's name, to show.", examples=["Council Early Help Team"]
    )


class MeRead(ReadSchema):
    """The signed-in user: what a front end needs for its first screen and its menus."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9b2f0c3e-4d1a-4a57-9d7e-0f6a2b1c3d4e",
                    "name": "Lena Lead",
                    "email": "lena.lead@familyhub.example",
                    "roles": ["practitioner"],
                    "agency": {"code": "COUNCIL_EH", "name": "Council Early Help Team"},
                    "hubs": [
                        {
                            "id": "2c9d5f61-8e0b-4b7a-a1d3-5e6f7a8b9c0d",
                            "code": "CENTRAL",
                            "name": "Central Family Hub",
                        }
                    ],
                }
            ]
        }
    )

    id: uuid.UUID = Field(description="The user's practitioner id.")
    name: str = Field(description="The user's name.")
    email: str = Field(description="The user's work email.")
    roles: list[Role] = Field(description="What the user may do (see the access rules).")
    agency: MyAgencyRead | None = Field(
        description="The agency the user works for; null if it is no longer in the directory."
    )
    hubs: list[MyHubRead] = Field(description="The hubs the user works in or watches, by name.")

    @classmethod
    def from_profile(cls, profile: Profile) -> MeRead:
        p = profile.practitioner
        return cls(
            id=p.id,
            name=p.name,
            email=p.email,
            roles=sorted(p.roles, key=lambda r: r.value),
            agency=MyAgencyRead(code=profile.agency.code, name=profile.agency.name)
            if profile.agency
            else None,
            hubs=[MyHubRead(id=h.id, code=h.code, name=h.name) for h in profile.hubs],
        )
