"""`familyhub audit-verify`, `audit-checkpoint` and `audit-seal`: the audit trail's checks.

Registered in `app/cli.py`. They are operators' commands on the database, not requests of a
signed-in user: outside the access rules, and they add no audit entry. What they print is positions, ids, counts, MACs and key ids: never a
name, a family or what was done. Exit codes: 0 intact, 1 broken (or entries left unsealed too
long), 2 a checkpoint that cannot be trusted or read.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.domain.audit import UNSEALED_GRACE, UNSEALED_MOST

if TYPE_CHECKING:
    from app.db.unit_of_work import SqlUnitOfWork
    from app.domain.audit import Checkpoint
    from app.services.ports import Clock

BROKEN = 1
UNTRUSTED_CHECKPOINT = 2


def audit_uow() -> SqlUnitOfWork:
    """A unit of work on the deployment's database, with its audit keys."""
    from app.db.engine import make_engine, make_session_factory
    from app.db.unit_of_work import SqlUnitOfWork
    from app.settings import get_settings

    settings = get_settings()
    return SqlUnitOfWork(
        make_session_factory(make_engine(settings.database_url)),
        audit_keys=settings.audit_keys(),
    )


def audit_clock() -> Clock:
    from zoneinfo import ZoneInfo

    from app.clock import SystemClock
    from app.settings import get_settings

    return SystemClock(ZoneInfo(get_settings().timezone))


def _trusted_checkpoint(path: Path, uow: SqlUnitOfWork) -> Checkpoint:
    from app.domain.audit import checkpoint_problem, read_checkpoint
    from app.domain.errors import InvalidValue

    def refuse(why: str) -> typer.Exit:
        typer.echo(f"checkpoint REFUSED: {why}", err=True)
        return typer.Exit(UNTRUSTED_CHECKPOINT)

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise refuse(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError):
        raise refuse(f"{path} is not a JSON document") from None
    try:
        checkpoint = read_checkpoint(document)
    except InvalidValue as exc:
        raise refuse(exc.detail) from None
    problem = checkpoint_problem(checkpoint, uow.audit_keys)
    if problem is not None:
        raise refuse(problem)
    return checkpoint


def audit_verify(
    checkpoint_file: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint from `familyhub audit-checkpoint`: the chain must still hold its"
            " position with the same MAC (catches entries cut off and re-chaining).",
        ),
    ] = None,
    unsealed_grace: Annotated[
        int,
        typer.Option(
            help="Seconds an entry may wait for its seal before that is reported as a problem."
        ),
    ] = int(UNSEALED_GRACE.total_seconds()),
    unsealed_most: Annotated[
        int, typer.Option(help="How many entries may wait for their seal at once.")
    ] = UNSEALED_MOST,
) -> None:
    """Check the audit trail's keyed chain from the first entry.

    Exits 1 naming the first bad position if it was tampered with (or if entries waited too long
    for their seal), 2 if the checkpoint given is forged, edited or unreadable. An operator's
    command on the database, outside the access rules.
    """
    from app.domain.audit import backlog_problem
    from app.services.audit import check_audit_trail

    uow = audit_uow()
    checkpoint = None if checkpoint_file is None else _trusted_checkpoint(checkpoint_file, uow)
    check = check_audit_trail(uow, checkpoint=checkpoint)
    verdict = check.verdict
    if not verdict.ok:
        where = "" if verdict.first_bad_sequence is None else f" at {verdict.first_bad_sequence}"
        typer.echo(f"audit chain BROKEN{where}: {verdict.problem}", err=True)
        raise typer.Exit(BROKEN)
    backlog = check.backlog
    summary = (
        f"audit chain intact: {verdict.checked} entries verified, up to {verdict.last.sequence}"
    )
    if checkpoint is not None:
        summary += f"; holds the checkpoint's position {checkpoint.sequence}"
    if backlog.count:
        summary += f"; {backlog.count} not sealed yet (oldest id {backlog.oldest_id})"
    typer.echo(summary)
    stuck = backlog_problem(
        backlog,
        now=audit_clock().now(),
        grace=timedelta(seconds=unsealed_grace),
        most=unsealed_most,
    )
    if stuck is not None:
        typer.echo(f"audit trail NOT SEALED: {stuck}", err=True)
        raise typer.Exit(BROKEN)


def audit_checkpoint() -> None:
    """Verify the chain, then print a signed checkpoint of its end as JSON.

    Keep it where the database's administrators cannot write; `audit-verify --checkpoint` then
    notices entries cut off or re-chained since. An operator's command on the database, outside
    the access rules.
    """
    from app.domain.audit import checkpoint_document
    from app.services.audit import audit_checkpoint as issue

    verdict, checkpoint = issue(audit_uow(), audit_clock())
    if checkpoint is None:
        typer.echo(
            f"audit chain BROKEN at {verdict.first_bad_sequence}: {verdict.problem};"
            " no checkpoint issued",
            err=True,
        )
        raise typer.Exit(BROKEN)
    typer.echo(json.dumps(checkpoint_document(checkpoint), sort_keys=True))


def audit_seal() -> None:
    """Seal every entry still waiting, looking through the whole table.

    Routine sealing looks only near the newest entries; an entry committed very late is left.
    An operator's command on the database, outside the access rules.
    """
    sealed = audit_uow().audit_sealer.seal_pending(lookback=None)
    typer.echo(f"sealed {sealed} entries")
