"""Request and response shapes for the disclosure log: information shared (with its lawful
basis) or a decision not to share (with its reason), told apart by `decision`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, RootModel
from pydantic.json_schema import SkipJsonSchema

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, Code, LongText, PageOf, ReadSchema, Schema, union_tags
from app.domain.disclosures import (
    Disclosure,
    DisclosureDecision,
    LawfulBasis,
    NotSharingReason,
    RecipientType,
)

union_tags(*DisclosureDecision)

SHARED_IN = {
    "decision": "shared",
    "decided_on": "2026-03-02",
    "recipient_name": "St Anne's Primary School, designated safeguarding lead",
    "recipient_type": "education",
    "recipient_agency_code": "SCHOOL_ST_ANNES",
    "information": "The family plan's attendance outcome and the TAF meeting dates.",
    "purpose": "So the school can support Ava's attendance plan.",
    "person_ids": [ex.AVA],
    "lawful_basis": "ca2004_s16la",
}
NOT_SHARED_IN = {
    "decision": "not_shared",
    "decided_on": "2026-03-04",
    "recipient_name": "Blackpool Housing Options",
    "recipient_type": "housing",
    "information": "The family's new address.",
    "purpose": "Housing asked for the address to review the tenancy.",
    "not_sharing_reason": "more_detrimental_to_child",
    "explanation": "Mum and Ava live in a refuge; telling anyone the address puts them at risk.",
}


class _DisclosureIn(Schema):
    decided_on: CaseDate = Field(description="The day the decision was made (not in the future).")
    recipient_name: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="The organisation (and the person there) it was shared with or asked for it."
    )
    recipient_type: RecipientType = Field(description="What kind of body the recipient is.")
    recipient_agency_code: Code | None = Field(
        default=None, description="The recipient, when it is an agency (GET /api/v1/agencies)."
    )
    information: LongText = Field(
        min_length=1, description="What was shared or withheld: the items or documents."
    )
    purpose: LongText = Field(min_length=1, description="Why it was shared or asked for.")
    person_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=30, description="Members of the household it is about."
    )
    episode_id: uuid.UUID | None = Field(
        default=None, description="The family's episode it belongs to, if any."
    )
    decided_by_practitioner_id: uuid.UUID | None = Field(
        default=None, description="Who made the decision; the person recording it by default."
    )

    def _domain(self, family_id: uuid.UUID, recorder: uuid.UUID, **kind: object) -> Disclosure:
        return Disclosure(
            id=uuid.uuid4(),
            family_id=family_id,
            episode_id=self.episode_id,
            decided_on=self.decided_on,
            recipient_name=self.recipient_name,
            recipient_type=self.recipient_type,
            recipient_agency_code=self.recipient_agency_code,
            information=self.information,
            purpose=self.purpose,
            person_ids=tuple(self.person_ids),
            decided_by_practitioner_id=self.decided_by_practitioner_id or recorder,
            recorded_by_practitioner_id=recorder,
            **kind,  # type: ignore[arg-type]
        )


class SharedCreate(_DisclosureIn):
    """Information disclosed, with the lawful basis it was disclosed on."""

    model_config = ConfigDict(json_schema_extra=ex.examples(SHARED_IN))

    decision: Literal["shared"] = Field(description="The information was shared.")
    lawful_basis: LawfulBasis = Field(
        description="consent (needs consent to share in force on the day), ca2004_s16la (the "
        "duty to share), ca1989_s47, court_order or other."
    )
    lawful_basis_detail: LongText | None = Field(
        default=None, description="For court_order and other: the order or the law relied on."
    )
    not_sharing_reason: SkipJsonSchema[None] = Field(
        default=None, description="Always null: only a decision not to share has a reason."
    )
    explanation: SkipJsonSchema[None] = Field(default=None, description="Always null.")

    def to_domain(self, family_id: uuid.UUID, recorder: uuid.UUID) -> Disclosure:
        return self._domain(
            family_id,
            recorder,
            decision=DisclosureDecision.SHARED,
            lawful_basis=self.lawful_basis,
            lawful_basis_detail=self.lawful_basis_detail,
        )


class NotSharedCreate(_DisclosureIn):
    """A decision not to share, with its reason and who made it."""

    model_config = ConfigDict(json_schema_extra=ex.examples(NOT_SHARED_IN))

    decision: Literal["not_shared"] = Field(description="The information was not shared.")
    not_sharing_reason: NotSharingReason = Field(
        description="more_detrimental_to_child (the s.16LA exception), not_relevant or other."
    )
    explanation: LongText = Field(min_length=1, description="Why, in words a reviewer can check.")
    lawful_basis: SkipJsonSchema[None] = Field(
        default=None, description="Always null: nothing was shared."
    )
    lawful_basis_detail: SkipJsonSchema[None] = Field(default=None, description="Always null.")

    def to_domain(self, family_id: uuid.UUID, recorder: uuid.UUID) -> Disclosure:
        return self._domain(
            family_id,
            recorder,
            decision=DisclosureDecision.NOT_SHARED,
            not_sharing_reason=self.not_sharing_reason,
            explanation=self.explanation,
        )


class DisclosureCreate(
    RootModel[Annotated[SharedCreate | NotSharedCreate, Field(discriminator="decision")]]
):
    """An entry of the disclosure log, of one of two kinds told apart by `decision`."""

    def to_domain(self, family_id: uuid.UUID, recorder: uuid.UUID) -> Disclosure:
        return self.root.to_domain(family_id, recorder)


SHARED_READ = {
    **SHARED_IN,
    "id": ex.DISCLOSURE,
    "family_id": ex.FAMILY,
    "episode_id": None,
    "lawful_basis_detail": None,
    "not_sharing_reason": None,
    "explanation": None,
    "decided_by_practitioner_id": ex.LEAD,
    "recorded_by_practitioner_id": ex.LEAD,
    "recorded_at": "2026-03-02T15:04:05Z",
}


class DisclosureRead(ReadSchema):
    """An entry of the disclosure log. A disclosure has its lawful basis; a decision not to share
    has its reason and explanation (the other pair is null)."""

    model_config = ConfigDict(json_schema_extra=ex.examples(SHARED_READ))

    id: uuid.UUID = Field(description="The entry's id.")
    family_id: uuid.UUID = Field(description="The family it is about.")
    episode_id: uuid.UUID | None = Field(description="The episode it belongs to, if any.")
    decision: DisclosureDecision = Field(description="shared or not_shared.")
    decided_on: date = Field(description="The day the decision was made.")
    recipient_name: str = Field(description="Who it was shared with or who asked for it.")
    recipient_type: RecipientType = Field(description="What kind of body the recipient is.")
    recipient_agency_code: str | None = Field(description="The recipient agency, if one.")
    information: str = Field(description="What was shared or withheld.")
    purpose: str = Field(description="Why.")
    person_ids: list[uuid.UUID] = Field(description="Members of the household it is about.")
    lawful_basis: LawfulBasis | None = Field(description="For a disclosure: its lawful basis.")
    lawful_basis_detail: str | None = Field(description="The order or law, where needed.")
    not_sharing_reason: NotSharingReason | None = Field(
        description="For a decision not to share: its reason."
    )
    explanation: str | None = Field(description="For a decision not to share: why.")
    decided_by_practitioner_id: uuid.UUID = Field(description="Who made the decision.")
    recorded_by_practitioner_id: uuid.UUID = Field(description="Who recorded it.")
    recorded_at: datetime = Field(description="When it was recorded.")

    @classmethod
    def from_domain(cls, disclosure: Disclosure) -> DisclosureRead:
        return cls.model_validate(
            {**disclosure.__dict__, "person_ids": list(disclosure.person_ids)}
        )


class DisclosurePage(PageOf[DisclosureRead]):
    """One page of the disclosure log."""
