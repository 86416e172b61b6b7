"""The audit trail: appended under a lock on the chain's head, never updated or deleted."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.models import SECURITY_EVENT, AuditEntryRow, AuditHeadRow
from app.domain.audit import AuditEntry, ChainLink, new_entry
from app.domain.paging import Page, PageRequest, encode_cursor
from app.services.ports import AuditRecord

_SQLITE_APPEND_LOCK = threading.Lock()
"""SQLite cannot upgrade two readers to writers at once; appends in one process take turns."""


def _sequence(value: str) -> int:
    sequence = int(value)
    if not 0 < sequence < 2**63:
        raise ValueError(value)
    return sequence


def _domain(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        sequence=row.sequence,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        actor_roles=tuple(row.actor_roles),
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        family_id=row.family_id,
        request_id=row.request_id,
        outcome=row.outcome,
        break_glass_reason=row.break_glass_reason,
        previous_hash=row.previous_hash,
        entry_hash=row.entry_hash,
    )


@dataclass(frozen=True)
class _Link:
    sequence: int
    entry_hash: str


_LOCK_HEAD = (
    select(AuditHeadRow.sequence, AuditHeadRow.entry_hash)
    .where(AuditHeadRow.id == 1)
    .with_for_update()
)
# Core statements on the tables, run on the session's connection: the ORM's bulk insert and update
# paths cost about a millisecond of CPU per append, spent while the head is locked.
_ENTRIES = Base.metadata.tables[AuditEntryRow.__tablename__]
_HEAD = Base.metadata.tables[AuditHeadRow.__tablename__]
_INSERT_ENTRIES = insert(_ENTRIES)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(sequence=bindparam("new_sequence"), entry_hash=bindparam("new_hash"))
)


class SqlAuditTrail:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, records: Sequence[AuditRecord], *, at: datetime) -> None:
        self.append_timed([(records, at)])

    def append_timed(self, groups: Sequence[tuple[Sequence[AuditRecord], datetime]]) -> None:
        """Several callers' records, each group with its own time, linked under one head lock."""
        if not any(records for records, _at in groups):
            return
        if self._session.get_bind().dialect.name == "sqlite":
            with _SQLITE_APPEND_LOCK:
                self._append(groups)
        else:
            self._append(groups)

    def _append(self, groups: Sequence[tuple[Sequence[AuditRecord], datetime]]) -> None:
        # Plain statements, not the ORM's unit of work: the head's lock is held from the first
        # statement to the commit, so each one spent here is spent by every waiting request.
        connection = self._session.connection()
        head = connection.execute(_LOCK_HEAD).one_or_none()
        if head is None:
            raise RuntimeError("the audit chain has no head row; run the migrations")
        # The head row holds the last entry's sequence and hash: linking needs nothing else.
        previous: ChainLink | None = (
            _Link(head.sequence, head.entry_hash) if head.sequence else None
        )
        rows: list[dict[str, object]] = []
        for record, at in ((r, at) for records, at in groups for r in records):
            entry = new_entry(
                previous,
                occurred_at=at,
                actor_id=record.actor_id,
                actor_roles=record.actor_roles,
                action=record.action,
                resource_type=record.resource_type,
                resource_id=record.resource_id,
                family_id=record.family_id,
                request_id=record.request_id,
                outcome=record.outcome,
                break_glass_reason=record.break_glass_reason,
            )
            rows.append(
                {
                    "sequence": entry.sequence,
                    "occurred_at": entry.occurred_at,
                    "actor_id": entry.actor_id,
                    "actor_roles": list(entry.actor_roles),
                    "action": entry.action,
                    "resource_type": entry.resource_type,
                    "resource_id": entry.resource_id,
                    "family_id": entry.family_id,
                    "request_id": entry.request_id,
                    "outcome": entry.outcome,
                    "break_glass_reason": entry.break_glass_reason,
                    "previous_hash": entry.previous_hash,
                    "entry_hash": entry.entry_hash,
                }
            )
            previous = entry
        assert previous is not None
        connection.execute(_INSERT_ENTRIES, rows)
        connection.execute(
            _MOVE_HEAD, {"new_sequence": previous.sequence, "new_hash": previous.entry_hash}
        )

    def for_family(self, family_id: uuid.UUID, page: PageRequest) -> Page[AuditEntry]:
        """Newest first: who looked at this family's record, when and why."""
        stmt = (
            select(AuditEntryRow)
            .where(AuditEntryRow.family_id == family_id)
            .order_by(AuditEntryRow.sequence.desc())
            .limit(page.limit + 1)
        )
        after = page.after_key(_sequence)
        if after is not None:
            stmt = stmt.where(AuditEntryRow.sequence < after[0])
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        return Page(
            items=[_domain(r) for r in rows],
            next_cursor=encode_cursor((rows[-1].sequence,)) if more else None,
        )

    def security_events(
        self, *, since: datetime, until: datetime, page: PageRequest
    ) -> Page[AuditEntry]:
        """Newest first, through the partial index whose predicate the filter repeats."""
        stmt = (
            select(AuditEntryRow)
            .where(
                text(f"({SECURITY_EVENT})"),
                AuditEntryRow.occurred_at >= since,
                AuditEntryRow.occurred_at < until,
            )
            .order_by(AuditEntryRow.sequence.desc())
            .limit(page.limit + 1)
        )
        after = page.after_key(_sequence)
        if after is not None:
            stmt = stmt.where(AuditEntryRow.sequence < after[0])
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        return Page(
            items=[_domain(r) for r in rows],
            next_cursor=encode_cursor((rows[-1].sequence,)) if more else None,
        )

    def head(self) -> tuple[int, str]:
        head = self._session.get(AuditHeadRow, 1)
        return (head.sequence, head.entry_hash) if head else (0, "0" * 64)

    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in sequence order, read in batches so a long chain fits in memory."""
        after = 0
        while True:
            rows = list(
                self._session.scalars(
                    select(AuditEntryRow)
                    .where(AuditEntryRow.sequence > after)
                    .order_by(AuditEntryRow.sequence)
                    .limit(batch)
                )
            )
            if not rows:
                return
            yield from (_domain(r) for r in rows)
            after = rows[-1].sequence
