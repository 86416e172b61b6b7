"""Idempotent creates: a retried POST with the same Idempotency-Key gets the first answer again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.deps import ClockDep, UowDep
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.errors import Conflict, IdempotencyKeyReused, InvalidValue
from app.services.ports import Clock, StoredResponse
from app.services.use_case import Actor, IdempotentRequest, Replayed

MAX_KEY_LENGTH = 200


@dataclass
class Created:
    body: BaseModel
    location: str
    etag: str | None = None
    status_code: int = 201
    extra_headers: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        headers = {"Location": self.location, **self.extra_headers}
        if self.etag:
            headers["ETag"] = self.etag
        return headers


@dataclass
class IdempotentCreate:
    uow: SqlUnitOfWork
    clock: Clock
    scope: str
    key: str | None

    def run(self, request_body: BaseModel | None, create: Callable[[], Created]) -> JSONResponse:
        if self.key is None:
            return self._respond(create())
        if not 1 <= len(self.key) <= MAX_KEY_LENGTH:
            raise InvalidValue(
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
                field="Idempotency-Key",
            )
        fingerprint = _fingerprint(request_body)
        with self.uow:
            stored = self.uow.idempotency.find(self.scope, self.key)
        if stored is not None:
            return self._replay(stored, fingerprint)
        try:
            with self.uow.deferred_commit():
                created = create()
                response = self._respond(created)
                self.uow.idempotency.remember(
                    self.scope,
                    self.key,
                    StoredResponse(
                        request_hash=fingerprint,
                        status_code=response.status_code,
                        body=jsonable_encoder(created.body),
                        headers=created.headers(),
                    ),
                    at=self.clock.now(),
                )
        except Conflict:
            # The same key committed first by a concurrent request: answer as that one did.
            self.uow.close()
            with self.uow:
                stored = self.uow.idempotency.find(self.scope, self.key)
            if stored is None:
                raise
            return self._replay(stored, fingerprint)
        finally:
            self.uow.close()
        return response

    @staticmethod
    def _respond(created: Created) -> JSONResponse:
        return JSONResponse(
            jsonable_encoder(created.body),
            status_code=created.status_code,
            headers=created.headers(),
        )

    @staticmethod
    def _replay(stored: StoredResponse, fingerprint: str) -> JSONResponse:
        if stored.request_hash != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different request; use a new key.",
                field="Idempotency-Key",
            )
        return JSONResponse(
            stored.body,
            status_code=stored.status_code,
            headers={**stored.headers, "Idempotent-Replayed": "true"},
        )


R = TypeVar("R")


@dataclass(frozen=True)
class Idempotency:
    """The request's Idempotency-Key, handed to the service so the answer is remembered in the
    same transaction as the work (app/services/use_case.py: `run_idempotent`)."""

    key: str | None
    method: str
    path: str

    def request(
        self, actor: Actor, body: BaseModel | None, render: Callable[[R], Created]
    ) -> IdempotentRequest[R] | None:
        if self.key is None:
            return None
        return IdempotentRequest(
            # The practitioner's id, not the token's subject: "Lena@x" and "lena@x" are one user.
            scope=f"{actor.principal.practitioner_id} {self.method} {self.path}",
            key=self.key,
            fingerprint=_fingerprint(body),
            render=lambda result: _stored(render(result)),
        )

    @staticmethod
    def respond(result: R | Replayed, render: Callable[[R], Created]) -> JSONResponse:
        """The answer: the first one again for a replayed key, else the new record."""
        if isinstance(result, Replayed):
            stored = result.response
            return JSONResponse(
                stored.body,
                status_code=stored.status_code,
                headers={**stored.headers, "Idempotent-Replayed": "true"},
            )
        created = render(result)
        return JSONResponse(
            jsonable_encoder(created.body),
            status_code=created.status_code,
            headers=created.headers(),
        )


def _stored(created: Created) -> StoredResponse:
    return StoredResponse(
        request_hash="",
        status_code=created.status_code,
        body=jsonable_encoder(created.body),
        headers=created.headers(),
    )


async def get_idempotency(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_KEY_LENGTH,
            description="Makes the create safe to retry: the same key and body return the first response.",
        ),
    ] = None,
) -> Idempotency:
    return Idempotency(key=idempotency_key, method=request.method, path=request.url.path)


IdempotencyKey = Annotated[Idempotency, Depends(get_idempotency)]


def _fingerprint(body: BaseModel | None) -> str:
    data: Any = None if body is None else jsonable_encoder(body, exclude_unset=True)
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


async def get_idempotent_create(
    request: Request,
    uow: UowDep,
    clock: ClockDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_KEY_LENGTH,
            description="Makes the create safe to retry: the same key and body return the first response.",
        ),
    ] = None,
) -> IdempotentCreate:
    # Keys are per user: one user's retry never replays another user's answer.
    user = getattr(request.state, "token_subject", None) or "anonymous"
    return IdempotentCreate(
        uow=uow,
        clock=clock,
        scope=f"{user} {request.method} {request.url.path}",
        key=idempotency_key,
    )


IdempotencyDep = Annotated[IdempotentCreate, Depends(get_idempotent_create)]
