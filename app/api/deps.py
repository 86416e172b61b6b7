"""Annotated dependencies: the composition root where the db layer meets the services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from app.clock import SystemClock
from app.db.unit_of_work import SqlUnitOfWork
from app.services.ports import Clock
from app.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_uow(
    factory: Annotated[sessionmaker[Session], Depends(get_session_factory)],
) -> Iterator[SqlUnitOfWork]:
    uow = SqlUnitOfWork(factory)
    try:
        yield uow
    finally:
        uow.close()


def get_clock(settings: Annotated[Settings, Depends(get_settings)]) -> Clock:
    return SystemClock(ZoneInfo(settings.timezone))


SettingsDep = Annotated[Settings, Depends(get_settings)]
UowDep = Annotated[SqlUnitOfWork, Depends(get_uow)]
ClockDep = Annotated[Clock, Depends(get_clock)]
