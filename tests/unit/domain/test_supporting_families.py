"""Supporting Families claims: needs and outcomes, rules C1-C9, the rule book's 13 examples, the
claim state machine and the evidence pack (shared/domain/supporting-families.md §4, §6).

The builders at the top make a family that passes every rule; each test changes one thing.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db.repositories.reference import FRAMEWORK_FILE, packaged_framework
from app.domain.episodes import ClosureReason, LeadAssignment
from app.domain.errors import Conflict, Forbidden, IllegalTransition, InvalidValue
from app.domain.families import add_months
from app.domain.outcomes_framework import (
    ClaimRoute,
    CouncilPolicy,
    FrameworkCatalogue,
    FundingModel,
    ProgrammeYear,
    parse_framework,
)
from app.domain.supporting_families import (
    CLAIM_TRANSITIONS,
    AssessmentSummary,
    AuditOutcome,
    Claim,
    ClaimCase,
    ClaimEvaluation,
    ClaimRulesFailed,
    ClaimState,
    Evidence,
    EvidencePack,
    NeedOutcome,
    NeedRecord,
    OutcomeRecord,
    PlanSummary,
    PriorClaim,
    RecordedNeed,
    RuleId,
    SupportDelivered,
    SustainmentCheck,
    SustainmentResult,
    build_evidence_pack,
    check_claimable,
    check_need_identified,
    check_need_members,
    check_needs_recorded_while_open,
    check_no_live_claim,
    check_outcome_reached,
    check_support_dates,
    closed_for_sustainment,
    evaluate_claim,
    latest_claimable_closure,
    live_claim_in_phase,
    need_descriptor,
    raise_claim,
    record_outcome,
    record_sustainment_check,
    rule_c1_family_and_needs,
    rule_c2_whole_family_working,
    rule_c3_outcomes_achieved,
    rule_c4_closed_and_sustained,
    rule_c5_claim_after_sustained_period,
    rule_c6_one_claim_per_phase,
    rule_c7_internal_audit,
    rule_c8_funding_model,
    rule_c9_claim_route,
    rule_descriptors_verified,
    rule_k13_programme_year,
    rule_lookback,
    sustainment_check_day,
    sustainment_due_on,
)

# --- builders ------------------------------------------------------------------------------------


def verified_catalogue() -> FrameworkCatalogue:
    """The shipped framework with every descriptor signed off, as it will be after go-live (§2)."""
    data = copy.deepcopy(json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8")))
    for version in data["versions"]:
        for headline in version["headlines"]:
            for descriptor in headline["descriptors"]:
                descriptor["verified"] = True
    return parse_framework(data)


SHIPPED = packaged_framework()
CATALOGUE = verified_catalogue()
POLICY = CATALOGUE.default_policy

FAMILY = uuid.UUID("00000000-0000-0000-0000-0000000000f1")
EPISODE = uuid.UUID("00000000-0000-0000-0000-0000000000e1")
PARENT = uuid.UUID("00000000-0000-0000-0000-00000000000a")
CHILD = uuid.UUID("00000000-0000-0000-0000-00000000000c")
LEAD = uuid.UUID("00000000-0000-0000-0000-0000000000d1")
SF_LEAD = uuid.UUID("00000000-0000-0000-0000-0000000005f1")
AUDITOR = uuid.UUID("00000000-0000-0000-0000-0000000000a0")
ASSESSMENT = uuid.UUID("00000000-0000-0000-0000-0000000000a5")
PLAN = uuid.UUID("00000000-0000-0000-0000-0000000000b1")

CLOSED_ON = date(2024, 1, 15)
CLAIM_ON = date(2024, 7, 15)  # closure + 6 months, in programme year 2024-25
DEFAULT_CODES = ("EDU.a", "CRIME.a", "DA.a")


def make_evidence(on: date, source: str = "Case record", reference: str = "REF-1") -> Evidence:
    return Evidence(source=source, reference=reference, recorded_by=LEAD, recorded_on=on)


def make_need(
    code: str,
    *,
    closed_on: date = CLOSED_ON,
    identified_on: date | None = None,
    emerged_later: bool = False,
    person: uuid.UUID = CHILD,
    status: NeedOutcome = NeedOutcome.ACHIEVED,
    checked_on: date | None = None,
    result: SustainmentResult | None = SustainmentResult.SUSTAINED,
    lapsed_on: date | None = None,
    need_catalogue: FrameworkCatalogue = CATALOGUE,
    need_id: uuid.UUID | None = None,
) -> NeedRecord:
    """A need under `code`; by default achieved before closure and sustained at its due date."""
    identified = identified_on or add_months(closed_on, -7)
    need = RecordedNeed(
        id=need_id or uuid.uuid4(),
        descriptor_code=code,
        headline=code.split(".")[0],
        person_ids=(person,),
        identified_on=identified,
        emerged_later=emerged_later,
        evidence=make_evidence(identified, reference=f"NEED-{code}"),
    )
    record = NeedRecord(need=need)
    if status is NeedOutcome.OPEN:
        return record
    achieved_on = max(identified, closed_on - timedelta(days=10))
    record = record_outcome(record, status, achieved_on, make_evidence(achieved_on))
    if status is NeedOutcome.ACHIEVED and result is not None:
        due = sustainment_due_on(need, closed_on, need_catalogue)
        record = record_sustainment_check(
            record,
            closed_on=closed_on,
            catalogue=need_catalogue,
            checked_on=checked_on or due,
            result=result,
            evidence=make_evidence(checked_on or due, reference=f"CHECK-{code}"),
            lapsed_on=lapsed_on,
        )
    return record


def make_case(
    *,
    closed_on: date | None = CLOSED_ON,
    codes: Sequence[str] = DEFAULT_CODES,
    needs: Sequence[NeedRecord] | None = None,
    **overrides: Any,
) -> ClaimCase:
    """A family that passes every rule on closure + 6 months (with the verified catalogue)."""
    anchor = closed_on or CLOSED_ON
    records = (
        tuple(needs) if needs is not None else tuple(make_need(c, closed_on=anchor) for c in codes)
    )
    started = add_months(anchor, -8)
    fields: dict[str, Any] = {
        "family_id": FAMILY,
        "episode_id": EPISODE,
        "framework_version": "2022-10",
        "route": ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS,
        "member_ids": (PARENT, CHILD),
        "dependent_child_ids": (CHILD,),
        "expectant_parent_ids": (),
        "episode_started_on": started,
        "closed_on": closed_on,
        "closure_reason": ClosureReason.ALL_NEEDS_MET if closed_on else None,
        "lead_history": (LeadAssignment(LEAD, None, started, None),),
        "assessments": (AssessmentSummary(ASSESSMENT, add_months(anchor, -7), (PARENT, CHILD)),),
        "plans": (PlanSummary(PLAN, 1, add_months(anchor, -7), tuple(r.need.id for r in records)),),
        "support": (SupportDelivered("Family support worker visits", add_months(anchor, -7)),),
        "needs": records,
    }
    fields.update(overrides)
    return ClaimCase(**fields)


def with_needs(case: ClaimCase, *records: NeedRecord) -> ClaimCase:
    """The case with more needs, the plan revised to address them too (E6)."""
    needs = (*case.needs, *records)
    plans = (
        *case.plans,
        PlanSummary(
            uuid.uuid4(),
            len(case.plans) + 1,
            case.plans[0].agreed_on,
            tuple(r.need.id for r in records),
        ),
    )
    return replace(case, needs=needs, plans=plans)


def new_claim(
    case: ClaimCase | None = None,
    *,
    policy: CouncilPolicy = POLICY,
    on: date = CLAIM_ON,
    claim_catalogue: FrameworkCatalogue = CATALOGUE,
) -> Claim:
    return raise_claim(
        id=uuid.uuid4(),
        case=case or make_case(),
        policy=policy,
        catalogue=claim_catalogue,
        created_on=on,
        created_by=SF_LEAD,
    )


def claim_in(state: ClaimState, case: ClaimCase | None = None) -> Claim:
    """A claim walked along the happy path to `state` (rejected and clawed back branch off it)."""
    the_case = case or make_case()
    claim = new_claim(the_case)
    if state is ClaimState.DRAFT:
        return claim
    claim.mark_ready(the_case, POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD)
    if state is ClaimState.READY:
        return claim
    claim.send_to_internal_audit(the_case, on=CLAIM_ON, by=SF_LEAD)
    if state is ClaimState.INTERNAL_AUDIT:
        return claim
    if state is ClaimState.REJECTED:
        claim.reject(auditor_id=AUDITOR, on=CLAIM_ON, notes="DA evidence is a phone note only.")
        return claim
    claim.approve(auditor_id=AUDITOR, on=CLAIM_ON, notes="Sampled evidence for all three needs.")
    if state is ClaimState.APPROVED:
        return claim
    claim.submit(on=CLAIM_ON + timedelta(days=1), by=SF_LEAD)
    if state is ClaimState.SUBMITTED:
        return claim
    if state is ClaimState.CLAWED_BACK:
        claim.claw_back(on=CLAIM_ON + timedelta(days=90), by=SF_LEAD, reason="Spot check failed.")
        return claim
    claim.mark_paid(on=CLAIM_ON + timedelta(days=30), by=SF_LEAD)
    return claim


def failing(evaluation: ClaimEvaluation) -> set[RuleId]:
    return {r.rule_id for r in evaluation.failures}


# --- needs, outcomes and sustainment -------------------------------------------------------------


class TestRecordingNeeds:
    def test_a_need_names_the_members_it_affects(self) -> None:
        with pytest.raises(InvalidValue) as error:
            replace(make_need("EDU.a").need, person_ids=())
        assert error.value.field == "person_ids"

    def test_a_member_named_twice_is_refused(self) -> None:
        with pytest.raises(InvalidValue):
            replace(make_need("EDU.a").need, person_ids=(CHILD, CHILD))

    def test_evidence_cannot_predate_the_need(self) -> None:
        need = make_need("EDU.a").need
        with pytest.raises(InvalidValue) as error:
            replace(need, evidence=make_evidence(need.identified_on - timedelta(days=1)))
        assert error.value.field == "evidence.recorded_on"

    def test_evidence_needs_a_source_and_a_reference(self) -> None:
        with pytest.raises(InvalidValue) as error:
            Evidence(source=" ", reference="R", recorded_by=LEAD, recorded_on=CLOSED_ON)
        assert error.value.field == "evidence.source"
        with pytest.raises(InvalidValue) as error:
            Evidence(source="Police", reference="", recorded_by=LEAD, recorded_on=CLOSED_ON)
        assert error.value.field == "evidence.reference"


class TestRecordingOutcomes:
    def test_a_new_need_is_open(self) -> None:
        record = make_need("EDU.a", status=NeedOutcome.OPEN)
        assert record.outcome == OutcomeRecord(NeedOutcome.OPEN, None, None)

    def test_an_achieved_outcome_needs_evidence(self) -> None:
        record = make_need("EDU.a", status=NeedOutcome.OPEN)
        with pytest.raises(InvalidValue) as error:
            record_outcome(record, NeedOutcome.ACHIEVED, CLOSED_ON, None)
        assert error.value.field == "outcome.evidence"

    def test_an_outcome_needs_its_date(self) -> None:
        with pytest.raises(InvalidValue):
            OutcomeRecord(NeedOutcome.ACHIEVED, None, make_evidence(CLOSED_ON))

    def test_an_outcome_cannot_come_before_the_need(self) -> None:
        record = make_need("EDU.a", status=NeedOutcome.OPEN)
        before = record.need.identified_on - timedelta(days=1)
        with pytest.raises(InvalidValue):
            record_outcome(record, NeedOutcome.ACHIEVED, before, make_evidence(before))

    def test_a_checked_outcome_cannot_be_rewritten(self) -> None:
        record = make_need("EDU.a")
        with pytest.raises(IllegalTransition):
            record_outcome(record, NeedOutcome.OPEN, None, None)


class TestSustainmentChecks:
    def test_the_check_is_due_six_months_after_closure(self) -> None:
        need = make_need("EDU.a").need
        assert sustainment_due_on(need, CLOSED_ON, CATALOGUE) == date(2024, 7, 15)

    def test_the_due_date_is_clamped_to_the_month_end(self) -> None:
        need = make_need("EDU.a").need
        assert sustainment_due_on(need, date(2024, 8, 31), CATALOGUE) == date(2025, 2, 28)

    def test_the_window_comes_from_the_descriptor_of_the_version_in_force(self) -> None:
        # 2015-local CRIME.b (adult offending) was measured over 12 months (§2.7, Devon S32).
        need = replace(
            make_need("EDU.a").need,
            descriptor_code="CRIME.b",
            identified_on=date(2019, 5, 1),
            evidence=make_evidence(date(2019, 5, 1)),
        )
        assert sustainment_due_on(need, date(2020, 1, 10), CATALOGUE) == date(2021, 1, 10)

    def test_an_unknown_descriptor_has_no_due_date(self) -> None:
        need = replace(make_need("EDU.a").need, descriptor_code="EDU.zz")
        with pytest.raises(InvalidValue) as error:
            sustainment_due_on(need, CLOSED_ON, CATALOGUE)
        assert error.value.field == "descriptor_code"

    def test_a_sustained_result_before_the_due_date_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as error:
            make_need("EDU.a", checked_on=date(2024, 7, 14))
        assert error.value.field == "checked_on"

    def test_only_an_achieved_outcome_is_checked(self) -> None:
        record = make_need("EDU.a", status=NeedOutcome.OPEN)
        with pytest.raises(IllegalTransition):
            record_sustainment_check(
                record,
                closed_on=CLOSED_ON,
                catalogue=CATALOGUE,
                checked_on=CLAIM_ON,
                result=SustainmentResult.SUSTAINED,
                evidence=make_evidence(CLAIM_ON),
            )

    def test_a_lapse_inside_the_window_makes_the_outcome_not_achieved(self) -> None:
        record = make_need(
            "DA.a",
            checked_on=date(2024, 5, 2),
            result=SustainmentResult.NOT_SUSTAINED,
            lapsed_on=date(2024, 5, 1),
        )
        assert record.outcome.status is NeedOutcome.NOT_ACHIEVED
        assert record.outcome.on == date(2024, 5, 1)
        assert record.sustainment is not None
        assert record.sustainment.due_on == date(2024, 7, 15)

    def test_a_lapse_after_the_window_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as error:
            make_need(
                "DA.a",
                checked_on=date(2024, 8, 1),
                result=SustainmentResult.NOT_SUSTAINED,
                lapsed_on=date(2024, 7, 20),
            )
        assert error.value.field == "lapsed_on"

    def test_not_sustained_needs_the_lapse_date(self) -> None:
        with pytest.raises(InvalidValue) as error:
            SustainmentCheck(
                due_on=CLAIM_ON,
                checked_on=CLAIM_ON,
                result=SustainmentResult.NOT_SUSTAINED,
                evidence=make_evidence(CLAIM_ON),
            )
        assert error.value.field == "lapsed_on"

    def test_an_unknown_result_can_be_followed_by_a_later_check(self) -> None:
        record = make_need("EDU.a", result=SustainmentResult.UNKNOWN)
        later = CLAIM_ON + timedelta(days=20)
        checked = record_sustainment_check(
            record,
            closed_on=CLOSED_ON,
            catalogue=CATALOGUE,
            checked_on=later,
            result=SustainmentResult.SUSTAINED,
            evidence=make_evidence(later),
        )
        assert checked.sustainment is not None
        assert checked.sustainment.result is SustainmentResult.SUSTAINED

    def test_a_settled_check_cannot_be_recorded_twice(self) -> None:
        with pytest.raises(IllegalTransition):
            record_sustainment_check(
                make_need("EDU.a"),
                closed_on=CLOSED_ON,
                catalogue=CATALOGUE,
                checked_on=CLAIM_ON,
                result=SustainmentResult.SUSTAINED,
                evidence=make_evidence(CLAIM_ON),
            )

    def test_a_check_before_closure_is_refused(self) -> None:
        record = make_need("EDU.a", result=None)
        with pytest.raises(InvalidValue):
            record_sustainment_check(
                record,
                closed_on=CLOSED_ON,
                catalogue=CATALOGUE,
                checked_on=CLOSED_ON - timedelta(days=1),
                result=SustainmentResult.UNKNOWN,
                evidence=make_evidence(CLOSED_ON),
            )


class TestClaimCase:
    def test_the_builder_makes_an_eligible_family(self) -> None:
        evaluation = evaluate_claim(make_case(), POLICY, CATALOGUE, CLAIM_ON)
        assert evaluation.eligible, evaluation.failures
        assert evaluation.failures == ()
        assert [r.rule_id for r in evaluation.results] == [
            RuleId.C1,
            RuleId.C2,
            RuleId.C3,
            RuleId.C4,
            RuleId.C5,
            RuleId.C6,
            RuleId.C8,
            RuleId.C9,
            RuleId.K13,
            RuleId.LOOKBACK,
            RuleId.VERIFIED,
        ]

    def test_a_need_listed_twice_is_refused(self) -> None:
        need = make_need("EDU.a")
        with pytest.raises(InvalidValue) as error:
            make_case(needs=(need, need))
        assert error.value.field == "needs[1].id"

    def test_an_episode_cannot_close_before_it_starts(self) -> None:
        with pytest.raises(InvalidValue):
            make_case(episode_started_on=CLOSED_ON + timedelta(days=1))


# --- the rules, one by one -----------------------------------------------------------------------


class TestRuleC1FamilyAndNeeds:
    def test_passes_with_a_child_and_three_needs_under_three_headlines(self) -> None:
        result = rule_c1_family_and_needs(make_case(), POLICY, CATALOGUE)
        assert result.passed
        assert result.rule_id is RuleId.C1
        assert "3 needs under 3 headlines (CRIME, DA, EDU)" in result.reason

    def test_fails_without_a_dependent_child_or_expectant_parent(self) -> None:
        result = rule_c1_family_and_needs(make_case(dependent_child_ids=()), POLICY, CATALOGUE)
        assert not result.passed
        assert "no dependent child and no expectant parent" in result.reason

    def test_fails_with_too_few_needs(self) -> None:
        result = rule_c1_family_and_needs(make_case(codes=("EDU.a", "DA.a")), POLICY, CATALOGUE)
        assert not result.passed
        assert "2 distinct needs; at least 3 are needed" in result.reason

    def test_the_same_descriptor_twice_counts_once(self) -> None:
        case = make_case(codes=("EDU.a", "DA.a"))
        case = with_needs(case, make_need("EDU.a", person=PARENT))
        result = rule_c1_family_and_needs(case, POLICY, CATALOGUE)
        assert not result.passed
        assert "2 distinct needs" in result.reason

    def test_fails_with_a_descriptor_the_framework_in_force_does_not_have(self) -> None:
        bad = replace(make_need("EDU.a").need, descriptor_code="EDU.zz")
        case = make_case(needs=(*make_case().needs, NeedRecord(bad)))
        result = rule_c1_family_and_needs(case, POLICY, CATALOGUE)
        assert not result.passed
        assert "EDU.zz is not a descriptor of framework 2022-10" in result.reason

    def test_a_descriptor_is_judged_by_the_version_in_force_when_identified(self) -> None:
        # EDU.e exists in 2022-10 but not in the 2015 local plans.
        need = make_need("EDU.e", identified_on=date(2022, 10, 2), status=NeedOutcome.OPEN)
        result = rule_c1_family_and_needs(
            make_case(needs=(*make_case().needs, need)), POLICY, CATALOGUE
        )
        assert not result.passed
        assert "framework 2015-local" in result.reason

    def test_fails_when_the_headline_does_not_match_the_descriptor(self) -> None:
        need = replace(make_need("EDU.a").need, headline="FIN")
        result = rule_c1_family_and_needs(
            make_case(needs=(*make_case().needs[1:], NeedRecord(need))), POLICY, CATALOGUE
        )
        assert not result.passed
        assert "recorded under headline FIN" in result.reason

    def test_historic_claims_use_the_threshold_for_their_version(self) -> None:
        # Phase 2 (2015-local): two of six headline problems (§1), held as a policy override.
        closed = date(2019, 3, 1)
        case = make_case(
            closed_on=closed,
            codes=("EDU.a", "CRIME.a"),
            framework_version="2015-local",
        )
        assert rule_c1_family_and_needs(case, POLICY, CATALOGUE).passed


class TestRuleC2WholeFamilyWorking:
    def test_passes_with_assessment_lead_plan_and_support(self) -> None:
        assert rule_c2_whole_family_working(make_case(), CLAIM_ON).passed

    def test_fails_without_a_completed_assessment(self) -> None:
        case = make_case(assessments=(AssessmentSummary(ASSESSMENT, None, (PARENT, CHILD)),))
        result = rule_c2_whole_family_working(case, CLAIM_ON)
        assert not result.passed
        assert "No whole family assessment has been completed" in result.reason

    def test_fails_when_the_assessment_leaves_out_a_member(self) -> None:
        case = make_case(assessments=(AssessmentSummary(ASSESSMENT, date(2023, 6, 1), (CHILD,)),))
        result = rule_c2_whole_family_working(case, CLAIM_ON)
        assert not result.passed
        assert "does not cover 1 household member" in result.reason

    def test_fails_without_a_lead_practitioner(self) -> None:
        result = rule_c2_whole_family_working(make_case(lead_history=()), CLAIM_ON)
        assert not result.passed
        assert "No lead practitioner" in result.reason

    def test_fails_when_the_plan_misses_an_emerging_need(self) -> None:
        case = make_case()
        late = make_need("HOUSING.a", emerged_later=True)
        case = replace(case, needs=(*case.needs, late))
        result = rule_c2_whole_family_working(case, CLAIM_ON)
        assert not result.passed
        assert "does not address need(s) HOUSING.a" in result.reason

    def test_a_revised_plan_can_cover_the_emerging_need(self) -> None:
        case = with_needs(make_case(), make_need("HOUSING.a", emerged_later=True))
        assert rule_c2_whole_family_working(case, CLAIM_ON).passed

    def test_fails_without_support_delivered(self) -> None:
        result = rule_c2_whole_family_working(make_case(support=()), CLAIM_ON)
        assert not result.passed
        assert "No support delivered" in result.reason

    def test_lists_every_gap_at_once(self) -> None:
        result = rule_c2_whole_family_working(
            make_case(assessments=(), lead_history=(), plans=(), support=()), CLAIM_ON
        )
        assert result.reason.count("(E5") == 4


class TestRuleC3OutcomesAchieved:
    def test_passes_when_every_need_is_achieved_with_evidence(self) -> None:
        result = rule_c3_outcomes_achieved(make_case(), CLAIM_ON)
        assert result.passed
        assert result.reason == "All 3 needs are achieved with evidence."

    def test_fails_with_an_open_emerging_need(self) -> None:
        case = with_needs(
            make_case(), make_need("HOUSING.a", emerged_later=True, status=NeedOutcome.OPEN)
        )
        result = rule_c3_outcomes_achieved(case, CLAIM_ON)
        assert not result.passed
        assert "HOUSING.a (emerged later) is still open" in result.reason

    def test_fails_with_a_need_not_achieved(self) -> None:
        case = with_needs(make_case(), make_need("FIN.c", status=NeedOutcome.NOT_ACHIEVED))
        result = rule_c3_outcomes_achieved(case, CLAIM_ON)
        assert not result.passed
        assert "FIN.c (at the start) was not achieved" in result.reason

    def test_fails_when_achieved_without_evidence(self) -> None:
        record = make_need("FIN.c", status=NeedOutcome.OPEN)
        record = replace(record, outcome=OutcomeRecord(NeedOutcome.ACHIEVED, CLOSED_ON, None))
        result = rule_c3_outcomes_achieved(with_needs(make_case(), record), CLAIM_ON)
        assert not result.passed
        assert "FIN.c (at the start) is achieved but has no evidence" in result.reason

    def test_an_outcome_dated_after_the_claim_date_does_not_count(self) -> None:
        result = rule_c3_outcomes_achieved(make_case(), CLOSED_ON - timedelta(days=30))
        assert not result.passed
        assert "only from" in result.reason

    def test_fails_with_no_needs(self) -> None:
        assert not rule_c3_outcomes_achieved(make_case(needs=()), CLAIM_ON).passed


class TestRuleC4ClosedAndSustained:
    def test_passes_when_closed_and_every_outcome_sustained(self) -> None:
        result = rule_c4_closed_and_sustained(make_case(), CATALOGUE, CLAIM_ON)
        assert result.passed
        assert "the last on 2024-07-15" in result.reason

    def test_fails_while_the_intervention_is_open(self) -> None:
        case = make_case(closed_on=None)
        result = rule_c4_closed_and_sustained(case, CATALOGUE, CLAIM_ON)
        assert not result.passed
        assert "not closed" in result.reason

    def test_fails_without_a_sustainment_check(self) -> None:
        case = with_needs(make_case(), make_need("FIN.c", result=None))
        result = rule_c4_closed_and_sustained(case, CATALOGUE, CLAIM_ON)
        assert not result.passed
        assert "FIN.c: no sustainment check is recorded (due 2024-07-15)" in result.reason

    def test_fails_when_the_check_could_not_confirm(self) -> None:
        case = with_needs(make_case(), make_need("FIN.c", result=SustainmentResult.UNKNOWN))
        result = rule_c4_closed_and_sustained(case, CATALOGUE, CLAIM_ON)
        assert not result.passed
        assert "could not confirm" in result.reason

    def test_fails_when_a_check_was_made_too_early(self) -> None:
        # Imported data can hold what record_sustainment_check would refuse.
        record = make_need("FIN.c")
        assert record.sustainment is not None
        early = replace(record.sustainment, checked_on=date(2024, 7, 1))
        case = with_needs(make_case(), replace(record, sustainment=early))
        result = rule_c4_closed_and_sustained(case, CATALOGUE, CLAIM_ON)
        assert not result.passed
        assert "checked on 2024-07-01, before its sustainment date 2024-07-15" in result.reason

    def test_a_check_dated_after_the_claim_date_is_not_yet_made(self) -> None:
        result = rule_c4_closed_and_sustained(make_case(), CATALOGUE, CLAIM_ON - timedelta(days=1))
        assert not result.passed
        assert "no sustainment check is recorded" in result.reason


class TestRuleC5ClaimAfterSustainedPeriod:
    def test_passes_six_months_after_closure(self) -> None:
        assert rule_c5_claim_after_sustained_period(make_case(), POLICY, CLAIM_ON).passed

    def test_fails_a_day_earlier(self) -> None:
        result = rule_c5_claim_after_sustained_period(
            make_case(), POLICY, CLAIM_ON - timedelta(days=1)
        )
        assert not result.passed
        assert "before 2024-07-15, 6 months after closure on 2024-01-15" in result.reason

    def test_fails_while_open(self) -> None:
        assert not rule_c5_claim_after_sustained_period(
            make_case(closed_on=None), POLICY, CLAIM_ON
        ).passed

    def test_the_wait_is_a_policy_setting(self) -> None:
        policy = replace(POLICY, claim_after_closure_months=3)
        assert rule_c5_claim_after_sustained_period(make_case(), policy, date(2024, 4, 15)).passed


class TestTheLatestClosureC5Admits:
    @given(
        closed_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
        as_of=st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
        months=st.integers(min_value=0, max_value=24),
    )
    def test_a_closure_is_on_or_before_it_exactly_when_c5_passes(
        self, closed_on: date, as_of: date, months: int
    ) -> None:
        policy = replace(POLICY, claim_after_closure_months=months, claim_lookback_months=None)
        case = make_case(closed_on=closed_on, episode_started_on=min(closed_on, date(2020, 1, 1)))
        passes = (
            closed_on <= as_of and rule_c5_claim_after_sustained_period(case, policy, as_of).passed
        )
        assert passes == (closed_on <= latest_claimable_closure(policy, as_of))


class TestRuleC6OneClaimPerPhase:
    @pytest.mark.parametrize("state", [ClaimState.APPROVED, ClaimState.SUBMITTED, ClaimState.PAID])
    def test_fails_when_the_family_has_a_claim_in_the_phase(self, state: ClaimState) -> None:
        prior = PriorClaim(uuid.uuid4(), "2022-25", state)
        result = rule_c6_one_claim_per_phase(make_case(previous_claims=(prior,)), POLICY, CLAIM_ON)
        assert not result.passed
        assert f"already has a 2022-25 claim that is {state.value}" in result.reason

    @pytest.mark.parametrize(
        "state",
        [ClaimState.DRAFT, ClaimState.READY, ClaimState.INTERNAL_AUDIT, ClaimState.REJECTED],
    )
    def test_claims_not_yet_approved_or_rejected_do_not_block(self, state: ClaimState) -> None:
        prior = PriorClaim(uuid.uuid4(), "2022-25", state)
        assert rule_c6_one_claim_per_phase(
            make_case(previous_claims=(prior,)), POLICY, CLAIM_ON
        ).passed

    def test_a_claim_in_another_phase_does_not_block(self) -> None:
        prior = PriorClaim(uuid.uuid4(), "2015-22", ClaimState.PAID)
        assert rule_c6_one_claim_per_phase(
            make_case(previous_claims=(prior,)), POLICY, CLAIM_ON
        ).passed

    def test_a_clawed_back_claim_blocks_unless_the_policy_frees_the_family(self) -> None:
        case = make_case(
            previous_claims=(PriorClaim(uuid.uuid4(), "2022-25", ClaimState.CLAWED_BACK),)
        )
        assert not rule_c6_one_claim_per_phase(case, POLICY, CLAIM_ON).passed
        freeing = replace(POLICY, clawback_frees_family=True)
        assert rule_c6_one_claim_per_phase(case, freeing, CLAIM_ON).passed

    def test_the_phase_is_that_of_the_claim_date(self) -> None:
        prior = PriorClaim(uuid.uuid4(), "2022-25", ClaimState.PAID)
        case = make_case(previous_claims=(prior,), claim_date=date(2025, 4, 2))
        result = rule_c6_one_claim_per_phase(case, POLICY, CLAIM_ON)
        assert result.passed  # 2025-26 is a different (local) phase

    @pytest.mark.parametrize(
        "state", [ClaimState.INTERNAL_AUDIT, ClaimState.SUBMITTED, ClaimState.CLAWED_BACK]
    )
    def test_the_same_episode_is_not_claimed_again_in_a_local_scheme_year(
        self, state: ClaimState
    ) -> None:
        case = make_case(claim_date=date(2025, 4, 30))
        prior = PriorClaim(uuid.uuid4(), "2022-25", state, case.episode_id)
        result = rule_c6_one_claim_per_phase(
            replace(case, previous_claims=(prior,)), POLICY, CLAIM_ON
        )
        assert not result.passed
        assert "one claim is made per family and need set (K10)" in result.reason

    def test_a_rejected_claim_or_another_episode_does_not_stop_a_local_scheme_claim(self) -> None:
        case = make_case(claim_date=date(2025, 4, 30))
        rejected = PriorClaim(uuid.uuid4(), "2022-25", ClaimState.REJECTED, case.episode_id)
        other = PriorClaim(uuid.uuid4(), "2022-25", ClaimState.PAID, uuid.uuid4())
        dated = replace(case, previous_claims=(rejected, other))
        assert rule_c6_one_claim_per_phase(dated, POLICY, CLAIM_ON).passed

    def test_a_local_scheme_pays_again_for_the_same_needs_only_if_its_policy_says_so(self) -> None:
        case = make_case(claim_date=date(2025, 4, 30))
        prior = PriorClaim(uuid.uuid4(), "2022-25", ClaimState.PAID, case.episode_id)
        again = replace(case, previous_claims=(prior,))
        reclaiming = replace(POLICY, local_scheme_reclaims_episodes=True)
        assert rule_c6_one_claim_per_phase(again, reclaiming, CLAIM_ON).passed
        national = replace(again, claim_date=date(2024, 4, 30))
        later_phase = replace(prior, programme_phase="2015-22")
        national = replace(national, previous_claims=(later_phase,))
        assert not rule_c6_one_claim_per_phase(national, reclaiming, CLAIM_ON).passed


class TestRuleC7InternalAudit:
    def test_fails_before_internal_audit(self) -> None:
        result = rule_c7_internal_audit(None)
        assert not result.passed
        assert "nothing is submitted without its approval" in result.reason

    def test_fails_when_rejected(self) -> None:
        claim = claim_in(ClaimState.REJECTED)
        result = rule_c7_internal_audit(claim.audit)
        assert not result.passed
        assert (
            "rejected this claim on 2024-07-15: DA evidence is a phone note only." in result.reason
        )

    def test_passes_when_approved(self) -> None:
        assert rule_c7_internal_audit(claim_in(ClaimState.APPROVED).audit).passed


class TestRuleC8FundingModel:
    def test_passes_for_payment_by_results(self) -> None:
        assert rule_c8_funding_model(POLICY).passed

    def test_fails_for_earned_autonomy(self) -> None:
        result = rule_c8_funding_model(replace(POLICY, funding_model=FundingModel.EARNED_AUTONOMY))
        assert not result.passed
        assert "Earned Autonomy" in result.reason


class TestRuleC9ClaimRoute:
    def test_significant_and_sustained_progress_passes(self) -> None:
        assert rule_c9_claim_route(make_case(), CATALOGUE).passed

    def test_continuous_employment_fails_under_the_2022_framework(self) -> None:
        case = make_case(route=ClaimRoute.CONTINUOUS_EMPLOYMENT)
        result = rule_c9_claim_route(case, CATALOGUE)
        assert not result.passed
        assert "only until September 2022" in result.reason

    def test_an_unknown_framework_version_fails(self) -> None:
        result = rule_c9_claim_route(make_case(framework_version="2030-01"), CATALOGUE)
        assert not result.passed


class TestRuleK13ProgrammeYear:
    def test_passes_in_a_national_programme_year(self) -> None:
        result = rule_k13_programme_year(make_case(), POLICY, CLAIM_ON)
        assert result.passed
        assert "2024-25, £800.00 per family" in result.reason

    def test_fails_outside_every_programme_year(self) -> None:
        result = rule_k13_programme_year(make_case(), POLICY, date(2030, 1, 1))
        assert not result.passed

    def test_a_local_scheme_year_needs_the_council_to_turn_it_on(self) -> None:
        on = date(2025, 4, 1)
        assert not rule_k13_programme_year(make_case(), POLICY, on).passed
        local = replace(POLICY, claims_after_programme=True)
        result = rule_k13_programme_year(make_case(), local, on)
        assert result.passed
        assert "no payment value" in result.reason

    def test_the_claim_date_not_the_evaluation_date_decides(self) -> None:
        case = make_case(claim_date=date(2025, 3, 31))
        assert rule_k13_programme_year(case, POLICY, date(2025, 4, 10)).passed


class TestRuleLookback:
    def test_fails_while_open(self) -> None:
        assert not rule_lookback(make_case(closed_on=None), POLICY, CLAIM_ON).passed

    def test_no_limit_when_the_council_sets_none(self) -> None:
        policy = replace(POLICY, claim_lookback_months=None)
        result = rule_lookback(make_case(), policy, date(2030, 1, 1))
        assert result.passed
        assert "no look-back limit" in result.reason

    def test_the_window_is_a_policy_setting(self) -> None:
        policy = replace(POLICY, claim_lookback_months=12)
        result = rule_lookback(make_case(), policy, date(2025, 2, 1))
        assert not result.passed
        assert "more than 12 months before the processing month 2025-02" in result.reason


class TestRuleDescriptorsVerified:
    def test_passes_when_every_descriptor_is_verified(self) -> None:
        assert rule_descriptors_verified(make_case(), CATALOGUE).passed

    def test_fails_on_the_shipped_unverified_descriptors(self) -> None:
        result = rule_descriptors_verified(make_case(), SHIPPED)
        assert not result.passed
        assert "CRIME.a, DA.a, EDU.a have not been verified" in result.reason


class TestEvaluation:
    def test_every_failing_rule_is_returned_with_its_reason(self) -> None:
        case = make_case(dependent_child_ids=(), support=())
        evaluation = evaluate_claim(case, POLICY, SHIPPED, CLAIM_ON - timedelta(days=1))
        assert not evaluation.eligible
        assert failing(evaluation) == {
            RuleId.C1,
            RuleId.C2,
            RuleId.C4,
            RuleId.C5,
            RuleId.VERIFIED,
        }
        assert all(r.reason for r in evaluation.failures)
        assert evaluation.result(RuleId.C3).passed

    def test_a_prospective_claim_is_dated_on_the_evaluation_day(self) -> None:
        assert make_case().claim_date is None
        assert evaluate_claim(make_case(), POLICY, CATALOGUE, CLAIM_ON).eligible


# --- the rule book's examples (§6) ---------------------------------------------------------------


class TestRuleBookExamples:
    def test_01_k1_e1_a_household_without_child_or_pregnancy_is_ineligible(self) -> None:
        adult_a, adult_b = uuid.uuid4(), uuid.uuid4()
        needs = tuple(make_need(c, person=adult_a) for c in DEFAULT_CODES)
        case = make_case(
            needs=needs,
            member_ids=(adult_a, adult_b),
            dependent_child_ids=(),
            assessments=(AssessmentSummary(ASSESSMENT, date(2023, 6, 1), (adult_a, adult_b)),),
        )
        result = rule_c1_family_and_needs(case, POLICY, CATALOGUE)
        assert not result.passed
        assert "no dependent child and no expectant parent" in result.reason
        pregnant = replace(case, expectant_parent_ids=(adult_a,))
        assert rule_c1_family_and_needs(pregnant, POLICY, CATALOGUE).passed
        assert evaluate_claim(pregnant, POLICY, CATALOGUE, CLAIM_ON).eligible

    def test_02_k2_k3_three_needs_under_two_headlines(self) -> None:
        case = make_case(codes=("EDU.a", "EDU.b", "CRIME.a"))
        strict = evaluate_claim(case, POLICY, CATALOGUE, CLAIM_ON)
        assert POLICY.min_distinct_headlines == 3
        assert failing(strict) == {RuleId.C1}
        assert "under 2 headlines (CRIME, EDU)" in strict.failures[0].reason
        literal = replace(POLICY, min_distinct_headlines=1)
        assert evaluate_claim(case, literal, CATALOGUE, CLAIM_ON).eligible

    def test_03_c3_e6_an_open_emerging_need_stops_the_claim_reaching_ready(self) -> None:
        case = with_needs(
            make_case(), make_need("HOUSING.a", emerged_later=True, status=NeedOutcome.OPEN)
        )
        claim = new_claim(case)
        with pytest.raises(ClaimRulesFailed) as error:
            claim.mark_ready(case, POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD)
        assert RuleId.C3 in {f.rule_id for f in error.value.failures}
        assert "HOUSING.a (emerged later) is still open" in error.value.detail
        assert claim.state is ClaimState.DRAFT

    def test_04_c4_c5_a_claim_waits_six_months_after_closure(self) -> None:
        case = make_case()  # closed 2024-01-15, checks recorded 2024-07-15
        early = evaluate_claim(case, POLICY, CATALOGUE, date(2024, 7, 14))
        assert RuleId.C5 in failing(early)
        assert "before 2024-07-15" in early.result(RuleId.C5).reason
        on_time = evaluate_claim(case, POLICY, CATALOGUE, date(2024, 7, 15))
        assert on_time.eligible
        # ... provided the checks are recorded on or after 2024-07-15.
        with pytest.raises(InvalidValue):
            make_need("EDU.a", checked_on=date(2024, 7, 14))

    def test_05_c4_a_new_da_incident_inside_the_window_blocks_the_claim(self) -> None:
        da = make_need(
            "DA.a",
            checked_on=date(2024, 5, 3),
            result=SustainmentResult.NOT_SUSTAINED,
            lapsed_on=date(2024, 5, 1),
        )
        assert da.outcome.status is NeedOutcome.NOT_ACHIEVED
        case = make_case(needs=(make_need("EDU.a"), make_need("CRIME.a"), da))
        evaluation = evaluate_claim(case, POLICY, CATALOGUE, CLAIM_ON)
        assert {RuleId.C3, RuleId.C4} <= failing(evaluation)
        assert (
            "DA.a: not sustained, the outcome lapsed on 2024-05-01"
            in evaluation.result(RuleId.C4).reason
        )
        with pytest.raises(ClaimRulesFailed):
            new_claim(case).mark_ready(case, POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD)

    def test_06_c6_a_second_claim_in_the_phase_while_the_first_is_paid_is_refused(self) -> None:
        first = claim_in(ClaimState.PAID)
        prior = PriorClaim(first.id, first.programme_phase, first.state)
        assert first.programme_phase == "2022-25"
        with pytest.raises(ClaimRulesFailed) as error:
            new_claim(make_case(previous_claims=(prior,)))
        assert [f.rule_id for f in error.value.failures] == [RuleId.C6]

    def test_07_c7_ready_to_submitted_without_internal_audit_is_refused(self) -> None:
        claim = claim_in(ClaimState.READY)
        with pytest.raises(ClaimRulesFailed) as error:
            claim.submit(on=CLAIM_ON, by=SF_LEAD)
        assert [f.rule_id for f in error.value.failures] == [RuleId.C7]
        assert "Internal audit has not approved this claim" in error.value.detail
        assert claim.state is ClaimState.READY

    def test_08_c8_earned_autonomy_makes_no_claims_but_still_counts_in_mi(self) -> None:
        autonomy = replace(POLICY, funding_model=FundingModel.EARNED_AUTONOMY)
        with pytest.raises(ClaimRulesFailed) as error:
            new_claim(policy=autonomy)
        assert [f.rule_id for f in error.value.failures] == [RuleId.C8]
        evaluation = evaluate_claim(make_case(), autonomy, CATALOGUE, CLAIM_ON)
        assert failing(evaluation) == {RuleId.C8}
        assert evaluation.outcomes_met  # the MI line "families claimable (passed C1-C5)"

    def test_09_c9_k7_continuous_employment_only_before_october_2022(self) -> None:
        with pytest.raises(ClaimRulesFailed) as error:
            new_claim(make_case(route=ClaimRoute.CONTINUOUS_EMPLOYMENT))
        assert [f.rule_id for f in error.value.failures] == [RuleId.C9]
        historical = make_case(
            closed_on=date(2019, 3, 1),
            codes=("FIN.a", "EDU.a"),
            framework_version="2015-local",
            route=ClaimRoute.CONTINUOUS_EMPLOYMENT,
        )
        assert rule_c9_claim_route(historical, CATALOGUE).passed
        migrated = new_claim(historical, on=date(2019, 9, 2))
        assert (migrated.programme_phase, migrated.unit_value_pence) == ("2015-22", 80000)

    @pytest.mark.parametrize(
        ("closed_on", "included"),
        [
            (date(2022, 9, 30), False),
            (date(2022, 10, 1), True),
            (date(2024, 4, 30), True),
            (date(2024, 5, 1), False),
        ],
    )
    @pytest.mark.parametrize("processing_day", [date(2024, 10, 1), date(2024, 10, 31)])
    def test_10_lookback_birmingham_window_for_october_2024(
        self, closed_on: date, included: bool, processing_day: date
    ) -> None:
        assert POLICY.claim_lookback_months == 24
        case = make_case(closed_on=closed_on)
        assert rule_lookback(case, POLICY, processing_day).passed is included

    def test_11_unit_value_is_kept_when_the_table_is_later_edited(self) -> None:
        closed = date(2023, 2, 15)
        case = make_case(closed_on=closed)
        claim = new_claim(case, on=date(2023, 9, 1))
        assert (claim.programme_year, claim.unit_value_pence) == ("2023-24", 80000)
        edited = replace(
            POLICY,
            programme_years=tuple(
                replace(y, unit_value_pence=95000) if y.label == "2023-24" else y
                for y in POLICY.programme_years
            ),
        )
        claim.mark_ready(case, edited, CATALOGUE, on=date(2023, 9, 1), by=SF_LEAD)
        pack = claim.send_to_internal_audit(case, on=date(2023, 9, 2), by=SF_LEAD)
        assert claim.unit_value_pence == 80000
        assert pack.content()["claim"]["unit_value_pence"] == 80000

    def test_12_k13_claims_from_april_2025_need_a_local_scheme(self) -> None:
        closed = date(2024, 9, 30)
        case = make_case(closed_on=closed)
        with pytest.raises(ClaimRulesFailed) as error:
            new_claim(case, on=date(2025, 4, 1))
        assert [f.rule_id for f in error.value.failures] == [RuleId.K13]
        local = replace(POLICY, claims_after_programme=True)
        claim = new_claim(case, policy=local, on=date(2025, 4, 1))
        assert (claim.programme_phase, claim.unit_value_pence) == ("local-2025-26", None)
        # A claim raised in 2024-25 stays workable and reportable after the programme ends.
        historical = new_claim(case, on=date(2025, 3, 31))
        historical.mark_ready(case, POLICY, CATALOGUE, on=date(2025, 4, 10), by=SF_LEAD)
        historical.send_to_internal_audit(case, on=date(2025, 4, 10), by=SF_LEAD)
        historical.approve(auditor_id=AUDITOR, on=date(2025, 4, 20), notes="Checked.")
        historical.submit(on=date(2025, 4, 21), by=SF_LEAD)
        assert (historical.state, historical.unit_value_pence) == (ClaimState.SUBMITTED, 80000)

    def test_13_a_claim_on_unverified_descriptors_cannot_reach_ready(self) -> None:
        case = make_case(needs=tuple(make_need(c, need_catalogue=SHIPPED) for c in DEFAULT_CODES))
        claim = new_claim(case, claim_catalogue=SHIPPED)
        with pytest.raises(ClaimRulesFailed) as error:
            claim.mark_ready(case, POLICY, SHIPPED, on=CLAIM_ON, by=SF_LEAD)
        assert [f.rule_id for f in error.value.failures] == [RuleId.VERIFIED]
        assert claim.state is ClaimState.DRAFT


# --- the claim state machine ---------------------------------------------------------------------


class TestClaimStateMachine:
    def test_the_transition_table_is_the_rule_books(self) -> None:
        assert {
            ClaimState.DRAFT: {ClaimState.READY},
            ClaimState.READY: {ClaimState.INTERNAL_AUDIT, ClaimState.DRAFT},
            ClaimState.INTERNAL_AUDIT: {ClaimState.APPROVED, ClaimState.REJECTED},
            ClaimState.APPROVED: {ClaimState.SUBMITTED},
            ClaimState.SUBMITTED: {ClaimState.PAID, ClaimState.CLAWED_BACK},
            ClaimState.PAID: {ClaimState.CLAWED_BACK},
            ClaimState.REJECTED: set(),
            ClaimState.CLAWED_BACK: set(),
        } == CLAIM_TRANSITIONS

    def test_the_happy_path_records_every_step(self) -> None:
        claim = claim_in(ClaimState.PAID)
        assert [(e.from_state, e.to_state) for e in claim.history] == [
            (None, ClaimState.DRAFT),
            (ClaimState.DRAFT, ClaimState.READY),
            (ClaimState.READY, ClaimState.INTERNAL_AUDIT),
            (ClaimState.INTERNAL_AUDIT, ClaimState.APPROVED),
            (ClaimState.APPROVED, ClaimState.SUBMITTED),
            (ClaimState.SUBMITTED, ClaimState.PAID),
        ]
        assert claim.prepared_by == SF_LEAD
        assert claim.audit is not None
        assert claim.audit.outcome is AuditOutcome.APPROVED
        assert (claim.submitted_on, claim.paid_on) == (date(2024, 7, 16), date(2024, 8, 14))

    def test_raising_a_claim_copies_the_programme_year(self) -> None:
        claim = new_claim()
        assert claim.state is ClaimState.DRAFT
        assert (claim.programme_year, claim.programme_phase, claim.unit_value_pence) == (
            "2024-25",
            "2022-25",
            80000,
        )

    def test_making_ready_returns_the_evaluation(self) -> None:
        case = make_case()
        evaluation = new_claim(case).mark_ready(case, POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD)
        assert evaluation.eligible

    def test_a_ready_claim_goes_back_to_draft_when_the_case_is_edited(self) -> None:
        claim = claim_in(ClaimState.READY)
        claim.record_case_edit(on=CLAIM_ON, by=LEAD, what="outcome of EDU.a")
        assert claim.state is ClaimState.DRAFT
        assert claim.ready_on is None
        assert claim.history[-1].note == "Case edited: outcome of EDU.a"

    def test_editing_a_draft_changes_nothing(self) -> None:
        claim = claim_in(ClaimState.DRAFT)
        claim.record_case_edit(on=CLAIM_ON, by=LEAD, what="needs")
        assert (claim.state, len(claim.history)) == (ClaimState.DRAFT, 1)

    @pytest.mark.parametrize(
        "state",
        [ClaimState.INTERNAL_AUDIT, ClaimState.APPROVED, ClaimState.SUBMITTED, ClaimState.PAID],
    )
    def test_edits_are_refused_with_audit_and_after_approval(self, state: ClaimState) -> None:
        claim = claim_in(state)
        with pytest.raises(IllegalTransition) as error:
            claim.record_case_edit(on=CLAIM_ON + timedelta(days=200), by=LEAD, what="closure")
        assert "cannot change" in error.value.detail
        assert claim.state is state

    @pytest.mark.parametrize("state", [ClaimState.REJECTED, ClaimState.CLAWED_BACK])
    def test_edits_after_a_final_state_leave_the_claim_alone(self, state: ClaimState) -> None:
        claim = claim_in(state)
        claim.record_case_edit(on=CLAIM_ON + timedelta(days=200), by=LEAD, what="needs")
        assert claim.state is state

    def test_an_auditor_approves_with_notes(self) -> None:
        claim = claim_in(ClaimState.INTERNAL_AUDIT)
        with pytest.raises(InvalidValue) as error:
            claim.approve(auditor_id=AUDITOR, on=CLAIM_ON, notes="  ")
        assert error.value.field == "notes"
        assert claim.state is ClaimState.INTERNAL_AUDIT

    def test_the_preparer_cannot_audit_their_own_claim(self) -> None:
        claim = claim_in(ClaimState.INTERNAL_AUDIT)
        with pytest.raises(Forbidden):
            claim.approve(auditor_id=SF_LEAD, on=CLAIM_ON, notes="Looks fine.")

    def test_a_rejection_is_final_and_keeps_the_reason(self) -> None:
        claim = claim_in(ClaimState.REJECTED)
        assert claim.audit is not None
        assert claim.audit.outcome is AuditOutcome.REJECTED
        with pytest.raises(IllegalTransition) as error:
            claim.submit(on=CLAIM_ON, by=SF_LEAD)
        assert "final" in error.value.detail
        with pytest.raises(IllegalTransition):
            claim.mark_ready(make_case(), POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD)

    def test_a_rejected_claim_does_not_stop_a_new_one(self) -> None:
        rejected = claim_in(ClaimState.REJECTED)
        prior = PriorClaim(rejected.id, rejected.programme_phase, rejected.state)
        assert new_claim(make_case(previous_claims=(prior,))).state is ClaimState.DRAFT

    def test_an_approved_claim_is_submitted_once(self) -> None:
        claim = claim_in(ClaimState.SUBMITTED)
        with pytest.raises(IllegalTransition) as error:
            claim.submit(on=CLAIM_ON + timedelta(days=2), by=SF_LEAD)
        assert "only an approved claim is submitted" in error.value.detail

    def test_only_a_submitted_claim_is_paid(self) -> None:
        with pytest.raises(IllegalTransition):
            claim_in(ClaimState.APPROVED).mark_paid(on=CLAIM_ON, by=SF_LEAD)

    def test_a_claw_back_keeps_its_reason_and_date(self) -> None:
        claim = claim_in(ClaimState.PAID)
        claim.claw_back(on=date(2025, 1, 10), by=SF_LEAD, reason="No evidence for DA.a on file.")
        assert claim.state is ClaimState.CLAWED_BACK
        assert claim.clawback is not None
        assert (claim.clawback.on, claim.clawback.reason) == (
            date(2025, 1, 10),
            "No evidence for DA.a on file.",
        )

    def test_a_claw_back_needs_a_reason(self) -> None:
        with pytest.raises(InvalidValue):
            claim_in(ClaimState.PAID).claw_back(on=date(2025, 1, 10), by=SF_LEAD, reason="")

    def test_a_draft_cannot_be_clawed_back(self) -> None:
        with pytest.raises(IllegalTransition):
            claim_in(ClaimState.DRAFT).claw_back(on=CLAIM_ON, by=SF_LEAD, reason="x")

    def test_internal_audit_decides_only_on_a_claim_sent_to_it(self) -> None:
        with pytest.raises(IllegalTransition):
            claim_in(ClaimState.READY).approve(auditor_id=AUDITOR, on=CLAIM_ON, notes="ok")

    def test_a_paid_claim_can_be_sampled_for_assurance(self) -> None:
        claim = claim_in(ClaimState.PAID)
        claim.record_assurance_sample(on=date(2024, 9, 1), by=SF_LEAD)
        assert claim.assurance_sampled
        assert claim.state is ClaimState.PAID
        with pytest.raises(IllegalTransition):
            claim_in(ClaimState.READY).record_assurance_sample(on=CLAIM_ON, by=SF_LEAD)

    def test_a_step_cannot_be_dated_before_the_last_one(self) -> None:
        claim = claim_in(ClaimState.DRAFT)
        with pytest.raises(InvalidValue) as error:
            claim.mark_ready(
                make_case(), POLICY, CATALOGUE, on=CLAIM_ON - timedelta(days=1), by=SF_LEAD
            )
        assert error.value.field == "on"

    def test_a_case_for_another_family_is_refused(self) -> None:
        claim = claim_in(ClaimState.DRAFT)
        with pytest.raises(InvalidValue) as error:
            claim.mark_ready(
                make_case(family_id=uuid.uuid4()), POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD
            )
        assert error.value.field == "case.family_id"

    def test_entering_ready_reruns_every_rule(self) -> None:
        claim = claim_in(ClaimState.DRAFT)
        worse = make_case(support=(), lead_history=())
        with pytest.raises(ClaimRulesFailed) as error:
            claim.mark_ready(worse, POLICY, CATALOGUE, on=CLAIM_ON, by=SF_LEAD)
        assert [f.rule_id for f in error.value.failures] == [RuleId.C2]


# --- the evidence pack ---------------------------------------------------------------------------


class TestEvidencePack:
    def test_the_pack_holds_what_the_claim_rests_on(self) -> None:
        claim = claim_in(ClaimState.APPROVED)
        assert claim.evidence_pack is not None
        content = claim.evidence_pack.content()
        assert set(content) == {
            "pack_format",
            "claim",
            "household",
            "intervention",
            "needs",
            "assessments",
            "plans",
            "support",
            "lead_history",
            "internal_audit",
        }
        # Same identification date, so ordered by their canonical text: descriptor code first.
        assert [n["descriptor_code"] for n in content["needs"]] == ["CRIME.a", "DA.a", "EDU.a"]
        assert content["needs"][0]["sustainment_check"]["result"] == "sustained"
        assert content["internal_audit"]["outcome"] == "approved"
        assert content["internal_audit"]["notes"] == "Sampled evidence for all three needs."
        assert content["claim"]["unit_value_pence"] == 80000

    def test_the_auditor_sees_the_pack_before_deciding(self) -> None:
        claim = claim_in(ClaimState.INTERNAL_AUDIT)
        assert claim.evidence_pack is not None
        assert claim.evidence_pack.content()["internal_audit"] is None

    def test_the_hash_is_the_sha256_of_the_canonical_json(self) -> None:
        pack = EvidencePack.from_content({"b": [1, 2], "a": "é"})
        assert pack.canonical_json == '{"a":"é","b":[1,2]}'
        assert pack.content_hash == hashlib.sha256(pack.canonical_json.encode()).hexdigest()

    def test_the_same_facts_in_another_order_hash_alike(self) -> None:
        case = make_case()
        claim = claim_in(ClaimState.READY, case)
        shuffled = replace(
            case,
            needs=tuple(reversed(case.needs)),
            member_ids=tuple(reversed(case.member_ids)),
        )
        assert (
            build_evidence_pack(claim, case).content_hash
            == build_evidence_pack(claim, shuffled).content_hash
        )

    def test_different_facts_hash_differently(self) -> None:
        case = make_case()
        claim = claim_in(ClaimState.READY, case)
        other = replace(case, closure_reason=ClosureReason.STEPPED_DOWN_TO_UNIVERSAL)
        assert (
            build_evidence_pack(claim, case).content_hash
            != build_evidence_pack(claim, other).content_hash
        )

    def test_the_pack_is_reproduced_from_the_record_after_approval(self) -> None:
        case = make_case()
        claim = claim_in(ClaimState.PAID, case)
        stored = claim.evidence_pack
        assert claim.rebuild_evidence_pack(case) is stored

    def test_the_pack_cannot_change_after_approval(self) -> None:
        case = make_case()
        claim = claim_in(ClaimState.APPROVED, case)
        stored = claim.evidence_pack
        changed = replace(case, support=(*case.support, SupportDelivered("Debt advice", CLOSED_ON)))
        with pytest.raises(IllegalTransition) as error:
            claim.rebuild_evidence_pack(changed)
        assert "cannot change" in error.value.detail
        assert claim.evidence_pack is stored

    def test_the_pack_cannot_change_while_with_internal_audit(self) -> None:
        case = make_case()
        claim = claim_in(ClaimState.INTERNAL_AUDIT, case)
        with pytest.raises(IllegalTransition):
            claim.rebuild_evidence_pack(replace(case, support=()))

    def test_before_audit_a_rebuild_is_a_preview(self) -> None:
        case = make_case()
        claim = claim_in(ClaimState.READY, case)
        assert claim.rebuild_evidence_pack(case).content()["internal_audit"] is None
        assert claim.evidence_pack is None

    def test_a_stored_pack_that_was_altered_is_refused(self) -> None:
        pack = claim_in(ClaimState.APPROVED).evidence_pack
        assert pack is not None
        tampered = pack.canonical_json.replace("80000", "90000")
        with pytest.raises(InvalidValue) as error:
            EvidencePack(canonical_json=tampered, content_hash=pack.content_hash)
        assert error.value.field == "content_hash"

    def test_a_stored_pack_must_be_canonical(self) -> None:
        pack = EvidencePack.from_content({"a": 1})
        with pytest.raises(InvalidValue) as error:
            EvidencePack(canonical_json='{"a": 1}', content_hash=pack.content_hash)
        assert error.value.field == "canonical_json"

    def test_content_is_a_copy(self) -> None:
        pack = EvidencePack.from_content({"a": [1]})
        pack.content()["a"].append(2)
        assert pack.content() == {"a": [1]}


class TestProgrammeYearsOnClaims:
    def test_a_claim_in_a_year_without_value_is_a_local_scheme(self) -> None:
        year = ProgrammeYear("2026-27", "local", date(2026, 4, 1), date(2027, 3, 31), None)
        assert year.is_local_scheme


# --- what the record accepts, and when -----------------------------------------------------------

days = st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31))


class TestWhatTheRecordAccepts:
    @given(identified_on=days, today=days, requested_on=days)
    def test_a_need_is_identified_on_a_day_of_the_episode_up_to_today(
        self, identified_on: date, today: date, requested_on: date
    ) -> None:
        """The shared step-date rule (issue 18 §1): not after today, not before the request."""
        if identified_on > today or identified_on < requested_on:
            with pytest.raises(InvalidValue) as refused:
                check_need_identified(identified_on, today=today, requested_on=requested_on)
            assert refused.value.field == "identified_on"
            expected = (
                "step_date_in_future" if identified_on > today else "step_date_before_request"
            )
            assert refused.value.code == expected
        else:
            check_need_identified(identified_on, today=today, requested_on=requested_on)

    def test_a_closed_episode_takes_no_new_needs(self) -> None:
        check_needs_recorded_while_open(True)
        with pytest.raises(IllegalTransition):
            check_needs_recorded_while_open(False)

    def test_a_need_takes_the_descriptor_of_the_framework_in_force_when_identified(self) -> None:
        descriptor = need_descriptor(CATALOGUE, "EDU.a", date(2024, 1, 8))
        assert (descriptor.code, descriptor.headline) == ("EDU.a", "EDU")
        with pytest.raises(InvalidValue) as unknown:
            need_descriptor(CATALOGUE, "NOPE.z", date(2024, 1, 8))
        assert unknown.value.field == "descriptor_code"

    def test_a_need_names_only_members_of_the_family(self) -> None:
        check_need_members((CHILD, PARENT), {PARENT, CHILD})
        with pytest.raises(InvalidValue) as stranger:
            check_need_members((CHILD, uuid.uuid4()), {PARENT, CHILD})
        assert stranger.value.field == "person_ids[1]"

    @given(on=st.one_of(st.none(), days), today=days)
    def test_an_outcome_is_not_reached_in_the_future(self, on: date | None, today: date) -> None:
        if on is not None and on > today:
            with pytest.raises(InvalidValue) as refused:
                check_outcome_reached(on, today)
            assert refused.value.field == "on"
        else:
            check_outcome_reached(on, today)

    @given(checked_on=st.one_of(st.none(), days), today=days)
    def test_a_check_is_dated_today_unless_said_and_never_in_the_future(
        self, checked_on: date | None, today: date
    ) -> None:
        if checked_on is not None and checked_on > today:
            with pytest.raises(InvalidValue) as refused:
                sustainment_check_day(checked_on, today)
            assert refused.value.field == "checked_on"
        else:
            assert sustainment_check_day(checked_on, today) == (checked_on or today)

    def test_outcomes_are_checked_for_sustainment_only_after_closure(self) -> None:
        assert closed_for_sustainment(CLOSED_ON) == CLOSED_ON
        with pytest.raises(IllegalTransition):
            closed_for_sustainment(None)

    @given(started_on=days, requested_on=days, today=days)
    def test_support_starts_within_the_episode_and_not_in_the_future(
        self, started_on: date, requested_on: date, today: date
    ) -> None:
        support = SupportDelivered("Debt advice", started_on)
        if started_on > today or started_on < requested_on:
            with pytest.raises(InvalidValue) as refused:
                check_support_dates(support, requested_on=requested_on, today=today)
            assert refused.value.field == "started_on"
        else:
            check_support_dates(support, requested_on=requested_on, today=today)


class TestClaimRefusals:
    def test_a_second_live_claim_in_the_phase_is_refused_naming_the_first(self) -> None:
        first = PriorClaim(uuid.uuid4(), "2022-25", ClaimState.INTERNAL_AUDIT)
        other_phase = PriorClaim(uuid.uuid4(), "2021-22", ClaimState.PAID)
        rejected = PriorClaim(uuid.uuid4(), "2022-25", ClaimState.REJECTED)
        assert live_claim_in_phase([other_phase, rejected, first], "2022-25") == first
        check_no_live_claim([other_phase, rejected], "2022-25")
        with pytest.raises(Conflict) as refused:
            check_no_live_claim([other_phase, rejected, first], "2022-25")
        assert str(first.claim_id) in refused.value.detail
        assert "internal audit" in refused.value.detail

    def test_a_claim_is_raised_only_for_a_family_passing_every_rule(self) -> None:
        check_claimable(evaluate_claim(make_case(), POLICY, CATALOGUE, CLAIM_ON))
        with pytest.raises(ClaimRulesFailed) as refused:
            check_claimable(evaluate_claim(make_case(closed_on=None), POLICY, CATALOGUE, CLAIM_ON))
        assert RuleId.C4 in {f.rule_id for f in refused.value.failures}

    @pytest.mark.parametrize("state", [s for s in ClaimState if s is not ClaimState.INTERNAL_AUDIT])
    def test_internal_audit_decides_only_on_a_claim_sent_to_it(self, state: ClaimState) -> None:
        claim_in(ClaimState.INTERNAL_AUDIT).check_with_internal_audit()
        claim = claim_in(state)
        with pytest.raises(IllegalTransition) as refused:
            claim.check_with_internal_audit()
        assert refused.value.detail == (
            f"This claim is {state.value.replace('_', ' ')}; internal audit decides only on a "
            "claim sent to it (§4.5, K9)."
        )
