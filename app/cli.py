"""The `familyhub` command: serve, migrate, load demo data and export the OpenAPI contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.settings import get_settings

cli = typer.Typer(
    help="familyhub: early help case management for family hubs.", no_args_is_help=True
)

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


@cli.command()
def migrate() -> None:
    """Bring the database schema to the newest migration."""
    from app.db.migrations_state import upgrade_to_head

    upgrade_to_head(get_settings().database_url)
    typer.echo("database is at the newest migration")


@cli.command("demo-data")
def demo_data() -> None:
    """Load the demo households (running it again adds nothing)."""
    from app.clock import SystemClock
    from app.db.engine import make_engine, make_session_factory
    from app.db.unit_of_work import SqlUnitOfWork
    from app.demo import load_demo_data

    settings = get_settings()
    from zoneinfo import ZoneInfo

    factory = make_session_factory(make_engine(settings.database_url))
    loaded = load_demo_data(
        lambda: SqlUnitOfWork(factory), SystemClock(ZoneInfo(settings.timezone))
    )
    typer.echo("demo data loaded" if loaded else "demo data already present; nothing added")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Apply migrations, then serve the API with uvicorn."""
    import uvicorn

    migrate()
    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
    )


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the contract.")] = OPENAPI_PATH,
) -> None:
    """Write the OpenAPI contract generated from the code."""
    from app.db.engine import make_engine
    from app.main import create_app
    from app.settings import Settings

    document = create_app(
        Settings(database_url="sqlite://"), engine=make_engine("sqlite://")
    ).openapi()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {output}")


def main() -> None:
    cli()
