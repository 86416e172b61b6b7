"""Idempotent creates: a retried POST with the same Idempotency-Key gets the first answer again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.services.ports import StoredResponse
from app.services.use_case import Actor, IdempotentRequest, IdempotentUpload, Replayed

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
            scope=self._scope(actor),
            key=self.key,
            fingerprint=_fingerprint(body),
            render=lambda result: _stored(render(result)),
        )

    def upload(
        self, actor: Actor, fields: Mapping[str, Any], render: Callable[[R], Created]
    ) -> IdempotentUpload[R] | None:
        """For a streamed upload: the form's fields are fingerprinted now, the content's hash is
        added by the service as the content streams in (app/services/use_case.py)."""
        if self.key is None:
            return None
        return IdempotentUpload(
            scope=self._scope(actor),
            key=self.key,
            fields_fingerprint=_digest(jsonable_encoder(dict(fields))),
            render=lambda result: _stored(render(result)),
        )

    def _scope(self, actor: Actor) -> str:
        # The practitioner's id, not the token's subject: "Lena@x" and "lena@x" are one user.
        return f"{actor.principal.practitioner_id} {self.method} {self.path}"

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
    return _digest(None if body is None else jsonable_encoder(body, exclude_unset=True))


def _digest(data: Any) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
