"""'Is consent in force for purpose P with agency X on date D?' as properties and examples."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.consents import (
    Consent,
    ConsentPurpose,
    RecordingMethod,
    SharingScope,
    Withdrawal,
    check_consent_people,
    check_withdrawal,
    consent_in_force,
    validate_consent,
)
from app.domain.errors import Conflict, InvalidValue
from app.domain.families import Address, Family, MemberRole, Membership

FAMILY = uuid.uuid4()
GIVER = uuid.uuid4()
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
agencies = st.sampled_from(["SCHOOL", "POLICE", "HOUSING", "HEALTH_VISITING"])


def make_consent(**overrides: object) -> Consent:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "family_id": FAMILY,
        "purpose": ConsentPurpose.EARLY_HELP,
        "given_by_person_id": GIVER,
        "given_on": date(2025, 2, 24),
        "method": RecordingMethod.VERBAL,
    }
    fields.update(overrides)
    return Consent(**fields)  # type: ignore[arg-type]


@st.composite
def consents(draw: st.DrawFn) -> Consent:
    purpose = draw(st.sampled_from(ConsentPurpose))
    scope = None
    codes: frozenset[str] = frozenset()
    if purpose is ConsentPurpose.INFORMATION_SHARING:
        scope = draw(st.sampled_from(SharingScope))
        if scope is SharingScope.NAMED_AGENCIES:
            codes = frozenset(draw(st.sets(agencies, min_size=1)))
    given_on = draw(dates)
    consent = make_consent(
        purpose=purpose, sharing_scope=scope, agency_codes=codes, given_on=given_on
    )
    if draw(st.booleans()):
        consent.withdraw(
            Withdrawal(
                withdrawn_on=given_on + timedelta(days=draw(st.integers(0, 800))), reason="r"
            )
        )
    return consent


@given(consent=consents(), on=dates, agency=agencies)
def test_consent_is_in_force_exactly_from_its_date_until_its_withdrawal(
    consent: Consent, on: date, agency: str
) -> None:
    found = consent_in_force([consent], consent.purpose, on, agency)
    withdrawn = consent.withdrawal is not None and on >= consent.withdrawal.withdrawn_on
    covers = (
        consent.purpose is ConsentPurpose.EARLY_HELP
        or consent.sharing_scope is SharingScope.ALL_TAF_MEMBERS
        or agency in consent.agency_codes
    )
    assert (found is not None) == (consent.given_on <= on and not withdrawn and covers)


@given(records=st.lists(consents(), max_size=6), on=dates, agency=agencies)
def test_the_answer_never_mixes_purposes(records: list[Consent], on: date, agency: str) -> None:
    for purpose in ConsentPurpose:
        found = consent_in_force(records, purpose, on, agency)
        assert found is None or (found.purpose is purpose and found.is_in_force_on(on))


@given(records=st.lists(consents(), min_size=1, max_size=6), on=dates)
def test_the_earliest_consent_in_force_answers_so_the_clock_starts_at_first_consent(
    records: list[Consent], on: date
) -> None:
    found = consent_in_force(records, ConsentPurpose.EARLY_HELP, on)
    in_force = [
        c for c in records if c.purpose is ConsentPurpose.EARLY_HELP and c.is_in_force_on(on)
    ]
    assert (found is None) == (not in_force)
    if found is not None:
        assert found.given_on == min(c.given_on for c in in_force)


def test_a_withdrawal_before_the_consent_is_refused() -> None:
    consent = make_consent()
    with pytest.raises(InvalidValue) as refused:
        consent.withdraw(Withdrawal(withdrawn_on=date(2025, 2, 23), reason="changed mind"))
    assert refused.value.field == "withdrawn_on"
    assert consent.withdrawal is None


def test_consent_cannot_be_withdrawn_twice() -> None:
    consent = make_consent()
    consent.withdraw(Withdrawal(withdrawn_on=date(2025, 3, 1), reason="changed mind"))
    with pytest.raises(Conflict):
        consent.withdraw(Withdrawal(withdrawn_on=date(2025, 3, 2), reason="again"))


def test_a_passed_review_date_flags_a_review_but_does_not_lapse_consent() -> None:
    consent = make_consent(review_on=date(2025, 5, 1))
    assert consent.review_due_on(date(2025, 5, 2))
    assert consent.is_in_force_on(date(2025, 5, 2))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_on": date(2025, 3, 4)}, "given_on"),
        ({"purpose": ConsentPurpose.INFORMATION_SHARING}, "sharing_scope"),
        (
            {
                "purpose": ConsentPurpose.INFORMATION_SHARING,
                "sharing_scope": SharingScope.NAMED_AGENCIES,
            },
            "agency_codes",
        ),
        ({"agency_codes": frozenset({"SCHOOL"})}, "sharing_scope"),
        ({"review_on": date(2025, 2, 24)}, "review_on"),
    ],
)
def test_unusable_consent_records_are_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        validate_consent(make_consent(**overrides), today=date(2025, 3, 3))
    assert refused.value.field == field


CARER, CHILD = uuid.uuid4(), uuid.uuid4()


def household() -> Family:
    """The family: a carer (GIVER) and a child, since 2024; a second carer who left in 2024."""
    family = Family(
        id=FAMILY,
        reference="FH-TEST01",
        address=Address.create(line1="1 Test Street", postcode="FY1 1AA"),
        hub_id=uuid.uuid4(),
    )
    for person, role, left_on in [
        (GIVER, MemberRole.PARENT_CARER, None),
        (CHILD, MemberRole.CHILD, None),
        (CARER, MemberRole.PARENT_CARER, date(2024, 6, 1)),
    ]:
        family.memberships.append(
            Membership(
                id=uuid.uuid4(),
                family_id=FAMILY,
                person_id=person,
                role=role,
                joined_on=date(2024, 1, 1),
                left_on=left_on,
            )
        )
    return family


def test_a_carer_consents_for_their_child() -> None:
    check_consent_people(make_consent(on_behalf_of_person_ids=(CHILD,)), household())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_by_person_id": CARER}, "given_by_person_id"),
        (
            {"given_by_person_id": CHILD, "on_behalf_of_person_ids": (GIVER,)},
            "on_behalf_of_person_ids",
        ),
        ({"on_behalf_of_person_ids": (CHILD, uuid.uuid4())}, "on_behalf_of_person_ids[1]"),
    ],
    ids=["giver-left-the-household", "a-child-for-their-parent", "a-child-not-of-the-household"],
)
def test_consent_is_given_by_the_household_for_its_own_children(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_consent_people(make_consent(**overrides), household())
    assert refused.value.field == field


@given(withdrawn_on=dates, today=dates)
def test_a_withdrawal_may_be_dated_up_to_today_and_never_after(
    withdrawn_on: date, today: date
) -> None:
    withdrawal = Withdrawal(withdrawn_on=withdrawn_on, reason="changed mind")
    if withdrawn_on <= today:
        check_withdrawal(withdrawal, household=household(), today=today)
    else:
        with pytest.raises(InvalidValue) as refused:
            check_withdrawal(withdrawal, household=household(), today=today)
        assert refused.value.field == "withdrawn_on"


def test_a_former_member_may_withdraw_consent_but_a_stranger_may_not() -> None:
    today = date(2025, 3, 3)

    def by(person: uuid.UUID) -> Withdrawal:
        return Withdrawal(withdrawn_on=today, reason="changed mind", withdrawn_by_person_id=person)

    check_withdrawal(by(CARER), household=household(), today=today)
    with pytest.raises(InvalidValue) as refused:
        check_withdrawal(by(uuid.uuid4()), household=household(), today=today)
    assert refused.value.field == "withdrawn_by_person_id"


CHILDREN = [uuid.UUID(int=n) for n in range(1, 5)]
children_sets = st.sets(st.sampled_from(CHILDREN))


@given(named=children_sets, episode_children=children_sets.filter(bool), on=dates)
def test_consent_to_take_part_counts_for_an_episode_only_if_it_names_all_its_children(
    named: set[uuid.UUID], episode_children: set[uuid.UUID], on: date
) -> None:
    """Consent for one child is not consent to assess a sibling; consent naming nobody was given
    for the household as a whole."""
    consent = make_consent(given_on=date(2020, 1, 1), on_behalf_of_person_ids=tuple(named))
    found = consent_in_force(
        [consent], ConsentPurpose.EARLY_HELP, on, children=tuple(episode_children)
    )
    assert (found is not None) == (not named or episode_children <= named)
