"""The household record's own rules: ages, dates, postcodes, names."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidValue
from app.domain.families import (
    MemberRole,
    Person,
    add_months,
    age_on,
    is_valid_nhs_number,
    normalise_postcode,
    validate_membership,
    validate_person,
)

TODAY = date(2025, 3, 3)
DISABILITIES = frozenset(
    {"NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"}
)
"""The CIN census disability codes (app/data/cin_census_codes.json)."""
dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2090, 12, 31))


def make_person(**overrides: object) -> Person:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "given_name": "Ava",
        "family_name": "Hughes",
        "date_of_birth": date(2017, 6, 1),
    }
    fields.update(overrides)
    return Person(**fields)  # type: ignore[arg-type]


class TestPersonValidation:
    @given(born=dates)
    def test_a_date_of_birth_in_the_future_is_refused_and_any_other_accepted(
        self, born: date
    ) -> None:
        person = make_person(date_of_birth=born)
        if born > TODAY:
            with pytest.raises(InvalidValue) as refused:
                validate_person(person, today=TODAY, disability_codes=DISABILITIES)
            assert refused.value.field == "date_of_birth"
        else:
            assert (
                validate_person(person, today=TODAY, disability_codes=DISABILITIES).date_of_birth
                == born
            )

    @given(
        due=st.dates(min_value=TODAY - timedelta(days=60), max_value=TODAY + timedelta(days=400))
    )
    def test_an_expected_date_more_than_ten_months_ahead_is_refused(self, due: date) -> None:
        person = make_person(date_of_birth=None, expected_delivery_date=due)
        if due > add_months(TODAY, 10):
            with pytest.raises(InvalidValue):
                validate_person(person, today=TODAY, disability_codes=DISABILITIES)
        else:
            assert validate_person(person, today=TODAY, disability_codes=DISABILITIES).is_unborn

    @pytest.mark.parametrize("name", ["", "   ", "\t"])
    def test_an_empty_name_is_refused(self, name: str) -> None:
        with pytest.raises(InvalidValue) as refused:
            validate_person(
                make_person(given_name=name), today=TODAY, disability_codes=DISABILITIES
            )
        assert refused.value.field == "given_name"

    def test_restricted_contact_details_need_a_reason(self) -> None:
        with pytest.raises(InvalidValue) as refused:
            validate_person(
                make_person(contact_restricted=True, restriction_reason="  "),
                today=TODAY,
                disability_codes=DISABILITIES,
            )
        assert refused.value.field == "restriction_reason"

    @pytest.mark.parametrize(
        ("number", "valid"), [("9434765919", True), ("9434765918", False), ("123", False)]
    )
    def test_nhs_numbers_carry_a_check_digit(self, number: str, valid: bool) -> None:
        assert is_valid_nhs_number(number) is valid


class TestChildRole:
    @given(born=st.dates(min_value=date(1995, 1, 1), max_value=TODAY), send=st.booleans())
    def test_the_child_role_ends_at_19_or_at_25_with_send(self, born: date, send: bool) -> None:
        person = make_person(date_of_birth=born, send=send)
        limit = 25 if send else 19
        if age_on(born, TODAY) < limit:
            validate_membership(person, MemberRole.CHILD, on=TODAY, today=TODAY)
        else:
            with pytest.raises(InvalidValue) as refused:
                validate_membership(person, MemberRole.CHILD, on=TODAY, today=TODAY)
            assert refused.value.field == "role"

    def test_the_day_before_the_19th_birthday_is_still_a_child(self) -> None:
        person = make_person(date_of_birth=date(2006, 3, 4))
        validate_membership(person, MemberRole.CHILD, on=TODAY, today=TODAY)
        with pytest.raises(InvalidValue):
            validate_membership(
                person, MemberRole.CHILD, on=date(2025, 3, 4), today=date(2025, 3, 4)
            )

    def test_an_unborn_child_is_a_child_and_never_a_carer(self) -> None:
        unborn = make_person(date_of_birth=None, expected_delivery_date=TODAY + timedelta(days=30))
        validate_membership(unborn, MemberRole.CHILD, on=TODAY, today=TODAY)
        with pytest.raises(InvalidValue):
            validate_membership(unborn, MemberRole.PARENT_CARER, on=TODAY, today=TODAY)

    def test_a_teenage_parent_can_be_a_carer(self) -> None:
        validate_membership(
            make_person(date_of_birth=date(2008, 9, 1)),
            MemberRole.PARENT_CARER,
            on=TODAY,
            today=TODAY,
        )


class TestPostcodes:
    @pytest.mark.parametrize(
        ("raw", "canonical"),
        [
            ("fy13ht", "FY1 3HT"),
            ("SW1A 1AA", "SW1A 1AA"),
            (" m1  1ae ", "M1 1AE"),
            ("GIR0AA", "GIR 0AA"),
        ],
    )
    def test_valid_postcodes_are_canonicalised(self, raw: str, canonical: str) -> None:
        assert normalise_postcode(raw) == canonical

    @pytest.mark.parametrize("raw", ["", "FY1", "12345", "QQ1 1AA", "FY1 3HTX"])
    def test_malformed_postcodes_are_refused(self, raw: str) -> None:
        with pytest.raises(InvalidValue):
            normalise_postcode(raw)

    @given(raw=st.text(max_size=12))
    def test_normalising_never_crashes_and_is_idempotent(self, raw: str) -> None:
        try:
            canonical = normalise_postcode(raw)
        except InvalidValue:
            return
        assert normalise_postcode(canonical) == canonical


@given(start=dates, months=st.integers(min_value=-240, max_value=240))
def test_add_months_lands_in_the_right_month(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
