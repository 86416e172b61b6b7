"""Change hints reach a front end as they commit, from whichever worker made the change.

Real servers on committed data: a stream of hints (`GET /api/v1/me/events`) is open while a
change is made. On PostgreSQL, two servers stand for two worker processes: the change is made
through one and its hint arrives on the stream held by the other (LISTEN/NOTIFY).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.db.changes import PostgresListener
from tests.builders import make_episode_body, make_family_body
from tests.reliability.live import (
    WAIT_SECONDS,
    LiveServer,
    World,
    committed_postgres,
    given_world,
    wait_until,
)

API = "/api/v1"


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("hints") / "familyhub.sqlite3"
    world = given_world(f"sqlite:///{path}")
    yield world
    world.engine.dispose()


@pytest.fixture(scope="module")
def postgres_world() -> Iterator[World]:
    with committed_postgres() as world:
        yield world


def a_case(client: httpx.Client, world: World, lead: uuid.UUID) -> dict[str, Any]:
    """A household registered by the caller, with an episode `lead` leads."""
    family = client.post(f"{API}/families", json=make_family_body(world.reference.hubs["NORTH"]))
    assert family.status_code == 201, family.text
    episode = client.post(f"{API}/episodes", json=make_episode_body(family.json(), lead))
    assert episode.status_code == 201, episode.text
    return dict(family.json())


def move_hub(client: httpx.Client, world: World, family: dict[str, Any]) -> None:
    url = f"{API}/families/{family['id']}"
    current = client.get(url).json()["version"]
    moved = client.patch(
        url,
        json={"hub_id": str(world.reference.hubs["SOUTH"])},
        headers={"If-Match": f'"{current}"'},
    )
    assert moved.status_code == 200, moved.text


class Stream:
    """A hint stream read in a thread of its own, its `data` lines collected as they arrive."""

    def __init__(self, client: httpx.Client, max_events: int) -> None:
        self.hints: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(client, max_events), daemon=True)

    def __enter__(self) -> Stream:
        self._thread.start()
        wait_until(self.connected.is_set, "the hint stream to open")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._thread.join(WAIT_SECONDS)

    def _read(self, client: httpx.Client, max_events: int) -> None:
        with client.stream("GET", f"{API}/me/events", params={"max_events": max_events}) as r:
            for line in r.iter_lines():
                if line == ": connected":
                    self.connected.set()
                elif line.startswith("data: "):
                    self.hints.append(json.loads(line.removeprefix("data: ")))


def test_a_change_to_my_family_is_hinted_and_one_to_anothers_is_not(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    with LiveServer(world.engine) as server:
        lead, other = server.client(world.staff.lead), server.client(world.staff.other_lead)
        mine = a_case(lead, world, world.staff.lead)
        theirs = a_case(other, world, world.staff.other_lead)
        with Stream(server.client(world.staff.lead), max_events=1) as stream:
            move_hub(other, world, theirs)
            move_hub(lead, world, mine)
        assert stream.hints == [
            {"family_id": mine["id"], "resource_type": "family", "resource_id": mine["id"]}
        ]


@pytest.mark.postgres_only
@pytest.mark.xdist_group("change-hints-postgres")
def test_a_change_made_through_another_worker_reaches_my_stream(postgres_world: World) -> None:
    world = postgres_world
    with LiveServer(world.engine) as holding, LiveServer(world.engine) as changing:
        listeners = []
        for server in (holding, changing):
            server.app.state.notify_changes = True
            listener = PostgresListener(world.url, server.app.state.change_broker)
            listener.start()
            listeners.append(listener)
        try:
            for listener in listeners:
                wait_until(listener.listening.is_set, "LISTEN to be in place")
            mine = a_case(changing.client(world.staff.lead), world, world.staff.lead)
            with Stream(holding.client(world.staff.lead), max_events=1) as stream:
                move_hub(changing.client(world.staff.lead), world, mine)
            assert stream.hints == [
                {"family_id": mine["id"], "resource_type": "family", "resource_id": mine["id"]}
            ]
        finally:
            for listener in listeners:
                listener.stop()


def test_an_unknown_family_id_in_a_hint_payload_is_ignored() -> None:
    from app.db.changes import _hint

    assert _hint("not json") is None
    assert _hint(json.dumps({"f": str(uuid.uuid4())})) is None
