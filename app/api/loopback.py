"""dev and test deployments answer loopback only: their demo token secret is published in the code.

`familyhub serve` refuses to bind anything else in dev/test; this middleware covers every other
way of serving the app (`uvicorn app.main:app --host 0.0.0.0`, a container run without
FAMILYHUB_ENV=production). It looks at the addresses the ASGI server reports from the socket, not
at anything the request says, so a caller cannot talk its way past it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import uuid
from collections.abc import Collection
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("familyhub.loopback")

LOOPBACK_NAMES = frozenset({"localhost"})
IN_PROCESS_TEST_ADDRESSES = frozenset({"testserver", "testclient"})
"""The server and client names Starlette's TestClient reports. No socket can report them (a
socket's address is always an IP address), so they only ever come from a client running in the
same process, with no network at all; allowed in env=test only."""

LOOPBACK_ONLY_DETAIL = "This development server only answers on loopback (127.0.0.1, ::1)."


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped, as a dual-stack socket reports it) or `localhost`."""
    name = host.strip().lower().removeprefix("[").removesuffix("]")
    if name in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


class LoopbackOnlyMiddleware:
    """Refuses (403 problem+json) any request whose server or client address is not loopback.

    Both ends are checked: a packet forwarded to 127.0.0.1 from outside (route_localnet, as some
    NAT set-ups do) arrives on a loopback server address from a remote client. An address the
    server does not report (None, as for a Unix socket) is refused too: it cannot be shown local.
    """

    def __init__(self, app: ASGIApp, *, also_allowed: Collection[str] = ()) -> None:
        self.app = app
        self.also_allowed = frozenset(also_allowed)
        self._warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or (
            self._local(scope.get("server")) and self._local(scope.get("client"))
        ):
            await self.app(scope, receive, send)
            return
        if not self._warned:
            self._warned = True
            log.warning(
                "refused a request that did not arrive on loopback: env=dev/test serves loopback"
                " only; set FAMILYHUB_ENV=production (with a real secret or a JWKS) to serve others"
            )
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _refuse(scope, send)

    def _local(self, address: Any) -> bool:
        if not address:
            return False
        host = str(address[0])
        return host in self.also_allowed or is_loopback(host)


async def _refuse(scope: Scope, send: Send) -> None:
    # Outside RequestContextMiddleware, so the refusal gets a request id of its own here.
    request_id = uuid.uuid4().hex
    body = json.dumps(
        {
            "type": "/problems/forbidden",
            "title": "Forbidden",
            "status": 403,
            "detail": LOOPBACK_ONLY_DETAIL,
            "code": "loopback_only",
            "instance": scope.get("path"),
            "request_id": request_id,
            "errors": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"x-request-id", request_id.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
