"""The `familyhub` command: serve, migrate, load demo data, check the audit trail and export the
OpenAPI contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from app.audit_cli import audit_checkpoint, audit_seal, audit_verify
from app.interchange_cli import export, import_file, interchange_schema
from app.reports_cli import report as report_command
from app.settings import Settings, get_settings

cli = typer.Typer(
    help="familyhub: early help case management for family hubs.",
    no_args_is_help=True,
    # A traceback's local variables would show the settings (a secret, a database password).
    pretty_exceptions_show_locals=False,
)

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"

cli.command("report")(report_command)
cli.command("audit-verify")(audit_verify)
cli.command("audit-checkpoint")(audit_checkpoint)
cli.command("audit-seal")(audit_seal)
cli.command("import")(import_file)
cli.command("export")(export)
cli.command("interchange-schema")(interchange_schema)


@cli.command()
def migrate() -> None:
    """Bring the database schema to the newest migration."""
    from app.db.migrations_state import upgrade_to_head

    upgrade_to_head(get_settings().database_url)
    typer.echo("database is at the newest migration")


@cli.command("demo-data")
def demo_data() -> None:
    """Load the demo households (running it again adds nothing, except the Family Help families
    once FAMILYHUB_FAMILY_HELP is on)."""
    from app.clock import SystemClock
    from app.db.engine import make_engine, make_session_factory
    from app.db.repositories.census_codes import packaged_census_codes
    from app.db.unit_of_work import SqlUnitOfWork
    from demo import load_demo_data

    settings = get_settings()
    from zoneinfo import ZoneInfo

    factory = make_session_factory(make_engine(settings.database_url))
    loaded = load_demo_data(
        lambda: SqlUnitOfWork(factory, audit_keys=settings.audit_keys()),
        SystemClock(ZoneInfo(settings.timezone)),
        family_help=settings.family_help_policy(),
        census_codes=packaged_census_codes(),
    )
    typer.echo("demo data loaded" if loaded else "demo data already present; nothing added")


@cli.command()
def token(
    user: Annotated[
        str, typer.Option("--user", help="The practitioner's email (demo users: see the README).")
    ],
    hours: Annotated[
        int,
        typer.Option(
            min=1, help="How long the token lasts (at most FAMILYHUB_AUTH_MAX_TOKEN_AGE_SECONDS)."
        ),
    ] = 8,
) -> None:
    """Print a local (HS256) bearer token for a practitioner, for the demo and local testing."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app.api.security import issue_local_token
    from app.clock import SystemClock
    from app.db.engine import make_engine, make_session_factory
    from app.db.unit_of_work import SqlUnitOfWork

    settings = get_settings()
    if "HS256" not in settings.auth_algorithms or settings.auth_hs256_secret is None:
        typer.echo(
            "local tokens need FAMILYHUB_AUTH_ALGORITHMS to include HS256 and a secret", err=True
        )
        raise typer.Exit(2)
    max_age = settings.auth_max_token_age_seconds
    if hours * 3600 > max_age:
        typer.echo(
            f"--hours {hours} is longer than the maximum token age"
            f" (FAMILYHUB_AUTH_MAX_TOKEN_AGE_SECONDS={max_age}, {max_age / 3600:g} h):"
            " the service would refuse the token before it expired",
            err=True,
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
            secret=settings.auth_hs256_secret.get_secret_value(),
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

    from app.api.loopback import is_loopback

    settings = get_settings()
    bind = host or settings.host
    if settings.serves_loopback_only and not is_loopback(bind):
        typer.echo(
            f"familyhub serve: FAMILYHUB_ENV={settings.env} serves loopback only (127.0.0.1, ::1,"
            f" localhost), not {bind!r}: it may sign with the demo token secret published in the"
            " code. To serve other interfaces, set FAMILYHUB_ENV=production with a"
            " FAMILYHUB_AUTH_HS256_SECRET of your own or the identity provider's JWKS.",
            err=True,
        )
        raise typer.Exit(2)
    migrate()
    uvicorn.run(
        "app.main:create_served_app",
        factory=True,
        host=bind,
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

    document = create_app(
        Settings(database_url="sqlite://"), engine=make_engine("sqlite://")
    ).openapi()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {output}")


@cli.command("error-codes")
def error_codes() -> None:
    """Write the catalogue of problem codes (docs/errors.md, app/api/error_codes.py) from the
    raises in app/."""
    from app.api import error_catalogue

    wrong = list(error_catalogue.refusals(error_catalogue.collect()))
    if wrong:
        typer.echo("\n".join(wrong), err=True)
        raise typer.Exit(1)
    for path in error_catalogue.write():
        typer.echo(f"wrote {path}")


def settings_problem(refused: ValidationError) -> str:
    """What is wrong with the settings, naming each variable and never repeating its value."""
    lines = ["familyhub: the settings are not usable:"]
    for error in refused.errors(include_input=False, include_context=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"])
        where = f"FAMILYHUB_{field.upper()}: " if field else ""
        lines.append(f"  {where}{error['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


def main() -> None:
    try:
        cli()
    except ValidationError as refused:
        if refused.title != Settings.__name__:
            raise
        typer.echo(settings_problem(refused), err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
