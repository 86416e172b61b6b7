"""Security events: changes to who may do what, and records opened by break glass.

They sit in the audit trail among every other access; this module names them, so what is recorded
and what the managers' report finds always agree:

- a role granted or revoked is the action `grant_role:<role>` or `revoke_role:<role>`, one entry
  per role, with the practitioner whose access changed as the resource (the audit trail has no
  column for the role, and one entry per role keeps each grant a fact of its own);
- a practitioner switched off or back on is `deactivate_practitioner` / `reactivate_practitioner`;
- a break-glass read is any entry carrying a break-glass reason (only break glass records one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from uuid import UUID

from app.domain.access import Role
from app.domain.audit import AuditEntry
from app.domain.errors import InvalidValue

MAX_REPORT_DAYS = 366
"""Days (inclusive) one security events report may cover: a year, leap or not."""


class SecurityEventKind(StrEnum):
    GRANT_ROLE = "grant_role"
    """A role was added to someone's roles (at registration or later)."""
    REVOKE_ROLE = "revoke_role"
    """A role was taken away."""
    DEACTIVATE = "deactivate_practitioner"
    """Someone was switched off: they can no longer sign in."""
    REACTIVATE = "reactivate_practitioner"
    """Someone was switched back on."""
    BREAK_GLASS_READ = "break_glass_read"
    """A family or episode was read outside the reader's relationships, with a reason."""


ROLE_CHANGES = frozenset({SecurityEventKind.GRANT_ROLE, SecurityEventKind.REVOKE_ROLE})
ACTIVATION_CHANGES = frozenset({SecurityEventKind.DEACTIVATE, SecurityEventKind.REACTIVATE})

PRACTITIONER_RESOURCE = "practitioner"
"""The audit resource type of an access change: the practitioner whose access changed."""

_ROLE_SEPARATOR = ":"


@dataclass(frozen=True)
class AccessChange:
    """One change to what a practitioner may do: a role granted or revoked, or the active flag."""

    kind: SecurityEventKind
    practitioner_id: UUID
    role: Role | None = None

    def __post_init__(self) -> None:
        if (self.kind in ROLE_CHANGES) != (self.role is not None):
            raise ValueError(f"{self.kind} {'needs' if self.role is None else 'takes no'} role")
        if self.kind is SecurityEventKind.BREAK_GLASS_READ:
            raise ValueError("a break-glass read changes nobody's access")

    @property
    def audit_action(self) -> str:
        if self.role is None:
            return self.kind.value
        return f"{self.kind.value}{_ROLE_SEPARATOR}{self.role.value}"


ACCESS_CHANGE_ACTIONS: frozenset[str] = frozenset(
    {f"{kind.value}{_ROLE_SEPARATOR}{role.value}" for kind in sorted(ROLE_CHANGES) for role in Role}
    | {kind.value for kind in ACTIVATION_CHANGES}
)
"""Every audit action an access change is recorded under (the report filters on these)."""


@dataclass(frozen=True)
class SecurityEvent:
    """An audit entry as the security events report shows it, with the names it points at."""

    entry: AuditEntry
    kind: SecurityEventKind
    role: Role | None
    practitioner_id: UUID | None
    """Whose access changed (role and activation changes); None for break-glass reads."""
    actor_name: str | None
    practitioner_name: str | None
    family_reference: str | None


def _change_of(action: str) -> tuple[SecurityEventKind, Role | None] | None:
    if action not in ACCESS_CHANGE_ACTIONS:
        return None
    kind, _, role = action.partition(_ROLE_SEPARATOR)
    return SecurityEventKind(kind), Role(role) if role else None


def _uuid_or_none(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value is not None else None
    except ValueError:
        return None


def _kind_role_and_subject(
    entry: AuditEntry,
) -> tuple[SecurityEventKind, Role | None, UUID | None]:
    change = _change_of(entry.action)
    if change is not None:
        kind, role = change
        return kind, role, _uuid_or_none(entry.resource_id)
    if entry.break_glass_reason is not None:
        return SecurityEventKind.BREAK_GLASS_READ, None, None
    raise ValueError(f"audit entry {entry.id} is not a security event")


def practitioners_named(entries: Iterable[AuditEntry]) -> set[UUID]:
    """Whose names a page of events needs: the actors and the practitioners whose access changed."""
    named: set[UUID] = set()
    for entry in entries:
        if entry.actor_id is not None:
            named.add(entry.actor_id)
        _kind, _role, subject = _kind_role_and_subject(entry)
        if subject is not None:
            named.add(subject)
    return named


def security_event(
    entry: AuditEntry, *, names: Mapping[UUID, str], references: Mapping[UUID, str]
) -> SecurityEvent:
    """`entry` (a security event) with the practitioners' names and the family's reference."""
    kind, role, subject = _kind_role_and_subject(entry)
    return SecurityEvent(
        entry=entry,
        kind=kind,
        role=role,
        practitioner_id=subject,
        actor_name=names.get(entry.actor_id) if entry.actor_id is not None else None,
        practitioner_name=names.get(subject) if subject is not None else None,
        family_reference=references.get(entry.family_id) if entry.family_id is not None else None,
    )


# --- the report's period -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    """Whole days in the council's time zone, first and last included."""

    first_day: date
    last_day: date

    def instants(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The UTC instants [since, until) that fall on the period's days in `zone`.

        An audit time is an instant; "the 1st of April" is a day in the council's zone, which in
        British Summer Time starts at 23:00 UTC the day before.
        """
        return _start_of(self.first_day, zone), _start_of(self.last_day + timedelta(days=1), zone)


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def report_period(first_day: date, last_day: date) -> ReportPeriod:
    if first_day > last_day:
        raise InvalidValue(
            "The period cannot start after it ends.", field="from", code="period_start_after_end"
        )
    if (last_day - first_day).days + 1 > MAX_REPORT_DAYS:
        raise InvalidValue(
            f"The security events report covers at most {MAX_REPORT_DAYS} days; "
            "ask for a shorter period.",
            field="to",
            code="period_too_long",
        )
    return ReportPeriod(first_day, last_day)
