"""A person's disabilities as the CIN census records them: known codes, each once, NONE alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db.repositories.census_codes import packaged_census_codes
from app.domain.errors import InvalidValue
from app.domain.families import NO_DISABILITY, check_disabilities

KNOWN = packaged_census_codes().disabilities
DISABILITIES = sorted(KNOWN - {NO_DISABILITY})


def test_the_shipped_list_is_the_census_list() -> None:
    """The thirteen codes of the CIN census (checked against Data to Insight's code lists)."""
    assert {
        "NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD",
        "HEAR", "VIS", "BEH", "CON", "AUT", "DDA",
    } == KNOWN  # fmt: skip


@given(st.lists(st.sampled_from(DISABILITIES), unique=True))
def test_distinct_disabilities_are_kept_in_the_order_given(codes: list[str]) -> None:
    assert check_disabilities(codes, KNOWN) == tuple(codes)


@given(st.lists(st.sampled_from(DISABILITIES), unique=True))
def test_codes_are_read_whatever_their_case_and_spacing(codes: list[str]) -> None:
    assert check_disabilities([f" {c.lower()} " for c in codes], KNOWN) == tuple(codes)


def test_none_on_its_own_says_the_child_has_no_disability() -> None:
    assert check_disabilities(["NONE"], KNOWN) == ("NONE",)


@given(st.lists(st.sampled_from(DISABILITIES), min_size=1, unique=True), st.data())
def test_none_with_any_disability_is_refused(codes: list[str], data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(codes)))
    with pytest.raises(InvalidValue) as refused:
        check_disabilities([*codes[:at], NO_DISABILITY, *codes[at:]], KNOWN)
    assert refused.value.code == "disability_none_with_others"
    assert refused.value.field == "disabilities"


@given(st.lists(st.sampled_from(sorted(KNOWN)), min_size=1), st.data())
def test_a_code_given_twice_is_refused(codes: list[str], data: st.DataObject) -> None:
    repeated = data.draw(st.sampled_from(codes))
    with pytest.raises(InvalidValue) as refused:
        check_disabilities([*codes, repeated.lower()], KNOWN)
    assert refused.value.code == "disability_repeated"


@given(st.text(min_size=1, max_size=8).filter(lambda t: t.strip().upper() not in KNOWN))
def test_a_code_outside_the_census_list_is_refused_naming_the_field(code: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_disabilities(["LD", code], KNOWN, field_name="person.disabilities")
    assert refused.value.code == "disability_code_unknown"
    assert refused.value.field == "person.disabilities"


def test_the_sen_flag_is_no_disability_code() -> None:
    """SEND is the register's yes/no; the census wants the kind of disability."""
    with pytest.raises(InvalidValue):
        check_disabilities(["SEND"], KNOWN)
