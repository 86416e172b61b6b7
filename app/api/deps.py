"""Annotated dependencies: the composition root where the db layer meets the services.

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the thread
pool, and those hops cost more CPU than the rest of a small request (bench/RESULTS.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from app.clock import SystemClock
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.audit import AuditKeys
from app.services.ports import Clock
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


async def get_audit_keys(request: Request) -> AuditKeys:
    keys: AuditKeys = request.app.state.audit_keys
    return keys


def unit_of_work(
    request: Request,
    factory: sessionmaker[Session],
    audit_keys: AuditKeys,
    *,
    reads_from: sessionmaker[Session] | None = None,
) -> SqlUnitOfWork:
    """A unit of work wired to the app: its sealing thread and its change broker."""
    state = request.app.state
    return SqlUnitOfWork(
        factory,
        audit_keys=audit_keys,
        sealing=state.audit_sealing,
        broker=state.change_broker,
        notify_changes=state.notify_changes,
        reads_from=reads_from,
    )


async def get_uow(
    request: Request,
    factory: Annotated[sessionmaker[Session], Depends(get_session_factory)],
    audit_keys: Annotated[AuditKeys, Depends(get_audit_keys)],
) -> AsyncIterator[SqlUnitOfWork]:
    uow = unit_of_work(request, factory, audit_keys)
    try:
        yield uow
    finally:
        if uow.is_open:  # services close their own; a session left open is closed off the loop
            await run_in_threadpool(uow.close)


async def get_report_uow(
    request: Request,
    factory: Annotated[sessionmaker[Session], Depends(get_session_factory)],
    audit_keys: Annotated[AuditKeys, Depends(get_audit_keys)],
) -> AsyncIterator[SqlUnitOfWork]:
    """A unit of work for a report (or the timeliness summary): with FAMILYHUB_READ_REPLICA_URL
    set, its queries read on the replica while its audit entries are written to the primary,
    committed in the same use case; unset, the same as `get_uow`."""
    uow = unit_of_work(
        request, factory, audit_keys, reads_from=request.app.state.replica_session_factory
    )
    try:
        yield uow
    finally:
        if uow.is_open:
            await run_in_threadpool(uow.close)


async def get_new_uow(
    request: Request,
    factory: Annotated[sessionmaker[Session], Depends(get_session_factory)],
    audit_keys: Annotated[AuditKeys, Depends(get_audit_keys)],
) -> Callable[[], SqlUnitOfWork]:
    """Fresh units of work, for a response that reads as it streams (after the route returns):
    each is a use case of its own, which commits its audit entries like the request's."""
    return lambda: unit_of_work(request, factory, audit_keys)


async def get_clock(settings: Annotated[Settings, Depends(get_settings)]) -> Clock:
    return SystemClock(ZoneInfo(settings.timezone))


SettingsDep = Annotated[Settings, Depends(get_settings)]
UowDep = Annotated[SqlUnitOfWork, Depends(get_uow)]
ReportUowDep = Annotated[SqlUnitOfWork, Depends(get_report_uow)]
NewUowDep = Annotated[Callable[[], SqlUnitOfWork], Depends(get_new_uow)]
ClockDep = Annotated[Clock, Depends(get_clock)]
