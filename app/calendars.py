"""Bank holiday calendars from the `holidays` package, kept here so the domain stays pure."""

from __future__ import annotations

from functools import lru_cache

import holidays

from app.domain.calendar import WorkingCalendar
from app.domain.errors import InvalidValue

DEFAULT_FIRST_YEAR = 2000
DEFAULT_LAST_YEAR = 2050


def england_and_wales_calendar(first_year: int, last_year: int) -> WorkingCalendar:
    """England and Wales bank holidays (with substitute days) for the years given, inclusive.

    The seeds are English councils (Blackpool, Cambridgeshire, Peterborough), so working days are
    counted against the England and Wales list (seed-digest AMB-1 worked example).
    """
    if last_year < first_year:
        raise InvalidValue("The last year must not be before the first year.", field="last_year")
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return WorkingCalendar(bank_holidays=frozenset(found.keys()))


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    """England and Wales bank holidays 2000-2050, built once because the package computes them."""
    return england_and_wales_calendar(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR)
