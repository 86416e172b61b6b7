"""A record whose date the request may leave out: today (the council's) is only known inside the
use case, so the router hands over how to build the record from the day it happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from app.domain.step_dates import happened_on

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """`make(day)` builds the record; `given` is the request's date, `field` names it."""

    given: date | None
    field: str
    make: Callable[[date], T]

    def on(self, today: date) -> T:
        """The record dated as given, or today; a day after today is refused (issue 18 §1)."""
        return self.make(happened_on(self.given, today=today, field=self.field))


def resolve(value: T | Dated[T], today: date) -> T:
    """The record itself, or the one a `Dated` builds for today."""
    return value.on(today) if isinstance(value, Dated) else value
