"""The outcome framework as reference data (shared/domain/supporting-families.md §2, §5.3), the
council policy, and properties of the claim rules and evidence pack that must hold for any family.
"""

from __future__ import annotations

import contextlib
import copy
import json
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.db.repositories.reference import (
    FRAMEWORK_FILE,
    HEADLINES_FILE,
    load_framework,
    packaged_framework,
    packaged_headlines,
)
from app.domain.errors import IllegalTransition, InvalidValue, NotFound
from app.domain.families import add_months
from app.domain.outcomes_framework import (
    ClaimCadence,
    ClaimRoute,
    CouncilPolicy,
    FundingModel,
    ProgrammeYear,
    SustainRule,
    SustainRuleKind,
    VersionThreshold,
    check_claim_period_end,
    check_policy_thresholds,
    claim_period_containing,
    claim_period_end,
    council_policy_to_dict,
    parse_council_policy,
    parse_framework,
    parse_headline_list,
    parse_uploaded_framework,
    signed_off,
)
from app.domain.supporting_families import (
    ClaimCase,
    ClaimState,
    NeedOutcome,
    NeedRecord,
    PlanSummary,
    PriorClaim,
    RuleId,
    SustainmentResult,
    evaluate_claim,
    raise_claim,
)
from tests.unit.domain.test_supporting_families import (
    AUDITOR,
    CATALOGUE,
    CHILD,
    PARENT,
    PLAN,
    POLICY,
    SF_LEAD,
    SHIPPED,
    make_case,
    make_need,
    with_needs,
)

NATIONAL_ORDER = ["EDU", "EYD", "HEALTH", "SUBS", "REL", "SAFE", "CRIME", "DA", "HOUSING", "FIN"]


def shipped_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


# --- the shipped file ----------------------------------------------------------------------------


class TestTheShippedFramework:
    def test_it_loads_and_validates(self) -> None:
        assert [v.code for v in SHIPPED.versions] == ["2015-local", "2022-10"]
        assert packaged_framework() is packaged_framework()

    def test_the_national_framework_has_the_ten_headlines_in_order(self) -> None:
        version = SHIPPED.version("2022-10")
        assert [h.code for h in version.headlines] == NATIONAL_ORDER
        assert version.effective_from == date(2022, 10, 3)
        assert version.effective_to is None
        assert not version.historical
        assert version.claim_routes == {ClaimRoute.SIGNIFICANT_AND_SUSTAINED_PROGRESS}
        assert all(h.descriptors for h in version.headlines)

    def test_every_national_descriptor_is_unverified_until_signed_off(self) -> None:
        # §2: the per-headline tables could not be read, so every descriptor is [U].
        descriptors = [d for h in SHIPPED.version("2022-10").headlines for d in h.descriptors]
        assert descriptors
        assert not any(d.verified for d in descriptors)
        assert all(d.sustain_rule == SustainRule(6) for d in descriptors)
        assert all(d.data_sources and d.outcome_text and d.source_ref for d in descriptors)

    def test_the_2015_local_plans_are_kept_as_history(self) -> None:
        version = SHIPPED.version("2015-local")
        assert version.historical
        assert len(version.headlines) == 6
        assert version.effective_to == date(2022, 10, 2)
        assert ClaimRoute.CONTINUOUS_EMPLOYMENT in version.claim_routes

    def test_the_version_in_force_changes_on_3_october_2022(self) -> None:
        assert SHIPPED.in_force_on(date(2022, 10, 2)) is SHIPPED.version("2015-local")
        assert SHIPPED.in_force_on(date(2022, 10, 3)) is SHIPPED.version("2022-10")
        assert SHIPPED.in_force_on(date(2015, 3, 31)) is None

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("Protecting families from domestic abuse", "DA"),
            ("promoting recovery and  reducing harm from substance use", "SUBS"),
            ("Crime prevention and tackling crime", "CRIME"),
            ("Preventing crime", "CRIME"),
            ("Protecting children from abuse and exploitation", "SAFE"),
            ("Secure housing", "HOUSING"),
            ("fin", "FIN"),
        ],
    )
    def test_consultation_names_are_aliases_of_one_code(self, text: str, code: str) -> None:
        headline = SHIPPED.version("2022-10").find_headline(text)
        assert headline is not None
        assert headline.code == code

    def test_an_unknown_version_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            SHIPPED.version("2012-phase-1")
        assert SHIPPED.get_version("2012-phase-1") is None

    def test_the_default_policy_holds_the_rule_books_defaults(self) -> None:
        policy = SHIPPED.default_policy
        assert policy.funding_model is FundingModel.PAYMENT_BY_RESULTS
        assert (policy.min_needs, policy.min_distinct_headlines) == (3, 3)
        assert policy.thresholds_for("2015-local") == (2, 2)
        assert policy.claim_lookback_months == 24
        assert policy.claim_after_closure_months == 6
        assert policy.claim_cadence is ClaimCadence.MONTHLY
        assert not policy.claims_after_programme
        assert not policy.clawback_frees_family
        national = [y for y in policy.programme_years if y.phase == "2022-25"]
        assert [(y.label, y.unit_value_pence) for y in national] == [
            ("2022-23", 80000),
            ("2023-24", 80000),
            ("2024-25", 80000),
        ]
        year = policy.programme_year_on(date(2025, 4, 1))
        assert year is not None
        assert year.is_local_scheme

    def test_a_framework_file_can_be_loaded_from_anywhere(self, tmp_path: Path) -> None:
        path = tmp_path / "framework.json"
        path.write_text(json.dumps(shipped_data()), encoding="utf-8")
        assert load_framework(path) == SHIPPED


# --- malformed input names the field -------------------------------------------------------------


def _headline_entry(index: int, **values: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        data["headlines"][index].update(values)

    return mutate


class TestTheHeadlineListNeedsAreTaggedWith:
    def test_the_shipped_list_is_the_national_frameworks_ten_headlines(self) -> None:
        listed = packaged_headlines()
        assert [h.code for h in listed] == NATIONAL_ORDER
        assert [h.code for h in listed] == [h.code for h in SHIPPED.version("2022-10").headlines]
        assert all(h.name and not h.descriptors for h in listed)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            (_headline_entry(1, code="EDU"), "headlines[1].code"),
            (_headline_entry(0, code="edu"), "headlines[0].code"),
            (_headline_entry(2, name=" "), "headlines[2].name"),
            (_headline_entry(3, colour="blue"), "headlines[3].colour"),
            (_headline_entry(4, aliases="housing"), "headlines[4].aliases"),
        ],
    )
    def test_a_bad_entry_is_refused_naming_it(self, change: Any, field: str) -> None:
        data = json.loads(HEADLINES_FILE.read_text(encoding="utf-8"))
        change(data)
        with pytest.raises(InvalidValue) as refused:
            parse_headline_list(data)
        assert refused.value.field == field

    def test_an_empty_list_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            parse_headline_list({"headlines": []})
        assert refused.value.field == "headlines"


class TestASupportingFamiliesLeadsSignOff:
    def test_every_version_and_descriptor_is_marked_verified_on_a_copy(self) -> None:
        shipped = shipped_data()
        signed = parse_framework(signed_off(shipped))
        assert all(v.verified for v in signed.versions)
        assert all(d.verified for v in signed.versions for h in v.headlines for d in h.descriptors)
        assert shipped == shipped_data()


def _set(path: list[Any], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _copy(path: list[Any], source: int, target: int) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        items: Any = data
        for key in path:
            items = items[key]
        items[target] = copy.deepcopy(items[source])

    return mutate


D0 = ["versions", 1, "headlines", 2, "descriptors", 0]
POLICY_PATH = ["council_policy"]

MALFORMED = [
    (_set(["versions", 1, "headlines", 3, "code"], ""), "versions[1].headlines[3].code"),
    (_set(["versions", 1, "headlines", 3, "code"], "subs"), "versions[1].headlines[3].code"),
    (_copy(["versions", 1, "headlines"], 0, 1), "versions[1].headlines[1].code"),
    (_delete(["versions", 1, "headlines", 0, "name"]), "versions[1].headlines[0].name"),
    (_set(["versions", 0, "colour"], "blue"), "versions[0].colour"),
    (_set([*D0, "code"], "EDU.x"), "versions[1].headlines[2].descriptors[0].code"),
    (_set([*D0, "code"], "HEALTH.b"), "versions[1].headlines[2].descriptors[1].code"),
    (
        _set([*D0, "sustain_rule", "months"], 0),
        "versions[1].headlines[2].descriptors[0].sustain_rule.months",
    ),
    (
        _set([*D0, "sustain_rule", "months"], True),
        "versions[1].headlines[2].descriptors[0].sustain_rule.months",
    ),
    (
        _set([*D0, "sustain_rule", "type"], "school_terms"),
        "versions[1].headlines[2].descriptors[0].sustain_rule.type",
    ),
    (_set([*D0, "verified"], "yes"), "versions[1].headlines[2].descriptors[0].verified"),
    (_set([*D0, "data_sources"], []), "versions[1].headlines[2].descriptors[0].data_sources"),
    (
        _set([*D0, "data_sources"], ["Police", " "]),
        "versions[1].headlines[2].descriptors[0].data_sources[1]",
    ),
    (
        _set(["versions", 1, "headlines", 9, "aliases"], ["Housing"]),
        "versions[1].headlines[9].aliases[0]",
    ),
    (_set(["versions", 1, "effective_from"], "2022-13-01"), "versions[1].effective_from"),
    (_set(["versions", 1, "effective_from"], "2022-10-01"), "versions[1].effective_from"),
    (_set(["versions", 0, "effective_to"], "2014-01-01"), "versions[0].effective_to"),
    (
        _set(["versions", 1, "claim_routes", 0], "equivalent_progress"),
        "versions[1].claim_routes[0]",
    ),
    (_set(["versions", 1, "code"], "2015-local"), "versions[1].code"),
    (_set(["versions"], []), "versions"),
    (_set(["schema_version"], 2), "schema_version"),
    (_set([*POLICY_PATH, "min_distinct_headlines"], 4), "council_policy.min_distinct_headlines"),
    (_set([*POLICY_PATH, "min_needs"], True), "council_policy.min_needs"),
    (_set([*POLICY_PATH, "funding_model"], "PbR"), "council_policy.funding_model"),
    (_set([*POLICY_PATH, "claim_lookback_months"], 3), "council_policy.claim_lookback_months"),
    (
        _set([*POLICY_PATH, "programme_years", 0, "end"], "2015-01-01"),
        "council_policy.programme_years[0].end",
    ),
    (
        _set([*POLICY_PATH, "programme_years", 0, "unit_value_pence"], -1),
        "council_policy.programme_years[0].unit_value_pence",
    ),
    (
        _set([*POLICY_PATH, "programme_years", 1, "start"], "2016-03-01"),
        "council_policy.programme_years",
    ),
    (
        _set([*POLICY_PATH, "version_thresholds", 0, "framework_version"], "2012"),
        "council_policy.version_thresholds[0].framework_version",
    ),
    (
        _set([*POLICY_PATH, "version_thresholds", 0, "min_needs"], 1),
        "council_policy.version_thresholds[0].min_distinct_headlines",
    ),
    (_set([*POLICY_PATH, "target_families"], 500), "council_policy.target_families"),
]


class TestMalformedFrameworkData:
    @pytest.mark.parametrize(("mutate", "field"), MALFORMED)
    def test_the_error_names_the_field(self, mutate: Any, field: str) -> None:
        data = shipped_data()
        mutate(data)
        with pytest.raises(InvalidValue) as error:
            parse_framework(data)
        assert error.value.field == field
        assert error.value.detail

    def test_not_an_object(self) -> None:
        with pytest.raises(InvalidValue):
            parse_framework([])  # type: ignore[arg-type]

    @pytest.mark.parametrize(("mutate", "field"), MALFORMED[:3])
    def test_an_uploaded_document_names_the_field_under_document(
        self, mutate: Any, field: str
    ) -> None:
        data = shipped_data()
        mutate(data)
        with pytest.raises(InvalidValue) as error:
            parse_uploaded_framework(data)
        assert error.value.field == f"document.{field}"
        assert parse_uploaded_framework(shipped_data()).versions


# --- council policy ------------------------------------------------------------------------------


class TestCouncilPolicy:
    def test_it_round_trips_through_its_stored_form(self) -> None:
        policy = replace(POLICY, min_distinct_headlines=1, claims_after_programme=True)
        assert parse_council_policy(council_policy_to_dict(policy)) == policy

    def test_missing_keys_take_the_rule_books_defaults(self) -> None:
        policy = parse_council_policy({})
        assert (policy.min_needs, policy.min_distinct_headlines) == (3, 3)
        assert policy.programme_years == ()

    def test_settings_are_validated_when_built_directly(self) -> None:
        with pytest.raises(InvalidValue) as error:
            CouncilPolicy(min_needs=0)
        assert error.value.field == "min_needs"
        with pytest.raises(InvalidValue) as error:
            CouncilPolicy(claim_cadence="weekly")  # type: ignore[arg-type]
        assert error.value.field == "claim_cadence"
        with pytest.raises(InvalidValue):
            VersionThreshold("2022-10", 2, 3)
        with pytest.raises(InvalidValue):
            SustainRule(months=6, kind="terms")  # type: ignore[arg-type]

    def test_a_threshold_can_be_set_per_framework_version(self) -> None:
        policy = CouncilPolicy(version_thresholds=(VersionThreshold("2015-local", 2, 2),))
        assert policy.thresholds_for("2015-local") == (2, 2)
        assert policy.thresholds_for("2022-10") == (3, 3)

    def test_programme_years_are_inclusive(self) -> None:
        year = ProgrammeYear("2024-25", "2022-25", date(2024, 4, 1), date(2025, 3, 31), 80000)
        assert year.contains(date(2024, 4, 1))
        assert year.contains(date(2025, 3, 31))
        assert not year.contains(date(2025, 4, 1))

    @pytest.mark.parametrize(
        ("on", "cadence", "period_end"),
        [
            (date(2024, 2, 10), ClaimCadence.MONTHLY, date(2024, 2, 29)),
            (date(2024, 12, 31), ClaimCadence.MONTHLY, date(2024, 12, 31)),
            (date(2024, 2, 10), ClaimCadence.QUARTERLY, date(2024, 3, 31)),
            (date(2024, 11, 1), ClaimCadence.QUARTERLY, date(2024, 12, 31)),
        ],
    )
    def test_claims_are_batched_by_the_policy_cadence(
        self, on: date, cadence: ClaimCadence, period_end: date
    ) -> None:
        assert claim_period_end(on, cadence) == period_end

    @given(day=st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31)))
    def test_a_batch_covers_a_whole_period_that_has_ended(self, day: date) -> None:
        today = date(2026, 6, 15)
        monthly = replace(POLICY, claim_cadence=ClaimCadence.MONTHLY)
        if claim_period_end(day, ClaimCadence.MONTHLY) != day:
            with pytest.raises(InvalidValue) as refused:
                check_claim_period_end(day, monthly, today)
            assert refused.value.field == "period_end"
            assert "monthly" in refused.value.detail
        elif day > today:
            with pytest.raises(InvalidValue) as refused:
                check_claim_period_end(day, monthly, today)
            assert "in the future" in refused.value.detail
        else:
            check_claim_period_end(day, monthly, today)

    @given(
        day=st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31)),
        cadence=st.sampled_from(ClaimCadence),
    )
    def test_any_day_falls_in_the_one_period_that_holds_it(
        self, day: date, cadence: ClaimCadence
    ) -> None:
        today = date(2026, 6, 15)
        policy = replace(POLICY, claim_cadence=cadence)
        end = claim_period_end(day, cadence)
        if end > today:
            with pytest.raises(InvalidValue) as refused:
                claim_period_containing(day, policy, today)
            assert refused.value.field == "period_end"
            return
        period = claim_period_containing(day, policy, today)
        assert period.start <= day <= period.end == end
        assert period.start.day == 1
        assert claim_period_end(period.start, cadence) == end
        before = period.start - timedelta(days=1)
        assert claim_period_containing(before, policy, today).end == before

    def test_a_policy_threshold_names_a_framework_version_the_service_knows(self) -> None:
        policy = CouncilPolicy(version_thresholds=(VersionThreshold("2015-local", 2, 2),))
        check_policy_thresholds(policy, ["2015-local", "2022-10"])
        with pytest.raises(InvalidValue) as refused:
            check_policy_thresholds(policy, ["2022-10"])
        assert refused.value.field == "policy.version_thresholds[0].framework_version"

    def test_the_sustain_rule_counts_months_after_closure(self) -> None:
        rule = SustainRule(12, SustainRuleKind.MONTHS_AFTER_CLOSURE)
        assert rule.due_on(date(2024, 2, 29)) == date(2025, 2, 28)


# --- properties of the claim rules ---------------------------------------------------------------

VERSION_2022 = CATALOGUE.version("2022-10")
CODES_2022 = sorted(d.code for h in VERSION_2022.headlines for d in h.descriptors)
CODES_BY_HEADLINE = {h.code: [d.code for d in h.descriptors] for h in VERSION_2022.headlines}
FIRST_DAY = date(2022, 10, 3)


@st.composite
def need_records(draw: st.DrawFn, closed_on: date | None) -> NeedRecord:
    """Any need under the 2022 framework, with any outcome and any valid sustainment check."""
    anchor = closed_on or date(2024, 1, 15)
    code = draw(st.sampled_from(CODES_2022))
    status = draw(st.sampled_from(NeedOutcome))
    identified_on = draw(st.dates(FIRST_DAY, anchor - timedelta(days=15)))
    result = None
    if status is NeedOutcome.ACHIEVED and closed_on is not None:
        result = draw(st.sampled_from([None, *SustainmentResult]))
    checked_on = lapsed_on = None
    due = add_months(anchor, 6)
    if result is SustainmentResult.SUSTAINED:
        checked_on = due + timedelta(days=draw(st.integers(0, 60)))
    elif result is SustainmentResult.UNKNOWN:
        checked_on = anchor + timedelta(days=draw(st.integers(0, 250)))
    elif result is SustainmentResult.NOT_SUSTAINED:
        lapsed_on = anchor + timedelta(days=draw(st.integers(0, 150)))
        checked_on = lapsed_on + timedelta(days=draw(st.integers(0, 60)))
    return make_need(
        code,
        closed_on=anchor,
        identified_on=identified_on,
        emerged_later=draw(st.booleans()),
        person=draw(st.sampled_from([CHILD, PARENT])),
        status=status,
        checked_on=checked_on,
        result=result,
        lapsed_on=lapsed_on,
    )


@st.composite
def any_cases(draw: st.DrawFn) -> ClaimCase:
    """A family in any state: most are ineligible for one reason or several."""
    closed_on = draw(st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2024, 9, 30))))
    records = draw(st.lists(need_records(closed_on), max_size=6))
    in_plan = [r.need.id for r in records if draw(st.booleans())]
    return make_case(
        closed_on=closed_on,
        needs=records,
        dependent_child_ids=(CHILD,) if draw(st.booleans()) else (),
        expectant_parent_ids=(PARENT,) if draw(st.booleans()) else (),
        plans=(PlanSummary(PLAN, 1, FIRST_DAY, tuple(in_plan)),),
        route=draw(st.sampled_from(ClaimRoute)),
        previous_claims=tuple(
            PriorClaim(uuid.uuid4(), phase, state)
            for phase, state in draw(
                st.lists(
                    st.tuples(st.sampled_from(["2022-25", "2015-22"]), st.sampled_from(ClaimState)),
                    max_size=2,
                )
            )
        ),
    )


@st.composite
def eligible_cases(draw: st.DrawFn) -> tuple[ClaimCase, date]:
    """A family that passes every rule (with the verified catalogue), and a valid claim date."""
    closed_on = draw(st.dates(date(2022, 12, 5), date(2024, 7, 31)))
    headlines = draw(
        st.lists(st.sampled_from(sorted(CODES_BY_HEADLINE)), min_size=3, max_size=5, unique=True)
    )
    codes = [draw(st.sampled_from(CODES_BY_HEADLINE[h])) for h in headlines]
    codes += draw(st.lists(st.sampled_from(CODES_2022), max_size=2))
    identified_on = max(FIRST_DAY, add_months(closed_on, -7))
    records = [
        make_need(
            code,
            closed_on=closed_on,
            identified_on=identified_on,
            emerged_later=draw(st.booleans()),
            person=draw(st.sampled_from([CHILD, PARENT])),
        )
        for code in codes
    ]
    claim_on = min(
        add_months(closed_on, 6) + timedelta(days=draw(st.integers(0, 60))), date(2025, 3, 31)
    )
    return make_case(closed_on=closed_on, needs=records), claim_on


@st.composite
def unmet_needs(draw: st.DrawFn) -> NeedRecord:
    return make_need(
        draw(st.sampled_from(CODES_2022)),
        identified_on=draw(st.dates(FIRST_DAY, date(2023, 12, 1))),
        emerged_later=True,
        status=draw(st.sampled_from([NeedOutcome.OPEN, NeedOutcome.NOT_ACHIEVED])),
    )


@st.composite
def policies(draw: st.DrawFn) -> CouncilPolicy:
    min_needs = draw(st.integers(1, 4))
    return replace(
        POLICY,
        funding_model=draw(st.sampled_from(FundingModel)),
        min_needs=min_needs,
        min_distinct_headlines=draw(st.integers(1, min_needs)),
        claim_lookback_months=draw(st.sampled_from([None, 24])),
        claims_after_programme=draw(st.booleans()),
        clawback_frees_family=draw(st.booleans()),
    )


catalogues = st.sampled_from([CATALOGUE, SHIPPED])
claim_dates = st.dates(date(2023, 1, 1), date(2025, 12, 31))
families = st.one_of(any_cases(), eligible_cases().map(lambda pair: pair[0]))


class TestClaimProperties:
    @settings(max_examples=150, deadline=None)
    @given(
        case=families,
        unmet=unmet_needs(),
        policy=policies(),
        framework=catalogues,
        as_of=claim_dates,
    )
    def test_adding_an_unmet_need_never_makes_an_ineligible_family_eligible(
        self, case: ClaimCase, unmet: NeedRecord, policy: CouncilPolicy, framework: Any, as_of: date
    ) -> None:
        before = evaluate_claim(case, policy, framework, as_of)
        # The new need is in the revised plan, so only its outcome can hold the family back.
        after = evaluate_claim(with_needs(case, unmet), policy, framework, as_of)
        if not before.eligible:
            assert not after.eligible
        # Stronger, and what C3/K5 say: an unmet need always blocks the claim.
        assert not after.eligible
        assert not after.result(RuleId.C3).passed

    @settings(max_examples=150, deadline=None)
    @given(case=families, policy=policies(), framework=catalogues, as_of=claim_dates)
    def test_evaluating_twice_gives_the_same_result(
        self, case: ClaimCase, policy: CouncilPolicy, framework: Any, as_of: date
    ) -> None:
        first = evaluate_claim(case, policy, framework, as_of)
        assert evaluate_claim(case, policy, framework, as_of) == first
        assert first.eligible == (not first.failures)
        # The order needs were loaded in changes no verdict.
        reordered = evaluate_claim(
            replace(case, needs=tuple(reversed(case.needs))), policy, framework, as_of
        )
        assert [r.passed for r in reordered.results] == [r.passed for r in first.results]

    @settings(max_examples=50, deadline=None)
    @given(pair=eligible_cases())
    def test_an_eligible_family_is_eligible(self, pair: tuple[ClaimCase, date]) -> None:
        case, claim_on = pair
        evaluation = evaluate_claim(case, POLICY, CATALOGUE, claim_on)
        assert evaluation.eligible, evaluation.failures

    @settings(max_examples=75, deadline=None)
    @given(
        pair=eligible_cases(),
        actions=st.lists(
            st.sampled_from(
                ["rebuild", "reordered", "changed", "edit", "submit", "pay", "claw_back", "sample"]
            ),
            max_size=8,
        ),
    )
    def test_the_evidence_pack_hash_never_changes_after_approval(
        self, pair: tuple[ClaimCase, date], actions: list[str]
    ) -> None:
        case, claim_on = pair
        claim = raise_claim(
            id=uuid.uuid4(),
            case=case,
            policy=POLICY,
            catalogue=CATALOGUE,
            created_on=claim_on,
            created_by=SF_LEAD,
        )
        claim.mark_ready(case, POLICY, CATALOGUE, on=claim_on, by=SF_LEAD)
        claim.send_to_internal_audit(case, on=claim_on, by=SF_LEAD)
        approved = claim.approve(auditor_id=AUDITOR, on=claim_on, notes="Evidence sampled.")
        frozen_hash = approved.content_hash
        day = claim_on
        for action in actions:
            day += timedelta(days=1)
            if action == "changed":
                changed = replace(case, support=())
                with pytest.raises(IllegalTransition):
                    claim.rebuild_evidence_pack(changed)
            else:
                # A move the state does not allow is refused, and changes nothing.
                with contextlib.suppress(IllegalTransition):
                    _perform(action, claim, case, day)
            assert claim.evidence_pack is not None
            assert claim.evidence_pack.content_hash == frozen_hash
        assert claim.rebuild_evidence_pack(case).content_hash == frozen_hash


def _perform(action: str, claim: Any, case: ClaimCase, day: date) -> None:
    if action == "rebuild":
        claim.rebuild_evidence_pack(case)
    elif action == "reordered":
        claim.rebuild_evidence_pack(replace(case, needs=tuple(reversed(case.needs))))
    elif action == "edit":
        claim.record_case_edit(on=day, by=SF_LEAD, what="needs")
    elif action == "submit":
        claim.submit(on=day, by=SF_LEAD)
    elif action == "pay":
        claim.mark_paid(on=day, by=SF_LEAD)
    elif action == "claw_back":
        claim.claw_back(on=day, by=SF_LEAD, reason="Spot check failed.")
    elif action == "sample":
        claim.record_assurance_sample(on=day, by=SF_LEAD)
