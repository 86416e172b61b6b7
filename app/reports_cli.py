"""`familyhub report <name> --as EMAIL`: the reports run straight against the database, for
scheduled jobs.

The same use cases, rules and CSV writer as `GET /api/v1/reports/...`, so a file written here holds
the same numbers as the API would answer; and the same access rules: the job acts as a named
practitioner (the reporting account, say), whose roles must allow the report, and its read is
audited in their name like the API's. Registered in `app/cli.py` as:

    from app.reports_cli import report as _report
    cli.command("report")(_report)

Exit codes: 0 written; 2 refused (a bad option, an unknown practitioner, or one whose roles do
not allow the report).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from app.domain.access import Action
from app.domain.measures import DEFAULT_REENTRY_MONTHS

if TYPE_CHECKING:
    from app.db.unit_of_work import SqlUnitOfWork
    from app.services.ports import Clock
    from app.services.use_case import Actor

REFUSED = 2

REPORTS_ACTION = Action.READ_REPORTS
"""What every report is, to the access rules: a council-wide read of aggregates."""


class ReportName(StrEnum):
    EARLY_HELP_MEASURES = "early-help-measures"
    QUARTERLY_PROGRESS = "quarterly-progress"
    SUPPORTING_FAMILIES_CLAIMS = "supporting-families-claims"


class OutputFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def report_units_of_work() -> Callable[[], SqlUnitOfWork]:
    """Units of work on the deployment's database, with its audit keys (the reads are audited);
    reading on the read replica if FAMILYHUB_READ_REPLICA_URL is set, as the API's reports do."""
    from app.db.engine import make_engine, make_read_replica_engine, make_session_factory
    from app.db.unit_of_work import SqlUnitOfWork
    from app.settings import get_settings

    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    replica = settings.read_replica_url
    reads = None if replica is None else make_session_factory(make_read_replica_engine(replica))
    keys = settings.audit_keys()
    return lambda: SqlUnitOfWork(factory, audit_keys=keys, reads_from=reads)


def report_clock() -> Clock:
    from zoneinfo import ZoneInfo

    from app.clock import SystemClock
    from app.settings import get_settings

    return SystemClock(ZoneInfo(get_settings().timezone))


def report(
    name: Annotated[ReportName, typer.Argument(help="Which report to run.")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Last day (YYYY-MM-DD, inclusive); for quarterly-progress, the quarter's last "
            "day; for supporting-families-claims, any day of the batch period (the report "
            "covers the claim period it falls in).",
        ),
    ],
    as_email: Annotated[
        str,
        typer.Option(
            "--as",
            help="The email of the practitioner running the report (the reporting account, a "
            "manager or an auditor): their roles must allow it, and the read is audited in "
            "their name.",
        ),
    ],
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day (YYYY-MM-DD); required for early-help-measures, and for "
            "quarterly-progress it must be the quarter's first day if given.",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="json (as the API answers) or csv.")
    ] = OutputFormat.JSON,
    output: Annotated[
        Path | None, typer.Option("--output", help="File to write (default: standard output).")
    ] = None,
    hub_id: Annotated[str | None, typer.Option("--hub-id", help="Only this hub.")] = None,
    reentry_months: Annotated[
        int, typer.Option("--reentry-months", help="Re-entry window (early-help-measures).")
    ] = DEFAULT_REENTRY_MONTHS,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            help="Report as the records stood at this instant (ISO 8601 with its zone, e.g. "
            "2026-04-01T00:00:00Z; default: now), so a past period's figures come out exactly "
            "as they were reported; the output says how many records behind them were entered "
            "after the period ended.",
        ),
    ] = None,
) -> None:
    """Run a report against the database as a practitioner, and write it as JSON or CSV."""
    from app.domain.errors import Forbidden, InvalidValue

    try:
        end = _day(to, "--to")
        start = _day(from_, "--from") if from_ is not None else None
        hub = _hub(hub_id)
        instant = _instant(known_at, "--known-at") if known_at is not None else None
        new_uow = report_units_of_work()
        run_report(
            new_uow,
            report_clock(),
            practitioner_acting(new_uow, as_email),
            name=name,
            start=start,
            end=end,
            output_format=output_format,
            output=output,
            hub_id=hub,
            reentry_months=reentry_months,
            known_at=instant,
        )
    except Forbidden:
        *others, last = roles_allowed(REPORTS_ACTION)
        typer.echo(
            f"--as: {as_email} may not run {name.value}: it needs the "
            f"{', '.join(others)} or {last} role (the refusal is audited)",
            err=True,
        )
        raise typer.Exit(REFUSED) from None
    except InvalidValue as exc:
        typer.echo(f"{exc.field or 'report'}: {exc.detail}", err=True)
        raise typer.Exit(REFUSED) from None


def practitioner_acting(new_uow: Callable[[], SqlUnitOfWork], email: str) -> Actor:
    """The active practitioner with this email, as the services see them acting from the CLI."""
    from app.domain.errors import InvalidValue
    from app.services.use_case import Actor

    with new_uow() as uow:
        practitioner = uow.practitioners.get_by_email(email)
    if practitioner is None or not practitioner.active:
        raise InvalidValue(
            f"There is no active practitioner with the email {email}.",
            field="--as",
            code="practitioner_email_unknown",
        )
    # The entries of one run share an id, as a request's do, marked as the command's.
    return Actor(principal=practitioner.as_principal(), request_id=f"cli-report-{uuid.uuid4()}")


def roles_allowed(action: Action) -> list[str]:
    """The roles that grant a council-wide `action`, as the access rules decide it."""
    from app.domain.access import Principal, Role, decide

    return [
        role.value
        for role in Role
        if decide(
            Principal(uuid.UUID(int=0), "", frozenset({role})), action, None, today=date.min
        ).allowed
    ]


def run_report(
    new_uow: Callable[[], SqlUnitOfWork],
    clock: Clock,
    actor: Actor,
    *,
    name: ReportName,
    start: date | None,
    end: date,
    output_format: OutputFormat,
    output: Path | None,
    hub_id: uuid.UUID | None = None,
    reentry_months: int = DEFAULT_REENTRY_MONTHS,
    known_at: datetime | None = None,
) -> None:
    """The command's body without the option parsing: one use case, in `actor`'s name."""
    from app.api.schemas.claims import (
        CLAIMS_REPORT_COLUMNS,
        ClaimsReportRead,
        claims_report_rows,
    )
    from app.api.schemas.reports import EarlyHelpMeasuresRead, QuarterlyProgressRead
    from app.domain.errors import InvalidValue
    from app.domain.measures import quarter_of
    from app.reporting_csv import csv_lines
    from app.services import claims, measures

    columns: tuple[str, ...] = measures.FIGURE_COLUMNS
    rows: Iterable[tuple[object, ...]]

    if name is ReportName.EARLY_HELP_MEASURES:
        if start is None:
            raise InvalidValue(
                "early-help-measures needs --from.", field="--from", code="report_from_required"
            )
        report = measures.early_help_measures(
            new_uow(),
            clock,
            actor,
            period_start=start,
            period_end=end,
            hub_id=hub_id,
            reentry_months=reentry_months,
            known_at=known_at,
        )
        rows = measures.early_help_figures(report)
        as_json = EarlyHelpMeasuresRead.from_domain(report).model_dump_json(indent=2)
    elif name is ReportName.SUPPORTING_FAMILIES_CLAIMS:
        if start is not None:
            raise InvalidValue(
                "supporting-families-claims takes only --to.",
                field="--from",
                code="report_from_not_taken",
            )
        batch = claims.claims_report(new_uow(), clock, actor, end, known_at=known_at)
        columns, rows = CLAIMS_REPORT_COLUMNS, claims_report_rows(batch)
        as_json = ClaimsReportRead.of(batch).model_dump_json(indent=2)
    else:
        quarter_start, _ = quarter_of(end)
        if start is not None and start != quarter_start:
            raise InvalidValue(
                f"The quarter ending {end.isoformat()} starts on {quarter_start.isoformat()}.",
                field="--from",
                code="report_from_not_quarter_start",
            )
        progress = measures.quarterly_progress(
            new_uow(), clock, actor, quarter_end=end, hub_id=hub_id, known_at=known_at
        )
        rows = measures.quarterly_figures(progress)
        as_json = QuarterlyProgressRead.from_domain(progress).model_dump_json(indent=2)

    with _target(output) as out:
        if output_format is OutputFormat.CSV:
            for line in csv_lines(columns, rows):
                out.write(line)
        else:
            out.write(as_json + "\n")


@contextmanager
def _target(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _day(text: str, option: str) -> date:
    from app.domain.errors import InvalidValue

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            f"'{text}' is not a date (YYYY-MM-DD).", field=option, code="date_format"
        ) from None


def _instant(text: str, option: str) -> datetime:
    """An ISO 8601 instant; one without its zone is refused by the report (`known_at`)."""
    from app.domain.errors import InvalidValue

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            f"'{text}' is not an instant (YYYY-MM-DDTHH:MM:SSZ).",
            field=option,
            code="instant_format",
        ) from None


def _hub(text: str | None) -> uuid.UUID | None:
    from app.domain.errors import InvalidValue

    if text is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidValue(
            f"'{text}' is not a hub id.", field="--hub-id", code="hub_id_format"
        ) from None
