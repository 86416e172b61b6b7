"""A child's identifiers: the NHS number's check digit, its placeholders, its display."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidValue
from app.domain.identifiers import (
    ChildIdentifier,
    IdentifierAbsence,
    IdentifierScheme,
    check_identifiers,
    display_nhs_number,
    in_scheme_order,
    normalise_identifier,
    normalise_nhs_number,
    stamp_identifiers,
    with_nhs_number,
)


def with_check_digit(nine: str) -> str | None:
    """The NHS number that nine digits make, or None where the check digit would be 10."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


@pytest.mark.parametrize("valid", ["9434765919", "4010232137", "6541003238"])
def test_the_data_dictionary_s_examples_are_valid(valid: str) -> None:
    assert normalise_nhs_number(valid) == valid


@pytest.mark.parametrize(
    ("invalid", "code"),
    [
        ("9434765918", "nhs_number_check_digit"),
        ("1234567890", "nhs_number_check_digit"),
        ("0000000000", "nhs_number_placeholder"),
        ("9999999999", "nhs_number_placeholder"),
        ("943476591", "nhs_number_not_ten_digits"),
        ("94347659190", "nhs_number_not_ten_digits"),
        ("943476591A", "nhs_number_not_ten_digits"),
    ],
)
def test_a_mistyped_or_placeholder_number_is_refused_with_its_reason(
    invalid: str, code: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalise_nhs_number(invalid)
    assert (refused.value.code, refused.value.field) == (code, "nhs_number")


@given(st.text(alphabet="0123456789", min_size=1, max_size=1).map(lambda d: "100000001" + d))
def test_a_number_starting_100000001_is_always_invalid(number: str) -> None:
    """Its check digit would be 10."""
    with pytest.raises(InvalidValue):
        normalise_nhs_number(number)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_number_with_its_right_check_digit_is_valid_unless_all_one_digit(
    nine: str,
) -> None:
    number = with_check_digit(nine)
    if number is None or len(set(number)) == 1:
        with pytest.raises(InvalidValue):
            normalise_nhs_number(nine + "0" if number is None else number)
        return
    assert normalise_nhs_number(number) == number
    # Any other last digit fails the check.
    for wrong in set("0123456789") - {number[9]}:
        with pytest.raises(InvalidValue):
            normalise_nhs_number(number[:9] + wrong)


@given(
    st.sampled_from(["9434765919", "4010232137", "6541003238"]), st.sampled_from([" ", "-", "  "])
)
def test_spaces_and_hyphens_are_ignored_and_it_is_shown_in_threes(
    number: str, separator: str
) -> None:
    typed = f"{number[:3]}{separator}{number[3:6]}{separator}{number[6:]}"
    stored = normalise_nhs_number(typed)
    assert stored == number
    assert display_nhs_number(stored) == f"{number[:3]} {number[3:6]} {number[6:]}"
    assert ChildIdentifier(IdentifierScheme.NHS_NUMBER, stored).display == display_nhs_number(
        stored
    )


def test_a_unique_pupil_number_is_a_letter_eleven_digits_and_a_digit_or_letter() -> None:
    assert normalise_identifier(IdentifierScheme.UPN, "a123 4567 8901 2") == "A12345678901" + "2"
    with pytest.raises(InvalidValue) as refused:
        normalise_identifier(IdentifierScheme.UPN, "123456789012X")
    assert refused.value.code == "upn_format"


def test_one_identifier_per_scheme_and_no_reason_for_absence_beside_one() -> None:
    nhs = ChildIdentifier(IdentifierScheme.NHS_NUMBER, "9434765919")
    with pytest.raises(InvalidValue) as repeated:
        check_identifiers((nhs, nhs), None)
    assert repeated.value.field == "identifiers[1].scheme"
    with pytest.raises(InvalidValue) as both:
        check_identifiers((nhs,), IdentifierAbsence.PENDING_TRACE)
    assert both.value.field == "identifier_absent_reason"
    check_identifiers((), IdentifierAbsence.NOT_KNOWN_TRACING_WOULD_DELAY)


def test_a_reason_for_absence_stands_for_the_councils_consistent_scheme_only() -> None:
    upn = ChildIdentifier(IdentifierScheme.UPN, "A123456789012")
    check_identifiers((upn,), IdentifierAbsence.PENDING_TRACE)  # still waiting for the NHS number
    with pytest.raises(InvalidValue) as refused:
        check_identifiers((upn,), IdentifierAbsence.PENDING_TRACE, IdentifierScheme.UPN)
    assert refused.value.code == "identifier_absence_with_identifier"


NHS = ChildIdentifier(IdentifierScheme.NHS_NUMBER, "9434765919", verified=True, source="PDS")
UPN = ChildIdentifier(IdentifierScheme.UPN, "A123456789012")


class TestTheOlderNhsNumberField:
    def test_sent_alone_it_replaces_only_the_nhs_number_entry(self) -> None:
        changed = with_nhs_number((NHS, UPN), "401 023 2137", replacing=True)
        assert in_scheme_order(changed) == (
            ChildIdentifier(IdentifierScheme.NHS_NUMBER, "4010232137"),
            UPN,
        )

    def test_sent_alone_with_the_same_number_it_keeps_the_entry_as_verified(self) -> None:
        assert with_nhs_number((NHS, UPN), "943-476-5919", replacing=True) == (NHS, UPN)

    def test_sent_alone_as_null_it_removes_the_entry(self) -> None:
        assert with_nhs_number((NHS, UPN), None, replacing=True) == (UPN,)

    def test_sent_with_identifiers_it_must_agree_with_them(self) -> None:
        typed = ChildIdentifier(IdentifierScheme.NHS_NUMBER, "943 476 5919")
        assert with_nhs_number((typed,), "9434765919", replacing=False, prefix="p.") == (typed,)
        with pytest.raises(InvalidValue) as refused:
            with_nhs_number((typed,), "4010232137", replacing=False, prefix="p.")
        assert (refused.value.code, refused.value.field) == ("nhs_number_conflict", "p.nhs_number")

    def test_a_placeholder_in_it_is_refused_naming_it(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            with_nhs_number((), "0000000000", replacing=True, prefix="members[0].person.")
        assert (refused.value.code, refused.value.field) == (
            "nhs_number_placeholder",
            "members[0].person.nhs_number",
        )


FIRST = datetime(2026, 1, 12, 10, tzinfo=UTC)


@given(
    verified_before=st.booleans(),
    verified_after=st.booleans(),
    same_value=st.booleans(),
    days_later=st.integers(min_value=0, max_value=2000),
)
def test_a_kept_value_keeps_when_it_was_recorded_and_who_verified_it(
    verified_before: bool, verified_after: bool, same_value: bool, days_later: int
) -> None:
    first_by, later_by = uuid.uuid4(), uuid.uuid4()
    [before] = stamp_identifiers(
        (),
        (ChildIdentifier(IdentifierScheme.NHS_NUMBER, "9434765919", verified=verified_before),),
        by=first_by,
        at=FIRST,
    )
    assert before.recorded_at == FIRST
    assert before.verified_by == (first_by if verified_before else None)
    value = "9434765919" if same_value else "4010232137"
    later = FIRST + timedelta(days=days_later)
    [after] = stamp_identifiers(
        (before,),
        (ChildIdentifier(IdentifierScheme.NHS_NUMBER, value, verified=verified_after),),
        by=later_by,
        at=later,
    )
    assert after.recorded_at == (FIRST if same_value else later)
    if not verified_after:
        assert after.verified_by is None
    elif same_value and verified_before:
        assert after.verified_by == first_by
    else:
        assert after.verified_by == later_by
