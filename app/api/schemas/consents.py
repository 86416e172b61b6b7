"""Request and response shapes for consent records."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.api.schemas.base import CaseDate, Code, LongText, ReadSchema, Schema
from app.domain.consents import Consent, ConsentPurpose, RecordingMethod, SharingScope, Withdrawal


class ConsentCreate(Schema):
    purpose: ConsentPurpose = Field(description="early_help (taking part) or information_sharing.")
    given_by_person_id: uuid.UUID = Field(description="The member who gave consent.")
    on_behalf_of_person_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=30, description="Children a parent or carer consented for."
    )
    sharing_scope: SharingScope | None = Field(
        default=None, description="For information_sharing: all_taf_members or named_agencies."
    )
    agency_codes: list[Code] = Field(
        default_factory=list, max_length=50, description="For named_agencies."
    )
    method: RecordingMethod = Field(description="verbal, written or digital.")
    given_on: CaseDate = Field(description="The date consent was given (not in the future).")
    review_on: CaseDate | None = Field(default=None, description="When to check the consent again.")
    notes: LongText | None = None

    def to_domain(self, family_id: uuid.UUID) -> Consent:
        return Consent(
            id=uuid.uuid4(),
            family_id=family_id,
            purpose=self.purpose,
            given_by_person_id=self.given_by_person_id,
            given_on=self.given_on,
            method=self.method,
            on_behalf_of_person_ids=tuple(dict.fromkeys(self.on_behalf_of_person_ids)),
            sharing_scope=self.sharing_scope,
            agency_codes=frozenset(self.agency_codes),
            review_on=self.review_on,
            notes=self.notes,
        )


class WithdrawalIn(Schema):
    withdrawn_on: CaseDate = Field(
        description="Not before the consent was given, not in the future."
    )
    reason: LongText = Field(min_length=1)
    withdrawn_by_person_id: uuid.UUID | None = Field(
        default=None, description="The member who withdrew it."
    )

    def to_domain(self) -> Withdrawal:
        return Withdrawal(
            withdrawn_on=self.withdrawn_on,
            reason=self.reason,
            withdrawn_by_person_id=self.withdrawn_by_person_id,
        )


class WithdrawalRead(ReadSchema):
    withdrawn_on: date
    reason: str
    withdrawn_by_person_id: uuid.UUID | None


class ConsentRead(ReadSchema):
    id: uuid.UUID
    family_id: uuid.UUID
    purpose: ConsentPurpose
    given_by_person_id: uuid.UUID
    on_behalf_of_person_ids: list[uuid.UUID]
    sharing_scope: SharingScope | None
    agency_codes: list[str]
    method: RecordingMethod
    given_on: date
    review_on: date | None
    notes: str | None
    withdrawal: WithdrawalRead | None
    version: int

    @classmethod
    def from_domain(cls, consent: Consent) -> ConsentRead:
        return cls(
            id=consent.id,
            family_id=consent.family_id,
            purpose=consent.purpose,
            given_by_person_id=consent.given_by_person_id,
            on_behalf_of_person_ids=list(consent.on_behalf_of_person_ids),
            sharing_scope=consent.sharing_scope,
            agency_codes=sorted(consent.agency_codes),
            method=consent.method,
            given_on=consent.given_on,
            review_on=consent.review_on,
            notes=consent.notes,
            withdrawal=WithdrawalRead.model_validate(consent.withdrawal)
            if consent.withdrawal
            else None,
            version=consent.version,
        )


class ConsentStatusRead(ReadSchema):
    purpose: ConsentPurpose
    agency_code: str | None
    on: date
    in_force: bool = Field(
        description="Whether consent for this purpose (and agency) is in force on the date."
    )
    consent_id: uuid.UUID | None = Field(
        description="The consent record that answers the question."
    )
    given_on: date | None = Field(description="When that consent was given.")
