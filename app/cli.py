"""The `familyhub` command: serve, migrate, load demo data, check the audit trail and export the
OpenAPI contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.audit_cli import audit_checkpoint, audit_seal, audit_verify
from app.reports_cli import report as report_command
from app.settings import get_settings

cli = typer.Typer(
    help="familyhub: early help case management for family hubs.", no_args_is_help=True
)

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"

cli.command("report")(report_command)
cli.command("audit-verify")(audit_verify)
cli.command("audit-checkpoint")(audit_checkpoint)
cli.command("audit-seal")(audit_seal)


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
        lambda: SqlUnitOfWork(factory, audit_keys=settings.audit_keys()),
        SystemClock(ZoneInfo(settings.timezone)),
    )
    typer.echo("demo data loaded" if loaded else "demo data already present; nothing added")


@cli.command()
def token(
    user: Annotated[
        str, typer.Option("--user", help="The practitioner's email (demo users: see the README).")
    ],
    hours: Annotated[int, typer.Option(help="How long the token lasts.")] = 8,
) -> None:
    """Print a local (HS256) bearer token for a practitioner, for the demo and local testing."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app.api.security import issue_local_token
    from app.clock import SystemClock
    from app.db.engine import make_engine, make_session_factory
    from app.db.unit_of_work import SqlUnitOfWork

    settings = get_settings()
    if "HS256" not in settings.auth_algorithms or not settings.auth_hs256_secret:
        typer.echo(
            "local tokens need FAMILYHUB_AUTH_ALGORITHMS to include HS256 and a secret", err=True
        )
        raise typer.Exit(2)
    with SqlUnitOfWork(make_session_factory(make_engine(settings.database_url))) as uow:
        practitioner = uow.practitioners.get_by_email(user)
    if practitioner is None or not practitioner.active:
        typer.echo(f"no active practitioner with the email {user}", err=True)
        raise typer.Exit(1)
    typer.echo(
        issue_local_token(
            subject=practitioner.email,
            secret=settings.auth_hs256_secret,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            now=SystemClock(ZoneInfo(settings.timezone)).now(),
            lifetime=timedelta(hours=hours),
        )
    )


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
        "app.main:create_served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        # uvicorn's default of 5 s closed connections that busy clients were reusing (the
        # benchmark's ReadErrors, bench/RESULTS.md).
        timeout_keep_alive=settings.keep_alive_seconds,
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
