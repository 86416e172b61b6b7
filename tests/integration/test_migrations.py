"""The migrations are the schema: they match the models and they go down and up again cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.db.base import Base
from app.db.engine import make_engine
from app.db.migrations_state import alembic_config, is_at_head, upgrade_to_head
from tests.conftest import DATABASES, ThrowawayPostgres, new_database


@pytest.fixture(params=DATABASES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    target = new_database(request.param, tmp_path)
    if isinstance(target, ThrowawayPostgres):
        with target as url:
            yield url
    else:
        yield target


def test_the_migrated_schema_matches_the_models(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_downgrade_upgrade_round_trips(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(empty_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert is_at_head(engine)
    assert {"families", "people", "consents"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_databases_live_claim_index_holds_the_domains_live_states() -> None:
    """The partial unique index (one live claim per family and phase) names the states the domain
    treats as live; the model keeps literals because the migrations were written from them."""
    from app.db.models import CLAIM_STATES, LIVE_CLAIM_STATES
    from app.domain.supporting_families import LIVE_CLAIM_STATES as DOMAIN_LIVE
    from app.domain.supporting_families import ClaimState

    assert set(LIVE_CLAIM_STATES) == {s.value for s in DOMAIN_LIVE}
    assert set(CLAIM_STATES) == {s.value for s in ClaimState}
