"""Remembered answers to create requests, keyed by the client's Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import IdempotencyKeyRow
from app.services.ports import StoredResponse


class SqlIdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, scope: str, key: str) -> StoredResponse | None:
        row = self._session.scalar(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key
            )
        )
        if row is None:
            return None
        return StoredResponse(
            request_hash=row.request_hash,
            status_code=row.status_code,
            body=row.response_body,
            headers=dict(row.response_headers),
        )

    def remember(self, scope: str, key: str, response: StoredResponse, *, at: datetime) -> None:
        self._session.add(
            IdempotencyKeyRow(
                id=uuid.uuid4(),
                scope=scope,
                key=key,
                request_hash=response.request_hash,
                status_code=response.status_code,
                response_body=response.body,
                response_headers=response.headers,
                created_at=at,
            )
        )
