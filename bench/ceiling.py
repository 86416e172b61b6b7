"""The ceiling: the service's own stack with nothing of the service in it, served beside it.

What one request of the bare stack costs on this machine, measured in the same minutes as the
service, so each scenario can be reported as a share of it (issue 16, bench/RESULTS.md):

- uvicorn with 2 workers, FastAPI, a Pydantic v2 response model;
- an HS256 bearer check with python-jose (signature, expiry, issuer and audience; the same
  tokens the service accepts, made with the same secret);
- one indexed read of the same episode rows (`episodes` by primary key), with SQLAlchemy Core
  on psycopg 3;
- an audit INSERT and a commit per request, in the read's transaction, into a table shaped and
  indexed like `audit_entries` (`bench_ceiling_audit`, made at start-up, so the service's own
  audit chain is left alone).

No access rules, no practitioner lookup, no deadlines, no ETag: the figure is what a request
costs before the service does anything of its own.

    bench/run.sh starts it; by hand (same environment as `familyhub serve`):
    .venv/bin/uvicorn bench.ceiling:app --workers 2 --port 18766 --no-access-log
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException
from jose import JWTError, jwt
from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    create_engine,
    insert,
    select,
)
from sqlalchemy.types import Date, DateTime

from app.settings import Settings

PREFIX = "/ceiling"

metadata = MetaData()
episodes = Table(
    "episodes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("family_id", Uuid),
    Column("hub_id", Uuid),
    Column("source", String(40)),
    Column("level_of_need", String(16)),
    Column("lead_practitioner_id", Uuid),
    Column("requested_on", Date),
    Column("stage", String(32)),
    Column("consent_given_on", Date),
    Column("plan_submitted_on", Date),
    Column("meetings_held", BigInteger),
    Column("last_meeting_on", Date),
    Column("closed_on", Date),
    Column("closure_reason", String(48)),
    Column("version", BigInteger),
)
"""The columns of the real `episodes` table the read returns (the table is not created here)."""

audit = Table(
    "bench_ceiling_audit",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Uuid),
    Column("actor_roles", JSON, nullable=False),
    Column("action", String(64), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_id", String(64)),
    Column("family_id", Uuid),
    Column("request_id", String(100)),
    Column("outcome", String(16), nullable=False),
    Column("break_glass_reason", Text),
    Column("problem_code", String(64)),
    Index("ix_bench_ceiling_audit_family_id_id", "family_id", "id"),
    Index("ix_bench_ceiling_audit_actor_id_id", "actor_id", "id"),
)
"""Shaped and indexed like `audit_entries` (app/db/models.py), without the chain's columns."""

_READ = select(*episodes.c).where(episodes.c.id == bindparam("episode_id"))
_AUDIT = insert(audit)
"""Built once, as the service builds its hot statements."""


class EpisodeOut(BaseModel):
    id: uuid.UUID
    family_id: uuid.UUID
    hub_id: uuid.UUID
    source: str
    level_of_need: str
    lead_practitioner_id: uuid.UUID
    requested_on: date
    stage: str
    consent_given_on: date | None
    plan_submitted_on: date | None
    meetings_held: int
    last_meeting_on: date | None
    closed_on: date | None
    closure_reason: str | None
    version: int


settings = Settings()
engine = create_engine(
    settings.database_url,
    pool_size=10,  # as the service's engine (app/db/engine.py)
    max_overflow=10,
)
metadata.create_all(engine, tables=[audit], checkfirst=True)
_secret = settings.auth_hs256_secret.get_secret_value() if settings.auth_hs256_secret else ""

app = FastAPI(title="familyhub ceiling", openapi_url=None, docs_url=None, redoc_url=None)


def bearer(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """An HS256 bearer check: signature, expiry, issuer and audience."""
    if authorization is None or not authorization.startswith("Bearer "):
        raise HTTPException(401, "a bearer token is required")
    try:
        claims: dict[str, Any] = jwt.decode(
            authorization.removeprefix("Bearer "),
            _secret,
            algorithms=["HS256"],
            audience=settings.auth_audience,
            issuer=settings.auth_issuer,
        )
    except JWTError as exc:
        raise HTTPException(401, "bad token") from exc
    return claims


@app.get(PREFIX + "/episodes/{episode_id}", response_model=EpisodeOut)
def read_episode(
    episode_id: uuid.UUID, claims: Annotated[dict[str, Any], Depends(bearer)]
) -> EpisodeOut:
    with engine.begin() as conn:  # one transaction: the read, the audit entry, one commit
        row = conn.execute(_READ, {"episode_id": episode_id}).first()
        conn.execute(
            _AUDIT,
            {
                "occurred_at": datetime.now(UTC),
                "actor_id": None,
                "actor_roles": ["practitioner"],
                "action": "read_episode",
                "resource_type": "episode",
                "resource_id": str(episode_id),
                "family_id": row.family_id if row is not None else None,
                "request_id": str(claims.get("sub"))[:100],
                "outcome": "allowed" if row is not None else "denied",
                "break_glass_reason": None,
                "problem_code": None,
            },
        )
    if row is None:
        raise HTTPException(404, "There is no episode with this id.")
    return EpisodeOut.model_validate(row._mapping)


@app.get("/ready")
def ready() -> dict[str, str]:
    return {"status": "ready"}
