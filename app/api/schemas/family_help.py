"""Shapes of Family Help: an episode's type and statutory basis, its step-across history, the
role-typed allocations, the CIN census dates, s.47 enquiries and child protection plans."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate, Code, ReadSchema, Schema, ShortText
from app.domain.family_help import (
    Allocation,
    AllocationRole,
    CensusDates,
    ChildProtection,
    ChildProtectionPlan,
    EpisodeType,
    S47Enquiry,
    StatutoryBasis,
    Transition,
    TransitionKind,
)
from app.services.family_help import AllocationInput, FamilyHelpView, StepInput

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
CensusCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8)]


class StepAcrossIn(Schema):
    """A move to another episode type or statutory basis, on the same episode."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "to_type": "family_help",
                "to_basis": "s17",
                "effective_on": "2026-03-02",
                "decided_by": ex.MANAGER,
                "reason": "Needs now meet the child in need threshold: neglect concerns.",
                "threshold_document_version": "2026-04",
                "oversight_practitioner_id": ex.MANAGER,
                "oversight_role": "practice_supervisor",
            }
        )
    )

    kind: TransitionKind = Field(
        default=TransitionKind.STEP_ACROSS,
        description="step_across within familyhub; step_up_external or step_down_external when "
        "the statutory work is held in another system (its reference is then required).",
    )
    to_type: EpisodeType = Field(description="The episode type from the step on.")
    to_basis: StatutoryBasis = Field(description="The statutory basis from the step on.")
    effective_on: CaseDate | None = Field(
        default=None,
        description="The day it took effect: not in the future, not before the last step; today "
        "by default.",
    )
    decided_by: uuid.UUID = Field(
        description="Who decided: a registered social worker (manager or practice supervisor) "
        "for a change of statutory basis."
    )
    reason: Reason = Field(description="Why the episode moves.")
    threshold_document_version: Code | None = Field(
        default=None,
        description="The threshold document version applied; the council's current one "
        "(FAMILYHUB_THRESHOLD_DOCUMENT_VERSION) by default.",
    )
    external_system: ShortText | None = Field(
        default=None, description="The other system, on an external step."
    )
    external_reference: ShortText | None = Field(
        default=None, description="The case's reference in the other system, on an external step."
    )
    lead_child_protection_practitioner_id: uuid.UUID | None = Field(
        default=None,
        description="Moving to s47: the lead child protection practitioner (a registered social "
        "worker), unless one is allocated already.",
    )
    oversight_practitioner_id: uuid.UUID | None = Field(
        default=None,
        description="Moving to s17: the social-work-qualified oversight, unless allocated already.",
    )
    oversight_role: AllocationRole = Field(
        default=AllocationRole.PRACTICE_SUPERVISOR,
        description="oversight_manager or practice_supervisor.",
    )
    cin_closure_reason_code: CensusCode | None = Field(
        default=None,
        description="Leaving s17 or s47 for no statutory basis: the CIN census reason for "
        "closure (RC1...).",
    )

    def to_input(self) -> StepInput:
        return StepInput(
            kind=self.kind,
            to_type=self.to_type,
            to_basis=self.to_basis,
            decided_by=self.decided_by,
            reason=self.reason,
            effective_on=self.effective_on,
            threshold_document_version=self.threshold_document_version,
            external_system=self.external_system,
            external_reference=self.external_reference,
            lead_child_protection_practitioner_id=self.lead_child_protection_practitioner_id,
            oversight_practitioner_id=self.oversight_practitioner_id,
            oversight_role=self.oversight_role,
            cin_closure_reason_code=self.cin_closure_reason_code,
        )


class AllocationIn(Schema):
    """A practitioner, from any agency, given a role on the episode."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "practitioner_id": ex.SCHOOL_WORKER,
                "role": "family_help_lead_practitioner",
                "started_on": "2026-03-02",
                "chosen_with_family": True,
                "family_choice_note": "Ava asked for Grace, whom she knows from school.",
            }
        )
    )

    practitioner_id: uuid.UUID = Field(description="Who.")
    role: AllocationRole = Field(description="In which role.")
    started_on: CaseDate | None = Field(
        default=None, description="From when: not in the future; today by default."
    )
    chosen_with_family: bool | None = Field(
        default=None,
        description="Family help lead practitioner only, and required for it: whether the family "
        "had a say in the choice.",
    )
    family_choice_note: Reason | None = Field(
        default=None, description="What the family said about the choice."
    )

    def to_input(self) -> AllocationInput:
        return AllocationInput(
            practitioner_id=self.practitioner_id,
            role=self.role,
            started_on=self.started_on,
            chosen_with_family=self.chosen_with_family,
            family_choice_note=self.family_choice_note,
        )


class AllocationEndIn(Schema):
    """The end of a practitioner's role on the episode."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples({"ended_on": "2026-05-01", "reason": "Work completed."})
    )

    ended_on: CaseDate | None = Field(default=None, description="When; today by default.")
    reason: Reason | None = Field(default=None, description="Why the role ends.")


class CensusDatesIn(Schema):
    """The child in need period's CIN census dates (replacing those recorded)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "referral_on": "2026-03-02",
                "referral_source_code": "2A",
                "primary_need_code": "N4",
                "assessment_started_on": "2026-03-03",
                "assessment_authorised_on": "2026-04-10",
                "plan_started_on": "2026-04-14",
            }
        )
    )

    referral_on: CaseDate | None = Field(default=None, description="CINreferralDate.")
    referral_source_code: CensusCode | None = Field(default=None, description="ReferralSource.")
    primary_need_code: CensusCode | None = Field(default=None, description="PrimaryNeedCode.")
    assessment_started_on: CaseDate | None = Field(
        default=None, description="AssessmentActualStartDate."
    )
    assessment_authorised_on: CaseDate | None = Field(
        default=None, description="AssessmentAuthorisationDate."
    )
    plan_started_on: CaseDate | None = Field(default=None, description="CINPlanStartDate.")
    plan_ended_on: CaseDate | None = Field(default=None, description="CINPlanEndDate.")
    closed_on: CaseDate | None = Field(default=None, description="CINclosureDate.")
    closure_reason_code: CensusCode | None = Field(default=None, description="ReasonForClosure.")

    def to_domain(self) -> CensusDates:
        return CensusDates(**self.model_dump())


class S47EnquiryIn(Schema):
    """One s.47 enquiry (CIN census module Section47)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {"started_on": "2026-03-10", "icpc_not_required": False, "icpc_on": "2026-03-24"}
        )
    )

    started_on: CaseDate = Field(description="S47ActualStartDate: the strategy discussion.")
    icpc_not_required: bool = Field(
        default=False,
        description="ICPCnotRequired: the enquiry ended without an initial child protection "
        "conference.",
    )
    icpc_on: CaseDate | None = Field(
        default=None, description="DateOfInitialCPC (none while to come, or if not required)."
    )

    def to_domain(self) -> S47Enquiry:
        return S47Enquiry(**self.model_dump())


class ChildProtectionPlanIn(Schema):
    """One child protection plan (CIN census modules ChildProtectionPlans and Reviews)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "started_on": "2026-03-24",
                "initial_category_code": "NEG",
                "latest_category_code": "NEG",
                "ended_on": None,
                "review_dates": ["2026-06-16"],
            }
        )
    )

    started_on: CaseDate = Field(description="CPPstartDate.")
    initial_category_code: CensusCode = Field(description="InitialCategoryOfAbuse.")
    latest_category_code: CensusCode | None = Field(
        default=None, description="LatestCategoryOfAbuse (when it changed at a review)."
    )
    ended_on: CaseDate | None = Field(default=None, description="CPPendDate (none: current).")
    review_dates: list[CaseDate] = Field(
        default_factory=list, max_length=100, description="CPPreviewDate: every review held."
    )

    def to_domain(self) -> ChildProtectionPlan:
        return ChildProtectionPlan(
            started_on=self.started_on,
            initial_category_code=self.initial_category_code,
            latest_category_code=self.latest_category_code,
            ended_on=self.ended_on,
            review_dates=tuple(self.review_dates),
        )


class ChildProtectionIn(Schema):
    """The child in need period's s.47 enquiries and child protection plans (replacing those
    recorded)."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "s47_enquiries": [
                    {
                        "started_on": "2026-03-10",
                        "icpc_not_required": False,
                        "icpc_on": "2026-03-24",
                    }
                ],
                "child_protection_plans": [
                    {
                        "started_on": "2026-03-24",
                        "initial_category_code": "NEG",
                        "review_dates": ["2026-06-16"],
                    }
                ],
            }
        )
    )

    s47_enquiries: list[S47EnquiryIn] = Field(
        default_factory=list, max_length=50, description="Every s.47 enquiry of the period."
    )
    child_protection_plans: list[ChildProtectionPlanIn] = Field(
        default_factory=list, max_length=50, description="Every child protection plan of it."
    )

    def to_domain(self) -> ChildProtection:
        return ChildProtection(
            s47_enquiries=tuple(e.to_domain() for e in self.s47_enquiries),
            plans=tuple(p.to_domain() for p in self.child_protection_plans),
        )


class S47EnquiryRead(ReadSchema):
    """One s.47 enquiry of the child in need period."""

    started_on: date = Field(description="S47ActualStartDate.")
    icpc_not_required: bool = Field(description="ICPCnotRequired.")
    icpc_on: date | None = Field(description="DateOfInitialCPC.")


class ChildProtectionPlanRead(ReadSchema):
    """One child protection plan of the child in need period."""

    started_on: date = Field(description="CPPstartDate.")
    initial_category_code: str = Field(description="InitialCategoryOfAbuse.")
    latest_category_code: str | None = Field(description="LatestCategoryOfAbuse.")
    ended_on: date | None = Field(description="CPPendDate (null: current).")
    review_dates: list[date] = Field(description="CPPreviewDate, oldest first.")


class ChildProtectionRead(ReadSchema):
    """The s.47 enquiries and child protection plans of the child in need period, by date."""

    s47_enquiries: list[S47EnquiryRead] = Field(description="The s.47 enquiries.")
    child_protection_plans: list[ChildProtectionPlanRead] = Field(
        description="The child protection plans."
    )

    @classmethod
    def from_domain(cls, cp: ChildProtection) -> ChildProtectionRead:
        return cls(
            s47_enquiries=[
                S47EnquiryRead(
                    started_on=e.started_on,
                    icpc_not_required=e.icpc_not_required,
                    icpc_on=e.icpc_on,
                )
                for e in cp.s47_enquiries
            ],
            child_protection_plans=[
                ChildProtectionPlanRead(
                    started_on=p.started_on,
                    initial_category_code=p.initial_category_code,
                    latest_category_code=p.latest_category_code,
                    ended_on=p.ended_on,
                    review_dates=list(p.review_dates),
                )
                for p in cp.plans
            ],
        )


class TransitionRead(ReadSchema):
    """One step across (or up or down to another system)."""

    id: uuid.UUID = Field(description="Its id.")
    kind: TransitionKind = Field(description="Across, or up or down to another system.")
    from_type: EpisodeType = Field(description="Type before.")
    to_type: EpisodeType = Field(description="Type after.")
    from_basis: StatutoryBasis = Field(description="Basis before.")
    to_basis: StatutoryBasis = Field(description="Basis after.")
    effective_on: date = Field(description="When it took effect.")
    decided_by: uuid.UUID = Field(description="Who decided.")
    decided_by_name: str | None = Field(description="Their name.")
    reason: str = Field(description="Why.")
    threshold_document_version: str = Field(description="The threshold document applied.")
    external_system: str | None = Field(description="The other system, on an external step.")
    external_reference: str | None = Field(description="Its reference there.")
    recorded_at: datetime | None = Field(description="When it was recorded.")

    @classmethod
    def from_domain(cls, t: Transition, names: dict[uuid.UUID, str]) -> TransitionRead:
        return cls(
            id=t.id,
            kind=t.kind,
            from_type=t.from_type,
            to_type=t.to_type,
            from_basis=t.from_basis,
            to_basis=t.to_basis,
            effective_on=t.effective_on,
            decided_by=t.decided_by,
            decided_by_name=names.get(t.decided_by),
            reason=t.reason,
            threshold_document_version=t.threshold_document_version,
            external_system=t.external_system,
            external_reference=t.external_reference,
            recorded_at=t.recorded_at,
        )


class AllocationRead(ReadSchema):
    """A practitioner's role on the episode, current or ended."""

    id: uuid.UUID = Field(description="Its id.")
    practitioner_id: uuid.UUID = Field(description="Who.")
    practitioner_name: str | None = Field(description="Their name.")
    role: AllocationRole = Field(description="The role.")
    started_on: date = Field(description="From.")
    ended_on: date | None = Field(description="Until (null: current).")
    chosen_with_family: bool | None = Field(
        description="Whether the family had a say (family help lead; null: not asked)."
    )
    family_choice_note: str | None = Field(description="What the family said.")
    end_reason: str | None = Field(description="Why it ended.")

    @classmethod
    def from_domain(cls, a: Allocation, names: dict[uuid.UUID, str]) -> AllocationRead:
        return cls(
            id=a.id,
            practitioner_id=a.practitioner_id,
            practitioner_name=names.get(a.practitioner_id),
            role=a.role,
            started_on=a.started_on,
            ended_on=a.ended_on,
            chosen_with_family=a.chosen_with_family,
            family_choice_note=a.family_choice_note,
            end_reason=a.end_reason,
        )


class CensusDatesRead(ReadSchema):
    """The CIN census dates of the episode's child in need period (null until it has one)."""

    referral_on: date | None = Field(description="CINreferralDate.")
    referral_source_code: str | None = Field(description="ReferralSource.")
    primary_need_code: str | None = Field(description="PrimaryNeedCode.")
    assessment_started_on: date | None = Field(description="AssessmentActualStartDate.")
    assessment_authorised_on: date | None = Field(description="AssessmentAuthorisationDate.")
    plan_started_on: date | None = Field(description="CINPlanStartDate.")
    plan_ended_on: date | None = Field(description="CINPlanEndDate.")
    closed_on: date | None = Field(description="CINclosureDate.")
    closure_reason_code: str | None = Field(description="ReasonForClosure.")


class FamilyHelpRead(ReadSchema):
    """An episode's Family Help record."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "episode_id": ex.EPISODE,
                "family_help_enabled": True,
                "episode_type": "family_help",
                "episode_type_name": "Family Help",
                "statutory_basis": "none",
                "statutory_basis_name": "Targeted help",
                "transitions": [],
                "allocations": [
                    {
                        "id": ex.EPISODE,
                        "practitioner_id": ex.SCHOOL_WORKER,
                        "practitioner_name": "Grace Hughes",
                        "role": "family_help_lead_practitioner",
                        "started_on": "2026-03-02",
                        "ended_on": None,
                        "chosen_with_family": True,
                        "family_choice_note": None,
                        "end_reason": None,
                    }
                ],
                "census": {
                    "referral_on": None,
                    "referral_source_code": None,
                    "primary_need_code": None,
                    "assessment_started_on": None,
                    "assessment_authorised_on": None,
                    "plan_started_on": None,
                    "plan_ended_on": None,
                    "closed_on": None,
                    "closure_reason_code": None,
                },
                "child_protection": {"s47_enquiries": [], "child_protection_plans": []},
                "version": 1,
            }
        )
    )

    episode_id: uuid.UUID = Field(description="The episode.")
    family_help_enabled: bool = Field(description="Whether the council runs Family Help.")
    episode_type: EpisodeType = Field(description="early_help or family_help.")
    episode_type_name: str = Field(description="What the council calls it.")
    statutory_basis: StatutoryBasis = Field(description="none, s17 or s47.")
    statutory_basis_name: str = Field(description="What the council calls it.")
    transitions: list[TransitionRead] = Field(description="Every step across, oldest first.")
    allocations: list[AllocationRead] = Field(description="Every allocation, in order made.")
    census: CensusDatesRead = Field(description="The CIN census dates.")
    child_protection: ChildProtectionRead = Field(
        description="The period's s.47 enquiries and child protection plans."
    )
    version: int = Field(
        description='The record\'s version: its ETag is `"<version>"` (0 before its first change).'
    )

    @classmethod
    def from_view(cls, view: FamilyHelpView) -> FamilyHelpRead:
        r, names, policy = view.record, view.practitioner_names, view.policy
        c = r.census
        return cls(
            episode_id=r.episode_id,
            family_help_enabled=policy.enabled,
            episode_type=r.episode_type,
            episode_type_name=policy.type_name(r.episode_type),
            statutory_basis=r.statutory_basis,
            statutory_basis_name=policy.basis_name(r.statutory_basis),
            transitions=[TransitionRead.from_domain(t, names) for t in r.transitions],
            allocations=[AllocationRead.from_domain(a, names) for a in r.allocations],
            census=CensusDatesRead(
                referral_on=c.referral_on,
                referral_source_code=c.referral_source_code,
                primary_need_code=c.primary_need_code,
                assessment_started_on=c.assessment_started_on,
                assessment_authorised_on=c.assessment_authorised_on,
                plan_started_on=c.plan_started_on,
                plan_ended_on=c.plan_ended_on,
                closed_on=c.closed_on,
                closure_reason_code=c.closure_reason_code,
            ),
            child_protection=ChildProtectionRead.from_domain(r.child_protection),
            version=r.version,
        )


CIN_CENSUS_COLUMNS = (
    "LAchildID",
    "UPN",
    "NHSNumber",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "GenderCurrent",
    "Ethnicity",
    "Disabilities",
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "AssessmentActualStartDate",
    "AssessmentAuthorisationDate",
    "CINPlanStartDate",
    "CINPlanEndDate",
    "S47ActualStartDate",
    "ICPCnotRequired",
    "DateOfInitialCPC",
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "CPPreviewDate",
    "CINclosureDate",
    "ReasonForClosure",
    "FamilyhubEpisodeID",
)
"""The CIN census child-level items the extract carries (DfE item names; NHSNumber is the
consistent identifier, not a census item), and the episode. docs/family-help.md lists them."""
