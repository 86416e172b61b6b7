"""The security events report: who changed whose roles or active flag, and who broke glass.

The events are audit entries (`app.domain.security_events` says which); a page costs one
statement for the entries, one for the names of everyone on it and one for the families'
references, however many rows it has. Managers only read it (READ_SECURITY_EVENTS), and each
read is audited like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, tzinfo

from app.domain.access import Action
from app.domain.paging import MAX_LIMIT, Page, PageRequest
from app.domain.security_events import (
    SecurityEvent,
    practitioners_named,
    report_period,
    security_event,
)
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import Actor, UseCase


def security_events(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    first_day: date,
    last_day: date,
    zone: tzinfo,
    page: PageRequest,
) -> Page[SecurityEvent]:
    """One page of the period's events (whole days in `zone`), newest first (by their place in
    the audit trail)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_SECURITY_EVENTS, "report", "security-events")
        since, until = report_period(first_day, last_day).instants(zone)
        entries = uow.audit.security_events(since=since, until=until, page=page)
        names = uow.practitioners.names(sorted(practitioners_named(entries.items)))
        references = uow.families.references(
            sorted({e.family_id for e in entries.items if e.family_id is not None})
        )
        uc.commit()
    return Page(
        items=[security_event(e, names=names, references=references) for e in entries.items],
        next_cursor=entries.next_cursor,
    )


def every_security_event(
    new_uow: Callable[[], UnitOfWork],
    clock: Clock,
    actor: Actor,
    *,
    first_day: date,
    last_day: date,
    zone: tzinfo,
    batch: int = MAX_LIMIT,
) -> Iterator[SecurityEvent]:
    """The whole period, read a page at a time as it is consumed (for CSV streamed as it is read).

    One use case per page: each page's read and its audit entry are committed together in a short
    transaction of its own, so a slow download holds no database locks, and every page read is on
    record. The first page is read before this returns, so a refusal is raised before an answer
    starts streaming. The pages follow the audit sequence down from the newest, so an event (or a
    page's own audit entry) recorded meanwhile is never read and none is read twice.
    """

    def page_after(cursor: str | None) -> Page[SecurityEvent]:
        return security_events(
            new_uow(),
            clock,
            actor,
            first_day=first_day,
            last_day=last_day,
            zone=zone,
            page=PageRequest.parse(batch, cursor),
        )

    def pages(found: Page[SecurityEvent]) -> Iterator[SecurityEvent]:
        while True:
            yield from found.items
            if found.next_cursor is None:
                return
            found = page_after(found.next_cursor)

    return pages(page_after(None))
