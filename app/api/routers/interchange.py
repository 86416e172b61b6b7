"""A caseload in and out (issue 18 §3-4): the admin's import and export, in the interchange
format (docs/import-export.md). Large files go through `familyhub import`: a request body is
limited to FAMILYHUB_MAX_BODY_BYTES."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, NewUowDep, SettingsDep, UowDep
from app.api.schemas.interchange import ImportRead
from app.domain.access import Action
from app.domain.errors import Forbidden, InvalidValue, NotFound
from app.services import interchange as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1", tags=["import-export"])

NDJSON = "application/x-ndjson"
NDJSON_EXAMPLE = (
    '{"format_version": 1, "external_ref": "EHM-000123", "address": {"line1": "12 Cedar Road", '
    '"postcode": "FY1 3HT"}, "hub": "NORTH", "people": [...], "episodes": [...]}\n'
)
"""A line of the interchange format, shortened (docs/interchange.schema.json has all of it)."""


@router.post(
    "/imports",
    response_model=ImportRead,
    responses=problems.responses(Forbidden, InvalidValue),
    operation_id="importHouseholds",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Interchange JSON Lines: one household a line (docs/interchange.schema.json).",
            "content": {NDJSON: {"schema": {"type": "string"}, "example": NDJSON_EXAMPLE}},
        }
    },
)
async def import_households(
    request: Request,
    new_uow: NewUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.IMPORT_RECORDS)],
    dry_run: Annotated[bool, Query(description="Check every line and write nothing.")] = False,
) -> ImportRead:
    """Admins only: import households, each whole or not at all; lines already imported (by
    `external_ref`) create nothing. Every problem is listed by line and field path."""
    from starlette.concurrency import run_in_threadpool

    body = await request.body()
    summary = await run_in_threadpool(
        service.run_import,
        new_uow,
        clock,
        actor,
        body.splitlines(),
        dry_run=dry_run,
        levels=settings.early_help_levels,
        consistent=settings.consistent_identifier_scheme,
    )
    return ImportRead.from_domain(summary)


@router.get(
    "/exports",
    responses={
        200: {
            "description": "Interchange JSON Lines, one household a line, streamed.",
            "content": {NDJSON: {"schema": {"type": "string"}, "example": NDJSON_EXAMPLE}},
        },
        **problems.responses(Forbidden, NotFound),
    },
    response_class=StreamingResponse,
    operation_id="exportHouseholds",
)
def export_households(
    uow: UowDep,
    new_uow: NewUowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.EXPORT_RECORDS)],
    family_id: Annotated[uuid.UUID | None, Query(description="One household.")] = None,
    hub_id: Annotated[uuid.UUID | None, Query(description="Every household of one hub.")] = None,
) -> StreamingResponse:
    """Admins only: households in the interchange format (all of them without a filter), each
    carrying its lawful-basis note and audited as disclosed."""
    if family_id is not None and hub_id is not None:
        raise InvalidValue(
            "Give family_id or hub_id, not both.", field="hub_id", code="export_scope_ambiguous"
        )
    service.begin_export(uow, clock, actor, family_id=family_id, hub_id=hub_id)

    def lines() -> Iterator[bytes]:
        for household in service.export_households(
            new_uow, clock, actor, family_id=family_id, hub_id=hub_id
        ):
            yield (json.dumps(household, separators=(",", ":")) + "\n").encode()

    return StreamingResponse(
        lines(),
        media_type=NDJSON,
        headers={"Content-Disposition": 'attachment; filename="familyhub-export.jsonl"'},
    )
