"""Reports and the timeliness summary read from the read replica; their audit entries go to the
primary, in the same request.

The "replica" here is a copy of the primary taken once the council's staff were in it, and then
given a case of its own that the primary never had: a report that counts that case read the
replica; one that does not, the primary. (bench/replica.sh starts a real streaming replica.)
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.api.deps import get_clock
from app.clock import FixedClock
from app.db.engine import make_engine
from app.domain.access import Action
from app.domain.audit import OUTCOME_ALLOWED, OUTCOME_FAILED, OUTCOME_REFUSED
from app.main import create_app
from app.services.audit import verify_audit_chain
from app.settings import Settings
from tests.builders import bearer, make_consent_body, make_episode_body, make_family_body
from tests.conftest import POSTGRES_URL, TEST_NOW
from tests.reliability.live import World, committed_postgres

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("reliability-read-replica")]

API = "/api/v1"
MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


@contextmanager
def copied(url: str) -> Iterator[str]:
    """A new database made from the one at `url` (nobody may be connected to it meanwhile)."""
    source = make_url(url)
    name = f"{source.database}_replica"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
        yield source.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def service(primary: str, replica: str | None = None) -> Iterator[TestClient]:
    """The API on `primary`, reading its reports from `replica` if one is given."""
    app = create_app(Settings(env="test", database_url=primary, read_replica_url=replica))
    app.dependency_overrides[get_clock] = lambda: FixedClock(TEST_NOW)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        app.state.engine.dispose()
        if app.state.replica_engine is not None:
            app.state.replica_engine.dispose()


@pytest.fixture(scope="module")
def databases() -> Iterator[tuple[World, str]]:
    """The primary, and a replica holding one case it does not: registered, consent given and
    its assessment started on 3 March 2025, so the assessment is overdue by June."""
    with committed_postgres() as world:
        world.engine.dispose()
        with copied(world.url) as replica:
            with service(replica) as on_replica:
                on_replica.headers["Authorization"] = bearer(world.staff.lead)
                family = on_replica.post(
                    f"{API}/families", json=make_family_body(world.reference.hubs["NORTH"])
                )
                assert family.status_code == 201, family.text
                episode = on_replica.post(
                    f"{API}/episodes", json=make_episode_body(family.json(), world.staff.lead)
                )
                assert episode.status_code == 201, episode.text
                parent = next(m for m in family.json()["members"] if m["role"] == "parent_carer")
                consent = on_replica.post(
                    f"{API}/families/{family.json()['id']}/consents",
                    json=make_consent_body(parent["person_id"], given_on="2025-03-03"),
                )
                assert consent.status_code == 201, consent.text
                started = on_replica.post(
                    f"{API}/episodes/{episode.json()['id']}/assessment-start",
                    headers={"If-Match": episode.headers["ETag"]},
                )
                assert started.status_code == 200, started.text
            yield world, replica


def as_manager(client: TestClient, world: World, path: str, **params: Any) -> Any:
    request_id = f"replica-test-{uuid.uuid4().hex[:12]}"
    answer = client.get(
        path,
        params=params,
        headers={"Authorization": bearer(world.staff.manager), "X-Request-ID": request_id},
    )
    return answer, request_id


def entries_of(url: str, request_id: str) -> list[tuple[str, str, str | None]]:
    """(action, outcome, resource id) of the audit entries a request left in the database."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT action, outcome, resource_id FROM audit_entries"
                    " WHERE request_id = :request_id ORDER BY id"
                ),
                {"request_id": request_id},
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in rows]


def test_the_measures_count_the_replicas_case_and_the_read_is_audited_on_the_primary(
    databases: tuple[World, str],
) -> None:
    world, replica = databases
    with service(world.url, replica) as client:
        answer, request_id = as_manager(
            client, world, f"{API}/reports/early-help-measures", **MARCH
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["overall"]["new_episodes"]["total"] == 1
    assert entries_of(world.url, request_id) == [
        (Action.READ_REPORTS.value, OUTCOME_ALLOWED, "early-help-measures")
    ]
    assert entries_of(replica, request_id) == []
    assert verify_audit_chain(world.new_uow()).ok

    with service(world.url) as without_replica:
        answer, _ = as_manager(
            without_replica, world, f"{API}/reports/early-help-measures", **MARCH
        )
    assert answer.json()["overall"]["new_episodes"]["total"] == 0


@pytest.mark.parametrize(
    ("path", "params", "counted"),
    [
        (
            "/reports/quarterly-progress",
            {"quarter_end": "2025-03-31"},
            lambda report: report["families_attached"],
        ),
        (
            "/timeliness/summary",
            {"as_of": "2025-06-02"},
            lambda summary: len(summary["hubs"]),
        ),
    ],
    ids=["quarterly-progress", "timeliness-summary"],
)
def test_the_quarterly_return_and_the_timeliness_summary_read_the_replica_too(
    databases: tuple[World, str], path: str, params: dict[str, str], counted: Any
) -> None:
    world, replica = databases
    with service(world.url, replica) as client:
        answer, request_id = as_manager(client, world, f"{API}{path}", **params)
    assert answer.status_code == 200, answer.text
    assert counted(answer.json()) == 1, answer.text
    assert [outcome for _, outcome, _ in entries_of(world.url, request_id)] == [OUTCOME_ALLOWED]
    assert entries_of(replica, request_id) == []

    with service(world.url) as without_replica:
        answer, _ = as_manager(without_replica, world, f"{API}{path}", **params)
    assert counted(answer.json()) == 0


def test_a_report_refused_while_reading_the_replica_keeps_its_refusal_on_the_primary(
    databases: tuple[World, str],
) -> None:
    world, replica = databases
    with service(world.url, replica) as client:
        answer, request_id = as_manager(
            client,
            world,
            f"{API}/reports/early-help-measures",
            **{"from": "2025-03-31", "to": "2025-03-01"},
        )
    assert answer.status_code == 422, answer.text
    assert entries_of(world.url, request_id) == [
        (Action.READ_REPORTS.value, OUTCOME_REFUSED, "early-help-measures")
    ]
    assert entries_of(replica, request_id) == []


def test_the_service_reads_the_replica_in_read_only_transactions(
    databases: tuple[World, str],
) -> None:
    world, replica = databases
    app = create_app(Settings(env="test", database_url=world.url, read_replica_url=replica))
    try:
        with app.state.replica_session_factory() as session:
            assert session.scalar(text("SHOW transaction_read_only")) == "on"
            assert session.scalar(text("SELECT current_database()")) == make_url(replica).database
    finally:
        app.state.engine.dispose()
        app.state.replica_engine.dispose()


def test_with_the_replica_down_a_report_is_503_to_retry_and_the_failure_is_audited(
    databases: tuple[World, str],
) -> None:
    world, _ = databases
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody_listens = f"postgresql+psycopg://postgres@127.0.0.1:{closed.getsockname()[1]}/x"
    with service(world.url, nobody_listens) as client:
        answer, request_id = as_manager(
            client, world, f"{API}/reports/early-help-measures", **MARCH
        )
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert entries_of(world.url, request_id) == [
        (Action.READ_REPORTS.value, OUTCOME_FAILED, "early-help-measures")
    ]


def test_ready_checks_the_replica_too(databases: tuple[World, str]) -> None:
    world, replica = databases
    with service(world.url, replica) as client:
        answer = client.get("/ready")
    assert (answer.status_code, answer.json()) == (
        200,
        {"status": "ok", "database": "ok", "migrations": "ok", "read_replica": "ok"},
    )


def test_with_the_replica_down_the_instance_says_it_is_degraded_and_stays_ready(
    databases: tuple[World, str],
) -> None:
    """Only the reports answer 503 then; taking every instance out of the load balancer for
    them would stop the casework too."""
    world, _ = databases
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody_listens = f"postgresql+psycopg://postgres@127.0.0.1:{closed.getsockname()[1]}/x"
    with service(world.url, nobody_listens) as client:
        answer = client.get("/ready")
    assert (answer.status_code, answer.json()) == (
        200,
        {
            "status": "degraded",
            "database": "ok",
            "migrations": "ok",
            "read_replica": "unreachable",
        },
    )
