"""Two people at once on PostgreSQL: exactly one wins, the other is told, and nothing is lost.

Every test here runs a real server (uvicorn in a thread, its own connection pool) over a database
whose data is committed, with one HTTP client per person, because the per-test savepoint session
of the other tests would serialise everything on a single connection. Where a race needs a
particular interleaving (both have read the record before either writes), the test forces it by
holding each request at that point until the other arrives, instead of hoping for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.db.models import EpisodeRow, FamilyRow, IdempotencyKeyRow
from app.db.repositories.episodes import SqlEpisodeRepository
from app.db.repositories.families import SqlFamilyRepository
from app.db.repositories.idempotency import SqlIdempotencyRepository
from app.db.repositories.plans import SqlPlanRepository
from tests.api.test_episodes import Case, assess_and_plan, give_consent, ok, on
from tests.builders import make_family_body
from tests.reliability.live import HeldMethod, LiveServer, World, at_once, committed_postgres

# One xdist worker builds the module's database and server once for all these tests.
pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("reliability-concurrency")]

API = "/api/v1"
ROUNDS = 5


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with committed_postgres() as world:
        yield world


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[LiveServer]:
    with LiveServer(world.engine) as server:
        yield server


@pytest.fixture
def lead(server: LiveServer, world: World) -> Iterator[httpx.Client]:
    with server.client(world.staff.lead) as client:
        yield client


def a_family(client: httpx.Client, world: World, **headers: str) -> httpx.Response:
    return client.post(
        f"{API}/families", json=make_family_body(world.reference.hubs["NORTH"]), headers=headers
    )


def an_episode_body(family: dict[str, Any], world: World) -> dict[str, Any]:
    child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
    return {
        "family_id": family["id"],
        "source": "school",
        "level_of_need": "2",
        "lead_practitioner_id": str(world.staff.lead),
        "child_person_ids": [child],
    }


def count(world: World, statement: Any) -> int:
    with world.engine.connect() as connection:
        return int(connection.scalar(statement) or 0)


@dataclass
class Plan:
    url: str
    body: dict[str, Any]
    etag: str


def given_a_draft_plan(client: httpx.Client, server: LiveServer, world: World) -> Plan:
    """A family, consent, a completed assessment and a draft plan, made through the API."""
    on(server.clock, "2024-11-25")
    family = ok(a_family(client, world), 201)
    response = client.post(f"{API}/episodes", json=an_episode_body(family, world))
    case = Case(client, server.clock, family, ok(response, 201), response.headers["ETag"])  # type: ignore[arg-type]
    give_consent(case)
    _assessment, plan = assess_and_plan(case)
    url = f"{case.url}/plans/{plan['id']}"
    read = client.get(url)
    return Plan(url=url, body=ok(read), etag=read.headers["ETag"])


def edit(plan: Plan, action: str) -> dict[str, Any]:
    """The plan's one action reworded by one of the two people (same ids: an edit, not a new one)."""
    actions = [
        {k: a[k] for k in ("id", "description", "owner_person_id", "due_on")}
        for a in plan.body["actions"]
    ]
    actions[0]["description"] = action
    return {"actions": actions}


def both_edit(plan: Plan, *people: tuple[httpx.Client, str]) -> list[httpx.Response]:
    """Each person sends their wording with the ETag they read, all at the same moment."""
    return at_once(
        *[
            partial(client.patch, plan.url, json=edit(plan, words), headers={"If-Match": plan.etag})
            for client, words in people
        ]
    )


class TestTwoPeopleUpdateOnePlan:
    def test_one_wins_the_other_gets_412_with_the_winners_plan(
        self, lead: httpx.Client, server: LiveServer, world: World
    ) -> None:
        plan = given_a_draft_plan(lead, server, world)
        with server.client(world.staff.lead) as amy, server.client(world.staff.lead) as bob:
            for round_ in range(ROUNDS):
                mine, theirs = f"Amy's wording {round_}", f"Bob's wording {round_}"
                amy_answer, bob_answer = both_edit(plan, (amy, mine), (bob, theirs))
                self.assert_one_won(plan, lead, amy_answer, bob_answer, mine, theirs)

    def test_the_version_check_holds_when_both_have_read_before_either_writes(
        self,
        lead: httpx.Client,
        server: LiveServer,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        plan = given_a_draft_plan(lead, server, world)
        saving = HeldMethod(monkeypatch, SqlPlanRepository, "save", parties=2)
        with server.client(world.staff.lead) as amy, server.client(world.staff.lead) as bob:
            for round_ in range(ROUNDS):
                rendezvous = saving.next_round()
                mine, theirs = f"Amy's wording {round_}", f"Bob's wording {round_}"
                amy_answer, bob_answer = both_edit(plan, (amy, mine), (bob, theirs))
                assert rendezvous.met, "both requests should have read the plan before writing"
                self.assert_one_won(plan, lead, amy_answer, bob_answer, mine, theirs)

    @staticmethod
    def assert_one_won(
        plan: Plan,
        reader: httpx.Client,
        amy: httpx.Response,
        bob: httpx.Response,
        mine: str,
        theirs: str,
    ) -> None:
        statuses = sorted([amy.status_code, bob.status_code])
        assert statuses == [200, 412], (amy.text, bob.text)
        winner, loser = (amy, bob) if amy.status_code == 200 else (bob, amy)
        won_with = mine if winner is amy else theirs
        problem = loser.json()
        assert loser.headers["content-type"] == "application/problem+json"
        assert problem["code"] == "stale_version"
        # The 412 carries the plan as it now is: the winner's change, so the loser can compare.
        assert problem["current"]["actions"][0]["description"] == won_with
        assert problem["current"]["version"] == winner.json()["version"]
        stored = reader.get(plan.url)
        assert ok(stored)["actions"][0]["description"] == won_with
        assert ok(stored)["version"] == plan.body["version"] + 1
        assert stored.headers["ETag"] == winner.headers["ETag"]
        plan.body, plan.etag = ok(stored), stored.headers["ETag"]


class TestTwoPeopleMoveOneEpisodeOn:
    def test_one_level_change_is_recorded_the_other_gets_412(
        self,
        lead: httpx.Client,
        server: LiveServer,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        on(server.clock, "2024-11-25")
        family = ok(a_family(lead, world), 201)
        opened = lead.post(f"{API}/episodes", json=an_episode_body(family, world))
        url, etag = f"{API}/episodes/{ok(opened, 201)['id']}", opened.headers["ETag"]
        saving = HeldMethod(monkeypatch, SqlEpisodeRepository, "save", parties=2)
        with server.client(world.staff.lead) as amy, server.client(world.staff.lead) as bob:
            for round_, level in enumerate(["3", "2", "3"]):
                rendezvous = saving.next_round()
                reasons = (f"Amy saw more need ({round_})", f"Bob saw more need ({round_})")
                answers = at_once(
                    *[
                        partial(
                            client.post,
                            f"{url}/level-changes",
                            json={"level_of_need": level, "reason": reason},
                            headers={"If-Match": etag},
                        )
                        for client, reason in zip((amy, bob), reasons, strict=True)
                    ]
                )
                assert rendezvous.met
                assert sorted(a.status_code for a in answers) == [200, 412], [
                    a.text for a in answers
                ]
                winner = next(a for a in answers if a.status_code == 200)
                loser = next(a for a in answers if a.status_code == 412)
                assert loser.json()["current"]["version"] == winner.json()["version"]
                stored = ok(lead.get(url))
                assert stored["level_of_need"] == level
                assert len(stored["level_history"]) == round_ + 2
                assert stored["level_history"][-1]["reason"] in reasons
                etag = winner.headers["ETag"]


class TestTwoPeopleOpenAnEpisodeForOneFamily:
    def test_only_one_episode_is_opened_the_other_is_told_it_exists(
        self,
        lead: httpx.Client,
        server: LiveServer,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        locking = HeldMethod(monkeypatch, SqlFamilyRepository, "lock", parties=2)
        with server.client(world.staff.lead) as amy, server.client(world.staff.lead) as bob:
            for _ in range(ROUNDS):
                on(server.clock, "2024-11-25")
                family = ok(a_family(lead, world), 201)
                rendezvous = locking.next_round()
                body = an_episode_body(family, world)
                answers = at_once(
                    partial(amy.post, f"{API}/episodes", json=body),
                    partial(bob.post, f"{API}/episodes", json=body),
                )
                assert rendezvous.met, "both requests should have checked the family at once"
                assert sorted(a.status_code for a in answers) == [201, 409], [
                    a.text for a in answers
                ]
                opened = count(
                    world,
                    select(func.count()).where(EpisodeRow.family_id == uuid.UUID(family["id"])),
                )
                assert opened == 1


class TestRetryingACreateWithTheSameIdempotencyKey:
    def test_a_retry_after_a_lost_answer_replays_it_and_creates_nothing(
        self, lead: httpx.Client, world: World
    ) -> None:
        key = f"register-{uuid.uuid4()}"
        families_before = count(world, select(func.count()).select_from(FamilyRow))
        first = a_family(lead, world, **{"Idempotency-Key": key})
        # The answer never reached the client (a timeout): it sends the same request again.
        retry = a_family(lead, world, **{"Idempotency-Key": key})
        assert first.status_code == retry.status_code == 201
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert retry.headers["Location"] == first.headers["Location"]
        assert count(world, select(func.count()).select_from(FamilyRow)) == families_before + 1

    def test_concurrent_retries_create_exactly_one_record(
        self,
        server: LiveServer,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        remembering = HeldMethod(monkeypatch, SqlIdempotencyRepository, "remember", parties=4)
        for _ in range(3):
            key = f"register-{uuid.uuid4()}"
            rendezvous = remembering.next_round()
            families_before = count(world, select(func.count()).select_from(FamilyRow))
            clients = [server.client(world.staff.lead) for _ in range(4)]
            try:
                answers = at_once(
                    *[partial(a_family, c, world, **{"Idempotency-Key": key}) for c in clients]
                )
            finally:
                for c in clients:
                    c.close()
            assert rendezvous.met, "all four should have created before any remembered"
            assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
            assert len({a.json()["id"] for a in answers}) == 1
            assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 3
            assert count(world, select(func.count()).select_from(FamilyRow)) == families_before + 1
            assert (
                count(
                    world,
                    select(func.count()).where(IdempotencyKeyRow.key == key),
                )
                == 1
            )

    def test_the_same_key_with_another_body_is_refused(
        self, lead: httpx.Client, world: World
    ) -> None:
        key = f"register-{uuid.uuid4()}"
        ok(a_family(lead, world, **{"Idempotency-Key": key}), 201)
        other = make_family_body(world.reference.hubs["SOUTH"])
        refused = lead.post(f"{API}/families", json=other, headers={"Idempotency-Key": key})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "idempotency_key_reused"
        assert refused.json()["errors"][0]["field"] == "Idempotency-Key"

    def test_the_same_key_with_another_body_at_the_same_time_creates_one(
        self, server: LiveServer, world: World
    ) -> None:
        key = f"register-{uuid.uuid4()}"
        families_before = count(world, select(func.count()).select_from(FamilyRow))
        with server.client(world.staff.lead) as amy, server.client(world.staff.lead) as bob:
            north = make_family_body(world.reference.hubs["NORTH"])
            south = make_family_body(world.reference.hubs["SOUTH"])
            answers = at_once(
                lambda: amy.post(f"{API}/families", json=north, headers={"Idempotency-Key": key}),
                lambda: bob.post(f"{API}/families", json=south, headers={"Idempotency-Key": key}),
            )
        assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
        assert count(world, select(func.count()).select_from(FamilyRow)) == families_before + 1
