"""Reference data: the hubs families belong to and the agencies consent can name."""

from __future__ import annotations

from app.services.ports import Agency, Hub, UnitOfWork


def list_hubs(uow: UnitOfWork) -> list[Hub]:
    with uow:
        return uow.reference.hubs()


def list_agencies(uow: UnitOfWork) -> list[Agency]:
    with uow:
        return uow.reference.agencies()
