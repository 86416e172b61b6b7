"""Request ids for correlation, and a cap on body size so no client can exhaust memory."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_HEADERS = [(b"content-type", b"application/problem+json")]


UPLOAD_PATH = re.compile(
    r"^/api/v1/(families/[^/]+|episodes/[^/]+|episodes/[^/]+/contacts/[^/]+)/documents/?$"
)
"""Document uploads: their bodies may be as large as a document (app/api/routers/documents.py)."""
UPLOAD_FORM_BYTES = 64 * 1024
"""Room, besides the file, for an upload's form fields and multipart boundaries."""


class RequestContextMiddleware:
    """Gives every request an id (X-Request-ID, echoed back) and refuses bodies over the limit with
    413, counted as they arrive (a document upload's limit is the document limit, plus its form)."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    def _limit(self, scope: Scope) -> int:
        if (
            self.max_upload_bytes is not None
            and scope.get("method") == "POST"
            and UPLOAD_PATH.match(scope.get("path", ""))
        ):
            return max(self.max_body_bytes, self.max_upload_bytes + UPLOAD_FORM_BYTES)
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = (
            incoming if 0 < len(incoming) <= 100 and incoming.isprintable() else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id

        limit = self._limit(scope)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(scope, send, request_id, limit)
            return

        received = 0
        exceeded = False
        answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal answered
            if exceeded:
                # A chunked body went over the limit while the app read it; whatever the app
                # made of that (FastAPI turns it into a 400 "error parsing the body"), it is a 413.
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await self._too_large(scope, send, request_id, limit)
                return
            if message["type"] == "http.response.start":
                answered = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            if not answered:
                await self._too_large(scope, send, request_id, limit)

    async def _too_large(self, scope: Scope, send: Send, request_id: str, limit: int) -> None:
        body: dict[str, Any] = {
            "type": "/problems/payload-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"The request body is larger than {limit} bytes.",
            "code": "payload_too_large",
            "instance": scope.get("path"),
            "request_id": request_id,
            "errors": [],
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    *PROBLEM_HEADERS,
                    (b"x-request-id", request_id.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class _BodyTooLarge(Exception):
    pass
