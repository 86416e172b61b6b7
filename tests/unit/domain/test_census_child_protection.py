"""The CIN census's s.47 enquiries and child protection plans, and the child's characteristics as
census codes (issue 20 §1; families-first.md R31): every date rule is an example and a property."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db.repositories.census_codes import packaged_census_codes
from app.domain.errors import IllegalTransition, InvalidValue
from app.domain.family_help import (
    CensusDates,
    ChildProtection,
    ChildProtectionPlan,
    FamilyHelpRecord,
    S47Enquiry,
    StatutoryBasis,
    census_ethnicity,
    census_gender,
    check_child_protection,
)
from tests.unit.domain.test_family_help import CODES, SOCIAL_WORKER, TODAY, ask, record, step

CP_CODES = replace(CODES, categories_of_abuse=frozenset({"NEG", "EMO", "MUL"}))
REFERRED = date(2026, 2, 2)
PERIOD = CensusDates(referral_on=REFERRED)
S47_ON = date(2026, 3, 2)


def on_s47() -> FamilyHelpRecord:
    """An episode referred as child in need on 2 February that moved to s.47 on 2 March."""
    r = record()
    step(r, ask())
    step(
        r,
        ask(
            to_basis=StatutoryBasis.S47,
            effective_on=S47_ON,
            lead_child_protection_practitioner=SOCIAL_WORKER,
        ),
    )
    return r


def plan(started_on: date, ended_on: date | None = None, *reviews: date) -> ChildProtectionPlan:
    return ChildProtectionPlan(
        started_on=started_on,
        initial_category_code="NEG",
        ended_on=ended_on,
        review_dates=reviews,
    )


def refusal(cp: ChildProtection, census: CensusDates = PERIOD) -> InvalidValue:
    with pytest.raises(InvalidValue) as refused:
        check_child_protection(cp, census, CP_CODES, today=TODAY)
    return refused.value


class TestRecording:
    def test_an_enquiry_and_the_plan_its_conference_made_are_kept_in_date_order(self) -> None:
        r = on_s47()
        later = plan(date(2026, 5, 1))
        earlier = plan(date(2026, 3, 20), date(2026, 4, 30), date(2026, 4, 10))
        cp = ChildProtection(
            s47_enquiries=(S47Enquiry(started_on=S47_ON, icpc_on=date(2026, 3, 20)),),
            plans=(later, earlier),
        )
        r.record_child_protection(cp, CP_CODES, today=TODAY)
        assert r.child_protection.plans == (earlier, later)

    def test_child_in_need_work_never_on_s47_has_no_enquiries(self) -> None:
        r = record()
        step(r, ask())
        with pytest.raises(IllegalTransition) as refused:
            r.record_child_protection(
                ChildProtection(s47_enquiries=(S47Enquiry(started_on=S47_ON),)),
                CP_CODES,
                today=TODAY,
            )
        assert refused.value.code == "child_protection_without_s47"

    def test_an_enquiry_stays_in_the_period_after_it_steps_back_down_to_s17(self) -> None:
        r = on_s47()
        step(r, ask(effective_on=date(2026, 4, 1), oversight=None))
        r.record_child_protection(
            ChildProtection(s47_enquiries=(S47Enquiry(started_on=S47_ON, icpc_not_required=True),)),
            CP_CODES,
            today=TODAY,
        )
        assert r.child_protection.recorded

    def test_an_enquiry_that_needed_no_conference_has_no_conference_date(self) -> None:
        refused = refusal(
            ChildProtection(
                s47_enquiries=(S47Enquiry(S47_ON, icpc_not_required=True, icpc_on=S47_ON),)
            )
        )
        assert (refused.code, refused.field) == (
            "icpc_date_without_conference",
            "s47_enquiries[0].icpc_on",
        )

    def test_a_category_of_abuse_comes_from_the_census_list_and_the_field_is_named(self) -> None:
        refused = refusal(
            ChildProtection(plans=(replace(plan(S47_ON), latest_category_code="PHYS"),))
        )
        assert (refused.code, refused.field) == (
            "census_code_unknown",
            "child_protection_plans[0].latest_category_code",
        )

    def test_a_closed_period_has_no_plan_still_running(self) -> None:
        closed = replace(PERIOD, closed_on=date(2026, 5, 1), closure_reason_code="RC7")
        refused = refusal(ChildProtection(plans=(plan(S47_ON),)), closed)
        assert refused.code == "cp_plan_end_required"

    def test_leaving_s47_ends_the_plan_still_running(self) -> None:
        r = on_s47()
        r.record_child_protection(
            ChildProtection(plans=(plan(date(2026, 3, 20)),)), CP_CODES, today=TODAY
        )
        step(r, ask(effective_on=date(2026, 4, 15), oversight=None))
        assert r.child_protection.plans[0].ended_on == date(2026, 4, 15)

    def test_a_re_referral_starts_a_period_with_no_child_protection(self) -> None:
        r = on_s47()
        r.record_child_protection(
            ChildProtection(s47_enquiries=(S47Enquiry(S47_ON, icpc_not_required=True),)),
            CP_CODES,
            today=TODAY,
        )
        step(
            r,
            ask(
                to_basis=StatutoryBasis.NONE,
                effective_on=date(2026, 4, 1),
                cin_closure_reason_code="RC7",
            ),
        )
        assert r.child_protection.recorded, "the closed period keeps what it reported"
        step(r, ask(effective_on=date(2026, 5, 1), oversight=None))
        assert not r.child_protection.recorded

    def test_census_dates_cannot_move_the_referral_past_an_enquiry(self) -> None:
        r = on_s47()
        r.record_child_protection(
            ChildProtection(s47_enquiries=(S47Enquiry(S47_ON, icpc_not_required=True),)),
            CP_CODES,
            today=TODAY,
        )
        with pytest.raises(InvalidValue) as refused:
            r.record_census_dates(CensusDates(referral_on=date(2026, 3, 10)), CP_CODES, today=TODAY)
        assert refused.value.code == "census_date_out_of_order"
        assert r.census.referral_on == REFERRED


# --- properties ------------------------------------------------------------------------------------

days = st.dates(date(2026, 1, 1), date(2026, 7, 1))
plans = st.builds(
    ChildProtectionPlan,
    started_on=days,
    initial_category_code=st.sampled_from(["NEG", "EMO", "MUL"]),
    ended_on=st.none() | days,
    review_dates=st.lists(days, max_size=3).map(tuple),
)
enquiries = st.builds(
    S47Enquiry, started_on=days, icpc_not_required=st.booleans(), icpc_on=st.none() | days
)
child_protection = st.builds(
    ChildProtection,
    s47_enquiries=st.lists(enquiries, max_size=3).map(tuple),
    plans=st.lists(plans, max_size=3).map(tuple),
)
periods = st.builds(
    CensusDates,
    referral_on=days,
    closed_on=st.none() | days,
)


@given(child_protection, periods)
def test_accepted_child_protection_keeps_the_census_s_order(
    cp: ChildProtection, period: CensusDates
) -> None:
    """Whatever is accepted lies in the period and in the past, a conference follows its
    enquiry, a plan runs forward, is reviewed while it runs, and plans never overlap."""
    try:
        kept = check_child_protection(cp, period, CP_CODES, today=TODAY)
    except InvalidValue:
        return
    start = period.referral_on
    assert start is not None
    end = min(period.closed_on or TODAY, TODAY)
    for e in kept.s47_enquiries:
        assert start <= e.started_on <= end
        if e.icpc_on is not None:
            assert not e.icpc_not_required
            assert e.started_on <= e.icpc_on <= end
    for p in kept.plans:
        assert start <= p.started_on <= end
        assert p.ended_on is None or p.started_on <= p.ended_on <= end
        assert all(p.started_on <= r <= (p.ended_on or end) for r in p.review_dates)
        assert period.closed_on is None or p.ended_on is not None
    for earlier, later in zip(kept.plans, kept.plans[1:], strict=False):
        assert earlier.ended_on is not None
        assert earlier.ended_on <= later.started_on
    assert sorted(kept.s47_enquiries, key=lambda e: e.started_on) == list(kept.s47_enquiries)


in_period = st.dates(REFERRED, TODAY)


@given(in_period, st.integers(min_value=1, max_value=60))
def test_a_plan_ending_before_it_starts_is_refused_naming_its_end(start: date, gap: int) -> None:
    refused = refusal(ChildProtection(plans=(plan(start, start - timedelta(days=gap)),)))
    assert refused.code == "census_date_out_of_order"
    assert refused.field == "child_protection_plans[0].ended_on"


@given(in_period, st.integers(min_value=1, max_value=60))
def test_a_conference_before_its_enquiry_is_refused(start: date, gap: int) -> None:
    refused = refusal(
        ChildProtection(
            s47_enquiries=(S47Enquiry(started_on=start, icpc_on=start - timedelta(days=gap)),)
        )
    )
    assert (refused.code, refused.field) == (
        "census_date_out_of_order",
        "s47_enquiries[0].icpc_on",
    )


@given(st.integers(min_value=1, max_value=60))
def test_nothing_is_recorded_for_a_day_still_to_come(ahead: int) -> None:
    refused = refusal(
        ChildProtection(s47_enquiries=(S47Enquiry(started_on=TODAY + timedelta(days=ahead)),))
    )
    assert (refused.code, refused.field) == ("date_in_future", "s47_enquiries[0].started_on")


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=30))
def test_a_second_plan_starting_before_the_first_ends_overlaps(length: int, overlap: int) -> None:
    first = plan(S47_ON, S47_ON + timedelta(days=length + overlap))
    second = plan(S47_ON + timedelta(days=length))
    refused = refusal(ChildProtection(plans=(second, first)))
    assert (refused.code, refused.field) == (
        "cp_plans_overlap",
        "child_protection_plans[0].started_on",
    )
    back_to_back = plan(first.ended_on or S47_ON)
    assert check_child_protection(
        ChildProtection(plans=(first, back_to_back)), PERIOD, CP_CODES, today=TODAY
    ).plans == (first, back_to_back)


# --- the child's characteristics --------------------------------------------------------------------

SHIPPED = packaged_census_codes()


def test_an_unborn_child_s_gender_is_not_known_whatever_the_register_says() -> None:
    assert census_gender("female", born_on=None, expected_on=date(2026, 9, 1), codes=SHIPPED) == "0"
    assert census_gender("Female", born_on=date(2019, 5, 4), expected_on=None, codes=SHIPPED) == "2"
    assert census_gender(None, born_on=date(2019, 5, 4), expected_on=None, codes=SHIPPED) == "0"


def test_ethnicity_reads_the_register_s_values_as_census_codes() -> None:
    assert census_ethnicity("white_british", SHIPPED) == "WBRI"
    assert census_ethnicity("wbri", SHIPPED) == "WBRI", "a census code recorded as such"
    assert census_ethnicity(None, SHIPPED) == "NOBT"
    assert census_ethnicity("white_gypsy_or_irish_traveller", SHIPPED) is None, "two census codes"


def test_the_shipped_lists_are_the_specification_s() -> None:
    """RC1-RC9 (RC9: closed after assessment, referred to early help), N0-N9, the five
    categories of abuse and GenderCurrent 0, 1, 2, 9 (app/data/cin_census_codes.json cites the
    sources)."""
    assert SHIPPED.closure_reasons == {f"RC{n}" for n in range(1, 10)}
    assert SHIPPED.primary_needs == {f"N{n}" for n in range(10)}
    assert SHIPPED.categories_of_abuse == {"NEG", "PHY", "SAB", "EMO", "MUL"}
    assert len(SHIPPED.ethnicities) == 20
    assert set(SHIPPED.ethnicity_from_people.values()) <= SHIPPED.ethnicities
