"""Shapes of Supporting Families needs on the case record, their outcomes and support delivered."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.api.schemas.base import CaseDate, Code, ReadSchema, Schema, ShortText
from app.domain.supporting_families import (
    Evidence,
    NeedOutcome,
    SupportDelivered,
    SustainmentResult,
)
from app.services.needs import EvidenceIn, NeedView
from app.services.ports import StoredSupport


class EvidenceBody(Schema):
    source: ShortText = Field(
        description="The system or document that holds the evidence (e.g. 'school MIS')."
    )
    reference: ShortText = Field(description="Its reference there.")

    def to_service(self) -> EvidenceIn:
        return EvidenceIn(source=self.source, reference=self.reference)


class NeedCreate(Schema):
    id: uuid.UUID | None = Field(
        default=None, description="The assessment need's id, to link the two."
    )
    descriptor_code: Code = Field(
        description="A need descriptor of the outcome framework (e.g. 'EDU.a')."
    )
    person_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=30, description="Members the need affects."
    )
    identified_on: CaseDate
    emerged_later: bool = Field(
        default=False, description="Found during the work rather than at the start."
    )
    evidence: EvidenceBody


class OutcomeIn(Schema):
    status: NeedOutcome = Field(description="open, achieved or not_achieved.")
    on: CaseDate | None = Field(
        default=None, description="When it was reached (required unless open)."
    )
    evidence: EvidenceBody | None = Field(default=None, description="Required unless open.")


class SustainmentIn(Schema):
    result: SustainmentResult = Field(description="sustained, not_sustained or unknown.")
    checked_on: CaseDate | None = Field(default=None, description="Today by default.")
    lapsed_on: CaseDate | None = Field(
        default=None, description="When, and only when, it was not sustained."
    )
    evidence: EvidenceBody


class EvidenceRead(ReadSchema):
    source: str
    reference: str
    recorded_by: uuid.UUID
    recorded_on: date

    @classmethod
    def of(cls, e: Evidence | None) -> EvidenceRead | None:
        return None if e is None else cls.model_validate(e)


class SustainmentRead(ReadSchema):
    due_on: date
    checked_on: date
    result: SustainmentResult
    lapsed_on: date | None
    evidence: EvidenceRead


class NeedRead(ReadSchema):
    id: uuid.UUID
    episode_id: uuid.UUID
    descriptor_code: str
    headline: str
    person_ids: list[uuid.UUID]
    identified_on: date
    emerged_later: bool
    evidence: EvidenceRead
    outcome: NeedOutcome
    outcome_on: date | None
    outcome_evidence: EvidenceRead | None
    sustainment_due_on: date | None = Field(
        description="Set once the episode is closed and the outcome achieved."
    )
    sustainment: SustainmentRead | None
    version: int

    @classmethod
    def from_view(cls, view: NeedView) -> NeedRead:
        record, need = view.stored.record, view.stored.record.need
        check = record.sustainment
        return cls(
            id=need.id,
            episode_id=view.stored.episode_id,
            descriptor_code=need.descriptor_code,
            headline=need.headline,
            person_ids=list(need.person_ids),
            identified_on=need.identified_on,
            emerged_later=need.emerged_later,
            evidence=EvidenceRead.model_validate(need.evidence),
            outcome=record.outcome.status,
            outcome_on=record.outcome.on,
            outcome_evidence=EvidenceRead.of(record.outcome.evidence),
            sustainment_due_on=view.sustainment_due_on,
            sustainment=None
            if check is None
            else SustainmentRead(
                due_on=check.due_on,
                checked_on=check.checked_on,
                result=check.result,
                lapsed_on=check.lapsed_on,
                evidence=EvidenceRead.model_validate(check.evidence),
            ),
            version=view.stored.version,
        )


class SupportCreate(Schema):
    service: ShortText = Field(
        description="What was delivered (e.g. 'Triple P parenting programme')."
    )
    provider: ShortText = Field(description="Who delivered it.")
    started_on: CaseDate
    ended_on: CaseDate | None = None

    def to_domain(self) -> SupportDelivered:
        return SupportDelivered(
            service=self.service,
            provider=self.provider,
            started_on=self.started_on,
            ended_on=self.ended_on,
        )


class SupportRead(ReadSchema):
    id: uuid.UUID
    episode_id: uuid.UUID
    service: str
    provider: str
    started_on: date
    ended_on: date | None

    @classmethod
    def from_stored(cls, s: StoredSupport) -> SupportRead:
        return cls(
            id=s.id,
            episode_id=s.episode_id,
            service=s.support.service,
            provider=s.support.provider,
            started_on=s.support.started_on,
            ended_on=s.support.ended_on,
        )
