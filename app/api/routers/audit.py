"""The access log of a family's record: what a subject access request or a complaint needs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.schemas.base import PageOf
from app.domain.access import Action
from app.domain.errors import Forbidden, InvalidValue, NotFound
from app.services import audit as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1", tags=["audit"])


class AccessLogEntryRead(BaseModel):
    sequence: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    actor_roles: list[str]
    action: str = Field(description="What was done or attempted (read_family, write_episode ...).")
    resource_type: str
    resource_id: str | None
    outcome: str = Field(
        description="allowed or denied by the access rules; refused (by the process, after the"
        " access rules allowed it) or failed."
    )
    problem_code: str | None = Field(
        default=None, description="For refused or failed: the problem's code (StaleVersion ...)."
    )
    break_glass_reason: str | None = Field(
        description="The reason given when a record was opened by break glass."
    )
    request_id: str | None


@router.get(
    "/families/{family_id}/access-log",
    response_model=PageOf[AccessLogEntryRead],
    responses=problems.responses(NotFound, Forbidden, InvalidValue),
    operation_id="getFamilyAccessLog",
)
def family_access_log(
    family_id: uuid.UUID,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_ACCESS_LOG)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PageOf[AccessLogEntryRead]:
    """Managers: who has seen or changed this family's record, when and why, newest first."""
    log = service.access_log(uow, clock, actor, family_id, page_request(limit, cursor))
    link_next(request, response, log.entries.next_cursor)
    return PageOf[AccessLogEntryRead](
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
                outcome=e.outcome,
                problem_code=e.problem_code,
                break_glass_reason=e.break_glass_reason,
                request_id=e.request_id,
            )
            for e in log.entries.items
        ],
        next_cursor=log.entries.next_cursor,
    )
