"""What a practitioner's device carries offline: their caseload today, not every case they ever held."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.sync import RecordType, carried_offline, diff

# `episode()` is led by someone else and has no TAF seat of mine: alone, it keeps nothing on my device.
from tests.unit.domain.test_access import ME, TODAY, episode, record, seat


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
