"""The sealer: gives every entry not yet sealed its place in the keyed chain, under the head's lock.

Writers insert entries without any lock on the chain (app/db/repositories/audit.py); sealing is
the one serial step. A sealer locks the head row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite
a write to it, which takes the database's write lock, and a process lock as appends had before),
reads the unsealed entries in id order, in batches, computes their MACs, inserts the seals and
moves the head. Two sealers in two processes take turns on the head's lock; the second then sees
the first one's seals (each statement reads what is committed), and audit_seals.entry_id is
unique, so no entry is ever sealed twice. Chain order is seal order: an entry whose transaction
commits after entries with higher ids were sealed is sealed by the next run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Protocol

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.db.repositories.audit import ENTRIES, HEAD, SEALS, UNSEALED, entry_of
from app.domain.audit import AuditKeys, ChainHead, seal_entries

log = logging.getLogger("familyhub.audit")

_SQLITE_CHAIN_LOCK = threading.Lock()
"""SQLite cannot upgrade two readers to writers at once; sealers in one process take turns."""

SEAL_BATCH = 1000
LOOKBACK = 1000
"""How far below the newest sealed entry's id a routine run looks for entries committed late.

Each run anti-joins the entries above that floor with their seals, under the chain's lock: on
PostgreSQL with 500,000 sealed entries a whole run took 1.9 ms looking back 0 ids, 2.1 ms at
1,000, 3.1 ms at 5,000, 5.6 ms at 10,000, and about 290 ms over the whole table.
Today's writer seals its own entries in the transaction that inserts them, so only the few
sealed by other processes meanwhile pass it. An entry missed (its transaction committed after
1,000 later entries were sealed) stays unsealed: `familyhub audit-verify` reports it once it has
waited past its grace, and `familyhub audit-seal` (the whole table) seals it.
"""

_WRITE_LOCK_SQLITE = update(HEAD).where(HEAD.c.id == 1).values(sequence=HEAD.c.sequence)
_LOCK_HEAD = select(HEAD.c.sequence, HEAD.c.mac).where(HEAD.c.id == 1).with_for_update()
_NEWEST_SEALED = select(func.coalesce(func.max(SEALS.c.entry_id), 0)).scalar_subquery()
_INSERT_SEALS = insert(SEALS)
_MOVE_HEAD = (
    update(HEAD)
    .where(HEAD.c.id == 1)
    .values(sequence=bindparam("new_sequence"), mac=bindparam("new_mac"))
)


@contextmanager
def chain_turn(session: Session) -> Iterator[None]:
    """Wrap a whole transaction that seals: on SQLite, threads of this process take turns."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    with _SQLITE_CHAIN_LOCK if sqlite else nullcontext():
        yield


def seal_pending_in(
    session: Session, keys: AuditKeys, *, lookback: int | None = LOOKBACK, batch: int = SEAL_BATCH
) -> int:
    """Seal the waiting entries in the session's transaction (the caller commits); how many."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(_WRITE_LOCK_SQLITE)
    locked = connection.execute(_LOCK_HEAD).one_or_none()
    if locked is None:
        raise RuntimeError("the audit chain has no head row; run the migrations")
    head = start = ChainHead(locked.sequence, locked.mac)
    waiting = select(ENTRIES).where(UNSEALED).order_by(ENTRIES.c.id).limit(batch)
    if lookback is not None:
        # Bounded on both sides of the anti-join, or PostgreSQL hashes every seal ever made.
        floor = _NEWEST_SEALED - lookback
        waiting = select(ENTRIES).where(
            ENTRIES.c.id > floor,
            ENTRIES.c.entry_hash.is_(None),
            ~exists().where(SEALS.c.entry_id == ENTRIES.c.id, SEALS.c.entry_id > floor),
        )
        waiting = waiting.order_by(ENTRIES.c.id).limit(batch)
    while True:
        entries = [entry_of(row) for row in connection.execute(waiting)]
        if entries:
            seals, head = seal_entries(head, entries, keys)
            connection.execute(
                _INSERT_SEALS,
                [
                    {
                        "sequence": s.sequence,
                        "entry_id": s.entry_id,
                        "key_id": s.key_id,
                        "mac": s.mac,
                    }
                    for s in seals
                ],
            )
        if len(entries) < batch:
            break
    if head != start:
        connection.execute(_MOVE_HEAD, {"new_sequence": head.sequence, "new_mac": head.mac})
    return head.sequence - start.sequence


class SqlAuditSealer:
    """Seals in a transaction of its own and commits; usable apart from any writer."""

    def __init__(self, session_factory: sessionmaker[Session], keys: AuditKeys) -> None:
        self._session_factory = session_factory
        self._keys = keys

    def seal_pending(self, *, lookback: int | None = LOOKBACK) -> int:
        with self._session_factory() as session, chain_turn(session):
            sealed = seal_pending_in(session, self._keys, lookback=lookback)
            session.commit()
            return sealed


class AuditSealing(Protocol):
    """Told when a commit has written audit entries, so they are sealed."""

    def entries_committed(self) -> None: ...


class BackgroundSealing:
    """One thread per process seals what its requests committed, a batch at a time.

    A request commits its audit entries with its work and answers; the seal follows within
    `delay` seconds, so no request waits on the chain's lock (and a burst of requests is sealed
    in one short transaction). A failed run is logged and retried on the next wake.
    """

    def __init__(self, sealer: SqlAuditSealer, *, delay: float) -> None:
        self._sealer = sealer
        self._delay = delay
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Seal what is waiting, then stop (at shutdown)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def entries_committed(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            stopping = self._stopping.is_set()
            if not stopping:
                self._stopping.wait(self._delay)  # let a burst of commits gather
            self._wake.clear()
            try:
                self._sealer.seal_pending()
            except Exception:
                log.exception("sealing the audit trail failed; retrying on the next commit")
            if stopping:
                return
