"""What a practitioner's device carries offline: their caseload today, not every case they ever held."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.access import EpisodeFacts, RecordFacts, TafSeat
from app.domain.sync import RecordType, carried_offline, diff

ME = uuid.UUID(int=1)
SOMEONE_ELSE = uuid.UUID(int=2)
TODAY = date(2025, 3, 3)


def make_episode_facts(**overrides: object) -> EpisodeFacts:
    fields: dict[str, object] = {
        "episode_id": uuid.uuid4(),
        "hub_id": uuid.UUID(int=20),
        "lead_practitioner_id": SOMEONE_ELSE,
        "is_open": True,
    }
    fields.update(overrides)
    return EpisodeFacts(**fields)  # type: ignore[arg-type]


def make_record(*episodes: EpisodeFacts, **overrides: object) -> RecordFacts:
    fields: dict[str, object] = {
        "family_id": uuid.UUID(int=10),
        "family_hub_id": uuid.UUID(int=20),
        "episodes": episodes,
        "created_by_practitioner_id": SOMEONE_ELSE,
    }
    fields.update(overrides)
    return RecordFacts(**fields)  # type: ignore[arg-type]


def my_seat(joined_on: date, left_on: date | None = None) -> TafSeat:
    return TafSeat(practitioner_id=ME, agency_code="SCHOOL", joined_on=joined_on, left_on=left_on)


class TestCarriedOffline:
    def test_a_family_whose_open_episode_i_lead_is_carried(self) -> None:
        assert carried_offline(ME, make_record(make_episode_facts(lead_practitioner_id=ME)), TODAY)

    def test_a_family_whose_episode_i_led_is_dropped_once_it_closes(self) -> None:
        closed = make_episode_facts(lead_practitioner_id=ME, is_open=False)
        assert not carried_offline(ME, make_record(closed), TODAY)

    def test_a_closed_episode_does_not_drop_a_family_i_still_lead_another_episode_of(self) -> None:
        closed = make_episode_facts(lead_practitioner_id=ME, is_open=False)
        reopened = make_episode_facts(lead_practitioner_id=ME)
        assert carried_offline(ME, make_record(closed, reopened), TODAY)

    def test_a_taf_seat_on_a_closed_episode_does_not_carry_the_family(self) -> None:
        closed = make_episode_facts(is_open=False, taf=(my_seat(TODAY - timedelta(days=60)),))
        assert not carried_offline(ME, make_record(closed), TODAY)

    def test_another_leads_open_case_is_not_on_my_device(self) -> None:
        assert not carried_offline(ME, make_record(make_episode_facts()), TODAY)

    def test_a_family_i_registered_is_carried_until_its_first_episode_exists(self) -> None:
        assert carried_offline(ME, make_record(created_by_practitioner_id=ME), TODAY)
        with_episode = make_record(make_episode_facts(), created_by_practitioner_id=ME)
        assert not carried_offline(ME, with_episode, TODAY)

    @given(
        joined=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
        stays=st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
        on=st.dates(min_value=date(2019, 6, 1), max_value=date(2031, 6, 1)),
    )
    def test_a_taf_seat_carries_the_family_from_the_day_it_is_joined_until_the_day_it_is_left(
        self, joined: date, stays: int | None, on: date
    ) -> None:
        left = joined + timedelta(days=stays) if stays is not None else None
        record = make_record(make_episode_facts(taf=(my_seat(joined, left),)))
        expected = joined <= on and (left is None or on < left)
        assert carried_offline(ME, record, on) is expected


class TestDiff:
    def test_a_record_the_device_holds_but_no_longer_carries_is_removed(self) -> None:
        found = diff({"family": {"a": 1, "b": 2}}, {"family": {"a": 1}})
        assert found.removed[RecordType.FAMILY] == {"b"}
        assert found.changed[RecordType.FAMILY] == set()

    def test_a_new_version_is_sent_again(self) -> None:
        found = diff({"episode": {"e": 1}}, {"episode": {"e": 2}})
        assert found.changed[RecordType.EPISODE] == {"e"}
        assert found.removed[RecordType.EPISODE] == set()
