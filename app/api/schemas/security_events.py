"""Shape of the security events report: one row per event, the same columns in JSON and CSV."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Literal, cast

from pydantic import ConfigDict, Field

from app.api.schemas import examples as ex
from app.api.schemas.base import PageOf, ReadSchema
from app.domain.access import Role
from app.domain.security_events import SecurityEvent, SecurityEventKind

AuditOutcomeName = Literal["allowed", "denied", "refused", "failed"]
"""How an audited request ended (app/domain/audit.py: OUTCOME_*)."""


def audit_outcome(outcome: str) -> AuditOutcomeName:
    if outcome not in ("allowed", "denied", "refused", "failed"):
        raise ValueError(f"an audit entry cannot end {outcome!r}")
    return cast(AuditOutcomeName, outcome)


class SecurityEventRead(ReadSchema):
    """One security event: a role granted or revoked, a practitioner (de)activated, or a record
    read by break glass."""

    model_config = ConfigDict(
        json_schema_extra=ex.examples(
            {
                "sequence": 18342,
                "occurred_at": "2026-02-17T14:32:05Z",
                "event": "break_glass_read",
                "outcome": "allowed",
                "actor_id": ex.MANAGER,
                "actor_name": "Mo Patel",
                "actor_roles": ["manager"],
                "practitioner_id": None,
                "practitioner_name": None,
                "role": None,
                "family_id": ex.FAMILY,
                "family_reference": ex.FAMILY_REFERENCE,
                "resource_type": "family",
                "resource_id": ex.FAMILY,
                "break_glass_reason": "Police called about the children; lead is off sick today.",
                "request_id": ex.REQUEST_ID,
            }
        )
    )

    sequence: int = Field(
        description="The event's place in the audit trail; the report runs newest first by it."
    )
    occurred_at: datetime = Field(description="When it happened (UTC).")
    event: SecurityEventKind = Field(
        description="What happened: a role granted or revoked, a practitioner deactivated or "
        "reactivated, or a record read by break glass."
    )
    outcome: AuditOutcomeName = Field(
        description="`allowed`, or `denied` for a refused attempt (someone changing their own "
        "roles); a break-glass request refused later by the process is `refused` (or `failed`)."
    )
    actor_id: uuid.UUID | None = Field(description="Who did it (or tried to).")
    actor_name: str | None = Field(description="Their name in the practitioner directory.")
    actor_roles: list[str] = Field(description="The roles they held at the time.")
    practitioner_id: uuid.UUID | None = Field(
        description="Whose roles or active flag changed; null for a break-glass read."
    )
    practitioner_name: str | None = Field(
        description="Their name in the practitioner directory; null for a break-glass read."
    )
    role: Role | None = Field(description="The role granted or revoked; null for other events.")
    family_id: uuid.UUID | None = Field(
        description="The family whose record was read by break glass; null for other events."
    )
    family_reference: str | None = Field(description="That family's reference.")
    resource_type: str = Field(
        description="What the event touched: `practitioner`, or the `family` or `episode` read."
    )
    resource_id: str | None = Field(description="The id of what the event touched.")
    break_glass_reason: str | None = Field(
        description="The reason given for reading by break glass; null for other events."
    )
    request_id: str | None = Field(description="The request's id, to find it in the logs.")

    @classmethod
    def from_domain(cls, event: SecurityEvent) -> SecurityEventRead:
        entry = event.entry
        return cls(
            sequence=entry.id,
            occurred_at=entry.occurred_at,
            event=event.kind,
            outcome=audit_outcome(entry.outcome),
            actor_id=entry.actor_id,
            actor_name=event.actor_name,
            actor_roles=list(entry.actor_roles),
            practitioner_id=event.practitioner_id,
            practitioner_name=event.practitioner_name,
            role=event.role,
            family_id=entry.family_id,
            family_reference=event.family_reference,
            resource_type=entry.resource_type,
            resource_id=entry.resource_id,
            break_glass_reason=entry.break_glass_reason,
            request_id=entry.request_id,
        )


SECURITY_EVENT_COLUMNS = tuple(SecurityEventRead.model_fields)

SECURITY_EVENTS_CSV_DESCRIPTION = (
    "Send `Accept: text/csv` for every event of the period (not one page: `limit` and `cursor` "
    "are ignored), streamed in the same order, one row per event with the JSON item's fields as "
    f"columns: `{','.join(SECURITY_EVENT_COLUMNS)}`. `actor_roles` is space-separated; an empty "
    "cell is a null."
)


def security_event_rows(events: Iterable[SecurityEvent]) -> Iterator[list[object]]:
    """The CSV rows: each event exactly as the JSON item shows it."""
    for event in events:
        item = SecurityEventRead.from_domain(event).model_dump(mode="json")
        item["actor_roles"] = " ".join(item["actor_roles"])
        yield [item[column] for column in SECURITY_EVENT_COLUMNS]


class SecurityEventPage(PageOf[SecurityEventRead]):
    """One page of security events."""
