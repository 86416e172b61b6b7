"""The audit trail's tables: entries inserted in any transaction, never updated or deleted.

Appending takes no lock on the chain: the entries wait, unsealed, until a sealer
(app/db/audit_sealer.py) gives each its place in the keyed chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, text
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.models import SECURITY_EVENT, AuditEntryRow, AuditHeadRow, AuditSealRow
from app.domain.audit import (
    GENESIS,
    AuditEntry,
    ChainHead,
    EntryContent,
    LegacyEntry,
    Seal,
    SealBacklog,
    SealedEntry,
    entry_content,
)
from app.domain.paging import Page, PageRequest, encode_cursor
from app.services.ports import AuditRecord

# Core statements on the tables, run on the session's connection: the ORM's bulk insert path
# costs about a millisecond of CPU per append (bench/RESULTS.md).
ENTRIES = Base.metadata.tables[AuditEntryRow.__tablename__]
SEALS = Base.metadata.tables[AuditSealRow.__tablename__]
HEAD = Base.metadata.tables[AuditHeadRow.__tablename__]
_INSERT_ENTRIES = insert(ENTRIES)

UNSEALED = ENTRIES.c.entry_hash.is_(None) & ~exists().where(SEALS.c.entry_id == ENTRIES.c.id)
"""Entries waiting for a seal (legacy entries are linked by their hashes instead)."""


def _id(value: str) -> int:
    entry_id = int(value)
    if not 0 < entry_id < 2**63:
        raise ValueError(value)
    return entry_id


def content_row(entry: EntryContent) -> dict[str, object]:
    return {
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
        "problem_code": entry.problem_code,
    }


def entry_of(row: Any) -> AuditEntry:
    """An entry from a row of audit_entries (ORM or Core)."""
    return AuditEntry(
        id=row.id,
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
        problem_code=row.problem_code,
    )


def _legacy(row: AuditEntryRow) -> LegacyEntry:
    """Read with `entry_hash` set; a missing `previous_hash` then fails verification, as it must."""
    return LegacyEntry(
        sequence=row.id,
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
        previous_hash=row.previous_hash or "",
        entry_hash=row.entry_hash or "",
    )


class SqlAuditTrail:
    def __init__(self, session: Session) -> None:
        self._session = session
        self.appended = False
        """Entries were appended in this transaction: the unit of work has them sealed once
        they are committed."""

    def append(self, records: Sequence[AuditRecord], *, at: datetime) -> None:
        self.append_timed([(records, at)])
        self.appended = self.appended or bool(records)

    def append_timed(self, groups: Sequence[tuple[Sequence[AuditRecord], datetime]]) -> None:
        """Several callers' records, each group with its own time, inserted in one statement."""
        rows = [
            content_row(
                entry_content(
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
                    problem_code=record.problem_code,
                )
            )
            for records, at in groups
            for record in records
        ]
        if rows:
            self._session.connection().execute(_INSERT_ENTRIES, rows)

    def for_family(self, family_id: uuid.UUID, page: PageRequest) -> Page[AuditEntry]:
        """Newest first: who looked at this family's record, when and why."""
        stmt = (
            select(AuditEntryRow)
            .where(AuditEntryRow.family_id == family_id)
            .order_by(AuditEntryRow.id.desc())
            .limit(page.limit + 1)
        )
        after = page.after_key(_id)
        if after is not None:
            stmt = stmt.where(AuditEntryRow.id < after[0])
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        return Page(
            items=[entry_of(r) for r in rows],
            next_cursor=encode_cursor((rows[-1].id,)) if more else None,
        )

    def head(self) -> ChainHead:
        row = self._session.execute(select(HEAD.c.sequence, HEAD.c.mac).where(HEAD.c.id == 1))
        head = row.one_or_none()
        return ChainHead(head.sequence, head.mac) if head else GENESIS

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(ENTRIES)) or 0)

    def backlog(self) -> SealBacklog:
        count, oldest_id = self._session.execute(
            select(func.count(), func.min(ENTRIES.c.id)).where(UNSEALED)
        ).one()
        oldest_at = (
            None
            if oldest_id is None
            else self._session.scalar(
                select(AuditEntryRow.occurred_at).where(AuditEntryRow.id == oldest_id)
            )
        )
        return SealBacklog(int(count), oldest_id, oldest_at)

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
            .order_by(AuditEntryRow.id.desc())
            .limit(page.limit + 1)
        )
        after = page.after_key(_id)
        if after is not None:
            stmt = stmt.where(AuditEntryRow.id < after[0])
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        return Page(
            items=[entry_of(r) for r in rows],
            next_cursor=encode_cursor((rows[-1].id,)) if more else None,
        )

    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in insertion order, read in batches so a long trail fits in memory."""
        after = 0
        while True:
            rows = list(
                self._session.scalars(
                    select(AuditEntryRow)
                    .where(AuditEntryRow.id > after)
                    .order_by(AuditEntryRow.id)
                    .limit(batch)
                )
            )
            if not rows:
                return
            yield from (entry_of(r) for r in rows)
            after = rows[-1].id

    def legacy_entries(self, batch: int = 1000) -> Iterator[LegacyEntry]:
        """The entries from before keyed seals, in chain order (their ids), with their hashes."""
        after = 0
        while True:
            rows = list(
                self._session.scalars(
                    select(AuditEntryRow)
                    .where(AuditEntryRow.id > after, AuditEntryRow.entry_hash.is_not(None))
                    .order_by(AuditEntryRow.id)
                    .limit(batch)
                )
            )
            if not rows:
                return
            yield from (_legacy(r) for r in rows)
            after = rows[-1].id

    def sealed_entries(self, batch: int = 1000) -> Iterator[SealedEntry]:
        """Every seal in chain order with the entry it seals (None where that entry is gone)."""
        after = 0
        while True:
            rows = list(
                self._session.execute(
                    select(AuditSealRow, AuditEntryRow)
                    .outerjoin(AuditEntryRow, AuditEntryRow.id == AuditSealRow.entry_id)
                    .where(AuditSealRow.sequence > after)
                    .order_by(AuditSealRow.sequence)
                    .limit(batch)
                ).all()
            )
            if not rows:
                return
            for seal, entry in rows:
                yield SealedEntry(
                    Seal(seal.sequence, seal.entry_id, seal.key_id, seal.mac),
                    None if entry is None else entry_of(entry),
                )
            after = rows[-1][0].sequence
