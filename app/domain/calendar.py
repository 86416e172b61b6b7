"""Day counting for deadlines: working days (Mon-Fri minus bank holidays) or calendar days.

Deadlines are dates, not timestamps, so this module works on `date` only. Bank holidays come in
from outside (the services' `ReferenceData`, app/db/repositories/reference.py) because the domain
stays on the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.domain.errors import InvalidValue

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class DayBasis(StrEnum):
    """How a rule counts its days; seed-digest AMB-1 leaves the choice to policy, per rule."""

    WORKING = "working_days"
    CALENDAR = "calendar_days"


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days; bank holidays are data, so councils and tests can vary them."""

    bank_holidays: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a bank holiday (seed-digest AMB-1, working-days reading)."""
        return d.weekday() < _SATURDAY and d not in self.bank_holidays

    def add_working_days(self, start: date, n: int) -> date:
        """Step forward from day 0 (`start`) counting only working days.

        Counting from day 0 is seed-digest AMB-2 ("count the consent day as day 0"), so for n > 0
        the result is always a working day and for n == 0 it is `start` itself.
        """
        if n < 0:
            raise InvalidValue(
                "Cannot add a negative number of working days.",
                field="days",
                code="working_days_negative",
            )
        current = start
        remaining = n
        while remaining > 0:
            current += _ONE_DAY
            if self.is_working_day(current):
                remaining -= 1
        return current

    def add_days(self, start: date, n: int, basis: DayBasis) -> date:
        """Day `n` after day 0 (`start`) under the rule's basis (seed-digest AMB-1, AMB-2)."""
        if n < 0:
            raise InvalidValue(
                "Cannot add a negative number of days.", field="days", code="days_negative"
            )
        if basis == DayBasis.WORKING:
            return self.add_working_days(start, n)
        if basis == DayBasis.CALENDAR:
            return start + timedelta(days=n)
        raise _unknown_basis(basis)

    def days_between(self, start: date, end: date, basis: DayBasis) -> int:
        """Days after `start` up to and including `end`; negative when `end` is before `start`.

        The inverse of `add_days`, so a stored due date can be turned back into "day n".
        """
        if basis == DayBasis.CALENDAR:
            return (end - start).days
        if basis != DayBasis.WORKING:
            raise _unknown_basis(basis)
        if end < start:
            return -self._working_days_after(end, start)
        return self._working_days_after(start, end)

    def _working_days_after(self, start: date, end: date) -> int:
        # Weekdays in (start, end] by arithmetic, then minus the bank holidays on weekdays there,
        # so long spans cost no day-by-day loop.
        weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
        holidays = sum(
            1 for h in self.bank_holidays if start < h <= end and h.weekday() < _SATURDAY
        )
        return weekdays - holidays


def _unknown_basis(basis: object) -> InvalidValue:
    # A stray string must not fall through to calendar days: that would shorten deadlines silently.
    return InvalidValue(f"Unknown day basis {basis!r}.", field="basis", code="day_basis_unknown")


def _weekdays_up_to(d: date) -> int:
    """Mondays to Fridays from an arbitrary fixed origin up to and including `d`."""
    ordinal = d.toordinal()  # date(1, 1, 1) is ordinal 1 and a Monday
    full_weeks, extra = divmod(ordinal, 7)
    return full_weeks * 5 + min(extra, 5)
