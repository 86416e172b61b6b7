"""The security events report: who changed whose roles or active flag, and who broke glass.

The events are audit entries (`app.domain.security_events` says which); a page costs one
statement for the entries, one for the names of everyone on it and one for the families'
references, however many rows it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import tzinfo

from app.domain.paging import MAX_LIMIT, Page, PageRequest
from app.domain.security_events import (
    ReportPeriod,
    SecurityEvent,
    practitioners_named,
    security_event,
)
from app.services.ports import UnitOfWork


def security_events(
    uow: UnitOfWork, period: ReportPeriod, zone: tzinfo, page: PageRequest
) -> Page[SecurityEvent]:
    """One page of the period's events, newest first (by their place in the audit trail)."""
    since, until = period.instants(zone)
    with uow:
        entries = uow.audit.security_events(since=since, until=until, page=page)
        names = uow.practitioners.names(sorted(practitioners_named(entries.items)))
        references = uow.families.references(
            sorted({e.family_id for e in entries.items if e.family_id is not None})
        )
        return Page(
            items=[security_event(e, names=names, references=references) for e in entries.items],
            next_cursor=entries.next_cursor,
        )


def every_security_event(
    new_uow: Callable[[], UnitOfWork],
    period: ReportPeriod,
    zone: tzinfo,
    *,
    batch: int = MAX_LIMIT,
) -> Iterator[SecurityEvent]:
    """The whole period, read a page at a time as it is consumed (for CSV streamed as it is read).

    Each page is a short transaction of its own, so a slow download holds no database locks; the
    pages follow the audit sequence down from the newest, so an event recorded meanwhile is never
    read and none is read twice.
    """
    page = PageRequest.parse(batch, None)
    while True:
        found = security_events(new_uow(), period, zone, page)
        yield from found.items
        if found.next_cursor is None:
            return
        page = PageRequest.parse(batch, found.next_cursor)
