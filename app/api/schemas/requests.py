"""Request and response shapes of the front door: requests for support and their screening."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, Code, Name, PageOf, ReadSchema, Schema, ShortText
from app.domain.requests import (
    NewChild,
    NewHousehold,
    Referrer,
    ReferrerKind,
    RequestStatus,
    ScreeningOutcome,
    Urgency,
)
from app.domain.timeliness import DeadlineStatus
from app.services.requests import NewRequest, RequestCorrection, RequestView, Screening

REQUEST = "a47b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
FRONT_DOOR_OFFICER = "b58c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=10)]


class ReferrerIn(Schema):
    """Who asked: an agency's professional, or the family themselves."""

    kind: ReferrerKind = Field(description="agency or self_referral.")
    agency_code: Code | None = Field(
        default=None, description="The agency asking (required for agency)."
    )
    name: ShortText | None = Field(default=None, description="The referrer's name.")
    role: ShortText | None = Field(default=None, description="The referrer's role.")
    contact: ShortText | None = Field(
        default=None, description="How to reach the referrer (telephone or email)."
    )

    def to_domain(self) -> Referrer:
        return Referrer(
            kind=self.kind,
            agency_code=self.agency_code,
            name=self.name,
            role=self.role,
            contact=self.contact,
        )


class NewChildIn(Schema):
    """A child of a household not yet registered."""

    given_name: Name = Field(description="Given name.")
    family_name: Name = Field(description="Family name.")
    date_of_birth: CaseDate | None = Field(default=None, description="Date of birth, if known.")


class NewHouseholdIn(Schema):
    """A household not yet registered, as the referrer describes it."""

    address_line1: ShortText = Field(description="First line of the address.")
    postcode: Postcode = Field(description="Postcode.")
    contact_name: Name | None = Field(default=None, description="A parent or carer to contact.")
    children: list[NewChildIn] = Field(
        min_length=1, max_length=30, description="The children the request is about."
    )

    def to_domain(self) -> NewHousehold:
        return NewHousehold(
            address_line1=self.address_line1,
            postcode=self.postcode,
            contact_name=self.contact_name,
            children=tuple(
                NewChild(c.given_name, c.family_name, c.date_of_birth) for c in self.children
            ),
        )


class RequestCreate(Schema):
    """A request for support as the front door receives it."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "received_on": "2026-01-12",
                "referrer": {
                    "kind": "agency",
                    "agency_code": "SCHOOL_ST_ANNES",
                    "name": "Sam Schofield",
                    "role": "Attendance officer",
                    "contact": "01253 000000",
                },
                "family_id": ex.FAMILY,
                "child_person_ids": [ex.AVA],
                "asked_for": "Support with morning routines and attendance.",
                "reason": "Attendance has fallen to 78% this term.",
                "family_agreed": True,
                "urgency": "routine",
            }
        )
    )

    received_on: CaseDate | None = Field(
        default=None, description="When the front door received it; today by default."
    )
    referrer: ReferrerIn = Field(description="Who asked.")
    family_id: uuid.UUID | None = Field(
        default=None,
        description="An existing household (one you may read; the front door may name any).",
    )
    child_person_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=30,
        description="With family_id: the children of the household it is about.",
    )
    household: NewHouseholdIn | None = Field(
        default=None, description="Instead of family_id: a household not yet registered."
    )
    asked_for: Text = Field(description="What is asked for.")
    reason: Text = Field(description="Why: the needs or worries behind the request.")
    family_agreed: bool = Field(description="Whether the family agreed to the request.")
    urgency: Urgency = Field(default=Urgency.ROUTINE, description="routine or urgent.")

    def to_domain(self) -> NewRequest:
        return NewRequest(
            referrer=self.referrer.to_domain(),
            asked_for=self.asked_for,
            reason=self.reason,
            family_agreed=self.family_agreed,
            urgency=self.urgency,
            received_on=self.received_on,
            family_id=self.family_id,
            child_person_ids=tuple(dict.fromkeys(self.child_person_ids)),
            household=self.household.to_domain() if self.household else None,
        )


class RequestUpdate(Schema):
    """Corrections to a request not yet screened: only the fields sent change."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "received_on": "2026-01-09",
                "reason": "Attendance has fallen to 78% this term; two late arrivals a week.",
                "urgency": "urgent",
            }
        )
    )

    received_on: CaseDate | None = Field(
        default=None,
        description="When the front door received it (moves the decision clock).",
    )
    referrer: ReferrerIn | None = Field(default=None, description="Who asked.")
    asked_for: Text | None = Field(default=None, description="What is asked for.")
    reason: Text | None = Field(default=None, description="Why.")
    family_agreed: bool | None = Field(
        default=None, description="Whether the family agreed to the request."
    )
    urgency: Urgency | None = Field(default=None, description="routine or urgent.")
    child_person_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=30,
        description="For a request about a registered household: the children it is about.",
    )
    household: NewHouseholdIn | None = Field(
        default=None,
        description="For a request about a household not yet registered: the household anew.",
    )

    def to_domain(self) -> RequestCorrection:
        return RequestCorrection(
            received_on=self.received_on,
            referrer=self.referrer.to_domain() if self.referrer else None,
            asked_for=self.asked_for,
            reason=self.reason,
            family_agreed=self.family_agreed,
            urgency=self.urgency,
            child_person_ids=tuple(dict.fromkeys(self.child_person_ids))
            if self.child_person_ids is not None
            else None,
            household=self.household.to_domain() if self.household else None,
        )


class DecisionIn(Schema):
    """The front door's screening decision on a request."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "outcome": "early_help",
                "decided_on": "2026-01-13",
                "reason": "Two needs (attendance, routines); the family agrees; below threshold.",
                "lead_practitioner_id": ex.LEAD,
                "level_of_need": "2",
            },
            {
                "outcome": "step_up",
                "reason": "Disclosure of harm: referred to the MASH.",
                "step_up_reference": "CSC-2026-0042",
            },
        )
    )

    outcome: ScreeningOutcome = Field(description="What the front door decided.")
    reason: Text = Field(description="Why.")
    decided_on: CaseDate | None = Field(
        default=None,
        description="When it was decided: not before receipt, not in the future; today by default.",
    )
    step_up_reference: ShortText | None = Field(
        default=None, description="For step_up: children's social care's reference."
    )
    family_id: uuid.UUID | None = Field(
        default=None,
        description="For a request that described a new household: its record, once registered.",
    )
    child_person_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=30,
        description="With family_id: the household's children the request is about.",
    )
    lead_practitioner_id: uuid.UUID | None = Field(
        default=None, description="For early_help: the episode's lead professional."
    )
    level_of_need: Code | None = Field(
        default=None, description="For early_help: a level of need from the council's list."
    )
    hub_id: uuid.UUID | None = Field(
        default=None, description="For early_help: the hub leading; the family's by default."
    )

    def to_domain(self) -> Screening:
        return Screening(
            outcome=self.outcome,
            reason=self.reason,
            decided_on=self.decided_on,
            step_up_reference=self.step_up_reference,
            family_id=self.family_id,
            child_person_ids=tuple(dict.fromkeys(self.child_person_ids)),
            lead_practitioner_id=self.lead_practitioner_id,
            level_of_need=self.level_of_need,
            hub_id=self.hub_id,
        )


class ReferrerRead(ReadSchema):
    """Who asked for support: an agency's professional, or the family themselves."""

    kind: ReferrerKind = Field(description="agency or self_referral.")
    agency_code: str | None = Field(description="The agency asking.")
    name: str | None = Field(description="The referrer's name.")
    role: str | None = Field(description="The referrer's role.")
    contact: str | None = Field(description="How to reach the referrer.")


class NewChildRead(ReadSchema):
    """A child of a household not yet registered, as the referrer described them."""

    given_name: str = Field(description="Given name.")
    family_name: str = Field(description="Family name.")
    date_of_birth: date | None = Field(description="Date of birth, if known.")


class NewHouseholdRead(ReadSchema):
    """A household not yet registered, as the referrer described it."""

    address_line1: str = Field(description="First line of the address.")
    postcode: str = Field(description="Postcode.")
    contact_name: str | None = Field(description="A parent or carer to contact.")
    children: list[NewChildRead] = Field(description="The children the request is about.")


class DecisionRead(ReadSchema):
    """The front door's screening decision on a request."""

    outcome: ScreeningOutcome = Field(description="What the front door decided.")
    decided_on: date = Field(description="When.")
    decided_recorded_at: datetime = Field(description="When the decision was recorded.")
    decided_by: uuid.UUID = Field(description="The front door officer (or manager) who decided.")
    reason: str = Field(description="Why.")
    step_up_reference: str | None = Field(description="For a step up: social care's reference.")
    episode_id: uuid.UUID | None = Field(
        description="The episode opened (early_help) or attached to (already_open)."
    )


class PriorInvolvementRead(ReadSchema):
    """Whether the household was known before this request (computed, never typed in)."""

    earlier_episode: bool = Field(
        description="The household had an episode of early help requested before this request."
    )
    earlier_request: bool = Field(
        description="The household was the subject of an earlier request (a repeat referral)."
    )


class RequestRead(ReadSchema):
    """A request for support, its screening clock and (once screened) the decision."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "id": REQUEST,
                "version": 1,
                "received_on": "2026-01-12",
                "recorded_at": "2026-01-12T09:30:00Z",
                "created_by_practitioner_id": FRONT_DOOR_OFFICER,
                "referrer": {
                    "kind": "agency",
                    "agency_code": "SCHOOL_ST_ANNES",
                    "name": "Sam Schofield",
                    "role": "Attendance officer",
                    "contact": "01253 000000",
                },
                "family_id": ex.FAMILY,
                "child_person_ids": [ex.AVA],
                "household": None,
                "asked_for": "Support with morning routines and attendance.",
                "reason": "Attendance has fallen to 78% this term.",
                "family_agreed": True,
                "urgency": "routine",
                "status": "awaiting_decision",
                "decision_due_on": "2026-01-13",
                "decision_status": "due_soon",
                "days_overdue": 0,
                "policy_version": 1,
                "prior": {"earlier_episode": False, "earlier_request": False},
                "decision": None,
                "acknowledged_on": None,
            }
        )
    )

    id: uuid.UUID = Field(description="The request's id.")
    version: int = Field(description="Its version (the ETag; If-Match for the decision).")
    received_on: date = Field(description="When the front door received it.")
    recorded_at: datetime = Field(description="When it was recorded.")
    created_by_practitioner_id: uuid.UUID = Field(description="Who recorded it.")
    referrer: ReferrerRead = Field(description="Who asked.")
    family_id: uuid.UUID | None = Field(description="The household's record, when known.")
    child_person_ids: list[uuid.UUID] = Field(description="The household's children it is about.")
    household: NewHouseholdRead | None = Field(
        description="A household not yet registered, as described."
    )
    asked_for: str = Field(description="What is asked for.")
    reason: str = Field(description="Why.")
    family_agreed: bool = Field(description="Whether the family agreed to the request.")
    urgency: Urgency = Field(description="routine or urgent.")
    status: RequestStatus = Field(description="awaiting_decision or decided.")
    decision_due_on: date = Field(description="When the screening decision is due.")
    decision_status: DeadlineStatus = Field(
        description="Where the decision's clock stands today (met_on_time or met_late once decided)."
    )
    days_overdue: int = Field(description="Days past the due date (0 when not overdue).")
    policy_version: int = Field(description="The practice standards' version that set the clock.")
    prior: PriorInvolvementRead = Field(
        description="Whether services knew the household before this request (computed)."
    )
    decision: DecisionRead | None = Field(description="The screening decision, once made.")
    acknowledged_on: date | None = Field(
        description="For already_open: when the episode's lead acknowledged it."
    )

    @classmethod
    def from_view(cls, view: RequestView) -> RequestRead:
        r = view.request
        d = r.decision
        h = r.household
        return cls(
            id=r.id,
            version=r.version,
            received_on=r.received_on,
            recorded_at=r.recorded_at,
            created_by_practitioner_id=r.created_by_practitioner_id,
            referrer=ReferrerRead(
                kind=r.referrer.kind,
                agency_code=r.referrer.agency_code,
                name=r.referrer.name,
                role=r.referrer.role,
                contact=r.referrer.contact,
            ),
            family_id=r.family_id,
            child_person_ids=list(r.child_person_ids),
            household=NewHouseholdRead(
                address_line1=h.address_line1,
                postcode=h.postcode,
                contact_name=h.contact_name,
                children=[
                    NewChildRead(
                        given_name=c.given_name,
                        family_name=c.family_name,
                        date_of_birth=c.date_of_birth,
                    )
                    for c in h.children
                ],
            )
            if h
            else None,
            asked_for=r.asked_for,
            reason=r.reason,
            family_agreed=r.family_agreed,
            urgency=r.urgency,
            status=r.status,
            decision_due_on=r.decision_due_on,
            decision_status=view.clock.status,
            days_overdue=view.clock.days_overdue,
            policy_version=r.policy_version,
            prior=PriorInvolvementRead(
                earlier_episode=r.prior.earlier_episode, earlier_request=r.prior.earlier_request
            ),
            decision=DecisionRead(
                outcome=d.outcome,
                decided_on=d.decided_on,
                decided_recorded_at=d.recorded_at,
                decided_by=d.decided_by,
                reason=d.reason,
                step_up_reference=d.step_up_reference,
                episode_id=d.episode_id,
            )
            if d
            else None,
            acknowledged_on=r.acknowledged_on,
        )


class RequestPage(PageOf[RequestRead]):
    """One page of requests for support."""
