"""Request and response shapes for consent records: to take part in early help, or to share
information (with all the Team Around the Family or named agencies), told apart by `purpose`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel
from pydantic.json_schema import SkipJsonSchema

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, Code, LongText, PageOf, ReadSchema, Schema, union_tags
from app.domain.consents import Consent, ConsentPurpose, RecordingMethod, SharingScope, Withdrawal
from app.services.dated import Dated

union_tags(*ConsentPurpose)

EARLY_HELP_IN = {
    "purpose": "early_help",
    "given_by_person_id": ex.SARAH,
    "on_behalf_of_person_ids": [ex.AVA],
    "method": "written",
    "given_on": "2026-01-12",
    "review_on": "2026-07-12",
}
SHARING_IN = {
    "purpose": "information_sharing",
    "sharing_scope": "named_agencies",
    "agency_codes": ["SCHOOL_ST_ANNES"],
    "given_by_person_id": ex.SARAH,
    "on_behalf_of_person_ids": [ex.AVA],
    "method": "written",
    "given_on": "2026-01-12",
}


class _ConsentIn(Schema):
    given_by_person_id: uuid.UUID = Field(description="The member who gave consent.")
    on_behalf_of_person_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=30, description="Children a parent or carer consented for."
    )
    method: RecordingMethod = Field(description="verbal, written or digital.")
    given_on: CaseDate | None = Field(
        default=None,
        description="The date consent was given: today (the council's) by default; not in the "
        "future.",
    )
    review_on: CaseDate | None = Field(default=None, description="When to check the consent again.")
    notes: LongText | None = Field(default=None, description="Anything the family asked to note.")

    def _domain(
        self,
        family_id: uuid.UUID,
        purpose: ConsentPurpose,
        scope: SharingScope | None,
        agency_codes: list[str],
    ) -> Dated[Consent]:
        def on(day: date) -> Consent:
            return self._consent(family_id, purpose, scope, agency_codes, day)

        return Dated(self.given_on, "given_on", on)

    def _consent(
        self,
        family_id: uuid.UUID,
        purpose: ConsentPurpose,
        scope: SharingScope | None,
        agency_codes: list[str],
        given_on: date,
    ) -> Consent:
        return Consent(
            id=uuid.uuid4(),
            family_id=family_id,
            purpose=purpose,
            given_by_person_id=self.given_by_person_id,
            given_on=given_on,
            method=self.method,
            on_behalf_of_person_ids=tuple(dict.fromkeys(self.on_behalf_of_person_ids)),
            sharing_scope=scope,
            agency_codes=frozenset(agency_codes),
            review_on=self.review_on,
            notes=self.notes,
        )


class EarlyHelpConsentCreate(_ConsentIn):
    """Consent to take part in early help."""

    model_config = ConfigDict(json_schema_extra=ex.examples(EARLY_HELP_IN))

    purpose: Literal["early_help"] = Field(description="Consent to take part in early help.")
    sharing_scope: SkipJsonSchema[None] = Field(
        default=None, description="Always null: only consent to share has a scope."
    )
    agency_codes: SkipJsonSchema[list[Code]] = Field(
        default_factory=list,
        max_length=0,
        description="Always empty (kept for older clients): only consent to share names agencies.",
    )

    def to_domain(self, family_id: uuid.UUID) -> Dated[Consent]:
        return self._domain(family_id, ConsentPurpose.EARLY_HELP, None, [])


class InformationSharingConsentCreate(_ConsentIn):
    """Consent to share information: with every Team Around the Family member, or with the
    agencies named."""

    model_config = ConfigDict(json_schema_extra=ex.examples(SHARING_IN))

    purpose: Literal["information_sharing"] = Field(description="Consent to share information.")
    sharing_scope: SharingScope = Field(
        description="all_taf_members, or named_agencies (then name them in agency_codes)."
    )
    agency_codes: list[Code] = Field(
        default_factory=list,
        max_length=50,
        description="For named_agencies: the agencies it may be shared with (GET /api/v1/agencies).",
    )

    def to_domain(self, family_id: uuid.UUID) -> Dated[Consent]:
        return self._domain(
            family_id, ConsentPurpose.INFORMATION_SHARING, self.sharing_scope, self.agency_codes
        )


class ConsentCreate(
    RootModel[
        Annotated[
            EarlyHelpConsentCreate | InformationSharingConsentCreate,
            Field(discriminator="purpose"),
        ]
    ]
):
    """Consent given by a member of the household, of one of two kinds told apart by `purpose`."""

    def to_domain(self, family_id: uuid.UUID) -> Dated[Consent]:
        return self.root.to_domain(family_id)


class WithdrawalIn(Schema):
    """The withdrawal of a consent."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "withdrawn_on": "2026-03-02",
                "reason": "Mum no longer wants the school told about home.",
                "withdrawn_by_person_id": ex.SARAH,
            }
        )
    )

    withdrawn_on: CaseDate | None = Field(
        default=None,
        description="Today (the council's) by default; not before the consent was given, not "
        "in the future.",
    )
    reason: LongText = Field(min_length=1, description="Why it was withdrawn, in their words.")
    withdrawn_by_person_id: uuid.UUID | None = Field(
        default=None, description="The member who withdrew it."
    )

    def to_domain(self) -> Dated[Withdrawal]:
        def on(day: date) -> Withdrawal:
            return Withdrawal(
                withdrawn_on=day,
                reason=self.reason,
                withdrawn_by_person_id=self.withdrawn_by_person_id,
            )

        return Dated(self.withdrawn_on, "withdrawn_on", on)


class WithdrawalRead(ReadSchema):
    """When and why a consent was withdrawn."""

    withdrawn_on: date = Field(description="The day it was withdrawn.")
    reason: str = Field(description="Why it was withdrawn.")
    withdrawn_by_person_id: uuid.UUID | None = Field(
        description="The member who withdrew it, if recorded."
    )
    recorded_at: datetime | None = Field(
        description="When the withdrawal was recorded (UTC), beside `withdrawn_on`."
    )


class _ConsentRead(ReadSchema):
    id: uuid.UUID = Field(description="The consent record's id.")
    family_id: uuid.UUID = Field(description="The family it belongs to.")
    given_by_person_id: uuid.UUID = Field(description="The member who gave it.")
    on_behalf_of_person_ids: list[uuid.UUID] = Field(
        description="Children a parent or carer consented for."
    )
    method: RecordingMethod = Field(description="How it was given: verbal, written or digital.")
    given_on: date = Field(description="The day it was given.")
    given_recorded_at: datetime | None = Field(
        description="When it was recorded (UTC), beside `given_on`."
    )
    review_on: date | None = Field(description="When to check it again; null when not set.")
    notes: str | None = Field(description="Notes recorded with it.")
    withdrawal: WithdrawalRead | None = Field(description="Its withdrawal; null while in force.")
    version: int = Field(description='The consent\'s version: its ETag is `"<version>"`.')


EARLY_HELP_READ = {
    "id": ex.CONSENT,
    "family_id": ex.FAMILY,
    "purpose": "early_help",
    "given_by_person_id": ex.SARAH,
    "on_behalf_of_person_ids": [ex.AVA],
    "sharing_scope": None,
    "agency_codes": [],
    "method": "written",
    "given_on": "2026-01-12",
    "given_recorded_at": "2026-01-12T09:20:00Z",
    "review_on": "2026-07-12",
    "notes": None,
    "withdrawal": None,
    "version": 1,
}
SHARING_READ = {
    **EARLY_HELP_READ,
    "id": ex.SHARING_CONSENT,
    "purpose": "information_sharing",
    "sharing_scope": "named_agencies",
    "agency_codes": ["SCHOOL_ST_ANNES"],
    "review_on": None,
}


class EarlyHelpConsentRead(_ConsentRead):
    """Consent to take part in early help."""

    model_config = ConfigDict(json_schema_extra=ex.examples(EARLY_HELP_READ))

    purpose: Literal["early_help"] = Field(description="Consent to take part in early help.")
    sharing_scope: SkipJsonSchema[None] = Field(
        description="Always null: only consent to share has a scope."
    )
    agency_codes: list[str] = Field(
        max_length=0, description="Always empty: only consent to share names agencies."
    )


class InformationSharingConsentRead(_ConsentRead):
    """Consent to share information, with its scope."""

    model_config = ConfigDict(json_schema_extra=ex.examples(SHARING_READ))

    purpose: Literal["information_sharing"] = Field(description="Consent to share information.")
    sharing_scope: SharingScope = Field(
        description="all_taf_members, or named_agencies (those in agency_codes)."
    )
    agency_codes: list[str] = Field(description="For named_agencies: the agencies named.")


class ConsentRead(
    RootModel[
        Annotated[
            EarlyHelpConsentRead | InformationSharingConsentRead, Field(discriminator="purpose")
        ]
    ]
):
    """A consent record, of one of two kinds told apart by `purpose`."""

    @classmethod
    def from_domain(cls, consent: Consent) -> ConsentRead:
        common: dict[str, Any] = {
            "id": consent.id,
            "family_id": consent.family_id,
            "given_by_person_id": consent.given_by_person_id,
            "on_behalf_of_person_ids": list(consent.on_behalf_of_person_ids),
            "method": consent.method,
            "given_on": consent.given_on,
            "given_recorded_at": consent.given_recorded_at,
            "review_on": consent.review_on,
            "notes": consent.notes,
            "withdrawal": WithdrawalRead.model_validate(consent.withdrawal)
            if consent.withdrawal
            else None,
            "version": consent.version,
        }
        if consent.purpose == ConsentPurpose.EARLY_HELP:
            return cls(
                EarlyHelpConsentRead(
                    purpose="early_help", sharing_scope=None, agency_codes=[], **common
                )
            )
        assert consent.sharing_scope is not None, "consent to share always has its scope"
        return cls(
            InformationSharingConsentRead(
                purpose="information_sharing",
                sharing_scope=consent.sharing_scope,
                agency_codes=sorted(consent.agency_codes),
                **common,
            )
        )


class ConsentPage(PageOf[ConsentRead]):
    """One page of consent records."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"items": [EARLY_HELP_READ, SHARING_READ], "next_cursor": None}
        )
    )


class ConsentStatusRead(ReadSchema):
    """Whether consent for a purpose (and agency) is in force on a date."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "purpose": "information_sharing",
                "agency_code": "SCHOOL_ST_ANNES",
                "on": "2026-02-02",
                "in_force": True,
                "consent_id": ex.SHARING_CONSENT,
                "given_on": "2026-01-12",
            }
        )
    )

    purpose: ConsentPurpose = Field(description="The purpose asked about.")
    agency_code: str | None = Field(description="The agency asked about, for information sharing.")
    on: date = Field(description="The date asked about.")
    in_force: bool = Field(
        description="Whether consent for this purpose (and agency) is in force on the date."
    )
    consent_id: uuid.UUID | None = Field(
        description="The consent record that answers the question."
    )
    given_on: date | None = Field(description="When that consent was given.")
