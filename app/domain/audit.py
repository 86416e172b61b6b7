"""The audit trail's pure parts: entries, the keyed chain that seals them, and signed checkpoints.

Entries are written insert-only, by any number of transactions at once; a sealer then links each
one into a single chain. The seal at position n carries HMAC-SHA256(key, MAC at n-1, n, key id,
entry), so without the key nobody can alter, remove, reorder or insert a sealed entry and
recompute the MACs after it, as anyone could with the unkeyed hashes used before. What a chain
alone cannot show is that its newest seals were cut off (with the head moved back): a checkpoint,
the head's position and MAC signed and kept outside the database, shows that.

Entries written before keyed seals (revision 0010) keep their unkeyed SHA-256 links, the
"legacy" part, checked by the old rule; their chain positions are their ids, and the first keyed
seal's MAC covers the last legacy hash, so rewriting that part breaks the first keyed link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from app.domain.errors import InvalidValue

GENESIS_HASH = "0" * 64
"""The link before the first position of the chain (legacy hash or keyed MAC alike)."""

FIRST_SEQUENCE = 1

OUTCOME_ALLOWED = "allowed"
OUTCOME_DENIED = "denied"
"""The access rules refused it."""
OUTCOME_REFUSED = "refused"
"""The access rules allowed it, and the process then refused it (a stale version, a step out of turn)."""
OUTCOME_FAILED = "failed"
"""The access rules allowed it, and the request then failed for another reason."""
OUTCOMES = frozenset({OUTCOME_ALLOWED, OUTCOME_DENIED, OUTCOME_REFUSED, OUTCOME_FAILED})

MIN_KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,16}")
"""A key id is stored with every seal: short, and plain enough to print."""


# --- entries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryContent:
    """What one access (or attempt) says: written once, never updated."""

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
    """One of OUTCOMES: allowed or denied by the access rules; refused or failed after them."""
    break_glass_reason: str | None
    problem_code: str | None = field(default=None, kw_only=True)
    """Why a request allowed by the access rules failed (the problem's code: StaleVersion ...)."""


@dataclass(frozen=True)
class AuditEntry(EntryContent):
    """An entry as stored, with the id the store gave it (insertion order)."""

    id: int


def _instant(value: datetime) -> str:
    """Fixed width, always microseconds and Z, so the same instant always encodes the same way."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(
            "Audit times must be timezone-aware.", field="occurred_at", code="audit_time_naive"
        )
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _optional(value: object | None) -> str | None:
    return None if value is None else str(value)


def _content_fields(entry: EntryContent | LegacyEntry) -> dict[str, object]:
    return {
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
    }


def _canonical(fields: Mapping[str, object]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_content(
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
    problem_code: str | None = None,
) -> EntryContent:
    """A checked entry, its roles sorted and its time in UTC, so it always encodes the same way."""
    if outcome not in OUTCOMES:
        raise InvalidValue(
            f"The outcome must be one of {', '.join(sorted(OUTCOMES))}.",
            field="outcome",
            code="audit_outcome_unknown",
        )
    if not action.strip():
        raise InvalidValue("Say what was done.", field="action", code="audit_action_required")
    if not resource_type.strip():
        raise InvalidValue(
            "Say what kind of resource was touched.",
            field="resource_type",
            code="audit_resource_type_required",
        )
    _instant(occurred_at)
    return EntryContent(
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
        problem_code=problem_code,
    )


def canonical_payload(entry: AuditEntry) -> str:
    """The entry's id and every field as compact JSON with sorted keys: what its seal covers.

    `problem_code` is covered whenever it is set (entries from before it existed never set it,
    so their seals stay as they were made)."""
    problem = {} if entry.problem_code is None else {"problem_code": entry.problem_code}
    return _canonical({"id": entry.id, **_content_fields(entry), **problem})


# --- keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditKeys:
    """The key new seals are made with, and older ones kept to check the seals they made.

    Never printed: the keys are left out of the repr.
    """

    current_id: str
    _by_id: tuple[tuple[str, bytes], ...] = field(repr=False)

    @classmethod
    def of(
        cls, current_id: str, current: bytes, older: Mapping[str, bytes] | None = None
    ) -> AuditKeys:
        older = dict(older or {})
        for key_id in (current_id, *older):
            if not KEY_ID_PATTERN.fullmatch(key_id):
                raise InvalidValue(
                    "A key id is 1-16 letters, digits, dots, dashes or underscores.",
                    field="audit_key_id",
                    code="audit_key_id_format",
                )
        if current_id in older:
            raise InvalidValue(
                f"The current key id {current_id!r} is also listed among the older keys.",
                field="audit_old_keys",
                code="audit_key_id_reused",
            )
        if not current:
            raise InvalidValue("The audit key is empty.", field="audit_key", code="audit_key_empty")
        return cls(current_id, ((current_id, current), *sorted(older.items())))

    @property
    def current(self) -> bytes:
        return self._by_id[0][1]

    def key(self, key_id: str) -> bytes | None:
        return next((key for kid, key in self._by_id if kid == key_id), None)


# --- the keyed chain -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seal:
    """An entry's place in the chain: written once, after the entry, by the sealer."""

    sequence: int
    entry_id: int
    key_id: str
    mac: str


@dataclass(frozen=True)
class ChainHead:
    """The last sealed position and its MAC (a legacy hash while only legacy entries exist)."""

    sequence: int
    mac: str


GENESIS = ChainHead(0, GENESIS_HASH)


@dataclass(frozen=True)
class SealedEntry:
    """A seal as read back with its entry; `entry` is None when the sealed entry is gone."""

    seal: Seal
    entry: AuditEntry | None


def seal_mac(
    key: bytes, *, previous_mac: str, sequence: int, key_id: str, entry: AuditEntry
) -> str:
    """HMAC-SHA256 (hex) of the link before, this position, the key id and the entry."""
    message = f"{previous_mac}\n{sequence}\n{key_id}\n{canonical_payload(entry)}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def seal_entries(
    head: ChainHead, entries: Iterable[AuditEntry], keys: AuditKeys
) -> tuple[list[Seal], ChainHead]:
    """Seals for `entries`, in the order given, continuing from `head`; and the new head."""
    seals: list[Seal] = []
    for entry in entries:
        sequence = head.sequence + 1
        mac = seal_mac(
            keys.current,
            previous_mac=head.mac,
            sequence=sequence,
            key_id=keys.current_id,
            entry=entry,
        )
        seals.append(Seal(sequence, entry.id, keys.current_id, mac))
        head = ChainHead(sequence, mac)
    return seals, head


# --- checkpoints ---------------------------------------------------------------------------------

CHECKPOINT_FORMAT = "familyhub-audit-checkpoint/1"
_CHECKPOINT_KEY_LABEL = b"familyhub audit checkpoint signing key v1"


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed, for storage the database's administrators cannot
    write: a later chain must still hold `sequence` with this `mac`, and at least `entry_count`
    entries."""

    sequence: int
    mac: str
    entry_count: int
    """Entries stored when it was issued, sealed or not (entries are never removed)."""
    issued_at: datetime
    key_id: str
    signature: str


def _checkpoint_key(audit_key: bytes) -> bytes:
    """A key of its own for checkpoints, so a checkpoint's signature is never a valid seal."""
    return hmac.new(audit_key, _CHECKPOINT_KEY_LABEL, hashlib.sha256).digest()


def _checkpoint_message(
    sequence: int, mac: str, entry_count: int, issued_at: datetime, key_id: str
) -> bytes:
    return _canonical(
        {
            "format": CHECKPOINT_FORMAT,
            "sequence": sequence,
            "mac": mac,
            "entry_count": entry_count,
            "issued_at": _instant(issued_at),
            "key_id": key_id,
        }
    ).encode()


def _checkpoint_signature(
    key: bytes, sequence: int, mac: str, entry_count: int, issued_at: datetime, key_id: str
) -> str:
    message = _checkpoint_message(sequence, mac, entry_count, issued_at, key_id)
    return hmac.new(_checkpoint_key(key), message, hashlib.sha256).hexdigest()


def issue_checkpoint(
    head: ChainHead, *, entry_count: int, issued_at: datetime, keys: AuditKeys
) -> Checkpoint:
    signature = _checkpoint_signature(
        keys.current, head.sequence, head.mac, entry_count, issued_at, keys.current_id
    )
    return Checkpoint(
        head.sequence,
        head.mac,
        entry_count,
        issued_at.astimezone(UTC),
        keys.current_id,
        signature,
    )


def checkpoint_document(checkpoint: Checkpoint) -> dict[str, object]:
    """The checkpoint as a JSON object (what `read_checkpoint` reads back)."""
    return {
        "format": CHECKPOINT_FORMAT,
        "sequence": checkpoint.sequence,
        "mac": checkpoint.mac,
        "entry_count": checkpoint.entry_count,
        "issued_at": _instant(checkpoint.issued_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


_HEX64 = re.compile(r"[0-9a-f]{64}")


def read_checkpoint(document: object) -> Checkpoint:
    """A checkpoint from its JSON object; its signature is checked by `checkpoint_problem`."""
    if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
        raise InvalidValue(
            f"Not a {CHECKPOINT_FORMAT} object.", field="format", code="checkpoint_format"
        )
    for name in ("sequence", "entry_count"):
        value = document.get(name)
        if type(value) is not int or value < 0:
            raise InvalidValue(
                f"{name} must be a whole number, 0 or more.", field=name, code="checkpoint_sequence"
            )
    for name in ("mac", "signature"):
        if not isinstance(document.get(name), str) or not _HEX64.fullmatch(document[name]):
            raise InvalidValue(
                f"{name} must be 64 hexadecimal digits.", field=name, code="checkpoint_digest"
            )
    key_id = document.get("key_id")
    if not isinstance(key_id, str) or not KEY_ID_PATTERN.fullmatch(key_id):
        raise InvalidValue("key_id is not a key id.", field="key_id", code="checkpoint_key_id")
    issued_at = document.get("issued_at")
    try:
        instant = datetime.strptime(str(issued_at), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidValue(
            "issued_at must be a UTC time.", field="issued_at", code="checkpoint_issued_at"
        ) from None
    return Checkpoint(
        document["sequence"],
        document["mac"],
        document["entry_count"],
        instant,
        key_id,
        document["signature"],
    )


def checkpoint_problem(checkpoint: Checkpoint, keys: AuditKeys) -> str | None:
    """Why the checkpoint cannot be trusted (None: its signature holds)."""
    key = keys.key(checkpoint.key_id)
    if key is None:
        return (
            f"the checkpoint was signed with key id {checkpoint.key_id!r}, which this"
            " deployment does not hold (FAMILYHUB_AUDIT_OLD_KEYS)"
        )
    expected = _checkpoint_signature(
        key,
        checkpoint.sequence,
        checkpoint.mac,
        checkpoint.entry_count,
        checkpoint.issued_at,
        checkpoint.key_id,
    )
    if not hmac.compare_digest(expected, checkpoint.signature):
        return "the checkpoint's signature does not match its contents: it was forged or edited"
    return None


# --- verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    """Chain positions read before the verdict was reached."""
    first_bad_sequence: int | None
    """The position (sequence number) at which the chain stops being trustworthy."""
    problem: str | None
    last: ChainHead = GENESIS
    """The last position verified and its link: where a checkpoint issued now would point."""


def verify_trail(
    legacy: Iterable[LegacyEntry],
    sealed: Iterable[SealedEntry],
    *,
    head: ChainHead,
    keys: AuditKeys,
    checkpoint: Checkpoint | None = None,
    stored_entries: int | None = None,
) -> ChainVerdict:
    """Check the whole chain: the legacy entries by the unkeyed rule, then every seal in order
    (consecutive, each MAC over the link before and its entry, under a key held).

    The recorded `head` must lie on the chain: read before the seals, it may be behind seals
    made since (sealing goes on while this reads), never ahead of the chain or off it. With a
    `checkpoint` (its signature already checked) the chain must also still hold the checkpoint's
    position with its MAC, and the store at least as many entries as it counted.
    """
    position = GENESIS
    checked = 0

    def bad(sequence: int | None, problem: str) -> ChainVerdict:
        return ChainVerdict(False, checked, sequence, problem, position)

    def off_the_chain() -> str | None:
        """Why the head or the checkpoint, where it names this position, disagrees with it."""
        if head.sequence == position.sequence and not hmac.compare_digest(head.mac, position.mac):
            return "the recorded head's MAC is not the chain's at this position"
        if (
            checkpoint is not None
            and checkpoint.sequence == position.sequence
            and not hmac.compare_digest(checkpoint.mac, position.mac)
        ):
            return "the chain differs from the checkpoint here (it was rewritten)"
        return None

    problem = off_the_chain()
    if problem is not None:
        return bad(position.sequence, problem)
    for entry in legacy:
        checked += 1
        expected = position.sequence + 1
        problem = _legacy_problem(entry, expected, position.mac)
        if problem is not None:
            return bad(expected, problem)
        position = ChainHead(entry.sequence, entry.entry_hash)
        problem = off_the_chain()
        if problem is not None:
            return bad(expected, problem)
    for item in sealed:
        checked += 1
        expected = position.sequence + 1
        seal = item.seal
        if seal.sequence > expected:
            return bad(expected, f"seal {expected} is missing (next found is {seal.sequence})")
        if seal.sequence < expected:
            return bad(expected, f"seal {seal.sequence} is out of order or repeated")
        if item.entry is None or item.entry.id != seal.entry_id:
            return bad(expected, f"the entry it seals (id {seal.entry_id}) is missing")
        key = keys.key(seal.key_id)
        if key is None:
            return bad(expected, f"sealed with key id {seal.key_id!r}, which is not held")
        try:
            mac = seal_mac(
                key,
                previous_mac=position.mac,
                sequence=seal.sequence,
                key_id=seal.key_id,
                entry=item.entry,
            )
        except InvalidValue as exc:
            return bad(expected, exc.detail)
        if not hmac.compare_digest(mac, seal.mac):
            return bad(expected, "the MAC does not match the entry and the link before it")
        position = ChainHead(seal.sequence, seal.mac)
        problem = off_the_chain()
        if problem is not None:
            return bad(expected, problem)

    if head.sequence > position.sequence:
        return bad(
            position.sequence + 1,
            f"the chain ends at {position.sequence}, before the recorded head at"
            f" {head.sequence}: entries were cut off",
        )
    if checkpoint is not None and checkpoint.sequence > position.sequence:
        return bad(
            position.sequence + 1,
            f"the chain ends at {position.sequence}, before the checkpoint's position"
            f" {checkpoint.sequence}: entries were cut off",
        )
    if (
        checkpoint is not None
        and stored_entries is not None
        and stored_entries < checkpoint.entry_count
    ):
        return bad(
            None,
            f"{stored_entries} entries are stored, fewer than the {checkpoint.entry_count}"
            " the checkpoint counted: entries were removed",
        )
    return ChainVerdict(True, checked, None, None, position)


# --- entries waiting for their seal --------------------------------------------------------------

UNSEALED_GRACE = timedelta(minutes=5)
UNSEALED_MOST = 1000


@dataclass(frozen=True)
class SealBacklog:
    """Entries stored but not yet sealed (the moments between a commit and its sealing)."""

    count: int
    oldest_id: int | None
    oldest_at: datetime | None


def backlog_problem(
    backlog: SealBacklog,
    *,
    now: datetime,
    grace: timedelta = UNSEALED_GRACE,
    most: int = UNSEALED_MOST,
) -> str | None:
    """Why the unsealed entries are a problem (None: few and recent, sealing is under way).

    Sealed entries cannot be changed unseen; unsealed ones can, so they must not pile up or wait.
    """
    if backlog.count == 0 or backlog.oldest_at is None:
        return None
    if backlog.count > most:
        return f"{backlog.count} entries are waiting to be sealed (more than {most})"
    waited = now - backlog.oldest_at
    if waited > grace:
        return (
            f"entry {backlog.oldest_id} has waited {int(waited.total_seconds())} s to be sealed"
            f" (more than {int(grace.total_seconds())} s): is the sealer running, or were rows"
            " inserted past the application?"
        )
    return None


# --- legacy: entries from before keyed seals (revision 0010) -------------------------------------


@dataclass(frozen=True)
class LegacyEntry:
    """An entry written before keyed seals, linked by an unkeyed SHA-256 of the one before.

    Its `sequence` is its chain position and its id in the store.
    """

    sequence: int
    occurred_at: datetime
    """Aware, UTC."""
    actor_id: UUID | None
    actor_roles: tuple[str, ...]
    action: str
    resource_type: str
    resource_id: str | None
    family_id: UUID | None
    request_id: str | None
    outcome: str
    break_glass_reason: str | None
    previous_hash: str
    entry_hash: str


def legacy_payload(entry: LegacyEntry) -> str:
    """Every field but `entry_hash` as compact JSON with sorted keys: the bytes the hash covers."""
    fields: dict[str, object] = {
        "sequence": entry.sequence,
        **_content_fields(entry),
        "previous_hash": entry.previous_hash,
    }
    return _canonical(fields)


def legacy_hash(previous_hash: str, payload: str) -> str:
    """SHA-256 (hex) of the previous hash and this entry's payload."""
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


def legacy_entry_hash(entry: LegacyEntry) -> str:
    return legacy_hash(entry.previous_hash, legacy_payload(entry))


class LegacyLink(Protocol):
    """What the next legacy entry needs of the one before it: its place and its hash."""

    @property
    def sequence(self) -> int: ...

    @property
    def entry_hash(self) -> str: ...


def new_legacy_entry(
    previous: LegacyLink | None,
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
) -> LegacyEntry:
    """The entry that follows `previous` (None: the first) by the old rule: how entries were
    written before revision 0010, kept to check them and to rebuild such chains in tests."""
    content = entry_content(
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_roles=actor_roles,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        family_id=family_id,
        request_id=request_id,
        outcome=outcome,
        break_glass_reason=break_glass_reason,
    )
    draft = LegacyEntry(
        sequence=FIRST_SEQUENCE if previous is None else previous.sequence + 1,
        occurred_at=content.occurred_at,
        actor_id=content.actor_id,
        actor_roles=content.actor_roles,
        action=content.action,
        resource_type=content.resource_type,
        resource_id=content.resource_id,
        family_id=content.family_id,
        request_id=content.request_id,
        outcome=content.outcome,
        break_glass_reason=content.break_glass_reason,
        previous_hash=GENESIS_HASH if previous is None else previous.entry_hash,
        entry_hash="",
    )
    return replace(draft, entry_hash=legacy_entry_hash(draft))


def _legacy_problem(
    entry: LegacyEntry, expected_sequence: int, expected_previous: str
) -> str | None:
    if entry.sequence > expected_sequence:
        return f"entry {expected_sequence} is missing (next found is {entry.sequence})"
    if entry.sequence < expected_sequence:
        return f"entry {entry.sequence} is out of order or repeated"
    if entry.previous_hash != expected_previous:
        return "previous_hash does not match the entry before"
    try:
        recomputed = legacy_entry_hash(entry)
    except InvalidValue as exc:
        return exc.detail
    if recomputed != entry.entry_hash:
        return "entry_hash does not match the entry's contents"
    return None


def verify_legacy_chain(
    entries: Iterable[LegacyEntry],
    *,
    after: LegacyEntry | None = None,
    expected_last_hash: str | None = None,
) -> ChainVerdict:
    """Check legacy `entries` in order: consecutive sequences, each linked to the one before,
    each intact. `after` verifies a slice that continues from an entry already trusted (None:
    from genesis); `expected_last_hash`, kept outside the chain, also catches entries cut off."""
    position = GENESIS if after is None else ChainHead(after.sequence, after.entry_hash)
    checked = 0
    for entry in entries:
        checked += 1
        expected = position.sequence + 1
        problem = _legacy_problem(entry, expected, position.mac)
        if problem is not None:
            return ChainVerdict(False, checked, expected, problem, position)
        position = ChainHead(entry.sequence, entry.entry_hash)
    if expected_last_hash is not None and expected_last_hash != position.mac:
        return ChainVerdict(
            False,
            checked,
            position.sequence + 1,
            "the chain does not end at the expected hash (entries cut off or rewritten)",
            position,
        )
    return ChainVerdict(True, checked, None, None, position)
