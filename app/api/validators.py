"""Validators for lists: a JSON answer without an ETag of its own gets one, and 304 when unchanged.

A single record's ETag is its version (`app/api/etags.py`). A list page has no version, so its
validator is a digest of the exact answer: a front end polling its worklist or caseload sends
`If-None-Match` and gets 304 with no body while nothing on the page has changed. The request still
runs (its reads are decided and audited like any other); only the answer is not sent again.
Streamed and non-JSON answers (CSV, server-sent events) pass through untouched.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.etags import none_match_fails

NOT_VALIDATED = ("/api/v1/me/changes", "/access-log")
"""Reads whose every answer is new by design, so a validator of the answer could never match: a
sync hands out a new cursor each time, and an access log shows its own reading."""


def validated(path: str) -> bool:
    """Whether a read's answer gets a validator (`path` concrete or a contract template)."""
    return not path.endswith(NOT_VALIDATED)


class ListValidatorMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.prefix)
            or not validated(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        if_none_match = dict(scope.get("headers") or []).get(b"if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def buffered(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                sent_headers = dict(message.get("headers") or [])
                if (
                    message["status"] != 200
                    or b"etag" in sent_headers
                    or not sent_headers.get(b"content-type", b"").startswith(b"application/json")
                ):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            tag = f'"list-{hashlib.sha256(body).hexdigest()[:24]}"'
            headers: list[tuple[bytes, bytes]] = [
                (k, v) for k, v in start.get("headers", []) if k != b"content-length"
            ]
            headers.append((b"etag", tag.encode()))
            if if_none_match is not None and none_match_fails(
                if_none_match.decode("latin-1"), tag.strip('"')
            ):
                kept = [(k, v) for k, v in headers if k != b"content-type"]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
