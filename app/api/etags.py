"""ETags from record versions, and If-Match parsing for optimistic concurrency."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, Request, Response

_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version a client based its change on; None when absent. An unreadable tag matches nothing."""
    if value is None:
        return None
    match = _TAG.match(value.split(",")[0])
    return int(match.group(1)) if match else -1


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the version being changed. Required: 428 without it, 412 if stale.",
    ),
]


def not_modified(request: Request, version: int, response: Response) -> Response | None:
    """304 when the client's If-None-Match already names the current version."""
    response.headers["ETag"] = etag(version)
    header = request.headers.get("if-none-match")
    if header and any(parse_if_match(part) == version for part in header.split(",")):
        return Response(status_code=304, headers={"ETag": etag(version)})
    return None
