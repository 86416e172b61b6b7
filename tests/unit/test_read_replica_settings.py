"""FAMILYHUB_READ_REPLICA_URL is for PostgreSQL deployments: with SQLite, the service refuses to
start and says why, naming the variable and never showing the URL (it may hold a password)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app import cli
from app.settings import Settings

PRIMARY = "postgresql+psycopg://familyhub:primary-pass@db-primary:5432/familyhub"
REPLICA = "postgresql+psycopg://familyhub_reports:replica-pass@db-replica:5432/familyhub"


def refusal(**settings: str) -> str:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, env="test", **settings)  # type: ignore[arg-type]
    return cli.settings_problem(refused.value)


def test_a_sqlite_deployment_refuses_a_read_replica_naming_the_setting() -> None:
    problem = refusal(database_url="sqlite:///./var/familyhub.sqlite3", read_replica_url=REPLICA)
    assert "FAMILYHUB_READ_REPLICA_URL is for PostgreSQL only" in problem
    assert "replica-pass" not in problem


def test_a_replica_that_is_not_postgresql_is_refused() -> None:
    problem = refusal(database_url=PRIMARY, read_replica_url="sqlite:///./replica.sqlite3")
    assert "FAMILYHUB_READ_REPLICA_URL is for PostgreSQL only" in problem
    assert "primary-pass" not in problem


def test_a_postgresql_deployment_takes_a_replica_and_without_one_reads_the_primary() -> None:
    assert Settings(_env_file=None, database_url=PRIMARY, read_replica_url=REPLICA)
    assert Settings(_env_file=None, database_url=PRIMARY).read_replica_url is None
