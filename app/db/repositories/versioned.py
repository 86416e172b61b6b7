"""Saving an aggregate is a compare-and-swap on the version it was read at."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from app.domain.errors import StaleVersion


class _Versioned(Protocol):
    version: Any


R = TypeVar("R", bound=_Versioned)


def row_to_save(session: Session, model: type[R], key: Any, version: int) -> R:
    """The stored row of an aggregate about to be saved, still at the version the aggregate was read at.

    The session holds the rows it loaded only weakly, so by the time a service saves, the row is
    often read again, and under READ COMMITTED that second read already shows a concurrent writer's
    committed change. Comparing with the version the aggregate carries (the one the client's
    If-Match was checked against) keeps the mapper's `UPDATE ... WHERE version = n` a true
    compare-and-swap: of two concurrent writers exactly one wins, the other gets StaleVersion (412).
    """
    row = session.get(model, key)
    if row is None:
        raise LookupError(key)
    if row.version != version:
        raise StaleVersion.changed_elsewhere()
    return row
