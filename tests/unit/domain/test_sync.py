"""What a practitioner's device carries offline: their caseload today, not every case they ever held."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.access import EpisodeFacts, RequestFacts, Role
from app.domain.sync import (
    SYNC_ORDER,
    RecordType,
    carried_offline,
    carried_request,
    diff,
    network_member_stamp,
)

# `episode()` is led by someone else and has no TAF seat of mine: alone, it keeps nothing on my device.
from tests.unit.domain.test_access import (
    EPISODE,
    FAMILY,
    HUB,
    ME,
    OTHER_PRACTITIONER,
    TODAY,
    episode,
    principal,
    record,
    seat,
)


class TestCarriedOffline:
    def test_a_family_whose_open_episode_i_lead_is_carried(self) -> None:
        assert carried_offline(ME, record(episode(lead_practitioner_id=ME)), TODAY)

    def test_a_family_whose_episode_i_led_is_dropped_once_it_closes(self) -> None:
        closed = episode(lead_practitioner_id=ME, is_open=False)
        assert not carried_offline(ME, record(closed), TODAY)

    def test_a_closed_episode_does_not_drop_a_family_i_still_lead_another_episode_of(self) -> None:
        closed = episode(lead_practitioner_id=ME, is_open=False)
        reopened = episode(lead_practitioner_id=ME)
        assert carried_offline(ME, record(closed, reopened), TODAY)

    def test_a_taf_seat_on_a_closed_episode_does_not_carry_the_family(self) -> None:
        closed = episode(is_open=False, taf=(seat(),))
        assert not carried_offline(ME, record(closed), TODAY)

    def test_another_leads_open_case_is_not_on_my_device(self) -> None:
        assert not carried_offline(ME, record(episode()), TODAY)

    def test_a_family_i_registered_is_carried_until_its_first_episode_exists(self) -> None:
        assert carried_offline(ME, record(episodes=(), created_by_practitioner_id=ME), TODAY)
        with_episode = record(episode(), created_by_practitioner_id=ME)
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
        mine = record(episode(taf=(seat(joined_on=joined, left_on=left),)))
        expected = joined <= on and (left is None or on < left)
        assert carried_offline(ME, mine, on) is expected


def request_about(
    family_id: uuid.UUID | None = FAMILY,
    *,
    made_by: uuid.UUID = OTHER_PRACTITIONER,
    led_by: uuid.UUID | None = None,
) -> RequestFacts:
    linked = EpisodeFacts(EPISODE, HUB, led_by) if led_by is not None else None
    return RequestFacts(uuid.uuid4(), made_by, linked, family_id)


class TestARequestForSupportIsCarried:
    def test_when_it_is_linked_to_an_episode_i_lead_of_a_family_i_carry(self) -> None:
        assert carried_request(principal(Role.PRACTITIONER), request_about(led_by=ME), {FAMILY})

    def test_when_i_made_it_about_a_family_i_carry(self) -> None:
        assert carried_request(principal(Role.PRACTITIONER), request_about(made_by=ME), {FAMILY})

    def test_not_when_the_front_door_has_not_linked_it_to_me(self) -> None:
        unlinked = request_about(led_by=None)
        assert not carried_request(principal(Role.PRACTITIONER), unlinked, {FAMILY})
        led_by_another = request_about(led_by=OTHER_PRACTITIONER)
        assert not carried_request(principal(Role.PRACTITIONER), led_by_another, {FAMILY})

    def test_not_about_a_family_off_my_device_though_i_may_read_it_online(self) -> None:
        mine = request_about(made_by=ME)
        assert not carried_request(principal(Role.PRACTITIONER), mine, set())
        about_a_new_household = request_about(None, made_by=ME)
        assert not carried_request(principal(Role.PRACTITIONER), about_a_new_household, {FAMILY})

    def test_the_front_door_reads_every_request_but_carries_only_its_caseloads(self) -> None:
        officer = principal(Role.FRONT_DOOR_OFFICER)
        assert not carried_request(officer, request_about(), set())
        assert carried_request(officer, request_about(), {FAMILY})

    def test_an_inactive_user_carries_none(self) -> None:
        gone = principal(Role.PRACTITIONER, active=False)
        assert not carried_request(gone, request_about(led_by=ME), {FAMILY})


class TestNetworkMemberStamp:
    @given(
        one=st.tuples(st.integers(1, 200), st.integers(1, 200), st.booleans()),
        other=st.tuples(st.integers(1, 200), st.integers(1, 200), st.booleans()),
    )
    def test_any_change_to_the_member_the_person_or_what_i_may_see_is_a_new_copy(
        self, one: tuple[int, int, bool], other: tuple[int, int, bool]
    ) -> None:
        def stamp(fields: tuple[int, int, bool]) -> int:
            return network_member_stamp(fields[0], fields[1], details_shown=fields[2])

        assert (stamp(one) == stamp(other)) is (one == other)


def test_every_record_type_is_synced_and_families_come_before_their_records() -> None:
    assert set(SYNC_ORDER) == set(RecordType)
    assert SYNC_ORDER[0] is RecordType.FAMILY


class TestDiff:
    def test_a_record_the_device_holds_but_no_longer_carries_is_removed(self) -> None:
        found = diff({"family": {"a": 1, "b": 2}}, {"family": {"a": 1}})
        assert found.removed[RecordType.FAMILY] == {"b"}
        assert found.changed[RecordType.FAMILY] == set()

    def test_a_new_version_is_sent_again(self) -> None:
        found = diff({"episode": {"e": 1}}, {"episode": {"e": 2}})
        assert found.changed[RecordType.EPISODE] == {"e"}
        assert found.removed[RecordType.EPISODE] == set()


_ids = st.sampled_from([f"r{n}" for n in range(8)])
_versions = st.dictionaries(_ids, st.integers(1, 3), max_size=8)
_snapshots = st.fixed_dictionaries({kind.value: _versions for kind in RecordType})


@given(previous=st.none() | _snapshots, current=_snapshots, limit=st.integers(1, 5))
def test_paging_a_sync_ends_with_the_device_holding_exactly_what_it_may_see(
    previous: dict[str, dict[str, int]] | None,
    current: dict[str, dict[str, int]],
    limit: int,
) -> None:
    from app.domain.sync import page_of

    whole = diff(previous, current)
    held = previous
    sent: list[tuple[RecordType, str]] = []
    for _ in range(100):
        page = page_of(held, current, limit)
        changed = [(k, rid) for k, rids in page.diff.changed.items() for rid in rids]
        assert len(changed) <= limit
        sent += changed
        held = page.sent
        if not page.more:
            break
    assert held == {k: dict(v) for k, v in current.items()}
    # Each change is sent exactly once when nothing changes between pages.
    assert sorted(sent) == sorted((k, rid) for k, rids in whole.changed.items() for rid in rids)
