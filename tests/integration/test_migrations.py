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


EXPRESSION_INDEXES = {
    "ix_episode_deadlines_running_due_on_id": (
        "CASE WHEN",
        "met_on IS NULL",
        "stopped_on IS NULL",
        "THEN due_on",
    )
}
"""Indexes on an expression, by name, with the fragments of the expression each must index.

Alembic cannot compare these: SQLite's reflection skips them, and PostgreSQL gives back its own
rewriting of the expression (`ELSE NULL::date`), which no portable model text can equal. They are
left out of the comparison below and checked by name and expression instead."""


def _not_an_expression_index(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def test_the_migrated_schema_matches_the_models(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": _not_an_expression_index,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_expression_indexes_are_migrated_on_their_expressions(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes")
        else:
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        definitions = {name: " ".join(definition.split()) for name, definition in rows}
    engine.dispose()
    for name, fragments in EXPRESSION_INDEXES.items():
        assert all(f in definitions[name] for f in fragments), definitions.get(name)
    model_indexes = {
        index.name: index for table in Base.metadata.tables.values() for index in table.indexes
    }
    assert set(EXPRESSION_INDEXES) <= set(model_indexes)


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


def test_the_security_events_index_holds_every_access_change_the_domain_records(
    empty_database: str,
) -> None:
    """The model keeps the actions as literals (the migration was written from them); a new role
    needs a migration widening the index, and this fails until it exists."""
    from app.db.models import ACCESS_CHANGE_ACTIONS
    from app.domain.security_events import ACCESS_CHANGE_ACTIONS as DOMAIN_ACTIONS

    assert set(ACCESS_CHANGE_ACTIONS) == DOMAIN_ACTIONS
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            definition = connection.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_audit_entries_security_events'"
            ).scalar_one()
        else:
            definition = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_audit_entries_security_events'"
            ).scalar_one()
    engine.dispose()
    assert all(f"'{action}'" in definition for action in DOMAIN_ACTIONS), definition
    assert "break_glass_reason IS NOT NULL" in definition
