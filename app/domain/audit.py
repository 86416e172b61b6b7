"""The audit trail's pure parts: a hash chain, so a changed, removed or reordered entry shows.

Each entry's hash covers its own fields and the previous entry's hash, so altering any entry
breaks every link after it. A chain alone cannot show that its newest entries were cut off or
that the whole chain was rewritten; for that the caller keeps the latest hash somewhere else (a
separate store, a periodic log line) and passes it to `verify_chain` as `expected_last_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from app.domain.errors import InvalidValue

GENESIS_HASH = "0" * 64
"""The `previous_hash` of the first entry."""

FIRST_SEQUENCE = 1

OUTCOME_ALLOWED = "allowed"
OUTCOME_DENIED = "denied"
"""The access rules refused it."""
OUTCOME_REFUSED = "refused"
"""The access rules allowed it, and the process then refused it (a stale version, a step out of turn)."""
OUTCOME_FAILED = "failed"
"""The access rules allowed it, and the request then failed for another reason."""
OUTCOMES = frozenset({OUTCOME_ALLOWED, OUTCOME_DENIED, OUTCOME_REFUSED, OUTCOME_FAILED})


@dataclass(frozen=True)
class AuditEntry:
    """One access to (or attempt on) a resource; written once, never updated."""

    sequence: int
    occurred_at: datetime
    """Aware, UTC."""
    actor_id: UUID | None
    actor_roles: tuple[str, ...]
    action: str
    """What was done: "read", "create", "update" ..."""
    resource_type: str
    resource_id: str | None
    family_id: UUID | None
    request_id: str | None
    outcome: str
    """"allowed" or "denied"."""
    break_glass_reason: str | None
    previous_hash: str
    entry_hash: str


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    """Entries read before the verdict was reached."""
    first_bad_sequence: int | None
    """The position (sequence number) at which the chain stops being trustworthy."""
    problem: str | None


def _instant(value: datetime) -> str:
    """Fixed width, always microseconds and Z, so the same instant always encodes the same way."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue("Audit times must be timezone-aware.", field="occurred_at")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _optional(value: object | None) -> str | None:
    return None if value is None else str(value)


def canonical_payload(entry: AuditEntry) -> str:
    """Every field but `entry_hash` as compact JSON with sorted keys: the bytes the hash covers."""
    fields = {
        "sequence": entry.sequence,
        "occurred_at": _instant(entry.occurred_at),
        "actor_id": _optional(entry.actor_id),
        "actor_roles": list(entry.actor_roles),
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "family_id": _optional(entry.family_id),
        "request_id": entry.request_id,
        "outcome": entry.outcome,
        "break_glass_reason": entry.break_glass_reason,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(previous_hash: str, payload: str) -> str:
    """SHA-256 (hex) of the previous hash and this entry's payload."""
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


def entry_hash_of(entry: AuditEntry) -> str:
    return chain_hash(entry.previous_hash, canonical_payload(entry))


class ChainLink(Protocol):
    """What the next entry needs of the one before it: its place and its hash (an entry, or the
    chain's head row, so appending need not read the last entry back)."""

    @property
    def sequence(self) -> int: ...

    @property
    def entry_hash(self) -> str: ...


def new_entry(
    previous: ChainLink | None,
    *,
    occurred_at: datetime,
    actor_id: UUID | None,
    actor_roles: Iterable[str],
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    family_id: UUID | None = None,
    request_id: str | None = None,
    outcome: str,
    break_glass_reason: str | None = None,
) -> AuditEntry:
    """The entry that follows `previous` (None: the first), with its sequence and hashes."""
    if outcome not in OUTCOMES:
        raise InvalidValue("The outcome must be 'allowed' or 'denied'.", field="outcome")
    if not action.strip():
        raise InvalidValue("Say what was done.", field="action")
    if not resource_type.strip():
        raise InvalidValue("Say what kind of resource was touched.", field="resource_type")
    _instant(occurred_at)
    draft = AuditEntry(
        sequence=FIRST_SEQUENCE if previous is None else previous.sequence + 1,
        occurred_at=occurred_at.astimezone(UTC),
        actor_id=actor_id,
        actor_roles=tuple(sorted(set(actor_roles))),
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        family_id=family_id,
        request_id=request_id,
        outcome=outcome,
        break_glass_reason=break_glass_reason,
        previous_hash=GENESIS_HASH if previous is None else previous.entry_hash,
        entry_hash="",
    )
    return replace(draft, entry_hash=entry_hash_of(draft))


def verify_chain(
    entries: Iterable[AuditEntry],
    *,
    after: AuditEntry | None = None,
    expected_last_hash: str | None = None,
) -> ChainVerdict:
    """Check `entries` in order: consecutive sequences, each linked to the one before, each intact.

    `after` verifies a slice that continues from an entry already trusted (None: from genesis).
    `expected_last_hash`, kept outside the chain, also catches entries cut off the end.
    """
    expected_sequence = FIRST_SEQUENCE if after is None else after.sequence + 1
    expected_previous = GENESIS_HASH if after is None else after.entry_hash
    checked = 0

    def bad(problem: str) -> ChainVerdict:
        return ChainVerdict(False, checked, expected_sequence, problem)

    for entry in entries:
        checked += 1
        if entry.sequence > expected_sequence:
            return bad(f"entry {expected_sequence} is missing (next found is {entry.sequence})")
        if entry.sequence < expected_sequence:
            return bad(f"entry {entry.sequence} is out of order or repeated")
        if entry.previous_hash != expected_previous:
            return bad("previous_hash does not match the entry before")
        try:
            recomputed = entry_hash_of(entry)
        except InvalidValue as exc:
            return bad(exc.detail)
        if recomputed != entry.entry_hash:
            return bad("entry_hash does not match the entry's contents")
        expected_previous = entry.entry_hash
        expected_sequence += 1

    if expected_last_hash is not None and expected_last_hash != expected_previous:
        return bad("the chain does not end at the expected hash (entries cut off or rewritten)")
    return ChainVerdict(True, checked, None, None)
