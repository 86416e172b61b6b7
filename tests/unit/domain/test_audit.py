"""The keyed audit chain: seals made with a key nobody without it can recompute, checked from the
first entry, against the recorded head and against signed checkpoints kept elsewhere."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.audit import (
    GENESIS,
    GENESIS_HASH,
    AuditEntry,
    AuditKeys,
    ChainHead,
    EntryContent,
    LegacyEntry,
    Seal,
    SealBacklog,
    SealedEntry,
    backlog_problem,
    canonical_payload,
    checkpoint_document,
    checkpoint_problem,
    entry_content,
    issue_checkpoint,
    legacy_entry_hash,
    new_legacy_entry,
    read_checkpoint,
    seal_entries,
    seal_mac,
    verify_trail,
)
from app.domain.errors import InvalidValue

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
KEY = b"k" * 32
KEYS = AuditKeys.of("2026-12", KEY)
GUESSED = AuditKeys.of("2026-12", b"a guess at the key, 32 bytes long")

instants = st.integers(0, 10**14).map(lambda us: EPOCH + timedelta(microseconds=us))
short_text = st.text(max_size=12)
optional_text = st.none() | short_text
optional_ids = st.none() | st.uuids()

contents = st.builds(
    entry_content,
    occurred_at=instants,
    actor_id=optional_ids,
    actor_roles=st.lists(st.sampled_from(["practitioner", "manager", "link_worker"])),
    action=st.sampled_from(["read", "create", "update", "delete"]),
    resource_type=st.sampled_from(["family", "episode", "plan", "consent"]),
    resource_id=optional_text,
    family_id=optional_ids,
    request_id=optional_text,
    outcome=st.sampled_from(["allowed", "denied"]),
    break_glass_reason=optional_text,
)


def stored(content: EntryContent, entry_id: int) -> AuditEntry:
    return AuditEntry(
        **{f.name: getattr(content, f.name) for f in dataclasses.fields(content)}, id=entry_id
    )


@st.composite
def trails(draw: st.DrawFn, min_size: int = 1) -> list[SealedEntry]:
    """Entries with rising ids (gaps where transactions rolled back), sealed in a drawn order:
    chain order is seal order, not id order."""
    drawn = draw(st.lists(contents, min_size=min_size, max_size=6))
    ids = draw(st.lists(st.integers(1, 3), min_size=len(drawn), max_size=len(drawn)))
    entries = [stored(c, sum(ids[: n + 1])) for n, c in enumerate(drawn)]
    order = draw(st.permutations(entries))
    seals, _head = seal_entries(GENESIS, order, KEYS)
    return [SealedEntry(s, e) for s, e in zip(seals, order, strict=True)]


def an_entry(entry_id: int, **overrides: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "occurred_at": AT,
        "actor_id": None,
        "actor_roles": (),
        "action": "read",
        "resource_type": "family",
        "outcome": "allowed",
    }
    fields.update(overrides)
    return stored(entry_content(**fields), entry_id)


def head_of(trail: list[SealedEntry]) -> ChainHead:
    return ChainHead(trail[-1].seal.sequence, trail[-1].seal.mac) if trail else GENESIS


def verify(trail: list[SealedEntry], **options: Any) -> Any:
    options.setdefault("head", head_of(trail))
    options.setdefault("keys", KEYS)
    return verify_trail([], trail, **options)


def resealed(
    entries: list[AuditEntry], keys: AuditKeys, after: ChainHead = GENESIS
) -> list[SealedEntry]:
    seals, _head = seal_entries(after, entries, keys)
    return [SealedEntry(s, e) for s, e in zip(seals, entries, strict=True)]


@given(trails())
def test_an_untouched_chain_verifies_to_its_head(trail: list[SealedEntry]) -> None:
    verdict = verify(trail)
    assert verdict.ok, verdict.problem
    assert verdict.checked == len(trail)
    assert verdict.last == head_of(trail)
    assert [t.seal.sequence for t in trail] == list(range(1, len(trail) + 1))


# A strategy for a *different* value of each field of an entry, given the old one.
ENTRY_MUTATIONS: dict[str, Any] = {
    "id": lambda old: st.integers(1, 50).filter(lambda v: v != old),
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
    "problem_code": lambda old: optional_text.filter(lambda v: v != old),
}
hex64 = st.text(min_size=64, max_size=64, alphabet="0123456789abcdef")
SEAL_MUTATIONS: dict[str, Any] = {
    "sequence": lambda old: st.integers(-3, 50).filter(lambda v: v != old),
    "entry_id": lambda old: st.integers(1, 50).filter(lambda v: v != old),
    "key_id": lambda old: st.sampled_from(["1", "dev", "2027-01"]).filter(lambda v: v != old),
    "mac": lambda old: hex64.filter(lambda v: v != old),
}


def test_every_field_of_an_entry_and_a_seal_has_a_mutation() -> None:
    assert set(ENTRY_MUTATIONS) == {f.name for f in dataclasses.fields(AuditEntry)}
    assert set(SEAL_MUTATIONS) == {f.name for f in dataclasses.fields(Seal)}


@given(trails(), st.data())
def test_changing_any_field_of_any_entry_breaks_the_chain_at_that_entry(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(trail) - 1), label="index")
    name = data.draw(st.sampled_from(sorted(ENTRY_MUTATIONS)), label="field")
    entry = trail[index].entry
    assert entry is not None
    new = data.draw(ENTRY_MUTATIONS[name](getattr(entry, name)), label="new value")
    tampered = list(trail)
    tampered[index] = SealedEntry(trail[index].seal, dataclasses.replace(entry, **{name: new}))
    verdict = verify(tampered)
    assert not verdict.ok
    assert verdict.first_bad_sequence == index + 1
    assert verdict.problem


@given(trails(), st.data())
def test_changing_any_field_of_any_seal_breaks_the_chain_there(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(trail) - 1), label="index")
    name = data.draw(st.sampled_from(sorted(SEAL_MUTATIONS)), label="field")
    seal = trail[index].seal
    new = data.draw(SEAL_MUTATIONS[name](getattr(seal, name)), label="new value")
    tampered = list(trail)
    tampered[index] = SealedEntry(dataclasses.replace(seal, **{name: new}), trail[index].entry)
    verdict = verify(tampered, head=head_of(trail))
    assert not verdict.ok
    assert verdict.first_bad_sequence == index + 1


@given(trails(), st.data())
def test_rechaining_a_changed_entry_with_a_guessed_key_is_detected(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    """What the unkeyed chain could not notice: change an entry, recompute every link after it."""
    index = data.draw(st.integers(0, len(trail) - 1), label="index")
    entries = [t.entry for t in trail if t.entry is not None]
    entries[index] = dataclasses.replace(entries[index], outcome="denied", action="(edited)")
    forged = resealed(entries, GUESSED)
    verdict = verify(forged, head=head_of(forged))
    assert not verdict.ok
    assert verdict.first_bad_sequence == 1
    assert verdict.problem == "the MAC does not match the entry and the link before it"


@given(trails(min_size=2), st.data())
def test_removing_or_reordering_a_sealed_entry_is_detected(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    first = data.draw(st.integers(0, len(trail) - 2), label="first")
    removed = [*trail[:first], *trail[first + 1 :]]
    assert verify(removed, head=head_of(trail)).first_bad_sequence == first + 1
    swapped = list(trail)
    swapped[first], swapped[first + 1] = swapped[first + 1], swapped[first]
    assert verify(swapped, head=head_of(trail)).first_bad_sequence == first + 1


@given(trails(min_size=2), st.data())
def test_cutting_off_the_newest_seals_shows_against_the_head_or_a_checkpoint(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    keep = data.draw(st.integers(0, len(trail) - 1), label="keep")
    cut = trail[:keep]
    verdict = verify(cut, head=head_of(trail))
    assert (verdict.ok, verdict.first_bad_sequence) == (False, keep + 1)
    # The head moved back with them: the database alone cannot tell ...
    assert verify(cut, head=head_of(cut)).ok
    # ... a checkpoint taken before can.
    checkpoint = issue_checkpoint(head_of(trail), entry_count=len(trail), issued_at=AT, keys=KEYS)
    verdict = verify(cut, head=head_of(cut), checkpoint=checkpoint)
    assert (verdict.ok, verdict.first_bad_sequence) == (False, keep + 1)
    assert verdict.problem is not None
    assert "cut off" in verdict.problem


@given(trails(), st.data())
def test_a_chain_grown_past_a_checkpoint_still_holds_it(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(trail)), label="checkpoint position")
    checkpoint = issue_checkpoint(head_of(trail[:at]), entry_count=at, issued_at=AT, keys=KEYS)
    assert verify(trail, checkpoint=checkpoint, stored_entries=len(trail)).ok


def test_a_chain_rebuilt_from_the_checkpoints_position_with_the_key_still_differs_from_it() -> None:
    """Even someone holding the key who rewrites an entry before the checkpoint is caught, unless
    they forge the checkpoint too: its position no longer has the same MAC."""
    entries = [an_entry(n) for n in range(1, 4)]
    trail = resealed(entries, KEYS)
    checkpoint = issue_checkpoint(head_of(trail), entry_count=3, issued_at=AT, keys=KEYS)
    entries[0] = dataclasses.replace(entries[0], outcome="denied")
    rebuilt = resealed(entries, KEYS)
    verdict = verify(rebuilt, checkpoint=checkpoint)
    assert (verdict.ok, verdict.first_bad_sequence) == (False, 3)
    assert verdict.problem is not None
    assert "rewritten" in verdict.problem


def test_fewer_entries_than_a_checkpoint_counted_is_reported() -> None:
    trail = resealed([an_entry(1)], KEYS)
    checkpoint = issue_checkpoint(head_of(trail), entry_count=5, issued_at=AT, keys=KEYS)
    verdict = verify(trail, checkpoint=checkpoint, stored_entries=4)
    assert not verdict.ok
    assert verdict.first_bad_sequence is None
    assert verdict.problem is not None
    assert "removed" in verdict.problem
    assert verify(trail, checkpoint=checkpoint, stored_entries=5).ok


def test_a_head_that_is_not_on_the_chain_is_reported() -> None:
    trail = resealed([an_entry(1)], KEYS)
    verdict = verify(trail, head=ChainHead(1, GENESIS_HASH))
    assert (verdict.ok, verdict.first_bad_sequence) == (False, 1)


@given(trails(), st.data())
def test_seals_made_before_a_key_rotation_verify_with_the_old_key_kept(
    trail: list[SealedEntry], data: st.DataObject
) -> None:
    more = data.draw(st.lists(contents, min_size=1, max_size=3), label="after the rotation")
    rotated = AuditKeys.of("2027-01", b"n" * 32, {"2026-12": KEY})
    last_id = max(t.entry.id for t in trail if t.entry is not None)
    later = [stored(c, last_id + n + 1) for n, c in enumerate(more)]
    seals, head = seal_entries(head_of(trail), later, rotated)
    whole = trail + [SealedEntry(s, e) for s, e in zip(seals, later, strict=True)]
    assert {s.seal.key_id for s in whole} == {"2026-12", "2027-01"}
    assert verify(whole, head=head, keys=rotated).ok
    without_the_old_key = verify(whole, head=head, keys=AuditKeys.of("2027-01", b"n" * 32))
    assert (without_the_old_key.ok, without_the_old_key.first_bad_sequence) == (False, 1)
    assert without_the_old_key.problem == "sealed with key id '2026-12', which is not held"


def test_the_mac_covers_the_link_before_the_position_the_key_id_and_the_payload() -> None:
    entry = an_entry(7, actor_id=uuid.UUID(int=1), actor_roles=("manager",))
    assert canonical_payload(entry) == (
        '{"action":"read","actor_id":"00000000-0000-0000-0000-000000000001",'
        '"actor_roles":["manager"],"break_glass_reason":null,"family_id":null,"id":7,'
        '"occurred_at":"2025-03-03T10:00:00.000000Z","outcome":"allowed","request_id":null,'
        '"resource_id":null,"resource_type":"family"}'
    )
    mac = seal_mac(KEY, previous_mac=GENESIS_HASH, sequence=1, key_id="a", entry=entry)
    assert len(mac) == 64
    assert seal_mac(KEY, previous_mac="1" * 64, sequence=1, key_id="a", entry=entry) != mac
    assert seal_mac(KEY, previous_mac=GENESIS_HASH, sequence=2, key_id="a", entry=entry) != mac
    assert seal_mac(KEY, previous_mac=GENESIS_HASH, sequence=1, key_id="b", entry=entry) != mac
    assert (
        seal_mac(b"j" * 32, previous_mac=GENESIS_HASH, sequence=1, key_id="a", entry=entry) != mac
    )


# --- the legacy part ---------------------------------------------------------------------------


def legacy_chain(n: int) -> list[LegacyEntry]:
    chain: list[LegacyEntry] = []
    for i in range(n):
        chain.append(
            new_legacy_entry(
                chain[-1] if chain else None,
                occurred_at=AT + timedelta(seconds=i),
                actor_id=None,
                actor_roles=("practitioner",),
                action="read",
                resource_type="family",
                outcome="allowed",
            )
        )
    return chain


@given(st.integers(0, 4), trails())
def test_keyed_seals_continue_from_the_last_legacy_hash(
    legacy_count: int, trail: list[SealedEntry]
) -> None:
    legacy = legacy_chain(legacy_count)
    start = ChainHead(legacy[-1].sequence, legacy[-1].entry_hash) if legacy else GENESIS
    entries = [
        dataclasses.replace(t.entry, id=t.entry.id + legacy_count)
        for t in trail
        if t.entry is not None
    ]
    keyed = resealed(entries, KEYS, after=start)
    assert keyed[0].seal.sequence == legacy_count + 1
    verdict = verify_trail(legacy, keyed, head=head_of(keyed), keys=KEYS)
    assert verdict.ok, verdict.problem
    assert verdict.checked == legacy_count + len(keyed)


@given(st.integers(1, 4), trails(), st.data())
def test_rewriting_a_legacy_entry_and_its_hashes_breaks_the_first_keyed_seal(
    legacy_count: int, trail: list[SealedEntry], data: st.DataObject
) -> None:
    legacy = legacy_chain(legacy_count)
    start = ChainHead(legacy[-1].sequence, legacy[-1].entry_hash)
    entries = [
        dataclasses.replace(t.entry, id=t.entry.id + legacy_count)
        for t in trail
        if t.entry is not None
    ]
    keyed = resealed(entries, KEYS, after=start)
    index = data.draw(st.integers(0, legacy_count - 1), label="index")
    rewritten = list(legacy)
    rewritten[index] = dataclasses.replace(rewritten[index], outcome="denied")
    for i in range(index, legacy_count):  # every unkeyed hash from there on, recomputed
        previous = rewritten[i - 1].entry_hash if i else GENESIS_HASH
        relinked = dataclasses.replace(rewritten[i], previous_hash=previous)
        rewritten[i] = dataclasses.replace(relinked, entry_hash=legacy_entry_hash(relinked))
    assert verify_trail(
        rewritten, [], head=ChainHead(legacy_count, rewritten[-1].entry_hash), keys=KEYS
    ).ok
    verdict = verify_trail(rewritten, keyed, head=head_of(keyed), keys=KEYS)
    assert (verdict.ok, verdict.first_bad_sequence) == (False, legacy_count + 1)


# --- checkpoints -------------------------------------------------------------------------------


CHECKPOINT = issue_checkpoint(ChainHead(12, "c" * 64), entry_count=14, issued_at=AT, keys=KEYS)


def test_a_checkpoint_reads_back_from_its_document_and_its_signature_holds() -> None:
    document = checkpoint_document(CHECKPOINT)
    assert set(document) == {
        "format",
        "sequence",
        "mac",
        "entry_count",
        "issued_at",
        "key_id",
        "signature",
    }
    assert read_checkpoint(document) == CHECKPOINT
    assert checkpoint_problem(CHECKPOINT, KEYS) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sequence", 13),
        ("mac", "d" * 64),
        ("entry_count", 15),
        ("issued_at", AT + timedelta(seconds=1)),
        ("key_id", "other"),
        ("signature", "0" * 64),
    ],
)
def test_an_edited_checkpoint_is_refused(field: str, value: Any) -> None:
    edited = dataclasses.replace(CHECKPOINT, **{field: value})
    rotated = AuditKeys.of("2026-12", KEY, {"other": b"o" * 32})
    assert checkpoint_problem(edited, rotated) is not None


def test_a_checkpoint_signed_with_a_guessed_key_or_an_unknown_key_id_is_refused() -> None:
    forged = issue_checkpoint(ChainHead(99, "e" * 64), entry_count=99, issued_at=AT, keys=GUESSED)
    assert checkpoint_problem(forged, KEYS) == (
        "the checkpoint's signature does not match its contents: it was forged or edited"
    )
    nobody = AuditKeys.of("nobody", KEY)
    unknown = issue_checkpoint(ChainHead(1, "e" * 64), entry_count=1, issued_at=AT, keys=nobody)
    problem = checkpoint_problem(unknown, KEYS)
    assert problem is not None
    assert "'nobody'" in problem


def test_a_checkpoint_is_not_signed_with_the_sealing_key_itself() -> None:
    """A seal's MAC and a checkpoint's signature come from different keys, so neither can stand
    in for the other."""
    document = checkpoint_document(CHECKPOINT)
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    message = json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()
    assert hmac.new(KEY, message, hashlib.sha256).hexdigest() != CHECKPOINT.signature


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "something-else"}, "format"),
        ({"sequence": "12"}, "sequence"),
        ({"sequence": -1}, "sequence"),
        ({"entry_count": True}, "entry_count"),
        ({"mac": "C" * 64}, "mac"),
        ({"signature": "abc"}, "signature"),
        ({"key_id": "has space"}, "key_id"),
        ({"issued_at": "yesterday"}, "issued_at"),
    ],
)
def test_a_malformed_checkpoint_is_refused_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        read_checkpoint({**checkpoint_document(CHECKPOINT), **change})
    assert caught.value.field == field


def test_a_checkpoint_must_be_a_json_object() -> None:
    with pytest.raises(InvalidValue):
        read_checkpoint(["not", "an", "object"])


def test_a_checkpoint_at_the_very_start_holds_genesis() -> None:
    checkpoint = issue_checkpoint(GENESIS, entry_count=0, issued_at=AT, keys=KEYS)
    assert verify([], checkpoint=checkpoint, stored_entries=0).ok
    forged = dataclasses.replace(checkpoint, mac="f" * 64)
    assert verify([], checkpoint=forged).first_bad_sequence == 0


# --- keys and the backlog ----------------------------------------------------------------------


def test_keys_never_show_in_their_repr() -> None:
    keys = AuditKeys.of("1", b"s3cret-audit-key-material-32-bytes", {"0": b"older-key-material"})
    assert "s3cret" not in repr(keys)
    assert "older" not in repr(keys)
    assert keys.key("0") == b"older-key-material"
    assert keys.key("9") is None


@pytest.mark.parametrize(
    ("current_id", "older", "field"),
    [
        ("", {}, "audit_key_id"),
        ("a" * 17, {}, "audit_key_id"),
        ("1", {"bad id": b"x"}, "audit_key_id"),
        ("1", {"1": b"x"}, "audit_old_keys"),
    ],
)
def test_key_ids_are_short_plain_and_distinct(
    current_id: str, older: dict[str, bytes], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        AuditKeys.of(current_id, KEY, older)
    assert caught.value.field == field


def test_a_few_recent_unsealed_entries_are_not_a_problem_many_or_old_ones_are() -> None:
    now = AT
    assert backlog_problem(SealBacklog(0, None, None), now=now) is None
    assert backlog_problem(SealBacklog(3, 40, now - timedelta(seconds=2)), now=now) is None
    waited = backlog_problem(SealBacklog(3, 40, now - timedelta(hours=1)), now=now)
    assert waited is not None
    assert "entry 40 has waited 3600 s" in waited
    piled = backlog_problem(SealBacklog(5000, 40, now), now=now, most=1000)
    assert piled is not None
    assert "5000 entries" in piled
