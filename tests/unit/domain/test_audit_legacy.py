"""The unkeyed hash chain of entries written before keyed seals (revision 0010), still checked by
its own rule: an untouched chain verifies, any tampering shows where it starts."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.audit import (
    GENESIS_HASH,
    LegacyEntry,
    legacy_hash,
    legacy_payload,
    new_legacy_entry,
    verify_legacy_chain,
)
from app.domain.errors import InvalidValue

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
ACTOR = uuid.UUID(int=1)
FAMILY = uuid.UUID(int=2)

instants = st.integers(0, 10**14).map(lambda us: EPOCH + timedelta(microseconds=us))
short_text = st.text(max_size=12)
optional_text = st.none() | short_text
optional_ids = st.none() | st.uuids()

entry_fields = st.fixed_dictionaries(
    {
        "occurred_at": instants,
        "actor_id": optional_ids,
        "actor_roles": st.lists(st.sampled_from(["practitioner", "manager", "link_worker"])),
        "action": st.sampled_from(["read", "create", "update", "delete"]),
        "resource_type": st.sampled_from(["family", "episode", "plan", "consent"]),
        "resource_id": optional_text,
        "family_id": optional_ids,
        "request_id": optional_text,
        "outcome": st.sampled_from(["allowed", "denied"]),
        "break_glass_reason": optional_text,
    }
)


def build_chain(fields: list[dict[str, Any]]) -> list[LegacyEntry]:
    chain: list[LegacyEntry] = []
    for one in fields:
        chain.append(new_legacy_entry(chain[-1] if chain else None, **one))
    return chain


chains = st.lists(entry_fields, min_size=1, max_size=6).map(build_chain)
long_chains = st.lists(entry_fields, min_size=2, max_size=6).map(build_chain)

# A strategy for a *different* value of each field, given the old one.
MUTATIONS: dict[str, Any] = {
    "sequence": lambda old: st.integers(-3, 50).filter(lambda v: v != old),
    "occurred_at": lambda old: st.integers(1, 10**9).map(
        lambda us: old + timedelta(microseconds=us)
    ),
    "actor_id": lambda old: optional_ids.filter(lambda v: v != old),
    "actor_roles": lambda old: st.lists(short_text).map(tuple).filter(lambda v: v != old),
    "action": lambda old: short_text.filter(lambda v: v != old),
    "resource_type": lambda old: short_text.filter(lambda v: v != old),
    "resource_id": lambda old: optional_text.filter(lambda v: v != old),
    "family_id": lambda old: optional_ids.filter(lambda v: v != old),
    "request_id": lambda old: optional_text.filter(lambda v: v != old),
    "outcome": lambda old: short_text.filter(lambda v: v != old),
    "break_glass_reason": lambda old: optional_text.filter(lambda v: v != old),
    "previous_hash": lambda old: st.text(
        min_size=64, max_size=64, alphabet="0123456789abcdef"
    ).filter(lambda v: v != old),
    "entry_hash": lambda old: st.text(min_size=64, max_size=64, alphabet="0123456789abcdef").filter(
        lambda v: v != old
    ),
}


def test_every_field_has_a_mutation() -> None:
    assert set(MUTATIONS) == {f.name for f in dataclasses.fields(LegacyEntry)}


@given(chains)
def test_an_untouched_chain_verifies(chain: list[LegacyEntry]) -> None:
    verdict = verify_legacy_chain(chain)
    assert verdict.ok
    assert verdict.checked == len(chain)
    assert verdict.first_bad_sequence is None
    assert verdict.problem is None
    assert verify_legacy_chain(chain, expected_last_hash=chain[-1].entry_hash).ok


@given(chains, st.data())
def test_changing_any_field_of_any_entry_is_detected_at_that_entry(
    chain: list[LegacyEntry], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(chain) - 1), label="index")
    name = data.draw(st.sampled_from(sorted(MUTATIONS)), label="field")
    old = getattr(chain[index], name)
    new = data.draw(MUTATIONS[name](old), label="new value")
    tampered = list(chain)
    tampered[index] = dataclasses.replace(chain[index], **{name: new})
    verdict = verify_legacy_chain(tampered)
    assert not verdict.ok
    assert verdict.first_bad_sequence == index + 1
    assert verdict.problem


@given(chains, st.data())
def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(
    chain: list[LegacyEntry], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(chain) - 1), label="index")
    changed = dataclasses.replace(chain[index], action=chain[index].action + " (edited)")
    forged = dataclasses.replace(
        changed, entry_hash=legacy_hash(changed.previous_hash, legacy_payload(changed))
    )
    tampered = [*chain[:index], forged, *chain[index + 1 :]]
    if index < len(chain) - 1:
        verdict = verify_legacy_chain(tampered)
        assert not verdict.ok
        assert verdict.first_bad_sequence == index + 2
    else:
        # The newest entry can only be checked against a hash kept outside the chain.
        assert verify_legacy_chain(tampered).ok
        verdict = verify_legacy_chain(tampered, expected_last_hash=chain[-1].entry_hash)
        assert not verdict.ok


@given(long_chains, st.data())
def test_removing_an_entry_is_detected(chain: list[LegacyEntry], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(chain) - 2), label="index")
    verdict = verify_legacy_chain([*chain[:index], *chain[index + 1 :]])
    assert not verdict.ok
    assert verdict.first_bad_sequence == index + 1
    assert verdict.problem is not None
    assert "missing" in verdict.problem


@given(long_chains)
def test_cutting_off_the_newest_entries_needs_the_head_kept_elsewhere(
    chain: list[LegacyEntry],
) -> None:
    truncated = chain[:-1]
    assert verify_legacy_chain(truncated).ok
    verdict = verify_legacy_chain(truncated, expected_last_hash=chain[-1].entry_hash)
    assert not verdict.ok
    assert verdict.first_bad_sequence == len(chain)


@given(long_chains, st.data())
def test_swapping_two_entries_is_detected(chain: list[LegacyEntry], data: st.DataObject) -> None:
    first = data.draw(st.integers(0, len(chain) - 2), label="first")
    second = data.draw(st.integers(first + 1, len(chain) - 1), label="second")
    swapped = list(chain)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    verdict = verify_legacy_chain(swapped)
    assert not verdict.ok
    assert verdict.first_bad_sequence == first + 1


@given(chains, st.data())
def test_repeating_an_entry_is_detected(chain: list[LegacyEntry], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(chain) - 1), label="index")
    repeated = [*chain[: index + 1], chain[index], *chain[index + 1 :]]
    verdict = verify_legacy_chain(repeated)
    assert not verdict.ok
    assert verdict.first_bad_sequence == index + 2


@given(long_chains, st.data())
def test_a_slice_verifies_from_a_trusted_entry(
    chain: list[LegacyEntry], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(chain) - 2), label="cut")
    assert verify_legacy_chain(chain[cut + 1 :], after=chain[cut]).ok
    assert not verify_legacy_chain(chain[cut + 1 :]).ok


def entry(previous: LegacyEntry | None = None, **overrides: Any) -> LegacyEntry:
    fields: dict[str, Any] = {
        "occurred_at": AT,
        "actor_id": ACTOR,
        "actor_roles": ("practitioner",),
        "action": "read",
        "resource_type": "family",
        "resource_id": str(FAMILY),
        "family_id": FAMILY,
        "request_id": "req-1",
        "outcome": "allowed",
        "break_glass_reason": None,
    }
    fields.update(overrides)
    return new_legacy_entry(previous, **fields)


class TestNewEntry:
    def test_the_first_entry_starts_the_chain(self) -> None:
        first = entry()
        assert first.sequence == 1
        assert first.previous_hash == GENESIS_HASH
        assert len(first.entry_hash) == 64

    def test_the_next_entry_links_to_the_previous_one(self) -> None:
        first = entry()
        second = entry(first, outcome="denied")
        assert second.sequence == 2
        assert second.previous_hash == first.entry_hash

    def test_the_payload_is_stable_canonical_json(self) -> None:
        first = entry(actor_roles=("manager", "practitioner", "manager"))
        assert first.actor_roles == ("manager", "practitioner")
        assert legacy_payload(first) == (
            '{"action":"read","actor_id":"00000000-0000-0000-0000-000000000001",'
            '"actor_roles":["manager","practitioner"],"break_glass_reason":null,'
            '"family_id":"00000000-0000-0000-0000-000000000002",'
            '"occurred_at":"2025-03-03T10:00:00.000000Z","outcome":"allowed",'
            '"previous_hash":"' + GENESIS_HASH + '","request_id":"req-1",'
            '"resource_id":"00000000-0000-0000-0000-000000000002","resource_type":"family",'
            '"sequence":1}'
        )
        expected = hashlib.sha256(f"{GENESIS_HASH}\n{legacy_payload(first)}".encode())
        assert first.entry_hash == expected.hexdigest()

    def test_the_same_instant_in_another_zone_is_stored_in_utc(self) -> None:
        bst = timezone(timedelta(hours=1))
        local = entry(occurred_at=AT.astimezone(bst))
        assert local.occurred_at.utcoffset() == timedelta(0)
        assert local.entry_hash == entry().entry_hash

    def test_a_naive_time_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            entry(occurred_at=AT.replace(tzinfo=None))
        assert caught.value.field == "occurred_at"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"outcome": "maybe"}, "outcome"),
            ({"action": " "}, "action"),
            ({"resource_type": ""}, "resource_type"),
        ],
    )
    def test_invalid_fields_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidValue) as caught:
            entry(**overrides)
        assert caught.value.field == field


class TestVerifyChain:
    def test_an_empty_chain_is_ok(self) -> None:
        assert verify_legacy_chain([]) == verify_legacy_chain([], expected_last_hash=GENESIS_HASH)
        assert verify_legacy_chain([]).ok

    def test_a_naive_time_slipped_into_the_store_is_reported_not_raised(self) -> None:
        first = entry()
        naive = dataclasses.replace(first, occurred_at=AT.replace(tzinfo=None))
        verdict = verify_legacy_chain([naive])
        assert not verdict.ok
        assert verdict.first_bad_sequence == 1

    def test_the_verdict_counts_the_entries_read(self) -> None:
        first = entry()
        second = entry(first)
        third = entry(second)
        tampered = dataclasses.replace(second, request_id="req-2")
        verdict = verify_legacy_chain([first, tampered, third])
        assert (verdict.ok, verdict.checked, verdict.first_bad_sequence) == (False, 2, 2)
