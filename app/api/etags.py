"""ETags from record versions, and If-Match / If-None-Match as RFC 9110 reads them."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import Header, Request, Response

from app.domain.versions import ExpectedVersion

_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
_VERSION = re.compile(r"\d{1,18}")


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(value: str) -> list[tuple[bool, str]] | None:
    """The entity-tags of a list header as (weak, opaque value), or None if it is not one."""
    tags: list[tuple[bool, str]] = []
    position = 0
    while position < len(value):
        match = _ENTITY_TAG.match(value, position)
        if match is None:
            return None
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
    return tags


def parse_if_match(value: str | None) -> ExpectedVersion | None:
    """The versions a client based its change on (None when the header is absent).

    Strong comparison (RFC 9110 §13.1.1): `W/"2"` names no version; `*` matches any existing
    version; in a list, any tag may match. A header that is not a list of entity-tags matches
    nothing, so the change is refused as stale rather than applied on a guess.
    """
    if value is None:
        return None
    if value.strip() == "*":
        return ExpectedVersion(any_version=True)
    tags = _tags(value) or []
    return ExpectedVersion(
        frozenset(int(v) for weak, v in tags if not weak and _VERSION.fullmatch(v))
    )


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the version being changed. Required: 428 without it, 412 if stale.",
    ),
]


def not_modified(request: Request, version: int, response: Response) -> Response | None:
    """304 when the client's If-None-Match already names the current version."""
    return not_modified_for(request, response, etag(version))


def composite_etag(kind: str, versions: tuple[int, ...]) -> str:
    """The validator of a view made of several records: it changes when any of them does.

    Not a version to send as If-Match (nothing is changed through a view): each record inside
    carries its own."""
    digest = hashlib.sha256(f"{kind}:{versions}".encode()).hexdigest()[:20]
    return f'"{kind}-{digest}"'


def not_modified_for(request: Request, response: Response, tag: str) -> Response | None:
    """304 (no body) when the client's If-None-Match already names `tag`; else set it."""
    response.headers["ETag"] = tag
    header = request.headers.get("if-none-match")
    if header and none_match_fails(header, tag.strip('"')):
        return Response(status_code=304, headers={"ETag": tag})
    return None


def none_match_fails(header: str, opaque: str) -> bool:
    """If-None-Match uses weak comparison (RFC 9110 §13.1.2): `W/"2"` and `"2"` both name 2."""
    if header.strip() == "*":
        return True
    return any(v == opaque for _weak, v in _tags(header) or [])
