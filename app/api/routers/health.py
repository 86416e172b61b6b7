"""Liveness and readiness for load balancers and container orchestration."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import READ_ONLY_OPTION
from app.db.migrations_state import is_at_head

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    migrations: str


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
