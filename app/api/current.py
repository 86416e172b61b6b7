"""On 412, the record as it is now, so an offline client can show its edit beside the newer one.

The current representation is fetched through the API itself (the resource's GET, with the
caller's own credentials), so the access rules, restricted details and the audit trail apply to
it exactly as to any read.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import Request

_UUID = r"[0-9a-fA-F-]{36}"
# (method, path of the write) → the path of the resource it changes
_RESOURCE_OF_WRITE: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(rf"^(/api/v1/families/{_UUID})/members/{_UUID}/leave$"), r"\1"),
    ("POST", re.compile(rf"^(/api/v1/families/{_UUID}/consents/{_UUID})/withdrawal$"), r"\1"),
    ("POST", re.compile(rf"^(/api/v1/episodes/{_UUID}/assessments/{_UUID})/completion$"), r"\1"),
    ("PATCH", re.compile(rf"^(/api/v1/episodes/{_UUID}/plans/{_UUID})/actions/{_UUID}$"), r"\1"),
    (
        "POST",
        re.compile(
            rf"^(/api/v1/episodes/{_UUID})/(assessment-start|lead-assignments|level-changes|closure|plan-submission|"
            r"qa-decisions|meetings)$"
        ),
        r"\1",
    ),
    ("PATCH", re.compile(r"^(/api/v1/.+)$"), r"\1"),
]


def resource_path(method: str, path: str) -> str | None:
    for verb, pattern, target in _RESOURCE_OF_WRITE:
        if verb == method and pattern.match(path):
            return pattern.sub(target, path)
    return None


async def current_representation(request: Request) -> dict[str, Any] | None:
    """The changed resource's current JSON as this caller may see it, or None."""
    path = resource_path(request.method, request.url.path)
    if path is None:
        return None
    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() in {"authorization", "x-break-glass-reason"}
    }
    # The read never leaves this process, so it names loopback as its server (and, by default,
    # its client): a dev app's loopback guard (app/api/loopback.py), which the write it follows
    # has already passed, lets it through.
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get(path, headers=headers)
    if response.status_code != 200:
        return None
    body: dict[str, Any] = response.json()
    return body
