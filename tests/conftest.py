"""Test wiring: every database test runs on SQLite and on PostgreSQL, each test in a rolled-back transaction.

The schema is built by the Alembic migrations, never by create_all, so each run exercises them.
Narrow a local run with FAMILYHUB_TEST_DATABASES=sqlite (or postgres); `make test` runs both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import get_clock
from app.clock import FixedClock
from app.db.engine import make_engine
from app.db.migrations_state import upgrade_to_head
from app.db.unit_of_work import SqlUnitOfWork
from app.main import create_app
from app.settings import Settings
from tests.builders import (
    ReferenceData,
    Staff,
    Statements,
    bearer,
    given_reference_data,
    given_staff,
)

# Property tests run beside database tests on a busy CI machine: judge them on their examples,
# not on how long each one took.
settings.register_profile("familyhub", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("familyhub")

POSTGRES_URL = os.environ.get(
    "FAMILYHUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = [
    d for d in os.environ.get("FAMILYHUB_TEST_DATABASES", "sqlite,postgres").split(",") if d
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`@pytest.mark.postgres_only` tests run once, on PostgreSQL; skipped when it is not selected."""
    for item in items:
        if item.get_closest_marker("postgres_only") is None:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres" not in DATABASES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (FAMILYHUB_TEST_DATABASES)"))
        elif params.get("database_url", "postgres") != "postgres":
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only"))


AUDIT_KEYS = Settings(env="test").audit_keys()
"""The published demo key that dev and test deployments seal the audit trail with."""

# Monday 3 March 2025, 10:00 UTC: a fixed "now" for every API test unless a test moves it.
TEST_NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


class ThrowawayPostgres:
    """A database of its own for this test run, so parallel runs never meet; dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"familyhub_test_{uuid.uuid4().hex[:10]}"
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        return self.url

    def __exit__(self, *_exc: object) -> None:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


def new_database(kind: str, tmp_path: Path) -> ThrowawayPostgres | str:
    if kind == "postgres":
        return ThrowawayPostgres(POSTGRES_URL)
    return f"sqlite:///{tmp_path / 'familyhub-test.sqlite3'}"


@pytest.fixture(scope="session", params=DATABASES)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    target = new_database(request.param, tmp_path_factory.mktemp(request.param))
    if isinstance(target, str):
        upgrade_to_head(target)
        yield target
        return
    with target as url:
        upgrade_to_head(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions joined to the test's transaction: a service's commit() only releases a savepoint."""
    return sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )


@pytest.fixture
def new_uow(session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    return lambda: SqlUnitOfWork(session_factory, audit_keys=AUDIT_KEYS)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def reference(new_uow) -> ReferenceData:  # type: ignore[no-untyped-def]
    return given_reference_data(new_uow)


@pytest.fixture
def client(
    engine: Engine,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    reference: ReferenceData,
    staff: Staff,
) -> Iterator[TestClient]:
    """The API, signed in as the lead professional `staff.lead` (switch with `tests.builders.as_user`)."""
    app = create_app(Settings(env="test", database_url=str(engine.url)), engine=engine)
    app.state.session_factory = session_factory
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = bearer(staff.lead)
        yield test_client


@pytest.fixture
def staff(new_uow, reference: ReferenceData) -> Staff:  # type: ignore[no-untyped-def]
    return given_staff(new_uow, reference)


@pytest.fixture
def statements(connection: Connection) -> Iterator[Statements]:
    """Every statement sent on the test's connection while the test runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    yield Statements(seen)
    event.remove(connection, "before_cursor_execute", record)
