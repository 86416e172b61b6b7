"""`familyhub import FILE` and `familyhub export`: a caseload in or out (issue 18 §3-4).

The command acts as the admin named by `--as` (an admin of the directory); the import replays
each household through the use cases (app/services/interchange.py). Problems go to stdout, one a
line (line, field path, reason); the progress bar goes to stderr.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from app.services.ports import Clock
from app.services.use_case import Actor
from app.settings import get_settings

if TYPE_CHECKING:
    from app.db.unit_of_work import SqlUnitOfWork

AS_ADMIN = typer.Option("--as", help="The email of the admin the command acts as (audited).")


def interchange_units_of_work() -> Callable[[], SqlUnitOfWork]:
    """Units of work on the configured database (tests replace this with theirs)."""
    from app.db.engine import make_engine, make_session_factory
    from app.db.unit_of_work import SqlUnitOfWork

    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    return lambda: SqlUnitOfWork(factory, audit_keys=settings.audit_keys())


def interchange_clock() -> Clock:
    from app.clock import SystemClock

    return SystemClock(ZoneInfo(get_settings().timezone))


def _wiring(admin_email: str) -> tuple[Callable[[], SqlUnitOfWork], Clock, Actor]:
    """The units of work, the clock and the admin the command acts as."""
    new_uow = interchange_units_of_work()
    with new_uow() as uow:
        admin = uow.practitioners.get_by_email(admin_email)
    if admin is None or not admin.active:
        typer.echo(f"no active practitioner with the email {admin_email}", err=True)
        raise typer.Exit(2)
    return new_uow, interchange_clock(), Actor(admin.as_principal())


def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A JSON Lines file.")],
    admin: Annotated[str, AS_ADMIN],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every line; write nothing.")
    ] = False,
) -> None:
    """Import households from an interchange file (docs/import-export.md)."""
    from app.domain.errors import DomainError
    from app.services.interchange import HouseholdOutcome, run_import

    settings = get_settings()
    new_uow, clock, actor = _wiring(admin)
    total = sum(1 for line in file.open("rb") if line.strip())
    done = 0

    def progress(outcome: HouseholdOutcome) -> None:
        nonlocal done
        done += 1
        for problem in outcome.problems:
            typer.echo(f"line {problem.line}: {problem.path}: {problem.reason} [{problem.code}]")
        if done % 50 == 0 or done == total:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

    try:
        with file.open("rb") as lines:
            summary = run_import(
                new_uow,
                clock,
                actor,
                lines,
                dry_run=dry_run,
                levels=settings.early_help_levels,
                consistent=settings.consistent_identifier_scheme,
                progress=progress,
                keep_problems=0,
            )
    except DomainError as refused:
        typer.echo(f"import refused: {refused.detail}", err=True)
        raise typer.Exit(1) from None
    sys.stderr.write("\n")
    verb = "would import" if dry_run else "imported"
    typer.echo(
        f"{summary.households} household(s): {summary.imported} {verb},"
        f" {summary.already_imported} already imported, {summary.refused} refused"
        f" (run {summary.run_id})",
        err=True,
    )
    if summary.refused:
        raise typer.Exit(1)


def export(
    admin: Annotated[str, AS_ADMIN],
    family: Annotated[uuid.UUID | None, typer.Option(help="One household's id.")] = None,
    hub: Annotated[uuid.UUID | None, typer.Option(help="Every household of one hub.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every household.")] = False,
) -> None:
    """Write households as interchange JSON Lines to stdout, each audited as disclosed."""
    from app.domain.errors import DomainError
    from app.services.interchange import begin_export, export_households

    if sum((family is not None, hub is not None, all_)) != 1:
        typer.echo("give exactly one of --family ID, --hub ID or --all", err=True)
        raise typer.Exit(2)
    new_uow, clock, actor = _wiring(admin)
    try:
        with new_uow() as uow:
            begin_export(uow, clock, actor, family_id=family, hub_id=hub)
    except DomainError as refused:
        typer.echo(f"export refused: {refused.detail}", err=True)
        raise typer.Exit(1) from None
    for line in export_households(new_uow, clock, actor, family_id=family, hub_id=hub):
        sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")


def interchange_schema(
    output: Annotated[Path, typer.Option(help="Where to write the schema.")] = Path(__file__)
    .resolve()
    .parents[1]
    / "docs"
    / "interchange.schema.json",
) -> None:
    """Write the JSON Schema of the interchange format (docs/interchange.schema.json)."""
    from app.interchange.format import json_schema

    output.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {output}")
