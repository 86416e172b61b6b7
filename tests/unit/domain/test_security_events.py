"""The security events report's rules: which audit entries are events, what each one says, and the
period as whole days in the council's time zone."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.access import Role
from app.domain.audit import AuditEntry, entry_content
from app.domain.errors import InvalidValue
from app.domain.security_events import (
    MAX_REPORT_DAYS,
    AccessChange,
    ReportPeriod,
    SecurityEventKind,
    practitioners_named,
    report_period,
    security_event,
)

AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
ADMIN = uuid.UUID(int=1)
GRANTEE = uuid.UUID(int=2)
FAMILY = uuid.UUID(int=3)
LONDON = ZoneInfo("Europe/London")
ZONES = [LONDON, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC")]


def entry(action: str, **fields: object) -> AuditEntry:
    values: dict[str, object] = {
        "occurred_at": AT,
        "actor_id": ADMIN,
        "actor_roles": ["admin"],
        "action": action,
        "resource_type": "practitioner",
        "resource_id": str(GRANTEE),
        "outcome": "allowed",
    }
    values.update(fields)
    content = entry_content(**values)  # type: ignore[arg-type]
    return AuditEntry(**asdict(content), id=1)


NAMES = {ADMIN: "Abe Admin", GRANTEE: "Ada Admin"}
REFERENCES = {FAMILY: "FH-ABC234"}


def test_a_grant_names_the_role_and_whose_access_changed() -> None:
    action = AccessChange(SecurityEventKind.GRANT_ROLE, GRANTEE, Role.MANAGER).audit_action
    event = security_event(entry(action), names=NAMES, references=REFERENCES)
    assert (event.kind, event.role, event.practitioner_id) == (
        SecurityEventKind.GRANT_ROLE,
        Role.MANAGER,
        GRANTEE,
    )
    assert (event.actor_name, event.practitioner_name, event.family_reference) == (
        "Abe Admin",
        "Ada Admin",
        None,
    )


def test_a_deactivation_names_no_role() -> None:
    event = security_event(entry("deactivate_practitioner"), names=NAMES, references=REFERENCES)
    assert (event.kind, event.role, event.practitioner_name) == (
        SecurityEventKind.DEACTIVATE,
        None,
        "Ada Admin",
    )


def test_a_break_glass_read_names_the_family_and_keeps_the_reason() -> None:
    read = entry(
        "read_family",
        actor_id=GRANTEE,
        resource_type="family",
        resource_id=str(FAMILY),
        family_id=FAMILY,
        break_glass_reason="Police report of a child at risk",
    )
    event = security_event(read, names=NAMES, references=REFERENCES)
    assert (event.kind, event.role, event.practitioner_id, event.family_reference) == (
        SecurityEventKind.BREAK_GLASS_READ,
        None,
        None,
        "FH-ABC234",
    )
    assert event.entry.break_glass_reason == "Police report of a child at risk"
    assert practitioners_named([read]) == {GRANTEE}


def test_an_ordinary_read_is_not_a_security_event() -> None:
    with pytest.raises(ValueError):
        security_event(entry("read_family"), names=NAMES, references=REFERENCES)


def test_a_grant_needs_both_the_actors_and_the_grantees_names() -> None:
    grant = entry("grant_role:admin")
    assert practitioners_named([grant]) == {ADMIN, GRANTEE}


# --- the period ----------------------------------------------------------------------------------

days = st.dates(date(2000, 1, 1), date(2090, 12, 31))


@given(first=days, length=st.integers(1, MAX_REPORT_DAYS))
def test_a_period_of_up_to_366_days_is_accepted(first: date, length: int) -> None:
    last = first + timedelta(days=length - 1)
    assert report_period(first, last) == ReportPeriod(first, last)


@given(first=days, length=st.integers(MAX_REPORT_DAYS + 1, 5000))
def test_a_longer_period_is_refused_naming_its_end(first: date, length: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        report_period(first, first + timedelta(days=length - 1))
    assert refused.value.field == "to"
    assert "366 days" in refused.value.detail


@given(last=days, gap=st.integers(1, 1000))
def test_a_period_that_starts_after_it_ends_is_refused_naming_its_start(
    last: date, gap: int
) -> None:
    with pytest.raises(InvalidValue) as refused:
        report_period(last + timedelta(days=gap), last)
    assert refused.value.field == "from"


@given(
    first=days,
    length=st.integers(1, MAX_REPORT_DAYS),
    zone=st.sampled_from(ZONES),
    minutes=st.integers(-3 * 24 * 60, (MAX_REPORT_DAYS + 3) * 24 * 60),
)
def test_an_instant_is_in_the_period_exactly_when_its_day_in_the_zone_is(
    first: date, length: int, zone: ZoneInfo, minutes: int
) -> None:
    period = ReportPeriod(first, first + timedelta(days=length - 1))
    since, until = period.instants(zone)
    instant = datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=minutes)
    local_day = instant.astimezone(zone).date()
    assert (since <= instant < until) == (period.first_day <= local_day <= period.last_day)
    assert since.tzinfo is UTC
    assert until.tzinfo is UTC


def test_british_summer_time_moves_the_day_an_hour_earlier_in_utc() -> None:
    since, until = ReportPeriod(date(2025, 4, 1), date(2025, 4, 1)).instants(LONDON)
    assert (since, until) == (
        datetime(2025, 3, 31, 23, 0, tzinfo=UTC),
        datetime(2025, 4, 1, 23, 0, tzinfo=UTC),
    )
    # The day the clocks go forward is 23 hours long.
    since, until = ReportPeriod(date(2025, 3, 30), date(2025, 3, 30)).instants(LONDON)
    assert until - since == timedelta(hours=23)
