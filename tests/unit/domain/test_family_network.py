"""The family network's and FGDM's rules: a network is a household child's, its members live
elsewhere; an offer is answered once, never before it was made nor after today."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Conflict, IllegalTransition, InvalidValue
from app.domain.family_network import (
    FgdmMeeting,
    FgdmMeetingType,
    FgdmOffer,
    FgdmOfferStatus,
    NetworkMember,
    NetworkRelationship,
    check_meeting,
    check_network_member,
    check_offer,
    network_person_ids,
)
from tests.unit.domain.test_consents import CHILD, FAMILY, GIVER, household

TODAY = date(2025, 3, 3)
NAN = uuid.uuid4()
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


def make_member(**overrides: object) -> NetworkMember:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "family_id": FAMILY,
        "person_id": NAN,
        "child_person_ids": (CHILD,),
        "relationship": NetworkRelationship.GRANDPARENT,
        "parental_responsibility": False,
        "added_on": date(2025, 1, 6),
    }
    fields.update(overrides)
    return NetworkMember(**fields)  # type: ignore[arg-type]


def make_offer(**overrides: object) -> FgdmOffer:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "family_id": FAMILY,
        "status": FgdmOfferStatus.AWAITING_ANSWER,
        "decided_on": date(2025, 2, 3),
        "decided_by_practitioner_id": uuid.uuid4(),
        "offered_to_person_ids": (GIVER,),
    }
    fields.update(overrides)
    return FgdmOffer(**fields)  # type: ignore[arg-type]


def test_a_household_member_is_not_part_of_its_network() -> None:
    with pytest.raises(Conflict) as refused:
        check_network_member(make_member(person_id=GIVER), household=household(), today=TODAY)
    assert refused.value.code == "network_member_in_household"


def test_a_network_is_a_childs_not_an_adults() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_network_member(
            make_member(child_person_ids=(GIVER,)), household=household(), today=TODAY
        )
    assert refused.value.field == "child_person_ids[0]"


@given(added_on=dates, on=dates)
def test_a_member_owns_actions_only_while_in_the_network(added_on: date, on: date) -> None:
    member = make_member(added_on=added_on)
    assert (NAN in network_person_ids([member], on)) == (added_on <= on)
    if added_on <= TODAY:
        member.end(TODAY, today=TODAY)
        assert NAN not in network_person_ids([member], TODAY)


@given(offered=dates.filter(lambda d: d <= TODAY), answered=dates, accepted=st.booleans())
def test_an_offer_is_answered_on_or_after_it_was_made_and_never_ahead(
    offered: date, answered: date, accepted: bool
) -> None:
    offer = make_offer(decided_on=offered)
    if offered <= answered <= TODAY:
        offer.answer(accepted=accepted, on=answered, today=TODAY)
        assert offer.status is (FgdmOfferStatus.ACCEPTED if accepted else FgdmOfferStatus.DECLINED)
        with pytest.raises(IllegalTransition):
            offer.answer(accepted=not accepted, on=answered, today=TODAY)
    else:
        with pytest.raises(InvalidValue):
            offer.answer(accepted=accepted, on=answered, today=TODAY)
        assert offer.status is FgdmOfferStatus.AWAITING_ANSWER


def test_an_offer_names_family_people_only() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_offer(
            make_offer(offered_to_person_ids=(GIVER, uuid.uuid4())), people={GIVER}, today=TODAY
        )
    assert refused.value.field == "offered_to_person_ids[1]"


def test_a_plan_is_agreed_only_once_the_family_made_one() -> None:
    meeting = FgdmMeeting(
        id=uuid.uuid4(),
        family_id=FAMILY,
        held_on=TODAY - timedelta(days=1),
        meeting_type=FgdmMeetingType.FAMILY_GROUP_CONFERENCE,
        coordinator_name="Jo",
        coordinator_independent=True,
        private_family_time=True,
        attendee_person_ids=(GIVER, NAN),
        family_plan="  ",
        plan_agreed=True,
    )
    with pytest.raises(InvalidValue) as refused:
        check_meeting(meeting, people={GIVER, NAN}, offer=None, today=TODAY)
    assert refused.value.code == "fgdm_plan_agreed_without_plan"
