"""Liveness and readiness for load balancers and container orchestration."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, text
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
ReplicaState = Literal["ok", "unreachable", "not_configured"]


class Readiness(BaseModel):
    """Whether the service can serve requests: the database answers, its schema is current, and
    the read replica the reports read from (if one is configured) answers too."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "database": "ok",
                    "migrations": "ok",
                    "read_replica": "not_configured",
                }
            ]
        }
    )

    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="`ok` when every check passes; `degraded` (still 200) when only the read "
        "replica is unreachable; `unavailable` (503) when the database is unreachable or behind."
    )
    database: DatabaseState = Field(description="Whether the database answers.")
    migrations: MigrationsState = Field(
        description="Whether the schema is at the newest migration (unknown without a database)."
    )
    read_replica: ReplicaState = Field(
        description="Whether the read replica (`FAMILYHUB_READ_REPLICA_URL`) answers; "
        "`not_configured` without one. Unreachable, the reports and the timeliness summary "
        "answer 503 while the rest of the service carries on, so the instance stays ready."
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
    """The database answers, its schema is at the newest migration, and the read replica (when
    one is configured) answers."""
    engine = request.app.state.engine
    database: DatabaseState
    migrations: MigrationsState
    if _answers(engine):
        database = "ok"
        try:
            migrations = "ok" if is_at_head(engine) else "behind"
        except SQLAlchemyError:
            database, migrations = "unreachable", "unknown"
    else:
        database, migrations = "unreachable", "unknown"
    replica_engine: Engine | None = request.app.state.replica_engine
    read_replica: ReplicaState = (
        "not_configured"
        if replica_engine is None
        else "ok"
        if _answers(replica_engine)
        else "unreachable"
    )
    ok = database == "ok" and migrations == "ok"
    body = Readiness(
        status="unavailable" if not ok else "degraded" if read_replica == "unreachable" else "ok",
        database=database,
        migrations=migrations,
        read_replica=read_replica,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


def _answers(engine: Engine) -> bool:
    """One trivial read in a read-only transaction (on SQLite it waits for no writer)."""
    try:
        with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
