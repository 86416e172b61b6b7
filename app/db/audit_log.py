"""Group commit for the audit trail: concurrent requests' entries share one transaction.

The chain has one head, so sealing is serial by nature. Taking the head's row lock once per
request made every request in the county queue on it (bench/RESULTS.md: 25 of 31 busy backends
waiting on that lock). Here the threads of one process hand their entries to whichever of them
is writing: that writer inserts every waiting entry, seals them (and any other entry waiting)
under one lock of the head, and commits, and each caller returns only when its own entries are
durable and sealed (or raises the writer's error), so no access is ever acknowledged without its
audit entry.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from app.db.audit_sealer import chain_turn, seal_pending_in
from app.db.repositories.audit import SqlAuditTrail
from app.domain.audit import AuditKeys
from app.services.ports import AuditRecord


@dataclass
class _Ticket:
    records: Sequence[AuditRecord]
    at: datetime
    written: bool = False
    error: BaseException | None = None


class GroupCommittedAuditLog:
    """Appends in a transaction of their own, so refused attempts are kept whatever the caller does."""

    def __init__(self, session_factory: sessionmaker[Session], keys: AuditKeys) -> None:
        self._session_factory = session_factory
        self._keys = keys
        self._waiting: list[_Ticket] = []
        self._waiting_lock = threading.Lock()
        self._writer = threading.Lock()

    def record(self, records: Sequence[AuditRecord], *, at: datetime) -> None:
        if not records:
            return
        ticket = _Ticket(records, at)
        with self._waiting_lock:
            self._waiting.append(ticket)
        with self._writer:
            if not ticket.written:
                with self._waiting_lock:
                    batch, self._waiting = self._waiting, []
                self._write(batch)
        if ticket.error is not None:
            raise ticket.error

    def _write(self, batch: list[_Ticket]) -> None:
        try:
            with self._session_factory() as session, chain_turn(session):
                SqlAuditTrail(session).append_timed([(t.records, t.at) for t in batch])
                seal_pending_in(session, self._keys)
                session.commit()
        except BaseException as exc:
            for ticket in batch:
                ticket.error = exc
        finally:
            for ticket in batch:
                ticket.written = True


_LOGS: weakref.WeakKeyDictionary[sessionmaker[Session], dict[AuditKeys, GroupCommittedAuditLog]] = (
    weakref.WeakKeyDictionary()
)
_LOGS_LOCK = threading.Lock()


def audit_log_for(
    session_factory: sessionmaker[Session], keys: AuditKeys
) -> GroupCommittedAuditLog:
    """One log per session factory (per database and process), so its writers can group."""
    with _LOGS_LOCK:
        logs = _LOGS.setdefault(session_factory, {})
        log = logs.get(keys)
        if log is None:
            log = logs[keys] = GroupCommittedAuditLog(session_factory, keys)
        return log
