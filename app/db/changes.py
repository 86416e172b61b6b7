"""Change hints across worker processes: PostgreSQL LISTEN/NOTIFY, or one process's broker on SQLite.

On PostgreSQL a use case's hints are sent with `pg_notify` inside its own transaction, so they are
delivered only if it commits, to every process listening; each worker runs one listening thread
that hands them to its subscribers. On SQLite (one process) the hints are handed to the broker
right after the commit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.services.ports import ChangeHint

log = logging.getLogger("familyhub.changes")

CHANNEL = "familyhub_changes"
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
QUEUE_LIMIT = 1000
"""Hints waiting for a slow subscriber; beyond it the oldest are dropped (hints, not data)."""


def _payload(hint: ChangeHint) -> str:
    return json.dumps(
        {"f": str(hint.family_id), "t": hint.resource_type, "r": hint.resource_id},
        separators=(",", ":"),
    )


def _hint(payload: str) -> ChangeHint | None:
    try:
        data = json.loads(payload)
        return ChangeHint(uuid.UUID(data["f"]), str(data["t"]), data["r"])
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[ChangeHint]


@dataclass
class ChangeBroker:
    """This process's subscribers, fed from any thread."""

    _subscribers: list[_Subscriber] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self) -> asyncio.Queue[ChangeHint]:
        queue: asyncio.Queue[ChangeHint] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        with self._lock:
            self._subscribers.append(_Subscriber(asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ChangeHint]) -> None:
        with self._lock:
            self._subscribers = [s for s in self._subscribers if s.queue is not queue]

    def publish(self, hints: Sequence[ChangeHint]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            for hint in hints:
                subscriber.loop.call_soon_threadsafe(_offer, subscriber.queue, hint)


def _offer(queue: asyncio.Queue[ChangeHint], hint: ChangeHint) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(hint)


class SqlChangeFeed:
    """What a unit of work announces: notified in its transaction (PostgreSQL), or handed to the
    broker once it has committed (SQLite, or when nothing listens)."""

    def __init__(self, session: Session, broker: ChangeBroker | None, *, notify: bool) -> None:
        self._session = session
        self._broker = broker
        self._notify = notify
        self._after_commit: list[ChangeHint] = []

    def announce(self, hints: Sequence[ChangeHint]) -> None:
        if not hints:
            return
        if self._notify:
            connection = self._session.connection()
            for hint in hints:
                connection.execute(_NOTIFY, {"channel": CHANNEL, "payload": _payload(hint)})
        else:
            self._after_commit.extend(hints)

    def committed(self) -> None:
        hints, self._after_commit = self._after_commit, []
        if hints and self._broker is not None:
            self._broker.publish(hints)

    def rolled_back(self) -> None:
        self._after_commit = []


class PostgresListener:
    """One thread per worker: LISTEN on its own connection and hand each hint to the broker."""

    def __init__(self, database_url: str, broker: ChangeBroker) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._broker = broker
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        """Set once LISTEN is in place (tests wait for it)."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="change-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._listen()
            except Exception:
                log.exception("listening for change hints failed; retrying")
                self._stopping.wait(2)

    def _listen(self) -> None:
        with psycopg.connect(self._dsn, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            while not self._stopping.is_set():
                hints: list[Any] = [
                    _hint(n.payload) for n in connection.notifies(timeout=1, stop_after=100)
                ]
                found = [h for h in hints if h is not None]
                if found:
                    self._broker.publish(found)
