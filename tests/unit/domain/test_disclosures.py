"""The disclosure log's rules: a disclosure names its lawful basis, a decision not to share its
reason; only consent as the basis needs consent to share in force; nothing is dated ahead."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.consents import ConsentPurpose, SharingScope, Withdrawal
from app.domain.disclosures import (
    Disclosure,
    DisclosureDecision,
    LawfulBasis,
    NotSharingReason,
    RecipientType,
    validate_disclosure,
)
from app.domain.errors import ConsentRequired, InvalidValue
from tests.unit.domain.test_consents import CHILD, FAMILY, household, make_consent

TODAY = date(2026, 3, 2)
LEAD = uuid.uuid4()
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
bases = st.sampled_from(list(LawfulBasis))


def make_disclosure(**overrides: Any) -> Disclosure:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "family_id": FAMILY,
        "decision": DisclosureDecision.SHARED,
        "decided_on": TODAY,
        "recipient_name": "  St Anne's Primary School ",
        "recipient_type": RecipientType.EDUCATION,
        "recipient_agency_code": "SCHOOL",
        "information": "The family plan's attendance outcome",
        "purpose": "To support Ava's attendance",
        "person_ids": (CHILD,),
        "lawful_basis": LawfulBasis.CA2004_S16LA,
        "decided_by_practitioner_id": LEAD,
        "recorded_by_practitioner_id": LEAD,
    }
    fields.update(overrides)
    return Disclosure(**fields)


def make_withheld(**overrides: Any) -> Disclosure:
    fields: dict[str, Any] = {
        "decision": DisclosureDecision.NOT_SHARED,
        "lawful_basis": None,
        "not_sharing_reason": NotSharingReason.MORE_DETRIMENTAL_TO_CHILD,
        "explanation": "The family live in a refuge.",
    }
    fields.update(overrides)
    return make_disclosure(**fields)


def kept(disclosure: Disclosure, consents: list[Any] | None = None) -> Disclosure:
    return validate_disclosure(
        disclosure,
        household=household(),
        consents=consents or [],
        known_agency_codes={"SCHOOL", "POLICE"},
        today=TODAY,
    )


def sharing_consent(**overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "purpose": ConsentPurpose.INFORMATION_SHARING,
        "sharing_scope": SharingScope.NAMED_AGENCIES,
        "agency_codes": frozenset({"SCHOOL"}),
        "given_on": date(2026, 1, 12),
    }
    fields.update(overrides)
    return make_consent(**fields)


def test_a_disclosure_under_the_duty_to_share_needs_no_consent() -> None:
    entry = kept(make_disclosure())
    assert entry.recipient_name == "St Anne's Primary School"
    assert entry.lawful_basis is LawfulBasis.CA2004_S16LA


@given(basis=bases.filter(lambda b: b is not LawfulBasis.CONSENT), on=dates)
def test_only_consent_as_the_basis_asks_whether_consent_is_in_force(
    basis: LawfulBasis, on: date
) -> None:
    """Withdrawn consent, or none at all, never stops a disclosure made on a statutory basis."""
    withdrawn = sharing_consent(withdrawal=Withdrawal(date(2026, 2, 1), "Mum changed her mind"))
    entry = make_disclosure(
        lawful_basis=basis, lawful_basis_detail="Order of 1 March", decided_on=on
    )
    if on > TODAY:
        with pytest.raises(InvalidValue) as refused:
            kept(entry, [withdrawn])
        assert refused.value.code == "step_date_in_future"
    else:
        assert kept(entry, [withdrawn]).lawful_basis is basis


@given(on=dates.filter(lambda d: d <= TODAY))
def test_consent_as_the_basis_must_be_in_force_for_the_recipient_on_the_day(on: date) -> None:
    consent = sharing_consent(withdrawal=Withdrawal(date(2026, 2, 20), "Withdrawn"))
    entry = make_disclosure(lawful_basis=LawfulBasis.CONSENT, decided_on=on)
    if consent.is_in_force_on(on):
        assert kept(entry, [consent]).decided_on == on
    else:
        with pytest.raises(ConsentRequired) as refused:
            kept(entry, [consent])
        assert refused.value.code == "disclosure_consent_not_in_force"


def test_consent_for_another_agency_is_no_basis_for_this_one() -> None:
    entry = make_disclosure(lawful_basis=LawfulBasis.CONSENT, recipient_agency_code="POLICE")
    with pytest.raises(ConsentRequired):
        kept(entry, [sharing_consent()])


def test_consent_to_take_part_is_not_consent_to_share() -> None:
    taking_part = make_consent(given_on=date(2026, 1, 12))
    with pytest.raises(ConsentRequired):
        kept(make_disclosure(lawful_basis=LawfulBasis.CONSENT), [taking_part])


@pytest.mark.parametrize(
    ("entry", "code", "field"),
    [
        (make_disclosure(lawful_basis=None), "disclosure_lawful_basis_required", "lawful_basis"),
        (
            make_disclosure(not_sharing_reason=NotSharingReason.OTHER),
            "disclosure_reason_on_shared",
            "not_sharing_reason",
        ),
        (
            make_disclosure(lawful_basis=LawfulBasis.COURT_ORDER),
            "text_required",
            "lawful_basis_detail",
        ),
        (
            make_withheld(lawful_basis=LawfulBasis.CONSENT),
            "disclosure_basis_on_not_shared",
            "lawful_basis",
        ),
        (
            make_withheld(not_sharing_reason=None),
            "disclosure_reason_required",
            "not_sharing_reason",
        ),
        (make_withheld(explanation="  "), "text_required", "explanation"),
        (make_disclosure(recipient_name=" "), "text_required", "recipient_name"),
        (
            make_disclosure(recipient_agency_code="CIRCUS"),
            "disclosure_agency_unknown",
            "recipient_agency_code",
        ),
        (
            make_disclosure(person_ids=(CHILD, uuid.uuid4())),
            "disclosure_person_not_member",
            "person_ids[1]",
        ),
        (make_disclosure(person_ids=(CHILD, CHILD)), "disclosure_person_repeated", "person_ids"),
        (
            make_disclosure(decided_on=TODAY + timedelta(days=1)),
            "step_date_in_future",
            "decided_on",
        ),
    ],
    ids=[
        "shared-without-basis",
        "shared-with-a-reason-for-not-sharing",
        "court-order-not-named",
        "withheld-with-a-basis",
        "withheld-without-reason",
        "withheld-without-explanation",
        "no-recipient",
        "unknown-agency",
        "someone-outside-the-household",
        "a-person-twice",
        "dated-tomorrow",
    ],
)
def test_an_entry_the_log_could_not_be_checked_against_is_refused(
    entry: Disclosure, code: str, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        kept(entry)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_decision_not_to_share_keeps_its_reason_and_explanation() -> None:
    entry = kept(make_withheld(explanation=" The family live in a refuge. "))
    assert (entry.not_sharing_reason, entry.explanation, entry.lawful_basis) == (
        NotSharingReason.MORE_DETRIMENTAL_TO_CHILD,
        "The family live in a refuge.",
        None,
    )


def test_validation_never_changes_who_decided() -> None:
    other = uuid.uuid4()
    assert (
        kept(
            replace(make_disclosure(), decided_by_practitioner_id=other)
        ).decided_by_practitioner_id
        == other
    )
