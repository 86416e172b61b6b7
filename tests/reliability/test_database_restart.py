"""The database crashes and comes back during a stream of writes: nothing acknowledged is lost.

A real PostgreSQL server is really stopped (`pg_ctl stop -m immediate`: backends killed, crash
recovery on the next start) and started again while two clients keep registering families
through a live server. This is a private cluster made with initdb for this test (see
`PrivatePostgres`), never the suite's shared one on 127.0.0.1:5432, so the other tests running
beside it are untouched. The app is not restarted: it must notice and recover by itself.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import create_engine, select

from app.db.models import FamilyRow
from tests.builders import make_family_body
from tests.reliability.live import (
    LiveServer,
    PrivatePostgres,
    World,
    given_world,
    postgres_binaries_available,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not postgres_binaries_available(), reason="needs PostgreSQL's initdb and pg_ctl"
    ),
]

API = "/api/v1"


@dataclass
class Writes:
    """What the clients were told, in order: each answer's status and the family it created."""

    acknowledged: list[uuid.UUID] = field(default_factory=list)
    unavailable: list[httpx.Response] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: httpx.Response | Exception) -> None:
        with self.lock:
            if isinstance(outcome, Exception):
                self.other.append(f"no answer: {outcome!r}")
            elif outcome.status_code == 201:
                self.acknowledged.append(uuid.UUID(outcome.json()["id"]))
            elif outcome.status_code == 503:
                self.unavailable.append(outcome)
            else:
                self.other.append(f"{outcome.status_code}: {outcome.text}")

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.acknowledged), len(self.unavailable)


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with PrivatePostgres() as cluster:
        yield cluster


@pytest.fixture
def world(cluster: PrivatePostgres) -> Iterator[World]:
    world = given_world(cluster.url)
    yield world
    world.engine.dispose()


def keep_registering(
    server: LiveServer, world: World, writes: Writes, stop: threading.Event
) -> None:
    with server.client(world.staff.lead) as client:
        while not stop.is_set():
            body = make_family_body(world.reference.hubs["NORTH"])
            try:
                answer: httpx.Response | Exception = client.post(f"{API}/families", json=body)
            except httpx.HTTPError as exc:
                answer = exc
            writes.record(answer)
            if isinstance(answer, Exception) or answer.status_code != 201:
                stop.wait(0.02)  # a client backing off, as Retry-After asks


def test_writes_fail_cleanly_while_the_database_is_down_and_none_acknowledged_is_lost(
    cluster: PrivatePostgres, world: World
) -> None:
    writes, stop = Writes(), threading.Event()
    with LiveServer(world.engine) as server, server.client(world.staff.lead) as probe:
        writers = [
            threading.Thread(target=keep_registering, args=(server, world, writes, stop))
            for _ in range(2)
        ]
        for writer in writers:
            writer.start()
        try:
            wait_until(lambda: writes.counts()[0] >= 10, "writes to go through")

            cluster.stop(mode="immediate")
            wait_until(lambda: writes.counts()[1] >= 10, "writes to be refused while down")
            ready = probe.get("/ready")
            assert (ready.status_code, ready.json()["database"]) == (503, "unreachable")

            cluster.start()
            recovered_from = writes.counts()[0]
            wait_until(lambda: writes.counts()[0] >= recovered_from + 10, "writes to recover")
            assert probe.get("/ready").status_code == 200
        finally:
            stop.set()
            for writer in writers:
                writer.join(60)

    # Every request was answered: created, or refused as unavailable; never a 500, never a hang.
    assert writes.other == []
    for refused in writes.unavailable:
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "database_unavailable"
        assert refused.headers["Retry-After"]

    # Every family a client was told about is stored (read with a fresh connection after the
    # crash recovery), each exactly once.
    fresh = create_engine(cluster.url)
    try:
        with fresh.connect() as connection:
            stored = set(connection.scalars(select(FamilyRow.id)))
    finally:
        fresh.dispose()
    assert len(set(writes.acknowledged)) == len(writes.acknowledged)
    assert set(writes.acknowledged) <= stored
