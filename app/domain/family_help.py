"""Family Help: an episode's type and statutory basis, step-across, role-typed allocations and the
CIN census dates of s.17 work.

Since the Families First Partnership programme (April 2025) councils merge targeted early help and
child in need (s.17 Children Act 1989) into one Family Help service (shared/domain/families-first.md
§2.1 R1-R2). An episode therefore carries a type (`early_help` | `family_help`) and a statutory
basis (`none` | `s17` | `s47`), changed by dated step-across transitions on the same episode so that
the assessment, the plan, the TAF and the clocks carry on (§3.1 items 1-2, an [I] design). Where the
statutory work is held in another system, stepping up or down is a transition that records that
system's reference instead of closing the episode. The lead practitioner may come from any agency;
s.17 work sits under a social-work-qualified oversight manager or practice supervisor, and s.47
work is led by a lead child protection practitioner who is a registered social worker, with the
family help lead practitioner co-working (§2.2 R10-R12, R17; §3.2 items 7-9). s.17 episodes carry
census-grade dates whoever leads them (R31-R32, §3.1 item 3).

Whether a council is on Family Help at all is policy (`FamilyHelpPolicy`), never a constant.
Nothing here reads the clock: every step is told the date it happened.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise
from typing import Final

from app.domain.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from app.domain.step_dates import PreviousStep, check_step_order

# --- vocabulary ----------------------------------------------------------------------------------


class EpisodeType(StrEnum):
    """Which service the episode belongs to (families-first.md §3.1 item 1)."""

    EARLY_HELP = "early_help"
    FAMILY_HELP = "family_help"


class StatutoryBasis(StrEnum):
    """The statutory footing of the help: targeted (none), child in need (s.17), or a s.47 enquiry
    or child protection plan (families-first.md §3.1 item 1)."""

    NONE = "none"
    S17 = "s17"
    S47 = "s47"


class TransitionKind(StrEnum):
    """How the episode moved: across within familyhub, or up or down to statutory work held in
    another system (families-first.md §3.1 item 2, "keep step up to CSC and step down")."""

    STEP_ACROSS = "step_across"
    STEP_UP_EXTERNAL = "step_up_external"
    STEP_DOWN_EXTERNAL = "step_down_external"


EXTERNAL_KINDS: Final = frozenset(
    {TransitionKind.STEP_UP_EXTERNAL, TransitionKind.STEP_DOWN_EXTERNAL}
)


class AllocationRole(StrEnum):
    """The role a practitioner holds on an episode (families-first.md §3.2 item 8)."""

    FAMILY_HELP_LEAD_PRACTITIONER = "family_help_lead_practitioner"
    LEAD_CHILD_PROTECTION_PRACTITIONER = "lead_child_protection_practitioner"
    CO_WORKER = "co_worker"
    OVERSIGHT_MANAGER = "oversight_manager"
    PRACTICE_SUPERVISOR = "practice_supervisor"

    @property
    def words(self) -> str:
        """The role as a sentence names it ("co-worker")."""
        return "co-worker" if self is AllocationRole.CO_WORKER else self.value.replace("_", " ")


SINGLE_HOLDER_ROLES: Final = frozenset(
    {
        AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
        AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
    }
)
"""Roles one practitioner holds at a time: a new allocation hands the role over."""

OVERSIGHT_ROLES: Final = frozenset(
    {AllocationRole.OVERSIGHT_MANAGER, AllocationRole.PRACTICE_SUPERVISOR}
)
"""Either satisfies the s.17 oversight rule (R10, R11: "manager or practice supervisor")."""

SOCIAL_WORK_ROLES: Final = OVERSIGHT_ROLES | {AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER}
"""Roles only a registered social worker may hold (R10-R12)."""

STATUTORY_BASES: Final = frozenset({StatutoryBasis.S17, StatutoryBasis.S47})
"""Bases that put the child in the CIN census (R31: child protection is part of child in need)."""


# --- policy --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyHelpPolicy:
    """Whether this council runs Family Help, and the threshold document in force.

    Councils move to Family Help in phases (families-first.md §3.6, "do not assume Family Help
    replaces early help everywhere"): off, episodes stay `early_help` with no statutory basis and
    nothing here can change that, which is today's behaviour.
    """

    enabled: bool = False
    threshold_document_version: str | None = None
    type_names: Mapping[EpisodeType, str] = field(
        default_factory=lambda: {
            EpisodeType.EARLY_HELP: "Early Help",
            EpisodeType.FAMILY_HELP: "Family Help",
        }
    )
    basis_names: Mapping[StatutoryBasis, str] = field(
        default_factory=lambda: {
            StatutoryBasis.NONE: "Targeted help",
            StatutoryBasis.S17: "Child in need (s.17)",
            StatutoryBasis.S47: "Child protection (s.47)",
        }
    )

    @property
    def new_episode_type(self) -> EpisodeType:
        """The type a new episode opens with."""
        return EpisodeType.FAMILY_HELP if self.enabled else EpisodeType.EARLY_HELP

    def type_name(self, episode_type: EpisodeType) -> str:
        return self.type_names.get(episode_type, episode_type.value)

    def basis_name(self, basis: StatutoryBasis) -> str:
        return self.basis_names.get(basis, basis.value)


# --- who may hold a role -------------------------------------------------------------------------

_SWE_NUMBER: Final = re.compile(r"^SW\d{1,7}$")


def normalise_registration_number(number: str | None, *, registered: bool) -> str | None:
    """A Social Work England registration number ("SW" and digits), kept only for registered
    social workers (families-first.md §3.2 item 7: optional; the format is [U], from the public
    register's numbering)."""
    if number is None or not number.strip():
        return None
    cleaned = re.sub(r"[\s-]", "", number).upper()
    if not registered:
        raise InvalidValue(
            "A social work registration number is recorded only for a registered social worker.",
            field="social_work_registration_number",
            code="registration_number_without_registration",
        )
    if not _SWE_NUMBER.match(cleaned):
        raise InvalidValue(
            "A Social Work England registration number is 'SW' followed by digits (SW12345).",
            field="social_work_registration_number",
            code="registration_number_format",
        )
    return cleaned


@dataclass(frozen=True)
class Candidate:
    """What the rules need to know about a practitioner proposed for a role or a decision."""

    practitioner_id: uuid.UUID
    active: bool
    can_lead: bool
    registered_social_worker: bool


def check_can_hold(role: AllocationRole, candidate: Candidate, *, field_name: str) -> None:
    """Anyone active from any agency may be a co-worker; a family help lead must be able to lead an
    episode (R10: any discipline, including outside the council); oversight and child protection
    lead roles need a registered social worker (R10-R12)."""
    if not candidate.active:
        raise InvalidValue(
            "This practitioner is not active.", field=field_name, code="allocation_inactive"
        )
    if role is AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER and not candidate.can_lead:
        raise InvalidValue(
            "A family help lead practitioner must be a practitioner who can lead an episode.",
            field=field_name,
            code="lead_not_eligible",
        )
    if role in SOCIAL_WORK_ROLES and not candidate.registered_social_worker:
        raise InvalidValue(
            f"A {_ROLE_WORDS[role]} must be a registered social worker (Working Together 2023).",
            field=field_name,
            code="social_worker_required",
        )


_ROLE_WORDS: Final[dict[AllocationRole, str]] = {
    AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER: "family help lead practitioner",
    AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER: "lead child protection practitioner",
    AllocationRole.CO_WORKER: "co-worker",
    AllocationRole.OVERSIGHT_MANAGER: "oversight manager",
    AllocationRole.PRACTICE_SUPERVISOR: "practice supervisor",
}


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """One practitioner in one role on the episode, from `started_on` until `ended_on`."""

    id: uuid.UUID
    practitioner_id: uuid.UUID
    role: AllocationRole
    started_on: date
    ended_on: date | None = None
    chosen_with_family: bool | None = None
    """Whether the family (children included) had a say in the choice (R14); null when not asked,
    as for a lead carried over from before Family Help."""
    family_choice_note: str | None = None
    end_reason: str | None = None
    recorded_at: datetime | None = None

    def active_on(self, on: date) -> bool:
        return self.started_on <= on and (self.ended_on is None or self.ended_on > on)

    @property
    def current(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class Transition:
    """One dated change of type or basis: who decided, why, and under which threshold document."""

    id: uuid.UUID
    kind: TransitionKind
    from_type: EpisodeType
    to_type: EpisodeType
    from_basis: StatutoryBasis
    to_basis: StatutoryBasis
    effective_on: date
    decided_by: uuid.UUID
    reason: str
    threshold_document_version: str
    external_system: str | None = None
    external_reference: str | None = None
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class CensusDates:
    """The CIN census dates of the episode's child in need period (R31; DfE CIN census items
    CINreferralDate, AssessmentActualStartDate, AssessmentAuthorisationDate, CINPlanStartDate,
    CINPlanEndDate, CINclosureDate, ReasonForClosure; codes are reference data)."""

    referral_on: date | None = None
    referral_source_code: str | None = None
    primary_need_code: str | None = None
    assessment_started_on: date | None = None
    assessment_authorised_on: date | None = None
    plan_started_on: date | None = None
    plan_ended_on: date | None = None
    closed_on: date | None = None
    closure_reason_code: str | None = None


@dataclass(frozen=True)
class CensusCodes:
    """The census code lists in force (reference data, app/data/cin_census_codes.json), and how
    the people register's own values for sex and ethnicity read as census codes."""

    referral_sources: frozenset[str]
    primary_needs: frozenset[str]
    closure_reasons: frozenset[str]
    categories_of_abuse: frozenset[str] = frozenset()
    disabilities: frozenset[str] = frozenset()
    ethnicities: frozenset[str] = frozenset()
    ethnicity_from_people: Mapping[str, str] = field(default_factory=dict)
    ethnicity_not_recorded: str | None = None
    gender_from_sex: Mapping[str, str] = field(default_factory=dict)
    gender_not_known: str | None = None
    gender_unborn: str | None = None


@dataclass(frozen=True)
class S47Enquiry:
    """One s.47 enquiry of the child in need period (CIN census module Section47:
    S47ActualStartDate, ICPCnotRequired, DateOfInitialCPC). Whether the conference led to a
    plan is the child protection plan that follows it."""

    started_on: date
    icpc_not_required: bool = False
    icpc_on: date | None = None


@dataclass(frozen=True)
class ChildProtectionPlan:
    """One child protection plan of the child in need period (CIN census modules
    ChildProtectionPlans and Reviews: CPPstartDate, CPPendDate, InitialCategoryOfAbuse,
    LatestCategoryOfAbuse, CPPreviewDate)."""

    started_on: date
    initial_category_code: str
    latest_category_code: str | None = None
    ended_on: date | None = None
    review_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class ChildProtection:
    """The s.47 enquiries and child protection plans of the child in need period, each kind in
    date order."""

    s47_enquiries: tuple[S47Enquiry, ...] = ()
    plans: tuple[ChildProtectionPlan, ...] = ()

    @property
    def recorded(self) -> bool:
        return bool(self.s47_enquiries or self.plans)


def check_census_dates(dates: CensusDates, codes: CensusCodes, *, today: date) -> CensusDates:
    """The census's own ordering rules: nothing in the future; assessment start, plan start and
    closure not before the referral (CIN validation rules 1103, 4015 and the closure rule);
    authorisation not before the assessment start; plan end not before its start; closure with a
    reason and a reason only with a closure; codes from the census lists."""
    named = {
        "referral_on": dates.referral_on,
        "assessment_started_on": dates.assessment_started_on,
        "assessment_authorised_on": dates.assessment_authorised_on,
        "plan_started_on": dates.plan_started_on,
        "plan_ended_on": dates.plan_ended_on,
        "closed_on": dates.closed_on,
    }
    for name, on in named.items():
        if on is not None and on > today:
            raise InvalidValue(
                "A census date cannot be in the future.", field=name, code="date_in_future"
            )
    if dates.referral_on is None and any(on is not None for on in named.values()):
        raise InvalidValue(
            "Give the CIN referral date before any other census date.",
            field="referral_on",
            code="census_referral_required",
        )
    order = (
        ("assessment_started_on", dates.assessment_started_on, dates.referral_on, "the referral"),
        (
            "assessment_authorised_on",
            dates.assessment_authorised_on,
            dates.assessment_started_on or dates.referral_on,
            "the assessment started",
        ),
        ("plan_started_on", dates.plan_started_on, dates.referral_on, "the referral"),
        ("plan_ended_on", dates.plan_ended_on, dates.plan_started_on, "the plan started"),
        (
            "closed_on",
            dates.closed_on,
            _latest(on for name, on in named.items() if name != "closed_on"),
            "every other census date",
        ),
    )
    for name, on, earliest, what in order:
        if on is not None and earliest is not None and on < earliest:
            raise InvalidValue(
                f"This census date cannot be before {what} ({earliest.isoformat()}).",
                field=name,
                code="census_date_out_of_order",
            )
    if dates.assessment_authorised_on is not None and dates.assessment_started_on is None:
        raise InvalidValue(
            "An assessment is authorised only once it has started.",
            field="assessment_started_on",
            code="census_assessment_start_required",
        )
    if dates.plan_ended_on is not None and dates.plan_started_on is None:
        raise InvalidValue(
            "A CIN plan ends only once it has started.",
            field="plan_started_on",
            code="census_plan_start_required",
        )
    if (dates.closed_on is None) != (dates.closure_reason_code is None):
        raise InvalidValue(
            "A CIN closure needs its reason, and a reason needs the closure date.",
            field="closure_reason_code",
            code="census_closure_reason_required",
        )
    _check_code(dates.referral_source_code, codes.referral_sources, "referral_source_code")
    _check_code(dates.primary_need_code, codes.primary_needs, "primary_need_code")
    _check_code(dates.closure_reason_code, codes.closure_reasons, "closure_reason_code")
    return dates


def check_child_protection(
    cp: ChildProtection, census: CensusDates, codes: CensusCodes, *, today: date
) -> ChildProtection:
    """The census's rules for s.47 enquiries and child protection plans, within the child in need
    period: nothing in the future; nothing before the referral or after the closure; a conference
    not before its enquiry, and no conference date where none was needed; a plan not ending before
    it starts, reviewed only while it runs, one plan at a time, ended when the period closes;
    categories of abuse from the census list. Each kind comes back in date order."""
    if not cp.recorded:
        return cp
    start, closed = census.referral_on, census.closed_on
    if start is None:
        raise InvalidValue(
            "Give the CIN referral date before any s.47 enquiry or child protection plan.",
            field="referral_on",
            code="census_referral_required",
        )

    def within(on: date | None, name: str, *, not_before: date, what: str) -> None:
        if on is None:
            return
        if on > today:
            raise InvalidValue(
                "A census date cannot be in the future.", field=name, code="date_in_future"
            )
        if on < not_before:
            raise InvalidValue(
                f"This census date cannot be before {what} ({not_before.isoformat()}).",
                field=name,
                code="census_date_out_of_order",
            )
        if closed is not None and on > closed:
            raise InvalidValue(
                f"This census date cannot be after the CIN closure ({closed.isoformat()}).",
                field=name,
                code="census_date_out_of_order",
            )

    for i, enquiry in enumerate(cp.s47_enquiries):
        at = f"s47_enquiries[{i}]"
        within(enquiry.started_on, f"{at}.started_on", not_before=start, what="the referral")
        if enquiry.icpc_not_required and enquiry.icpc_on is not None:
            raise InvalidValue(
                "An enquiry that needed no initial child protection conference has no conference "
                "date.",
                field=f"{at}.icpc_on",
                code="icpc_date_without_conference",
            )
        within(
            enquiry.icpc_on,
            f"{at}.icpc_on",
            not_before=enquiry.started_on,
            what="the enquiry started",
        )
    for i, plan in enumerate(cp.plans):
        at = f"child_protection_plans[{i}]"
        within(plan.started_on, f"{at}.started_on", not_before=start, what="the referral")
        within(plan.ended_on, f"{at}.ended_on", not_before=plan.started_on, what="the plan started")
        if closed is not None and plan.ended_on is None:
            raise InvalidValue(
                "The child in need period is closed: its child protection plans have ended.",
                field=f"{at}.ended_on",
                code="cp_plan_end_required",
            )
        _check_code(
            plan.initial_category_code, codes.categories_of_abuse, f"{at}.initial_category_code"
        )
        _check_code(
            plan.latest_category_code, codes.categories_of_abuse, f"{at}.latest_category_code"
        )
        for j, review in enumerate(plan.review_dates):
            within(
                review,
                f"{at}.review_dates[{j}]",
                not_before=plan.started_on,
                what="the plan started",
            )
            if plan.ended_on is not None and review > plan.ended_on:
                raise InvalidValue(
                    f"A plan is reviewed only while it runs (it ended {plan.ended_on.isoformat()}).",
                    field=f"{at}.review_dates[{j}]",
                    code="census_date_out_of_order",
                )
    order = sorted(range(len(cp.plans)), key=lambda k: cp.plans[k].started_on)
    for before, after in pairwise(order):
        earlier, later = cp.plans[before], cp.plans[after]
        if earlier.ended_on is None or later.started_on < earlier.ended_on:
            raise InvalidValue(
                "A child has one child protection plan at a time: this one starts before the "
                "one before it ended.",
                field=f"child_protection_plans[{after}].started_on",
                code="cp_plans_overlap",
            )
    return ChildProtection(
        s47_enquiries=tuple(sorted(cp.s47_enquiries, key=lambda e: e.started_on)),
        plans=tuple(
            replace(p, review_dates=tuple(sorted(set(p.review_dates))))
            for p in sorted(cp.plans, key=lambda p: p.started_on)
        ),
    )


def census_gender(
    sex: str | None, *, born_on: date | None, expected_on: date | None, codes: CensusCodes
) -> str | None:
    """The census GenderCurrent of a child from the register's sex: "not known" for an unborn
    child (CIN validation rule 8750) and for a sex the code list does not map."""
    if born_on is None and expected_on is not None:
        return codes.gender_unborn
    key = (sex or "").strip().lower()
    return codes.gender_from_sex.get(key, codes.gender_not_known)


def census_ethnicity(ethnicity: str | None, codes: CensusCodes) -> str | None:
    """The census Ethnicity of a child from the register's free-text ethnicity: a census code
    as given, a suggested (ONS 2021) value mapped to its census code, "information not yet
    obtained" when nothing is recorded, and None (blank, for the council to correct before
    the return) for anything else."""
    text = (ethnicity or "").strip()
    if not text:
        return codes.ethnicity_not_recorded
    if text.upper() in codes.ethnicities:
        return text.upper()
    return codes.ethnicity_from_people.get(text.lower())


def _latest(dates: Iterable[date | None]) -> date | None:
    return max((d for d in dates if d is not None), default=None)


def _check_code(code: str | None, allowed: frozenset[str], field_name: str) -> None:
    if code is not None and code not in allowed:
        shown = ", ".join(sorted(allowed)) or "none configured"
        raise InvalidValue(
            f"'{code}' is not a CIN census code this council uses (allowed: {shown}).",
            field=field_name,
            code="census_code_unknown",
        )


# --- the aggregate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRequest:
    """What a step-across asks for: the new type and basis, when, who decided, why, and whoever the
    new basis needs in post (a lead child protection practitioner for s.47, an oversight manager
    or practice supervisor for s.17) when they are not allocated already."""

    kind: TransitionKind
    to_type: EpisodeType
    to_basis: StatutoryBasis
    effective_on: date
    decided_by: Candidate
    reason: str
    threshold_document_version: str | None = None
    external_system: str | None = None
    external_reference: str | None = None
    lead_child_protection_practitioner: Candidate | None = None
    oversight: Candidate | None = None
    oversight_role: AllocationRole = AllocationRole.PRACTICE_SUPERVISOR
    cin_closure_reason_code: str | None = None


@dataclass
class FamilyHelpRecord:
    """An episode's Family Help facts: type, basis, their transitions, the allocations and the CIN
    census dates. One per episode; `version` 0 until first stored."""

    episode_id: uuid.UUID
    episode_type: EpisodeType = EpisodeType.EARLY_HELP
    statutory_basis: StatutoryBasis = StatutoryBasis.NONE
    transitions: list[Transition] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    census: CensusDates = field(default_factory=CensusDates)
    child_protection: ChildProtection = field(default_factory=ChildProtection)
    version: int = 0

    # --- read helpers ----------------------------------------------------------------------------

    def current(self, role: AllocationRole | None = None) -> list[Allocation]:
        """The allocations not ended, of `role` if given, in the order they were made."""
        return [a for a in self.allocations if a.current and (role is None or a.role is role)]

    def holder(self, role: AllocationRole) -> uuid.UUID | None:
        held = self.current(role)
        return held[-1].practitioner_id if held else None

    @property
    def in_census(self) -> bool:
        """Whether the episode has a child in need period to report (R31, R32)."""
        return self.census.referral_on is not None

    @property
    def s47_in_period(self) -> bool:
        """Whether the child in need period has been on an s.47 basis (now, or by a step into
        s.47 since its referral): only then does it have s.47 enquiries and plans to report."""
        if self.statutory_basis is StatutoryBasis.S47:
            return True
        start = self.census.referral_on
        return start is not None and any(
            t.to_basis is StatutoryBasis.S47 and t.effective_on >= start for t in self.transitions
        )

    # --- transitions -----------------------------------------------------------------------------

    def step(
        self,
        request: StepRequest,
        *,
        policy: FamilyHelpPolicy,
        episode_open: bool,
        requested_on: date,
        census_codes: CensusCodes,
        new_id: uuid.UUID,
        allocation_ids: Iterable[uuid.UUID],
        recorded_at: datetime | None = None,
    ) -> Transition:
        """Move the episode to another type or basis on the same record, keeping its assessment,
        plan, TAF and clocks (families-first.md §3.1 item 2).

        Refused when the council is not on Family Help (today's behaviour: step up closes the
        episode), on a closed episode, with no change, with early help on a statutory basis, with
        no reason, decision-maker or threshold document version, or before the last transition.
        A change of basis is decided by a registered social worker (R11). Within familyhub s.47
        needs a lead child protection practitioner who is a registered social worker, and the
        family help lead stays on as a co-worker (R12, R17); s.17 needs a social-work-qualified
        oversight manager or practice supervisor (R10). On an external step the statutory work,
        and its allocations, are the other system's: only its reference is recorded here.
        Leaving a statutory basis closes the child in need period with a census reason.
        """
        ids = iter(allocation_ids)
        if not policy.enabled:
            raise IllegalTransition(
                "This council is not on Family Help (FAMILYHUB_FAMILY_HELP is off), so an "
                "episode's type and statutory basis do not change; step up by closing the episode.",
                code="family_help_off",
            )
        if not episode_open:
            raise IllegalTransition(
                "A closed episode does not step across; open a new episode linked to it.",
                code="episode_closed",
            )
        if (
            request.to_type is EpisodeType.EARLY_HELP
            and request.to_basis is not StatutoryBasis.NONE
        ):
            raise InvalidValue(
                "Early help is targeted help with no statutory basis; child in need and child "
                "protection work are Family Help.",
                field="to_basis",
                code="early_help_statutory_basis",
            )
        if (request.to_type, request.to_basis) == (self.episode_type, self.statutory_basis):
            raise Conflict(
                "The episode already has this type and statutory basis.",
                field="to_basis",
                code="step_across_no_change",
            )
        reason = (request.reason or "").strip()
        if not reason:
            raise InvalidValue(
                "Say why the episode moves.", field="reason", code="step_reason_required"
            )
        threshold = (
            request.threshold_document_version or policy.threshold_document_version or ""
        ).strip()
        if not threshold:
            raise InvalidValue(
                "Name the version of the threshold document the decision applied.",
                field="threshold_document_version",
                code="threshold_version_required",
            )
        external = request.kind in EXTERNAL_KINDS
        system = _optional(request.external_system)
        reference = _optional(request.external_reference)
        if external and (system is None or reference is None):
            raise InvalidValue(
                "A step to or from another system records that system and its reference.",
                field="external_reference",
                code="external_reference_required",
            )
        if not external and (system is not None or reference is not None):
            raise InvalidValue(
                "An external reference is recorded only on a step up or down to another system.",
                field="external_reference",
                code="external_reference_without_external_step",
            )
        if external:
            self._check_direction(request)
        on = request.effective_on
        follows = [PreviousStep(t.effective_on, "the last step across") for t in self.transitions]
        follows += [PreviousStep(a.started_on, "an allocation began") for a in self.current()]
        check_step_order(on, field="effective_on", requested_on=requested_on, follows=follows)
        check_can_hold(AllocationRole.CO_WORKER, request.decided_by, field_name="decided_by")
        if (
            request.to_basis is not self.statutory_basis
            and not request.decided_by.registered_social_worker
        ):
            raise InvalidValue(
                "A change of statutory basis is decided by a social-work-qualified manager or "
                "practice supervisor (Working Together 2023).",
                field="decided_by",
                code="social_worker_required",
            )
        if request.to_basis is StatutoryBasis.NONE and self.statutory_basis in STATUTORY_BASES:
            if request.cin_closure_reason_code is None:
                raise InvalidValue(
                    "Leaving child in need closes its census period: give the census closure reason.",
                    field="cin_closure_reason_code",
                    code="census_closure_reason_required",
                )
            _check_code(
                request.cin_closure_reason_code,
                census_codes.closure_reasons,
                "cin_closure_reason_code",
            )
        elif request.cin_closure_reason_code is not None:
            raise InvalidValue(
                "A census closure reason is given only when the episode leaves s.17 or s.47.",
                field="cin_closure_reason_code",
                code="census_closure_reason_without_closure",
            )

        # Work everything out on a copy, so a refusal leaves the record as it was.
        allocations = list(self.allocations)
        if not external:
            allocations = self._staff_for(request, allocations, ids, recorded_at)
        transition = Transition(
            id=new_id,
            kind=request.kind,
            from_type=self.episode_type,
            to_type=request.to_type,
            from_basis=self.statutory_basis,
            to_basis=request.to_basis,
            effective_on=on,
            decided_by=request.decided_by.practitioner_id,
            reason=reason,
            threshold_document_version=threshold,
            external_system=system,
            external_reference=reference,
            recorded_at=recorded_at,
        )
        census = self._census_after(request, on)
        if census is not self.census and census == CensusDates(referral_on=on):
            # A new child in need period: its child protection starts empty too.
            self.child_protection = ChildProtection()
        elif (
            self.statutory_basis is StatutoryBasis.S47
            and request.to_basis is not self.statutory_basis
        ):
            self.child_protection = _end_open_plans(self.child_protection, on)
        self.census = census
        self.allocations = allocations
        self.transitions.append(transition)
        self.episode_type = request.to_type
        self.statutory_basis = request.to_basis
        return transition

    def _check_direction(self, request: StepRequest) -> None:
        rank = {StatutoryBasis.NONE: 0, StatutoryBasis.S17: 1, StatutoryBasis.S47: 2}
        up = rank[request.to_basis] > rank[self.statutory_basis]
        if (request.kind is TransitionKind.STEP_UP_EXTERNAL) != up:
            raise InvalidValue(
                "A step up moves to a higher statutory basis, a step down to a lower one.",
                field="kind",
                code="step_direction_mismatch",
            )

    def _staff_for(
        self,
        request: StepRequest,
        allocations: list[Allocation],
        ids: Iterable[uuid.UUID],
        recorded_at: datetime | None,
    ) -> list[Allocation]:
        on = request.effective_on
        id_source = iter(ids)
        if request.to_basis is StatutoryBasis.S47:
            lcpp = request.lead_child_protection_practitioner
            if lcpp is not None:
                allocations = _hand_over(
                    allocations,
                    AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
                    lcpp,
                    on,
                    next(id_source),
                    recorded_at,
                    field_name="lead_child_protection_practitioner_id",
                )
            elif not any(
                a.current and a.role is AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER
                for a in allocations
            ):
                raise InvalidValue(
                    "Child protection work needs a lead child protection practitioner who is a "
                    "registered social worker: name one.",
                    field="lead_child_protection_practitioner_id",
                    code="lead_child_protection_practitioner_required",
                )
            # The family help lead keeps working with the family, now as a co-worker (R17, R18).
            for lead in [
                a
                for a in allocations
                if a.current and a.role is AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER
            ]:
                allocations = [
                    replace(a, ended_on=on, end_reason="moved to child protection: co-working")
                    if a.id == lead.id
                    else a
                    for a in allocations
                ]
                if not any(
                    a.current
                    and a.role is AllocationRole.CO_WORKER
                    and a.practitioner_id == lead.practitioner_id
                    for a in allocations
                ):
                    allocations.append(
                        Allocation(
                            id=next(id_source),
                            practitioner_id=lead.practitioner_id,
                            role=AllocationRole.CO_WORKER,
                            started_on=on,
                            chosen_with_family=lead.chosen_with_family,
                            family_choice_note=lead.family_choice_note,
                            recorded_at=recorded_at,
                        )
                    )
        else:
            # Child protection ended: so does the lead child protection practitioner's role.
            allocations = [
                replace(a, ended_on=on, end_reason="child protection ended")
                if a.current and a.role is AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER
                else a
                for a in allocations
            ]
        if request.to_basis is StatutoryBasis.S17:
            if request.oversight is not None:
                if request.oversight_role not in OVERSIGHT_ROLES:
                    raise InvalidValue(
                        "Oversight is by an oversight manager or a practice supervisor.",
                        field="oversight_role",
                        code="oversight_role_unknown",
                    )
                allocations = _add(
                    allocations,
                    request.oversight_role,
                    request.oversight,
                    on,
                    next(id_source),
                    recorded_at,
                    field_name="oversight_practitioner_id",
                )
            elif not any(a.current and a.role in OVERSIGHT_ROLES for a in allocations):
                raise InvalidValue(
                    "Child in need work sits under a social-work-qualified oversight manager or "
                    "practice supervisor: name one.",
                    field="oversight_practitioner_id",
                    code="oversight_required",
                )
        return allocations

    def _census_after(self, request: StepRequest, on: date) -> CensusDates:
        census = self.census
        entering = (
            request.to_basis in STATUTORY_BASES and self.statutory_basis not in STATUTORY_BASES
        )
        if entering and (census.referral_on is None or census.closed_on is not None):
            # A new child in need period starts on the step (a re-referral replaces a closed one).
            return CensusDates(referral_on=on)
        if request.to_basis is StatutoryBasis.NONE and self.statutory_basis in STATUTORY_BASES:
            return replace(
                census,
                plan_ended_on=census.plan_ended_on
                or (on if census.plan_started_on is not None else None),
                closed_on=on,
                closure_reason_code=request.cin_closure_reason_code,
            )
        return census

    # --- allocations -----------------------------------------------------------------------------

    def allocate(
        self,
        role: AllocationRole,
        candidate: Candidate,
        *,
        on: date,
        episode_open: bool,
        requested_on: date,
        new_id: uuid.UUID,
        chosen_with_family: bool | None = None,
        family_choice_note: str | None = None,
        recorded_at: datetime | None = None,
    ) -> Allocation:
        """Give a practitioner a role on the episode from `on`.

        A family help lead or lead child protection practitioner hands the role over (one holder
        at a time); the family's say in the choice of lead is recorded for a family help lead
        (R14: "families, including children, should have a say"); the same practitioner does not
        hold the same role twice at once.
        """
        if not episode_open:
            raise IllegalTransition(
                "Nobody is allocated to a closed episode.", code="episode_closed"
            )
        check_step_order(
            on,
            field="started_on",
            requested_on=requested_on,
            follows=[
                PreviousStep(a.started_on, "the current holder began") for a in self.current(role)
            ],
        )
        if role is AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER and chosen_with_family is None:
            raise InvalidValue(
                "Say whether the family had a say in the choice of their lead practitioner.",
                field="chosen_with_family",
                code="family_say_required",
            )
        if role is not AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER and (
            chosen_with_family is not None or _optional(family_choice_note) is not None
        ):
            raise InvalidValue(
                "The family's say is recorded for the choice of family help lead practitioner.",
                field="chosen_with_family",
                code="family_say_only_for_lead",
            )
        if role is AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER and (
            self.statutory_basis is not StatutoryBasis.S47
        ):
            raise IllegalTransition(
                "A lead child protection practitioner is allocated when the episode moves to s.47.",
                code="lead_child_protection_practitioner_without_s47",
            )
        add = _hand_over if role in SINGLE_HOLDER_ROLES else _add
        allocations = add(
            list(self.allocations),
            role,
            candidate,
            on,
            new_id,
            recorded_at,
            field_name="practitioner_id",
            chosen_with_family=chosen_with_family,
            family_choice_note=_optional(family_choice_note),
        )
        self.allocations = allocations
        return allocations[-1]

    def follow_lead_handover(
        self,
        candidate: Candidate,
        *,
        on: date,
        new_id: uuid.UUID,
        recorded_at: datetime | None = None,
    ) -> Allocation | None:
        """The episode's lead professional was handed over (the episode's own handover): the
        family help lead practitioner role follows, so the two never disagree. Whether the family
        had a say is not known there (null). Nothing follows when nobody holds the role (on s.47
        the former lead co-works) or the new lead already holds it."""
        if self.holder(AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER) in (
            None,
            candidate.practitioner_id,
        ):
            return None
        self.allocations = _hand_over(
            list(self.allocations),
            AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
            candidate,
            on,
            new_id,
            recorded_at,
            field_name="practitioner_id",
        )
        return self.allocations[-1]

    def end_allocation(
        self, allocation_id: uuid.UUID, *, on: date, reason: str | None, episode_open: bool
    ) -> Allocation:
        """End a role; the rules of the basis still hold afterwards (s.17 keeps an oversight,
        s.47 its lead child protection practitioner: hand those over instead)."""
        found = next((a for a in self.allocations if a.id == allocation_id), None)
        if found is None:
            raise NotFound("There is no allocation with this id on this episode.")
        if not episode_open:
            raise IllegalTransition(
                "A closed episode's allocations stay as they were.", code="episode_closed"
            )
        if not found.current:
            raise Conflict(
                "This allocation has already ended.",
                field="ended_on",
                code="allocation_already_ended",
            )
        check_step_order(
            on, field="ended_on", follows=[PreviousStep(found.started_on, "the allocation began")]
        )
        remaining = [a for a in self.current() if a.id != allocation_id]
        if (
            self.statutory_basis is StatutoryBasis.S17
            and found.role in OVERSIGHT_ROLES
            and not any(a.role in OVERSIGHT_ROLES for a in remaining)
        ):
            raise IllegalTransition(
                "Child in need work keeps a social-work-qualified oversight: allocate another "
                "oversight manager or practice supervisor first.",
                code="oversight_still_needed",
            )
        if (
            self.statutory_basis is StatutoryBasis.S47
            and found.role is AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER
        ):
            raise IllegalTransition(
                "Child protection work keeps its lead child protection practitioner: allocate "
                "the new one instead, which hands the role over.",
                code="lead_child_protection_practitioner_still_needed",
            )
        ended = replace(found, ended_on=on, end_reason=_optional(reason))
        self.allocations = [ended if a.id == allocation_id else a for a in self.allocations]
        return ended

    # --- census ----------------------------------------------------------------------------------

    def record_census_dates(self, dates: CensusDates, codes: CensusCodes, *, today: date) -> None:
        """Correct or complete the census dates of the child in need period (R32: whoever leads)."""
        if not self.in_census and self.statutory_basis not in STATUTORY_BASES:
            raise IllegalTransition(
                "Census dates belong to child in need (s.17) or child protection work; this "
                "episode has never been on a statutory basis.",
                code="census_without_statutory_basis",
            )
        checked = check_census_dates(dates, codes, today=today)
        if self.child_protection.recorded:
            check_child_protection(self.child_protection, checked, codes, today=today)
        self.census = checked

    def record_child_protection(
        self, cp: ChildProtection, codes: CensusCodes, *, today: date
    ) -> None:
        """Record the s.47 enquiries and child protection plans of the child in need period
        (replacing those recorded): only where the period has been on an s.47 basis."""
        if cp.recorded and not self.s47_in_period:
            raise IllegalTransition(
                "s.47 enquiries and child protection plans belong to an episode that has been on "
                "an s.47 basis in this child in need period; step across to s47 first.",
                code="child_protection_without_s47",
            )
        self.child_protection = check_child_protection(cp, self.census, codes, today=today)


def new_record(
    episode_id: uuid.UUID,
    *,
    episode_type: EpisodeType,
    lead_practitioner_id: uuid.UUID,
    lead_since: date,
    allocation_id: uuid.UUID,
) -> FamilyHelpRecord:
    """The record an episode starts with: its type, no statutory basis, and its lead professional
    as family help lead practitioner (whether the family had a say is not known)."""
    return FamilyHelpRecord(
        episode_id=episode_id,
        episode_type=episode_type,
        allocations=[
            Allocation(
                id=allocation_id,
                practitioner_id=lead_practitioner_id,
                role=AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER,
                started_on=lead_since,
            )
        ],
    )


def _hand_over(
    allocations: list[Allocation],
    role: AllocationRole,
    candidate: Candidate,
    on: date,
    new_id: uuid.UUID,
    recorded_at: datetime | None,
    *,
    field_name: str,
    chosen_with_family: bool | None = None,
    family_choice_note: str | None = None,
) -> list[Allocation]:
    check_can_hold(role, candidate, field_name=field_name)
    if any(
        a.current and a.role is role and a.practitioner_id == candidate.practitioner_id
        for a in allocations
    ):
        raise Conflict(
            f"This practitioner is already the {_ROLE_WORDS[role]}.",
            field=field_name,
            code="allocation_unchanged",
        )
    handed = [
        replace(a, ended_on=on, end_reason="handed over") if a.current and a.role is role else a
        for a in allocations
    ]
    return [
        *handed,
        Allocation(
            id=new_id,
            practitioner_id=candidate.practitioner_id,
            role=role,
            started_on=on,
            chosen_with_family=chosen_with_family,
            family_choice_note=family_choice_note,
            recorded_at=recorded_at,
        ),
    ]


def _add(
    allocations: list[Allocation],
    role: AllocationRole,
    candidate: Candidate,
    on: date,
    new_id: uuid.UUID,
    recorded_at: datetime | None,
    *,
    field_name: str,
    chosen_with_family: bool | None = None,
    family_choice_note: str | None = None,
) -> list[Allocation]:
    check_can_hold(role, candidate, field_name=field_name)
    if any(
        a.current and a.role is role and a.practitioner_id == candidate.practitioner_id
        for a in allocations
    ):
        raise Conflict(
            f"This practitioner is already a {_ROLE_WORDS[role]} on this episode.",
            field=field_name,
            code="allocation_unchanged",
        )
    return [
        *allocations,
        Allocation(
            id=new_id,
            practitioner_id=candidate.practitioner_id,
            role=role,
            started_on=on,
            chosen_with_family=chosen_with_family,
            family_choice_note=family_choice_note,
            recorded_at=recorded_at,
        ),
    ]


def _end_open_plans(cp: ChildProtection, on: date) -> ChildProtection:
    """Child protection ends with the s.47 basis: so does a plan still open (on its own start
    day at the earliest)."""
    return replace(
        cp,
        plans=tuple(
            replace(p, ended_on=max(on, p.started_on)) if p.ended_on is None else p
            for p in cp.plans
        ),
    )


def _optional(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None
