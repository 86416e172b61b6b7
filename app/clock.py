"""The only module that reads the wall clock. Everything else receives a Clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SystemClock:
    """Real time; 'today' is the date in the council's zone, not in UTC (midnight in BST matters)."""

    zone: ZoneInfo

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self.zone).date()


@dataclass
class FixedClock:
    """A clock that stands still until told to move; for tests and for replaying demo data."""

    instant: datetime
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))

    def now(self) -> datetime:
        return self.instant

    def today(self) -> date:
        return self.instant.astimezone(self.zone).date()
