"""Shapes of Supporting Families needs on the case record, their outcomes and support delivered."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, Code, ReadSchema, Schema, ShortText
from app.domain.supporting_families import (
    Evidence,
    NeedOutcome,
    SustainmentResult,
)
from app.services.needs import EvidenceIn, NeedView, NewSupport
from app.services.ports import StoredSupport

EVIDENCE = {"source": "School MIS", "reference": "ATT-2026-117"}


class EvidenceBody(Schema):
    """Where the evidence for a need or outcome is held."""

    source: ShortText = Field(
        description="The system or document that holds the evidence (e.g. 'school MIS')."
    )
    reference: ShortText = Field(description="Its reference there.")

    def to_service(self) -> EvidenceIn:
        return EvidenceIn(source=self.source, reference=self.reference)


class NeedCreate(Schema):
    """A Supporting Families need of the family, with its evidence."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "id": ex.ASSESSMENT_NEED,
                "descriptor_code": "EDU.a",
                "person_ids": [ex.AVA],
                "identified_on": "2026-02-05",
                "evidence": EVIDENCE,
            }
        )
    )

    id: uuid.UUID | None = Field(
        default=None, description="The assessment need's id, to link the two."
    )
    descriptor_code: Code = Field(
        description="A need descriptor of the outcome framework (e.g. 'EDU.a')."
    )
    person_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=30, description="Members the need affects."
    )
    identified_on: CaseDate = Field(
        description="When the need was identified: not after today, nor before the episode was "
        "requested (`step_date_in_future`, `step_date_before_request`); when it was recorded is "
        "kept beside it."
    )
    emerged_later: bool = Field(
        default=False, description="Found during the work rather than at the start."
    )
    evidence: EvidenceBody = Field(description="Where the evidence of the need is held.")


class NeedOutcomeIn(Schema):
    """The outcome reached for a need."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "status": "achieved",
                "on": "2026-06-12",
                "evidence": {"source": "School MIS", "reference": "ATT-2026-301"},
            }
        )
    )

    status: NeedOutcome = Field(description="open, achieved or not_achieved.")
    on: CaseDate | None = Field(
        default=None, description="When it was reached (required unless open)."
    )
    evidence: EvidenceBody | None = Field(default=None, description="Required unless open.")


class SustainmentIn(Schema):
    """The check, after closure, that an achieved outcome held."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "result": "sustained",
                "checked_on": "2026-12-14",
                "evidence": {"source": "School MIS", "reference": "ATT-2026-655"},
            }
        )
    )

    result: SustainmentResult = Field(description="sustained, not_sustained or unknown.")
    checked_on: CaseDate | None = Field(default=None, description="Today by default.")
    lapsed_on: CaseDate | None = Field(
        default=None, description="When, and only when, it was not sustained."
    )
    evidence: EvidenceBody = Field(description="Where the evidence of the check is held.")


class EvidenceRead(ReadSchema):
    """Where evidence is held, and who recorded it when."""

    source: str = Field(description="The system or document that holds the evidence.")
    reference: str = Field(description="Its reference there.")
    recorded_by: uuid.UUID = Field(description="The practitioner who recorded it.")
    recorded_on: date = Field(description="When it was recorded.")

    @classmethod
    def of(cls, e: Evidence | None) -> EvidenceRead | None:
        return None if e is None else cls.model_validate(e)


class SustainmentRead(ReadSchema):
    """The check that an achieved outcome held."""

    due_on: date = Field(description="When the check was due.")
    checked_on: date = Field(description="When it was checked.")
    result: SustainmentResult = Field(description="sustained, not_sustained or unknown.")
    lapsed_on: date | None = Field(description="When it lapsed, if it was not sustained.")
    evidence: EvidenceRead = Field(description="The evidence of the check.")
    recorded_at: datetime | None = Field(
        description="When the check was recorded (UTC), beside `checked_on`."
    )


EVIDENCE_READ = {**EVIDENCE, "recorded_by": ex.LEAD, "recorded_on": "2026-02-05"}
FAMILY_NEED_READ: dict[str, Any] = {
    "id": ex.NEED,
    "episode_id": ex.EPISODE,
    "descriptor_code": "EDU.a",
    "headline": "EDU",
    "person_ids": [ex.AVA],
    "identified_on": "2026-02-05",
    "recorded_at": "2026-02-06T09:12:00Z",
    "emerged_later": False,
    "evidence": EVIDENCE_READ,
    "outcome": "achieved",
    "outcome_on": "2026-06-12",
    "outcome_recorded_at": "2026-06-12T11:30:00Z",
    "outcome_evidence": {
        "source": "School MIS",
        "reference": "ATT-2026-301",
        "recorded_by": ex.LEAD,
        "recorded_on": "2026-06-12",
    },
    "sustainment_due_on": "2026-12-19",
    "sustainment": None,
    "version": 2,
}


class FamilyNeedRead(ReadSchema):
    """A Supporting Families need on the case record, with its outcome and sustainment check."""

    model_config = ConfigDict(json_schema_extra=ex.examples(FAMILY_NEED_READ))

    id: uuid.UUID = Field(description="The need's id.")
    episode_id: uuid.UUID = Field(description="The episode it was recorded in.")
    descriptor_code: str = Field(description="Its need descriptor in the outcome framework.")
    headline: str = Field(description="The descriptor's headline (EDU, HEALTH ...).")
    person_ids: list[uuid.UUID] = Field(description="Members the need affects.")
    identified_on: date = Field(description="When it was identified.")
    recorded_at: datetime | None = Field(
        description="When the need was recorded (UTC), beside `identified_on`; null for a need "
        "recorded before familyhub kept it."
    )
    emerged_later: bool = Field(description="Found during the work rather than at the start.")
    evidence: EvidenceRead = Field(description="The evidence of the need.")
    outcome: NeedOutcome = Field(description="open, achieved or not_achieved.")
    outcome_on: date | None = Field(description="When the outcome was reached; null while open.")
    outcome_recorded_at: datetime | None = Field(
        description="When the outcome was recorded (UTC), beside `outcome_on`; null while open "
        "or for an outcome recorded before familyhub kept it."
    )
    outcome_evidence: EvidenceRead | None = Field(description="The evidence of the outcome.")
    sustainment_due_on: date | None = Field(
        description="Set once the episode is closed and the outcome achieved."
    )
    sustainment: SustainmentRead | None = Field(
        description="The sustainment check; null until recorded."
    )
    version: int = Field(description='The need\'s version: its ETag is `"<version>"`.')

    @classmethod
    def from_view(cls, view: NeedView) -> FamilyNeedRead:
        record, need = view.stored.record, view.stored.record.need
        check = record.sustainment
        return cls(
            id=need.id,
            episode_id=view.stored.episode_id,
            descriptor_code=need.descriptor_code,
            headline=need.headline,
            person_ids=list(need.person_ids),
            identified_on=need.identified_on,
            recorded_at=view.stored.recorded_at,
            emerged_later=need.emerged_later,
            evidence=EvidenceRead.model_validate(need.evidence),
            outcome=record.outcome.status,
            outcome_on=record.outcome.on,
            outcome_recorded_at=view.stored.outcome_recorded_at,
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
                recorded_at=view.stored.sustainment_recorded_at,
            ),
            version=view.stored.version,
        )


class SupportCreate(Schema):
    """A service delivered to the family."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "service": "Triple P parenting programme",
                "provider": "Blackpool Better Start",
                "started_on": "2026-03-02",
                "ended_on": "2026-04-20",
            }
        )
    )

    service: ShortText = Field(
        description="What was delivered (e.g. 'Triple P parenting programme')."
    )
    provider: ShortText = Field(description="Who delivered it.")
    started_on: CaseDate | None = Field(
        default=None,
        description="When it started: today (the council's) by default; not in the future, nor "
        "before the episode was requested.",
    )
    ended_on: CaseDate | None = Field(default=None, description="When it ended, if it has.")

    def to_service(self) -> NewSupport:
        return NewSupport(
            service=self.service,
            provider=self.provider,
            started_on=self.started_on,
            ended_on=self.ended_on,
        )


class SupportRead(ReadSchema):
    """A service delivered to the family."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "id": ex.SUPPORT,
                "episode_id": ex.EPISODE,
                "service": "Triple P parenting programme",
                "provider": "Blackpool Better Start",
                "started_on": "2026-03-02",
                "ended_on": "2026-04-20",
                "recorded_at": "2026-03-02T14:05:00Z",
            }
        )
    )

    id: uuid.UUID = Field(description="The record's id.")
    episode_id: uuid.UUID = Field(description="The episode it was delivered in.")
    service: str = Field(description="What was delivered.")
    provider: str = Field(description="Who delivered it.")
    started_on: date = Field(description="When it started.")
    ended_on: date | None = Field(description="When it ended; null while ongoing.")
    recorded_at: datetime | None = Field(description="When it was recorded (UTC).")

    @classmethod
    def from_stored(cls, s: StoredSupport) -> SupportRead:
        return cls(
            id=s.id,
            episode_id=s.episode_id,
            service=s.support.service,
            provider=s.support.provider,
            started_on=s.support.started_on,
            ended_on=s.support.ended_on,
            recorded_at=s.recorded_at,
        )
