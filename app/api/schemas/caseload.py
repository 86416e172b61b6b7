"""Shapes of a practitioner's day: caseload and worklist."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import PageOf, ReadSchema
from app.api.schemas.contacts import CONTACT_READ, CaseContactRead
from app.api.schemas.disclosures import DisclosureRead
from app.api.schemas.episodes import (
    EPISODE_READ,
    MEETING_READ,
    PLAN_READ,
    PRACTITIONER_TAF_READ,
    EpisodeRead,
    MeetingRead,
    PlanRead,
    TafMemberRead,
)
from app.api.schemas.families import FAMILY_READ, FamilyRead
from app.api.schemas.family_help import FamilyHelpRead
from app.api.schemas.family_network import FgdmMeetingRead, FgdmOfferRead, NetworkMemberRead
from app.api.schemas.requests import RequestRead
from app.domain.access import Role
from app.domain.caseload import WorkingRole, WorkKind
from app.domain.episodes import EpisodeStage
from app.domain.sync import RecordType
from app.domain.timeliness import DeadlineKind, DeadlineStatus
from app.services.caseload import CaseloadEntry, WorkRow
from app.services.practitioners import Profile


class ChildRead(ReadSchema):
    """A child the episode is about."""

    person_id: uuid.UUID = Field(description="The child's person id.")
    given_name: str = Field(description="Given (first) name.")
    family_name: str = Field(description="Family name (surname).")
    date_of_birth: date | None = Field(description="Null for an unborn child.")
    expected_delivery_date: date | None = Field(description="For an unborn child; else null.")


class NextDeadlineRead(ReadSchema):
    """The running clock due soonest."""

    kind: DeadlineKind = Field(description="Which deadline.")
    due_on: date = Field(description="The last on-time date.")
    status: DeadlineStatus = Field(description="Where it stands today.")
    days_overdue: int = Field(description="Calendar days past due; 0 when not overdue.")
    days_until_due: int | None = Field(description="Calendar days to the due date.")


CASELOAD_ITEM: dict[str, Any] = {
    "episode_id": ex.EPISODE,
    "family_id": ex.FAMILY,
    "family_name": "Walker",
    "family_reference": ex.FAMILY_REFERENCE,
    "hub_id": ex.HUB_NORTH,
    "stage": "active",
    "level_of_need": "2",
    "children": [
        {
            "person_id": ex.AVA,
            "given_name": "Ava",
            "family_name": "Walker",
            "date_of_birth": "2017-06-01",
            "expected_delivery_date": None,
        }
    ],
    "next_deadline": {
        "kind": "review",
        "due_on": "2026-05-18",
        "status": "on_time",
        "days_overdue": 0,
        "days_until_due": 77,
    },
    "last_contact_on": "2026-02-10",
    "my_role": "lead_professional",
    "version": 7,
}


class CaseloadItemRead(ReadSchema):
    """An open episode I lead or (Family Help) am allocated to beside its lead, with its family
    and children."""

    model_config = ConfigDict(json_schema_extra=ex.examples(CASELOAD_ITEM))

    episode_id: uuid.UUID = Field(description="The episode.")
    family_id: uuid.UUID = Field(description="Its family.")
    family_name: str = Field(description="The household's carers' surnames.")
    family_reference: str = Field(description="The family's reference.")
    hub_id: uuid.UUID = Field(description="The hub leading the work.")
    stage: EpisodeStage = Field(description="The episode's stage.")
    level_of_need: str = Field(description="The episode's level of need.")
    children: list[ChildRead] = Field(description="The children it is about.")
    next_deadline: NextDeadlineRead | None = Field(
        description="The running clock due soonest; null if none."
    )
    last_contact_on: date | None = Field(
        default=None,
        description="The day of the latest contact with the family on this episode (attempted"
        " visits aside); null if none yet.",
    )
    my_role: WorkingRole = Field(
        default=WorkingRole.LEAD_PROFESSIONAL,
        description="How I work this episode: as its lead professional, or (Family Help)"
        " allocated beside the lead as lead child protection practitioner or co-worker.",
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
            last_contact_on=entry.last_contact_on,
            my_role=entry.role,
            version=e.version,
        )


class CaseloadPage(PageOf[CaseloadItemRead]):
    """One page of my caseload."""


class WorkItemRead(ReadSchema):
    """One thing due from me, with what its row shows (no further call needed to render it)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "kind": "resubmit_plan",
                "episode_id": ex.EPISODE,
                "episode_version": 7,
                "family_id": ex.FAMILY,
                "family_reference": "FH-7WCG4S",
                "family_name": "Hughes",
                "due_on": None,
                "status": None,
                "days_overdue": 0,
                "plan_id": ex.PLAN,
                "action_id": None,
                "need_id": None,
                "description": "Quality assurance returned the plan",
                "qa_comments": "Make the attendance outcome measurable.",
                "qa_officer_name": "Quinn Quality",
                "qa_decided_on": "2026-03-04",
                "request_id": None,
            }
        )
    )

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
    request_id: uuid.UUID | None = Field(
        description="For a request for support the front door attached to the episode: the "
        "request (acknowledging it clears the item)."
    )

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
            request_id=item.request_id,
        )


class WorkPage(PageOf[WorkItemRead]):
    """One page of my worklist."""


class RemovedRecord(ReadSchema):
    """A record the device should delete."""

    type: RecordType = Field(
        description="family, episode, plan, taf_member, meeting, contact, network_member,"
        " fgdm_offer, fgdm_meeting, disclosure, support_request or family_help (whose id is"
        " its episode's)."
    )
    id: uuid.UUID = Field(description="The record's id.")


def _example_of(schema: type[ReadSchema]) -> dict[str, Any]:
    """The first example a read schema shows in the contract, to quote in a larger one."""
    extra = schema.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list)
    assert isinstance(examples[0], dict)
    return dict(examples[0])


class ChangesRead(ReadSchema):
    """What changed in my caseload since the last sync."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "cursor": "6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f",
                "full": False,
                "more": False,
                "families": [FAMILY_READ],
                "episodes": [EPISODE_READ],
                "plans": [PLAN_READ],
                "taf_members": [PRACTITIONER_TAF_READ],
                "meetings": [MEETING_READ],
                "contacts": [CONTACT_READ],
                "network_members": [_example_of(NetworkMemberRead)],
                "fgdm_offers": [_example_of(FgdmOfferRead)],
                "fgdm_meetings": [_example_of(FgdmMeetingRead)],
                "disclosures": [_example_of(DisclosureRead)],
                "requests": [_example_of(RequestRead)],
                "family_help": [_example_of(FamilyHelpRead)],
                "removed": [{"type": "episode", "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}],
            }
        )
    )

    cursor: uuid.UUID = Field(description="Pass as `since` next time.")
    full: bool = Field(
        description="True on the first page of a sync from nothing (no `since`): replace the local"
        " copy with this page, then add the pages that follow."
    )
    more: bool = Field(
        description="More new or changed records wait: sync again at once with `cursor` as"
        " `since` (large caseloads come in pages of `limit`)."
    )
    families: list[FamilyRead] = Field(description="Families created or changed.")
    episodes: list[EpisodeRead] = Field(description="Episodes created or changed.")
    plans: list[PlanRead] = Field(description="Plans with their actions.")
    taf_members: list[TafMemberRead] = Field(description="TAF members added or changed.")
    meetings: list[MeetingRead] = Field(description="TAF meetings recorded.")
    contacts: list[CaseContactRead] = Field(
        default_factory=list,
        description="Contacts recorded or amended, or whose note this reader may now (or may no"
        " longer) read: a sensitive note's text is withheld as in GET .../contacts.",
    )
    network_members: list[NetworkMemberRead] = Field(
        default_factory=list,
        description="Members of a child's network outside the household, added, changed or"
        " ended, or whose restricted contact details this reader may now (or may no longer)"
        " see: restricted details are withheld as in GET .../network.",
    )
    fgdm_offers: list[FgdmOfferRead] = Field(
        default_factory=list,
        description="FGDM offers (or decisions not to offer) recorded or answered.",
    )
    fgdm_meetings: list[FgdmMeetingRead] = Field(
        default_factory=list, description="Family-led (FGDM) meetings recorded."
    )
    disclosures: list[DisclosureRead] = Field(
        default_factory=list,
        description="Entries of the disclosure log (disclosures and decisions not to share).",
    )
    requests: list[RequestRead] = Field(
        default_factory=list,
        description="Requests for support about the families on the device that the front"
        " door's rules let me read (I made them, or they are linked to an episode I lead),"
        " received or changed; the front door's own queue does not travel.",
    )
    family_help: list[FamilyHelpRead] = Field(
        default_factory=list,
        description="The Family Help records (type, statutory basis, step-across history,"
        " allocations, CIN census dates and child protection) of the episodes on the device that"
        " I may read, as GET /episodes/{episode_id}/family-help shows them, sent when the record's"
        " version changes. A plain early help episode never stepped across, allocated or given"
        " census dates has none.",
    )
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
