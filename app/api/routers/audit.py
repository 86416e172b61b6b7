"""The access log of a family's record: what a subject access request or a complaint needs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import FamilyId
from app.api.schemas import examples as ex
from app.api.schemas.base import PageOf
from app.api.schemas.security_events import AuditOutcomeName, audit_outcome
from app.domain.access import Action
from app.domain.errors import Forbidden, InvalidValue, NotFound
from app.services import audit as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1", tags=["audit"])


class AccessLogEntryRead(BaseModel):
    """One audited request touching the family's record."""

    model_config = ConfigDict(
        json_schema_serialization_defaults_required=True,
        json_schema_extra=ex.examples(
            {
                "sequence": 18342,
                "occurred_at": "2026-02-17T14:32:05Z",
                "actor_id": ex.LEAD,
                "actor_name": "Priya Shah",
                "actor_roles": ["practitioner"],
                "action": "write_episode",
                "resource_type": "episode",
                "resource_id": ex.EPISODE,
                "outcome": "refused",
                "problem_code": "stale_version",
                "break_glass_reason": None,
                "request_id": ex.REQUEST_ID,
            }
        ),
    )

    sequence: int = Field(description="The entry's place in the audit trail.")
    occurred_at: datetime = Field(description="When it happened (UTC).")
    actor_id: uuid.UUID | None = Field(description="Who did it; null for the system.")
    actor_name: str | None = Field(description="Their name in the practitioner directory.")
    actor_roles: list[str] = Field(description="The roles (Role) they held at the time.")
    action: str = Field(
        description="What was done or attempted (an Action at the time: read_family, "
        "write_episode ...)."
    )
    resource_type: str = Field(description="What it touched: family, episode, plan ...")
    resource_id: str | None = Field(description="The id of what it touched.")
    outcome: AuditOutcomeName = Field(
        description="allowed or denied by the access rules; refused (by the process, after the"
        " access rules allowed it) or failed."
    )
    problem_code: str | None = Field(
        default=None, description="For refused or failed: the problem's code (stale_version ...)."
    )
    break_glass_reason: str | None = Field(
        description="The reason given when a record was opened by break glass."
    )
    request_id: str | None = Field(description="The request's id, to find it in the logs.")


class AccessLogPage(PageOf[AccessLogEntryRead]):
    """One page of the access log, newest first."""


@router.get(
    "/families/{family_id}/access-log",
    response_model=AccessLogPage,
    responses=problems.responses(NotFound, Forbidden, InvalidValue),
    operation_id="getFamilyAccessLog",
)
def family_access_log(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_ACCESS_LOG)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AccessLogPage:
    """Managers: who has seen or changed this family's record, when and why, newest first."""
    log = service.access_log(uow, clock, actor, family_id, page_request(limit, cursor))
    link_next(request, response, log.entries.next_cursor)
    return AccessLogPage(
        items=[
            AccessLogEntryRead(
                sequence=e.id,
                occurred_at=e.occurred_at,
                actor_id=e.actor_id,
                actor_name=log.actors[e.actor_id].name if e.actor_id in log.actors else None,
                actor_roles=list(e.actor_roles),
                action=e.action,
                resource_type=e.resource_type,
                resource_id=e.resource_id,
                outcome=audit_outcome(e.outcome),
                problem_code=e.problem_code,
                break_glass_reason=e.break_glass_reason,
                request_id=e.request_id,
            )
            for e in log.entries.items
        ],
        next_cursor=log.entries.next_cursor,
    )
