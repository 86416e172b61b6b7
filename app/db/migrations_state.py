"""Whether the database schema is at the newest migration (for /ready and `familyhub migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.db.engine import READ_ONLY_OPTION

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def is_at_head(engine: Engine) -> bool:
    heads = set(
        ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(False))).get_heads()
    )
    with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
