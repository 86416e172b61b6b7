"""Liveness and readiness for load balancers and container orchestration."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import READ_ONLY_OPTION
from app.db.migrations_state import is_at_head

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process is up."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"] = Field(description="Always `ok` when the process answers.")


DatabaseState = Literal["ok", "unreachable"]
MigrationsState = Literal["ok", "behind", "unknown"]


class Readiness(BaseModel):
    """Whether the service can serve requests: the database answers, its schema is current."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ok", "database": "ok", "migrations": "ok"}]}
    )

    status: Literal["ok", "unavailable"] = Field(description="`ok` when both checks pass.")
    database: DatabaseState = Field(description="Whether the database answers.")
    migrations: MigrationsState = Field(
        description="Whether the schema is at the newest migration (unknown without a database)."
    )


@router.get("/health", response_model=Health, operation_id="getHealth")
def health() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready"}},
    operation_id="getReadiness",
)
def ready(request: Request) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    engine = request.app.state.engine
    database: DatabaseState
    migrations: MigrationsState
    try:
        with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
        migrations = "ok" if is_at_head(engine) else "behind"
    except SQLAlchemyError:
        database, migrations = "unreachable", "unknown"
    ok = database == "ok" and migrations == "ok"
    body = Readiness(status="ok" if ok else "unavailable", database=database, migrations=migrations)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
