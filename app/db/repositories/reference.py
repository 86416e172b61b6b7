"""Reference data: the hubs and agencies every record points at, and what the rules are applied
with (the working-day calendar, the outcome headlines, the Supporting Families framework).

The packaged data (app/data/*.json, the `holidays` package's bank holidays) is read once per
process; the framework an admin uploaded is read from the database in the caller's transaction.
"""

from __future__ import annotations

import copy
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AgencyRow, HubRow, SfFrameworkRow
from app.db.repositories.census_codes import packaged_census_codes
from app.domain.calendar import WorkingCalendar
from app.domain.errors import InvalidValue
from app.domain.outcomes_framework import (
    FrameworkCatalogue,
    Headline,
    parse_framework,
    parse_headline_list,
)
from app.services.ports import Agency, Hub

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
HEADLINES_FILE = DATA_DIR / "outcome_framework.json"
FRAMEWORK_FILE = DATA_DIR / "supporting_families_framework.json"

CALENDAR_FIRST_YEAR = 2000
CALENDAR_LAST_YEAR = 2050


def _hub(row: HubRow) -> Hub:
    return Hub(
        id=row.id, code=row.code, name=row.name, neighbourhood=row.neighbourhood, active=row.active
    )


class SqlReferenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def hubs(self, *, include_inactive: bool = False) -> list[Hub]:
        stmt = select(HubRow).order_by(HubRow.code)
        if not include_inactive:
            stmt = stmt.where(HubRow.active.is_(True))
        return [_hub(r) for r in self._session.scalars(stmt)]

    def hub(self, hub_id: uuid.UUID) -> Hub | None:
        row = self._session.get(HubRow, hub_id)
        return _hub(row) if row else None

    def hub_by_code(self, code: str) -> Hub | None:
        row = self._session.scalar(select(HubRow).where(HubRow.code == code))
        return _hub(row) if row else None

    def add_hub(self, hub: Hub) -> None:
        self._session.add(
            HubRow(
                id=hub.id,
                code=hub.code,
                name=hub.name,
                neighbourhood=hub.neighbourhood,
                active=hub.active,
            )
        )

    def agencies(self, *, include_inactive: bool = False) -> list[Agency]:
        stmt = select(AgencyRow).order_by(AgencyRow.code)
        if not include_inactive:
            stmt = stmt.where(AgencyRow.active.is_(True))
        return [
            Agency(code=r.code, name=r.name, kind=r.kind, active=r.active)
            for r in self._session.scalars(stmt)
        ]

    def agency_codes(self) -> set[str]:
        return set(self._session.scalars(select(AgencyRow.code).where(AgencyRow.active.is_(True))))

    def add_agency(self, agency: Agency) -> None:
        self._session.add(
            AgencyRow(code=agency.code, name=agency.name, kind=agency.kind, active=agency.active)
        )


# --- what the rules are applied with --------------------------------------------------------------


def england_and_wales_calendar(first_year: int, last_year: int) -> WorkingCalendar:
    """England and Wales bank holidays (with substitute days) for the years given, inclusive.

    The seeds are English councils (Blackpool, Cambridgeshire, Peterborough), so working days are
    counted against the England and Wales list (seed-digest AMB-1 worked example).
    """
    if last_year < first_year:
        raise InvalidValue(
            "The last year must not be before the first year.",
            field="last_year",
            code="programme_years_reversed",
        )
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return WorkingCalendar(bank_holidays=frozenset(found.keys()))


@lru_cache(maxsize=1)
def packaged_calendar() -> WorkingCalendar:
    """England and Wales bank holidays 2000-2050, built once because the package computes them."""
    return england_and_wales_calendar(CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR)


@lru_cache(maxsize=1)
def packaged_headlines() -> tuple[Headline, ...]:
    """The shipped headline list, validated on first use (a bad file names the field)."""
    return parse_headline_list(json.loads(HEADLINES_FILE.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def packaged_headline_codes() -> frozenset[str]:
    return frozenset(h.code for h in packaged_headlines())


def load_framework(path: Path) -> FrameworkCatalogue:
    """Read and validate a framework file (UTF-8 JSON)."""
    return parse_framework(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _packaged_framework_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    return document


def packaged_framework_document() -> dict[str, Any]:
    """The shipped framework document (a copy each time: callers may change theirs)."""
    return copy.deepcopy(_packaged_framework_document())


@lru_cache(maxsize=1)
def packaged_framework() -> FrameworkCatalogue:
    """The shipped framework, validated once per process (a bad file names the field)."""
    return parse_framework(_packaged_framework_document())


@lru_cache(maxsize=16)
def _parsed_framework(canonical_json: str) -> FrameworkCatalogue:
    """Validating a framework document takes milliseconds and every worklist needs one; uploaded
    versions never change, so each distinct document is parsed once per process."""
    return parse_framework(json.loads(canonical_json))


class SqlReferenceData:
    """The packaged reference data, and the council's uploaded framework where there is one."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def calendar(self) -> WorkingCalendar:
        return packaged_calendar()

    def outcome_headlines(self) -> tuple[Headline, ...]:
        return packaged_headlines()

    def headline_codes(self) -> frozenset[str]:
        return packaged_headline_codes()

    def disability_codes(self) -> frozenset[str]:
        return packaged_census_codes().disabilities

    def framework(self) -> FrameworkCatalogue:
        newest = self._session.scalar(
            select(SfFrameworkRow.document).order_by(SfFrameworkRow.version.desc()).limit(1)
        )
        if newest is None:
            return packaged_framework()
        return _parsed_framework(json.dumps(newest, sort_keys=True))

    def shipped_framework_document(self) -> dict[str, Any]:
        return packaged_framework_document()
